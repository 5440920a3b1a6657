/**
 * Shopify-format webhooks (`orders/create`, `refunds/create`) at `POST /webhooks/shopify/:sourceId`,
 * verified by `X-Shopify-Hmac-Sha256` with the source's webhook secret. Each webhook becomes a
 * Segment-spec event stored through the ingest domain, so it takes the same path as any event:
 * de-duplication (a retried webhook is a duplicate), quarantine, identity resolution, orders.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCustomerOrThrow } from '../customers/index.js';
import { findSourceById, ingest } from '../ingest/index.js';
import type { AppContext } from '../platform/context.js';
import type { Db } from '../platform/db.js';
import { NotFoundError, UnauthorizedError, UserError } from '../platform/errors.js';
import { errorResponses } from '../platform/http.js';
import { pm } from '../platform/messages.js';
import { str } from './events.js';
import { om } from './messages.js';
import * as repo from './repository.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const amount = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};
const sum = (xs: (number | null)[]) => xs.reduce<number>((s, x) => s + (x ?? 0), 0);
const round = (v: number) => Math.round(v * 100) / 100;

/**
 * JSON.parse, except that integers too large for a double (Shopify's 64-bit ids) are kept as
 * their exact digits, in strings: `820982911946154508` would otherwise become …500.
 */
export function parseJsonKeepingBigInts(text: string): unknown {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) j++;
      const literal = text.slice(i, j);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(from, i)}"${literal}"`;
        from = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(from));
}

/** True when `signature` is the base64 HMAC-SHA256 of the raw body with the secret (constant time). */
export function verifyShopifySignature(raw: Buffer, secret: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = crypto.createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The Segment identity of a Shopify customer: its Shopify id (anonymous and external id), email, phone, names. */
function identityOf(order: Obj) {
  const customer = obj(order.customer);
  const customerId = str(customer.id, 200);
  const address = obj(order.billing_address ?? customer.default_address);
  const traits: Obj = {};
  const email = str(customer.email ?? order.email ?? order.contact_email, 320);
  const phone = str(customer.phone ?? order.phone ?? address.phone, 50);
  if (email) traits.email = email;
  if (phone) traits.phone = phone;
  const firstName = str(customer.first_name ?? address.first_name, 200);
  const lastName = str(customer.last_name ?? address.last_name, 200);
  if (firstName) traits.firstName = firstName;
  if (lastName) traits.lastName = lastName;
  return {
    // Not a userId: the shop's website may know the same person under its own userId, and two
    // different userIds are never merged. The Shopify customer id is an anonymous id and an
    // external id, so the order joins the profile that has the same email or phone. A checkout
    // with an email or phone but no account is a person too (its refunds find it by the same
    // anonymousId); an order with no contact at all is a guest order ("guest" is a placeholder,
    // never taken as an identity).
    anonymousId: customerId
      ? `shopify-customer-${customerId}`
      : email || phone
        ? `shopify-order-${str(order.id)}`
        : 'guest',
    traits,
    externalIds: customerId
      ? [{ id: customerId, type: 'shopify_customer_id', collection: 'users', encoding: 'none' }]
      : [],
  };
}

/** An `orders/create` payload as Segment calls: an `identify` with the customer's details, then `Order Completed`. */
export function shopifyOrderEvents(order: Obj): Obj[] {
  const id = str(order.id, 200);
  if (!id) throw new UserError(400, 'invalid_request', om('order_no_id'), 'id');
  const who = identityOf(order);
  const at = str(order.processed_at ?? order.created_at, 100) ?? undefined;
  const currency = str(order.currency, 10);
  const shippingLines = list(order.shipping_lines);
  const shipping =
    amount(obj(obj(order.total_shipping_price_set).shop_money).amount) ??
    (shippingLines.length ? sum(shippingLines.map((l) => amount(l.price))) : null);
  const products = list(order.line_items).map((li, i) => ({
    product_id: str(li.product_id ?? li.variant_id ?? li.sku, 200),
    sku: str(li.sku, 200),
    name: str(li.title ?? li.name),
    variant: str(li.variant_title),
    brand: str(li.vendor),
    price: amount(li.price),
    quantity: amount(li.quantity) ?? 1,
    position: i + 1,
  }));
  const context = {
    ...(Object.keys(who.traits).length ? { traits: who.traits } : {}),
    ...(who.externalIds.length ? { externalIds: who.externalIds } : {}),
    integration: { name: 'shopify-webhook' },
  };
  const base = {
    anonymousId: who.anonymousId,
    ...(at ? { timestamp: at } : {}),
    context,
  };
  const events: Obj[] = [];
  if (who.anonymousId !== 'guest') {
    events.push({ ...base, type: 'identify', messageId: `shopify-order-${id}-identify`, traits: who.traits });
  }
  events.push({
    ...base,
    type: 'track',
    event: 'Order Completed',
    messageId: `shopify-order-${id}`,
    properties: {
      order_id: id,
      order_number: str(order.name ?? order.order_number, 200),
      checkout_id: str(order.checkout_token ?? order.checkout_id, 200),
      total: amount(order.total_price),
      subtotal: amount(order.subtotal_price),
      tax: amount(order.total_tax),
      shipping,
      discount: amount(order.total_discounts),
      coupon: str(obj(list(order.discount_codes)[0]).code, 200),
      currency,
      products,
    },
  });
  return events;
}

/**
 * A `refunds/create` payload as `Order Refunded`: the amount of its successful refund
 * transactions (else its refunded line items with their tax), keyed by the refund's id.
 * The payload names no customer, so the event carries the identifiers of the order's profile
 * when the order is known.
 */
export async function shopifyRefundEvent(db: Db, source: { id: string; workspace_id: string }, refund: Obj) {
  const id = str(refund.id, 200);
  const orderId = str(refund.order_id, 200);
  if (!id) throw new UserError(400, 'invalid_request', om('refund_no_id'), 'id');
  if (!orderId) throw new UserError(400, 'invalid_request', om('refund_no_order'), 'order_id');
  const transactions = list(refund.transactions).filter(
    (t) => (t.kind === undefined || t.kind === 'refund') && (t.status === undefined || t.status === 'success'),
  );
  const lines = list(refund.refund_line_items);
  const total = transactions.length
    ? sum(transactions.map((t) => amount(t.amount)))
    : lines.length
      ? sum(lines.map((l) => sum([amount(l.subtotal), amount(l.total_tax)])))
      : null;
  const currency =
    str(transactions[0]?.currency, 10) ?? str(obj(obj(lines[0]?.subtotal_set).shop_money).currency_code, 10);
  let identity: Obj = { anonymousId: 'guest' };
  const order = await repo.findOrderByExternalId(db, source.workspace_id, source.id, orderId);
  if (order?.customer_id) {
    const c = await getCustomerOrThrow(db, source.workspace_id, order.customer_id).catch(() => null);
    const traits = { ...(c?.email ? { email: c.email } : {}), ...(c?.phone ? { phone: c.phone } : {}) };
    if (c?.user_id) identity = { userId: c.user_id, context: { traits } };
    else if (c) identity = { anonymousId: `shopify-order-${orderId}`, context: { traits } };
  }
  return {
    type: 'track',
    event: 'Order Refunded',
    messageId: `shopify-refund-${id}`,
    ...identity,
    ...(str(refund.processed_at ?? refund.created_at, 100)
      ? { timestamp: refund.processed_at ?? refund.created_at }
      : {}),
    properties: {
      order_id: orderId,
      refund_id: id,
      ...(total !== null ? { total: round(total) } : {}),
      ...(currency ? { currency } : {}),
      ...(str(refund.note) ? { reason: str(refund.note) } : {}),
      products: lines.map((l) => {
        const li = obj(l.line_item);
        return {
          product_id: str(li.product_id ?? li.variant_id ?? li.sku, 200),
          sku: str(li.sku, 200),
          name: str(li.title ?? li.name),
          price: amount(li.price),
          quantity: amount(l.quantity) ?? 1,
        };
      }),
    },
  };
}

const TOPICS = ['orders/create', 'refunds/create'] as const;

/**
 * The webhook receiver, in its own encapsulated plugin: it reads bodies as raw bytes (the
 * signature covers them exactly), which must not change how the rest of the API parses JSON.
 */
export async function shopifyWebhookRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/webhooks/shopify/:sourceId',
    {
      config: { public: true, rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: ['Webhooks'],
        summary: 'Shopify webhooks: orders/create and refunds/create',
        description:
          "Point a Shopify webhook (JSON) here. It is verified with `X-Shopify-Hmac-Sha256` and the source's `webhookSecret` (set it with `PATCH /api/v1/sources/{id}`), and stored as a Segment event (`Order Completed`, `Order Refunded`) of the source. Other topics are answered 200 and ignored.",
        security: [],
        params: z.strictObject({ sourceId: z.string().min(1).max(100) }),
        response: {
          200: z.object({
            success: z.boolean(),
            ignored: z.boolean().optional(),
            accepted: z.number().optional(),
            duplicates: z.number().optional(),
            rejected: z.number().optional(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const source = await findSourceById(ctx.db, req.params.sourceId);
      if (!source) throw new NotFoundError(om('source_not_found'), 'sourceId');
      if (!source.webhook_secret) {
        throw new UnauthorizedError(om('no_webhook_secret', { sourceId: source.id }));
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.headers['x-shopify-hmac-sha256'];
      if (!verifyShopifySignature(raw, source.webhook_secret, typeof signature === 'string' ? signature : undefined)) {
        throw new UnauthorizedError(om('bad_signature'));
      }
      const topic = req.headers['x-shopify-topic'];
      if (!TOPICS.includes(topic as (typeof TOPICS)[number])) return { success: true, ignored: true };
      let payload: Obj;
      try {
        payload = obj(parseJsonKeepingBigInts(raw.toString('utf8')));
      } catch (err) {
        throw new UserError(400, 'invalid_json', pm('invalid_json', { detail: (err as Error).message }), 'body');
      }
      const batch =
        topic === 'orders/create' ? shopifyOrderEvents(payload) : [await shopifyRefundEvent(ctx.db, source, payload)];
      const r = await ingest(ctx.db, source, { batch }, 'batch');
      return { success: true, accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected.length };
    },
  );
}
