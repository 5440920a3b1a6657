/** One customer: the 360 view, timeline, edits, manual creation, explicit merges, conflicts, companies (DATA-1, DATA-4, DATA-5). */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Auth, createKey, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import {
  linkToCompany,
  lockWorkspaceIdentity,
  registerTimelineSource,
  type TimelineItem,
  updateTraits,
} from './index.js';
import * as repo from './repository.js';

let t: TestApp;
let ws: string;
let auth: Auth;
let owner: Awaited<ReturnType<typeof setupOwner>>;
const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n));

const get = async (url: string, a: Auth = auth) => {
  const r = await t.req('GET', url, { auth: a });
  return { status: r.statusCode, body: r.json() };
};
const send = async (method: 'POST' | 'PATCH', url: string, body?: unknown, a: Auth = auth) => {
  const r = await t.req(method, url, { auth: a, body });
  return { status: r.statusCode, body: r.json() };
};
async function conflictStatus(id: string) {
  const r = await sql<{ status: string }>`select status from identity_conflicts where id = ${id}`.execute(t.ctx.db);
  return r.rows[0]?.status;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  ws = owner.workspaceId;
  auth = owner.auth;
  await t.req('PATCH', '/api/v1/workspace', { auth, body: { defaultCountry: 'ES' } });
});

describe('the 360 view', () => {
  let visitor: string;
  let buyer: string;

  beforeAll(async () => {
    const db = t.ctx.db;
    visitor = (await resolveProfile(db, ws, { anonymousId: 'v-1', at: day(1), channel: 'web' })).customerId;
    buyer = (
      await resolveProfile(db, ws, {
        email: 'maria@example.com',
        phone: '600 111 222',
        traits: { firstName: 'María', lastName: 'Pérez', city: 'Lugo' },
        at: day(2),
        channel: 'store',
      })
    ).customerId;
    // One web event names both: the two profiles become one, the older surviving.
    const link = await resolveProfile(db, ws, {
      anonymousId: 'v-1',
      email: 'MARIA@example.com',
      at: day(3),
      channel: 'web',
      eventId: 'evt_link',
    });
    expect(link.customerId).toBe(visitor);
    expect(link.merged).toEqual([buyer]);
    await db.transaction().execute(async (tx) => {
      await linkToCompany(tx, ws, visitor, 'acme', { name: 'Acme Bakery', plan: 'b2b' }, day(3));
    });
    await repo.updateCustomer(db, ws, visitor, {
      order_count: 3,
      revenue: '90.00',
      currency: 'EUR',
      first_order_at: day(2),
      last_order_at: day(3),
    });
  });

  it("answers a merged profile's old id with the survivor, and everything it now holds", async () => {
    const r = await get(`/api/v1/customers/${buyer}`);
    expect(r.status).toBe(200);
    const c = r.body;
    expect(c.id).toBe(visitor);
    expect(c.mergedFrom).toBe(buyer);
    expect(c).toMatchObject({
      firstName: 'María',
      lastName: 'Pérez',
      email: 'maria@example.com',
      phone: '+34600111222',
      traits: { firstName: 'María', lastName: 'Pérez', city: 'Lugo' },
      facts: {
        firstSeenAt: day(1).toISOString(),
        lastSeenAt: day(3).toISOString(),
        orders: 3,
        revenue: 90,
        averageOrderValue: 30,
        firstOrderAt: day(2).toISOString(),
        lastOrderAt: day(3).toISOString(),
        currency: 'EUR',
      },
      companies: [{ groupId: 'acme', name: 'Acme Bakery', traits: { name: 'Acme Bakery', plan: 'b2b' } }],
      conflicts: [],
      owner: null,
    });
    expect([...c.facts.channels].sort()).toEqual(['store', 'web']);
    expect(c.identifiers.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual([
      'anonymous_id:v-1',
      'email:maria@example.com',
      'phone:+34600111222',
    ]);
    expect(c.identifiers.find((i: { kind: string }) => i.kind === 'anonymous_id').firstSeenAt).toBe(
      day(1).toISOString(),
    );
    expect(c.merges).toHaveLength(1);
    expect(c.merges[0]).toMatchObject({
      mergedId: buyer,
      survivorId: visitor,
      reason: 'shared identifiers in one event',
      eventId: 'evt_link',
      actor: { type: 'system', id: null },
      snapshot: { traits: { city: 'Lugo' } },
    });
    const types = c.timeline.data.map((i: TimelineItem) => i.type);
    expect(types).toContain('customer.merged');
    expect(types).toContain('customer.first_seen');
    const merged = c.timeline.data.find((i: TimelineItem) => i.type === 'customer.merged');
    expect(merged.data).toMatchObject({
      mergedId: buyer,
      eventId: 'evt_link',
      reason: 'shared identifiers in one event',
    });
  });

  it('answers the survivor itself without mergedFrom, and 404 for an unknown id', async () => {
    expect((await get(`/api/v1/customers/${visitor}`)).body.mergedFrom).toBeNull();
    const none = await get('/api/v1/customers/cus_nobody');
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('not_found');
  });

  it('shows merges into a profile that was itself merged later', async () => {
    const db = t.ctx.db;
    const x = (await resolveProfile(db, ws, { email: 'x2@example.com', at: day(4) })).customerId;
    const w = (await resolveProfile(db, ws, { email: 'w2@example.com', at: day(4) })).customerId;
    expect((await send('POST', `/api/v1/customers/${x}/merge`, { customerId: w })).status).toBe(200);
    expect((await send('POST', `/api/v1/customers/${visitor}/merge`, { customerId: x })).status).toBe(200);
    const c = (await get(`/api/v1/customers/${w}`)).body;
    expect(c).toMatchObject({ id: visitor, mergedFrom: w });
    expect(c.merges.map((m: { mergedId: string }) => m.mergedId).sort()).toEqual([buyer, x, w].sort());
    expect(c.merges.find((m: { mergedId: string }) => m.mergedId === w).survivorId).toBe(x);
    // The oldest tombstone still answers.
    expect((await get(`/api/v1/customers/${buyer}`)).body.id).toBe(visitor);
  });
});

describe('explicit merge', () => {
  it('merges the given profile into this one: identifiers, traits, conflicts settled, actor recorded', async () => {
    const db = t.ctx.db;
    const p = await resolveProfile(db, ws, {
      userId: 'login-a',
      email: 'lu@example.com',
      traits: { firstName: 'Lu', tier: 'gold' },
      at: day(1),
    });
    const q = await resolveProfile(db, ws, {
      userId: 'login-b',
      email: 'lu@example.com',
      traits: { tier: 'silver', shoeSize: 38 },
      at: day(2),
    });
    // Two userIds never merge by themselves: a conflict waits for review.
    expect(q.customerId).not.toBe(p.customerId);
    expect(q.conflicts).toHaveLength(1);
    const conflictId = q.conflicts[0] as string;
    expect((await get(`/api/v1/customers/${p.customerId}`)).body.conflicts[0]).toMatchObject({
      id: conflictId,
      reason: 'different_user_ids',
      other: { id: q.customerId },
    });

    const r = await send('POST', `/api/v1/customers/${p.customerId}/merge`, {
      customerId: q.customerId,
      reason: 'same person, two logins',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.id).toBe(p.customerId);
    expect(r.body.identifiers.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual([
      'email:lu@example.com',
      'user_id:login-a',
      'user_id:login-b',
    ]);
    // Each trait's latest value: `tier` from the later event.
    expect(r.body.traits).toMatchObject({ firstName: 'Lu', tier: 'silver', shoeSize: 38 });
    expect(r.body.merges[0]).toMatchObject({
      mergedId: q.customerId,
      reason: 'same person, two logins',
      eventId: null,
      actor: { type: 'user', id: owner.userId },
    });
    expect(r.body.conflicts).toEqual([]);
    expect(await conflictStatus(conflictId)).toBe('merged');
    const old = await get(`/api/v1/customers/${q.customerId}`);
    expect(old.body).toMatchObject({ id: p.customerId, mergedFrom: q.customerId });
    const audit = (await get('/api/v1/audit-log?action=customer.merge')).body.data[0];
    expect(audit).toMatchObject({ targetId: p.customerId, actorId: owner.userId });
    expect(audit.details.body).toEqual({ customerId: q.customerId, reason: 'same person, two logins' });
  });

  it('records an API key as the actor', async () => {
    const key = await createKey(t, auth, ['write']);
    const a = await resolveProfile(t.ctx.db, ws, { email: 'k1@example.com' });
    const b = await resolveProfile(t.ctx.db, ws, { email: 'k2@example.com' });
    const r = await send(
      'POST',
      `/api/v1/customers/${b.customerId}/merge`,
      { customerId: a.customerId },
      {
        bearer: key.key,
      },
    );
    expect(r.status).toBe(200);
    // This direction, although `a` is older.
    expect(r.body.id).toBe(b.customerId);
    expect(r.body.merges[0]).toMatchObject({ reason: 'merged by hand', actor: { type: 'api_key', id: key.id } });
  });

  it('refuses merging into itself (400), an already merged profile (409) and unknown profiles (404), naming the field', async () => {
    const a = await resolveProfile(t.ctx.db, ws, { email: 'm1@example.com' });
    const b = await resolveProfile(t.ctx.db, ws, { email: 'm2@example.com' });
    const self = await send('POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: a.customerId });
    expect(self.status).toBe(400);
    expect(self.body.error.field).toBe('customerId');
    expect((await send('POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: b.customerId })).status).toBe(
      200,
    );
    const again = await send('POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: b.customerId });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_merged', field: 'customerId' });
    const unknown = await send('POST', `/api/v1/customers/${a.customerId}/merge`, { customerId: 'cus_nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('customerId');
    expect((await send('POST', '/api/v1/customers/cus_nobody/merge', { customerId: a.customerId })).status).toBe(404);
  });
});

describe('identity conflicts', () => {
  it('dismisses an open conflict: it leaves the 360 of both, and cannot be dismissed twice', async () => {
    const r1 = await resolveProfile(t.ctx.db, ws, { userId: 'r-1', phone: '622 000 111', at: day(1) });
    const r2 = await resolveProfile(t.ctx.db, ws, { userId: 'r-2', phone: '622 000 111', at: day(2) });
    const conflictId = r2.conflicts[0] as string;
    expect((await get(`/api/v1/customers/${r2.customerId}`)).body.conflicts[0].other.id).toBe(r1.customerId);

    const other = await resolveProfile(t.ctx.db, ws, { email: 'bystander@example.com' });
    const wrong = await send('POST', `/api/v1/customers/${other.customerId}/conflicts/${conflictId}/dismiss`);
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.field).toBe('conflictId');

    const r = await send('POST', `/api/v1/customers/${r1.customerId}/conflicts/${conflictId}/dismiss`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: conflictId, status: 'dismissed', reason: 'different_user_ids' });
    expect(r.body.resolvedAt).toBeTruthy();
    expect((await get(`/api/v1/customers/${r1.customerId}`)).body.conflicts).toEqual([]);
    expect((await get(`/api/v1/customers/${r2.customerId}`)).body.conflicts).toEqual([]);
    const twice = await send('POST', `/api/v1/customers/${r2.customerId}/conflicts/${conflictId}/dismiss`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.field).toBe('conflictId');
  });
});

describe('editing a profile', () => {
  let id: string;
  beforeAll(async () => {
    id = (
      await resolveProfile(t.ctx.db, ws, {
        email: 'edit@example.com',
        traits: { firstName: 'Eva', lastName: 'Ruiz', city: 'Lugo', plan: 'basic' },
        at: day(1),
      })
    ).customerId;
  });
  const patch = (body: unknown, target = id) => send('PATCH', `/api/v1/customers/${target}`, body);

  it('sets traits as of now, and null removes one (and its searchable column)', async () => {
    const r = await patch({ traits: { plan: 'pro', city: null, first_name: null, birthday: '1990-04-01' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.traits).toEqual({ lastName: 'Ruiz', plan: 'pro', birthday: '1990-04-01' });
    expect(r.body.firstName).toBeNull();
    expect(r.body.lastName).toBe('Ruiz');
    // An older event does not bring a removed trait back; a newer one may.
    await t.ctx.db.transaction().execute(async (tx) => {
      await lockWorkspaceIdentity(tx, ws);
      await updateTraits(tx, ws, id, { city: 'Vigo', plan: 'basic' }, day(2), 'ES');
    });
    expect((await get(`/api/v1/customers/${id}`)).body.traits).not.toHaveProperty('city');
    await t.ctx.db.transaction().execute(async (tx) => {
      await updateTraits(tx, ws, id, { city: 'Ourense' }, new Date(Date.now() + 60_000), 'ES');
    });
    expect((await get(`/api/v1/customers/${id}`)).body.traits).toMatchObject({ city: 'Ourense', plan: 'pro' });
  });

  it('replaces, adds and removes tags', async () => {
    expect((await patch({ tags: ['lead', 'b2b', 'lead'] })).body.tags).toEqual(['lead', 'b2b']);
    expect((await patch({ addTags: ['vip', 'lead'], removeTags: ['b2b'] })).body.tags).toEqual(['lead', 'vip']);
    expect((await patch({ tags: ['x'], addTags: ['y'], removeTags: ['x'] })).body.tags).toEqual(['y']);
    const blank = await patch({ addTags: ['  '] });
    expect(blank.status).toBe(400);
    expect(blank.body.error.field).toBe('addTags.0');
  });

  it('sets and clears notes and owner; the owner must be a member of the workspace', async () => {
    const r = await patch({ notes: 'Prefers rye bread', ownerUserId: owner.userId });
    expect(r.body.notes).toBe('Prefers rye bread');
    expect(r.body.owner).toEqual({ userId: owner.userId, name: 'Olga Owner', email: owner.email });
    const stranger = await patch({ ownerUserId: 'usr_not_a_member' });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.field).toBe('ownerUserId');
    const cleared = await patch({ notes: null, ownerUserId: null });
    expect(cleared.body).toMatchObject({ notes: null, owner: null });
  });

  it('edits the survivor when given a merged id, and refuses an empty change', async () => {
    const gone = await resolveProfile(t.ctx.db, ws, { email: 'edit-old@example.com' });
    await send('POST', `/api/v1/customers/${id}/merge`, { customerId: gone.customerId });
    const r = await patch({ addTags: ['via-old-id'] }, gone.customerId);
    expect(r.body.id).toBe(id);
    expect(r.body.tags).toContain('via-old-id');
    const empty = await patch({});
    expect(empty.status).toBe(400);
    expect((await patch({ traits: {} }, 'cus_nobody')).status).toBe(404);
  });
});

describe('creating a profile by hand', () => {
  it('normalises and claims its identifiers, and stores traits, tags, notes and owner', async () => {
    const r = await send('POST', '/api/v1/customers', {
      email: ' Nuria@Example.COM ',
      phone: '611 222 333',
      userId: 'nuria-1',
      traits: { first_name: 'Nuria', plan: 'pro' },
      tags: ['lead'],
      notes: 'Met at the market',
      ownerUserId: owner.userId,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      email: 'nuria@example.com',
      phone: '+34611222333',
      userId: 'nuria-1',
      firstName: 'Nuria',
      traits: { firstName: 'Nuria', plan: 'pro', email: 'nuria@example.com', phone: '+34611222333' },
      tags: ['lead'],
      notes: 'Met at the market',
      owner: { userId: owner.userId },
      facts: { firstSeenAt: null, channels: [], orders: 0 },
    });
    expect(r.body.identifiers.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'phone', 'user_id']);
    expect(r.body.id).toMatch(/^cus_/);
    const found = await get('/api/v1/customers/lookup?phone=611222333');
    expect(found.body.id).toBe(r.body.id);
    const audit = (await get('/api/v1/audit-log?action=customer.create')).body.data[0];
    expect(audit.targetId).toBe(r.body.id);
  });

  it('answers 409 naming the field when an identifier belongs to another profile', async () => {
    const first = await send('POST', '/api/v1/customers', { email: 'taken@example.com', userId: 'taken-1' });
    expect(first.status).toBe(201);
    for (const [body, field] of [
      [{ email: 'TAKEN@example.com' }, 'email'],
      [{ userId: 'taken-1', phone: '633 444 555' }, 'userId'],
      [{ traits: { email: 'taken@example.com', firstName: 'X' } }, 'traits.email'],
    ] as const) {
      const r = await send('POST', '/api/v1/customers', body);
      expect(r.status, field).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'identifier_taken', field, details: { customerId: first.body.id } });
    }
    // Nothing half-made: the phone of the refused request is free.
    expect((await get('/api/v1/customers/lookup?phone=633444555')).status).toBe(404);
  });

  it('refuses junk identifiers and an empty profile, naming the field', async () => {
    for (const [body, field] of [
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: '12' }, 'phone'],
      [{ userId: 'undefined' }, 'userId'],
      [{}, 'body'],
      [{ traits: {} }, 'body'],
    ] as const) {
      const r = await send('POST', '/api/v1/customers', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field, JSON.stringify(body)).toBe(field);
    }
    const onlyTraits = await send('POST', '/api/v1/customers', { traits: { firstName: 'Walk-in' } });
    expect(onlyTraits.status).toBe(201);
    expect(onlyTraits.body.identifiers).toEqual([]);
  });
});

describe('timeline', () => {
  let id: string;
  const items: TimelineItem[] = [];

  beforeAll(async () => {
    id = (await resolveProfile(t.ctx.db, ws, { email: 'timeline@example.com', at: day(1), channel: 'web' })).customerId;
    // Ties on `at` across and within sources: the id decides.
    const at = [day(2), day(2), day(2), day(3), day(5), day(1)];
    at.forEach((when, i) => {
      items.push({
        id: `ord_${String.fromCharCode(97 + i)}`,
        kind: 'order',
        type: i % 2 ? 'order.refunded' : 'order.completed',
        at: when,
        channel: i === 3 ? 'store' : 'web',
        sourceId: null,
        title: `Order ${i}`,
        data: { n: i },
      });
    });
    registerTimelineSource('test-orders', async (_db, q) =>
      items
        .filter(() => q.customerId === id)
        .filter((i) => !q.before || i.at < q.before.at || (+i.at === +q.before.at && i.id < q.before.id))
        .filter((i) => !q.types?.length || q.types.includes(i.type))
        .filter((i) => !q.channels?.length || (i.channel !== null && q.channels.includes(i.channel)))
        .sort((a, b) => +b.at - +a.at || (a.id < b.id ? 1 : -1))
        .slice(0, q.limit),
    );
  });

  it('merges every source newest first and pages without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(`/api/v1/customers/${id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((i: TimelineItem) => i.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    // The profile's own "first seen" (id = the profile id) ties with ord_f on day 1.
    const profileFirst = id > 'ord_f' ? [id, 'ord_f'] : ['ord_f', id];
    expect(seen).toEqual(['ord_e', 'ord_d', 'ord_c', 'ord_b', 'ord_a', ...profileFirst]);
    const whole = await get(`/api/v1/customers/${id}/timeline`);
    expect(whole.body.data.map((i: TimelineItem) => i.id)).toEqual(seen);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.body.data[0]).toMatchObject({ kind: 'order', type: 'order.completed', at: day(5).toISOString() });
  });

  it('filters by type and channel', async () => {
    const refunds = await get(`/api/v1/customers/${id}/timeline?type=order.refunded`);
    expect(refunds.body.data.map((i: TimelineItem) => i.id)).toEqual(['ord_d', 'ord_b', 'ord_f']);
    const store = await get(`/api/v1/customers/${id}/timeline?channel=store`);
    expect(store.body.data.map((i: TimelineItem) => i.id)).toEqual(['ord_d']);
    const both = await get(`/api/v1/customers/${id}/timeline?type=customer.first_seen,order.completed&channel=web`);
    expect(both.body.data.map((i: TimelineItem) => i.type)).toEqual([
      'order.completed',
      'order.completed',
      'order.completed',
      'customer.first_seen',
    ]);
  });

  it('shows the 20 latest items on the 360, and refuses a foreign cursor', async () => {
    const c = (await get(`/api/v1/customers/${id}`)).body;
    expect(c.timeline.data).toHaveLength(7);
    const bad = await get(`/api/v1/customers/${id}/timeline?cursor=bm9wZQ`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cursor');
  });
});

describe('companies', () => {
  it('lists companies with their people count, pages, searches, and shows a company with its people', async () => {
    const db = t.ctx.db;
    const people: string[] = [];
    for (let i = 0; i < 3; i++)
      people.push((await resolveProfile(db, ws, { email: `staff${i}@corp.example` })).customerId);
    await db.transaction().execute(async (tx) => {
      for (const p of people) await linkToCompany(tx, ws, p, 'corp-1', { name: 'Corp One', employees: 12 }, day(1));
      await linkToCompany(tx, ws, people[0] as string, 'corp-2', { name: 'Second Ltd' }, day(1));
    });
    const all = (await get('/api/v1/companies?limit=200')).body.data;
    expect(all.map((c: { groupId: string }) => c.groupId)).toEqual(['corp-2', 'corp-1', 'acme']);
    expect(all[1]).toMatchObject({ name: 'Corp One', peopleCount: 3, traits: { employees: 12 } });
    const page1 = await get('/api/v1/companies?limit=2');
    const page2 = await get(`/api/v1/companies?limit=2&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.data, ...page2.body.data].map((c: { id: string }) => c.id)).toEqual(
      all.map((c: { id: string }) => c.id),
    );
    expect(page2.body.nextCursor).toBeNull();
    expect((await get('/api/v1/companies?q=second')).body.data.map((c: { groupId: string }) => c.groupId)).toEqual([
      'corp-2',
    ]);

    // A merge inside the company leaves each person once.
    await send('POST', `/api/v1/customers/${people[0]}/merge`, { customerId: people[1] });
    const corp = await get(`/api/v1/companies/${all[1].id}`);
    expect(corp.status).toBe(200);
    expect(corp.body.peopleCount).toBe(2);
    expect(corp.body.people.map((p: { id: string }) => p.id).sort()).toEqual([people[0], people[2]].sort());
    expect((await get('/api/v1/companies/com_nobody')).status).toBe(404);
  });
});

describe("the customer's own time zone", () => {
  it('comes from the timezone trait when it names an IANA zone, and is null otherwise', async () => {
    const created = await send('POST', '/api/v1/customers', { email: 'tz@example.com' });
    expect(created.status).toBe(201);
    expect(created.body.timezone).toBeNull();
    const id = created.body.id;
    const set = await send('PATCH', `/api/v1/customers/${id}`, { traits: { time_zone: 'America/Mexico_City' } });
    expect(set.status).toBe(200);
    expect(set.body.timezone).toBe('America/Mexico_City');
    const wrong = await send('PATCH', `/api/v1/customers/${id}`, { traits: { timezone: 'Mars/Olympus_Mons' } });
    expect(wrong.body.traits.timezone).toBe('Mars/Olympus_Mons');
    expect(wrong.body.timezone).toBeNull();
  });
});
