import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Auth, addMember, createKey, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { registerImportJobs } from './index.js';

let t: TestApp;
let owner: Auth;
let workspaceId: string;

/** A multipart/form-data body: text fields and one `file` part. */
function multipart(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = `----kith${Math.random().toString(16).slice(2)}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  }
  if (file) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
    );
  }
  parts.push(`--${boundary}--\r\n`);
  return {
    body: Buffer.from(parts.join('')),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(auth: Auth, fields: Record<string, string>, file?: { name: string; content: string }) {
  const m = multipart(fields, file);
  return t.req('POST', '/api/v1/imports', { auth, body: m.body, headers: m.headers });
}

const customersCsv = [
  'E-mail,First name,Last name,Town,Customer no,Plan,Labels',
  'ana@example.com,Ana,García,Lugo,C-1,gold,vip;newsletter',
  'bob@example.com,Bob,Smith,Madrid,C-2,basic,',
  'not-an-email,Bad,Row,Vigo,C-3,basic,',
  ',No,Identifier,Vigo,,basic,',
  '"carla@example.com","Carla","O\'Neil, Jr.",Ourense,C-4,silver,',
].join('\n');
const customersMapping = JSON.stringify({
  'E-mail': 'email',
  'First name': 'firstName',
  'Last name': 'lastName',
  Town: 'city',
  'Customer no': 'externalId',
  Plan: 'traits.plan',
  Labels: 'tags',
});

const profileCount = async () =>
  (
    await sql<{
      n: number;
    }>`select count(*)::int as n from customers where workspace_id = ${workspaceId} and merged_into is null`.execute(
      t.ctx.db,
    )
  ).rows[0]?.n;

beforeAll(async () => {
  t = await createTestApp();
  registerImportJobs(t.ctx.jobs, t.ctx.db);
  const o = await setupOwner(t, 'Importers');
  owner = o.auth;
  workspaceId = o.workspaceId;
});

describe('customer imports', () => {
  let importId: string;

  it('queues the upload (202), runs as a job and reports the bad rows by line', async () => {
    const res = await upload(
      owner,
      { kind: 'customers', mapping: customersMapping },
      { name: 'c.csv', content: customersCsv },
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ kind: 'customers', status: 'queued', fileName: 'c.csv' });
    expect(res.json().id).toMatch(/^imp_/);
    importId = res.json().id;

    expect(await t.ctx.jobs.drain()).toBe(1);
    const done = (await t.req('GET', `/api/v1/imports/${importId}`, { auth: owner })).json();
    expect(done.status).toBe('completed');
    expect(done.progress).toEqual({ rowsTotal: 5, rowsDone: 5, rowsImported: 3, rowsDuplicate: 0, rowsRejected: 2 });
    expect(done.rejections).toEqual([
      { line: 4, field: 'email', reason: expect.stringContaining('not an email address') },
      { line: 5, reason: expect.stringContaining('No identifier') },
    ]);

    const csv = await t.req('GET', `/api/v1/imports/${importId}/rejected.csv`, { auth: owner });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('line,field,reason');
    expect(csv.body).toContain('4,email,');
    expect(csv.body).toContain('5,,');
  });

  it('creates findable profiles through the identity path, with traits and the external id', async () => {
    const ana = await t.req('GET', '/api/v1/customers/lookup?email=ANA%40example.com', { auth: owner });
    expect(ana.statusCode, ana.body).toBe(200);
    const detail = (await t.req('GET', `/api/v1/customers/${ana.json().id}`, { auth: owner })).json();
    expect(JSON.stringify(detail)).toContain('García');
    expect(JSON.stringify(detail)).toContain('gold');
    // The Labels column became the profile's own tags (not a trait).
    expect(detail.tags).toEqual(['vip', 'newsletter']);
    expect(detail.traits.tags).toBeUndefined();
    const tagged = (await t.req('GET', '/api/v1/customers?tag=vip', { auth: owner })).json();
    expect(tagged.data.map((c: { id: string }) => c.id)).toEqual([ana.json().id]);
    const carla = await t.req('GET', '/api/v1/customers/lookup?email=carla%40example.com', { auth: owner });
    expect(carla.statusCode).toBe(200);
    const byExt = await t.req('GET', '/api/v1/customers/lookup?externalId=C-2&namespace=import', { auth: owner });
    expect(byExt.statusCode, byExt.body).toBe(200);
    const bob = await t.req('GET', '/api/v1/customers/lookup?email=bob%40example.com', { auth: owner });
    expect(byExt.json().id).toBe(bob.json().id);
    expect(await profileCount()).toBe(3);
    // The rows went in as events of an import source.
    const sources = (await t.req('GET', '/api/v1/sources', { auth: owner })).json();
    expect(JSON.stringify(sources)).toContain('"channel":"import"');
  });

  it('uploading the same file again changes nothing: rows count as duplicates', async () => {
    const res = await upload(
      owner,
      { kind: 'customers', mapping: customersMapping },
      { name: 'c.csv', content: customersCsv },
    );
    expect(res.statusCode).toBe(202);
    await t.ctx.jobs.drain();
    const again = (await t.req('GET', `/api/v1/imports/${res.json().id}`, { auth: owner })).json();
    expect(again.status).toBe('completed');
    expect(again.progress).toMatchObject({ rowsDone: 5, rowsImported: 0, rowsDuplicate: 3, rowsRejected: 2 });
    expect(await profileCount()).toBe(3);
    const sources = (await t.req('GET', '/api/v1/sources', { auth: owner })).json();
    expect(JSON.stringify(sources).match(/"channel":"import"/g)).toHaveLength(1);

    const list = (await t.req('GET', '/api/v1/imports', { auth: owner })).json();
    expect(list.data.map((i: { id: string }) => i.id)).toEqual([res.json().id, importId]);
  });

  it('writes in batches across many rows, with progress', async () => {
    const rows = Array.from({ length: 1203 }, (_, i) => `bulk${i}@example.com,Bulk${i}`);
    const res = await upload(
      owner,
      { kind: 'customers', mapping: JSON.stringify({ email: 'email', name: 'firstName' }), sourceName: 'Old CRM' },
      { name: 'bulk.csv', content: ['email,name', ...rows].join('\r\n') },
    );
    expect(res.statusCode, res.body).toBe(202);
    await t.ctx.jobs.drain();
    const done = (await t.req('GET', `/api/v1/imports/${res.json().id}`, { auth: owner })).json();
    expect(done).toMatchObject({ status: 'completed', sourceName: 'Old CRM' });
    expect(done.progress).toMatchObject({ rowsTotal: 1203, rowsDone: 1203, rowsImported: 1203, rowsRejected: 0 });
    expect(await profileCount()).toBe(3 + 1203);
    const job = (await t.req('GET', `/api/v1/jobs/${done.jobId}`, { auth: owner })).json();
    expect(job.progress).toMatchObject({ done: 1203, total: 1203 });
  }, 60_000);
});

describe('validation up front', () => {
  const file = { name: 'x.csv', content: 'email,name\na@example.com,A\n' };
  const cases: [string, Record<string, string>, typeof file | undefined, string][] = [
    ['unknown Kith field', { kind: 'customers', mapping: '{"email":"email","name":"fullName"}' }, file, 'mapping.name'],
    [
      'mapped column missing',
      { kind: 'customers', mapping: '{"email":"email","Phone":"phone"}' },
      file,
      'mapping.Phone',
    ],
    ['no identifier', { kind: 'customers', mapping: '{"name":"firstName"}' }, file, 'mapping'],
    ['mapping not JSON', { kind: 'customers', mapping: '{nope' }, file, 'mapping'],
    ['mapping missing', { kind: 'customers' }, file, 'mapping'],
    ['bad kind', { kind: 'invoices', mapping: '{"email":"email"}' }, file, 'kind'],
    ['no file', { kind: 'customers', mapping: '{"email":"email"}' }, undefined, 'file'],
    ['products without productId', { kind: 'products', mapping: '{"name":"name"}' }, file, 'mapping'],
    [
      'customer field on products',
      { kind: 'products', mapping: '{"email":"productId","name":"firstName"}' },
      file,
      'mapping.name',
    ],
  ];
  for (const [label, fields, f, field] of cases) {
    it(`400 naming the field: ${label}`, async () => {
      const before = (await t.req('GET', '/api/v1/imports', { auth: owner })).json().data.length;
      const res = await upload(owner, fields, f);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.field).toBe(field);
      expect(res.json().error.message).toContain(field.replace('mapping.', ''));
      expect((await t.req('GET', '/api/v1/imports', { auth: owner })).json().data.length).toBe(before);
    });
  }

  it('a JSON body is refused', async () => {
    const res = await t.req('POST', '/api/v1/imports', { auth: owner, body: { kind: 'customers' } });
    expect(res.statusCode).toBe(415);
  });
});

describe('checking before starting', () => {
  const check = (auth: Auth, fields: Record<string, string>, file?: { name: string; content: string }) => {
    const m = multipart(fields, file);
    return t.req('POST', '/api/v1/imports/check', { auth, body: m.body, headers: m.headers });
  };
  const importCount = async () => (await t.req('GET', '/api/v1/imports', { auth: owner })).json().data.length;

  it('names the lines the import would reject, with the same rules, and stores nothing', async () => {
    const imports = await importCount();
    const profiles = await profileCount();
    const res = await check(
      owner,
      { kind: 'customers', mapping: customersMapping },
      { name: 'c.csv', content: customersCsv },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      kind: 'customers',
      preset: null,
      mapping: JSON.parse(customersMapping),
      rowsChecked: 5,
      rejections: [
        { line: 4, field: 'email', reason: expect.stringContaining('not an email address') },
        { line: 5, reason: expect.stringContaining('No identifier') },
      ],
    });
    expect(await importCount()).toBe(imports);
    expect(await profileCount()).toBe(profiles);
  });

  it('reads at most 200 rows, and accepts the beginning of a file cut anywhere after a line', async () => {
    const rows = Array.from({ length: 450 }, (_, i) => (i === 300 ? 'broken,x' : `p${i},${i}.5`));
    const res = await check(
      owner,
      { kind: 'products', mapping: JSON.stringify({ id: 'productId', price: 'price' }) },
      { name: 'p.csv', content: ['id,price', ...rows].join('\n') },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rowsChecked: 200, rejections: [] });
    const bad = await check(
      owner,
      { kind: 'products', mapping: JSON.stringify({ id: 'productId', price: 'price' }) },
      { name: 'p.csv', content: 'id,price\np1,1\n,2\np3,cheap\n' },
    );
    expect(bad.json().rejections).toEqual([
      { line: 3, field: 'productId', reason: 'productId is empty' },
      { line: 4, field: 'price', reason: expect.stringContaining('"cheap" is not a number') },
    ]);
  });

  it('checks order lines, and the Online Retail preset against the header', async () => {
    const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
    const csv = [
      header,
      '536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom',
      '536366,X,Y,two,nope,1,1,UK',
    ];
    const res = await check(
      owner,
      { kind: 'orders', preset: 'online-retail' },
      { name: 'r.csv', content: csv.join('\n') },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'orders', preset: 'online-retail', rowsChecked: 2 });
    expect(res.json().mapping).toMatchObject({ InvoiceNo: 'orderId', CustomerID: 'customerExternalId' });
    expect(res.json().rejections).toEqual([
      { line: 3, field: 'placedAt', reason: expect.stringContaining('not a date') },
    ]);
    const wrongLayout = await check(
      owner,
      { kind: 'orders', preset: 'online-retail' },
      { name: 'x.csv', content: 'a,b\n1,2\n' },
    );
    expect(wrongLayout.statusCode).toBe(400);
    expect(wrongLayout.json().error.field).toBe('file');
  });

  it('refuses a bad mapping with 400 naming the column, as an upload would', async () => {
    const res = await check(
      owner,
      { kind: 'customers', mapping: '{"email":"email","name":"fullName"}' },
      { name: 'x.csv', content: 'email,name\na@example.com,A\n' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_request', field: 'mapping.name' });
    const noFile = await check(owner, { kind: 'customers', mapping: '{"email":"email"}' });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().error.field).toBe('file');
  });

  it('needs the right to import: an analyst and a read-only key get 403', async () => {
    const analyst = await addMember(t, owner, 'analyst');
    const file = { name: 'x.csv', content: 'email\na@example.com\n' };
    const fields = { kind: 'customers', mapping: '{"email":"email"}' };
    expect((await check(analyst.auth, fields, file)).statusCode).toBe(403);
    const readOnly = await createKey(t, owner, ['read']);
    expect((await check({ bearer: readOnly.key }, fields, file)).statusCode).toBe(403);
    const writer = await createKey(t, owner, ['write']);
    expect((await check({ bearer: writer.key }, fields, file)).statusCode).toBe(200);
  });
});

describe('product imports', () => {
  it('upserts the catalogue by product id, rejecting bad prices', async () => {
    const csv = [
      'StockCode,Description,Price,Cur,Cat',
      'P1,Rye bread,3.50,eur,Bread',
      'P2,Croissant,1.2,EUR,Pastry',
      ',Nameless,1,EUR,',
      'P3,Cake,lots,EUR,Cakes',
    ].join('\n');
    const mapping = JSON.stringify({
      StockCode: 'productId',
      Description: 'name',
      Price: 'price',
      Cur: 'currency',
      Cat: 'category',
    });
    const res = await upload(owner, { kind: 'products', mapping }, { name: 'p.csv', content: csv });
    expect(res.statusCode, res.body).toBe(202);
    await t.ctx.jobs.drain();
    const done = (await t.req('GET', `/api/v1/imports/${res.json().id}`, { auth: owner })).json();
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ rowsTotal: 4, rowsImported: 2, rowsRejected: 2 });
    expect(done.rejections).toEqual([
      { line: 4, field: 'productId', reason: expect.any(String) },
      { line: 5, field: 'price', reason: expect.stringContaining('lots') },
    ]);
    const products = (await t.req('GET', '/api/v1/products', { auth: owner })).json().data;
    const rye = products.find((p: { name: string }) => p.name === 'Rye bread');
    expect(rye).toMatchObject({ price: 3.5, currency: 'EUR', category: 'Bread' });
    // Again: still two products.
    await upload(owner, { kind: 'products', mapping }, { name: 'p.csv', content: csv });
    await t.ctx.jobs.drain();
    expect((await t.req('GET', '/api/v1/products', { auth: owner })).json().data).toHaveLength(2);
  });
});

describe('access', () => {
  it('another workspace sees none of these imports; a read-only key cannot upload', async () => {
    const list = (await t.req('GET', '/api/v1/imports', { auth: owner })).json().data;
    const other = await t.req('POST', '/api/v1/workspaces', { auth: owner, body: { name: 'Other' } });
    await t.req('POST', '/api/v1/session/workspace', { auth: owner, body: { workspaceId: other.json().id } });
    const keyB = await createKey(t, owner, ['read', 'write']);
    expect((await t.req('GET', '/api/v1/imports', { auth: { bearer: keyB.key } })).json().data).toEqual([]);
    expect((await t.req('GET', `/api/v1/imports/${list[0].id}`, { auth: { bearer: keyB.key } })).statusCode).toBe(404);
    expect(
      (await t.req('GET', `/api/v1/imports/${list[0].id}/rejected.csv`, { auth: { bearer: keyB.key } })).statusCode,
    ).toBe(404);
    const readOnly = await createKey(t, owner, ['read']);
    const m = multipart(
      { kind: 'customers', mapping: '{"email":"email"}' },
      { name: 'x.csv', content: 'email\na@b.co\n' },
    );
    const res = await t.req('POST', '/api/v1/imports', {
      auth: { bearer: readOnly.key },
      body: m.body,
      headers: m.headers,
    });
    expect(res.statusCode).toBe(403);
    await t.req('POST', '/api/v1/session/workspace', { auth: owner, body: { workspaceId } });
  });
});
