/** Days as the models count them: whole days since 1970-01-01 in the workspace's time zone. */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, f);
  }
  return f;
}

/** The local calendar day of an instant, as a day number. */
export function dayNumber(at: Date, timezone: string): number {
  const parts = formatter(timezone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / DAY_MS);
}

/** A `YYYY-MM-DD` date as a day number. */
export function dayOfDate(date: string): number {
  return Math.round(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** A day number as `YYYY-MM-DD`. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export const DAYS_PER_UNIT = { days: 1, weeks: 7 } as const;
export type TimeUnit = keyof typeof DAYS_PER_UNIT;
export { DAY_MS };
