/**
 * Orders and the catalogue from Segment e-commerce spec v2 events (`Order Completed`, `Order
 * Updated`, `Order Refunded`, `Order Cancelled`, `Product Viewed`, `Cart Viewed`, …), run for
 * every processed event inside the processing transaction. Other events return at once.
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import type { EventRecord } from '../ingest/index.js';
import type { Db, Tx } from '../platform/db.js';
import {
  cancelOrder,
  flushQueuedOrders,
  type OrderItemInput,
  type ProductInput,
  queueOrder,
  refreshOrderFacts,
  refundOrder,
  upsertProducts,
} from './service.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** A number from a number or a numeric string ("12.50"); null otherwise, and for absurd sizes (≥ 10¹²). */
export function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : null;
  // The columns hold up to 10¹⁴; a larger value is a mistake that must not fail the event.
  return n !== null && Number.isFinite(n) && Math.abs(n) < 1e12 ? n : null;
}
/** A non-empty string (numbers as strings), at most `max` characters; null otherwise. */
export function str(v: unknown, max = 500): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s ? s.slice(0, max) : null;
}
const currencyOf = (v: unknown) => {
  const c = str(v, 10)?.toUpperCase();
  return c && /^[A-Z]{3}$/.test(c) ? c : null;
};

type Kind = 'completed' | 'updated' | 'refunded' | 'cancelled' | 'product' | 'products';
// Names as the spec spells them; snake_case and other casings (RudderStack, hand-written) match too.
const KINDS: Record<string, Kind> = {
  'order completed': 'completed',
  'order updated': 'updated',
  'order refunded': 'refunded',
  'order cancelled': 'cancelled',
  'order canceled': 'cancelled',
  'product viewed': 'product',
  'product clicked': 'product',
  'product added': 'product',
  'product removed': 'product',
  'product added to wishlist': 'product',
  'product removed from wishlist': 'product',
  'product shared': 'product',
  'cart viewed': 'products',
  'checkout started': 'products',
  'product list viewed': 'products',
  'product list filtered': 'products',
  'products searched': 'products',
};
export const kindOf = (event: string): Kind | undefined =>
  KINDS[
    event
      .toLowerCase()
      .replace(/[_\s]+/g, ' ')
      .trim()
  ];

/** A catalogue entry from a product object of the spec (`product_id`, else `sku`); null without either. */
export function productOf(p: Obj, currency: string | null): ProductInput | null {
  const externalId = str(p.product_id ?? p.productId ?? p.id, 200) ?? str(p.sku, 200);
  if (!externalId) return null;
  return {
    externalId,
    sku: str(p.sku, 200),
    name: str(p.name),
    category: str(p.category),
    brand: str(p.brand),
    variant: str(p.variant),
    price: num(p.price),
    currency: currencyOf(p.currency) ?? currency,
    url: str(p.url, 2000),
    imageUrl: str(p.image_url ?? p.imageUrl, 2000),
  };
}

function productsOf(props: Obj): Obj[] {
  return Array.isArray(props.products) ? props.products.map(obj) : [];
}

/** Line items from `products`: quantity defaults to 1. */
export function itemsOf(props: Obj): OrderItemInput[] {
  return productsOf(props).map((p) => {
    const product = productOf(p, null);
    return {
      productId: product?.externalId ?? null,
      sku: product?.sku ?? null,
      name: product?.name ?? null,
      category: product?.category ?? null,
      brand: product?.brand ?? null,
      variant: product?.variant ?? null,
      url: product?.url ?? null,
      imageUrl: product?.imageUrl ?? null,
      quantity: num(p.quantity) ?? 1,
      unitPrice: num(p.price),
    };
  });
}

/**
 * An order's amounts as the spec gives them: `total`, else `subtotal` (or `revenue`, which
 * excludes shipping and tax) + tax + shipping, else the items less the discount plus tax and
 * shipping. `total` is null when nothing says.
 */
export function amountsOf(props: Obj, items: OrderItemInput[]) {
  const tax = num(props.tax);
  const shipping = num(props.shipping);
  const discount = num(props.discount);
  const subtotal = num(props.subtotal) ?? num(props.revenue);
  const itemsSum = items.reduce<number | null>(
    (s, i) => (i.unitPrice === null || i.unitPrice === undefined ? s : (s ?? 0) + i.unitPrice * i.quantity),
    null,
  );
  const extras = (tax ?? 0) + (shipping ?? 0);
  const total =
    num(props.total) ??
    (subtotal !== null ? subtotal + extras : itemsSum !== null ? itemsSum - (discount ?? 0) + extras : null);
  return { subtotal: subtotal ?? itemsSum, tax, shipping, discount, total };
}

export function orderIdOf(props: Obj): string | null {
  return str(props.order_id ?? props.orderId, 200);
}

// The workspace's currency, read once per processing transaction (a batch of events).
const currencies = new WeakMap<Tx, Map<string, string>>();
async function workspaceCurrency(tx: Tx, workspaceId: string) {
  const known = currencies.get(tx) ?? new Map<string, string>();
  currencies.set(tx, known);
  const c = known.get(workspaceId) ?? (await getWorkspaceOrThrow(tx as Db, workspaceId)).currency;
  known.set(workspaceId, c);
  return c;
}

/** Builds orders and the catalogue from one processed event (the ingest processor calls it). */
// Customers whose order facts changed in a processing transaction: recomputed once at its end.
const pendingFacts = new WeakMap<Tx, Set<string>>();
function deferred(tx: Tx): { deferFactsTo: Set<string> } {
  let set = pendingFacts.get(tx);
  if (!set) {
    set = new Set();
    pendingFacts.set(tx, set);
  }
  return { deferFactsTo: set };
}

/** Writes the batch's queued orders, then recomputes, once, the facts of every customer the batch changed. */
export async function refreshDeferredFacts(tx: Tx, workspaceId: string): Promise<void> {
  await flushQueuedOrders(tx);
  const set = pendingFacts.get(tx);
  if (!set?.size) return;
  pendingFacts.delete(tx);
  await refreshOrderFacts(tx, workspaceId, [...set]);
}

export async function applyCommerceEvent(tx: Tx, e: EventRecord, customerId: string | null): Promise<void> {
  if (e.type !== 'track' || !e.event) return;
  const kind = kindOf(e.event);
  if (!kind) return;
  const props = obj(e.properties);
  const ws = e.workspace_id;
  const currency = currencyOf(props.currency) ?? (await workspaceCurrency(tx, ws));
  const where = { sourceId: e.source_id, channel: e.channel };

  if (kind === 'product' || kind === 'products') {
    const list = kind === 'product' ? [props] : productsOf(props);
    const products = list.map((p) => productOf(p, currency)).filter((p): p is ProductInput => !!p);
    await upsertProducts(tx, ws, products, e.timestamp);
    return;
  }

  const orderId = orderIdOf(props);
  if (kind === 'completed' || kind === 'updated') {
    const items = productsOf(props).length ? itemsOf(props) : undefined;
    const amounts = amountsOf(props, items ?? []);
    // Written with the other orders of the batch, in a few statements (see upsertOrders).
    await queueOrder(
      tx,
      ws,
      {
        ...where,
        // Without an order_id the event itself is the order: processing it again finds the same one.
        externalId: orderId ?? `event:${e.message_id}`,
        number: str(props.order_number ?? props.orderNumber, 200),
        customerId,
        status: kind,
        currency,
        ...amounts,
        total: amounts.total ?? (kind === 'completed' ? 0 : null),
        coupon: str(props.coupon, 200),
        items,
        placedAt: e.timestamp,
      },
      deferred(tx),
    );
    return;
  }
  // A refund or cancellation names an order; without one there is nothing to change.
  if (!orderId) return;
  if (kind === 'refunded') {
    const items = itemsOf(props);
    const itemsSum = items.reduce((s, i) => s + (i.unitPrice ?? 0) * i.quantity, 0);
    const amount = num(props.total) ?? num(props.amount) ?? num(props.revenue) ?? (items.length ? itemsSum : null);
    const refundId = str(props.refund_id ?? props.refundId, 200);
    await refundOrder(
      tx,
      ws,
      {
        ...where,
        externalId: orderId,
        refundKey: refundId ? `refund:${refundId}` : `message:${e.message_id}`,
        amount: amount === null ? null : Math.abs(amount),
        currency: currencyOf(props.currency),
        fallbackCurrency: currency,
        reason: str(props.reason),
        at: e.timestamp,
        eventId: e.id,
        customerId,
      },
      deferred(tx),
    );
    return;
  }
  await cancelOrder(
    tx,
    ws,
    {
      ...where,
      externalId: orderId,
      at: e.timestamp,
      currency,
      total: num(props.total),
      customerId,
    },
    deferred(tx),
  );
}
