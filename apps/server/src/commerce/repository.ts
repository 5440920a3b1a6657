import { type ColumnType, type Generated, type Selectable, sql } from 'kysely';
import { type Db, type Tx, tables } from '../platform/db.js';

/** numeric columns: read as exact decimal strings, written as strings or numbers. */
type Numeric = ColumnType<string, string | number, string | number>;
type NullableNumeric = ColumnType<string | null, string | number | null, string | number | null>;

interface ProductsTable {
  id: string;
  workspace_id: string;
  external_id: string;
  sku: string | null;
  name: string | null;
  category: string | null;
  brand: string | null;
  variant: string | null;
  price: NullableNumeric;
  currency: string | null;
  url: string | null;
  image_url: string | null;
  first_seen_at: Date;
  last_seen_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type OrderStatus = 'completed' | 'updated' | 'refunded' | 'partially_refunded' | 'cancelled';
interface OrdersTable {
  id: string;
  workspace_id: string;
  source_id: string;
  channel: string;
  external_id: string;
  number: string | null;
  customer_id: string | null;
  status: OrderStatus;
  currency: string;
  subtotal: NullableNumeric;
  tax: NullableNumeric;
  shipping: NullableNumeric;
  discount: NullableNumeric;
  total: Numeric;
  refunded_amount: ColumnType<string, string | number | undefined, string | number>;
  coupon: string | null;
  placed_at: Date;
  cancelled_at: Date | null;
  refunded_at: Date | null;
  snapshot_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface OrderItemsTable {
  workspace_id: string;
  order_id: string;
  position: number;
  product_id: string | null;
  sku: string | null;
  name: string | null;
  quantity: Numeric;
  unit_price: NullableNumeric;
  currency: string;
  total: NullableNumeric;
}
interface OrderRefundsTable {
  id: string;
  workspace_id: string;
  order_id: string;
  refund_key: string;
  amount: NullableNumeric;
  currency: string;
  reason: string | null;
  refunded_at: Date;
  event_id: string | null;
  created_at: Generated<Date>;
}

export interface CommerceTables {
  products: ProductsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_refunds: OrderRefundsTable;
}
export type ProductRow = Selectable<ProductsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type RefundRow = Selectable<OrderRefundsTable>;

const t = (db: Db | Tx) => tables<CommerceTables>(db);

// ── products ──

export interface ProductWrite {
  id: string;
  external_id: string;
  sku: string | null;
  name: string | null;
  category: string | null;
  brand: string | null;
  variant: string | null;
  price: string | null;
  currency: string | null;
  url: string | null;
  image_url: string | null;
}

/**
 * Inserts or updates catalogue entries seen at `at`: what a newer sighting says replaces what
 * is stored, an older one only fills gaps. Returns the product id of each external id.
 */
export async function upsertProducts(
  db: Db | Tx,
  workspaceId: string,
  rows: (ProductWrite & { first_seen_at?: Date; last_seen_at?: Date })[],
  at: Date,
) {
  const ids = new Map<string, string>();
  if (rows.length === 0) return ids;
  // Bound the statement's parameters (13 a row; PostgreSQL takes at most 65,535).
  if (rows.length > 2000) {
    for (let i = 0; i < rows.length; i += 2000) {
      for (const [k, v] of await upsertProducts(db, workspaceId, rows.slice(i, i + 2000), at)) ids.set(k, v);
    }
    return ids;
  }
  const newer = sql<boolean>`excluded.last_seen_at >= products.last_seen_at`;
  const pick = (col: keyof ProductWrite) =>
    sql<
      string | null
    >`case when ${newer} then coalesce(excluded.${sql.ref(col)}, products.${sql.ref(col)}) else coalesce(products.${sql.ref(col)}, excluded.${sql.ref(col)}) end`;
  // Price and currency go together: from the same sighting.
  const priced = sql<boolean>`excluded.price is not null and (${newer} or products.price is null)`;
  const cols = ['sku', 'name', 'category', 'brand', 'variant', 'url', 'image_url'] as const;
  // Only a sighting that changes something rewrites the row (last seen: when a day later): the
  // same few products come in every batch of events, and each rewrite leaves a dead row version
  // behind until a vacuum, which embedded PGlite never runs by itself.
  const changes = sql.join(
    [
      ...cols.map((c) => sql`${pick(c)} is distinct from products.${sql.ref(c)}`),
      sql`(${priced} and (excluded.price is distinct from products.price or excluded.currency is distinct from products.currency))`,
      sql`products.currency is null and excluded.currency is not null`,
      sql`excluded.first_seen_at < products.first_seen_at`,
      sql`excluded.last_seen_at > products.last_seen_at + interval '1 day'`,
    ],
    sql` or `,
  );
  const r = await t(db)
    .insertInto('products')
    .values(
      rows.map((p) => ({
        ...p,
        workspace_id: workspaceId,
        first_seen_at: p.first_seen_at ?? at,
        last_seen_at: p.last_seen_at ?? at,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'external_id'])
        .doUpdateSet({
          sku: pick('sku'),
          name: pick('name'),
          category: pick('category'),
          brand: pick('brand'),
          variant: pick('variant'),
          url: pick('url'),
          image_url: pick('image_url'),
          price: sql`case when ${priced} then excluded.price else products.price end`,
          currency: sql`case when ${priced} then excluded.currency else coalesce(products.currency, excluded.currency) end`,
          first_seen_at: sql`least(products.first_seen_at, excluded.first_seen_at)`,
          last_seen_at: sql`greatest(products.last_seen_at, excluded.last_seen_at)`,
          updated_at: sql`now()`,
        })
        .where(sql<boolean>`${changes}`),
    )
    .returning(['id', 'external_id'])
    .execute();
  for (const p of r) ids.set(p.external_id, p.id);
  const unchanged = [...new Set(rows.map((p) => p.external_id))].filter((e) => !ids.has(e));
  if (unchanged.length) {
    const known = await t(db)
      .selectFrom('products')
      .select(['id', 'external_id'])
      .where('workspace_id', '=', workspaceId)
      .where('external_id', 'in', unchanged)
      .execute();
    for (const p of known) ids.set(p.external_id, p.id);
  }
  return ids;
}

const PRODUCT_KEY = sql<string>`lower(coalesce(name, external_id))`;

/** One page of the catalogue, alphabetically, optionally matching a search pattern (already escaped). */
export async function listProducts(
  db: Db | Tx,
  workspaceId: string,
  q: { searchPattern?: string; after?: { key: string; id: string }; limit: number },
) {
  let query = t(db)
    .selectFrom('products')
    .selectAll()
    .select(PRODUCT_KEY.as('sort_key'))
    .where('workspace_id', '=', workspaceId);
  if (q.searchPattern) {
    const pattern = q.searchPattern;
    query = query.where(
      sql<boolean>`(coalesce(name,'') || ' ' || coalesce(sku,'') || ' ' || external_id) ilike ${pattern}`,
    );
  }
  if (q.after) {
    const a = q.after;
    query = query.where(sql<boolean>`(${PRODUCT_KEY}, id) > (${a.key}, ${a.id})`);
  }
  return query.orderBy(PRODUCT_KEY).orderBy('id').limit(q.limit).execute();
}

export async function findProduct(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('products')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** How often a product was sold: orders and units, over orders that were not cancelled. */
export async function productSales(db: Db | Tx, workspaceId: string, productId: string) {
  const r = await sql<{ orders: number; units: string | null }>`
    select count(distinct i.order_id)::int as orders, sum(i.quantity)::text as units
    from order_items i join orders o on o.id = i.order_id and o.workspace_id = i.workspace_id
    where i.workspace_id = ${workspaceId} and i.product_id = ${productId} and o.cancelled_at is null`.execute(db);
  return r.rows[0] ?? { orders: 0, units: null };
}

// ── orders ──

export async function findOrderByExternalId(
  tx: Db | Tx,
  workspaceId: string,
  sourceId: string,
  externalId: string,
  opts: { forUpdate?: boolean } = {},
) {
  let q = t(tx)
    .selectFrom('orders')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('source_id', '=', sourceId)
    .where('external_id', '=', externalId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Orders with this external id in any source of the workspace (at most `limit`). */
export async function findOrdersByExternalIdAnySource(tx: Db | Tx, workspaceId: string, externalId: string, limit = 2) {
  return t(tx)
    .selectFrom('orders')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('external_id', '=', externalId)
    .orderBy('placed_at')
    .limit(limit)
    .forUpdate()
    .execute();
}

/** Whose orders a write changed: customers, and guest orders (no customer) by id. */
export interface OrderWrites {
  customerIds: string[];
  guestOrderIds: string[];
}
export type OrderWriteHook = (tx: Db | Tx, workspaceId: string, w: OrderWrites) => Promise<void>;
const orderWriteHooks = new Map<string, OrderWriteHook>();
/** Runs `hook` in the transaction of every statement that inserts or changes orders. */
export function onOrderWrites(domain: string, hook: OrderWriteHook): void {
  orderWriteHooks.set(domain, hook);
}
async function written(tx: Db | Tx, workspaceId: string, rows: { id: string; customer_id: string | null }[]) {
  if (!orderWriteHooks.size || !rows.length) return;
  const w: OrderWrites = {
    customerIds: [...new Set(rows.flatMap((r) => (r.customer_id ? [r.customer_id] : [])))],
    guestOrderIds: [...new Set(rows.flatMap((r) => (r.customer_id ? [] : [r.id])))],
  };
  for (const hook of orderWriteHooks.values()) await hook(tx, workspaceId, w);
}

export type OrderInsert = Omit<OrderRow, 'created_at' | 'updated_at' | 'refunded_amount'>;
export type OrderPatch = Partial<Omit<OrderRow, 'id' | 'workspace_id' | 'created_at' | 'updated_at'>>;

/** Inserts an order unless its (source, external id) exists; returns it, or undefined when it existed. */
export async function insertOrder(tx: Db | Tx, row: OrderInsert) {
  const order = await t(tx)
    .insertInto('orders')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'source_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (order) await written(tx, row.workspace_id, [order]);
  return order;
}

/** Inserts orders whose (source, external id) is new, in one statement per 1,000; returns the ids inserted. */
export async function insertOrders(tx: Db | Tx, rows: OrderInsert[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < rows.length; i += 1000) {
    const r = await t(tx)
      .insertInto('orders')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => oc.columns(['workspace_id', 'source_id', 'external_id']).doNothing())
      .returning('id')
      .execute();
    for (const o of r) ids.add(o.id);
  }
  const ws = rows[0]?.workspace_id;
  if (ws)
    await written(
      tx,
      ws,
      rows.filter((x) => ids.has(x.id)),
    );
  return ids;
}

/** Inserts line items of new orders, in one statement per 2,000. */
export async function insertItems(tx: Db | Tx, workspaceId: string, rows: Omit<OrderItemRow, 'workspace_id'>[]) {
  for (let i = 0; i < rows.length; i += 2000) {
    await t(tx)
      .insertInto('order_items')
      .values(rows.slice(i, i + 2000).map((r) => ({ ...r, workspace_id: workspaceId })))
      .execute();
  }
}

export async function updateOrder(tx: Db | Tx, workspaceId: string, id: string, patch: OrderPatch) {
  // A new customer: the one it had is told too (the order left it).
  const before =
    patch.customer_id !== undefined && orderWriteHooks.size ? await findOrder(tx, workspaceId, id) : undefined;
  const order = await t(tx)
    .updateTable('orders')
    .set({ ...patch, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await written(tx, workspaceId, before ? [before, order] : [order]);
  return order;
}

export async function findOrder(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('orders')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Replaces an order's line items (`existing`: it may have some to delete first). */
export async function replaceItems(
  tx: Tx,
  workspaceId: string,
  orderId: string,
  existing: boolean,
  items: Omit<OrderItemRow, 'workspace_id' | 'order_id'>[],
) {
  if (existing) {
    await t(tx)
      .deleteFrom('order_items')
      .where('workspace_id', '=', workspaceId)
      .where('order_id', '=', orderId)
      .execute();
  }
  if (items.length === 0) return;
  await t(tx)
    .insertInto('order_items')
    .values(items.map((i) => ({ ...i, workspace_id: workspaceId, order_id: orderId })))
    .execute();
}

export async function listItems(db: Db | Tx, workspaceId: string, orderId: string) {
  return t(db)
    .selectFrom('order_items')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .orderBy('position')
    .execute();
}

/** Records a refund once per (order, refund key); returns false when it was recorded before. */
export async function insertRefund(tx: Db | Tx, row: Omit<RefundRow, 'created_at'>) {
  const r = await t(tx)
    .insertInto('order_refunds')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'order_id', 'refund_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!r;
}

export async function deleteRefund(tx: Db | Tx, workspaceId: string, orderId: string, refundKey: string) {
  await t(tx)
    .deleteFrom('order_refunds')
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .where('refund_key', '=', refundKey)
    .execute();
}

export async function listRefunds(db: Db | Tx, workspaceId: string, orderId: string) {
  return t(db)
    .selectFrom('order_refunds')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('order_id', '=', orderId)
    .orderBy('refunded_at')
    .orderBy('id')
    .execute();
}

/** What an order's refunds add up to: whether one was for the whole order, the sum of the others, the latest time. */
export async function refundSummary(tx: Db | Tx, workspaceId: string, orderId: string) {
  const r = await sql<{ whole: boolean | null; amount: string | null; last: Date | null }>`
    select bool_or(amount is null) as whole, sum(amount)::text as amount, max(refunded_at) as last
    from order_refunds where workspace_id = ${workspaceId} and order_id = ${orderId}`.execute(tx);
  const row = r.rows[0];
  return { whole: !!row?.whole, amount: row?.amount ?? null, last: row?.last ?? null };
}

/**
 * Serialises fact recomputation per profile across concurrent transactions (event processing
 * and imports), so the last writer always counted every committed order. Ids are locked in a
 * fixed order to avoid deadlocks.
 */
export async function lockCustomerFacts(tx: Tx, workspaceId: string, customerIds: string[]) {
  const keys = [...new Set(customerIds)].sort().map((id) => `kith:orders:${workspaceId}:${id}`);
  if (keys.length === 1) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${keys[0]}, 0))`.execute(tx);
  } else if (keys.length > 1) {
    // One statement, the locks taken in the array's (sorted) order.
    await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${keys}::text[]) with ordinality as u(k, n) order by n`.execute(
      tx,
    );
  }
}

/**
 * A profile's order facts from its orders: count of orders not cancelled, first and last order,
 * and revenue (total − refunded) in the currency most of them use (ties: the most recent). Orders
 * in other currencies count as orders but not in revenue: there are no exchange rates.
 */
export async function customerOrderFacts(tx: Db | Tx, workspaceId: string, customerId: string) {
  const r = await sql<{ currency: string; n: number; net: string; first: Date; last: Date }>`
    select currency, count(*)::int as n, sum(total - refunded_amount)::numeric(18,2)::text as net,
           min(placed_at) as first, max(placed_at) as last
    from orders
    where workspace_id = ${workspaceId} and customer_id = ${customerId} and cancelled_at is null
    group by currency`.execute(tx);
  return summarizeFacts(r.rows.map((x) => ({ ...x, n: Number(x.n) })));
}

/** The order facts of many profiles at once: per profile and currency, as `customerOrderFacts` reads them. */
export async function customersOrderFacts(tx: Db | Tx, workspaceId: string, customerIds: string[]) {
  const r = await sql<{ customer_id: string; currency: string; n: number; net: string; first: Date; last: Date }>`
    select customer_id, currency, count(*)::int as n, sum(total - refunded_amount)::numeric(18,2)::text as net,
           min(placed_at) as first, max(placed_at) as last
    from orders
    where workspace_id = ${workspaceId} and customer_id = any(${customerIds}::text[]) and cancelled_at is null
    group by customer_id, currency`.execute(tx);
  const by = new Map<string, { currency: string; n: number; net: string; first: Date; last: Date }[]>();
  for (const x of r.rows) {
    const list = by.get(x.customer_id) ?? [];
    list.push({ currency: x.currency, n: Number(x.n), net: x.net, first: x.first, last: x.last });
    by.set(x.customer_id, list);
  }
  return customerIds.map((id) => ({ customerId: id, ...summarizeFacts(by.get(id) ?? []) }));
}

function summarizeFacts(rows: { currency: string; n: number; net: string; first: Date; last: Date }[]) {
  const main = [...rows].sort(
    (a, b) => b.n - a.n || b.last.getTime() - a.last.getTime() || (a.currency < b.currency ? -1 : 1),
  )[0];
  const firsts = rows.map((x) => x.first.getTime());
  const lasts = rows.map((x) => x.last.getTime());
  return {
    orderCount: rows.reduce((s, x) => s + x.n, 0),
    revenue: main?.net ?? '0.00',
    currency: main?.currency ?? null,
    firstOrderAt: rows.length ? new Date(Math.min(...firsts)) : null,
    lastOrderAt: rows.length ? new Date(Math.max(...lasts)) : null,
  };
}

/** Moves a merged profile's orders to the survivor. */
export async function repointOrders(tx: Tx, workspaceId: string, fromId: string, toId: string) {
  await t(tx)
    .updateTable('orders')
    .set({ customer_id: toId, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', fromId)
    .execute();
  await written(tx, workspaceId, [
    { id: '', customer_id: fromId },
    { id: '', customer_id: toId },
  ]);
}

export interface OrderFilter {
  customerId?: string;
  status?: OrderStatus;
  sourceId?: string;
  from?: Date;
  to?: Date;
  /** Only orders after this one in the list's order (newest first). */
  after?: { at: Date; id: string };
  limit: number;
}

/** One page of orders, newest first by (placed_at, id). */
export async function listOrders(db: Db | Tx, workspaceId: string, f: OrderFilter) {
  let q = t(db).selectFrom('orders').selectAll().where('workspace_id', '=', workspaceId);
  if (f.customerId) q = q.where('customer_id', '=', f.customerId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.sourceId) q = q.where('source_id', '=', f.sourceId);
  if (f.from) q = q.where('placed_at', '>=', f.from);
  if (f.to) q = q.where('placed_at', '<', f.to);
  if (f.after) {
    const a = f.after;
    q = q.where(sql<boolean>`(placed_at, id) < (${a.at}, ${a.id})`);
  }
  return q.orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

// ── the customer timeline ──

export interface TimelineWindow {
  workspaceId: string;
  customerId: string;
  before?: { at: Date; id: string };
  limit: number;
  channels?: string[];
}

const before = (
  at: ReturnType<typeof sql.ref>,
  id: ReturnType<typeof sql.ref>,
  b: { at: Date; id: string } | undefined,
) =>
  b
    ? sql`and (date_trunc('milliseconds', ${at}) < ${b.at} or (date_trunc('milliseconds', ${at}) = ${b.at} and ${id} collate "C" < ${b.id}))`
    : sql``;
const inChannels = (channels: string[] | undefined) =>
  channels?.length ? sql`and o.channel in (${sql.join(channels)})` : sql``;

/** A profile's orders, newest placed first (ids compared byte-wise, as the timeline merges them). */
export async function timelineOrders(db: Db | Tx, w: TimelineWindow) {
  const r = await sql<OrderRow>`
    select o.* from orders o
    where o.workspace_id = ${w.workspaceId} and o.customer_id = ${w.customerId}
      ${before(sql.ref('o.placed_at'), sql.ref('o.id'), w.before)} ${inChannels(w.channels)}
    order by o.placed_at desc, o.id collate "C" desc limit ${w.limit}`.execute(db);
  return r.rows;
}

/** A profile's refunds with their order, newest first. */
export async function timelineRefunds(db: Db | Tx, w: TimelineWindow) {
  const r = await sql<
    RefundRow & { external_id: string; number: string | null; channel: string; source_id: string; order_total: string }
  >`
    select r.*, o.external_id, o.number, o.channel, o.source_id, o.total::text as order_total
    from order_refunds r join orders o on o.id = r.order_id and o.workspace_id = r.workspace_id
    where o.workspace_id = ${w.workspaceId} and o.customer_id = ${w.customerId}
      ${before(sql.ref('r.refunded_at'), sql.ref('r.id'), w.before)} ${inChannels(w.channels)}
    order by r.refunded_at desc, r.id collate "C" desc limit ${w.limit}`.execute(db);
  return r.rows;
}

/** A profile's cancelled orders, newest cancellation first; the item id is `<order id>:cancelled`. */
export async function timelineCancellations(db: Db | Tx, w: TimelineWindow) {
  const id = sql.raw(`(o.id || ':cancelled')`);
  const r = await sql<OrderRow>`
    select o.* from orders o
    where o.workspace_id = ${w.workspaceId} and o.customer_id = ${w.customerId} and o.cancelled_at is not null
      ${before(sql.ref('o.cancelled_at'), id as unknown as ReturnType<typeof sql.ref>, w.before)} ${inChannels(w.channels)}
    order by o.cancelled_at desc, ${id} collate "C" desc limit ${w.limit}`.execute(db);
  return r.rows;
}

// ── recommendations (a first, explainable one: what sells, that the customer has not bought) ──

/** The workspace's best sellers by units in orders placed since `since` (cancelled ones aside). */
export async function bestSellers(db: Db | Tx, workspaceId: string, since: Date, limit: number) {
  const r = await sql<{
    id: string;
    name: string | null;
    price: string | null;
    currency: string | null;
    url: string | null;
    image_url: string | null;
    units: number;
  }>`select p.id, p.name, p.price::text as price, p.currency, p.url, p.image_url, sum(i.quantity)::float8 as units
    from order_items i
    join orders o on o.workspace_id = i.workspace_id and o.id = i.order_id
    join products p on p.workspace_id = i.workspace_id and p.id = i.product_id
    where i.workspace_id = ${workspaceId} and i.product_id is not null and o.placed_at >= ${since}
      and o.status <> 'cancelled'
    group by p.id order by units desc, p.id limit ${limit}`.execute(db);
  return r.rows;
}

/** Of these products, the ones the customer has bought. */
export async function boughtAmong(db: Db | Tx, workspaceId: string, customerId: string, productIds: string[]) {
  if (!productIds.length) return new Set<string>();
  const r = await sql<{ product_id: string }>`select distinct i.product_id from order_items i
    join orders o on o.workspace_id = i.workspace_id and o.id = i.order_id
    where i.workspace_id = ${workspaceId} and o.customer_id = ${customerId}
      and i.product_id = any(${productIds}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.product_id));
}
