/**
 * The dashboard's pure logic: periods, the heat map's colour scale, and the segment rules that
 * express "the customers behind this number" (definitions in docs/metrics.md), so every tile can
 * open the segment editor pre-filled with them.
 */
import type { Condition, SegmentRule } from '../segments/rules';
import type { Interval, KpiKey, LifecycleStage, Period, RfmCell, ValueTier } from './api';

// ── dates (calendar days, `YYYY-MM-DD`) ──

const DAY_MS = 86_400_000;
const toMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (d: string, n: number) => fromMs(toMs(d) + n * DAY_MS);
export function addMonths(d: string, n: number): string {
  const x = new Date(toMs(d));
  const day = x.getUTCDate();
  x.setUTCDate(1);
  x.setUTCMonth(x.getUTCMonth() + n);
  const last = new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 0)).getUTCDate();
  x.setUTCDate(Math.min(day, last));
  return fromMs(x.getTime());
}
export const daysBetween = (from: string, to: string) => Math.round((toMs(to) - toMs(from)) / DAY_MS) + 1;
export const isDay = (v: string | null | undefined): v is string =>
  !!v && /^\d{4}-\d{2}-\d{2}$/.test(v) && fromMs(toMs(v)) === v;

/** Today's date in a time zone (the workspace's), as the server counts days. */
export function todayIn(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      now,
    );
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

// ── periods ──

export const PRESETS = ['30d', '90d', '12m', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

/** The dates of a preset ending today; `custom` takes the given dates when they are valid. */
export function periodOf(preset: Preset, today: string, custom?: { from?: string | null; to?: string | null }): Period {
  switch (preset) {
    case '30d':
      return { from: addDays(today, -29), to: today };
    case '90d':
      return { from: addDays(today, -89), to: today };
    case 'custom':
      if (isDay(custom?.from) && isDay(custom?.to) && custom.from <= custom.to)
        return { from: custom.from, to: custom.to };
      return { from: addDays(addMonths(today, -12), 1), to: today };
    default:
      return { from: addDays(addMonths(today, -12), 1), to: today };
  }
}

/** The step of the revenue chart: days for a month, weeks up to a quarter or so, months beyond. */
export function intervalFor(p: Period): Interval {
  const days = daysBetween(p.from, p.to);
  return days <= 31 ? 'day' : days <= 120 ? 'week' : 'month';
}

/** The months of a period (`YYYY-MM`), the most recent 12 at most, newest first. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  let m = p.to.slice(0, 7);
  const first = p.from.slice(0, 7);
  while (m >= first && out.length < 12) {
    out.push(m);
    m = addMonths(`${m}-01`, -1).slice(0, 7);
  }
  return out;
}

// ── change against the previous period ──

export type Trend = 'up' | 'down' | 'flat' | 'none';
/** KPIs where going down is good news. */
const LOWER_IS_BETTER: ReadonlySet<KpiKey> = new Set(['churnRate', 'cac']);

/** The direction of a change, and whether it is good news for this KPI (colour). */
export function trendOf(key: KpiKey, change: number | null): { trend: Trend; good: boolean | null } {
  if (change === null || !Number.isFinite(change)) return { trend: 'none', good: null };
  if (Math.abs(change) < 0.0005) return { trend: 'flat', good: null };
  const up = change > 0;
  return { trend: up ? 'up' : 'down', good: LOWER_IS_BETTER.has(key) ? !up : up };
}

// ── heat map colour scale ──

/** Upper bounds of the retention bins (fractions); the last bin is everything above. */
export const HEAT_BINS = [0.05, 0.1, 0.2, 0.35, 0.5] as const;
const HEAT_ALPHA = [0.08, 0.2, 0.34, 0.5, 0.7, 0.9] as const;

/** The bin (0 … HEAT_BINS.length) of a retention fraction; null for no value. */
export function heatLevel(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const i = HEAT_BINS.findIndex((bound) => value < bound);
  return i === -1 ? HEAT_BINS.length : i;
}

/**
 * The colours of a heat map cell: a teal (Mantine teal 9, #087f5b) whose opacity grows with the
 * value, over the page background, so it reads in light and dark mode; white text on the two
 * darkest bins (4.5:1 or more), the page's text colour on the others.
 */
export function heatColors(level: number | null): { background: string; color: string } {
  if (level === null) return { background: 'transparent', color: 'var(--mantine-color-dimmed)' };
  const alpha = HEAT_ALPHA[Math.max(0, Math.min(level, HEAT_ALPHA.length - 1))];
  return {
    background: `rgba(8, 127, 91, ${alpha})`,
    color: level >= HEAT_BINS.length - 1 ? '#fff' : 'var(--mantine-color-text)',
  };
}

/** The legend: each bin with its range, as fractions. */
export function heatLegend(): { level: number; from: number; to: number | null }[] {
  const bounds = [0, ...HEAT_BINS];
  return bounds.map((from, level) => ({ level, from, to: HEAT_BINS[level] ?? null }));
}

// ── the customers behind a number, as segment rules ──

const EPOCH = '1970-01-01';
/** Windows are [from, to): the day after the period's last day. */
const windowOf = (p: Period) => ({ from: p.from, to: addDays(p.to, 1) });
const orderedIn = (w: { from: string; to: string }, min = 1): Condition => ({
  type: 'orders',
  metric: 'count',
  op: 'gte',
  value: min,
  within: w,
});
const acquiredThrough = (channel: string): Condition => ({
  type: 'fact',
  fact: 'acquisition_channel',
  op: 'equals',
  value: channel,
});

/** Customers whose first order is in the period. */
function firstOrderIn(p: Period): SegmentRule[] {
  return [orderedIn(windowOf(p)), { not: orderedIn({ from: EPOCH, to: p.from }) }];
}

/**
 * The rule for the customers behind a KPI over a period (and acquisition channel). Churn and
 * retention use `L` days of activity (the lapsed threshold: `churnThresholdDays`).
 */
export function ruleForKpi(key: KpiKey, p: Period, channel: string | null, lapsedDays: number): SegmentRule {
  let parts: SegmentRule[];
  const end = addDays(p.to, 1);
  switch (key) {
    case 'newCustomers':
    case 'cac':
    case 'roi':
      parts = firstOrderIn(p);
      break;
    case 'repeatPurchaseRate':
      parts = [orderedIn(windowOf(p), 2)];
      break;
    case 'retentionRate':
      parts = [
        orderedIn({ from: addDays(p.from, -lapsedDays), to: p.from }),
        orderedIn({ from: addDays(end, -lapsedDays), to: end }),
      ];
      break;
    case 'churnRate':
      parts = [
        orderedIn({ from: addDays(p.from, -lapsedDays), to: p.from }),
        { not: orderedIn({ from: addDays(end, -lapsedDays), to: end }) },
      ];
      break;
    case 'engagementScore':
      parts = [{ type: 'fact', fact: 'last_seen_at', op: 'after', value: addDays(end, -31) }];
      break;
    default:
      parts = [orderedIn(windowOf(p))];
  }
  if (channel && channel !== 'unknown') parts.push(acquiredThrough(channel));
  return { all: parts };
}

/** Customers of a first-order cohort (`2025-03`) who ordered again `offset` months later. */
export function ruleForCohortCell(cohort: string, offset: number, channel: string | null): SegmentRule {
  const start = `${cohort}-01`;
  const parts: SegmentRule[] = [
    orderedIn({ from: start, to: addMonths(start, 1) }),
    { not: orderedIn({ from: EPOCH, to: start }) },
  ];
  if (offset > 0) parts.push(orderedIn({ from: addMonths(start, offset), to: addMonths(start, offset + 1) }));
  if (channel && channel !== 'unknown') parts.push(acquiredThrough(channel));
  return { all: parts };
}

/** Customers who did every step up to this one in the period. */
export function ruleForFunnelStep(steps: string[], index: number, p: Period): SegmentRule {
  return {
    all: steps
      .slice(0, index + 1)
      .map((event) => ({ type: 'event', event, did: true, within: windowOf(p) }) as Condition),
  };
}

/** Customers who ordered in the period and were reached through a channel. */
export function ruleForChannel(channel: string, p: Period): SegmentRule {
  return { all: [orderedIn(windowOf(p)), { type: 'fact', fact: 'channels', op: 'includes', value: channel }] };
}

/** Customers in a value tier: lifetime revenue from the tier's minimum up to the next tier's. */
export function ruleForTier(
  tier: ValueTier,
  tiers: { tier: ValueTier; minRevenue: number | null }[],
): SegmentRule | null {
  const order: ValueTier[] = ['top', 'high', 'medium', 'low'];
  const i = order.indexOf(tier);
  const min = tiers.find((x) => x.tier === tier)?.minRevenue;
  if (min === null || min === undefined) return null;
  const parts: SegmentRule[] = [{ type: 'orders', metric: 'revenue', op: 'gte', value: min }];
  // The next tier up starts where this one ends.
  for (let j = i - 1; j >= 0; j--) {
    const above = tiers.find((x) => x.tier === order[j])?.minRevenue;
    if (above !== null && above !== undefined) {
      parts.push({ type: 'orders', metric: 'revenue', op: 'lt', value: above });
      break;
    }
  }
  return { all: [{ type: 'orders', metric: 'count', op: 'gte', value: 1 }, ...parts] };
}

/** Customers in a lifecycle stage today, with the workspace's thresholds (the server's own definition). */
export function ruleForStage(stage: LifecycleStage): SegmentRule {
  return { all: [{ type: 'lifecycle', stages: [stage] }] };
}

/** Customers in a named RFM cell (the server's own scores). */
export function ruleForRfmCell(cell: RfmCell): SegmentRule {
  return { all: [{ type: 'rfm', cells: [cell] }] };
}

// ── RFM grid ──

/** The named RFM cell of a recency and frequency score (1..5), as docs/metrics.md defines them. */
export function rfmCellOf(r: number, f: number): RfmCell {
  if (r === 5) return f === 1 ? 'new' : f <= 3 ? 'potential_loyalists' : 'champions';
  if (r === 4) return f === 1 ? 'promising' : f <= 3 ? 'potential_loyalists' : 'loyal';
  if (r === 3) return f <= 2 ? 'about_to_sleep' : f === 3 ? 'need_attention' : 'loyal';
  if (r === 1 && f === 1) return 'lost';
  return f <= 2 ? 'hibernating' : f <= 4 ? 'at_risk' : 'cant_lose';
}
