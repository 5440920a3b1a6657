/**
 * RFM and lifecycle conditions (issue 5): six customers with orders, their RFM cells and
 * lifecycle stages worked out by hand, evaluated by preview, a saved segment and explain.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertOrder } from '../commerce/index.js';
import { processAllPending } from '../ingest/index.js';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import type { SegmentRule } from './rules.js';
import { explainMembership, previewRule, refreshWorkspace } from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let ws: string;
let key = '';
let source = '';
let seq = 0;
const ids: Record<string, string> = {};
/** The evaluation time (the API uses the real clock, so figures are checked through the service). */
const NOW = new Date('2026-07-05T12:00:00Z');

const api = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown, status = 200) => {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.body ? r.json() : undefined;
};
async function order(externalId: string, who: string, total: number, placedAt: string) {
  await t.ctx.db.transaction().execute((tx) =>
    upsertOrder(tx, ws, {
      sourceId: source,
      channel: 'ecommerce',
      externalId,
      customerId: ids[who] as string,
      currency: 'EUR',
      total,
      placedAt: new Date(placedAt),
    }),
  );
}
const names = (rows: { id: string }[]) => {
  const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  return rows.map((r) => byId[r.id] ?? r.id).sort();
};

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  ws = owner.workspaceId;
  await api('PATCH', '/api/v1/workspace', { currency: 'EUR' });
  const s = await api('POST', '/api/v1/sources', { name: 'shop', channel: 'ecommerce' }, 201);
  key = s.writeKey;
  source = s.id;
  for (const name of ['ana', 'ben', 'cid', 'dee', 'eve', 'zoe']) {
    const r = await t.req('POST', '/v1/identify', {
      body: JSON.stringify({
        messageId: `m-${++seq}`,
        type: 'identify',
        userId: name,
        timestamp: '2025-06-01T10:00:00Z',
      }),
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      },
    });
    expect(r.statusCode, r.body).toBe(200);
  }
  await processAllPending(t.ctx.db, ws);
  const r = await sql<{ customer_id: string; value: string }>`
    select customer_id, value from customer_identifiers where workspace_id = ${ws} and kind = 'user_id'`.execute(
    t.ctx.db,
  );
  for (const x of r.rows) ids[x.value] = x.customer_id;
  // Zoe never orders: in no RFM cell and no lifecycle stage.
  await order('A1', 'ana', 10, '2026-01-10T10:00:00Z');
  await order('A2', 'ana', 10, '2026-02-10T10:00:00Z');
  await order('A3', 'ana', 10, '2026-03-01T10:00:00Z');
  await order('B1', 'ben', 10, '2026-04-01T10:00:00Z');
  await order('B2', 'ben', 10, '2026-04-10T10:00:00Z');
  await order('C1', 'cid', 10, '2026-05-05T10:00:00Z');
  await order('D1', 'dee', 10, '2026-06-30T10:00:00Z');
  await order('E1', 'eve', 10, '2025-10-01T10:00:00Z');
  await order('E2', 'eve', 10, '2026-07-03T10:00:00Z');
  await api('PUT', '/api/v1/metrics/lifecycle/thresholds', { activeDays: 30, atRiskDays: 70, lapsedDays: 90 });
});

// RFM over the 5 customers with orders (docs/metrics.md: score = 1 + ⌊5k / (n − 1)⌋, capped at 5, k the rank − 1):
//   R by last order: Ana 1 Mar (k 0) 1, Ben 10 Apr (1) 2, Cid 5 May (2) 3, Dee 30 Jun (3) 4, Eve 3 Jul (4) 5.
//   F by orders: Cid 1, Dee 1 (k 0) → 1; Ben 2, Eve 2 (k 2) → 3; Ana 3 (k 4) → 5.
//   Cells: Ana (1,5) cant_lose; Ben (2,3) at_risk; Cid (3,1) about_to_sleep; Dee (4,1) promising;
//          Eve (5,3) potential_loyalists.
// Lifecycle on 5 Jul with 30 / 70 / 90 days: Dee first ordered 30 Jun → new; Eve last 3 Jul after
//   275 days (> 90) → won_back; Cid 61 days → active; Ben 86 days → at_risk; Ana 126 days → lapsed.
describe('rfm and lifecycle conditions', () => {
  const preview = async (rule: SegmentRule) => {
    const r = await previewRule(t.ctx.db, ws, rule, NOW);
    expect(r.sample.length).toBe(Math.min(r.count, 10));
    return { count: r.count, members: names(r.sample) };
  };

  it('rfm: the customers in the named cells', async () => {
    expect(await preview({ type: 'rfm', cells: ['cant_lose'] })).toEqual({ count: 1, members: ['ana'] });
    expect(await preview({ type: 'rfm', cells: ['at_risk', 'promising', 'potential_loyalists'] })).toEqual({
      count: 3,
      members: ['ben', 'dee', 'eve'],
    });
    expect(await preview({ type: 'rfm', cells: ['champions', 'lost'] })).toEqual({ count: 0, members: [] });
    // Under NOT (a left join): everyone else, Zoe (no orders) included.
    expect(await preview({ not: { type: 'rfm', cells: ['about_to_sleep', 'cant_lose'] } })).toEqual({
      count: 4,
      members: ['ben', 'dee', 'eve', 'zoe'],
    });
  });

  it('lifecycle: the customers in the stages now, with the workspace thresholds', async () => {
    expect(await preview({ type: 'lifecycle', stages: ['new', 'won_back'] })).toEqual({
      count: 2,
      members: ['dee', 'eve'],
    });
    expect(await preview({ type: 'lifecycle', stages: ['at_risk'] })).toEqual({ count: 1, members: ['ben'] });
    expect(await preview({ type: 'lifecycle', stages: ['lapsed'] })).toEqual({ count: 1, members: ['ana'] });
    expect(
      await preview({
        any: [
          { type: 'lifecycle', stages: ['active'] },
          { all: [{ type: 'rfm', cells: ['cant_lose'] }, { not: { type: 'lifecycle', stages: ['active'] } }] },
        ],
      }),
    ).toEqual({ count: 2, members: ['ana', 'cid'] });
  });

  it('a saved segment holds the members; explain says which condition matched', async () => {
    const seg = await api(
      'POST',
      '/api/v1/segments',
      {
        name: 'Slipping',
        kind: 'dynamic',
        rule: {
          any: [
            { type: 'rfm', cells: ['at_risk'] },
            { type: 'lifecycle', stages: ['lapsed'] },
          ],
        },
      },
      201,
    );
    // Saved (and refreshed) with the real clock; refreshed again at NOW for the figures above.
    await refreshWorkspace(t.ctx.db, ws, NOW);
    const m = await sql<{ id: string }>`select customer_id as id from segment_members
      where workspace_id = ${ws} and segment_id = ${seg.id}`.execute(t.ctx.db);
    expect(names(m.rows)).toEqual(['ana', 'ben']);
    const e = await explainMembership(t.ctx.db, ws, seg.id, ids.ben as string, NOW);
    expect(e.matches).toBe(true);
    expect(e.explanation?.children?.map((c) => [c.matched, c.actual])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it('refuses unknown cells and stages, naming the field', async () => {
    const bad = await t.req('POST', '/api/v1/segments/preview', {
      auth: owner.auth,
      body: { rule: { all: [{ type: 'rfm', cells: ['champs'] }] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('rule.all.0.cells.0');
    const empty = await t.req('POST', '/api/v1/segments/preview', {
      auth: owner.auth,
      body: { rule: { type: 'lifecycle', stages: [] } },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('stages');
  });
});
