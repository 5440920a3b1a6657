/**
 * The consent condition on five hand-made customers: counts worked out by hand, at the top level
 * and under OR / NOT, explain reporting each customer's actual status, and a consent changed
 * through the API re-evaluated by the incremental refresh.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { matchingFrom } from './compiler.js';
import type { SegmentRule } from './rules.js';
import { explainMembership, previewRule, refreshMarked } from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
const ids: Record<string, string> = {};
const NOW = new Date('2026-03-10T12:00:00Z');

const api = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200) => {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.json();
};
const consent = (name: string, channel: string, purpose: string, status: string) =>
  api('PUT', `/api/v1/customers/${ids[name]}/consents`, { channel, purpose, status, at: '2026-03-01T10:00:00Z' });

/** The names of the customers a rule matches; the preview counts the same. */
async function who(rule: SegmentRule): Promise<string[]> {
  const ctx = { workspaceId: owner.workspaceId, now: NOW };
  const r = await sql<{ id: string }>`select c.id ${matchingFrom(rule, ctx).from}`.execute(t.ctx.db);
  const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  const names = r.rows.map((x) => byId[x.id] ?? x.id).sort();
  expect((await previewRule(t.ctx.db, owner.workspaceId, rule, NOW)).count).toBe(names.length);
  return names;
}
const email = (status: string | string[]) =>
  ({ type: 'consent', channel: 'email', purpose: 'marketing', status }) as SegmentRule;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  for (const name of ['ana', 'ben', 'cara', 'dan', 'eve']) {
    const body = { email: `${name}@example.com`, ...(name === 'dan' ? { tags: ['vip'] } : {}) };
    ids[name] = (await api('POST', '/api/v1/customers', body, 201)).id;
  }
  // ana subscribed, ben unsubscribed, cara pending, dan nothing at all, eve only transactional.
  await consent('ana', 'email', 'marketing', 'subscribed');
  await consent('ben', 'email', 'marketing', 'unsubscribed');
  await consent('cara', 'email', 'marketing', 'pending');
  await consent('eve', 'email', 'transactional', 'subscribed');
});

describe('the consent condition', () => {
  it('matches statuses, with customers who have no record counted as unknown', async () => {
    expect(await who(email('subscribed'))).toEqual(['ana']);
    expect(await who(email(['subscribed', 'pending']))).toEqual(['ana', 'cara']);
    expect(await who(email('unknown'))).toEqual(['dan', 'eve']);
    expect(await who(email(['unknown', 'unsubscribed']))).toEqual(['ben', 'dan', 'eve']);
    expect(await who({ type: 'consent', channel: 'email', purpose: 'transactional', status: 'subscribed' })).toEqual([
      'eve',
    ]);
    // Nobody has said anything about SMS.
    expect(await who({ type: 'consent', channel: 'sms', purpose: 'marketing', status: 'unknown' })).toEqual([
      'ana',
      'ben',
      'cara',
      'dan',
      'eve',
    ]);
  });

  it('under OR and NOT, and beside another condition', async () => {
    expect(await who({ not: email('subscribed') })).toEqual(['ben', 'cara', 'dan', 'eve']);
    expect(await who({ not: email('unknown') })).toEqual(['ana', 'ben', 'cara']);
    expect(await who({ any: [email('subscribed'), { type: 'tag', tag: 'vip', op: 'has' }] })).toEqual(['ana', 'dan']);
    expect(await who({ any: [email('unknown'), email('pending')] })).toEqual(['cara', 'dan', 'eve']);
    expect(await who({ all: [email('unknown'), { type: 'tag', tag: 'vip', op: 'has' }] })).toEqual(['dan']);
  });

  it('is checked like every condition: a bad status is a 400 naming it', async () => {
    const r = await t.req('POST', '/api/v1/segments/preview', {
      auth: owner.auth,
      body: { rule: { all: [{ type: 'consent', channel: 'email', purpose: 'marketing', status: 'yes' }] } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.field).toBe('rule.all.0.status');
    const channel = await t.req('POST', '/api/v1/segments/preview', {
      auth: owner.auth,
      body: { rule: { type: 'consent', channel: 'fax', purpose: 'marketing', status: 'subscribed' } },
    });
    expect(channel.json().error.field).toBe('rule.channel');
  });

  it('explain reports the actual status, unknown without a record', async () => {
    const seg = await api(
      'POST',
      '/api/v1/segments',
      { name: 'Email subscribers', kind: 'dynamic', rule: { all: [email('subscribed')] } },
      201,
    );
    expect(seg.memberCount).toBe(1);
    for (const [name, matched, actual] of [
      ['ana', true, 'subscribed'],
      ['ben', false, 'unsubscribed'],
      ['dan', false, 'unknown'],
    ] as const) {
      const e = await explainMembership(t.ctx.db, owner.workspaceId, seg.id, ids[name] as string, NOW);
      expect(e.member, name).toBe(matched);
      expect(e.explanation?.children?.[0], name).toMatchObject({ matched, actual });
    }

    // dan subscribes through the API: marked at once, in by the next incremental refresh.
    await consent('dan', 'email', 'marketing', 'subscribed');
    const marked = await sql`select customer_id from segment_dirty_customers
      where workspace_id = ${owner.workspaceId}`.execute(t.ctx.db);
    expect(marked.rows).toEqual([{ customer_id: ids.dan }]);
    expect(await refreshMarked(t.ctx.db, owner.workspaceId, NOW)).toMatchObject({ customers: 1, entered: 1 });
    const members = await api('GET', `/api/v1/segments/${seg.id}/members`);
    expect(members.items.map((m: { id: string }) => m.id).sort()).toEqual([ids.ana, ids.dan].sort());
  });
});
