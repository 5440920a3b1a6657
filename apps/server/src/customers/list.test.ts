/** Finding customers: search, filters, sorts, keyset pages, lookup, bulk tags, CSV export (DATA-1, DATA-5, DATA-7). */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createOtherWorkspace, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import { lockWorkspaceIdentity, mergeCustomers } from './index.js';
import * as repo from './repository.js';
import { CUSTOMER_SORTS } from './schemas.js';

let t: TestApp;
let ws: string;
let auth: Auth;
const ids: Record<string, string> = {};

const FIRST = ['Ana', 'Bruno', 'Carla', 'David', 'Elena', 'Fran', null];
const LAST = ['García', 'López', null, 'Martín'];
const T0 = new Date('2025-01-01T00:00:00Z');
const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);

async function get(url: string) {
  const r = await t.req('GET', url, { auth });
  return { status: r.statusCode, body: r.json() };
}
interface Summary {
  id: string;
  revenue: number;
  createdAt: string;
  lastSeenAt: string | null;
  firstName: string | null;
  lastName: string | null;
}
const list = async (query: string) => {
  const r = await get(`/api/v1/customers?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { data: Summary[]; nextCursor: string | null };
};

/** Every page of a listing, following cursors. */
async function allPages(query: string, limit: number) {
  const out: Summary[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    out.push(...page.data);
    cursor = page.nextCursor;
    if (cursor) expect(page.data.length).toBe(limit);
    pages++;
  } while (cursor && pages < 100);
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  const owner = await setupOwner(t);
  ws = owner.workspaceId;
  auth = owner.auth;
  await t.req('PATCH', '/api/v1/workspace', { auth, body: { defaultCountry: 'ES' } });
  const db = t.ctx.db;
  // 60 profiles with many ties: 6 creation instants, 5 revenue levels, names repeating.
  for (let i = 0; i < 60; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[i % LAST.length];
    const traits: Record<string, unknown> = { plan: i % 3 === 0 ? 'pro' : 'basic', level: i % 4 };
    if (first) traits.firstName = first;
    if (last) traits.lastName = last;
    const r = await resolveProfile(db, ws, {
      anonymousId: `anon-${i}`,
      email: i % 5 === 4 ? undefined : `${(first ?? 'guest').toLowerCase()}${i}@${i % 2 ? 'gmail.com' : 'shop.es'}`,
      phone: i % 6 === 0 ? `600 100 ${String(100 + i)}` : undefined,
      traits,
      at: day(i % 20),
      channel: i % 7 === 0 ? 'store' : 'web',
    });
    ids[`c${i}`] = r.customerId;
    await repo.updateCustomer(db, ws, r.customerId, {
      order_count: i % 5,
      revenue: ((i % 5) * 12.5).toFixed(2),
      currency: 'EUR',
      tags: i % 10 === 0 ? ['vip', 'wholesale'] : i % 4 === 0 ? ['newsletter'] : [],
      ...(i % 15 === 14 ? { last_seen_at: null, first_seen_at: null } : {}),
    });
    await sql`update customers set created_at = ${day(i % 6)} where id = ${r.customerId}`.execute(db);
  }
  // One merged profile: its tombstone never shows in lists.
  const extra = await resolveProfile(db, ws, {
    email: 'merged.away@example.com',
    traits: { firstName: 'Zed' },
    at: day(1),
  });
  await db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, ws);
    await mergeCustomers(tx, ws, ids.c1 as string, extra.customerId, {
      reason: 'test',
      actor: { type: 'system', id: null },
    });
  });
  ids.merged = extra.customerId;
});

describe('list: sorts and keyset pages', () => {
  it.each(CUSTOMER_SORTS)(
    'sort %s: pages of 7 add up to the whole list, in order, without repeats or gaps',
    async (sort) => {
      const whole = await list(`sort=${sort}&limit=200`);
      expect(whole.data).toHaveLength(60);
      expect(whole.nextCursor).toBeNull();
      const paged = await allPages(`sort=${sort}`, 7);
      expect(paged.map((c) => c.id)).toEqual(whole.data.map((c) => c.id));
      expect(new Set(paged.map((c) => c.id)).size).toBe(60);
      expect(paged.map((c) => c.id)).not.toContain(ids.merged);
    },
  );

  it('orders by the sort key, then id', async () => {
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const byRevenue = (await list('sort=-revenue&limit=200')).data;
    for (let i = 1; i < byRevenue.length; i++) {
      const [a, b] = [byRevenue[i - 1], byRevenue[i]] as [Summary, Summary];
      expect(a.revenue > b.revenue || (a.revenue === b.revenue && cmp(a.id, b.id) > 0)).toBe(true);
    }
    const byCreated = (await list('sort=createdAt&limit=200')).data;
    for (let i = 1; i < byCreated.length; i++) {
      const [a, b] = [byCreated[i - 1], byCreated[i]] as [Summary, Summary];
      expect(a.createdAt < b.createdAt || (a.createdAt === b.createdAt && cmp(a.id, b.id) < 0)).toBe(true);
    }
    // Never seen sorts as the oldest: last when newest first.
    const bySeen = (await list('sort=-lastSeenAt&limit=200')).data;
    const firstNull = bySeen.findIndex((c) => c.lastSeenAt === null);
    expect(firstNull).toBeGreaterThan(0);
    expect(bySeen.slice(firstNull).every((c) => c.lastSeenAt === null)).toBe(true);
    // Named profiles first, alphabetically; unnamed (anonymous) ones after them.
    const byName = (await list('sort=name&limit=200')).data;
    const unnamed = byName.findIndex((c) => !c.firstName && !c.lastName);
    expect(unnamed).toBeGreaterThan(0);
    expect(byName.slice(unnamed).every((c) => !c.firstName && !c.lastName)).toBe(true);
    expect(byName[0]?.firstName).toBe('Ana');
  });

  it('pages through a filtered list the same way', async () => {
    const whole = await list('channel=web&minOrders=1&sort=-orders&limit=200');
    const paged = await allPages('channel=web&minOrders=1&sort=-orders', 4);
    expect(paged.map((c) => c.id)).toEqual(whole.data.map((c) => c.id));
    expect(whole.data.length).toBeGreaterThan(10);
  });

  it('refuses a cursor it did not make, or one made for another sort', async () => {
    const page = await list('sort=-revenue&limit=5');
    const other = await get(`/api/v1/customers?sort=name&cursor=${page.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.field).toBe('cursor');
    for (const bad of ['nonsense', Buffer.from('["-createdAt",["not a time"],"x"]').toString('base64url')]) {
      const r = await get(`/api/v1/customers?cursor=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe('cursor');
    }
    const forged = Buffer.from('["-createdAt",["2025-99-99 00:00:00+00"],"x"]').toString('base64url');
    const r = await get(`/api/v1/customers?cursor=${forged}`);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('cursor');
  });

  it('limits a page to 200', async () => {
    const r = await get('/api/v1/customers?limit=201');
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('limit');
    expect((await list('')).data).toHaveLength(50);
  });

  it('every strategy finds the same rows: a bounded walk finds a prefix of what the filter-first plan finds', async () => {
    const filters: repo.CustomerFilter[] = [
      { channel: 'web' },
      { tag: 'newsletter' },
      { searchPattern: '%gmail%' },
      { minRevenue: 25, maxOrders: 3 },
      { traitKey: 'plan', traitValues: ['pro'] },
    ];
    for (const f of filters) {
      for (const sort of Object.keys(repo.CUSTOMER_SORT_KEYS) as repo.CustomerSortKey[]) {
        const page = { sort, desc: sort !== 'name', limit: 100 };
        const run = async (s: repo.ListStrategy) =>
          (await repo.customerListQuery(ws, f, page, s).execute(t.ctx.db)).rows.map((r) => r.id);
        const filtered = await run({ kind: 'filtered' });
        expect(await run({ kind: 'index' })).toEqual(filtered);
        const bounded = await run({ kind: 'bounded', scan: 10 });
        expect(filtered.slice(0, bounded.length)).toEqual(bounded);
      }
    }
  });
});

describe('list: search and filters', () => {
  const idsOf = async (query: string) => (await list(`${query}&limit=200`)).data.map((c) => c.id).sort();
  const expected = (pred: (i: number) => boolean) =>
    Array.from({ length: 60 }, (_, i) => i)
      .filter(pred)
      .map((i) => ids[`c${i}`] as string)
      .sort();

  it('searches fragments of name, email, phone (typed with spaces) and userId, case-insensitively', async () => {
    expect(await idsOf('q=GMAIL.com')).toEqual(expected((i) => i % 2 === 1 && i % 5 !== 4));
    expect(await idsOf('q=ana%20garc')).toEqual(expected((i) => i % 7 === 0 && i % 4 === 0));
    expect(await idsOf('q=elena4')).toEqual(expected((i) => i % 7 === 4 && i % 5 !== 4 && String(i).startsWith('4')));
    // Stored as +34600100106; typed as a person would.
    expect(await idsOf('q=600%20100%20106')).toEqual([ids.c6]);
    expect(await idsOf('q=%2B34%20600%20100%20112')).toEqual([ids.c12]);
    // LIKE wildcards are literal characters.
    expect(await idsOf('q=%25')).toEqual([]);
    expect(await idsOf('q=_')).toEqual([]);
  });

  it('filters by channel, tag, trait, seen dates, orders and revenue, alone and together', async () => {
    expect(await idsOf('channel=store')).toEqual(expected((i) => i % 7 === 0));
    expect(await idsOf('tag=vip')).toEqual(expected((i) => i % 10 === 0));
    expect(await idsOf('traitKey=plan&traitValue=pro')).toEqual(expected((i) => i % 3 === 0));
    expect(await idsOf('traitKey=level&traitValue=3')).toEqual(expected((i) => i % 4 === 3));
    expect(await idsOf('traitKey=last_name')).toEqual(expected((i) => LAST[i % 4] !== null));
    const seen = (i: number) => (i % 15 === 14 ? null : i % 20);
    expect(await idsOf(`firstSeenFrom=${day(5).toISOString()}&firstSeenTo=${day(8).toISOString()}`)).toEqual(
      expected((i) => {
        const d = seen(i);
        return d !== null && d >= 5 && d < 8;
      }),
    );
    expect(await idsOf(`lastSeenFrom=${day(18).toISOString()}`)).toEqual(expected((i) => (seen(i) ?? -1) >= 18));
    expect(await idsOf('lastSeenTo=2025-01-03')).toEqual(
      expected((i) => {
        const d = seen(i);
        return d !== null && d < 2;
      }),
    );
    expect(await idsOf('minOrders=2&maxOrders=3')).toEqual(expected((i) => i % 5 >= 2 && i % 5 <= 3));
    expect(await idsOf('minRevenue=30&maxRevenue=40')).toEqual(expected((i) => i % 5 === 3));
    expect(await idsOf('channel=web&tag=newsletter&minOrders=1&traitKey=plan&traitValue=basic')).toEqual(
      expected((i) => i % 7 !== 0 && i % 4 === 0 && i % 10 !== 0 && i % 5 >= 1 && i % 3 !== 0),
    );
  });

  it('rejects a trait value without a key, unknown sorts and bad dates, naming the parameter', async () => {
    for (const [query, field] of [
      ['traitValue=x', 'traitValue'],
      ['sort=size', 'sort'],
      ['firstSeenFrom=yesterday', 'firstSeenFrom'],
      ['minOrders=-1', 'minOrders'],
    ]) {
      const r = await get(`/api/v1/customers?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.field, query).toBe(field);
    }
  });
});

describe('lookup', () => {
  it('finds a profile by an identifier normalised as ingestion does', async () => {
    const c0 = ids.c0 as string;
    for (const q of [
      'email=%20ANA0%40Shop.ES%20',
      'phone=600100100',
      'phone=%2B34%20600%20100%20100',
      'phone=(600)%20100-100',
      'anonymousId=anon-0',
    ]) {
      const r = await get(`/api/v1/customers/lookup?${q}`);
      expect(r.status, q).toBe(200);
      expect(r.body.id, q).toBe(c0);
    }
  });

  it('finds userIds and external ids, and the survivor of a merged profile', async () => {
    const p = await resolveProfile(t.ctx.db, ws, { userId: 'shop-42', external: { shopify: '9001' } });
    expect((await get('/api/v1/customers/lookup?userId=shop-42')).body.id).toBe(p.customerId);
    expect((await get('/api/v1/customers/lookup?externalId=9001&namespace=shopify')).body.id).toBe(p.customerId);
    expect((await get('/api/v1/customers/lookup?externalId=9001&namespace=other')).status).toBe(404);
    expect((await get('/api/v1/customers/lookup?externalId=9001&namespace=Shopify')).body.id).toBe(p.customerId);
    expect((await get('/api/v1/customers/lookup?email=merged.away%40example.com')).body.id).toBe(ids.c1);
  });

  it('answers 404 for nobody, 400 for junk or not exactly one identifier', async () => {
    const none = await get('/api/v1/customers/lookup?email=nobody%40example.com');
    expect(none.status).toBe(404);
    expect(none.body.error.field).toBe('email');
    for (const [q, field] of [
      ['userId=null', 'userId'],
      ['email=not-an-email', 'email'],
      ['phone=12', 'phone'],
      ['email=a%40b.co&phone=600100100', 'phone'],
      ['externalId=1', 'namespace'],
      ['', 'email'],
    ]) {
      const r = await get(`/api/v1/customers/lookup?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.field, q).toBe(field);
    }
  });
});

describe('bulk tag', () => {
  it('adds and removes tags on many profiles at once, keeping order and not duplicating', async () => {
    const targets = [ids.c10, ids.c11, ids.c12] as string[];
    const r = await t.req('POST', '/api/v1/customers/bulk-tag', {
      auth,
      body: { ids: [...targets, ids.merged, 'cus_unknown', ids.c10], add: ['spring', 'vip'], remove: ['wholesale'] },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ updated: 3, notFound: [ids.merged, 'cus_unknown'] });
    const rows = await repo.findCustomers(t.ctx.db, ws, targets);
    const tagsOf = (id: string) => rows.find((x) => x.id === id)?.tags;
    expect(tagsOf(ids.c10 as string)).toEqual(['vip', 'spring']);
    expect(tagsOf(ids.c11 as string)).toEqual(['spring', 'vip']);
    expect(tagsOf(ids.c12 as string)).toEqual(['newsletter', 'spring', 'vip']);
    const removed = await t.req('POST', '/api/v1/customers/bulk-tag', {
      auth,
      body: { ids: targets, remove: ['spring'] },
    });
    expect(removed.json().updated).toBe(3);
    expect((await repo.findCustomers(t.ctx.db, ws, [ids.c12 as string]))[0]?.tags).toEqual(['newsletter', 'vip']);
  });

  it("never touches another workspace's profiles", async () => {
    const otherWs = await createOtherWorkspace(t, auth, 'Other shop');
    await t.req('POST', '/api/v1/session/workspace', { auth, body: { workspaceId: otherWs } });
    try {
      const r = await t.req('POST', '/api/v1/customers/bulk-tag', { auth, body: { ids: [ids.c20], add: ['stolen'] } });
      expect(r.json()).toEqual({ updated: 0, notFound: [ids.c20] });
      expect((await list('limit=200')).data).toEqual([]);
    } finally {
      await t.req('POST', '/api/v1/session/workspace', { auth, body: { workspaceId: ws } });
    }
    expect((await repo.findCustomers(t.ctx.db, ws, [ids.c20 as string]))[0]?.tags).not.toContain('stolen');
  });

  it('needs tags to add or remove, and at most 1,000 ids', async () => {
    const none = await t.req('POST', '/api/v1/customers/bulk-tag', { auth, body: { ids: [ids.c1] } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.field).toBe('add');
    const many = Array.from({ length: 1001 }, (_, i) => `cus_${i}`);
    const tooMany = await t.req('POST', '/api/v1/customers/bulk-tag', { auth, body: { ids: many, add: ['x'] } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.field).toBe('ids');
  });
});

/** A strict RFC 4180 reader, to check the export independently of how it was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at ${i}`);
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else if (ch === '\n' || ch === '\r') throw new Error(`bare line break at ${i}`);
    else cell += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  if (cell !== '' || row.length) throw new Error('last line without CRLF');
  return rows;
}

describe('CSV export', () => {
  it('streams the whole filtered list with every value intact, quoting what needs it', async () => {
    const tricky = await resolveProfile(t.ctx.db, ws, {
      email: 'tricky@example.com',
      traits: { firstName: 'Zoë, "the baker"', lastName: '=HYPERLINK("http://x")\nLine two' },
      channel: 'store',
    });
    const r = await t.req('GET', '/api/v1/customers/export.csv?channel=store&sort=name', { auth });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(r.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(r.body.slice(1));
    expect(header).toEqual([
      'id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'user_id',
      'channels',
      'acquisition_channel',
      'first_seen_at',
      'last_seen_at',
      'orders',
      'revenue',
      'currency',
      'tags',
    ]);
    const listed = (await list('channel=store&sort=name&limit=200')).data;
    expect(rows.map((x) => x[0])).toEqual(listed.map((c) => c.id));
    const row = rows.find((x) => x[0] === tricky.customerId) as string[];
    expect(row[1]).toBe('Zoë, "the baker"');
    // A formula is defused for spreadsheets; the text is otherwise kept.
    expect(row[2]).toBe('\'=HYPERLINK("http://x")\nLine two');
    expect(row[3]).toBe('tricky@example.com');
    const c0 = rows.find((x) => x[0] === ids.c0) as string[];
    expect(c0.slice(3)).toEqual([
      'ana0@shop.es',
      '+34600100100',
      '',
      'store',
      'store',
      day(0).toISOString(),
      day(0).toISOString(),
      '0',
      '0.00',
      'EUR',
      'vip;wholesale',
    ]);
  });

  it('pages internally through more rows than one query reads, and records the export in the audit log', async () => {
    for (let i = 0; i < 1100; i += 100) {
      await sql`
        insert into customers (id, workspace_id, first_name, channels, created_at)
        select 'cus_bulk_' || lpad(g::text, 5, '0'), ${ws}, 'Bulk', '{import}', ${day(30)}
        from generate_series(${i}::int, ${i + 99}::int) g`.execute(t.ctx.db);
    }
    const r = await t.req('GET', '/api/v1/customers/export.csv?channel=import', { auth });
    const rows = parseCsv(r.body.slice(1)).slice(1);
    expect(rows).toHaveLength(1100);
    expect(new Set(rows.map((x) => x[0])).size).toBe(1100);
    expect(rows[0]?.[0]).toBe('cus_bulk_01099');
    const audit = (await t.req('GET', '/api/v1/audit-log?action=customer.export', { auth })).json().data;
    expect(audit[0].details.query).toMatchObject({ channel: 'import' });
  });
});

describe('long values', () => {
  it('sorts and pages past a 5,000-character name (the name index keeps its first 100 characters)', async () => {
    const long = `A${'a'.repeat(4999)}`;
    const p = await resolveProfile(t.ctx.db, ws, { traits: { firstName: long }, anonymousId: 'long-name' });
    const first = await list('sort=name&limit=1');
    expect(first.data[0]?.id).toBe(p.customerId);
    expect(first.data[0]?.firstName).toBe(long);
    const second = await list(`sort=name&limit=1&cursor=${first.nextCursor}`);
    expect(second.data[0]?.firstName).toBe('Ana');
  });
});
