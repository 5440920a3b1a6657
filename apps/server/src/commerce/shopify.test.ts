/** Shopify-format webhooks: signature, orders/create and refunds/create as events, retries as duplicates (DATA-6). */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { processAllPending } from '../ingest/index.js';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { parseJsonKeepingBigInts } from './shopify.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let shop: { id: string; writeKey: string };
let noSecret: { id: string };
const SECRET = 'shpss_0123456789abcdef';

const sign = (body: string, secret = SECRET) =>
  crypto.createHmac('sha256', secret).update(body, 'utf8').digest('base64');
// Shopify sends its 64-bit ids as JSON numbers, more digits than a double holds: written here
// as strings, sent unquoted.
const shopifyJson = (payload: unknown) => JSON.stringify(payload).replace(/"(\d{16,})"/g, '$1');
function webhook(sourceId: string, topic: string, payload: unknown, headers: Record<string, string> = {}) {
  const body = typeof payload === 'string' ? payload : shopifyJson(payload);
  return t.app.inject({
    method: 'POST',
    url: `/webhooks/shopify/${sourceId}`,
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': sign(body),
      'x-shopify-shop-domain': 'bakery.myshopify.com',
      ...headers,
    },
  });
}
const process = () => processAllPending(t.ctx.db, owner.workspaceId);
const get = async (url: string) => {
  const r = await t.req('GET', url, { auth: owner.auth });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json();
};
async function profileOf(kind: string, value: string) {
  const r = await sql<{ customer_id: string }>`
    select customer_id from customer_identifiers
    where workspace_id = ${owner.workspaceId} and kind = ${kind} and value = ${value}`.execute(t.ctx.db);
  return r.rows[0]?.customer_id;
}
async function facts(customerId: string) {
  const r = await sql<{ order_count: number; revenue: string; currency: string | null }>`
    select order_count, revenue::text as revenue, currency from customers where id = ${customerId}`.execute(t.ctx.db);
  const c = r.rows[0] as NonNullable<(typeof r.rows)[0]>;
  return { orders: c.order_count, revenue: Number(c.revenue), currency: c.currency };
}

// Trimmed from Shopify's sample orders/create payload.
const order = {
  id: '820982911946154508',
  name: '#1001',
  order_number: 1001,
  email: 'ana@example.com',
  created_at: '2026-06-01T10:00:00-05:00',
  processed_at: '2026-06-01T10:00:00-05:00',
  currency: 'CAD',
  total_price: '61.00',
  subtotal_price: '50.00',
  total_tax: '6.00',
  total_discounts: '5.00',
  total_shipping_price_set: { shop_money: { amount: '10.00', currency_code: 'CAD' } },
  discount_codes: [{ code: 'SPRING', amount: '5.00', type: 'fixed_amount' }],
  checkout_token: 'chk-1',
  line_items: [
    {
      id: 1,
      product_id: 632910392,
      variant_id: 808950810,
      sku: 'IPOD-1',
      title: 'Birthday cake',
      variant_title: 'Large',
      vendor: 'Bakery',
      quantity: 1,
      price: '40.00',
    },
    { id: 2, product_id: 632910393, sku: 'CNDL', title: 'Candles', quantity: 2, price: '7.50' },
  ],
  customer: { id: '115310627314723954', email: 'Ana@Example.com', first_name: 'Ana', last_name: 'Ruiz', phone: null },
};

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  const r = await t.req('POST', '/api/v1/sources', {
    auth: owner.auth,
    body: { name: 'Shopify', channel: 'ecommerce', webhookSecret: SECRET },
  });
  shop = r.json();
  noSecret = (
    await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Other', channel: 'ecommerce' } })
  ).json();
  // Ana is known already: she has an account on the website (its own userId) with the same email.
  const web = (
    await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Web', channel: 'web' } })
  ).json();
  const id = await t.req('POST', '/v1/identify', {
    body: {
      writeKey: web.writeKey,
      userId: 'web-ana-7',
      anonymousId: 'a-1',
      traits: { email: 'ana@example.com' },
      timestamp: '2026-05-01T10:00:00Z',
    },
  });
  expect(id.statusCode).toBe(200);
  await process();
});

describe('POST /webhooks/shopify/:sourceId', () => {
  it('refuses a wrong or missing signature, and a source without a secret', async () => {
    const wrong = await webhook(shop.id, 'orders/create', order, {
      'x-shopify-hmac-sha256': sign(shopifyJson(order), 'other-secret'),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    const missing = await webhook(shop.id, 'orders/create', order, { 'x-shopify-hmac-sha256': '' });
    expect(missing.statusCode).toBe(401);
    // Signed over different bytes than were sent (re-serialised JSON): refused.
    const body = shopifyJson(order);
    const tampered = await webhook(shop.id, 'orders/create', body.replace('61.00', '6.00'), {
      'x-shopify-hmac-sha256': sign(body),
    });
    expect(tampered.statusCode).toBe(401);
    const unset = await webhook(noSecret.id, 'orders/create', order);
    expect(unset.statusCode).toBe(401);
    expect(unset.json().error.message).toContain('webhookSecret');
    expect((await webhook('src_unknown', 'orders/create', order)).statusCode).toBe(404);
    const stored = await sql<{ n: number }>`select count(*)::int as n from events where source_id = ${shop.id}`.execute(
      t.ctx.db,
    );
    expect(stored.rows[0]?.n).toBe(0);
  });

  it('orders/create: an Order Completed on the right profile (found by email), with items and currency', async () => {
    const r = await webhook(shop.id, 'orders/create', order);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ success: true, accepted: 2, duplicates: 0, rejected: 0 });
    await process();
    const ana = (await profileOf('email', 'ana@example.com')) as string;
    expect(await profileOf('external:shopify_customer_id', '115310627314723954')).toBe(ana);
    expect(await profileOf('anonymous_id', 'shopify-customer-115310627314723954')).toBe(ana);
    // The website's own userId and the Shopify customer id are one person, not a conflict.
    expect(await profileOf('user_id', 'web-ana-7')).toBe(ana);
    expect(await profileOf('user_id', '115310627314723954')).toBeUndefined();
    const conflicts = await sql<{ n: number }>`select count(*)::int as n from identity_conflicts`.execute(t.ctx.db);
    expect(conflicts.rows[0]?.n).toBe(0);
    const list = await get(`/api/v1/customers/${ana}/orders`);
    expect(list.data).toHaveLength(1);
    const o = await get(`/api/v1/orders/${list.data[0].id}`);
    expect(o).toMatchObject({
      externalId: '820982911946154508',
      number: '#1001',
      customerId: ana,
      sourceId: shop.id,
      channel: 'ecommerce',
      status: 'completed',
      currency: 'CAD',
      total: 61,
      subtotal: 50,
      tax: 6,
      shipping: 10,
      discount: 5,
      coupon: 'SPRING',
      placedAt: '2026-06-01T15:00:00.000Z',
    });
    expect(o.items).toEqual([
      expect.objectContaining({ sku: 'IPOD-1', name: 'Birthday cake', quantity: 1, unitPrice: 40, total: 40 }),
      expect.objectContaining({ sku: 'CNDL', name: 'Candles', quantity: 2, unitPrice: 7.5, total: 15 }),
    ]);
    expect((await get('/api/v1/products?q=birthday')).data[0]).toMatchObject({
      externalId: '632910392',
      variant: 'Large',
      brand: 'Bakery',
      currency: 'CAD',
    });
    expect(await facts(ana)).toEqual({ orders: 1, revenue: 61, currency: 'CAD' });
    // The customer's name came with the order.
    const c = await sql<{ first_name: string }>`select first_name from customers where id = ${ana}`.execute(t.ctx.db);
    expect(c.rows[0]?.first_name).toBe('Ana');
  });

  it('a retried webhook is a duplicate: no second order', async () => {
    const r = await webhook(shop.id, 'orders/create', order, { 'x-shopify-webhook-id': 'retry-1' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 0, duplicates: 2 });
    await process();
    const orders = await sql<{
      n: number;
    }>`select count(*)::int as n from orders where workspace_id = ${owner.workspaceId}`.execute(t.ctx.db);
    expect(orders.rows[0]?.n).toBe(1);
  });

  it('refunds/create: an Order Refunded with the refunded amount, once', async () => {
    const refund = {
      id: 509562969,
      order_id: '820982911946154508',
      created_at: '2026-06-03T12:00:00Z',
      note: 'Candles broken',
      refund_line_items: [
        {
          id: 1,
          line_item_id: 2,
          quantity: 2,
          subtotal: 15,
          total_tax: 1.5,
          line_item: { product_id: 632910393, sku: 'CNDL', title: 'Candles', price: '7.50' },
        },
      ],
      transactions: [
        { id: 1, kind: 'refund', status: 'success', amount: '16.50', currency: 'CAD' },
        { id: 2, kind: 'refund', status: 'failure', amount: '16.50', currency: 'CAD' },
      ],
    };
    const r = await webhook(shop.id, 'refunds/create', refund);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ accepted: 1 });
    expect((await webhook(shop.id, 'refunds/create', refund)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await process();
    const ana = (await profileOf('email', 'ana@example.com')) as string;
    const [listed] = (await get(`/api/v1/customers/${ana}/orders`)).data;
    const o = await get(`/api/v1/orders/${listed.id}`);
    expect(o).toMatchObject({
      status: 'partially_refunded',
      total: 61,
      refundedAmount: 16.5,
      refundedAt: '2026-06-03T12:00:00.000Z',
    });
    expect(o.refunds).toEqual([expect.objectContaining({ amount: 16.5, currency: 'CAD', reason: 'Candles broken' })]);
    expect(await facts(ana)).toEqual({ orders: 1, revenue: 44.5, currency: 'CAD' });
    // The refund event belongs to Ana's profile too.
    const e = await sql<{
      customer_id: string;
    }>`select customer_id from events where message_id = 'shopify-refund-509562969'`.execute(t.ctx.db);
    expect(e.rows[0]?.customer_id).toBe(ana);
  });

  it('an order with no customer or contact is a guest order; other topics are ignored', async () => {
    const pos = {
      id: 9001,
      name: '#1002',
      created_at: '2026-06-04T09:00:00Z',
      currency: 'CAD',
      total_price: '3.50',
      line_items: [],
    };
    expect((await webhook(shop.id, 'orders/create', pos)).statusCode).toBe(200);
    await process();
    const guest = (await get(`/api/v1/orders?sourceId=${shop.id}`)).data.find(
      (o: { externalId: string }) => o.externalId === '9001',
    );
    expect(guest).toMatchObject({ customerId: null, total: 3.5, currency: 'CAD' });

    const other = await webhook(shop.id, 'products/update', { id: 1 });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual({ success: true, ignored: true });
    const bad = await webhook(shop.id, 'orders/create', '{"id": ');
    expect(bad.statusCode).toBe(400);
  });
});

describe('reading Shopify JSON', () => {
  it('keeps 64-bit ids exact and leaves strings and ordinary numbers alone', () => {
    expect(
      parseJsonKeepingBigInts(
        '{"id": 820982911946154508, "n": -9007199254740993, "small": 1001, "price": 12.5, "e": 1e21, "note": "id 820982911946154508, \\"quoted\\"", "list": [115310627314723954]}',
      ),
    ).toEqual({
      id: '820982911946154508',
      n: '-9007199254740993',
      small: 1001,
      price: 12.5,
      e: 1e21,
      note: 'id 820982911946154508, "quoted"',
      list: ['115310627314723954'],
    });
  });
});
