/**
 * The KPI rollup (ADR 0010), the arithmetic: what one subject (a customer, or a guest order)
 * contributes, and how a period's KPI inputs are read back from the sums. No SQL here.
 *
 * Every per-customer figure of docs/metrics.md over a period [a, b] (local days) is a distinct
 * count, which no per-day sum can give. But each is a difference of two counts over a customer's
 * ordered list of orders: with k = the customer's orders in [a, b], and `next(o)` / `next2(o)` the
 * customer's order after o / after that,
 *
 *   Σ k              = #{o : a ≤ day(o) ≤ b}                 (a per-day sum)
 *   Σ max(k − 1, 0)  = #{o : day(o) ≥ a, day(next(o)) ≤ b}    (pairs inside the period)
 *   Σ max(k − 2, 0)  = #{o : day(o) ≥ a, day(next2(o)) ≤ b}
 *
 * so customers with an order = Σk − Σ(k−1)⁺ and customers with two or more = Σ(k−1)⁺ − Σ(k−2)⁺.
 * The same holds for the workspace-currency orders, for active days (engagement), and retention
 * is three such pair counts. A pair count "d ≥ lo and n ≤ hi" (n ≥ d always) is kept at four
 * grains — day×day, day×month, month×day, month×month — so that it is four small rectangles:
 * day-level only inside the first and the last month of the period.
 */

export const DAY_MS = 86_400_000;

/** Per-day kinds (`analytics_rollup_days.kind`). */
export const DayKind = {
  /** Counted orders, any currency, guests included. */
  orders: 1,
  /** Workspace-currency orders, guests included; amount = net value. */
  ordersWs: 2,
  /** Identified customers' orders, any currency. */
  idOrders: 3,
  /** Identified customers' workspace-currency orders; amount = net value. */
  idOrdersWs: 4,
  /** Customers' first counted orders (new customers). */
  first: 5,
  /** Orders in another currency (key = the currency), guests included. */
  other: 6,
  /** Identified customers' active days (n = customer-days; amount = their events). */
  active: 7,
  /** Counted orders by order channel (key), any currency, guests included; amount = workspace-currency net value. */
  orderChannel: 8,
} as const;

/** Pair kinds (`analytics_rollup_pairs.kind`): (day of an item, day of a later item). */
export const PairKind = {
  /** (order, the customer's next order). */
  next1: 11,
  /** (order, the customer's order after the next). */
  next2: 12,
  /** (workspace-currency order, the next workspace-currency order). */
  next1Ws: 13,
  /** (the customer's first order, a workspace-currency order); amount = its net value. */
  firstRevenue: 14,
  /** (active day, the customer's next active day). */
  nextActive: 15,
  /** Cohorts, day grain only: (month of the first order, the customer's first order day in a month). */
  cohortMonth: 16,
  /** Cohorts, day grain only: (month of the first order, order day); amount = workspace-currency net value. */
  cohortRevenue: 17,
} as const;

/** Grains of a pair cell: whether d and n are days or the first day of their month. */
export const Grain = { dd: 0, dm: 1, md: 2, mm: 3 } as const;

/** What one subject is made of: its counted orders in time order and its active days. */
export interface SubjectFacts {
  /** Acquisition channel ('unknown' when none), '' for a guest order. */
  c: string;
  /** A guest order (no customer): counts in the order totals only. */
  g?: 1;
  /** Counted orders in time order: [local day, 1 if workspace currency, net in cents, other currency or null, order channel]. */
  o: [number, 0 | 1, number, string | null, string][];
  /** Active days in order: [local day, events that day]. */
  a: [number, number][];
}

export interface DayDelta {
  kind: number;
  day: number;
  key: string;
  channel: string;
  n: number;
  amount: number;
}
export interface PairDelta {
  kind: number;
  grain: number;
  d: number;
  n: number;
  channel: string;
  count: number;
  amount: number;
}

// Day → first day of its month, remembered (called for every cell of every subject).
const months = new Map<number, number>();
/** The first day of the month of local day `d`. */
export function monthOf(d: number): number {
  let m = months.get(d);
  if (m === undefined) {
    const t = new Date(d * DAY_MS);
    m = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1) / DAY_MS;
    if (months.size < 100_000) months.set(d, m);
  }
  return m;
}
/** The first day of the month after the month of `d`. */
export function nextMonthOf(d: number): number {
  const t = new Date(monthOf(d) * DAY_MS);
  return Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1) / DAY_MS;
}
/** A local date (YYYY-MM-DD) as a day number. */
export const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** Sums deltas by cell, with `sign` (+1 adding a contribution, −1 taking it away). */
export class Deltas {
  readonly days = new Map<string, DayDelta>();
  readonly pairs = new Map<string, PairDelta>();

  day(kind: number, day: number, channel: string, n: number, amount: number, key = '') {
    const k = `${kind}|${day}|${key}|${channel}`;
    const x = this.days.get(k);
    if (x) {
      x.n += n;
      x.amount += amount;
    } else this.days.set(k, { kind, day, key, channel, n, amount });
  }

  /** One cell of one grain. */
  cell(kind: number, grain: number, d: number, n: number, channel: string, count: number, amount: number) {
    const k = `${kind}|${grain}|${d}|${n}|${channel}`;
    const c = this.pairs.get(k);
    if (c) {
      c.count += count;
      c.amount += amount;
    } else this.pairs.set(k, { kind, grain, d, n, channel, count, amount });
  }

  pair(kind: number, d: number, n: number, channel: string, count: number, amount: number) {
    const md = monthOf(d);
    const mn = monthOf(n);
    for (const [grain, x, y] of [
      [Grain.dd, d, n],
      [Grain.dm, d, mn],
      [Grain.md, md, n],
      [Grain.mm, md, mn],
    ] as const)
      this.cell(kind, grain, x, y, channel, count, amount);
  }

  /** Adds (sign 1) or takes away (sign −1) everything `f` contributes. */
  add(f: SubjectFacts, sign: 1 | -1) {
    const ch = f.c;
    const orders = f.o;
    for (const [day, ws, net, cur, orderChannel] of orders) {
      this.day(DayKind.orders, day, ch, sign, 0);
      this.day(DayKind.orderChannel, day, ch, sign, ws ? sign * net : 0, orderChannel);
      if (ws) this.day(DayKind.ordersWs, day, ch, sign, sign * net);
      else this.day(DayKind.other, day, ch, sign, 0, cur ?? '');
    }
    if (f.g) return;
    const wsDays: number[] = [];
    const first = orders[0]?.[0];
    const cohort = first === undefined ? 0 : monthOf(first);
    let month = -1;
    for (let i = 0; i < orders.length; i++) {
      const [day, ws, net] = orders[i] as SubjectFacts['o'][number];
      this.day(DayKind.idOrders, day, ch, sign, 0);
      // Cohorts: the first order of each month, and every order's value.
      if (monthOf(day) !== month) {
        month = monthOf(day);
        this.cell(PairKind.cohortMonth, Grain.dd, cohort, day, ch, sign, 0);
      }
      if (ws && net !== 0) this.cell(PairKind.cohortRevenue, Grain.dd, cohort, day, ch, 0, sign * net);
      const n1 = orders[i + 1];
      if (n1) this.pair(PairKind.next1, day, n1[0], ch, sign, 0);
      const n2 = orders[i + 2];
      if (n2) this.pair(PairKind.next2, day, n2[0], ch, sign, 0);
      if (ws) {
        this.day(DayKind.idOrdersWs, day, ch, sign, sign * net);
        wsDays.push(day);
        this.pair(PairKind.firstRevenue, first as number, day, ch, 0, sign * net);
      }
    }
    for (let i = 0; i + 1 < wsDays.length; i++)
      this.pair(PairKind.next1Ws, wsDays[i] as number, wsDays[i + 1] as number, ch, sign, 0);
    if (first !== undefined) this.day(DayKind.first, first, ch, sign, 0);
    const active = f.a;
    for (let i = 0; i < active.length; i++) {
      const [day, events] = active[i] as [number, number];
      this.day(DayKind.active, day, ch, sign, sign * events);
      const next = active[i + 1];
      if (next) this.pair(PairKind.nextActive, day, next[0], ch, sign, 0);
    }
  }

  /** The cells that change, sorted (so that concurrent writers lock them in one order). */
  changed() {
    const days = [...this.days.entries()]
      .filter(([, x]) => x.n !== 0 || x.amount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, x]) => x);
    const pairs = [...this.pairs.entries()]
      .filter(([, x]) => x.count !== 0 || x.amount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, x]) => x);
    return { days, pairs };
  }
}

/** A rectangle of pair cells of one grain: d in [dLo, dHi], n in [nLo, nHi]. */
export interface Rect {
  grain: number;
  dLo: number;
  dHi: number;
  nLo: number;
  nHi: number;
}
const MIN = -2_147_483_648;

/**
 * The rectangles whose cells count every pair with d ≥ lo and n ≤ hi (pairs have d ≤ n), each
 * exactly once: day-level d only in lo's month, day-level n only in hi's month.
 */
export function pairRects(lo: number, hi: number): Rect[] {
  if (lo > hi) return [];
  const mlo = monthOf(lo);
  const mhi = monthOf(hi);
  if (mlo === mhi) return [{ grain: Grain.dd, dLo: lo, dHi: hi, nLo: lo, nHi: hi }];
  const endLo = nextMonthOf(lo) - 1;
  return [
    // d in lo's month: n in an earlier month than hi's, or in hi's month up to hi.
    { grain: Grain.dm, dLo: lo, dHi: endLo, nLo: MIN, nHi: mhi - 1 },
    { grain: Grain.dd, dLo: lo, dHi: endLo, nLo: mhi, nHi: hi },
    // d in the months between: likewise, at month grain.
    { grain: Grain.mm, dLo: mlo + 1, dHi: mhi - 1, nLo: MIN, nHi: mhi - 1 },
    // … and d in hi's month too (then n is in it as well).
    { grain: Grain.md, dLo: mlo + 1, dHi: mhi, nLo: mhi, nHi: hi },
  ];
}

/**
 * The values d takes in a rectangle's cells: every day for day grains, the first day of each
 * month for month grains (so that a read seeks each d in the index instead of scanning a range).
 */
export function rectDs(r: Rect): number[] {
  const out: number[] = [];
  if (r.grain === Grain.dd || r.grain === Grain.dm) {
    for (let d = r.dLo; d <= r.dHi; d++) out.push(d);
    return out;
  }
  for (let m = monthOf(r.dLo) < r.dLo ? nextMonthOf(r.dLo) : r.dLo; m <= r.dHi; m = nextMonthOf(m)) out.push(m);
  return out;
}
