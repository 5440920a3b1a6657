/** Saved views of the customers list: create, list, edit, delete; workspace isolation; who may write (DATA-5). */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Auth,
  addMember,
  createKey,
  createOtherWorkspace,
  createTestApp,
  setupOwner,
  type TestApp,
} from '../testing/app.js';
import { DEFAULT_CUSTOMER_COLUMNS } from './schemas.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let auth: Auth;

const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, a: Auth = auth) => {
  const r = await t.req(method, url, { auth: a, body });
  return { status: r.statusCode, body: r.body ? r.json() : undefined };
};
const VIEWS = '/api/v1/customers/views';

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  auth = owner.auth;
  for (const [email, channel, tags] of [
    ['ana@example.com', 'web', ['vip']],
    ['bruno@example.com', 'store', ['vip']],
    ['carla@example.com', 'web', []],
  ] as const) {
    const r = await call('POST', '/api/v1/customers', { email, tags: [...tags], traits: { channelHint: channel } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});

describe('saved views', () => {
  it('saves a view with the default sort and columns, and lists views by name', async () => {
    const vip = await call('POST', VIEWS, { name: 'VIPs', filters: { tag: 'vip', q: '  ' } });
    expect(vip.status, JSON.stringify(vip.body)).toBe(201);
    expect(vip.body).toMatchObject({
      id: expect.stringMatching(/^cvw_/),
      name: 'VIPs',
      // The empty search box is not stored.
      filters: { tag: 'vip' },
      sort: '-createdAt',
      columns: [...DEFAULT_CUSTOMER_COLUMNS],
      createdBy: owner.userId,
    });
    const big = await call('POST', VIEWS, {
      name: 'big spenders',
      filters: { minRevenue: 100, minOrders: '2', lastSeenFrom: '2025-01-01' },
      sort: '-revenue',
      columns: ['name', 'revenue', 'orders'],
    });
    expect(big.status, JSON.stringify(big.body)).toBe(201);
    expect(big.body.filters).toEqual({ minRevenue: 100, minOrders: 2, lastSeenFrom: '2025-01-01' });

    const list = await call('GET', VIEWS);
    expect(list.status).toBe(200);
    expect(list.body.data.map((v: { name: string }) => v.name)).toEqual(['big spenders', 'VIPs']);
  });

  it("a view's filters and sort open as a list query that finds what they describe", async () => {
    const vip = (await call('GET', VIEWS)).body.data.find((v: { name: string }) => v.name === 'VIPs');
    const qs = new URLSearchParams({ ...vip.filters, sort: vip.sort }).toString();
    const page = await call('GET', `/api/v1/customers?${qs}`);
    expect(page.status).toBe(200);
    expect(page.body.data.map((c: { email: string }) => c.email).sort()).toEqual([
      'ana@example.com',
      'bruno@example.com',
    ]);
  });

  it('refuses a name already used in the workspace, whatever its case, naming the field', async () => {
    const dup = await call('POST', VIEWS, { name: 'vips' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'name_taken', field: 'name' });
    const other = (await call('GET', VIEWS)).body.data.find((v: { name: string }) => v.name === 'big spenders');
    const rename = await call('PATCH', `${VIEWS}/${other.id}`, { name: 'VIPS' });
    expect(rename.status).toBe(409);
    expect(rename.body.error.field).toBe('name');
  });

  it('validates filters, sort and columns with the field at fault', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', filters: { firstSeenFrom: 'yesterday' } }, 'filters.firstSeenFrom'],
      [{ name: 'x', filters: { traitValue: 'pro' } }, 'filters.traitValue'],
      [{ name: 'x', filters: { colour: 'red' } }, 'filters.colour'],
      [{ name: 'x', filters: { minOrders: -1 } }, 'filters.minOrders'],
      [{ name: 'x', sort: 'email' }, 'sort'],
      [{ name: 'x', columns: [] }, 'columns'],
      [{ name: 'x', columns: ['name', 'name'] }, 'columns'],
      [{ name: 'x', columns: ['password'] }, 'columns.0'],
      [{ name: ' ' }, 'name'],
      [{ name: 'x'.repeat(81) }, 'name'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', VIEWS, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await call('GET', VIEWS)).body.data).toHaveLength(2);
  });

  it('edits a view: rename, replace filters, sort and columns; updatedAt moves', async () => {
    const created = await call('POST', VIEWS, { name: 'Web', filters: { channel: 'web', tag: 'vip' } });
    const id = created.body.id;
    const r = await call('PATCH', `${VIEWS}/${id}`, {
      name: 'Web visitors',
      filters: { channel: 'web' },
      sort: 'name',
      columns: ['email', 'channels'],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      id,
      name: 'Web visitors',
      filters: { channel: 'web' },
      sort: 'name',
      columns: ['email', 'channels'],
    });
    expect(r.body.updatedAt >= created.body.updatedAt).toBe(true);
    // Only what is sent changes.
    const renamed = await call('PATCH', `${VIEWS}/${id}`, { name: 'Website' });
    expect(renamed.body).toMatchObject({ name: 'Website', filters: { channel: 'web' }, sort: 'name' });
    expect((await call('PATCH', `${VIEWS}/${id}`, {})).status).toBe(400);
  });

  it('deletes a view, then answers 404 for it', async () => {
    const { body } = await call('POST', VIEWS, { name: 'Temporary' });
    expect((await call('DELETE', `${VIEWS}/${body.id}`)).status).toBe(204);
    expect((await call('DELETE', `${VIEWS}/${body.id}`)).status).toBe(404);
    expect((await call('PATCH', `${VIEWS}/${body.id}`, { name: 'Back' })).status).toBe(404);
    expect((await call('GET', VIEWS)).body.data.map((v: { id: string }) => v.id)).not.toContain(body.id);
  });

  it('records every change in the audit log', async () => {
    const log = await call('GET', '/api/v1/audit-log?action=customer_view.create');
    expect(log.status).toBe(200);
    expect(log.body.data.length).toBeGreaterThanOrEqual(3);
    const deleted = await call('GET', '/api/v1/audit-log?action=customer_view.delete');
    expect(deleted.body.data).toHaveLength(1);
  });
});

describe('who sees and changes views', () => {
  it("another workspace neither sees nor changes this workspace's views, and keeps its own", async () => {
    const mine = (await call('GET', VIEWS)).body.data as { id: string; name: string }[];
    expect(mine.length).toBeGreaterThan(0);
    const other = await setupOwnerOfOtherWorkspace();
    expect((await call('GET', VIEWS, undefined, other)).body.data).toEqual([]);
    for (const v of mine) {
      expect((await call('PATCH', `${VIEWS}/${v.id}`, { name: 'Mine now' }, other)).status).toBe(404);
      expect((await call('DELETE', `${VIEWS}/${v.id}`, undefined, other)).status).toBe(404);
    }
    // The same name is free in another workspace.
    const theirs = await call('POST', VIEWS, { name: mine[0]?.name }, other);
    expect(theirs.status).toBe(201);
    expect((await call('GET', VIEWS)).body.data).toEqual(
      mine.map((v) => expect.objectContaining({ id: v.id, name: v.name })),
    );
    expect((await call('GET', VIEWS)).body.data.map((v: { id: string }) => v.id)).not.toContain(theirs.body.id);
  });

  it('an analyst lists views but cannot save, edit or delete one; an agent can', async () => {
    const analyst = (await addMember(t, auth, 'analyst')).auth;
    const views = (await call('GET', VIEWS, undefined, analyst)).body.data;
    expect(views.length).toBeGreaterThan(0);
    const id = views[0].id;
    for (const [method, url, body] of [
      ['POST', VIEWS, { name: 'Analyst view' }],
      ['PATCH', `${VIEWS}/${id}`, { name: 'Renamed by analyst' }],
      ['DELETE', `${VIEWS}/${id}`, undefined],
    ] as const) {
      const r = await call(method, url, body, analyst);
      expect(r.status, `${method} ${url}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await call('GET', VIEWS)).body.data).toEqual(views);

    const agent = (await addMember(t, auth, 'agent')).auth;
    const saved = await call('POST', VIEWS, { name: 'Agent view' }, agent);
    expect(saved.status).toBe(201);
  });

  it('an API key with the read scope lists views; writing needs the write scope', async () => {
    const read = await createKey(t, auth, ['read']);
    const write = await createKey(t, auth, ['write']);
    expect((await call('GET', VIEWS, undefined, { bearer: read.key })).status).toBe(200);
    expect((await call('POST', VIEWS, { name: 'By script' }, { bearer: read.key })).status).toBe(403);
    const r = await call('POST', VIEWS, { name: 'By script' }, { bearer: write.key });
    expect(r.status).toBe(201);
    expect(r.body.createdBy).toBeNull();
  });
});

/** An owner signed in to a second workspace only (workspace B of this instance). */
async function setupOwnerOfOtherWorkspace(): Promise<Auth> {
  const wsB = await createOtherWorkspace(t, auth, 'Other shop');
  await t.req('POST', '/api/v1/session/workspace', { auth, body: { workspaceId: wsB } });
  const ownerB = await addMember(t, auth, 'owner');
  const back = await t.req('POST', '/api/v1/session/workspace', { auth, body: { workspaceId: owner.workspaceId } });
  expect(back.statusCode).toBe(200);
  return ownerB.auth;
}
