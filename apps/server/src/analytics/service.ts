/**
 * Analytics (ANL-1 … ANL-4, SEG-2): KPIs, revenue over time, acquisition channels, cohorts,
 * attribution, funnels, RFM, lifecycle, value tiers, marketing spend and goals. Plain functions
 * `(db, workspaceId, params)`; the SQL is repository.ts; every definition is docs/metrics.md.
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import type { Db } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { am } from './messages.js';
import type { AttributionModel, Range, Scope } from './repository.js';
import * as repo from './repository.js';
import { countAllDirty } from './rollup-repository.js';
import {
  ensureRollup,
  type PeriodRollup,
  rollupCohorts,
  rollupInputs,
  rollupSeries,
  rollupStatus,
} from './rollup-service.js';

export const KPI_KEYS = [
  'customers',
  'newCustomers',
  'orders',
  'netRevenue',
  'aov',
  'repeatPurchaseRate',
  'purchaseFrequency',
  'clv',
  'churnRate',
  'retentionRate',
  'cac',
  'roi',
  'engagementScore',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];
export type KpiUnit = 'money' | 'percent' | 'count' | 'number' | 'days';
export const KPI_UNITS: Record<KpiKey, KpiUnit> = {
  customers: 'count',
  newCustomers: 'count',
  orders: 'count',
  netRevenue: 'money',
  aov: 'money',
  repeatPurchaseRate: 'percent',
  purchaseFrequency: 'number',
  clv: 'money',
  churnRate: 'percent',
  retentionRate: 'percent',
  cac: 'money',
  roi: 'percent',
  engagementScore: 'number',
};

export const RFM_CELLS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type RfmCell = (typeof RFM_CELLS)[number];
export const LIFECYCLE_STAGES = ['new', 'active', 'at_risk', 'lapsed', 'won_back'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export const VALUE_TIERS = ['top', 'high', 'medium', 'low'] as const;

/** The named RFM cell of a recency and a frequency score (1..5), as in docs/metrics.md. */
export function rfmCellOf(r: number, f: number): RfmCell {
  if (r === 5) return f === 1 ? 'new' : f <= 3 ? 'potential_loyalists' : 'champions';
  if (r === 4) return f === 1 ? 'promising' : f <= 3 ? 'potential_loyalists' : 'loyal';
  if (r === 3) return f <= 2 ? 'about_to_sleep' : f === 3 ? 'need_attention' : 'loyal';
  if (r === 1 && f === 1) return 'lost';
  return f <= 2 ? 'hibernating' : f <= 4 ? 'at_risk' : 'cant_lose';
}

// ── periods ──

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localToday(tz: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (d: string, n: number) => fromDay(toDay(d) + n * DAY_MS);
function addMonths(d: string, n: number): string {
  const x = new Date(toDay(d));
  const day = x.getUTCDate();
  x.setUTCDate(1);
  x.setUTCMonth(x.getUTCMonth() + n);
  const last = new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 0)).getUTCDate();
  x.setUTCDate(Math.min(day, last));
  return fromDay(x.getTime());
}

function checkDate(v: string | undefined, field: string): string | undefined {
  if (v === undefined) return undefined;
  const d = v.slice(0, 10);
  if (!DATE.test(d) || Number.isNaN(toDay(d)) || fromDay(toDay(d)) !== d) {
    throw new UserError(400, 'invalid_request', am('not_a_day', { field }), field);
  }
  return d;
}

/** The period asked for (default: the last 12 months ending today, local), and the one before it. */
export function resolvePeriod(q: { from?: string; to?: string }, tz: string, now: Date) {
  const to = checkDate(q.to, 'to') ?? localToday(tz, now);
  const from = checkDate(q.from, 'from') ?? addDays(addMonths(to, -12), 1);
  if (from > to) throw new UserError(400, 'invalid_request', am('from_after_to'), 'from');
  const days = Math.round((toDay(to) - toDay(from)) / DAY_MS) + 1;
  if (days > 3660) throw new UserError(400, 'invalid_request', am('period_too_long'), 'from');
  const previousTo = addDays(from, -1);
  const previousFrom = addDays(previousTo, -(days - 1));
  return { cur: { from, to }, prev: { from: previousFrom, to: previousTo } };
}

export async function scopeOf(db: Db, workspaceId: string): Promise<Scope> {
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  return { workspaceId, currency: ws.currency, tz: ws.timezone };
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const round = (v: number | null, digits = 2) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const cents = (v: number) => Math.round(v * 100) / 100;

// ── lifecycle thresholds ──

export interface Thresholds {
  activeDays: number;
  atRiskDays: number;
  lapsedDays: number;
  derived: boolean;
}
export const DEFAULT_THRESHOLDS = { activeDays: 30, atRiskDays: 90, lapsedDays: 180 };
/** Fewer repeat customers than this and the derived thresholds fall back to the defaults. */
export const MIN_REPEAT_CUSTOMERS = 20;
const THRESHOLDS_TTL_MS = DAY_MS;

async function deriveThresholds(db: Db, s: Scope) {
  const p = await repo.interPurchasePercentiles(db, s);
  if (p.n < MIN_REPEAT_CUSTOMERS || p.p50 === null || p.p80 === null || p.p95 === null) return DEFAULT_THRESHOLDS;
  const activeDays = Math.max(1, Math.ceil(p.p50));
  const atRiskDays = Math.max(activeDays, 2, Math.ceil(p.p80));
  const lapsedDays = Math.max(atRiskDays + 1, 3, Math.ceil(p.p95));
  return { activeDays, atRiskDays, lapsedDays };
}

/** The workspace's lifecycle thresholds: the owner's, or derived (cached for a day; `fresh` recomputes). */
export async function getThresholds(db: Db, workspaceId: string, opts: { now?: Date; fresh?: boolean } = {}) {
  const now = opts.now ?? new Date();
  const s = await scopeOf(db, workspaceId);
  return thresholdsOf(db, s, now, opts.fresh ?? false);
}

async function thresholdsOf(db: Db, s: Scope, now: Date, fresh: boolean): Promise<Thresholds> {
  const row = await repo.findSettings(db, s.workspaceId);
  if (row && !row.derived) {
    return { activeDays: row.active_days, atRiskDays: row.at_risk_days, lapsedDays: row.lapsed_days, derived: false };
  }
  if (row?.derived_at && !fresh && now.getTime() - row.derived_at.getTime() < THRESHOLDS_TTL_MS) {
    return { activeDays: row.active_days, atRiskDays: row.at_risk_days, lapsedDays: row.lapsed_days, derived: true };
  }
  const t = await deriveThresholds(db, s);
  await repo.saveSettings(db, s.workspaceId, { ...t, derived: true, derivedAt: now });
  return { ...t, derived: true };
}

/** Sets the lifecycle thresholds by hand, or goes back to derived ones. */
export async function setThresholds(
  db: Db,
  workspaceId: string,
  body: { derived?: boolean; activeDays?: number; atRiskDays?: number; lapsedDays?: number },
  now = new Date(),
) {
  const s = await scopeOf(db, workspaceId);
  if (body.derived) {
    const t = await deriveThresholds(db, s);
    await repo.saveSettings(db, workspaceId, { ...t, derived: true, derivedAt: now });
    // Churn and retention use the lapsed threshold: KPI sets computed before are out of date.
    await repo.bumpDataVersion(db, workspaceId);
    return { thresholds: { ...t, derived: true } };
  }
  const { activeDays, atRiskDays, lapsedDays } = body;
  for (const [k, v] of Object.entries({ activeDays, atRiskDays, lapsedDays })) {
    if (v === undefined) throw new UserError(400, 'invalid_request', am('threshold_required', { field: k }), k);
  }
  if ((atRiskDays as number) < (activeDays as number)) {
    throw new UserError(400, 'invalid_request', am('at_risk_before_active'), 'atRiskDays');
  }
  if ((lapsedDays as number) <= (atRiskDays as number)) {
    throw new UserError(400, 'invalid_request', am('lapsed_before_at_risk'), 'lapsedDays');
  }
  const t = { activeDays: activeDays as number, atRiskDays: atRiskDays as number, lapsedDays: lapsedDays as number };
  await repo.saveSettings(db, workspaceId, { ...t, derived: false, derivedAt: null });
  await repo.bumpDataVersion(db, workspaceId);
  return { thresholds: { ...t, derived: false } };
}

// ── KPIs ──

export interface KpiQuery {
  from?: string;
  to?: string;
  channel?: string;
}
type KpiValues = Record<KpiKey, number | null>;

/** The score of docs/metrics.md from the population figures of the last 30 days; null when nobody was active. */
export function engagementScoreOf(e: repo.Engagement): number | null {
  if (e.active === 0) return null;
  return (
    100 *
    (0.5 * Math.min(1, e.activeDays / e.active / 10) +
      0.3 * Math.min(1, e.events / e.active / 30) +
      0.2 * Math.min(1, e.buyers / e.active))
  );
}

/** How old a snapshot of a KPI set may be and still answer while a newer one is computed (ADR 0009). */
export const SNAPSHOT_MAX_LAG_MS = 5 * 60_000;

interface PeriodInputs {
  aggregates: repo.OrderAggregates;
  fresh: { n: number; revenue: number };
  retention: { base: number; kept: number };
  engagement: repo.Engagement;
}

async function liveInputs(db: Db, s: Scope, cur: Range, prev: Range, lapsedDays: number, channel?: string) {
  const [orders, fresh, retCur, retPrev, engCur, engPrev, other] = await Promise.all([
    repo.orderAggregates(db, s, cur, prev, channel),
    repo.newCustomers(db, s, cur, prev, channel),
    repo.retention(db, s, cur, lapsedDays, channel),
    repo.retention(db, s, prev, lapsedDays, channel),
    repo.engagement(db, s, cur, channel),
    repo.engagement(db, s, prev, channel),
    repo.otherCurrencyOrders(db, s, cur, channel),
  ]);
  return {
    cur: {
      aggregates: orders.cur,
      fresh: { n: fresh.cur, revenue: orders.cur.newRevenue },
      retention: retCur,
      engagement: engCur,
    } as PeriodInputs,
    prev: {
      aggregates: orders.prev,
      fresh: { n: fresh.prev, revenue: orders.prev.newRevenue },
      retention: retPrev,
      engagement: engPrev,
    } as PeriodInputs,
    otherCurrency: other,
  };
}

/** The same inputs read from the KPI rollup (ADR 0010): a few index range scans whatever the period. */
async function rolledUpInputs(db: Db, s: Scope, cur: Range, prev: Range, lapsedDays: number, channel?: string) {
  const [c, p] = (await rollupInputs(db, s, [cur, prev], lapsedDays, { channel })).map(
    (m) => m.get('') as PeriodRollup,
  ) as [PeriodRollup, PeriodRollup];
  return { cur: c as PeriodInputs, prev: p as PeriodInputs, otherCurrency: c.otherCurrency };
}

/** What a KPI set is asked for: the period, the one before, a channel; read from the rollup or computed live. */
interface KpiAsk {
  cur: Range;
  prev: Range;
  channel: string | undefined;
  now: Date;
  rollup: boolean;
}

async function kpiValues(db: Db, s: Scope, { cur, prev, channel, now, rollup }: KpiAsk) {
  const t = await thresholdsOf(db, s, now, false);
  const [inputs, spendCur, spendPrev] = await Promise.all([
    (rollup ? rolledUpInputs : liveInputs)(db, s, cur, prev, t.lapsedDays, channel),
    repo.spendByChannel(db, s, cur),
    repo.spendByChannel(db, s, prev),
  ]);
  const spendOf = (m: Map<string, number>) => {
    if (channel !== undefined) return m.has(channel) ? (m.get(channel) as number) : null;
    return m.size ? [...m.values()].reduce((a, b) => a + b, 0) : null;
  };
  const values = (x: PeriodInputs, spend: number | null): KpiValues => {
    const o = x.aggregates;
    const n = x.fresh;
    const retention = ratio(x.retention.kept, x.retention.base);
    return {
      customers: o.customers,
      newCustomers: n.n,
      orders: o.orders,
      netRevenue: cents(o.revenue),
      aov: round(ratio(o.revenue, o.ordersWs)),
      repeatPurchaseRate: ratio(o.repeaters, o.customers),
      purchaseFrequency: ratio(o.identifiedOrders, o.customers),
      clv: round(ratio(o.identifiedRevenue, o.customersWs)),
      churnRate: retention === null ? null : 1 - retention,
      retentionRate: retention,
      cac: round(spend === null ? null : ratio(spend, n.n)),
      roi: spend === null ? null : ratio(n.revenue - spend, spend),
      engagementScore: round(engagementScoreOf(x.engagement)),
    };
  };
  return {
    cur: values(inputs.cur, spendOf(spendCur)),
    prev: values(inputs.prev, spendOf(spendPrev)),
    otherCurrency: inputs.otherCurrency,
    thresholds: t,
  };
}

/** The KPI set of a period computed from orders and events (docs/metrics.md). */
async function computeKpis(db: Db, s: Scope, ask: KpiAsk) {
  const { cur, prev, channel } = ask;
  const v = await kpiValues(db, s, ask);
  const kpis = Object.fromEntries(
    KPI_KEYS.map((k) => {
      const value = v.cur[k];
      const previous = v.prev[k];
      const change =
        value === null || previous === null || previous === 0 ? null : (value - previous) / Math.abs(previous);
      return [k, { value, previous, change, unit: KPI_UNITS[k] }];
    }),
  ) as Record<KpiKey, { value: number | null; previous: number | null; change: number | null; unit: KpiUnit }>;
  return {
    from: cur.from,
    to: cur.to,
    previousFrom: prev.from,
    previousTo: prev.to,
    currency: s.currency,
    channel: channel ?? null,
    churnThresholdDays: v.thresholds.lapsedDays,
    otherCurrency: v.otherCurrency,
    kpis,
  };
}
type KpiSet = Awaited<ReturnType<typeof computeKpis>>;

/**
 * The dashboard's KPI set for a period, each with the previous period's value and the change.
 * A snapshot computed for the same period answers while current, or for a few minutes after the
 * data changed (`current: false`: the caller should have it recomputed); else it is computed now
 * and kept (ADR 0009). `fresh` always computes.
 */
export async function getKpis(
  db: Db,
  workspaceId: string,
  q: KpiQuery,
  now = new Date(),
  // fresh: computed now, never a snapshot; live: from orders and events, never the rollup.
  opts: { fresh?: boolean; live?: boolean } = {},
) {
  const s = await scopeOf(db, workspaceId);
  const { cur, prev } = resolvePeriod(q, s.tz, now);
  if (!opts.live) {
    const status = await rollupStatus(db, s);
    if (status.ready) {
      const result = await computeKpis(db, s, { cur, prev, channel: q.channel, now, rollup: true });
      return {
        ...result,
        source: 'rollup' as const,
        computedAt: now.toISOString(),
        current: status.pending === 0,
        pending: status.pending,
      };
    }
  }
  const key = q.channel ?? '';
  const [version, snap] = await Promise.all([
    repo.dataVersion(db, workspaceId),
    opts.fresh ? null : repo.findSnapshot(db, workspaceId, cur, key),
  ]);
  // Computed with the lapsed threshold in force (a derived one may have moved since).
  const lapsedDays = snap ? (await thresholdsOf(db, s, now, false)).lapsedDays : null;
  if (
    snap &&
    snap.currency === s.currency &&
    snap.timezone === s.tz &&
    (snap.result as KpiSet).churnThresholdDays === lapsedDays
  ) {
    const current = snap.data_version === version;
    if (current || now.getTime() - snap.computed_at.getTime() < SNAPSHOT_MAX_LAG_MS) {
      return {
        ...(snap.result as KpiSet),
        source: 'snapshot' as const,
        computedAt: snap.computed_at.toISOString(),
        current,
      };
    }
  }
  const result = await computeKpis(db, s, { cur, prev, channel: q.channel, now, rollup: false });
  await repo.saveSnapshot(db, workspaceId, cur, key, {
    currency: s.currency,
    timezone: s.tz,
    version,
    computedAt: now,
    result,
  });
  return { ...result, source: 'live' as const, computedAt: now.toISOString(), current: true };
}

/** The KPI rollup's state (ADR 0010): built or not, and how many subjects wait to be rolled up. */
export async function getRollupState(db: Db, workspaceId: string) {
  const s = await scopeOf(db, workspaceId);
  const state = await ensureRollup(db, s);
  return {
    ready: state.ready,
    pending: await countAllDirty(db, workspaceId),
    requestedAt: state.requested_at.toISOString(),
    builtAt: state.built_at?.toISOString() ?? null,
  };
}

/** Computes the default period's KPI set now and keeps it (the `analytics.kpis` job). */
export async function refreshKpiSnapshot(db: Db, workspaceId: string, now = new Date()) {
  await getKpis(db, workspaceId, {}, now, { fresh: true, live: true });
}

// ── revenue over time, channels, cohorts ──

export async function getRevenueSeries(
  db: Db,
  workspaceId: string,
  q: { from?: string; to?: string; interval?: 'day' | 'week' | 'month' },
  now = new Date(),
  opts: { live?: boolean } = {},
) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  const interval = q.interval ?? 'month';
  const days = (toDay(cur.to) - toDay(cur.from)) / DAY_MS + 1;
  if (interval === 'day' && days > 1000) {
    throw new UserError(400, 'invalid_request', am('too_many_days'), 'interval');
  }
  const series = (await fromRollup(db, s, opts))
    ? (await rollupSeries(db, s, cur, interval)).map((x) => ({ ...x, revenue: cents(x.revenue) }))
    : await repo.revenueSeries(db, s, cur, interval);
  return { from: cur.from, to: cur.to, interval, currency: s.currency, series };
}

/** Per acquisition channel from the rollup, as `repository.channelAggregates` computes it. */
async function rolledUpChannels(db: Db, s: Scope, cur: Range) {
  const t = await thresholdsOf(db, s, new Date(), false);
  const [by] = await rollupInputs(db, s, [cur], t.lapsedDays, { byChannel: true });
  return [...(by as Map<string, PeriodRollup>)]
    .filter(([ch, x]) => ch !== '' && x.aggregates.customers > 0)
    .map(([channel, x]) => ({
      channel,
      customers: x.aggregates.customers,
      customersWs: x.aggregates.customersWs,
      newCustomers: x.fresh.n,
      orders: x.aggregates.identifiedOrders,
      ordersWs: x.identifiedOrdersWs,
      revenue: x.aggregates.identifiedRevenue,
      newRevenue: x.fresh.revenue,
    }))
    .sort((a, b) => (a.channel < b.channel ? -1 : 1));
}

/** Whether to read from the rollup (ready, and not asked for the live computation). */
async function fromRollup(db: Db, s: Scope, opts: { live?: boolean }) {
  return !opts.live && (await rollupStatus(db, s)).ready;
}

export async function getChannels(
  db: Db,
  workspaceId: string,
  q: { from?: string; to?: string },
  now = new Date(),
  opts: { live?: boolean } = {},
) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  const [rows, spend] = await Promise.all([
    (await fromRollup(db, s, opts)) ? rolledUpChannels(db, s, cur) : repo.channelAggregates(db, s, cur),
    repo.spendByChannel(db, s, cur),
  ]);
  const byChannel = new Map(rows.map((r) => [r.channel, r]));
  for (const ch of spend.keys()) {
    if (!byChannel.has(ch)) {
      byChannel.set(ch, {
        channel: ch,
        customers: 0,
        customersWs: 0,
        newCustomers: 0,
        orders: 0,
        ordersWs: 0,
        revenue: 0,
        newRevenue: 0,
      });
    }
  }
  const items = [...byChannel.values()]
    .sort((a, b) => b.revenue - a.revenue || (a.channel < b.channel ? -1 : 1))
    .map((r) => {
      const sp = spend.has(r.channel) ? cents(spend.get(r.channel) as number) : null;
      return {
        channel: r.channel,
        newCustomers: r.newCustomers,
        customers: r.customers,
        orders: r.orders,
        revenue: cents(r.revenue),
        aov: round(ratio(r.revenue, r.ordersWs)),
        clv: round(ratio(r.revenue, r.customersWs)),
        spend: sp,
        cac: round(sp === null ? null : ratio(sp, r.newCustomers)),
        roi: sp === null ? null : ratio(r.newRevenue - sp, sp),
      };
    });
  return { from: cur.from, to: cur.to, currency: s.currency, items };
}

export async function getCohorts(
  db: Db,
  workspaceId: string,
  q: { from?: string; to?: string; channel?: string },
  now = new Date(),
  opts: { live?: boolean } = {},
) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  const rows = (await fromRollup(db, s, opts))
    ? await rollupCohorts(db, s, cur, q.channel)
    : await repo.cohorts(db, s, cur, q.channel);
  const cohorts: {
    cohort: string;
    size: number;
    periods: { offset: number; customers: number; retention: number; revenue: number }[];
  }[] = [];
  for (const r of rows) {
    let c = cohorts[cohorts.length - 1];
    if (!c || c.cohort !== r.cohort) {
      // Offset 0 holds every member: their first order is in the cohort's month.
      c = { cohort: r.cohort, size: r.offset === 0 ? r.customers : 0, periods: [] };
      cohorts.push(c);
    }
    c.periods.push({ offset: r.offset, customers: r.customers, retention: 0, revenue: cents(r.revenue) });
  }
  for (const c of cohorts) for (const p of c.periods) p.retention = c.size ? p.customers / c.size : 0;
  return { from: cur.from, to: cur.to, currency: s.currency, channel: q.channel ?? null, cohorts };
}

// ── attribution, funnel ──

/** Rounds channel amounts to cents so that they still sum exactly to `total` (largest remainder). */
export function roundToTotal<T extends { revenue: number }>(items: T[], total: number): T[] {
  const totalCents = Math.round(total * 100);
  const raw = items.map((x) => x.revenue * 100);
  const floors = raw.map(Math.floor);
  let left = totalCents - floors.reduce((a, b) => a + b, 0);
  const order = raw.map((v, i) => ({ i, rem: v - Math.floor(v) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  const out = floors.slice();
  for (let k = 0; left > 0 && order.length; k = (k + 1) % order.length, left--)
    out[(order[k] as { i: number }).i]! += 1;
  return items.map((x, i) => ({ ...x, revenue: (out[i] as number) / 100 }));
}

export async function getAttribution(
  db: Db,
  workspaceId: string,
  q: { from?: string; to?: string; model?: AttributionModel; lookbackDays?: number },
  now = new Date(),
) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  const model = q.model ?? 'last_touch';
  const lookbackDays = q.lookbackDays ?? 30;
  const [rev, a] = await Promise.all([
    repo.attributionRevenue(db, s, cur),
    repo.attribution(db, s, cur, model, lookbackDays),
  ]);
  const attributed = cents(a.attributedRevenue);
  const channels = roundToTotal(a.channels, attributed)
    .map((c) => ({ channel: c.channel, revenue: c.revenue, share: attributed ? c.revenue / attributed : 0 }))
    .sort((x, y) => y.revenue - x.revenue || (x.channel < y.channel ? -1 : 1));
  return {
    from: cur.from,
    to: cur.to,
    model,
    lookbackDays,
    halfLifeDays: model === 'time_decay' ? repo.HALF_LIFE_DAYS : null,
    currency: s.currency,
    orderRevenue: cents(rev.orderRevenue),
    attributedRevenue: attributed,
    channels,
  };
}

export async function getFunnel(
  db: Db,
  workspaceId: string,
  q: { from?: string; to?: string; steps: string[]; windowDays?: number },
  now = new Date(),
) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  if (q.steps.length < 2) throw new UserError(400, 'invalid_request', am('two_steps'), 'steps');
  const windowDays = q.windowDays ?? 7;
  const counts = await repo.funnel(db, s, cur, q.steps, windowDays);
  const first = counts[0] ?? 0;
  return {
    from: cur.from,
    to: cur.to,
    windowDays,
    steps: q.steps.map((event, i) => ({
      event,
      customers: counts[i] ?? 0,
      fromPrevious: i === 0 ? (first ? 1 : null) : ratio(counts[i] ?? 0, counts[i - 1] ?? 0),
      fromStart: ratio(counts[i] ?? 0, first),
    })),
  };
}

// ── RFM, lifecycle, value tiers ──

export async function getRfm(db: Db, workspaceId: string, now = new Date()) {
  const s = await scopeOf(db, workspaceId);
  const grid = await repo.rfmGrid(db, s);
  const cells = new Map<RfmCell, { customers: number; revenue: number }>(
    RFM_CELLS.map((k) => [k, { customers: 0, revenue: 0 }]),
  );
  const counts = new Map<string, number>();
  for (const g of grid) {
    const c = cells.get(rfmCellOf(g.r, g.f)) as { customers: number; revenue: number };
    c.customers += g.customers;
    c.revenue += g.revenue;
    counts.set(`${g.r}:${g.f}`, g.customers);
  }
  const fullGrid = [];
  for (let r = 5; r >= 1; r--)
    for (let f = 1; f <= 5; f++)
      fullGrid.push({ r, f, customers: counts.get(`${r}:${f}`) ?? 0, cell: rfmCellOf(r, f) });
  return {
    asOf: now.toISOString(),
    currency: s.currency,
    cells: RFM_CELLS.map((key) => {
      const c = cells.get(key) as { customers: number; revenue: number };
      return { key, customers: c.customers, revenue: cents(c.revenue) };
    }),
    grid: fullGrid,
  };
}

/**
 * A subquery of the ids of the customers in these RFM cells, for other domains' SQL (segments:
 * `{type:'rfm', cell}`), e.g. `c.id in (${rfmMembersSql(ws, ['champions'])})`.
 */
export function rfmMembersSql(workspaceId: string, cells: readonly RfmCell[]) {
  const pairs: [number, number][] = [];
  for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) if (cells.includes(rfmCellOf(r, f))) pairs.push([r, f]);
  return repo.rfmMembersSql(workspaceId, pairs);
}

/**
 * A subquery of the ids of the customers in these lifecycle stages as of `now`, with the workspace's
 * thresholds (segments: `{type:'lifecycle', stage}`).
 */
export async function lifecycleMembersSql(
  db: Db,
  workspaceId: string,
  stages: readonly LifecycleStage[],
  now = new Date(),
) {
  const t = await getThresholds(db, workspaceId, { now });
  return repo.lifecycleMembersSql(workspaceId, t, stages, now);
}

export async function getLifecycle(db: Db, workspaceId: string, now = new Date()) {
  const s = await scopeOf(db, workspaceId);
  const thresholds = await thresholdsOf(db, s, now, false);
  const stages = await repo.lifecycleStages(db, s, thresholds, now);
  return {
    asOf: now.toISOString(),
    thresholds,
    stages: LIFECYCLE_STAGES.map((stage) => ({ stage, customers: stages.get(stage) ?? 0 })),
  };
}

export async function getValueTiers(db: Db, workspaceId: string) {
  const s = await scopeOf(db, workspaceId);
  const tiers = await repo.valueTiers(db, s);
  return {
    currency: s.currency,
    tiers: VALUE_TIERS.map((tier) => {
      const t = tiers.get(tier);
      return {
        tier,
        customers: t?.customers ?? 0,
        revenue: cents(t?.revenue ?? 0),
        minRevenue: t ? cents(t.min) : null,
      };
    }),
  };
}

// ── marketing spend ──

export async function listSpend(db: Db, workspaceId: string, q: { from?: string; to?: string }, now = new Date()) {
  const s = await scopeOf(db, workspaceId);
  const { cur } = resolvePeriod(q, s.tz, now);
  const rows = await repo.listSpend(db, workspaceId, cur);
  return {
    from: cur.from,
    to: cur.to,
    items: rows.map((r) => ({ month: r.month, channel: r.channel, amount: Number(r.amount), currency: r.currency })),
  };
}

/** Records the spend of one channel in one month (replacing what was there), in the workspace currency. */
export async function setSpend(db: Db, workspaceId: string, body: { month: string; channel: string; amount: number }) {
  const s = await scopeOf(db, workspaceId);
  const r = await repo.upsertSpend(db, workspaceId, { ...body, currency: s.currency });
  // CAC and ROI change: KPI sets computed before are out of date.
  await repo.bumpDataVersion(db, workspaceId);
  return { month: r.month, channel: r.channel, amount: Number(r.amount), currency: r.currency };
}

// ── goals ──

export interface GoalBody {
  kpi: KpiKey;
  target: number;
  deadline: string;
  name?: string;
}

/** The KPIs over the default period (the dashboard's set, from its snapshot when there is one). */
async function currentKpis(db: Db, s: Scope, now: Date): Promise<KpiValues> {
  const set = await getKpis(db, s.workspaceId, {}, now);
  return Object.fromEntries(KPI_KEYS.map((k) => [k, set.kpis[k].value])) as KpiValues;
}

/** Progress and pace of a goal (docs/metrics.md). */
export function goalProgress(
  g: { target: number; baseline: number | null; deadline: string; createdAt: Date },
  current: number | null,
  now: Date,
) {
  let progress = 0;
  if (current !== null && g.baseline !== null) {
    const span = g.target - g.baseline;
    progress = span === 0 ? 1 : Math.min(1, Math.max(0, (current - g.baseline) / span));
  }
  const end = toDay(g.deadline) + DAY_MS;
  const elapsed = Math.min(
    1,
    Math.max(0, (now.getTime() - g.createdAt.getTime()) / Math.max(1, end - g.createdAt.getTime())),
  );
  const onTrack = current !== null && (now.getTime() >= end ? progress >= 1 : progress >= elapsed);
  return { progress, onTrack };
}

function goalView(g: repo.GoalRow, current: number | null, now: Date) {
  const p = goalProgress(
    { target: g.target, baseline: g.baseline, deadline: g.deadline, createdAt: g.created_at },
    current,
    now,
  );
  return {
    id: g.id,
    name: g.name,
    kpi: g.kpi as KpiKey,
    target: g.target,
    deadline: g.deadline,
    baseline: g.baseline,
    current,
    progress: p.progress,
    onTrack: p.onTrack,
    createdAt: g.created_at.toISOString(),
  };
}

const defaultGoalName = (kpi: string, target: number, deadline: string) => `${kpi} ${target} by ${deadline}`;

export async function listGoals(db: Db, workspaceId: string, now = new Date()) {
  const s = await scopeOf(db, workspaceId);
  const rows = await repo.listGoals(db, workspaceId);
  const kpis = rows.length ? await currentKpis(db, s, now) : null;
  return { items: rows.map((g) => goalView(g, kpis?.[g.kpi as KpiKey] ?? null, now)) };
}

export async function createGoal(db: Db, workspaceId: string, body: GoalBody, now = new Date()) {
  const s = await scopeOf(db, workspaceId);
  const deadline = checkDate(body.deadline, 'deadline') as string;
  if (deadline < localToday(s.tz, now)) {
    throw new UserError(400, 'invalid_request', am('deadline_past'), 'deadline');
  }
  const kpis = await currentKpis(db, s, now);
  const g = await repo.insertGoal(db, {
    id: newId('gol'),
    workspaceId,
    name: body.name?.trim() || defaultGoalName(body.kpi, body.target, deadline),
    kpi: body.kpi,
    target: body.target,
    deadline,
    baseline: kpis[body.kpi],
    createdAt: now,
  });
  return goalView(g, kpis[body.kpi], now);
}

export async function updateGoal(
  db: Db,
  workspaceId: string,
  id: string,
  body: { name?: string; target?: number; deadline?: string },
  now = new Date(),
) {
  const s = await scopeOf(db, workspaceId);
  const deadline = checkDate(body.deadline, 'deadline');
  const g = await repo.updateGoal(db, workspaceId, id, {
    name: body.name?.trim() || undefined,
    target: body.target,
    deadline,
  });
  if (!g) throw new NotFoundError(am('goal_not_found'));
  const kpis = await currentKpis(db, s, now);
  return goalView(g, kpis[g.kpi as KpiKey], now);
}

export async function deleteGoal(db: Db, workspaceId: string, id: string) {
  if (!(await repo.deleteGoal(db, workspaceId, id))) throw new NotFoundError(am('goal_not_found'));
}
