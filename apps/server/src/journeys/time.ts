/** Local times in a customer's time zone: waits until a time of day, quiet hours, date triggers. */

const formats = new Map<string, Intl.DateTimeFormat | null>();
function formatOf(tz: string): Intl.DateTimeFormat | null {
  let f = formats.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      f = null;
    }
    formats.set(tz, f);
  }
  return f;
}

/** True for an IANA time zone this runtime knows. */
export const isTimeZone = (tz: unknown): tz is string => typeof tz === 'string' && tz.length <= 64 && !!formatOf(tz);

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of `at` in `tz`. */
export function localParts(at: Date, tz: string): LocalParts {
  const f = formatOf(tz) ?? (formatOf('UTC') as Intl.DateTimeFormat);
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(at)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return {
    year: p.year as number,
    month: p.month as number,
    day: p.day as number,
    hour: p.hour as number,
    minute: p.minute as number,
    second: p.second as number,
  };
}

/** The instant when the clock in `tz` reads this date and time (the later one in a DST overlap; skipped times move forward). */
export function fromLocal(y: number, m: number, d: number, hour: number, minute: number, tz: string): Date {
  const wanted = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wanted;
  // Two corrections settle the offset (three around a DST change).
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), tz);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const diff = wanted - seen;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The first instant at or after `from` when the clock in `tz` reads `hhmm`. */
export function nextTimeOfDay(from: Date, hhmm: string, tz: string): Date {
  const p = localParts(from, tz);
  const target = minutesOf(hhmm);
  let at = fromLocal(p.year, p.month, p.day, Math.floor(target / 60), target % 60, tz);
  if (at.getTime() < from.getTime() - 999) {
    const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
    at = fromLocal(
      next.getUTCFullYear(),
      next.getUTCMonth() + 1,
      next.getUTCDate(),
      Math.floor(target / 60),
      target % 60,
      tz,
    );
  }
  return at;
}

/**
 * Quiet hours `start`–`end` (local, may span midnight, e.g. 21:00–08:00): when `at` falls inside
 * them in `tz`, the instant they end; otherwise null.
 */
export function quietUntil(at: Date, quiet: { start: string; end: string }, tz: string): Date | null {
  const p = localParts(at, tz);
  const now = p.hour * 60 + p.minute;
  const s = minutesOf(quiet.start);
  const e = minutesOf(quiet.end);
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  return inside ? nextTimeOfDay(at, quiet.end, tz) : null;
}

/** The local calendar date (YYYY-MM-DD) of `at` in `tz`, shifted by `days`. */
export function localDate(at: Date, tz: string, days = 0): string {
  const p = localParts(at, tz);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return d.toISOString().slice(0, 10);
}
