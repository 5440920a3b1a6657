/**
 * The KPI rollup (ADR 0010), kept current: subjects (customers, guest orders) whose orders or
 * events changed are marked in the writing transaction; `drain` takes marked subjects, subtracts
 * what they contributed and adds what they contribute now, in one transaction per chunk. A
 * workspace's rollup is (re)built from scratch the same way when it has none yet or when its time
 * zone or currency changed. `rollupInputs` reads a period's KPI inputs back.
 */
import { type Db, refreshStatistics, StatisticsKeeper } from '../platform/db.js';
import type { OrderAggregates, Range, Scope } from './repository.js';
import { DayKind, Deltas, dayOf, monthOf, PairKind, pairRects, type SubjectFacts } from './rollup.js';
import * as rr from './rollup-repository.js';

/** Subjects rolled up per transaction: more while a rollup is built (cells are shared by more of them). */
export const DRAIN_CHUNK = 2000;
export const BUILD_CHUNK = 10_000;
/** A read with at most `inlineDrain` marked subjects rolls them up first, so it sees every write. */
export const rollupSettings = {
  inlineDrain: 2000,
  /** A build of at least this many subjects refreshes the planner's statistics when it ends. */
  statsAfterBuild: 1000,
};

/** Someone to run the drain soon (the job queue), set by `registerAnalyticsJobs`. */
let scheduler: ((workspaceId: string) => Promise<void>) | undefined;
export function setRollupScheduler(f: ((workspaceId: string) => Promise<void>) | undefined) {
  scheduler = f;
}

/**
 * The workspace's rollup matches its time zone and currency, or is restarted (emptied, every
 * subject marked). Returns its state.
 */
export async function ensureRollup(db: Db, s: Scope): Promise<rr.RollupState> {
  const state = await rr.findState(db, s.workspaceId);
  if (state && state.timezone === s.tz && state.currency === s.currency) return state;
  const fresh = await db.transaction().execute(async (tx) => {
    await rr.lockWorkspace(tx, s.workspaceId);
    const again = await rr.findState(tx, s.workspaceId, 'update');
    if (again && again.timezone === s.tz && again.currency === s.currency) return again;
    await rr.resetRollup(tx, s.workspaceId, s.tz, s.currency);
    return (await rr.findState(tx, s.workspaceId)) as rr.RollupState;
  });
  await scheduler?.(s.workspaceId);
  return fresh;
}

const same = (a: SubjectFacts, b: SubjectFacts) =>
  a.c === b.c &&
  !!a.g === !!b.g &&
  JSON.stringify(a.o) === JSON.stringify(b.o) &&
  JSON.stringify(a.a) === JSON.stringify(b.a);

/** Rolls up one chunk of marked subjects; how many it took (0: none left). */
export async function drainChunk(db: Db, s: Scope, limit = DRAIN_CHUNK): Promise<number> {
  return db.transaction().execute(async (tx) => {
    // Shared: a restart of the rollup (which empties it) waits for this chunk, and vice versa.
    const state = await rr.findState(tx, s.workspaceId, 'share');
    if (!state) return 0;
    const subjects = await rr.claimDirty(tx, s.workspaceId, limit);
    if (!subjects.length) return 0;
    const [before, now] = await Promise.all([
      rr.storedFacts(tx, s.workspaceId, subjects),
      rr.currentFacts(tx, s.workspaceId, state.timezone, state.currency, subjects),
    ]);
    const deltas = new Deltas();
    const save = new Map<string, SubjectFacts | null>();
    for (const subject of subjects) {
      const old = before.get(subject);
      const cur = now.get(subject);
      const empty = !cur || (cur.o.length === 0 && cur.a.length === 0);
      if (old && cur && same(old, cur)) continue;
      if (old) deltas.add(old, -1);
      if (!empty) deltas.add(cur, 1);
      if (old || !empty) save.set(subject, empty ? null : cur);
    }
    const { days, pairs } = deltas.changed();
    await rr.applyDeltas(tx, s.workspaceId, days, pairs);
    await rr.saveFacts(tx, s.workspaceId, save);
    return subjects.length;
  });
}

/**
 * Rolls up marked subjects until none is left (or `maxChunks`); marks the rollup ready once
 * nothing is left. Returns how many subjects it took.
 */
export async function drain(
  db: Db,
  s: Scope,
  opts: { maxChunks?: number; signal?: AbortSignal; onChunk?: (n: number) => Promise<void> | void } = {},
) {
  let total = 0;
  const building = !(await rr.findState(db, s.workspaceId))?.ready;
  const limit = building && opts.maxChunks === undefined ? BUILD_CHUNK : DRAIN_CHUNK;
  for (let i = 0; opts.maxChunks === undefined || i < opts.maxChunks; i++) {
    if (opts.signal?.aborted) return total;
    const n = await drainChunk(db, s, limit);
    total += n;
    if (n) await opts.onChunk?.(total);
    if (n < limit) break;
  }
  const finished = (await rr.countDirty(db, s.workspaceId, 0)) === 0;
  if (finished) await rr.markReady(db, s.workspaceId);
  // The planner must know the cells' size (PGlite has no autovacuum, and a build fills them from
  // nothing; without statistics a read scans them all): after a build, and as drains add up.
  if ((building && finished && total >= rollupSettings.statsAfterBuild) || keeper.note(total))
    await refreshStatistics(db);
  return total;
}

const keeper = new StatisticsKeeper(20_000);

/** Whether KPIs can be read from the rollup, and how many subjects wait to be rolled up. */
export async function rollupStatus(db: Db, s: Scope): Promise<{ ready: boolean; pending: number }> {
  await ensureRollup(db, s);
  const limit = rollupSettings.inlineDrain;
  let pending = await rr.countDirty(db, s.workspaceId, Math.max(limit, 1));
  if (pending > 0 && pending <= limit) {
    await drain(db, s, { maxChunks: 1 });
    pending = await rr.countDirty(db, s.workspaceId, limit);
  }
  if (pending === 0) await rr.markReady(db, s.workspaceId); // (nothing was left to build)
  const state = await rr.findState(db, s.workspaceId);
  return { ready: !!state?.ready, pending };
}

export interface PeriodRollup {
  /** The same figures as the live `repository.orderAggregates`. */
  aggregates: OrderAggregates;
  /** Identified customers' workspace-currency orders. */
  identifiedOrdersWs: number;
  fresh: { n: number; revenue: number };
  retention: { base: number; kept: number };
  engagement: { active: number; activeDays: number; events: number; buyers: number };
  otherCurrency: { orders: number; currencies: string[] };
}

/** The last 30 local days of a period, where the engagement score looks. */
const ENGAGEMENT_DAYS = 30;

/**
 * The KPI inputs of each period from the rollup (docs/metrics.md, read as in rollup.ts), for
 * every customer or only those acquired through `channel`; with `byChannel`, per acquisition
 * channel ('' holds guest orders).
 */
export async function rollupInputs(
  db: Db,
  s: Scope,
  periods: Range[],
  lapsedDays: number,
  opts: { channel?: string; byChannel?: boolean } = {},
): Promise<Map<string, PeriodRollup>[]> {
  const days: rr.DaySpan[] = [];
  const pairs: rr.PairSpan[] = [];
  periods.forEach((p, i) => {
    const a = dayOf(p.from);
    const b = dayOf(p.to);
    const w = b + 1 - ENGAGEMENT_DAYS;
    const base = a - lapsedDays;
    const span = (id: string, kind: number, lo: number, hi: number) => days.push({ id: `${i}:${id}`, kind, lo, hi });
    const pair = (id: string, kind: number, lo: number, hi: number) =>
      pairs.push({ id: `${i}:${id}`, kind, rects: pairRects(lo, hi) });
    span('orders', DayKind.orders, a, b);
    span('ordersWs', DayKind.ordersWs, a, b);
    span('idOrders', DayKind.idOrders, a, b);
    span('idOrdersWs', DayKind.idOrdersWs, a, b);
    span('first', DayKind.first, a, b);
    span('other', DayKind.other, a, b);
    span('baseOrders', DayKind.idOrders, base, a - 1);
    span('active', DayKind.active, w, b);
    span('buyOrders', DayKind.idOrders, w, b);
    pair('n1', PairKind.next1, a, b);
    pair('n2', PairKind.next2, a, b);
    pair('n1Ws', PairKind.next1Ws, a, b);
    pair('firstRevenue', PairKind.firstRevenue, a, b);
    pair('baseN1', PairKind.next1, base, a - 1);
    pair('spanN1', PairKind.next1, base, b);
    pair('activeN1', PairKind.nextActive, w, b);
    pair('buyN1', PairKind.next1, w, b);
  });
  const rows = await rr.sums(db, s.workspaceId, days, pairs, opts);
  const by = new Map<string, Map<string, { n: number; amount: number; keys: Map<string, number> }>>();
  for (const r of rows) {
    const m = by.get(r.channel) ?? new Map<string, { n: number; amount: number; keys: Map<string, number> }>();
    by.set(r.channel, m);
    const x = m.get(r.id) ?? { n: 0, amount: 0, keys: new Map<string, number>() };
    x.n += r.n;
    x.amount += r.amount;
    if (r.key) x.keys.set(r.key, (x.keys.get(r.key) ?? 0) + r.n);
    m.set(r.id, x);
  }
  const channels = opts.byChannel ? [...by.keys()] : [''];
  return periods.map((_p, i) => {
    const out = new Map<string, PeriodRollup>();
    for (const ch of channels) {
      const m = by.get(ch);
      const n = (id: string) => m?.get(`${i}:${id}`)?.n ?? 0;
      const cents = (id: string) => m?.get(`${i}:${id}`)?.amount ?? 0;
      const money = (id: string) => cents(id) / 100;
      const other = [...(m?.get(`${i}:other`)?.keys ?? new Map<string, number>())].filter(([, v]) => v > 0);
      out.set(ch, {
        aggregates: {
          orders: n('orders'),
          ordersWs: n('ordersWs'),
          revenue: money('ordersWs'),
          customers: n('idOrders') - n('n1'),
          customersWs: n('idOrdersWs') - n('n1Ws'),
          repeaters: n('n1') - n('n2'),
          identifiedOrders: n('idOrders'),
          identifiedRevenue: money('idOrdersWs'),
          newRevenue: money('firstRevenue'),
        },
        identifiedOrdersWs: n('idOrdersWs'),
        fresh: { n: n('first'), revenue: money('firstRevenue') },
        retention: {
          base: n('baseOrders') - n('baseN1'),
          kept: n('spanN1') - n('baseN1') - n('n1'),
        },
        engagement: {
          active: n('active') - n('activeN1'),
          activeDays: n('active'),
          events: cents('active'),
          buyers: n('buyOrders') - n('buyN1'),
        },
        otherCurrency: {
          orders: other.reduce((t, [, v]) => t + v, 0),
          currencies: other.map(([k]) => k).sort(),
        },
      });
    }
    return out;
  });
}

/** Revenue and orders per day, week or month and order channel (as `repository.revenueSeries`). */
export function rollupSeries(db: Db, s: Scope, range: Range, interval: 'day' | 'week' | 'month') {
  return rr.seriesSums(db, s.workspaceId, dayOf(range.from), dayOf(range.to), interval, DayKind.orderChannel);
}

/** Cohorts of the months that overlap the period (as `repository.cohorts`). */
export function rollupCohorts(db: Db, s: Scope, range: Range, channel?: string) {
  return rr.cohortSums(
    db,
    s.workspaceId,
    monthOf(dayOf(range.from)),
    dayOf(range.to),
    { members: PairKind.cohortMonth, revenue: PairKind.cohortRevenue },
    channel,
  );
}
