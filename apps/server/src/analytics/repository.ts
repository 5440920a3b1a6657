/**
 * The only SQL of analytics. It reads commerce's `orders`, customers' `customers` (their order
 * facts and acquisition channel) and ingest's `events`, and owns `marketing_spend`, `goals` and
 * `analytics_settings`. Every query filters by workspace. Aggregation happens here, in SQL; the
 * definitions are docs/metrics.md.
 *
 * Times: `Scope.tz` is the workspace's time zone; period bounds are local dates turned into
 * instants in SQL (`at(date)`), so "a day" and "a month" are the business's own.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../platform/db.js';

export interface Scope {
  workspaceId: string;
  currency: string;
  tz: string;
}
/** A period of local dates, both included (`to` inclusive). */
export interface Range {
  from: string;
  to: string;
}

/** The instant local `date` (YYYY-MM-DD) starts in the workspace's time zone, plus `days`. */
const at = (s: Scope, date: string, days = 0) =>
  sql<Date>`((${date}::date + ${days}::int)::timestamp at time zone ${s.tz})`;
const endOf = (s: Scope, r: Range) => at(s, r.to, 1);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const net = sql`(o.total - o.refunded_amount)`;
/** Orders of customers acquired through `channel` (none: every order, guests included). */
const channelJoin = (s: Scope, channel: string | undefined) =>
  channel === undefined
    ? sql``
    : sql`join customers c on c.id = o.customer_id and c.workspace_id = ${s.workspaceId} and coalesce(c.acquisition_channel, 'unknown') = ${channel}`;

// ── KPIs ──

export interface OrderAggregates {
  orders: number;
  ordersWs: number;
  revenue: number;
  customers: number;
  customersWs: number;
  repeaters: number;
  identifiedOrders: number;
  identifiedRevenue: number;
  newRevenue: number;
}

/** Order aggregates of the current and previous periods in one pass over their orders. */
export async function orderAggregates(db: Db, s: Scope, cur: Range, prev: Range, channel?: string) {
  const r = await sql<{
    cur: boolean;
    orders: number;
    orders_ws: number;
    revenue: string | null;
    customers: number;
    customers_ws: number;
    repeaters: number;
    identified_orders: number;
    identified_revenue: string | null;
    new_revenue: string | null;
  }>`
    with per as (
      select o.customer_id, o.placed_at >= ${at(s, cur.from)} as cur, count(*) as n,
             count(*) filter (where o.currency = ${s.currency}) as nw,
             coalesce(sum(${net}) filter (where o.currency = ${s.currency}), 0) as rev
      from orders o ${channelJoin(s, channel)}
      where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null
        and o.placed_at >= ${at(s, prev.from)} and o.placed_at < ${endOf(s, cur)}
        and (o.placed_at < ${endOf(s, prev)} or o.placed_at >= ${at(s, cur.from)})
      group by o.customer_id, 2
    )
    select cur, sum(n)::int as orders, sum(nw)::int as orders_ws, sum(rev)::text as revenue,
           (count(*) filter (where customer_id is not null))::int as customers,
           (count(*) filter (where customer_id is not null and nw > 0))::int as customers_ws,
           (count(*) filter (where customer_id is not null and n >= 2))::int as repeaters,
           coalesce(sum(n) filter (where customer_id is not null), 0)::int as identified_orders,
           coalesce(sum(rev) filter (where customer_id is not null), 0)::text as identified_revenue,
           -- Customers acquired in the period (first order in it): their revenue in it.
           coalesce(sum(rev) filter (where c.first_order_at >= case when cur then ${at(s, cur.from)} else ${at(s, prev.from)} end), 0)::text
             as new_revenue
    from per left join customers c on c.id = per.customer_id and c.workspace_id = ${s.workspaceId}
    group by cur`.execute(db);
  const empty: OrderAggregates = {
    orders: 0,
    ordersWs: 0,
    revenue: 0,
    customers: 0,
    customersWs: 0,
    repeaters: 0,
    identifiedOrders: 0,
    identifiedRevenue: 0,
    newRevenue: 0,
  };
  const out = { cur: { ...empty }, prev: { ...empty } };
  for (const x of r.rows) {
    out[x.cur ? 'cur' : 'prev'] = {
      orders: Number(x.orders),
      ordersWs: Number(x.orders_ws),
      revenue: Number(x.revenue ?? 0),
      customers: Number(x.customers),
      customersWs: Number(x.customers_ws),
      repeaters: Number(x.repeaters),
      identifiedOrders: Number(x.identified_orders),
      identifiedRevenue: Number(x.identified_revenue ?? 0),
      newRevenue: Number(x.new_revenue ?? 0),
    };
  }
  return out;
}

/** Orders of the period in currencies other than the workspace's: left out of the money metrics. */
export async function otherCurrencyOrders(db: Db, s: Scope, range: Range, channel?: string) {
  const r = await sql<{ currency: string; n: number }>`
    select o.currency, count(*)::int as n from orders o ${channelJoin(s, channel)}
    where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.currency <> ${s.currency}
      and o.placed_at >= ${at(s, range.from)} and o.placed_at < ${endOf(s, range)}
    group by o.currency order by o.currency`.execute(db);
  return { orders: r.rows.reduce((a, x) => a + Number(x.n), 0), currencies: r.rows.map((x) => x.currency) };
}

/** Customers acquired (first counted order) in each period. */
export async function newCustomers(db: Db, s: Scope, cur: Range, prev: Range, channel?: string) {
  const chan = channel === undefined ? sql`` : sql`and coalesce(c.acquisition_channel, 'unknown') = ${channel}`;
  const r = await sql<{ cur: boolean; n: number }>`
    select c.first_order_at >= ${at(s, cur.from)} as cur, count(*)::int as n from customers c
    where c.workspace_id = ${s.workspaceId} and c.merged_into is null
      and c.first_order_at >= ${at(s, prev.from)} and c.first_order_at < ${endOf(s, cur)}
      and (c.first_order_at < ${endOf(s, prev)} or c.first_order_at >= ${at(s, cur.from)}) ${chan}
    group by 1`.execute(db);
  const out = { cur: 0, prev: 0 };
  for (const x of r.rows) out[x.cur ? 'cur' : 'prev'] = Number(x.n);
  return out;
}

/** Of the customers active at the period's start (an order in the `lapsedDays` before it), how many ordered in it. */
export async function retention(db: Db, s: Scope, range: Range, lapsedDays: number, channel?: string) {
  const start = at(s, range.from);
  const r = await sql<{ base: number; kept: number }>`
    select count(*)::int as base, (count(*) filter (where kept))::int as kept from (
      select o.customer_id, bool_or(o.placed_at < ${start}) as was, bool_or(o.placed_at >= ${start}) as kept
      from orders o ${channelJoin(s, channel)}
      where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.customer_id is not null
        and o.placed_at >= ${at(s, range.from, -lapsedDays)} and o.placed_at < ${endOf(s, range)}
      group by o.customer_id
    ) x where was`.execute(db);
  return { base: Number(r.rows[0]?.base ?? 0), kept: Number(r.rows[0]?.kept ?? 0) };
}

/** Marketing spend in a period, months partly inside it pro rata by days; per channel. */
export async function spendByChannel(db: Db, s: Scope, range: Range) {
  const r = await sql<{ channel: string; amount: string }>`
    select channel, sum(amount * greatest(0,
             least((month + interval '1 month')::date, ${range.to}::date + 1) - greatest(month, ${range.from}::date))
           / ((month + interval '1 month')::date - month)::numeric)::text as amount
    from marketing_spend
    where workspace_id = ${s.workspaceId} and currency = ${s.currency}
      and month <= ${range.to}::date and (month + interval '1 month')::date > ${range.from}::date
    group by channel`.execute(db);
  return new Map(r.rows.map((x) => [x.channel, Number(x.amount)]));
}

export interface Engagement {
  active: number;
  activeDays: number;
  events: number;
  buyers: number;
}
/** The last 30 local days of a period, where the engagement score looks. */
export const ENGAGEMENT_DAYS = 30;

/** The engagement score's inputs (docs/metrics.md) over the last 30 days of the period. */
export async function engagement(db: Db, s: Scope, range: Range, channel?: string): Promise<Engagement> {
  const end = endOf(s, range);
  const start = at(s, range.to, 1 - ENGAGEMENT_DAYS);
  const chan = (alias: string) =>
    channel === undefined
      ? sql``
      : sql`join customers c on c.id = ${sql.ref(`${alias}.customer_id`)} and c.workspace_id = ${s.workspaceId} and coalesce(c.acquisition_channel, 'unknown') = ${channel}`;
  const r = await sql<{ active: number; active_days: number; events: number; buyers: number }>`
    with e as (
      select e.customer_id, count(*) as n, count(distinct (e.timestamp at time zone ${s.tz})::date) as d
      from events e ${chan('e')}
      where e.workspace_id = ${s.workspaceId} and e.customer_id is not null
        and e.timestamp >= ${start} and e.timestamp < ${end}
      group by e.customer_id
    )
    select count(*)::int as active, coalesce(sum(d), 0)::int as active_days, coalesce(sum(n), 0)::int as events,
      (select count(distinct o.customer_id) from orders o ${chan('o')}
       where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.customer_id is not null
         and o.placed_at >= ${start} and o.placed_at < ${end})::int as buyers
    from e`.execute(db);
  const x = r.rows[0];
  return {
    active: Number(x?.active ?? 0),
    activeDays: Number(x?.active_days ?? 0),
    events: Number(x?.events ?? 0),
    buyers: Number(x?.buyers ?? 0),
  };
}

// ── KPI snapshots (ADR 0009) ──

/** Marks the workspace's orders or events as changed: KPI snapshots computed before are out of date. */
export async function bumpDataVersion(db: Db, workspaceId: string) {
  await sql`
    insert into analytics_settings (workspace_id, data_version) values (${workspaceId}, 1)
    on conflict (workspace_id) do update set data_version = analytics_settings.data_version + 1`.execute(db);
}

/** The workspace's data version (see `bumpDataVersion`). */
export async function dataVersion(db: Db, workspaceId: string): Promise<number> {
  const r = await sql<{ v: number }>`
    select data_version::float8 as v from analytics_settings where workspace_id = ${workspaceId}`.execute(db);
  return Number(r.rows[0]?.v ?? 0);
}

export interface SnapshotRow {
  currency: string;
  timezone: string;
  data_version: number;
  computed_at: Date;
  result: unknown;
}

export async function findSnapshot(db: Db, workspaceId: string, range: Range, channel: string) {
  const r = await sql<SnapshotRow>`
    select currency, timezone, data_version::float8 as data_version, computed_at, result from analytics_kpi_snapshots
    where workspace_id = ${workspaceId} and period_from = ${range.from}::date and period_to = ${range.to}::date
      and channel = ${channel}`.execute(db);
  return r.rows[0] ?? null;
}

/** Stores a KPI set computed at `version`; snapshots of periods not asked for in a day are dropped. */
export async function saveSnapshot(
  db: Db,
  workspaceId: string,
  range: Range,
  channel: string,
  v: { currency: string; timezone: string; version: number; computedAt: Date; result: unknown },
) {
  await sql`
    delete from analytics_kpi_snapshots
    where workspace_id = ${workspaceId} and computed_at < ${v.computedAt}::timestamptz - interval '1 day'`.execute(db);
  await sql`
    insert into analytics_kpi_snapshots (workspace_id, period_from, period_to, channel, currency, timezone, data_version, computed_at, result)
    values (${workspaceId}, ${range.from}::date, ${range.to}::date, ${channel}, ${v.currency}, ${v.timezone}, ${v.version},
            ${v.computedAt}, ${JSON.stringify(v.result)}::jsonb)
    on conflict (workspace_id, period_from, period_to, channel) do update set currency = excluded.currency,
      timezone = excluded.timezone, data_version = excluded.data_version, computed_at = excluded.computed_at,
      result = excluded.result
    where analytics_kpi_snapshots.data_version <= excluded.data_version`.execute(db);
}

// ── series, channels, cohorts ──

export async function revenueSeries(db: Db, s: Scope, range: Range, interval: 'day' | 'week' | 'month') {
  const r = await sql<{ period: string; channel: string; revenue: string; orders: number }>`
    select to_char(date_trunc(${interval}, o.placed_at at time zone ${s.tz}), 'YYYY-MM-DD') as period, o.channel,
           coalesce(sum(${net}) filter (where o.currency = ${s.currency}), 0)::text as revenue, count(*)::int as orders
    from orders o
    where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null
      and o.placed_at >= ${at(s, range.from)} and o.placed_at < ${endOf(s, range)}
    group by 1, 2 order by 1, 2`.execute(db);
  return r.rows.map((x) => ({
    period: x.period,
    channel: x.channel,
    revenue: Number(x.revenue),
    orders: Number(x.orders),
  }));
}

/** Per acquisition channel: customers, orders and revenue of the period, and who was acquired in it. */
export async function channelAggregates(db: Db, s: Scope, range: Range) {
  const start = at(s, range.from);
  const end = endOf(s, range);
  const r = await sql<{
    channel: string;
    customers: number;
    customers_ws: number;
    new_customers: number;
    orders: number;
    orders_ws: number;
    revenue: string;
    new_revenue: string;
  }>`
    with per as (
      select o.customer_id, count(*) as n, count(*) filter (where o.currency = ${s.currency}) as nw,
             coalesce(sum(${net}) filter (where o.currency = ${s.currency}), 0) as rev
      from orders o
      where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.customer_id is not null
        and o.placed_at >= ${start} and o.placed_at < ${end}
      group by o.customer_id
    )
    select coalesce(c.acquisition_channel, 'unknown') as channel, count(*)::int as customers,
           (count(*) filter (where per.nw > 0))::int as customers_ws,
           (count(*) filter (where c.first_order_at >= ${start}))::int as new_customers,
           sum(per.n)::int as orders, sum(per.nw)::int as orders_ws, sum(per.rev)::text as revenue,
           coalesce(sum(per.rev) filter (where c.first_order_at >= ${start}), 0)::text as new_revenue
    from per join customers c on c.id = per.customer_id and c.workspace_id = ${s.workspaceId}
    group by 1 order by 1`.execute(db);
  return r.rows.map((x) => ({
    channel: x.channel,
    customers: Number(x.customers),
    customersWs: Number(x.customers_ws),
    newCustomers: Number(x.new_customers),
    orders: Number(x.orders),
    ordersWs: Number(x.orders_ws),
    revenue: Number(x.revenue),
    newRevenue: Number(x.new_revenue),
  }));
}

/** Cohorts by local month of first order: size, and per month offset the members who bought and their revenue. */
export async function cohorts(db: Db, s: Scope, range: Range, channel?: string) {
  const chan = channel === undefined ? sql`` : sql`and coalesce(c.acquisition_channel, 'unknown') = ${channel}`;
  const month = (col: RawBuilder<unknown>) => sql`date_trunc('month', ${col} at time zone ${s.tz})`;
  const r = await sql<{ cohort: string; offset: number; customers: number; revenue: string }>`
    with c as (
      select c.id, ${month(sql`c.first_order_at`)} as cohort from customers c
      where c.workspace_id = ${s.workspaceId} and c.merged_into is null
        and c.first_order_at >= ${sql`(date_trunc('month', ${range.from}::date)::timestamp at time zone ${s.tz})`}
        and c.first_order_at < ${endOf(s, range)} ${chan}
    )
    select to_char(c.cohort, 'YYYY-MM') as cohort,
           ((extract(year from m) - extract(year from c.cohort)) * 12 + extract(month from m) - extract(month from c.cohort))::int as offset,
           count(distinct c.id)::int as customers,
           coalesce(sum(x.net) filter (where x.currency = ${s.currency}), 0)::text as revenue
    from c join lateral (
      select ${month(sql`o.placed_at`)} as m, ${net} as net, o.currency from orders o
      where o.workspace_id = ${s.workspaceId} and o.customer_id = c.id and o.cancelled_at is null
        and o.placed_at < ${endOf(s, range)}
    ) x on true
    group by c.cohort, x.m order by 1, 2`.execute(db);
  return r.rows.map((x) => ({
    cohort: x.cohort,
    offset: Number(x.offset),
    customers: Number(x.customers),
    revenue: Number(x.revenue),
  }));
}

// ── attribution and funnel ──

export type AttributionModel = 'first_touch' | 'last_touch' | 'linear' | 'time_decay' | 'position_based';
export const HALF_LIFE_DAYS = 7;

/** Order revenue of the period (workspace currency, guests included), and of identified customers. */
export async function attributionRevenue(db: Db, s: Scope, range: Range) {
  const r = await sql<{ all: string; identified: string }>`
    select coalesce(sum(${net}), 0)::text as all,
           coalesce(sum(${net}) filter (where o.customer_id is not null), 0)::text as identified
    from orders o
    where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.currency = ${s.currency}
      and o.placed_at >= ${at(s, range.from)} and o.placed_at < ${endOf(s, range)}`.execute(db);
  return { orderRevenue: Number(r.rows[0]?.all ?? 0) };
}

/** Revenue per channel under `model`, with the revenue of the orders that had touchpoints. */
export async function attribution(db: Db, s: Scope, range: Range, model: AttributionModel, lookbackDays: number) {
  const weight = {
    first_touch: sql`case when rn = 1 then 1.0 else 0.0 end`,
    last_touch: sql`case when rn = n then 1.0 else 0.0 end`,
    linear: sql`1.0 / n`,
    time_decay: sql`decay / sum(decay) over (partition by order_id)`,
    position_based: sql`case when n = 1 then 1.0 when n = 2 then 0.5
                             when rn = 1 or rn = n then 0.4 else 0.2 / (n - 2) end`,
  }[model];
  const r = await sql<{ channel: string; revenue: string; attributed: string }>`
    with o as (
      select o.id, o.customer_id, o.placed_at, ${net} as net from orders o
      where o.workspace_id = ${s.workspaceId} and o.cancelled_at is null and o.currency = ${s.currency}
        and o.customer_id is not null
        and o.placed_at >= ${at(s, range.from)} and o.placed_at < ${endOf(s, range)}
    ), tp as (
      select o.id as order_id, o.net, e.channel,
             row_number() over (partition by o.id order by e.timestamp, e.seq) as rn,
             count(*) over (partition by o.id) as n,
             power(0.5::float8, extract(epoch from (o.placed_at - e.timestamp)) / ${HALF_LIFE_DAYS * 86400}::float8)::numeric as decay
      from o join events e on e.workspace_id = ${s.workspaceId} and e.customer_id = o.customer_id
        and e.timestamp >= o.placed_at - make_interval(days => ${lookbackDays}::int) and e.timestamp < o.placed_at
    ), w as (
      select order_id, net, channel, ${weight} as w from tp
    )
    select channel, sum(net * w)::text as revenue,
           (select coalesce(sum(net), 0) from (select distinct order_id, net from tp) d)::text as attributed
    from w where w > 0 group by channel order by channel`.execute(db);
  if (r.rows.length === 0) {
    return { attributedRevenue: 0, channels: [] as { channel: string; revenue: number }[] };
  }
  return {
    attributedRevenue: Number(r.rows[0]?.attributed ?? 0),
    channels: r.rows.map((x) => ({ channel: x.channel, revenue: Number(x.revenue) })),
  };
}

/** Customers reaching each step of a funnel of events (docs/metrics.md). */
export async function funnel(db: Db, s: Scope, range: Range, steps: string[], windowDays: number) {
  const window = sql`make_interval(days => ${windowDays}::int)`;
  const ctes = steps.map((event, i) =>
    i === 0
      ? sql`s0 as (
          select e.customer_id, min(e.timestamp) as t, min(e.timestamp) as t0 from events e
          where e.workspace_id = ${s.workspaceId} and e.customer_id is not null and e.event = ${event}
            and e.timestamp >= ${at(s, range.from)} and e.timestamp < ${endOf(s, range)}
          group by e.customer_id)`
      : sql`${sql.raw(`s${i}`)} as (
          select p.customer_id, min(e.timestamp) as t, min(p.t0) as t0 from ${sql.raw(`s${i - 1}`)} p
          join events e on e.workspace_id = ${s.workspaceId} and e.customer_id = p.customer_id and e.event = ${event}
            and e.timestamp >= p.t and e.timestamp < p.t0 + ${window}
          group by p.customer_id)`,
  );
  const counts = steps.map((_, i) => sql`(select count(*) from ${sql.raw(`s${i}`)})::int as ${sql.raw(`c${i}`)}`);
  const r = await sql<
    Record<string, number>
  >`with ${sql.join(ctes, sql`, `)} select ${sql.join(counts, sql`, `)}`.execute(db);
  const row = r.rows[0] ?? {};
  return steps.map((_, i) => Number(row[`c${i}`] ?? 0));
}

// ── built-in segmentations ──

/** Each scored customer's id with R, F (quintiles by percent rank, ties sharing a score) and M. */
export function rfmScoresSql(workspaceId: string, currency: string) {
  return sql<{ id: string; r: number; f: number; m: string }>`
    select c.id,
           least(5, 1 + (5 * (rank() over (order by c.last_order_at) - 1)) / greatest(count(*) over () - 1, 1))::int as r,
           least(5, 1 + (5 * (rank() over (order by c.order_count) - 1)) / greatest(count(*) over () - 1, 1))::int as f,
           case when c.currency = ${currency} then c.revenue else 0 end as m
    from customers c
    where c.workspace_id = ${workspaceId} and c.merged_into is null and c.order_count > 0
      and c.last_order_at is not null`;
}

/** A subquery of the ids of the customers whose (R, F) is one of `pairs` (for segments' SQL). */
export function rfmMembersSql(workspaceId: string, pairs: [number, number][]) {
  if (pairs.length === 0) return sql<{ id: string }>`select null::text as id where false`;
  // The cell depends on R and F only; monetary (and so the currency) plays no part.
  return sql<{ id: string }>`
    select x.id from (${rfmScoresSql(workspaceId, '')}) x
    where (x.r, x.f) in (${sql.join(pairs.map(([r, f]) => sql`(${r}::int, ${f}::int)`))})`;
}

/** Per-customer R, F, M scores aggregated into the 5×5 grid. */
export async function rfmGrid(db: Db, s: Scope) {
  const r = await sql<{ r: number; f: number; customers: number; revenue: string }>`
    select r, f, count(*)::int as customers, sum(m)::text as revenue
    from (${rfmScoresSql(s.workspaceId, s.currency)}) x group by r, f order by r, f`.execute(db);
  return r.rows.map((x) => ({
    r: Number(x.r),
    f: Number(x.f),
    customers: Number(x.customers),
    revenue: Number(x.revenue),
  }));
}

/** Per-customer mean inter-purchase times (days) at percentiles 50, 80, 95, and how many repeat customers. */
export async function interPurchasePercentiles(db: Db, s: Scope) {
  const r = await sql<{ n: number; p50: number | null; p80: number | null; p95: number | null }>`
    with g as (
      select extract(epoch from (c.last_order_at - c.first_order_at)) / 86400.0 / (c.order_count - 1) as gap
      from customers c
      where c.workspace_id = ${s.workspaceId} and c.merged_into is null and c.order_count >= 2
        and c.last_order_at > c.first_order_at
    )
    select count(*)::int as n,
           percentile_cont(0.5) within group (order by gap)::float8 as p50,
           percentile_cont(0.8) within group (order by gap)::float8 as p80,
           percentile_cont(0.95) within group (order by gap)::float8 as p95
    from g`.execute(db);
  const x = r.rows[0];
  return { n: Number(x?.n ?? 0), p50: num(x?.p50), p80: num(x?.p80), p95: num(x?.p95) };
}

export interface StageThresholds {
  activeDays: number;
  atRiskDays: number;
  lapsedDays: number;
}

/** Each customer with an order, with their lifecycle stage as of `now` (docs/metrics.md). */
export function lifecycleSql(workspaceId: string, t: StageThresholds, now: Date) {
  const ago = (n: number) => sql`(${now}::timestamptz - make_interval(days => ${n}::int))`;
  return sql<{ id: string; stage: string }>`
    with c as (
      select c.id, c.first_order_at, c.last_order_at from customers c
      where c.workspace_id = ${workspaceId} and c.merged_into is null and c.order_count > 0
        and c.last_order_at is not null
    ), recent as (
      select c.id, (
        select o.placed_at from orders o
        where o.workspace_id = ${workspaceId} and o.customer_id = c.id and o.cancelled_at is null
          and o.placed_at < c.last_order_at
        order by o.placed_at desc limit 1) as previous
      from c
      where c.first_order_at < ${ago(t.activeDays)} and c.last_order_at >= ${ago(t.activeDays)}
    )
    select c.id, case
        when c.first_order_at >= ${ago(t.activeDays)} then 'new'
        when recent.previous is not null
          and c.last_order_at - recent.previous > make_interval(days => ${t.lapsedDays}::int) then 'won_back'
        when c.last_order_at >= ${ago(t.atRiskDays)} then 'active'
        when c.last_order_at >= ${ago(t.lapsedDays)} then 'at_risk'
        else 'lapsed' end as stage
    from c left join recent on recent.id = c.id`;
}

/** A subquery of the ids of the customers in these lifecycle stages as of `now` (for segments' SQL). */
export function lifecycleMembersSql(workspaceId: string, t: StageThresholds, stages: readonly string[], now: Date) {
  return sql<{ id: string }>`
    select x.id from (${lifecycleSql(workspaceId, t, now)}) x where x.stage = any(${[...stages]}::text[])`;
}

/** Customers per lifecycle stage as of `now`. */
export async function lifecycleStages(db: Db, s: Scope, t: StageThresholds, now: Date) {
  const r = await sql<{ stage: string; customers: number }>`
    select stage, count(*)::int as customers from (${lifecycleSql(s.workspaceId, t, now)}) x group by stage`.execute(
    db,
  );
  return new Map(r.rows.map((x) => [x.stage, Number(x.customers)]));
}

/** Customers per value tier (percent rank by monetary value, highest first). */
export async function valueTiers(db: Db, s: Scope) {
  const r = await sql<{ tier: string; customers: number; revenue: string; min: string }>`
    with x as (
      select case when c.currency = ${s.currency} then c.revenue else 0 end as m,
             rank() over (order by case when c.currency = ${s.currency} then c.revenue else 0 end desc) - 1 as k,
             greatest(count(*) over () - 1, 1) as n
      from customers c
      where c.workspace_id = ${s.workspaceId} and c.merged_into is null and c.order_count > 0
    )
    -- percent rank p = k / n, compared in integers: p < 0.05, 0.20, 0.50.
    select case when 20 * k < n then 'top' when 5 * k < n then 'high' when 2 * k < n then 'medium' else 'low' end as tier,
           count(*)::int as customers, sum(m)::text as revenue, min(m)::text as min
    from x group by 1`.execute(db);
  return new Map(
    r.rows.map((x) => [x.tier, { customers: Number(x.customers), revenue: Number(x.revenue), min: Number(x.min) }]),
  );
}

// ── owned tables: spend, settings, goals ──

export interface SpendRow {
  month: string;
  channel: string;
  amount: string;
  currency: string;
}

export async function listSpend(db: Db, workspaceId: string, range: Range) {
  const r = await sql<SpendRow>`
    select to_char(month, 'YYYY-MM') as month, channel, amount::text as amount, currency from marketing_spend
    where workspace_id = ${workspaceId} and month >= date_trunc('month', ${range.from}::date) and month <= ${range.to}::date
    order by month, channel`.execute(db);
  return r.rows;
}

export async function upsertSpend(
  db: Db,
  workspaceId: string,
  row: { month: string; channel: string; amount: number; currency: string },
) {
  const r = await sql<SpendRow>`
    insert into marketing_spend (workspace_id, month, channel, amount, currency)
    values (${workspaceId}, ${`${row.month}-01`}::date, ${row.channel}, ${row.amount}, ${row.currency})
    on conflict (workspace_id, month, channel)
      do update set amount = excluded.amount, currency = excluded.currency, updated_at = now()
    returning to_char(month, 'YYYY-MM') as month, channel, amount::text as amount, currency`.execute(db);
  return r.rows[0] as SpendRow;
}

export interface SettingsRow {
  derived: boolean;
  active_days: number;
  at_risk_days: number;
  lapsed_days: number;
  derived_at: Date | null;
}

export async function findSettings(db: Db, workspaceId: string) {
  const r = await sql<SettingsRow>`
    select derived, active_days, at_risk_days, lapsed_days, derived_at from analytics_settings
    where workspace_id = ${workspaceId}`.execute(db);
  return r.rows[0] ?? null;
}

export async function saveSettings(
  db: Db,
  workspaceId: string,
  v: { derived: boolean; activeDays: number; atRiskDays: number; lapsedDays: number; derivedAt: Date | null },
) {
  await sql`
    insert into analytics_settings (workspace_id, derived, active_days, at_risk_days, lapsed_days, derived_at)
    values (${workspaceId}, ${v.derived}, ${v.activeDays}, ${v.atRiskDays}, ${v.lapsedDays}, ${v.derivedAt})
    on conflict (workspace_id) do update set derived = excluded.derived, active_days = excluded.active_days,
      at_risk_days = excluded.at_risk_days, lapsed_days = excluded.lapsed_days, derived_at = excluded.derived_at,
      updated_at = now()`.execute(db);
}

export interface GoalRow {
  id: string;
  name: string;
  kpi: string;
  target: number;
  deadline: string;
  baseline: number | null;
  created_at: Date;
}
const goalColumns = sql`id, name, kpi, target, to_char(deadline, 'YYYY-MM-DD') as deadline, baseline, created_at`;

export async function listGoals(db: Db, workspaceId: string) {
  return (
    await sql<GoalRow>`select ${goalColumns} from goals where workspace_id = ${workspaceId} order by created_at, id`.execute(
      db,
    )
  ).rows;
}

export async function findGoal(db: Db, workspaceId: string, id: string) {
  return (
    (
      await sql<GoalRow>`select ${goalColumns} from goals where workspace_id = ${workspaceId} and id = ${id}`.execute(
        db,
      )
    ).rows[0] ?? null
  );
}

export async function insertGoal(
  db: Db,
  g: {
    id: string;
    workspaceId: string;
    name: string;
    kpi: string;
    target: number;
    deadline: string;
    baseline: number | null;
    createdAt: Date;
  },
) {
  const r = await sql<GoalRow>`
    insert into goals (id, workspace_id, name, kpi, target, deadline, baseline, created_at, updated_at)
    values (${g.id}, ${g.workspaceId}, ${g.name}, ${g.kpi}, ${g.target}, ${g.deadline}::date, ${g.baseline}, ${g.createdAt}, ${g.createdAt})
    returning ${goalColumns}`.execute(db);
  return r.rows[0] as GoalRow;
}

export async function updateGoal(
  db: Db,
  workspaceId: string,
  id: string,
  p: { name?: string; target?: number; deadline?: string },
) {
  const r = await sql<GoalRow>`
    update goals set name = coalesce(${p.name ?? null}, name), target = coalesce(${p.target ?? null}::float8, target),
      deadline = coalesce(${p.deadline ?? null}::date, deadline), updated_at = now()
    where workspace_id = ${workspaceId} and id = ${id}
    returning ${goalColumns}`.execute(db);
  return r.rows[0] ?? null;
}

export async function goalNames(db: Db, workspaceId: string, ids: string[]) {
  return (
    await sql<{ id: string; name: string }>`
      select id, name from goals where workspace_id = ${workspaceId} and id = any(${ids}::text[])`.execute(db)
  ).rows;
}

export async function deleteGoal(db: Db, workspaceId: string, id: string) {
  const r = await sql`delete from goals where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}
