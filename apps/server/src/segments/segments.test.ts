/**
 * Segments end to end on a hand-made bakery: four customers built through the tracking API and
 * processing, every condition type evaluated against figures worked out here by hand.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertOrder } from '../commerce/index.js';
import { processAllPending } from '../ingest/index.js';
import { createOtherWorkspace, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { birthdayWindow } from './compiler.js';
import { REFRESH_QUEUE, registerSegmentJobs, scheduleHourlyRefresh } from './jobs.js';
import * as repo from './repository.js';
import type { SegmentRule } from './rules.js';
import { createSegment, previewRule, refreshWorkspace } from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
const keys: Record<string, string> = {};
const sourceIds: Record<string, string> = {};
let seq = 0;
/** The evaluation time of every figure below. */
const NOW = new Date('2026-03-10T12:00:00Z');
const ids: Record<string, string> = {};

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function send(channel: string, body: Record<string, unknown>) {
  const r = await t.req('POST', `/v1/${body.type ?? 'track'}`, {
    body: JSON.stringify({ messageId: `m-${++seq}`, ...body }),
    headers: { 'content-type': 'application/json', authorization: basic(keys[channel] as string) },
  });
  expect(r.statusCode, r.body).toBe(200);
}
const identify = (userId: string, traits: Record<string, unknown>, timestamp = '2025-01-10T09:00:00Z') =>
  send('web', { type: 'identify', userId, traits, timestamp });
const track = (channel: string, userId: string, event: string, properties: unknown, timestamp: string) =>
  send(channel, { type: 'track', userId, event, properties, timestamp });
const process = () => processAllPending(t.ctx.db, owner.workspaceId);
const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, status = 200) => {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.body ? r.json() : undefined;
};
/** The names of the customers a rule matches at NOW. */
async function who(rule: SegmentRule, now = NOW): Promise<string[]> {
  const r = await sql<{ id: string }>`select c.id ${
    (await import('./compiler.js')).matchingFrom(rule, { workspaceId: owner.workspaceId, now }).from
  }`.execute(t.ctx.db);
  const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  const names = r.rows.map((x) => byId[x.id] ?? x.id).sort();
  // The preview counts the same customers.
  expect((await previewRule(t.ctx.db, owner.workspaceId, rule, now)).count).toBe(names.length);
  return names;
}
const pv = { type: 'event', event: 'Product Viewed', did: true } as const;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  await api('PATCH', '/api/v1/workspace', { currency: 'EUR', defaultCountry: 'ES' });
  for (const channel of ['web', 'ecommerce']) {
    const s = await api('POST', '/api/v1/sources', { name: channel, channel }, 201);
    keys[channel] = s.writeKey;
    sourceIds[channel] = s.id;
  }
  // ana: pro, birthday in 5 days, signed up Dec 2025, score 42, vip; 3 views in the last 30 days; bought bread (100).
  await identify('ana', {
    email: 'ana@example.com',
    plan: 'pro',
    birthday: '1990-03-15',
    signup: '2025-12-01',
    score: 42,
  });
  // ben: free, New Year's Eve birthday, score "7" (a numeric string), a phone; one old view; orders 50 + 30 (10 refunded).
  await identify('ben', { phone: '+34 600 000 002', plan: 'free', birthday: '1988-12-31', score: '7' });
  // cara: "PRO" (case differs), born 29 February, junk score and signup date; nothing else.
  await identify('cara', {
    email: 'cara@example.com',
    plan: 'PRO',
    birthday: '2000-02-29',
    score: 'junk',
    signup: 'not a date',
  });
  // dan: birthday yesterday; 5 views of cakes at 12 yesterday; one order of 200, cancelled.
  await identify('dan', { email: 'dan@example.com', birthday: '1975-03-09' });
  for (const d of ['2026-03-01', '2026-03-05', '2026-03-08']) {
    await track(
      'web',
      'ana',
      'Product Viewed',
      { product_id: 'bread', category: 'Bakery', price: 4 },
      `${d}T10:00:00Z`,
    );
  }
  await track('web', 'ben', 'Product Viewed', { product_id: 'bread' }, '2026-01-15T10:00:00Z');
  for (let i = 0; i < 5; i++) {
    await track(
      'web',
      'dan',
      'Product Viewed',
      { product_id: 'cake', category: 'cakes', price: 12 },
      `2026-03-09T10:0${i}:00Z`,
    );
  }
  const bread = { product_id: 'bread', sku: 'BR-1', name: 'Sourdough', category: 'Bakery', price: 100, quantity: 1 };
  await track(
    'ecommerce',
    'ana',
    'Order Completed',
    { order_id: 'A1', total: 100, currency: 'EUR', products: [bread] },
    '2026-03-02T10:00:00Z',
  );
  await track(
    'ecommerce',
    'ben',
    'Order Completed',
    { order_id: 'B1', total: 50, currency: 'EUR' },
    '2025-06-01T10:00:00Z',
  );
  await track(
    'ecommerce',
    'ben',
    'Order Completed',
    { order_id: 'B2', total: 30, currency: 'EUR' },
    '2026-02-20T10:00:00Z',
  );
  await track(
    'ecommerce',
    'ben',
    'Order Refunded',
    { order_id: 'B2', total: 10, currency: 'EUR' },
    '2026-02-21T10:00:00Z',
  );
  await track(
    'ecommerce',
    'dan',
    'Order Completed',
    { order_id: 'D1', total: 200, currency: 'EUR' },
    '2026-03-09T11:00:00Z',
  );
  await track('ecommerce', 'dan', 'Order Cancelled', { order_id: 'D1' }, '2026-03-09T12:00:00Z');
  await process();
  const r = await sql<{ id: string; user_id: string }>`
    select id, user_id from customers where workspace_id = ${owner.workspaceId} and merged_into is null`.execute(
    t.ctx.db,
  );
  for (const x of r.rows) ids[x.user_id] = x.id;
  expect(Object.keys(ids).sort()).toEqual(['ana', 'ben', 'cara', 'dan']);
  await api('PATCH', `/api/v1/customers/${ids.ana}`, { addTags: ['vip'] });
});

describe('conditions', () => {
  it('traits: equality ignores case, numbers read numeric strings, junk never fails', async () => {
    expect(await who({ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' })).toEqual(['ana', 'cara']);
    expect(await who({ type: 'trait', trait: 'plan', op: 'not_equals', value: 'pro' })).toEqual(['ben', 'dan']);
    expect(await who({ type: 'trait', trait: 'plan', op: 'in', value: ['free', 'gold'] })).toEqual(['ben']);
    expect(await who({ type: 'trait', trait: 'email', op: 'contains', value: 'A@EXAMPLE' })).toEqual(['ana', 'cara']);
    expect(await who({ type: 'trait', trait: 'plan', op: 'set' })).toEqual(['ana', 'ben', 'cara']);
    expect(await who({ type: 'trait', trait: 'plan', op: 'unset' })).toEqual(['dan']);
    // 42 > 10; "7" is 7; "junk" is no number.
    expect(await who({ type: 'trait', trait: 'score', op: 'gt', value: 10 })).toEqual(['ana']);
    expect(await who({ type: 'trait', trait: 'score', op: 'lte', value: 7 })).toEqual(['ben']);
    // signup 2025-12-01 is before 2026; "not a date" is neither before nor after.
    expect(await who({ type: 'trait', trait: 'signup', op: 'before', value: '2026-01-01' })).toEqual(['ana']);
    expect(await who({ type: 'trait', trait: 'signup', op: 'after', value: '2026-01-01' })).toEqual([]);
    // 2026-03-10 minus 120 days is 2025-11-10: 2025-12-01 is within.
    expect(await who({ type: 'trait', trait: 'signup', op: 'within_last_days', days: 120 })).toEqual(['ana']);
  });

  it('birthdays in the next N days, across the new year and on 29 February', async () => {
    // 10 → 17 March: ana (15 March); dan's was yesterday.
    expect(await who({ type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 7 })).toEqual(['ana']);
    // 28 December → 2 January: ben (31 December).
    const dec = new Date('2026-12-28T08:00:00Z');
    expect(await who({ type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 5 }, dec)).toEqual(['ben']);
    // 2027 has no 29 February: cara celebrates on the 28th.
    const feb27 = new Date('2027-02-27T08:00:00Z');
    expect(await who({ type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 1 }, feb27)).toEqual([
      'cara',
    ]);
    expect(birthdayWindow(feb27, 1)).toEqual(['02-27', '02-28', '02-29']);
    // 2028 has one: from 1 March it is over.
    expect(
      await who(
        { type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 3 },
        new Date('2028-03-01T08:00:00Z'),
      ),
    ).toEqual([]);
    expect(birthdayWindow(new Date('2028-02-28T00:00:00Z'), 1)).toEqual(['02-28', '02-29']);
  });

  it('tags', async () => {
    expect(await who({ type: 'tag', tag: 'vip', op: 'has' })).toEqual(['ana']);
    expect(await who({ type: 'tag', tag: 'vip', op: 'has_not' })).toEqual(['ben', 'cara', 'dan']);
  });

  it('events: did / did not, counts, windows and property conditions', async () => {
    // Views since 8 February: ana 3, dan 5; ben's one view was in January.
    const last30 = { lastDays: 30 };
    expect(await who({ ...pv, within: last30 })).toEqual(['ana', 'dan']);
    expect(await who({ ...pv })).toEqual(['ana', 'ben', 'dan']);
    expect(await who({ ...pv, count: { op: 'at_least', value: 3 }, within: last30 })).toEqual(['ana', 'dan']);
    expect(await who({ ...pv, count: { op: 'exactly', value: 3 }, within: last30 })).toEqual(['ana']);
    // At most 2 holds for no views at all.
    expect(await who({ ...pv, count: { op: 'at_most', value: 2 }, within: last30 })).toEqual(['ben', 'cara']);
    expect(await who({ ...pv, did: false, within: last30 })).toEqual(['ben', 'cara']);
    expect(await who({ ...pv, within: { from: '2026-01-01', to: '2026-02-01' } })).toEqual(['ben']);
    expect(await who({ ...pv, where: [{ property: 'category', op: 'equals', value: 'cakes' }] })).toEqual(['dan']);
    expect(await who({ ...pv, where: [{ property: 'price', op: 'gt', value: 10 }] })).toEqual(['dan']);
    expect(await who({ ...pv, where: [{ property: 'price', op: 'lt', value: 10 }] })).toEqual(['ana']);
    expect(await who({ ...pv, where: [{ property: 'product_id', op: 'in', value: ['bread'] }] })).toEqual([
      'ana',
      'ben',
    ]);
  });

  it('orders: net revenue (total − refunds, cancelled excluded), count, AOV, windows', async () => {
    // Net revenue: ana 100; ben 50 + 30 − 10 = 70; dan's 200 was cancelled: 0.
    expect(await who({ type: 'orders', metric: 'revenue', op: 'gt', value: 60 })).toEqual(['ana', 'ben']);
    expect(await who({ type: 'orders', metric: 'revenue', op: 'equals', value: 70 })).toEqual(['ben']);
    expect(await who({ type: 'orders', metric: 'revenue', op: 'between', value: 0, value2: 0 })).toEqual([
      'cara',
      'dan',
    ]);
    expect(await who({ type: 'orders', metric: 'count', op: 'gte', value: 2 })).toEqual(['ben']);
    // AOV: ana 100, ben 70 / 2 = 35; no orders, no AOV.
    expect(await who({ type: 'orders', metric: 'aov', op: 'lt', value: 50 })).toEqual(['ben']);
    // Since 8 February: ana's 100; ben's B2, 30 − 10 = 20.
    const w = { lastDays: 30 };
    expect(await who({ type: 'orders', metric: 'count', op: 'gte', value: 1, within: w })).toEqual(['ana', 'ben']);
    expect(await who({ type: 'orders', metric: 'revenue', op: 'lt', value: 50, within: w })).toEqual([
      'ben',
      'cara',
      'dan',
    ]);
    expect(await who({ type: 'orders', metric: 'aov', op: 'equals', value: 20, within: w })).toEqual(['ben']);
  });

  it('last order, bought product / category', async () => {
    expect(await who({ type: 'last_order', op: 'within_last_days', days: 10 })).toEqual(['ana']);
    expect(await who({ type: 'last_order', op: 'not_within_last_days', days: 10 })).toEqual(['ben']);
    expect(await who({ type: 'last_order', op: 'none' })).toEqual(['cara', 'dan']);
    expect(await who({ type: 'last_order', op: 'before', value: '2026-03-01' })).toEqual(['ben']);
    expect(await who({ type: 'last_order', op: 'after', value: '2026-03-01' })).toEqual(['ana']);
    for (const product of ['bread', 'BR-1', 'sourdough'])
      expect(await who({ type: 'bought', product })).toEqual(['ana']);
    expect(await who({ type: 'bought', category: 'bakery' })).toEqual(['ana']);
    expect(await who({ type: 'bought', category: 'bakery', within: { from: '2025-01-01', to: '2026-03-01' } })).toEqual(
      [],
    );
  });

  it('facts: first / last seen, channels', async () => {
    // Last seen since 7 March: ana (8 March), dan (9 March).
    expect(await who({ type: 'fact', fact: 'last_seen_at', op: 'within_last_days', days: 3 })).toEqual(['ana', 'dan']);
    expect(await who({ type: 'fact', fact: 'last_seen_at', op: 'not_within_last_days', days: 3 })).toEqual([
      'ben',
      'cara',
    ]);
    expect(await who({ type: 'fact', fact: 'first_seen_at', op: 'before', value: '2025-02-01' })).toEqual([
      'ana',
      'ben',
      'cara',
      'dan',
    ]);
    expect(await who({ type: 'fact', fact: 'channels', op: 'includes', value: 'ecommerce' })).toEqual([
      'ana',
      'ben',
      'dan',
    ]);
    expect(await who({ type: 'fact', fact: 'channels', op: 'excludes', value: 'ecommerce' })).toEqual(['cara']);
    // Everyone's earliest event is their identify on the web (January 2025); orders came later.
    const acq = { type: 'fact', fact: 'acquisition_channel' } as const;
    expect(await who({ ...acq, op: 'equals', value: 'web' })).toEqual(['ana', 'ben', 'cara', 'dan']);
    expect(await who({ ...acq, op: 'in', value: ['ecommerce', 'email'] })).toEqual([]);
    expect(await who({ ...acq, op: 'not_equals', value: 'ecommerce' })).toEqual(['ana', 'ben', 'cara', 'dan']);
  });

  it('nesting and NOT', async () => {
    const proVip: SegmentRule = {
      all: [
        { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' },
        { type: 'tag', tag: 'vip', op: 'has' },
      ],
    };
    expect(await who(proVip)).toEqual(['ana']);
    // ana, or nobody with an order (cara, dan).
    expect(await who({ any: [proVip, { not: { type: 'orders', metric: 'count', op: 'gte', value: 1 } }] })).toEqual([
      'ana',
      'cara',
      'dan',
    ]);
    expect(await who({ not: { any: [proVip, { ...pv }] } })).toEqual(['cara']);
  });
});

describe('saved segments', () => {
  let pro: { id: string };
  let proViewers: { id: string };

  it('saves, computes members, refers to other segments, and rejects cycles', async () => {
    pro = await api(
      'POST',
      '/api/v1/segments',
      { name: 'Pro', kind: 'dynamic', rule: { type: 'trait', trait: 'plan', op: 'equals', value: 'pro' } },
      201,
    );
    expect(pro).toMatchObject({ name: 'Pro', kind: 'dynamic', memberCount: 2 });
    // Views with no window: ana of the two pros.
    proViewers = await api(
      'POST',
      '/api/v1/segments',
      {
        name: 'Pro viewers',
        kind: 'dynamic',
        rule: { all: [{ type: 'segment', segmentId: pro.id, op: 'in' }, { ...pv }] },
      },
      201,
    );
    expect(proViewers).toMatchObject({ memberCount: 1 });
    const notPro = await api(
      'POST',
      '/api/v1/segments',
      { name: 'Not pro', kind: 'dynamic', rule: { type: 'segment', segmentId: pro.id, op: 'not_in' } },
      201,
    );
    expect(notPro.memberCount).toBe(2);
    const members = await api('GET', `/api/v1/segments/${proViewers.id}/members`);
    expect(members.items.map((c: { id: string }) => c.id)).toEqual([ids.ana]);
    expect(members.items[0]).toMatchObject({ email: 'ana@example.com', orderCount: 1, revenue: 100, currency: 'EUR' });

    // Pro → Pro viewers → Pro: refused, naming the condition.
    const cycle = await t.req('PATCH', `/api/v1/segments/${pro.id}`, {
      auth: owner.auth,
      body: {
        rule: {
          any: [
            { type: 'tag', tag: 'vip', op: 'has' },
            { type: 'segment', segmentId: proViewers.id, op: 'in' },
          ],
        },
      },
    });
    expect(cycle.statusCode).toBe(400);
    expect(cycle.json().error).toMatchObject({ code: 'segment_cycle', field: 'rule.any.1.segmentId' });
    const self = await t.req('PATCH', `/api/v1/segments/${pro.id}`, {
      auth: owner.auth,
      body: { rule: { type: 'segment', segmentId: pro.id, op: 'in' } },
    });
    expect(self.json().error).toMatchObject({ code: 'segment_cycle', field: 'rule.segmentId' });
    // Deleting a segment others use is refused.
    expect((await t.req('DELETE', `/api/v1/segments/${pro.id}`, { auth: owner.auth })).statusCode).toBe(409);
    // Same name, other case: taken.
    const dup = await t.req('POST', '/api/v1/segments', { auth: owner.auth, body: { name: 'PRO', kind: 'static' } });
    expect(dup.json().error).toMatchObject({ code: 'name_taken', field: 'name' });

    // Changing Pro's rule (plan = free → ben) flows on to Pro viewers (ben viewed) and Not pro.
    await api('PATCH', `/api/v1/segments/${pro.id}`, {
      rule: { type: 'trait', trait: 'plan', op: 'equals', value: 'free' },
    });
    expect((await api('GET', `/api/v1/segments/${proViewers.id}`)).memberCount).toBe(1);
    expect((await api('GET', `/api/v1/segments/${proViewers.id}/members`)).items[0].id).toBe(ids.ben);
    expect((await api('GET', `/api/v1/segments/${notPro.id}`)).memberCount).toBe(3);
  });

  it('explains a customer: every node, with the values found', async () => {
    const ex = await api('GET', `/api/v1/segments/${proViewers.id}/explain/${ids.ben}`);
    expect(ex).toEqual({
      member: true,
      matches: true,
      explanation: {
        op: 'all',
        matched: true,
        children: [
          { condition: { type: 'segment', segmentId: pro.id, op: 'in' }, matched: true, actual: true },
          { condition: { ...pv }, matched: true, actual: 1 },
        ],
      },
    });
    const cara = await api('GET', `/api/v1/segments/${proViewers.id}/explain/${ids.cara}`);
    expect(cara.member).toBe(false);
    expect(cara.explanation.children.map((c: { matched: boolean; actual: unknown }) => [c.matched, c.actual])).toEqual([
      [false, false],
      [false, 0],
    ]);
  });

  it('preview: count and sample; bad rules are 400 naming the path', async () => {
    const p = await api('POST', '/api/v1/segments/preview', { rule: { type: 'tag', tag: 'vip', op: 'has' } });
    expect(p.count).toBe(1);
    expect(p.sample).toEqual([expect.objectContaining({ id: ids.ana, name: null, email: 'ana@example.com' })]);
    expect(typeof p.tookMs).toBe('number');
    const bad = async (rule: unknown) => {
      const r = await t.req('POST', '/api/v1/segments/preview', { auth: owner.auth, body: { rule } });
      expect(r.statusCode, r.body).toBe(400);
      return r.json().error;
    };
    expect(await bad({ all: [{ ...pv }, { ...pv, count: { op: 'at_least', value: -1 } }] })).toMatchObject({
      field: 'rule.all.1.count.value',
    });
    expect(await bad({ any: [{ type: 'weather', op: 'sunny' }] })).toMatchObject({ field: 'rule.any.0.type' });
    expect(await bad({ type: 'orders', metric: 'revenue', op: 'between', value: 10 })).toMatchObject({
      field: 'rule.value2',
    });
    expect(await bad({ not: { not: { not: { not: { not: { not: { ...pv } } } } } } })).toMatchObject({
      field: 'rule.not.not.not.not.not.not',
    });
    expect(await bad({ all: [] })).toMatchObject({ field: 'rule.all' });
    expect(await bad({ type: 'segment', segmentId: 'seg_nope', op: 'in' })).toMatchObject({ field: 'rule.segmentId' });
    const tooMany = { any: Array.from({ length: 31 }, () => ({ ...pv })) };
    expect((await bad(tooMany)).field).toBe('rule.any');
  });

  it('a periodic refresh with a later "now" lets time-based members exit', async () => {
    // Viewed in the last 30 days, at NOW: ana (8 March 10:00) and dan (9 March).
    const recent = await createSegment(
      t.ctx.db,
      owner.workspaceId,
      { name: 'Recent viewers', kind: 'dynamic', rule: { ...pv, within: { lastDays: 30 } } },
      null,
      NOW,
    );
    expect(recent.memberCount).toBe(2);
    // On 7 April 12:00 the window starts 8 March 12:00: ana's last view is out, dan's in.
    const later = new Date('2026-04-07T12:00:00Z');
    await refreshWorkspace(t.ctx.db, owner.workspaceId, later);
    const members = await api('GET', `/api/v1/segments/${recent.id}/members`);
    expect(members.items.map((c: { id: string }) => c.id)).toEqual([ids.dan]);
    const log = await sql<{ customer_id: string; change: string; at: Date }>`
      select customer_id, change, at from segment_membership_log where segment_id = ${recent.id} order by seq`.execute(
      t.ctx.db,
    );
    expect(log.rows.map((r) => [r.customer_id, r.change, r.at.toISOString()])).toEqual(
      expect.arrayContaining([
        [ids.ana, 'entered', NOW.toISOString()],
        [ids.dan, 'entered', NOW.toISOString()],
        [ids.ana, 'exited', later.toISOString()],
      ]),
    );
    expect(log.rows).toHaveLength(3);
    await api('DELETE', `/api/v1/segments/${recent.id}`, undefined, 204);
  });

  it('static lists: by id, by CSV with lines not found, and removal', async () => {
    const list = await api(
      'POST',
      '/api/v1/segments',
      { name: 'Tasting invitees', kind: 'static', description: null, rule: null },
      201,
    );
    expect(list).toMatchObject({ rule: null, description: null, memberCount: 0 });
    const described = await api('PATCH', `/api/v1/segments/${list.id}`, { description: 'Spring tasting' });
    expect(described).toMatchObject({ name: 'Tasting invitees', description: 'Spring tasting' });
    expect((await api('PATCH', `/api/v1/segments/${list.id}`, { description: null })).description).toBeNull();
    const csv = ['email', 'ana@example.com', '+34 600 000 002', 'nobody@example.com', 'cus_missing', '', ids.dan].join(
      '\n',
    );
    const r = await api('POST', `/api/v1/segments/${list.id}/members/csv`, { csv });
    expect(r).toEqual({
      added: 3,
      notFound: [
        { line: 4, value: 'nobody@example.com' },
        { line: 5, value: 'cus_missing' },
      ],
      memberCount: 3,
    });
    const add = await api('POST', `/api/v1/segments/${list.id}/members`, {
      customerIds: [ids.cara, ids.ana, 'cus_zz'],
    });
    expect(add).toEqual({ added: 1, notFound: ['cus_zz'], memberCount: 4 });
    const rm = await api('POST', `/api/v1/segments/${list.id}/members/remove`, { customerIds: [ids.dan] });
    expect(rm).toEqual({ removed: 1, memberCount: 3 });
    // Paging two at a time through three members.
    const p1 = await api('GET', `/api/v1/segments/${list.id}/members?limit=2`);
    const p2 = await api('GET', `/api/v1/segments/${list.id}/members?limit=2&cursor=${p1.nextCursor}`);
    expect([...p1.items, ...p2.items].map((c: { id: string }) => c.id).sort()).toEqual(
      [ids.ana, ids.ben, ids.cara].sort(),
    );
    expect(p2.nextCursor).toBeNull();
    // A dynamic segment's members are not edited by hand.
    const dyn = (await api('GET', '/api/v1/segments')).items.find((s: { kind: string }) => s.kind === 'dynamic');
    const refused = await t.req('POST', `/api/v1/segments/${dyn.id}/members`, {
      auth: owner.auth,
      body: { customerIds: [ids.ana] },
    });
    expect(refused.json().error.code).toBe('segment_not_static');
  });
});

describe('kept current', () => {
  it('enters and exits as events are processed, by the incremental job, on the timeline in order', async () => {
    registerSegmentJobs(t.ctx.jobs, t.ctx.db, { scheduleHourly: false });
    const subscribers = await api(
      'POST',
      '/api/v1/segments',
      {
        name: 'Subscribers',
        kind: 'dynamic',
        rule: {
          all: [
            { type: 'event', event: 'Subscribed', did: true },
            { type: 'event', event: 'Unsubscribed', did: false },
          ],
        },
      },
      201,
    );
    expect(subscribers.memberCount).toBe(0);
    // Built on Subscribers: evaluated after it in the same job (dependency order).
    const freeSubscribers = await api(
      'POST',
      '/api/v1/segments',
      {
        name: 'Free subscribers',
        kind: 'dynamic',
        rule: {
          all: [
            { type: 'trait', trait: 'plan', op: 'equals', value: 'free' },
            { type: 'segment', segmentId: subscribers.id, op: 'in' },
          ],
        },
      },
      201,
    );
    const members = async (id: string) => (await api('GET', `/api/v1/segments/${id}`)).memberCount;
    const count = () => members(subscribers.id);
    /** Runs due jobs until the segment has `n` members: the incremental job is due within 6 s of the batch. */
    const until = async (n: number) => {
      for (let i = 0; i < 30 && (await count()) !== n; i++) {
        await new Promise((r) => setTimeout(r, 400));
        await t.ctx.jobs.drain();
      }
      expect(await count()).toBe(n);
    };
    await track('web', 'ben', 'Subscribed', {}, new Date().toISOString());
    await process();
    const dirty = await sql<{
      customer_id: string;
    }>`select customer_id from segment_dirty_customers where workspace_id = ${owner.workspaceId}`.execute(t.ctx.db);
    expect(dirty.rows.map((r) => r.customer_id)).toEqual([ids.ben]);
    await until(1);
    expect(await members(freeSubscribers.id)).toBe(1);
    await track('web', 'ben', 'Unsubscribed', {}, new Date().toISOString());
    await process();
    await until(0);
    expect(await members(freeSubscribers.id)).toBe(0);
    expect((await sql`select 1 from segment_dirty_customers`.execute(t.ctx.db)).rows).toHaveLength(0);

    const timeline = await api(
      'GET',
      `/api/v1/customers/${ids.ben}/timeline?type=track:Segment%20Entered,track:Segment%20Exited&limit=50`,
    );
    const mine = timeline.data.filter(
      (i: { data: { properties: { segment_id: string } } }) => i.data.properties.segment_id === subscribers.id,
    );
    expect(mine.map((i: { type: string; title: string; data: unknown }) => [i.type, i.data])).toEqual([
      ['track:Segment Exited', { properties: { segment_id: subscribers.id, segment_name: 'Subscribers' } }],
      ['track:Segment Entered', { properties: { segment_id: subscribers.id, segment_name: 'Subscribers' } }],
    ]);
    // Journeys read the same changes in order.
    const { membershipChangesAfter } = await import('./index.js');
    const changes = (await membershipChangesAfter(t.ctx.db, owner.workspaceId, 0, 1000)).filter(
      (c) => c.segmentId === subscribers.id,
    );
    expect(changes.map((c) => [c.event, c.customerId])).toEqual([
      ['Segment Entered', ids.ben],
      ['Segment Exited', ids.ben],
    ]);
  }, 30_000);

  it('an order written outside processing (an import, a webhook, the API) re-evaluates its customer by the incremental job', async () => {
    // (The segment jobs were registered by the test before.)
    const big = await api(
      'POST',
      '/api/v1/segments',
      { name: 'Big spenders', kind: 'dynamic', rule: { type: 'orders', metric: 'revenue', op: 'gt', value: 5000 } },
      201,
    );
    expect(big.memberCount).toBe(0);
    await t.ctx.db.transaction().execute((tx) =>
      upsertOrder(tx, owner.workspaceId, {
        sourceId: sourceIds.ecommerce as string,
        channel: 'ecommerce',
        externalId: 'BIG-1',
        customerId: ids.cara as string,
        currency: 'EUR',
        total: 6000,
        placedAt: new Date(),
      }),
    );
    const dirty = await sql<{ customer_id: string }>`
      select customer_id from segment_dirty_customers where workspace_id = ${owner.workspaceId}`.execute(t.ctx.db);
    expect(dirty.rows.map((r) => r.customer_id)).toEqual([ids.cara]);
    for (let i = 0; i < 30 && (await api('GET', `/api/v1/segments/${big.id}`)).memberCount !== 1; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await t.ctx.jobs.drain();
    }
    expect((await api('GET', `/api/v1/segments/${big.id}/members`)).items.map((c: { id: string }) => c.id)).toEqual([
      ids.cara,
    ]);
    await api('DELETE', `/api/v1/segments/${big.id}`, undefined, 204);
  }, 30_000);

  it('the hourly refresh job re-evaluates every workspace and schedules the next one', async () => {
    const id = await t.ctx.jobs.enqueue(REFRESH_QUEUE, {}, { singletonKey: 'test-run-now' });
    await t.ctx.jobs.drain();
    const job = await t.ctx.jobs.get(id);
    expect(job).toMatchObject({ state: 'completed', result: { workspaces: 1 } });
    const next = await sql<{ run_at: Date }>`
      select run_at from jobs where queue = ${REFRESH_QUEUE} and state = 'queued'`.execute(t.ctx.db);
    expect(next.rows).toHaveLength(1);
    const runAt = (next.rows[0] as { run_at: Date }).run_at;
    expect(runAt.getTime() % 3_600_000).toBe(0);
    expect(runAt.getTime()).toBeGreaterThan(Date.now());
    await sql`delete from jobs where queue = ${REFRESH_QUEUE}`.execute(t.ctx.db);
  });

  it('the full refresh is scheduled once per hour, at the next full hour', async () => {
    const a = await scheduleHourlyRefresh(t.ctx.jobs, new Date('2030-05-01T10:17:00Z'));
    const b = await scheduleHourlyRefresh(t.ctx.jobs, new Date('2030-05-01T10:59:59Z'));
    expect(b).toBe(a);
    expect(await t.ctx.jobs.get(a)).toMatchObject({
      queue: REFRESH_QUEUE,
      state: 'queued',
      runAt: new Date('2030-05-01T11:00:00Z'),
    });
    const c = await scheduleHourlyRefresh(t.ctx.jobs, new Date('2030-05-01T11:00:00Z'));
    expect(c).not.toBe(a);
    expect((await t.ctx.jobs.get(c)).runAt).toEqual(new Date('2030-05-01T12:00:00Z'));
    await sql`delete from jobs where id in (${a}, ${c})`.execute(t.ctx.db);
  });

  it("a merge moves the merged profile's memberships to the survivor", async () => {
    const list = await api('POST', '/api/v1/segments', { name: 'Merge list', kind: 'static' }, 201);
    await api('POST', `/api/v1/segments/${list.id}/members`, { customerIds: [ids.dan] });
    await api('POST', `/api/v1/customers/${ids.cara}/merge`, { customerId: ids.dan, reason: 'same person' });
    const members = await api('GET', `/api/v1/segments/${list.id}/members`);
    expect(members.items.map((c: { id: string }) => c.id)).toEqual([ids.cara]);
    expect(await repo.isMember(t.ctx.db, owner.workspaceId, list.id, ids.dan as string)).toBe(false);
  });
});

describe('isolation', () => {
  it("another workspace sees none of this one's segments, members or customers", async () => {
    const mine = (await api('GET', '/api/v1/segments')).items;
    expect(mine.length).toBeGreaterThan(2);
    const otherWs = await createOtherWorkspace(t, owner.auth, 'Gym');
    await api('POST', '/api/v1/session/workspace', { workspaceId: otherWs });
    try {
      expect((await api('GET', '/api/v1/segments')).items).toEqual([]);
      for (const s of mine) {
        expect((await t.req('GET', `/api/v1/segments/${s.id}/members`, { auth: owner.auth })).statusCode).toBe(404);
        expect(
          (await t.req('GET', `/api/v1/segments/${s.id}/explain/${ids.ana}`, { auth: owner.auth })).statusCode,
        ).toBe(404);
      }
      // A rule everyone matches counts nobody here; another workspace's segment cannot be named.
      expect(
        (await api('POST', '/api/v1/segments/preview', { rule: { type: 'tag', tag: 'vip', op: 'has_not' } })).count,
      ).toBe(0);
      const ref = await t.req('POST', '/api/v1/segments/preview', {
        auth: owner.auth,
        body: { rule: { type: 'segment', segmentId: mine[0].id, op: 'in' } },
      });
      expect(ref.json().error.field).toBe('rule.segmentId');
    } finally {
      await api('POST', '/api/v1/session/workspace', { workspaceId: owner.workspaceId });
    }
  });
});
