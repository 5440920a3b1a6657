/**
 * The only file with the predict domain's SQL. Besides its own tables (prediction_models,
 * customer_predictions, product_neighbours, personalization_opt_outs) it reads the facts the
 * models learn from — `orders`, `order_items`, `products`, `events` and `customers` — as
 * analytics does (docs/adr/0015-predictions.md).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db.js';

type Exec = Db | Tx;

/** The condition on a `customer_predictions p` row that its customer has not switched personalization off. */
const notOptedOut = sql`not exists (
  select 1 from personalization_opt_outs x where x.workspace_id = p.workspace_id and x.customer_id = p.customer_id)`;

export type ModelKind = 'clv' | 'churn' | 'recommend';

export interface ModelRow {
  id: string;
  workspace_id: string;
  kind: ModelKind;
  version: number;
  params: unknown;
  diagnostics: unknown;
  fitted_at: Date;
}

// ── models ──

export async function latestModel(db: Exec, workspaceId: string, kind: ModelKind): Promise<ModelRow | undefined> {
  const r = await sql<ModelRow>`
    select * from prediction_models where workspace_id = ${workspaceId} and kind = ${kind}
    order by version desc limit 1`.execute(db);
  return r.rows[0];
}

/** Stores a new version of a model (numbered after the last one of its kind). */
export async function insertModel(
  db: Exec,
  m: { id: string; workspaceId: string; kind: ModelKind; params: unknown; diagnostics: unknown; fittedAt: Date },
): Promise<ModelRow> {
  const r = await sql<ModelRow>`
    insert into prediction_models (id, workspace_id, kind, version, params, diagnostics, fitted_at)
    select ${m.id}, ${m.workspaceId}, ${m.kind},
      coalesce((select max(version) from prediction_models where workspace_id = ${m.workspaceId} and kind = ${m.kind}), 0) + 1,
      ${JSON.stringify(m.params)}::jsonb, ${JSON.stringify(m.diagnostics)}::jsonb, ${m.fittedAt}
    returning *`.execute(db);
  return r.rows[0] as ModelRow;
}

/** Keeps the newest `keep` versions of each kind (older ones are only history). */
export async function pruneModels(db: Exec, workspaceId: string, keep: number): Promise<void> {
  await sql`
    delete from prediction_models m where m.workspace_id = ${workspaceId} and m.version <= (
      select max(version) - ${keep} from prediction_models x where x.workspace_id = m.workspace_id and x.kind = m.kind)`.execute(
    db,
  );
}

// ── what the models learn from ──

export interface DaySummaryRow {
  customer_id: string;
  first_day: number;
  last_day: number;
  days: number;
  repeat_amount: number;
  holdout_days: number;
  /** The last order's time (ms since the epoch), up to the calibration end. */
  last_order_ms: number;
}

/**
 * Per customer, their purchase days (orders not cancelled, a day in the workspace's time zone,
 * several orders on a day counting once) up to `calEndDay` (inclusive, days since 1970-01-01):
 * the first and last, how many, the net amount spent after the first day, and how many purchase
 * days fall after it, before `holdoutEnd`. Customers whose first purchase is later are left out.
 */
export async function purchaseDaySummaries(
  db: Exec,
  workspaceId: string,
  o: { timezone: string; calEndDay: number; holdoutEnd: Date },
): Promise<DaySummaryRow[]> {
  return (await purchaseDaySummariesBoth(db, workspaceId, o)).rows.filter((r) => r.days > 0);
}

export interface BothSummaryRow extends DaySummaryRow {
  all_last_day: number;
  all_days: number;
  all_repeat_amount: number;
  all_last_order_ms: number;
}

export interface PurchaseDays {
  /** Per customer (in customer order, so scores are written in the primary key's order). */
  rows: BothSummaryRow[];
  /**
   * Repeat purchase days (after the customer's first) per day, of the customers whose first
   * purchase is by `calEndDay`: the actual line of the tracking curve.
   */
  repeatDays: { day: number; n: number }[];
}

/**
 * `purchaseDaySummaries` up to `calEndDay` and up to `holdoutEnd` (every purchase, `all_…`), and
 * the repeat purchase days per day, in one pass over the orders (customers whose first purchase is
 * later have `days` 0). The orders are grouped per customer and day by sorting on a binary ("C")
 * key, with a work area that lets the sort of a few million rows stay in memory on a server.
 */
export async function purchaseDaySummariesBoth(
  db: Exec,
  workspaceId: string,
  o: { timezone: string; calEndDay: number; holdoutEnd: Date },
): Promise<PurchaseDays> {
  type Out = BothSummaryRow & { repeat_day: number | null; repeats: number };
  const r = await withLargeAggregateSettings(db, (e) =>
    sql<Out>`
      with d as (
        select customer_id collate "C" as customer_id,
          ((placed_at at time zone ${o.timezone})::date - date '1970-01-01') as day,
          sum(total::float8 - refunded_amount::float8) as amount, max(placed_at) as at
        from orders
        where workspace_id = ${workspaceId} and customer_id is not null and status <> 'cancelled'
          and placed_at < ${o.holdoutEnd}
        group by 1, 2
      ), e as (
        select d.*, min(day) over (partition by customer_id) as first_day_of from d
      )
      select customer_id, case when grouping(customer_id) = 1 then day end as repeat_day,
        min(day) as first_day,
        max(day) filter (where day <= ${o.calEndDay}) as last_day,
        (count(*) filter (where day <= ${o.calEndDay}))::int as days,
        coalesce(sum(amount) filter (where day <= ${o.calEndDay} and day > first_day_of), 0)::float8 as repeat_amount,
        (count(*) filter (where day > ${o.calEndDay}))::int as holdout_days,
        (extract(epoch from max(at) filter (where day <= ${o.calEndDay})) * 1000)::float8 as last_order_ms,
        max(day) as all_last_day, count(*)::int as all_days,
        coalesce(sum(amount) filter (where day > first_day_of), 0)::float8 as all_repeat_amount,
        (extract(epoch from max(at)) * 1000)::float8 as all_last_order_ms,
        (count(*) filter (where day > first_day_of and first_day_of <= ${o.calEndDay}))::int as repeats
      from e group by grouping sets ((customer_id), (day))`.execute(e),
  );
  const rows: BothSummaryRow[] = [];
  const repeatDays: { day: number; n: number }[] = [];
  let sorted = true;
  for (const x of r.rows) {
    if (x.repeat_day !== null) {
      if (x.repeats > 0) repeatDays.push({ day: x.repeat_day, n: x.repeats });
      continue;
    }
    const { repeat_day: _d, repeats: _n, ...row } = x;
    if (sorted && rows.length && (rows[rows.length - 1] as BothSummaryRow).customer_id > row.customer_id)
      sorted = false;
    rows.push(row);
  }
  // In the binary order of the ids (the key order of the scores' index in a "C" or C.UTF-8 database).
  if (!sorted) rows.sort((a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0));
  repeatDays.sort((a, b) => a.day - b.day);
  return { rows, repeatDays };
}

/**
 * Runs one large aggregate over the orders in a transaction of its own with settings for it, on
 * a PostgreSQL server: a work area of 256 MB (sorting a few million orders in memory instead of
 * on disk) and no JIT compilation (~1 s of compiling that a single pass does not win back).
 * Inside the caller's transaction, or on embedded PGlite (a small heap), it runs as it is.
 */
async function withLargeAggregateSettings<T>(db: Exec, run: (e: Exec) => Promise<T>): Promise<T> {
  if (db.isTransaction) return run(db);
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(tx);
    if (!/wasm|emscripten/i.test(rows[0]?.version ?? '')) {
      await sql`set local work_mem = '256MB'`.execute(tx);
      await sql`set local jit = off`.execute(tx);
    }
    return run(tx);
  });
}

export async function orderSpan(db: Exec, workspaceId: string): Promise<{ first: Date | null; last: Date | null }> {
  const r = await sql<{ first: Date | null; last: Date | null }>`
    select min(placed_at) as first, max(placed_at) as last from orders
    where workspace_id = ${workspaceId} and customer_id is not null and status <> 'cancelled'`.execute(db);
  return r.rows[0] ?? { first: null, last: null };
}

export interface ChurnSnapshotRow {
  customer_id: string;
  orders: number;
  revenue: number;
  refunded: number;
  first_order_at: Date;
  last_order_at: Date;
  channels: number;
  events_90d: number;
  last_event_at: Date | null;
  ordered_after: boolean;
}

/**
 * The behaviour of every customer with an order before `at`, as it was at `at`: orders,
 * spend, refunds, channels bought through, events in the 90 days before, the last event — and
 * whether they ordered in [at, at + horizon) (the label, for snapshots in the past).
 */
export async function churnSnapshot(
  db: Exec,
  workspaceId: string,
  at: Date,
  horizonEnd: Date,
): Promise<ChurnSnapshotRow[]> {
  const since = new Date(at.getTime() - 90 * 86_400_000);
  const r = await sql<ChurnSnapshotRow>`
    with o as (
      select customer_id, count(*)::int as orders, sum(total - refunded_amount)::float8 as revenue,
        sum(refunded_amount)::float8 as refunded, min(placed_at) as first_order_at, max(placed_at) as last_order_at,
        count(distinct channel)::int as channels
      from orders
      where workspace_id = ${workspaceId} and customer_id is not null and status <> 'cancelled' and placed_at < ${at}
      group by customer_id
    ), e as (
      select customer_id, count(*)::int as events_90d, max(timestamp) as last_event_at
      from events
      where workspace_id = ${workspaceId} and customer_id is not null and timestamp >= ${since} and timestamp < ${at}
      group by customer_id
    ), later as (
      select distinct customer_id from orders
      where workspace_id = ${workspaceId} and customer_id is not null and status <> 'cancelled'
        and placed_at >= ${at} and placed_at < ${horizonEnd}
    )
    select o.*, coalesce(e.events_90d, 0) as events_90d, e.last_event_at, (later.customer_id is not null) as ordered_after
    from o left join e on e.customer_id = o.customer_id left join later on later.customer_id = o.customer_id`.execute(
    db,
  );
  return r.rows;
}

export interface CustomerAttributesRow {
  id: string;
  acquisition_channel: string | null;
  country: string | null;
  birthday: string | null;
}

/** Who the customers are, for fairness groups and the acquisition-channel feature. */
export async function customerAttributes(db: Exec, workspaceId: string): Promise<CustomerAttributesRow[]> {
  const r = await sql<CustomerAttributesRow>`
    select c.id, c.acquisition_channel,
      upper(coalesce(c.traits->>'country', c.traits->'address'->>'country')) as country,
      c.traits->>'birthday' as birthday
    from customers c
    where c.workspace_id = ${workspaceId} and c.merged_into is null and c.order_count > 0`.execute(db);
  return r.rows;
}

export interface PurchasePairRow {
  customer_id: string;
  product_id: string;
  orders: number;
  first_at: Date;
  last_at: Date;
}

/** Which customer bought which product since `since`: how many orders, first and last time. */
export async function purchasePairs(db: Exec, workspaceId: string, since: Date): Promise<PurchasePairRow[]> {
  const r = await sql<PurchasePairRow>`
    select o.customer_id, i.product_id, count(distinct o.id)::int as orders, min(o.placed_at) as first_at,
      max(o.placed_at) as last_at
    from order_items i join orders o on o.id = i.order_id and o.workspace_id = i.workspace_id
    where i.workspace_id = ${workspaceId} and i.product_id is not null and o.customer_id is not null
      and o.status <> 'cancelled' and o.placed_at >= ${since}
    group by o.customer_id, i.product_id`.execute(db);
  return r.rows;
}

/** One customer's products: how many orders, first and last time (all time). */
export async function customerPurchases(
  db: Exec,
  workspaceId: string,
  customerId: string,
): Promise<{ product_id: string; orders: number; first_at: Date; last_at: Date }[]> {
  const r = await sql<{ product_id: string; orders: number; first_at: Date; last_at: Date }>`
    select i.product_id, count(distinct o.id)::int as orders, min(o.placed_at) as first_at, max(o.placed_at) as last_at
    from orders o join order_items i on i.order_id = o.id and i.workspace_id = o.workspace_id
    where o.workspace_id = ${workspaceId} and o.customer_id = ${customerId} and o.status <> 'cancelled'
      and i.product_id is not null
    group by i.product_id`.execute(db);
  return r.rows;
}

export interface ProductRow {
  id: string;
  name: string | null;
  price: string | null;
  currency: string | null;
  url: string | null;
  image_url: string | null;
}

export async function productsByIds(db: Exec, workspaceId: string, ids: string[]): Promise<ProductRow[]> {
  if (!ids.length) return [];
  const r = await sql<ProductRow>`
    select id, name, price::text as price, currency, url, image_url from products
    where workspace_id = ${workspaceId} and id = any(${ids}::text[])`.execute(db);
  return r.rows;
}

export async function productExists(db: Exec, workspaceId: string, id: string): Promise<boolean> {
  const r = await sql`select 1 from products where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
  return r.rows.length > 0;
}

// ── neighbours ──

export interface NeighbourRow {
  product_id: string;
  neighbour_id: string;
  score: number;
  co_count: number;
}

const CHUNK = 5000;

/** Replaces the workspace's item-to-item neighbours. */
export async function replaceNeighbours(db: Exec, workspaceId: string, rows: NeighbourRow[]): Promise<void> {
  await sql`delete from product_neighbours where workspace_id = ${workspaceId}`.execute(db);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    await sql`
      insert into product_neighbours (workspace_id, product_id, neighbour_id, score, co_count)
      select ${workspaceId}, * from unnest(${part.map((r) => r.product_id)}::text[], ${part.map((r) => r.neighbour_id)}::text[],
        ${part.map((r) => r.score)}::float8[], ${part.map((r) => r.co_count)}::int[])`.execute(db);
  }
}

/** The neighbours of these products, best first. */
export async function neighboursOf(db: Exec, workspaceId: string, productIds: string[]): Promise<NeighbourRow[]> {
  if (!productIds.length) return [];
  const r = await sql<NeighbourRow>`
    select product_id, neighbour_id, score, co_count from product_neighbours
    where workspace_id = ${workspaceId} and product_id = any(${productIds}::text[])
    order by product_id, score desc`.execute(db);
  return r.rows;
}

// ── scores ──

export interface PredictionRow {
  customer_id: string;
  x: number;
  t_x: number;
  t_cal: number;
  zbar: number;
  p_alive: number;
  expected_30: number;
  expected_90: number;
  expected_365: number;
  purchase_probability_30: number;
  expected_aov: number;
  clv: number;
  churn_risk: number;
  churn_reasons: unknown;
  next_purchase_at: Date | null;
  confidence: string;
  clv_version: number;
  churn_version: number | null;
  scored_at: Date;
}

/** Columnar scores of one run, written with one statement per chunk. */
export interface ScoreColumns {
  customerIds: string[];
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  zbar: ArrayLike<number>;
  pAlive: ArrayLike<number>;
  e30: ArrayLike<number>;
  e90: ArrayLike<number>;
  e365: ArrayLike<number>;
  p30: ArrayLike<number>;
  aov: ArrayLike<number>;
  clv: ArrayLike<number>;
  churn: ArrayLike<number>;
  reasons: (string | null)[];
  nextAt: (string | null)[];
  confidence: string[];
}

const SCORE_CHUNK = 50_000;
/**
 * A PostgreSQL array literal, built here rather than by the driver (which prepares each element
 * on its own: most of the time of writing a million scores).
 */
function numbers(a: ArrayLike<number>, from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) parts.push(String(a[i]));
  return `{${parts.join(',')}}`;
}
function texts(a: readonly (string | null)[], from: number, to: number): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const v = a[i];
    parts.push(v === null || v === undefined ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Replaces the workspace's scores with one run's, in the caller's transaction (so readers see
 * the old scores or the new, never a mix): upserted in chunks in key order — an update in place
 * (HOT: the table keeps free room on each page, migration 0020) rather than a delete and an
 * insert into the index — then the rows of customers this run did not score are removed.
 */
export async function writeScores(
  db: Exec,
  workspaceId: string,
  s: ScoreColumns,
  meta: { clvVersion: number; churnVersion: number | null; scoredAt: Date },
  onChunk?: (done: number) => Promise<void>,
): Promise<void> {
  const n = s.customerIds.length;
  // Each chunk's statement is built (its array literals: the JavaScript side of the work) while
  // the previous one runs in the database.
  const chunk = (i: number, j: number) =>
    sql`
      insert into customer_predictions (workspace_id, customer_id, x, t_x, t_cal, zbar, p_alive, expected_30, expected_90,
        expected_365, purchase_probability_30, expected_aov, clv, churn_risk, churn_reasons, next_purchase_at, confidence,
        clv_version, churn_version, scored_at)
      select ${workspaceId}, u.id, u.x, u.tx, u.t, u.zbar, u.pa, u.e30, u.e90, u.e365, u.p30, u.aov, u.clv, u.churn,
        u.reasons::jsonb, u.next_at::timestamptz, u.confidence, ${meta.clvVersion}, ${meta.churnVersion}::int, ${meta.scoredAt}
      from unnest(${texts(s.customerIds, i, j)}::text[], ${numbers(s.x, i, j)}::int[], ${numbers(s.tx, i, j)}::float8[],
        ${numbers(s.T, i, j)}::float8[], ${numbers(s.zbar, i, j)}::float8[], ${numbers(s.pAlive, i, j)}::float8[],
        ${numbers(s.e30, i, j)}::float8[], ${numbers(s.e90, i, j)}::float8[], ${numbers(s.e365, i, j)}::float8[],
        ${numbers(s.p30, i, j)}::float8[], ${numbers(s.aov, i, j)}::float8[], ${numbers(s.clv, i, j)}::float8[],
        ${numbers(s.churn, i, j)}::float8[], ${texts(s.reasons, i, j)}::text[], ${texts(s.nextAt, i, j)}::text[],
        ${texts(s.confidence, i, j)}::text[])
        as u(id, x, tx, t, zbar, pa, e30, e90, e365, p30, aov, clv, churn, reasons, next_at, confidence)
      on conflict (workspace_id, customer_id) do update set x = excluded.x, t_x = excluded.t_x, t_cal = excluded.t_cal,
        zbar = excluded.zbar, p_alive = excluded.p_alive, expected_30 = excluded.expected_30,
        expected_90 = excluded.expected_90, expected_365 = excluded.expected_365,
        purchase_probability_30 = excluded.purchase_probability_30, expected_aov = excluded.expected_aov,
        clv = excluded.clv, churn_risk = excluded.churn_risk, churn_reasons = excluded.churn_reasons,
        next_purchase_at = excluded.next_purchase_at, confidence = excluded.confidence,
        clv_version = excluded.clv_version, churn_version = excluded.churn_version, scored_at = excluded.scored_at`;
  let running: Promise<unknown> | null = null;
  for (let i = 0; i < n; i += SCORE_CHUNK) {
    const j = Math.min(n, i + SCORE_CHUNK);
    const statement = chunk(i, j);
    if (running) await running;
    if (onChunk && i > 0) await onChunk(i);
    running = statement.execute(db);
  }
  if (running) await running;
  if (onChunk && n > 0) await onChunk(n);
  await sql`delete from customer_predictions where workspace_id = ${workspaceId} and scored_at <> ${meta.scoredAt}`.execute(
    db,
  );
}

export async function findPrediction(
  db: Exec,
  workspaceId: string,
  customerId: string,
): Promise<PredictionRow | undefined> {
  const r = await sql<PredictionRow>`
    select * from customer_predictions where workspace_id = ${workspaceId} and customer_id = ${customerId}`.execute(db);
  return r.rows[0];
}

export async function countScored(db: Exec, workspaceId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from customer_predictions where workspace_id = ${workspaceId}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export interface ChannelClvRow {
  channel: string;
  customers: number;
  avg_clv: number;
  total_clv: number;
  avg_p_alive: number;
}

/** Predicted CLV by acquisition channel (customers who asked for no personalization are left out). */
export async function clvByChannel(db: Exec, workspaceId: string): Promise<ChannelClvRow[]> {
  const r = await sql<ChannelClvRow>`
    select coalesce(c.acquisition_channel, 'unknown') as channel, count(*)::int as customers,
      avg(p.clv)::float8 as avg_clv, sum(p.clv)::float8 as total_clv, avg(p.p_alive)::float8 as avg_p_alive
    from customer_predictions p join customers c on c.id = p.customer_id and c.workspace_id = p.workspace_id
    where p.workspace_id = ${workspaceId}
      and ${notOptedOut}
    group by 1 order by total_clv desc`.execute(db);
  return r.rows;
}

export async function scoreSummary(
  db: Exec,
  workspaceId: string,
): Promise<{ mean_clv: number | null; total_clv: number | null; mean_p_alive: number | null }> {
  const r = await sql<{ mean_clv: number | null; total_clv: number | null; mean_p_alive: number | null }>`
    select avg(clv)::float8 as mean_clv, sum(clv)::float8 as total_clv, avg(p_alive)::float8 as mean_p_alive
    from customer_predictions where workspace_id = ${workspaceId}`.execute(db);
  return r.rows[0] ?? { mean_clv: null, total_clv: null, mean_p_alive: null };
}

// ── personalization ──

export async function isOptedOut(db: Exec, workspaceId: string, customerId: string): Promise<boolean> {
  const r = await sql`
    select 1 from personalization_opt_outs where workspace_id = ${workspaceId} and customer_id = ${customerId}`.execute(
    db,
  );
  return r.rows.length > 0;
}

export async function setOptOut(
  db: Exec,
  workspaceId: string,
  customerId: string,
  optOut: boolean,
  by: string | null,
): Promise<void> {
  if (optOut) {
    await sql`
      insert into personalization_opt_outs (workspace_id, customer_id, created_by) values (${workspaceId}, ${customerId}, ${by})
      on conflict do nothing`.execute(db);
  } else {
    await sql`
      delete from personalization_opt_outs where workspace_id = ${workspaceId} and customer_id = ${customerId}`.execute(
      db,
    );
  }
}

export async function countOptOuts(db: Exec, workspaceId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from personalization_opt_outs where workspace_id = ${workspaceId}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** A merged-away profile's opt-out holds for the survivor (the person asked); its scores go. */
export async function moveOnMerge(db: Exec, workspaceId: string, survivorId: string, mergedId: string): Promise<void> {
  await sql`
    insert into personalization_opt_outs (workspace_id, customer_id, created_by, created_at)
    select workspace_id, ${survivorId}, created_by, created_at from personalization_opt_outs
    where workspace_id = ${workspaceId} and customer_id = ${mergedId}
    on conflict do nothing`.execute(db);
  await sql`
    delete from personalization_opt_outs where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(db);
  await sql`delete from customer_predictions where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(
    db,
  );
}

/** Workspaces with at least one order (a scheduled refit visits these). */
export async function workspacesWithOrders(db: Exec): Promise<string[]> {
  const r = await sql<{ workspace_id: string }>`
    select w.id as workspace_id from workspaces w
    where exists (select 1 from orders o where o.workspace_id = w.id and o.customer_id is not null)`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

/**
 * SQL for segment conditions on a score: the ids of the workspace's customers whose score
 * compares so. Customers who asked for no personalization match no score condition.
 */
export function scoreMembersSql(
  workspaceId: string,
  column: 'churn_risk' | 'p_alive' | 'clv' | 'expected_90' | 'purchase_probability_30',
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'equals' | 'between',
  value: number,
  value2?: number,
) {
  const col = sql.ref(`p.${column}`);
  const cmp =
    op === 'gt'
      ? sql`${col} > ${value}`
      : op === 'gte'
        ? sql`${col} >= ${value}`
        : op === 'lt'
          ? sql`${col} < ${value}`
          : op === 'lte'
            ? sql`${col} <= ${value}`
            : op === 'equals'
              ? sql`${col} = ${value}`
              : sql`${col} between ${value} and ${value2 ?? value}`;
  return sql`select p.customer_id from customer_predictions p
    where p.workspace_id = ${workspaceId} and ${cmp}
      and ${notOptedOut}`;
}

/** Each scored customer's value of one score (explanations show it), personalization allowed. */
export function scoreValuesSql(
  workspaceId: string,
  column: 'churn_risk' | 'p_alive' | 'clv' | 'expected_90' | 'purchase_probability_30',
) {
  return sql`select p.customer_id, ${sql.ref(`p.${column}`)} as value from customer_predictions p
    where p.workspace_id = ${workspaceId}
      and ${notOptedOut}`;
}
