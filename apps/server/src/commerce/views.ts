/** How the commerce API shows rows: camelCase, ISO times, money as numbers rounded to cents. */
import { UserError } from '../platform/errors.js';
import { pm } from '../platform/messages.js';
import type { OrderItemRow, OrderRow, ProductRow, RefundRow } from './repository.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const money = (v: string | number) => Math.round(Number(v) * 100) / 100;
const optMoney = (v: string | null) => (v === null ? null : money(v));
const optNum = (v: string | null) => (v === null ? null : Number(v));

export function orderView(o: OrderRow) {
  const total = money(o.total);
  const refunded = money(o.refunded_amount);
  return {
    id: o.id,
    sourceId: o.source_id,
    channel: o.channel,
    externalId: o.external_id,
    number: o.number,
    customerId: o.customer_id,
    status: o.status,
    currency: o.currency,
    subtotal: optMoney(o.subtotal),
    tax: optMoney(o.tax),
    shipping: optMoney(o.shipping),
    discount: optMoney(o.discount),
    total,
    refundedAmount: refunded,
    netTotal: o.cancelled_at ? 0 : money(total - refunded),
    coupon: o.coupon,
    placedAt: o.placed_at.toISOString(),
    cancelledAt: iso(o.cancelled_at),
    refundedAt: iso(o.refunded_at),
    createdAt: o.created_at.toISOString(),
    updatedAt: o.updated_at.toISOString(),
  };
}

export function orderItemView(i: OrderItemRow) {
  return {
    position: i.position,
    productId: i.product_id,
    sku: i.sku,
    name: i.name,
    quantity: Number(i.quantity),
    unitPrice: optNum(i.unit_price),
    currency: i.currency,
    total: optMoney(i.total),
  };
}

export function refundView(r: RefundRow) {
  return {
    id: r.id,
    amount: optMoney(r.amount),
    currency: r.currency,
    reason: r.reason,
    refundedAt: r.refunded_at.toISOString(),
    eventId: r.event_id,
  };
}

export function productView(p: ProductRow) {
  return {
    id: p.id,
    externalId: p.external_id,
    sku: p.sku,
    name: p.name,
    category: p.category,
    brand: p.brand,
    variant: p.variant,
    price: optNum(p.price),
    currency: p.currency,
    url: p.url,
    imageUrl: p.image_url,
    firstSeenAt: p.first_seen_at.toISOString(),
    lastSeenAt: p.last_seen_at.toISOString(),
  };
}

/** An opaque keyset cursor: the sort key and id of the last row of a page. */
export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { key: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && v[1]) {
      return { key: v[0], id: v[1] };
    }
  } catch {
    // reported below
  }
  throw new UserError(400, 'invalid_request', pm('not_a_cursor'), 'cursor');
}
