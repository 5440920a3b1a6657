import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { registerImportJobs } from './index.js';

let t: TestApp;
let owner: Auth;
let workspaceId: string;

/** A multipart/form-data body: text fields and one `file` part. */
function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = `----kith${Math.random().toString(16).slice(2)}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  }
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
  );
  parts.push(`--${boundary}--\r\n`);
  return {
    body: Buffer.from(parts.join('')),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Uploads, runs the job and returns the finished import. */
async function importFile(fields: Record<string, string>, content: string) {
  const m = multipart(fields, { name: 'orders.csv', content });
  const res = await t.req('POST', '/api/v1/imports', { auth: owner, body: m.body, headers: m.headers });
  expect(res.statusCode, res.body).toBe(202);
  await t.ctx.jobs.drain();
  return (await t.req('GET', `/api/v1/imports/${res.json().id}`, { auth: owner })).json();
}

const snapshot = async () => ({
  orders: (
    await sql<{
      external_id: string;
      customer_id: string | null;
      total: string;
      cancelled: boolean;
      items: number;
    }>`select o.external_id, o.customer_id, o.total::text as total, o.cancelled_at is not null as cancelled,
              (select count(*)::int from order_items i where i.order_id = o.id) as items
       from orders o where o.workspace_id = ${workspaceId} order by o.external_id`.execute(t.ctx.db)
  ).rows,
  customers: (
    await sql<{ id: string; order_count: number; revenue: string }>`
      select id, order_count, revenue::text as revenue from customers
      where workspace_id = ${workspaceId} and merged_into is null order by id`.execute(t.ctx.db)
  ).rows,
});

const lookup = async (q: string) => (await t.req('GET', `/api/v1/customers/lookup?${q}`, { auth: owner })).json();

beforeAll(async () => {
  t = await createTestApp();
  registerImportJobs(t.ctx.jobs, t.ctx.db);
  const o = await setupOwner(t, 'Order importers');
  owner = o.auth;
  workspaceId = o.workspaceId;
});

const ordersCsv = [
  'Order,Email,Date,SKU,Item,Qty,Price,Status,Currency',
  'A-1,ana@example.com,2024-03-01 10:00:00,S1,Bread,2,3.50,,EUR',
  'A-2,bob@example.com,2024-03-02T09:00:00Z,S2,Cake,1,12.00,,EUR',
  'A-1,ana@example.com,2024-03-01 10:00:00,S2,Cake,1,12.00,,EUR',
  'G-1,,2024-03-03 11:00:00,S1,Bread,4,3.50,,EUR',
  'A-3,ana@example.com,2024-03-04 12:00:00,S1,Bread,10,3.50,cancelled,EUR',
  'A-4,ana@example.com,not a date,S1,Bread,1,3.50,,EUR',
  'A-2,bob@example.com,2024-03-02T09:00:00Z,S3,Tea,3,2.00,,EUR',
].join('\n');
const ordersMapping = JSON.stringify({
  Order: 'orderId',
  Email: 'customerEmail',
  Date: 'placedAt',
  SKU: 'productId',
  Item: 'productName',
  Qty: 'quantity',
  Price: 'unitPrice',
  Status: 'status',
  Currency: 'currency',
});

describe('orders imports', () => {
  let first: Awaited<ReturnType<typeof snapshot>>;

  it('groups lines into orders, resolves customers, keeps guest and cancelled orders, reports bad lines', async () => {
    const done = await importFile({ kind: 'orders', mapping: ordersMapping }, ordersCsv);
    expect(done.status, done.error).toBe('completed');
    expect(done.progress).toMatchObject({ rowsTotal: 7, rowsImported: 6, rowsRejected: 1 });
    expect(done.rejections).toEqual([{ line: 7, field: 'placedAt', reason: expect.stringContaining('not a date') }]);

    first = await snapshot();
    const ana = await lookup('email=ana%40example.com');
    const bob = await lookup('email=bob%40example.com');
    expect(first.orders).toEqual([
      { external_id: 'A-1', customer_id: ana.id, total: '19.00', cancelled: false, items: 2 },
      { external_id: 'A-2', customer_id: bob.id, total: '18.00', cancelled: false, items: 2 },
      { external_id: 'A-3', customer_id: ana.id, total: '35.00', cancelled: true, items: 1 },
      { external_id: 'G-1', customer_id: null, total: '14.00', cancelled: false, items: 1 },
    ]);
    const facts = Object.fromEntries(first.customers.map((c) => [c.id, c]));
    expect(facts[ana.id]).toMatchObject({ order_count: 1, revenue: '19.00' });
    expect(facts[bob.id]).toMatchObject({ order_count: 1, revenue: '18.00' });
    expect(first.customers).toHaveLength(2);
  });

  it('re-running the same file changes nothing', async () => {
    const again = await importFile({ kind: 'orders', mapping: ordersMapping }, ordersCsv);
    expect(again.status).toBe('completed');
    expect(again.progress).toMatchObject({ rowsRejected: 1 });
    expect(await snapshot()).toEqual(first);
  });

  it('refuses a mapping without orderId or placedAt, and a preset with a mapping', async () => {
    const m = multipart(
      { kind: 'orders', mapping: JSON.stringify({ Order: 'orderId' }) },
      { name: 'o.csv', content: ordersCsv },
    );
    const res = await t.req('POST', '/api/v1/imports', { auth: owner, body: m.body, headers: m.headers });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('placedAt');
    const both = multipart(
      { kind: 'orders', mapping: ordersMapping, preset: 'online-retail' },
      { name: 'o.csv', content: ordersCsv },
    );
    expect(
      (await t.req('POST', '/api/v1/imports', { auth: owner, body: both.body, headers: both.headers })).statusCode,
    ).toBe(400);
    const wrong = multipart({ kind: 'orders', preset: 'online-retail' }, { name: 'o.csv', content: ordersCsv });
    const r = await t.req('POST', '/api/v1/imports', { auth: owner, body: wrong.body, headers: wrong.headers });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('InvoiceNo');
  });
});

const retailCsv = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
  '536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom',
  '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047.0,United Kingdom',
  '536370,22728,"ALARM CLOCK BAKELIKE PINK, RED",24,2010-12-01 08:45:00,3.75,12583.0,France',
  '536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.0,12583.0,France',
  '536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,2010-12-01 14:32:00,2.51,,United Kingdom',
  '536544,21774,DECORATIVE CATS BATHROOM BOTTLE,2,2010-12-01 14:32:00,2.51,,United Kingdom',
  'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom',
  '536380,22961,JAM MAKING SET PRINTED,24,2010-12-01 09:41:00,1.45,14527.0,United Kingdom',
  'C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,2010-12-01 09:49:00,4.65,15311.0,United Kingdom',
  "536367,22745,POPPY'S PLAYHOUSE BEDROOM,6,2010-12-01 08:34:00,2.1,13047.0,United Kingdom",
].join('\n');

describe('the online-retail preset', () => {
  it('imports invoices as orders: C invoices cancelled, empty CustomerID a guest, totals in GBP', async () => {
    const done = await importFile({ kind: 'orders', preset: 'online-retail', sourceName: 'Online Retail' }, retailCsv);
    expect(done.status, done.error).toBe('completed');
    expect(done.preset).toBe('online-retail');
    expect(done.progress).toMatchObject({ rowsTotal: 12, rowsImported: 12, rowsRejected: 0 });

    const c17850 = await lookup('externalId=17850&namespace=online_retail');
    expect(c17850.id).toBeTruthy();
    const detail = (await t.req('GET', `/api/v1/customers/${c17850.id}`, { auth: owner })).json();
    expect(JSON.stringify(detail)).toContain('United Kingdom');
    const c12583 = await lookup('externalId=12583&namespace=online_retail');
    const c14527 = await lookup('externalId=14527&namespace=online_retail');
    const c15311 = await lookup('externalId=15311&namespace=online_retail');

    const rows = (
      await sql<{
        external_id: string;
        customer_id: string | null;
        total: string;
        currency: string;
        cancelled: boolean;
      }>`
        select external_id, customer_id, total::text as total, currency, cancelled_at is not null as cancelled
        from orders where workspace_id = ${workspaceId} and channel = 'import' and currency = 'GBP'
        order by external_id`.execute(t.ctx.db)
    ).rows;
    expect(rows).toEqual([
      { external_id: '536365', customer_id: c17850.id, total: '35.64', currency: 'GBP', cancelled: false },
      { external_id: '536366', customer_id: c17850.id, total: '11.10', currency: 'GBP', cancelled: false },
      { external_id: '536367', customer_id: expect.any(String), total: '66.68', currency: 'GBP', cancelled: false },
      { external_id: '536370', customer_id: c12583.id, total: '144.00', currency: 'GBP', cancelled: false },
      { external_id: '536380', customer_id: c14527.id, total: '34.80', currency: 'GBP', cancelled: false },
      { external_id: '536544', customer_id: null, total: '7.53', currency: 'GBP', cancelled: false },
      { external_id: 'C536379', customer_id: c14527.id, total: '-27.50', currency: 'GBP', cancelled: true },
      { external_id: 'C536383', customer_id: c15311.id, total: '-4.65', currency: 'GBP', cancelled: true },
    ]);
    const facts = async (id: string) =>
      (
        await sql<{
          order_count: number;
          revenue: string;
        }>`select order_count, revenue::text as revenue from customers where id = ${id}`.execute(t.ctx.db)
      ).rows[0];
    expect(await facts(c17850.id)).toEqual({ order_count: 2, revenue: '46.74' });
    expect(await facts(c14527.id)).toEqual({ order_count: 1, revenue: '34.80' });
    expect(await facts(c15311.id)).toEqual({ order_count: 0, revenue: '0.00' });
  });
});
