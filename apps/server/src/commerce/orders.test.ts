/** Orders and the catalogue from Segment e-commerce events, end to end: tracking API in, orders API out (DATA-6). */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { processAllPending } from '../ingest/index.js';
import { addMember, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { applyCommerceEvent } from './events.js';
import { upsertOrder } from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
const keys: Record<string, string> = {};
const sources: Record<string, string> = {};
let seq = 0;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function send(channel: string, body: Record<string, unknown>) {
  const r = await t.req('POST', `/v1/${body.type ?? 'track'}`, {
    body: JSON.stringify({ messageId: `m-${++seq}`, ...body }),
    headers: { 'content-type': 'application/json', authorization: basic(keys[channel] as string) },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}
const track = (channel: string, who: Record<string, unknown>, event: string, properties: unknown, timestamp: string) =>
  send(channel, { type: 'track', ...who, event, properties, timestamp });
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
  return r.rows[0]?.customer_id as string;
}
async function facts(customerId: string) {
  const r = await sql<{
    order_count: number;
    revenue: string;
    currency: string | null;
    first_order_at: Date | null;
    last_order_at: Date | null;
  }>`select order_count, revenue::text as revenue, currency, first_order_at, last_order_at from customers where id = ${customerId}`.execute(
    t.ctx.db,
  );
  const c = r.rows[0] as NonNullable<(typeof r.rows)[0]>;
  return {
    orders: c.order_count,
    revenue: Number(c.revenue),
    aov: c.order_count ? Math.round((Number(c.revenue) / c.order_count) * 100) / 100 : null,
    currency: c.currency,
    firstOrderAt: c.first_order_at?.toISOString() ?? null,
    lastOrderAt: c.last_order_at?.toISOString() ?? null,
  };
}
async function orderByExternal(externalId: string) {
  const list = await get(`/api/v1/orders?limit=200`);
  const o = list.data.find((x: { externalId: string }) => x.externalId === externalId);
  return o ? get(`/api/v1/orders/${o.id}`) : undefined;
}
async function count(table: string, where = sql`true`) {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from ${sql.table(table)} where workspace_id = ${owner.workspaceId} and ${where}`.execute(
    t.ctx.db,
  );
  return r.rows[0]?.n ?? 0;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  const ws = await t.req('PATCH', '/api/v1/workspace', {
    auth: owner.auth,
    body: { currency: 'EUR', defaultCountry: 'ES' },
  });
  expect(ws.statusCode, ws.body).toBe(200);
  for (const [name, channel] of [
    ['Shop', 'ecommerce'],
    ['Counter', 'store'],
  ] as const) {
    const r = await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name, channel } });
    keys[channel] = r.json().writeKey;
    sources[channel] = r.json().id;
  }
});

describe('orders from e-commerce events', () => {
  const lucia = { userId: 'u-lucia' };
  let customerId: string;

  it('Order Completed: the order with its items and currency, the products, the customer facts', async () => {
    await send('ecommerce', {
      type: 'identify',
      ...lucia,
      traits: { email: 'lucia@example.com' },
      timestamp: '2026-03-01T09:00:00Z',
    });
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      {
        order_id: 'A-1',
        total: 32,
        subtotal: 30,
        tax: 2,
        shipping: 0,
        discount: 0,
        coupon: 'WELCOME',
        currency: 'eur',
        products: [
          { product_id: 'croissant', sku: 'CR-1', name: 'Croissant', category: 'Pastry', price: 2.5, quantity: 4 },
          { product_id: 'sourdough', sku: 'SD-1', name: 'Sourdough loaf', price: '20.00', quantity: 1 },
        ],
      },
      '2026-03-01T10:00:00Z',
    );
    await process();
    customerId = await profileOf('user_id', 'u-lucia');
    const o = await orderByExternal('A-1');
    expect(o).toMatchObject({
      customerId,
      status: 'completed',
      currency: 'EUR',
      subtotal: 30,
      tax: 2,
      total: 32,
      refundedAmount: 0,
      netTotal: 32,
      coupon: 'WELCOME',
      channel: 'ecommerce',
      sourceId: sources.ecommerce,
      placedAt: '2026-03-01T10:00:00.000Z',
    });
    expect(o.items).toEqual([
      expect.objectContaining({
        position: 0,
        sku: 'CR-1',
        name: 'Croissant',
        quantity: 4,
        unitPrice: 2.5,
        total: 10,
        currency: 'EUR',
      }),
      expect.objectContaining({
        position: 1,
        sku: 'SD-1',
        name: 'Sourdough loaf',
        quantity: 1,
        unitPrice: 20,
        total: 20,
      }),
    ]);
    expect(o.items[0].productId).toMatch(/^prd_/);
    const croissant = await get(`/api/v1/products/${o.items[0].productId}`);
    expect(croissant).toMatchObject({
      externalId: 'croissant',
      name: 'Croissant',
      category: 'Pastry',
      price: 2.5,
      currency: 'EUR',
    });
    expect(croissant.sales).toEqual({ orders: 1, units: 4 });
    expect(await facts(customerId)).toEqual({
      orders: 1,
      revenue: 32,
      aov: 32,
      currency: 'EUR',
      firstOrderAt: '2026-03-01T10:00:00.000Z',
      lastOrderAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('an order without a currency is in the workspace currency; one in another currency keeps its own', async () => {
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      { order_id: 'A-2', products: [{ sku: 'JAM', name: 'Jam', price: 5, quantity: 4 }] },
      '2026-03-02T10:00:00Z',
    );
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      { order_id: 'A-3', revenue: 15, tax: 1.5, currency: 'USD' },
      '2026-03-03T10:00:00Z',
    );
    await process();
    expect(await orderByExternal('A-2')).toMatchObject({
      currency: 'EUR',
      total: 20,
      subtotal: 20,
      status: 'completed',
    });
    expect(await orderByExternal('A-3')).toMatchObject({ currency: 'USD', total: 16.5, subtotal: 15, items: [] });
    // Three orders; revenue in the currency most of them use (EUR), the USD order only counted.
    expect(await facts(customerId)).toMatchObject({
      orders: 3,
      revenue: 52,
      currency: 'EUR',
      lastOrderAt: '2026-03-03T10:00:00.000Z',
    });
  });

  it('Order Updated changes amounts and replaces the items', async () => {
    await track(
      'ecommerce',
      lucia,
      'Order Updated',
      { order_id: 'A-2', products: [{ sku: 'JAM', name: 'Jam', price: 5, quantity: 5 }] },
      '2026-03-02T11:00:00Z',
    );
    await process();
    const o = await orderByExternal('A-2');
    expect(o).toMatchObject({ status: 'updated', total: 25, currency: 'EUR', placedAt: '2026-03-02T10:00:00.000Z' });
    expect(o.items).toHaveLength(1);
    expect(o.items[0]).toMatchObject({ quantity: 5, total: 25 });
    expect(await facts(customerId)).toMatchObject({ orders: 3, revenue: 57, aov: 19 });
  });

  it('a late Order Completed older than the update does not overwrite it', async () => {
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      { order_id: 'A-2', products: [{ sku: 'JAM', name: 'Jam', price: 5, quantity: 4 }] },
      '2026-03-02T10:00:00Z',
    );
    await process();
    expect(await orderByExternal('A-2')).toMatchObject({ status: 'updated', total: 25 });
  });

  it('Order Refunded with an amount is a partial refund; without one, a full refund', async () => {
    await track(
      'ecommerce',
      lucia,
      'Order Refunded',
      { order_id: 'A-1', total: 10, currency: 'EUR' },
      '2026-03-05T10:00:00Z',
    );
    await process();
    expect(await orderByExternal('A-1')).toMatchObject({
      status: 'partially_refunded',
      total: 32,
      refundedAmount: 10,
      netTotal: 22,
      refundedAt: '2026-03-05T10:00:00.000Z',
    });
    expect(await facts(customerId)).toMatchObject({ orders: 3, revenue: 47 });

    await track('ecommerce', lucia, 'Order Refunded', { order_id: 'A-2' }, '2026-03-06T10:00:00Z');
    await process();
    const a2 = await orderByExternal('A-2');
    expect(a2).toMatchObject({ status: 'refunded', total: 25, refundedAmount: 25, netTotal: 0 });
    expect(a2.refunds).toEqual([
      expect.objectContaining({ amount: null, currency: 'EUR', refundedAt: '2026-03-06T10:00:00.000Z' }),
    ]);
    // A fully refunded order is still an order; it no longer counts in revenue.
    expect(await facts(customerId)).toMatchObject({ orders: 3, revenue: 22, aov: 7.33 });

    // Refunded products without an amount: their value.
    await track(
      'ecommerce',
      lucia,
      'Order Refunded',
      { order_id: 'A-1', products: [{ product_id: 'croissant', price: 2.5, quantity: 2 }] },
      '2026-03-07T10:00:00Z',
    );
    await process();
    expect(await orderByExternal('A-1')).toMatchObject({ status: 'partially_refunded', refundedAmount: 15 });
    expect(await facts(customerId)).toMatchObject({ revenue: 17 });
  });

  it('Order Cancelled: the order stays, cancelled, and no longer counts', async () => {
    await track('ecommerce', lucia, 'Order Cancelled', { order_id: 'A-3' }, '2026-03-04T10:00:00Z');
    await process();
    expect(await orderByExternal('A-3')).toMatchObject({
      status: 'cancelled',
      cancelledAt: '2026-03-04T10:00:00.000Z',
      netTotal: 0,
    });
    expect(await facts(customerId)).toMatchObject({
      orders: 2,
      revenue: 17,
      currency: 'EUR',
      lastOrderAt: '2026-03-02T10:00:00.000Z',
    });
  });

  it('is idempotent: the same order again, the same events processed twice, change nothing', async () => {
    const before = {
      orders: await count('orders'),
      items: await count('order_items'),
      refunds: await count('order_refunds'),
      products: await count('products'),
      facts: await facts(customerId),
    };
    // The same order sent again (an SDK retry with a new messageId, a replay): keyed on order_id.
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      {
        order_id: 'A-1',
        total: 32,
        subtotal: 30,
        tax: 2,
        currency: 'EUR',
        products: [
          { product_id: 'croissant', sku: 'CR-1', name: 'Croissant', price: 2.5, quantity: 4 },
          { product_id: 'sourdough', sku: 'SD-1', name: 'Sourdough loaf', price: 20, quantity: 1 },
        ],
      },
      '2026-03-01T10:00:00Z',
    );
    // The same messageId again: a duplicate at the door.
    const dup = await t.req('POST', '/v1/track', {
      body: JSON.stringify({
        messageId: `m-${seq}`,
        ...lucia,
        event: 'Order Completed',
        properties: { order_id: 'A-1', total: 99 },
      }),
      headers: { 'content-type': 'application/json', authorization: basic(keys.ecommerce as string) },
    });
    expect(dup.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    await process();
    // Every stored commerce event processed a second time.
    const events = await sql<Parameters<typeof applyCommerceEvent>[1]>`
      select * from events where workspace_id = ${owner.workspaceId} and type = 'track' order by seq`.execute(t.ctx.db);
    await t.ctx.db.transaction().execute(async (tx) => {
      for (const e of events.rows) await applyCommerceEvent(tx, e, e.customer_id);
    });
    expect({
      orders: await count('orders'),
      items: await count('order_items'),
      refunds: await count('order_refunds'),
      products: await count('products'),
      facts: await facts(customerId),
    }).toEqual(before);
    const a1 = await orderByExternal('A-1');
    expect(a1).toMatchObject({ total: 32, refundedAmount: 15, status: 'partially_refunded' });
    expect(a1.items).toHaveLength(2);
  });

  it('keeps orders without a known customer as guest orders', async () => {
    await track(
      'store',
      { anonymousId: 'guest' },
      'Order Completed',
      { order_id: 'POS-1', total: 4.2 },
      '2026-03-08T08:00:00Z',
    );
    await process();
    const o = await orderByExternal('POS-1');
    expect(o).toMatchObject({ customerId: null, total: 4.2, currency: 'EUR', channel: 'store', status: 'completed' });
    const guests = await get(`/api/v1/orders?sourceId=${sources.store}`);
    expect(guests.data.map((x: { externalId: string }) => x.externalId)).toEqual(['POS-1']);
    // An import's guest order goes the same way.
    const id = await t.ctx.db.transaction().execute((tx) =>
      upsertOrder(tx, owner.workspaceId, {
        sourceId: sources.store as string,
        channel: 'store',
        externalId: 'INV-7',
        customerId: null,
        currency: 'EUR',
        total: 12,
        items: [{ sku: 'X', name: 'Cake', quantity: 1, unitPrice: 12 }],
        placedAt: new Date('2026-03-08T09:00:00Z'),
      }),
    );
    expect((await get(`/api/v1/orders/${id}`)).customerId).toBeNull();
  });

  it('a refund that arrives before its order is kept, and the order fills in around it', async () => {
    await track('ecommerce', lucia, 'Order Refunded', { order_id: 'A-9', total: 5 }, '2026-03-10T10:00:00Z');
    await process();
    expect(await orderByExternal('A-9')).toMatchObject({ refundedAmount: 5, status: 'refunded' });
    await track(
      'ecommerce',
      lucia,
      'Order Completed',
      { order_id: 'A-9', total: 40, currency: 'EUR' },
      '2026-03-09T10:00:00Z',
    );
    await process();
    expect(await orderByExternal('A-9')).toMatchObject({
      total: 40,
      refundedAmount: 5,
      status: 'partially_refunded',
      placedAt: '2026-03-09T10:00:00.000Z',
    });
    expect(await facts(customerId)).toMatchObject({ orders: 3, revenue: 52 });
  });

  it("lists a customer's orders, newest first, with keyset pages and filters", async () => {
    const all = await get(`/api/v1/customers/${customerId}/orders`);
    expect(all.data.map((o: { externalId: string }) => o.externalId)).toEqual(['A-9', 'A-3', 'A-2', 'A-1']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { externalId: string }[]; nextCursor: string | null } = await get(
        `/api/v1/customers/${customerId}/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.data.map((o) => o.externalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['A-9', 'A-3', 'A-2', 'A-1']);
    const refunded = await get(`/api/v1/orders?customerId=${customerId}&status=partially_refunded`);
    expect(refunded.data.map((o: { externalId: string }) => o.externalId)).toEqual(['A-9', 'A-1']);
    const march2to4 = await get(`/api/v1/orders?from=2026-03-02&to=2026-03-04T00:00:00Z`);
    expect(march2to4.data.map((o: { externalId: string }) => o.externalId)).toEqual(['A-3', 'A-2']);
    expect((await t.req('GET', '/api/v1/orders?cursor=nonsense', { auth: owner.auth })).statusCode).toBe(400);
    expect((await t.req('GET', '/api/v1/orders?from=yesterday', { auth: owner.auth })).json().error.field).toBe('from');
    expect((await t.req('GET', '/api/v1/orders/ord_nope', { auth: owner.auth })).statusCode).toBe(404);
    expect((await t.req('GET', '/api/v1/customers/cus_nope/orders', { auth: owner.auth })).statusCode).toBe(404);
    // Every role reads orders.
    const analyst = await addMember(t, owner.auth, 'analyst');
    expect((await t.req('GET', '/api/v1/orders', { auth: analyst.auth })).statusCode).toBe(200);
  });

  it('puts orders, refunds and cancellations on the customer timeline', async () => {
    const r = await t.req('GET', `/api/v1/customers/${customerId}/timeline?limit=100`, { auth: owner.auth });
    expect(r.statusCode, r.body).toBe(200);
    const orders = r.json().data.filter((i: { kind: string }) => i.kind === 'order');
    expect(orders.map((i: { type: string; at: string }) => `${i.type} ${i.at.slice(0, 10)}`)).toEqual([
      'order.refunded 2026-03-10',
      'order.completed 2026-03-09',
      'order.refunded 2026-03-07',
      'order.refunded 2026-03-06',
      'order.refunded 2026-03-05',
      'order.cancelled 2026-03-04',
      'order.completed 2026-03-03',
      'order.completed 2026-03-02',
      'order.completed 2026-03-01',
    ]);
    expect(orders.find((i: { type: string }) => i.type === 'order.completed')).toMatchObject({
      channel: 'ecommerce',
      sourceId: sources.ecommerce,
      title: 'Order #A-9: 40.00 EUR',
    });
    // Pages of the timeline never skip or repeat an order item.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string; kind: string }[]; nextCursor: string | null } = (
        await t.req('GET', `/api/v1/customers/${customerId}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          auth: owner.auth,
        })
      ).json();
      paged.push(...page.data.filter((i) => i.kind === 'order').map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(orders.map((i: { id: string }) => i.id));
  });
});

describe('merges', () => {
  it("moves the merged profile's orders to the survivor and recomputes its facts", async () => {
    await send('ecommerce', {
      type: 'identify',
      anonymousId: 'anon-m',
      traits: { email: 'marta@example.com' },
      timestamp: '2026-04-01T09:00:00Z',
    });
    await track(
      'ecommerce',
      { anonymousId: 'anon-m' },
      'Order Completed',
      { order_id: 'M-1', total: 10 },
      '2026-04-01T10:00:00Z',
    );
    await send('store', {
      type: 'identify',
      anonymousId: 'pos-m',
      traits: { phone: '699 111 222' },
      timestamp: '2026-04-02T09:00:00Z',
    });
    await track(
      'store',
      { anonymousId: 'pos-m' },
      'Order Completed',
      { order_id: 'M-2', total: 30 },
      '2026-04-02T10:00:00Z',
    );
    await process();
    const older = await profileOf('email', 'marta@example.com');
    const newer = await profileOf('phone', '+34699111222');
    expect(older).not.toBe(newer);
    expect(await facts(older)).toMatchObject({ orders: 1, revenue: 10 });
    expect(await facts(newer)).toMatchObject({ orders: 1, revenue: 30 });

    await send('ecommerce', {
      type: 'identify',
      userId: 'u-marta',
      traits: { email: 'marta@example.com', phone: '+34 699 111 222' },
      timestamp: '2026-04-03T09:00:00Z',
    });
    await process();
    expect(await profileOf('phone', '+34699111222')).toBe(older);
    expect(await facts(older)).toEqual({
      orders: 2,
      revenue: 40,
      aov: 20,
      currency: 'EUR',
      firstOrderAt: '2026-04-01T10:00:00.000Z',
      lastOrderAt: '2026-04-02T10:00:00.000Z',
    });
    expect(await count('orders', sql`customer_id = ${newer}`)).toBe(0);
    // The merged id still answers, with the survivor's orders.
    const viaMerged = await get(`/api/v1/customers/${newer}/orders`);
    expect(viaMerged.data.map((o: { externalId: string }) => o.externalId)).toEqual(['M-2', 'M-1']);
  });
});

describe('the product catalogue', () => {
  it('is kept current by product events; newer sightings win, older ones only fill gaps', async () => {
    const who = { anonymousId: 'browser-1' };
    await track(
      'ecommerce',
      who,
      'Product Viewed',
      {
        product_id: 'jam-apricot',
        sku: 'JAM-AP',
        name: 'Apricot jam',
        price: 4.5,
        currency: 'EUR',
        url: 'https://bakery.test/jam',
        brand: 'Home',
      },
      '2026-05-01T10:00:00Z',
    );
    await track(
      'ecommerce',
      who,
      'Product Added',
      { product_id: 'jam-apricot', price: 4.9, quantity: 1 },
      '2026-05-02T10:00:00Z',
    );
    // An older sighting: fills the category, does not bring the old price back.
    await track(
      'ecommerce',
      who,
      'product_viewed',
      { product_id: 'jam-apricot', price: 3.9, category: 'Preserves' },
      '2026-04-01T10:00:00Z',
    );
    await track(
      'ecommerce',
      who,
      'Cart Viewed',
      {
        cart_id: 'c1',
        products: [
          { product_id: 'scone', name: 'Scone', price: 2 },
          { sku: 'TEA-1', name: 'Breakfast tea', price: 6 },
        ],
      },
      '2026-05-02T11:00:00Z',
    );
    await track(
      'ecommerce',
      who,
      'Checkout Started',
      { products: [{ product_id: 'scone', name: 'Cream scone' }] },
      '2026-05-02T12:00:00Z',
    );
    await track(
      'ecommerce',
      who,
      'Product List Viewed',
      { list_id: 'l', products: [{ product_id: 'muffin', name: 'Muffin' }, { name: 'no id' }] },
      '2026-05-02T13:00:00Z',
    );
    await track(
      'ecommerce',
      who,
      'Product Removed',
      { product_id: 'muffin', variant: 'blueberry' },
      '2026-05-02T14:00:00Z',
    );
    await process();

    const jam = (await get('/api/v1/products?q=apricot')).data;
    expect(jam).toHaveLength(1);
    expect(jam[0]).toMatchObject({
      externalId: 'jam-apricot',
      sku: 'JAM-AP',
      name: 'Apricot jam',
      brand: 'Home',
      category: 'Preserves',
      price: 4.9,
      currency: 'EUR',
      url: 'https://bakery.test/jam',
      firstSeenAt: '2026-04-01T10:00:00.000Z',
      lastSeenAt: '2026-05-02T10:00:00.000Z',
    });
    expect((await get('/api/v1/products?q=TEA-1')).data[0]).toMatchObject({
      externalId: 'TEA-1',
      name: 'Breakfast tea',
      price: 6,
    });
    expect((await get('/api/v1/products?q=scone')).data[0]).toMatchObject({ name: 'Cream scone', price: 2 });
    expect((await get('/api/v1/products?q=muffin')).data[0]).toMatchObject({ name: 'Muffin', variant: 'blueberry' });
    expect((await get('/api/v1/products?q=%25')).data).toEqual([]);

    // The whole catalogue, alphabetically, in keyset pages.
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { name: string | null; externalId: string }[]; nextCursor: string | null } = await get(
        `/api/v1/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      names.push(...page.data.map((p) => p.name ?? p.externalId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toEqual([
      'Apricot jam',
      'Breakfast tea',
      'Cream scone',
      'Croissant',
      'Jam',
      'Muffin',
      'Sourdough loaf',
    ]);
    expect((await t.req('GET', '/api/v1/products/prd_nope', { auth: owner.auth })).statusCode).toBe(404);
  });

  it('rewrites a product only when a sighting changes it (last seen: a day later), so repeated sightings leave no dead rows', async () => {
    const who = { anonymousId: 'browser-2' };
    const version = async () =>
      (
        await sql<{
          v: string;
          last: Date;
        }>`select xmin::text as v, last_seen_at as last from products where workspace_id = ${owner.workspaceId} and external_id = 'bap'`.execute(
          t.ctx.db,
        )
      ).rows[0];
    const view = (at: string, extra: Record<string, unknown> = {}) =>
      track('ecommerce', who, 'Product Viewed', { product_id: 'bap', name: 'Bap', price: 1.2, ...extra }, at);
    await view('2026-06-01T10:00:00Z');
    await process();
    const first = await version();
    await view('2026-06-01T10:00:00Z', { x: 1 });
    await view('2026-06-01T18:00:00Z');
    await process();
    expect(await version()).toEqual(first); // nothing new: the same row version
    await view('2026-06-03T09:00:00Z');
    await process();
    const later = await version();
    expect(later?.v).not.toBe(first?.v);
    expect(later?.last.toISOString()).toBe('2026-06-03T09:00:00.000Z');
    await view('2026-06-03T10:00:00Z', { price: 1.3 });
    await process();
    expect((await get('/api/v1/products?q=bap')).data[0]).toMatchObject({
      price: 1.3,
      lastSeenAt: '2026-06-03T10:00:00.000Z',
    });
  });
});

describe('one processing batch', () => {
  it('orders written together end as they would one by one: repeats, a merge, a refund, a cancellation', async () => {
    // Everything below is processed in one batch (one transaction): the orders are queued and written together.
    const at = (h: number) => `2026-05-01T${String(h).padStart(2, '0')}:00:00Z`;
    await send('ecommerce', {
      type: 'identify',
      anonymousId: 'anon-b',
      traits: { email: 'bea@example.com' },
      timestamp: at(8),
    });
    await track(
      'ecommerce',
      { anonymousId: 'anon-b' },
      'Order Completed',
      {
        order_id: 'B-1',
        products: [{ product_id: 'bun', name: 'Bun', price: 1.5, quantity: 2 }],
      },
      at(9),
    );
    await send('store', { type: 'identify', anonymousId: 'pos-b', traits: { phone: '699 222 333' }, timestamp: at(9) });
    await track(
      'store',
      { anonymousId: 'pos-b' },
      'Order Completed',
      {
        order_id: 'B-2',
        products: [{ product_id: 'bun', name: 'Bun (big)', price: 2, quantity: 5 }],
      },
      at(10),
    );
    // The same order again in the batch: the later snapshot replaces the items.
    await track(
      'ecommerce',
      { anonymousId: 'anon-b' },
      'Order Updated',
      {
        order_id: 'B-1',
        products: [{ product_id: 'bun', price: 1.5, quantity: 4 }],
      },
      at(11),
    );
    await track('store', { anonymousId: 'pos-b' }, 'Order Completed', { order_id: 'B-3', total: 7 }, at(12));
    await track('store', { anonymousId: 'pos-b' }, 'Order Refunded', { order_id: 'B-2', total: 4 }, at(13));
    await track('store', { anonymousId: 'pos-b' }, 'Order Cancelled', { order_id: 'B-3' }, at(14));
    // Links the two profiles: the store one (and its orders) merges into the web one.
    await send('ecommerce', {
      type: 'identify',
      userId: 'u-bea',
      traits: { email: 'bea@example.com', phone: '+34 699 222 333' },
      timestamp: at(15),
    });
    expect(await process()).toBe(9);

    const bea = await profileOf('user_id', 'u-bea');
    expect(await profileOf('phone', '+34699222333')).toBe(bea);
    const b1 = await orderByExternal('B-1');
    expect(b1).toMatchObject({ customerId: bea, total: 6, status: 'updated' });
    expect(b1.items).toMatchObject([{ quantity: 4, unitPrice: 1.5 }]);
    expect(await orderByExternal('B-2')).toMatchObject({
      customerId: bea,
      total: 10,
      refundedAmount: 4,
      status: 'partially_refunded',
    });
    expect(await orderByExternal('B-3')).toMatchObject({ customerId: bea, status: 'cancelled' });
    // B-1 (6) and B-2 (10 − 4) count; the cancelled B-3 does not.
    expect(await facts(bea)).toMatchObject({ orders: 2, revenue: 12, lastOrderAt: '2026-05-01T10:00:00.000Z' });
    // The catalogue keeps the newest sighting's name and price.
    const products = await get('/api/v1/products?q=bun');
    expect(products.data).toMatchObject([{ externalId: 'bun', name: 'Bun (big)', price: 1.5 }]);
  });
});
