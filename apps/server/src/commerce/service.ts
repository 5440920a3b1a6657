/**
 * Orders, their line items and refunds, and the product catalogue. One code path writes orders,
 * whatever they come from (tracking events, Shopify webhooks turned into events, imports):
 * `upsertOrder`, `refundOrder` and `cancelOrder`, each keyed on the order's external id so that
 * repeating one changes nothing, and each recomputing the customer's order facts.
 */
import { getCustomerOrThrow, setOrderFactsMany } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { pm } from '../platform/messages.js';
import { om } from './messages.js';
import * as repo from './repository.js';
import { decodeCursor, encodeCursor, orderItemView, orderView, productView, refundView } from './views.js';

export type { OrderStatus } from './repository.js';

type OrderStatus = repo.OrderStatus;
export const ORDER_STATUSES = ['completed', 'updated', 'refunded', 'partially_refunded', 'cancelled'] as const;

export interface ProductInput {
  /** The business's product id; the SKU when there is none. */
  externalId: string;
  sku?: string | null;
  name?: string | null;
  category?: string | null;
  brand?: string | null;
  variant?: string | null;
  price?: number | null;
  currency?: string | null;
  url?: string | null;
  imageUrl?: string | null;
}

export interface OrderItemInput {
  /** The product's external id (its catalogue entry is created or updated); null for an ad-hoc line. */
  productId?: string | null;
  sku?: string | null;
  name?: string | null;
  category?: string | null;
  brand?: string | null;
  variant?: string | null;
  url?: string | null;
  imageUrl?: string | null;
  quantity: number;
  unitPrice?: number | null;
  /** Defaults to quantity × unit price. */
  total?: number | null;
}

export interface OrderInput {
  sourceId: string;
  channel: string;
  /** The order's id where it was placed (event order_id, Shopify id, invoice number). */
  externalId: string;
  /** What people call it ("#1001"), when different from the id. */
  number?: string | null;
  /** Null for a guest order. A known customer replaces a guest; it never becomes a guest again. */
  customerId: string | null;
  /** `completed` (default) or `updated`; `cancelled`, `refunded` and `partially_refunded` also record that. */
  status?: OrderStatus;
  currency: string;
  subtotal?: number | null;
  tax?: number | null;
  shipping?: number | null;
  discount?: number | null;
  /** Required for a new order (0 when omitted); an update without it keeps the stored total. */
  total?: number | null;
  coupon?: string | null;
  /** With status `partially_refunded` (or `refunded`): how much was refunded. */
  refundedAmount?: number | null;
  /** Replace the order's line items (omit to keep them). */
  items?: OrderItemInput[];
  placedAt: Date;
  cancelledAt?: Date | null;
  refundedAt?: Date | null;
  /** When this snapshot of the order was taken (default placedAt): an older one never overwrites a newer. */
  asOf?: Date;
}

export interface WriteOptions {
  /** Recompute the customers' order facts now (default). Bulk imports may do it once at the end. */
  refreshFacts?: boolean;
  /** Instead of recomputing now, add the customers whose facts changed to this set (batch processing). */
  deferFactsTo?: Set<string>;
}

/** Recomputes the facts of these customers now, or queues them when the caller defers. */
async function factsChanged(tx: Tx, workspaceId: string, ids: (string | null)[], opts: WriteOptions) {
  if (opts.deferFactsTo) {
    for (const id of ids) if (id) opts.deferFactsTo.add(id);
    return;
  }
  if (opts.refreshFacts !== false) await refreshOrderFacts(tx, workspaceId, ids);
}

// ── money ──

/** Rounds to cents and formats for a numeric(18,2) column. */
export const money = (v: number) => (Math.round(v * 100) / 100).toFixed(2);
const price4 = (v: number) => (Math.round(v * 10_000) / 10_000).toFixed(4);
const cents = (v: string | number | null | undefined) => Math.round(Number(v ?? 0) * 100);
const optMoney = (v: number | null | undefined) => (v === null || v === undefined ? null : money(v));

function productRow(p: ProductInput): repo.ProductWrite {
  return {
    id: newId('prd'),
    external_id: p.externalId,
    sku: p.sku ?? null,
    name: p.name ?? null,
    category: p.category ?? null,
    brand: p.brand ?? null,
    variant: p.variant ?? null,
    price: p.price === null || p.price === undefined ? null : price4(p.price),
    currency: p.price === null || p.price === undefined ? null : (p.currency ?? null),
    url: p.url ?? null,
    image_url: p.imageUrl ?? null,
  };
}

/** Adds or updates catalogue entries seen at `at`; returns the product id of each external id. */
export async function upsertProducts(tx: Tx, workspaceId: string, products: ProductInput[], at: Date) {
  // One row per product: a statement may not update the same row twice. The last mention wins.
  const byId = new Map<string, ProductInput>();
  for (const p of products)
    byId.set(p.externalId, { ...byId.get(p.externalId), ...stripNulls(p), externalId: p.externalId });
  return repo.upsertProducts(tx, workspaceId, [...byId.values()].map(productRow), at);
}

function stripNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

// ── orders ──

function itemRow(i: OrderItemInput, position: number, currency: string, productIds: Map<string, string>) {
  const total = i.total ?? (i.unitPrice === null || i.unitPrice === undefined ? null : i.unitPrice * i.quantity);
  return {
    position,
    product_id: i.productId ? (productIds.get(i.productId) ?? null) : null,
    sku: i.sku ?? null,
    name: i.name ?? null,
    quantity: i.quantity.toFixed(3),
    unit_price: i.unitPrice === null || i.unitPrice === undefined ? null : price4(i.unitPrice),
    currency,
    total: total === null ? null : money(total),
  };
}

/** The catalogue entries an order's line items name, as sightings at the order's time. */
function productsOfOrder(input: OrderInput): ProductInput[] {
  return (input.items ?? [])
    .filter((i) => i.productId)
    .map((i) => ({
      externalId: i.productId as string,
      sku: i.sku,
      name: i.name,
      category: i.category,
      brand: i.brand,
      variant: i.variant,
      price: i.unitPrice,
      currency: input.currency,
      url: i.url,
      imageUrl: i.imageUrl,
    }));
}

/**
 * Many sightings of products folded into one row per product, as applying them one after the
 * other (oldest first) would: a newer sighting's values replace older ones, gaps are filled.
 */
function foldSightings(sightings: { product: ProductInput; at: Date }[]) {
  const sorted = sightings.map((s, k) => ({ ...s, k })).sort((a, b) => a.at.getTime() - b.at.getTime() || a.k - b.k);
  const byId = new Map<string, { row: repo.ProductWrite; first: Date; last: Date }>();
  for (const { product, at } of sorted) {
    const row = productRow(product);
    const seen = byId.get(product.externalId);
    if (!seen) {
      byId.set(product.externalId, { row, first: at, last: at });
      continue;
    }
    const r = seen.row;
    for (const k of ['sku', 'name', 'category', 'brand', 'variant', 'url', 'image_url'] as const) r[k] = row[k] ?? r[k];
    if (row.price !== null) {
      r.price = row.price;
      r.currency = row.currency;
    }
    seen.last = at;
  }
  return [...byId.values()].map((x) => ({ ...x.row, first_seen_at: x.first, last_seen_at: x.last }));
}

/** An order `upsertOrders` writes in one statement with others: a plain snapshot, no cancellation or refund. */
const batchable = (i: OrderInput) =>
  (i.status ?? 'completed') === baseStatus(i.status) &&
  !i.cancelledAt &&
  (i.refundedAmount === null || i.refundedAmount === undefined);

/**
 * Writes orders as `upsertOrder` would one after the other, in a few statements: the products
 * of all of them, the new orders and their line items, each in one insert. Orders that already
 * exist, repeat one earlier in the list, or record a cancellation or refund go one by one.
 */
export async function upsertOrders(tx: Tx, workspaceId: string, inputs: OrderInput[], opts: WriteOptions = {}) {
  let run: OrderInput[] = [];
  const keys = new Set<string>();
  const flush = async () => {
    if (run.length) await insertNewOrders(tx, workspaceId, run, opts);
    run = [];
    keys.clear();
  };
  for (const input of inputs) {
    const key = `${input.sourceId}\u0000${input.externalId}`;
    if (!batchable(input)) {
      await flush();
      await upsertOrder(tx, workspaceId, input, opts);
      continue;
    }
    if (keys.has(key)) await flush();
    run.push(input);
    keys.add(key);
  }
  await flush();
}

async function insertNewOrders(tx: Tx, workspaceId: string, inputs: OrderInput[], opts: WriteOptions) {
  const productIds = await repo.upsertProducts(
    tx,
    workspaceId,
    foldSightings(
      inputs.flatMap((input) =>
        productsOfOrder(input).map((product) => ({ product, at: input.asOf ?? input.placedAt })),
      ),
    ),
    new Date(),
  );
  const rows: repo.OrderInsert[] = inputs.map((input) => ({
    id: newId('ord'),
    workspace_id: workspaceId,
    source_id: input.sourceId,
    channel: input.channel,
    external_id: input.externalId,
    number: input.number ?? null,
    customer_id: input.customerId,
    status: baseStatus(input.status),
    total: money(input.total ?? 0),
    placed_at: input.placedAt,
    cancelled_at: null,
    refunded_at: null,
    currency: input.currency,
    subtotal: optMoney(input.subtotal),
    tax: optMoney(input.tax),
    shipping: optMoney(input.shipping),
    discount: optMoney(input.discount),
    coupon: input.coupon ?? null,
    snapshot_at: input.asOf ?? input.placedAt,
  }));
  const fresh = await repo.insertOrders(tx, rows);
  const items: Omit<repo.OrderItemRow, 'workspace_id'>[] = [];
  const customers: string[] = [];
  for (const [k, input] of inputs.entries()) {
    const row = rows[k] as repo.OrderInsert;
    if (!fresh.has(row.id)) continue;
    if (input.customerId) customers.push(input.customerId);
    for (const [position, item] of (input.items ?? []).entries()) {
      items.push({ ...itemRow(item, position, input.currency, productIds), order_id: row.id });
    }
  }
  await repo.insertItems(tx, workspaceId, items);
  // Orders that were already there: the one-by-one path compares snapshots.
  for (const [k, input] of inputs.entries()) {
    if (!fresh.has((rows[k] as repo.OrderInsert).id)) await upsertOrder(tx, workspaceId, input, opts);
  }
  await factsChanged(tx, workspaceId, customers, opts);
}

// Orders from events waiting, per processing transaction, to be written together (`upsertOrders`).
const queues = new WeakMap<Tx, { workspaceId: string; inputs: OrderInput[]; opts: WriteOptions }>();

/**
 * Queues an order to be written with the others of the transaction: at its end (the event
 * processor's batch hook), or before any other write to orders in it, whichever comes first.
 */
export async function queueOrder(tx: Tx, workspaceId: string, input: OrderInput, opts: WriteOptions = {}) {
  const q = queues.get(tx);
  if (q && q.workspaceId !== workspaceId) await flushQueuedOrders(tx);
  const queue = queues.get(tx) ?? { workspaceId, inputs: [], opts };
  queue.inputs.push(input);
  queues.set(tx, queue);
}

/** Writes the orders queued in this transaction (with `externalId`: only if one of them has that id). */
export async function flushQueuedOrders(tx: Tx, externalId?: string): Promise<void> {
  const q = queues.get(tx);
  if (!q) return;
  if (externalId !== undefined && !q.inputs.some((i) => i.externalId === externalId)) return;
  queues.delete(tx);
  await upsertOrders(tx, q.workspaceId, q.inputs, q.opts);
}

/** Whether this change leaves the order completed or updated, before refunds and cancellation count. */
const baseStatus = (s: OrderStatus | undefined): 'completed' | 'updated' => (s === 'updated' ? 'updated' : 'completed');

/**
 * Creates or updates an order by (source, external id) and returns its id: amounts, coupon and
 * (when given) line items from the snapshot, unless a newer snapshot is already stored; the
 * products it names join the catalogue. A cancelled or refunded status records that too.
 * The customers' order facts are recomputed.
 */
export async function upsertOrder(tx: Tx, workspaceId: string, input: OrderInput, opts: WriteOptions = {}) {
  await flushQueuedOrders(tx);
  const at = input.asOf ?? input.placedAt;
  const base = baseStatus(input.status);
  const items = input.items;
  const productIds = items
    ? await upsertProducts(
        tx,
        workspaceId,
        items
          .filter((i) => i.productId)
          .map((i) => ({
            externalId: i.productId as string,
            sku: i.sku,
            name: i.name,
            category: i.category,
            brand: i.brand,
            variant: i.variant,
            price: i.unitPrice,
            currency: input.currency,
            url: i.url,
            imageUrl: i.imageUrl,
          })),
        at,
      )
    : new Map<string, string>();

  const snapshot = {
    currency: input.currency,
    subtotal: optMoney(input.subtotal),
    tax: optMoney(input.tax),
    shipping: optMoney(input.shipping),
    discount: optMoney(input.discount),
    coupon: input.coupon ?? null,
    snapshot_at: at,
  };
  // Most orders are new: insert first, and read (and lock) the stored one only when it exists.
  let order = await repo.insertOrder(tx, {
    id: newId('ord'),
    workspace_id: workspaceId,
    source_id: input.sourceId,
    channel: input.channel,
    external_id: input.externalId,
    number: input.number ?? null,
    customer_id: input.customerId,
    status: base,
    total: money(input.total ?? 0),
    placed_at: input.placedAt,
    cancelled_at: null,
    refunded_at: null,
    ...snapshot,
  });
  const fresh = !!order;
  order ??= await repo.findOrderByExternalId(tx, workspaceId, input.sourceId, input.externalId, { forUpdate: true });
  if (!order) throw new Error(`Order ${input.externalId} vanished while being written`);
  const previousCustomer = order.customer_id;
  const applies = fresh || at.getTime() >= order.snapshot_at.getTime();
  if (!fresh) {
    const patch: repo.OrderPatch = {};
    if (applies) {
      Object.assign(patch, {
        ...snapshot,
        subtotal: snapshot.subtotal ?? order.subtotal,
        tax: snapshot.tax ?? order.tax,
        shipping: snapshot.shipping ?? order.shipping,
        discount: snapshot.discount ?? order.discount,
        coupon: snapshot.coupon ?? order.coupon,
        number: input.number ?? order.number,
        status: base,
      });
      if (input.total !== null && input.total !== undefined) patch.total = money(input.total);
    }
    if (input.placedAt < order.placed_at) patch.placed_at = input.placedAt;
    // A guest order gains its customer; a different customer only from a newer snapshot.
    if (input.customerId && input.customerId !== order.customer_id && (applies || !order.customer_id)) {
      patch.customer_id = input.customerId;
    }
    if (Object.keys(patch).length) order = await repo.updateOrder(tx, workspaceId, order.id, patch);
  }
  if (items && applies) {
    await repo.replaceItems(
      tx,
      workspaceId,
      order.id,
      !fresh,
      items.map((i, position) => itemRow(i, position, input.currency, productIds)),
    );
  }
  if (input.status === 'cancelled' || input.cancelledAt) {
    if (!order.cancelled_at) {
      order = await repo.updateOrder(tx, workspaceId, order.id, { cancelled_at: input.cancelledAt ?? at });
    }
  }
  const refunded = input.refundedAmount ?? null;
  if (input.status === 'refunded' || (input.status === 'partially_refunded' && refunded !== null)) {
    // The input's own record of the refund: writing the order again replaces it, never adds a second one.
    await repo.deleteRefund(tx, workspaceId, order.id, 'status');
    await repo.insertRefund(tx, {
      id: newId('rfd'),
      workspace_id: workspaceId,
      order_id: order.id,
      refund_key: 'status',
      amount: refunded === null ? null : money(Math.abs(refunded)),
      currency: input.currency,
      reason: null,
      refunded_at: input.refundedAt ?? at,
      event_id: null,
    });
  }
  // A new order that is neither cancelled nor refunded has nothing to settle.
  const plain = fresh && (input.status ?? 'completed') === base && !input.cancelledAt;
  if (!plain) order = await settle(tx, workspaceId, order, applies ? base : undefined);
  await factsChanged(tx, workspaceId, [previousCustomer, order.customer_id], opts);
  return order.id;
}

export interface RefundInput {
  sourceId: string;
  channel: string;
  externalId: string;
  /** The refund's own id where it happened, else the event's message id: a refund counts once. */
  refundKey: string;
  /** Null: everything not refunded yet. */
  amount: number | null;
  /** Defaults to the order's currency. */
  currency?: string | null;
  /** The currency of a placeholder order, when the refund names none (the workspace's). */
  fallbackCurrency?: string | null;
  reason?: string | null;
  at: Date;
  eventId?: string | null;
  /** For an order not seen yet (its refund arrived first): who it belongs to. */
  customerId: string | null;
}

/**
 * Records a refund of an order (found in the same source, else the only order with that id in
 * the workspace). A refund of an order not seen yet keeps a placeholder order that its
 * `Order Completed` fills in later. Returns the order id, and whether anything changed.
 */
export async function refundOrder(tx: Tx, workspaceId: string, input: RefundInput, opts: WriteOptions = {}) {
  await flushQueuedOrders(tx, input.externalId);
  let order = await findOrPlaceholder(tx, workspaceId, {
    ...input,
    currency: input.currency ?? input.fallbackCurrency ?? null,
    total: input.amount ?? 0,
  });
  const inserted = await repo.insertRefund(tx, {
    id: newId('rfd'),
    workspace_id: workspaceId,
    order_id: order.id,
    refund_key: input.refundKey,
    amount: input.amount === null ? null : money(Math.abs(input.amount)),
    currency: input.currency ?? order.currency,
    reason: input.reason ?? null,
    refunded_at: input.at,
    event_id: input.eventId ?? null,
  });
  if (!inserted) return { orderId: order.id, changed: false };
  order = await settle(tx, workspaceId, order);
  await factsChanged(tx, workspaceId, [order.customer_id], opts);
  return { orderId: order.id, changed: true };
}

export interface CancelInput {
  sourceId: string;
  channel: string;
  externalId: string;
  at: Date;
  currency?: string | null;
  total?: number | null;
  customerId: string | null;
}

/** Marks an order cancelled (once: the first cancellation's time stays). Returns the order id. */
export async function cancelOrder(tx: Tx, workspaceId: string, input: CancelInput, opts: WriteOptions = {}) {
  await flushQueuedOrders(tx, input.externalId);
  let order = await findOrPlaceholder(tx, workspaceId, {
    ...input,
    currency: input.currency ?? null,
    total: input.total ?? 0,
  });
  if (order.cancelled_at) return order.id;
  order = await repo.updateOrder(tx, workspaceId, order.id, { cancelled_at: input.at });
  order = await settle(tx, workspaceId, order);
  await factsChanged(tx, workspaceId, [order.customer_id], opts);
  return order.id;
}

/** The order a refund or cancellation names: in its source, else the only one with that id in the workspace, else a placeholder. */
async function findOrPlaceholder(
  tx: Tx,
  workspaceId: string,
  input: {
    sourceId: string;
    channel: string;
    externalId: string;
    at: Date;
    currency: string | null;
    total: number;
    customerId: string | null;
  },
): Promise<repo.OrderRow> {
  const here = await repo.findOrderByExternalId(tx, workspaceId, input.sourceId, input.externalId, {
    forUpdate: true,
  });
  if (here) return here;
  const elsewhere = await repo.findOrdersByExternalIdAnySource(tx, workspaceId, input.externalId);
  if (elsewhere.length === 1) return elsewhere[0] as repo.OrderRow;
  const placeholder = await repo.insertOrder(tx, {
    id: newId('ord'),
    workspace_id: workspaceId,
    source_id: input.sourceId,
    channel: input.channel,
    external_id: input.externalId,
    number: null,
    customer_id: input.customerId,
    status: 'completed',
    currency: input.currency ?? 'XXX',
    subtotal: null,
    tax: null,
    shipping: null,
    discount: null,
    total: money(Math.abs(input.total)),
    coupon: null,
    placed_at: input.at,
    cancelled_at: null,
    refunded_at: null,
    // Older than any real snapshot: the order's own event overwrites everything.
    snapshot_at: new Date(0),
  });
  return (
    placeholder ??
    ((await repo.findOrderByExternalId(tx, workspaceId, input.sourceId, input.externalId, {
      forUpdate: true,
    })) as repo.OrderRow)
  );
}

/** Brings an order's refunded amount, refund time and status in line with its refunds and cancellation. */
async function settle(tx: Tx, workspaceId: string, order: repo.OrderRow, base?: 'completed' | 'updated') {
  const r = await repo.refundSummary(tx, workspaceId, order.id);
  const total = cents(order.total);
  const refunded = r.whole ? total : Math.min(total, cents(r.amount));
  const status: OrderStatus = order.cancelled_at
    ? 'cancelled'
    : r.whole || (refunded > 0 && refunded >= total)
      ? 'refunded'
      : refunded > 0
        ? 'partially_refunded'
        : (base ?? baseStatus(order.status));
  const patch: repo.OrderPatch = {};
  if (cents(order.refunded_amount) !== refunded) patch.refunded_amount = money(refunded / 100);
  if ((order.refunded_at?.getTime() ?? null) !== (r.last?.getTime() ?? null)) patch.refunded_at = r.last;
  if (order.status !== status) patch.status = status;
  return Object.keys(patch).length ? repo.updateOrder(tx, workspaceId, order.id, patch) : order;
}

type OrdersChangedHook = (tx: Tx, workspaceId: string) => Promise<void>;
const ordersChangedHooks = new Map<string, OrdersChangedHook>();
/**
 * Runs `hook` in the transaction of every write of orders (each write path ends in
 * `refreshOrderFacts`, guest orders included), e.g. to mark analytics' rollup out of date.
 */
export function onOrdersChanged(domain: string, hook: OrdersChangedHook): void {
  ordersChangedHooks.set(domain, hook);
}

/** Recomputes profiles' order facts (count, revenue, first and last order) from their orders. */
export async function refreshOrderFacts(
  tx: Tx,
  workspaceId: string,
  customerIds: (string | null)[],
  // Without writing queued orders first (their writing refreshes their customers' facts again).
  opts: { flush?: boolean } = {},
) {
  for (const hook of ordersChangedHooks.values()) await hook(tx, workspaceId);
  const ids = [...new Set(customerIds.filter((c): c is string => !!c))];
  if (ids.length === 0) return;
  if (opts.flush !== false) await flushQueuedOrders(tx);
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await repo.lockCustomerFacts(tx, workspaceId, chunk);
    await setOrderFactsMany(tx, workspaceId, await repo.customersOrderFacts(tx, workspaceId, chunk));
  }
}

/** A merged profile's orders move to the survivor, whose facts are recomputed. */
export async function moveOrders(tx: Tx, e: { workspaceId: string; survivorId: string; mergedId: string }) {
  // Queued orders of the merged profile are the survivor's; writing them counts them in its facts.
  for (const input of queues.get(tx)?.inputs ?? []) {
    if (input.customerId === e.mergedId) input.customerId = e.survivorId;
  }
  await repo.repointOrders(tx, e.workspaceId, e.mergedId, e.survivorId);
  await refreshOrderFacts(tx, e.workspaceId, [e.survivorId], { flush: false });
}

// ── reading ──

function parseTime(v: string | undefined, field: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UserError(400, 'invalid_request', om('not_a_date', { field }), field);
  return d;
}

/** One page of orders, newest first, and the cursor of the next page. */
export async function listOrders(
  db: Db,
  workspaceId: string,
  q: {
    customerId?: string;
    status?: OrderStatus;
    sourceId?: string;
    from?: string;
    to?: string;
    limit?: number;
    cursor?: string;
  },
) {
  const limit = q.limit ?? 50;
  let after: { at: Date; id: string } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    const at = new Date(c.key);
    if (Number.isNaN(at.getTime())) throw new UserError(400, 'invalid_request', pm('not_a_cursor'), 'cursor');
    after = { at, id: c.id };
  }
  // A merged profile's orders are its survivor's.
  const customerId = q.customerId ? (await getCustomerOrThrow(db, workspaceId, q.customerId)).id : undefined;
  const rows = await repo.listOrders(db, workspaceId, {
    customerId,
    status: q.status,
    sourceId: q.sourceId,
    from: parseTime(q.from, 'from'),
    to: parseTime(q.to, 'to'),
    after,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(orderView),
    nextCursor: rows.length > limit && last ? encodeCursor(last.placed_at.toISOString(), last.id) : null,
  };
}

/** A profile's orders (following merges to the surviving profile). */
export async function listCustomerOrders(
  db: Db,
  workspaceId: string,
  customerId: string,
  q: { status?: OrderStatus; limit?: number; cursor?: string },
) {
  return listOrders(db, workspaceId, { ...q, customerId });
}

/** An order with its line items and refunds. */
export async function getOrderOrThrow(db: Db, workspaceId: string, id: string) {
  const o = await repo.findOrder(db, workspaceId, id);
  if (!o) throw new NotFoundError(om('order_not_found'));
  return {
    ...orderView(o),
    items: (await repo.listItems(db, workspaceId, id)).map(orderItemView),
    refunds: (await repo.listRefunds(db, workspaceId, id)).map(refundView),
  };
}

/** One page of the catalogue, alphabetically, optionally searched by name, SKU or id fragment. */
export async function listProducts(db: Db, workspaceId: string, q: { q?: string; limit?: number; cursor?: string }) {
  const limit = q.limit ?? 50;
  const rows = await repo.listProducts(db, workspaceId, {
    searchPattern: q.q ? `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : undefined,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(productView),
    nextCursor: rows.length > limit && last ? encodeCursor(last.sort_key, last.id) : null,
  };
}

/** A catalogue entry with how often it sold. */
export async function getProductOrThrow(db: Db, workspaceId: string, id: string) {
  const p = await repo.findProduct(db, workspaceId, id);
  if (!p) throw new NotFoundError(om('product_not_found'));
  const sales = await repo.productSales(db, workspaceId, id);
  return { ...productView(p), sales: { orders: Number(sales.orders), units: Number(sales.units ?? 0) } };
}

const BEST_SELLERS_TTL_MS = 10 * 60_000;
const bestSellersCache = new Map<string, { at: number; rows: Awaited<ReturnType<typeof repo.bestSellers>> }>();

/**
 * Products to suggest to a customer in a message: the business's best sellers of the last 90
 * days (by units; read at most every 10 minutes per workspace) that the customer has not bought
 * yet, with the reason. A first recommender, to be replaced by the predictions' own.
 */
export async function recommendedProducts(db: Db | Tx, workspaceId: string, customerId: string, limit = 3) {
  const now = Date.now();
  let cached = bestSellersCache.get(workspaceId);
  if (!cached || now - cached.at > BEST_SELLERS_TTL_MS) {
    cached = { at: now, rows: await repo.bestSellers(db, workspaceId, new Date(now - 90 * 86_400_000), 20) };
    // A business with no sales yet is asked again next time (its first orders count at once).
    if (cached.rows.length) bestSellersCache.set(workspaceId, cached);
  }
  const bought = await repo.boughtAmong(
    db,
    workspaceId,
    customerId,
    cached.rows.map((p) => p.id),
  );
  return cached.rows
    .filter((p) => !bought.has(p.id))
    .slice(0, limit)
    .map((p) => ({
      id: p.id,
      name: p.name,
      price: p.price === null ? null : Number(p.price),
      currency: p.currency,
      url: p.url,
      image_url: p.image_url,
      reason: 'best_seller_not_bought',
    }));
}
