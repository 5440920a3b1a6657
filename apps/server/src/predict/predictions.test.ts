/**
 * Predictions end to end on a simulated shop: 420 customers buying for two years by a
 * buy-'til-you-die process (Poisson purchases, dropout after a purchase), two groups of tastes
 * plus a best seller. Checks the summaries the models read against the simulation, the fitted
 * model, every customer's scores and their why, the holdout diagnostics, score rules in
 * segments, recommendations, related products, personalization switched off, the background
 * run, validation and workspace isolation.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertOrders } from '../commerce/index.js';
import { previewRule } from '../segments/index.js';
import { createOtherWorkspace, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import { bgNbdPAlive } from './bgnbd.js';
import { NIGHTLY_QUEUE, RUN_QUEUE, registerPredictJobs, scheduleNightly } from './jobs.js';
import { seededRandom } from './metrics.js';
import { templateRecommendations } from './recommend-service.js';
import { runPredictions } from './service.js';
import { sampleGamma } from './simulate.js';

const DAY = 86_400_000;
// Noon yesterday (UTC): every simulated purchase is in the past for requests made at the real time.
const NOW = new Date(Math.floor(Date.now() / DAY) * DAY - 12 * 3_600_000);
const GROUPS = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'] } as const;

const rand = seededRandom(42);
const gamma = (k: number, theta: number) => sampleGamma(rand, k) * theta;
const beta = (a: number, b: number) => {
  const x = gamma(a, 1);
  return x / (x + gamma(b, 1));
};

interface Simulated {
  key: string;
  group: 'a' | 'b';
  purchases: Date[];
}

function simulate(n: number): Simulated[] {
  const out: Simulated[] = [];
  for (let i = 0; i < n; i++) {
    const first = NOW.getTime() - (20 + rand() * 700) * DAY;
    const rate = gamma(1.5, 1 / 45); // purchases a day while alive: mean 1 every 30 days
    const p = beta(1, 4); // chance of dropping out after each purchase
    const purchases = [new Date(first)];
    let t = first;
    for (;;) {
      if (rand() < p) break;
      t += (-Math.log(1 - rand()) / rate) * DAY;
      if (t >= NOW.getTime() - 3_600_000) break;
      purchases.push(new Date(t));
    }
    out.push({ key: `c${i}`, group: i % 2 === 0 ? 'a' : 'b', purchases });
  }
  return out;
}

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let ws: string;
let source: string;
const ids = new Map<string, string>();
const shop = simulate(420);

const api = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200) => {
  const r = await t.req(method, url, { auth: owner.auth, ...(body !== undefined ? { body } : {}) });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.json();
};

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  ws = owner.workspaceId;
  registerPredictJobs(t.ctx.jobs, t.ctx.db, { scheduleNightly: false });
  source = (await api('POST', '/api/v1/sources', { name: 'Shop', channel: 'ecommerce' }, 201)).id;
  for (const [i, c] of shop.entries()) {
    const r = await resolveProfile(t.ctx.db, ws, {
      email: `${c.key}@example.com`,
      at: c.purchases[0],
      traits: { country: i % 3 === 0 ? 'PT' : 'ES' },
    });
    ids.set(c.key, r.customerId);
  }
  // A customer with one purchase of a1, and one of b1, for the recommendation checks.
  for (const key of ['only-a1', 'only-b1']) {
    ids.set(key, (await resolveProfile(t.ctx.db, ws, { email: `${key}@example.com`, at: NOW })).customerId);
  }
  const orders = shop.flatMap((c) =>
    c.purchases.map((at, k) => {
      const picks = GROUPS[c.group];
      const items = [picks[k % 3] as string, picks[(k + 1) % 3] as string];
      if (k % 2 === 0) items.push('bread');
      return {
        sourceId: source,
        channel: 'ecommerce',
        externalId: `${c.key}-${k}`,
        customerId: ids.get(c.key) as string,
        currency: 'EUR',
        total: 10 + Math.round(rand() * 4000) / 100,
        placedAt: at,
        items: items.map((productId) => ({ productId, name: productId.toUpperCase(), quantity: 1, unitPrice: 5 })),
      };
    }),
  );
  orders.push(
    ...(['a1', 'b1'] as const).map((p) => ({
      sourceId: source,
      channel: 'ecommerce',
      externalId: `only-${p}`,
      customerId: ids.get(`only-${p}`) as string,
      currency: 'EUR',
      total: 12,
      placedAt: new Date(NOW.getTime() - 5 * DAY),
      items: [{ productId: p, name: p.toUpperCase(), quantity: 1, unitPrice: 12 }],
    })),
  );
  await t.ctx.db.transaction().execute((tx) => upsertOrders(tx, ws, orders));
}, 120_000);

/** x, t_x and T in weeks as the papers define them, from the simulation (days in UTC; the workspace is UTC). */
function summaryOf(purchases: Date[]) {
  const days = [...new Set(purchases.map((d) => Math.floor(d.getTime() / DAY)))].sort((a, b) => a - b);
  const today = Math.floor(NOW.getTime() / DAY);
  const first = days[0] as number;
  return { x: days.length - 1, tx: ((days.at(-1) as number) - first) / 7, T: (today - first) / 7 };
}

describe('predictions on a simulated shop', () => {
  let scored: number;
  beforeAll(async () => {
    await sql`update workspaces set timezone = 'UTC', currency = 'EUR' where id = ${ws}`.execute(t.ctx.db);
    scored = (await runPredictions(t.ctx.db, ws, { now: NOW })).scored;
  }, 120_000);

  it('scores every customer with an order, from the summaries the papers define', async () => {
    expect(scored).toBe(shop.length + 2);
    const clv = await api('GET', '/api/v1/predictions/clv');
    for (const k of ['r', 'alpha', 'a', 'b']) expect(clv[k]).toBeGreaterThan(0);
    expect(clv.logLikelihood).toBeLessThan(0);
    expect(clv.p).toBeGreaterThan(0);
    expect(clv.fittedOn).toBe('all');
    expect(clv.holdoutEnd).not.toBeNull();
    const rows = await sql<{ customer_id: string; x: number; t_x: number; t_cal: number; p_alive: number }>`
      select customer_id, x, t_x, t_cal, p_alive from customer_predictions where workspace_id = ${ws}`.execute(
      t.ctx.db,
    );
    const byId = new Map(rows.rows.map((r) => [r.customer_id, r]));
    const nan = await sql<{ n: number }>`
      select count(*)::int as n from customer_predictions where workspace_id = ${ws}
        and 'NaN'::float8 in (p_alive, expected_30, expected_90, expected_365, purchase_probability_30, expected_aov, clv, churn_risk)`.execute(
      t.ctx.db,
    );
    expect(nan.rows[0]?.n).toBe(0);
    for (const c of shop.slice(0, 60)) {
      const want = summaryOf(c.purchases);
      const got = byId.get(ids.get(c.key) as string);
      expect(got, c.key).toBeDefined();
      expect(got?.x).toBe(want.x);
      expect(got?.t_x).toBeCloseTo(want.tx, 9);
      expect(got?.t_cal).toBeCloseTo(want.T, 9);
      // The stored P(alive) is the engine's with the stored parameters.
      expect(got?.p_alive).toBeCloseTo(bgNbdPAlive(clv, want.x, want.tx, want.T), 9);
    }
  });

  it('shows each customer their scores with the why and the model versions', async () => {
    const c = shop.find((s) => s.purchases.length >= 4) as Simulated;
    const p = await api('GET', `/api/v1/customers/${ids.get(c.key)}/predictions`);
    expect(p.personalization).toBe(true);
    expect(p.scores.pAlive).toBeGreaterThanOrEqual(0);
    expect(p.scores.pAlive).toBeLessThanOrEqual(1);
    expect(p.scores.expected365).toBeGreaterThanOrEqual(p.scores.expected90);
    expect(p.scores.expected90).toBeGreaterThanOrEqual(p.scores.expected30);
    expect(p.scores.clv).toBeGreaterThan(0);
    expect(p.scores.churnRisk).toBeGreaterThanOrEqual(0);
    expect(p.scores.churnRisk).toBeLessThanOrEqual(1);
    expect(['low', 'medium', 'high']).toContain(p.scores.churnBand);
    expect(p.why.churn.length).toBeGreaterThan(0);
    for (const r of p.why.churn) {
      expect(r.label).not.toBe(r.feature);
      expect(['up', 'down']).toContain(r.direction);
    }
    expect(p.why.clv.map((f: { feature: string }) => f.feature)).toContain('repeat_purchases');
    expect(p.models.clv).toBe(1);
    expect(p.models.churn).toBe(1);
    const es = await t.req('GET', `/api/v1/customers/${ids.get(c.key)}/predictions`, {
      auth: owner.auth,
      headers: { 'accept-language': 'es' },
    });
    expect(es.json().why.churn[0].label).not.toBe(p.why.churn[0].label);
  });

  it('trains churn on the past and reports its AUC against 1 − P(alive) on a later period', async () => {
    const churn = await api('GET', '/api/v1/predictions/churn');
    expect(churn.kind).toBe('supervised');
    expect(churn.trainCustomers).toBeGreaterThan(200);
    expect(churn.auc).toBeGreaterThan(0.6);
    expect(churn.baselineAuc).toBeGreaterThan(0.5);
    expect(churn.features.length).toBeGreaterThan(3);
    const fair = await api('GET', '/api/v1/predictions/fairness');
    const churnFair = fair.models.find((m: { model: string }) => m.model === 'churn');
    const countries = churnFair.groups.filter((g: { dimension: string }) => g.dimension === 'country');
    expect(countries.map((g: { value: string }) => g.value).sort()).toEqual(['ES', 'PT']);
    for (const g of countries) expect(g.customers).toBeGreaterThan(30);
    expect(fair.models.map((m: { model: string }) => m.model).sort()).toEqual(['churn', 'clv']);
  });

  it('fits on a chosen calibration period and compares with what happened after it', async () => {
    const calEnd = new Date(NOW.getTime() - 180 * DAY).toISOString().slice(0, 10);
    const m = await api('POST', '/api/v1/predictions/clv/fit', { calibrationEnd: calEnd, timeUnit: 'weeks' });
    expect(m.fittedOn).toBe('calibration');
    expect(m.calibrationEnd).toBe(calEnd);
    const endDay = Math.floor(Date.parse(`${calEnd}T00:00:00Z`) / DAY);
    const inCal = shop.filter((c) => Math.floor((c.purchases[0] as Date).getTime() / DAY) <= endDay);
    expect(m.customers).toBe(inCal.length);
    const buckets = m.diagnostics.buckets as { customers: number; actual: number }[];
    expect(buckets.reduce((n, b) => n + b.customers, 0)).toBe(inCal.length);
    // Actual holdout purchases (days after the calibration end), per customer, as the simulation has them.
    const actual = inCal.reduce(
      (n, c) => n + new Set(c.purchases.map((d) => Math.floor(d.getTime() / DAY)).filter((d) => d > endDay)).size,
      0,
    );
    const total = buckets.reduce((n, b) => n + b.actual * b.customers, 0);
    // Bucket means are rounded to 4 decimals.
    expect(Math.abs(total - actual)).toBeLessThan(0.05);
    expect(['good', 'fair', 'poor']).toContain(m.diagnostics.fitQuality);
    // The tracking curve ends at every repeat purchase of these customers, in both periods.
    const repeats = inCal.reduce(
      (n, c) => n + new Set(c.purchases.map((d) => Math.floor(d.getTime() / DAY))).size - 1,
      0,
    );
    expect(m.diagnostics.tracking.at(-1).actual).toBe(repeats);
    expect(m.diagnostics.tracking.at(-1).predicted).toBeGreaterThan(0);
  });

  it('lets segment rules use scores', async () => {
    const rule = { type: 'prediction', score: 'churn_risk', op: 'gt', value: 0.5 } as const;
    const want = await sql<{ n: number }>`
      select count(*)::int as n from customer_predictions where workspace_id = ${ws} and churn_risk > 0.5`.execute(
      t.ctx.db,
    );
    const got = await previewRule(t.ctx.db, ws, rule, NOW);
    expect(got.count).toBe(want.rows[0]?.n);
    expect(got.count).toBeGreaterThan(0);
    const bad = await t.req('POST', '/api/v1/segments/preview', {
      auth: owner.auth,
      body: { rule: { type: 'prediction', score: 'loyalty', op: 'gt', value: 1 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toMatch(/^rule\.score/);
  });

  it('recommends what customers with the same taste bought, and says why', async () => {
    const r = await api('GET', `/api/v1/customers/${ids.get('only-a1')}/recommendations?limit=3`);
    expect(r.modelVersion).toBe(1);
    const names = r.items.map((i: { name: string }) => i.name);
    // Everyone who bought A1 also bought A2 — and bread, in everyone's first order; then A3.
    expect(names.slice().sort()).toEqual(['A2', 'A3', 'BREAD']);
    const a2 = r.items.find((i: { name: string }) => i.name === 'A2');
    expect(a2.because.map((b: { name: string }) => b.name)).toEqual(['A1']);
    expect(a2.reason).toBe('bought_with');
    const b = await api('GET', `/api/v1/customers/${ids.get('only-b1')}/recommendations?limit=3`);
    const bNames = b.items.map((i: { name: string }) => i.name);
    expect(bNames.slice().sort()).toEqual(['B2', 'B3', 'BREAD']);
    const product = await sql<{ id: string }>`
      select id from products where workspace_id = ${ws} and external_id = 'a1'`.execute(t.ctx.db);
    const rel = await api('GET', `/api/v1/products/${product.rows[0]?.id}/related?limit=2`);
    expect(rel.items.map((i: { name: string }) => i.name).sort()).toEqual(['A2', 'A3']);
    expect(rel.items[0].together).toBeGreaterThan(10);
    const scope = await templateRecommendations(t.ctx.db, ws, ids.get('only-a1') as string, 2);
    expect(scope.map((p) => p.name)).toEqual(names.slice(0, 2));
    expect(scope.every((p) => p.name !== 'A1')).toBe(true);
  });

  it('switches personalization off for a customer who asks', async () => {
    const id = ids.get('only-a1') as string;
    const before = await previewRule(t.ctx.db, ws, { type: 'prediction', score: 'p_alive', op: 'gte', value: 0 }, NOW);
    expect(await api('PUT', `/api/v1/customers/${id}/personalization`, { enabled: false })).toEqual({
      personalization: false,
    });
    const p = await api('GET', `/api/v1/customers/${id}/predictions`);
    expect(p).toMatchObject({ personalization: false, scores: null, why: { churn: [], clv: [] } });
    const r = await api('GET', `/api/v1/customers/${id}/recommendations`);
    expect(r).toMatchObject({ personalization: false, items: [] });
    const after = await previewRule(t.ctx.db, ws, { type: 'prediction', score: 'p_alive', op: 'gte', value: 0 }, NOW);
    expect(after.count).toBe(before.count - 1);
    // Templates get the business's popular products, not ones picked from the customer's history.
    const scope = await templateRecommendations(t.ctx.db, ws, id, 2);
    expect(scope.map((x) => x.reason)).toEqual(['popular', 'popular']);
    await api('PUT', `/api/v1/customers/${id}/personalization`, { enabled: true });
    expect((await api('GET', `/api/v1/customers/${id}/predictions`)).scores).not.toBeNull();
  });

  it('shows predicted CLV by acquisition channel', async () => {
    const r = await api('GET', '/api/v1/predictions/clv/by-channel');
    expect(r.currency).toBe('EUR');
    const total = r.rows.reduce((n: number, x: { customers: number }) => n + x.customers, 0);
    expect(total).toBe(shop.length + 2);
  });

  it('refits everything in the background with progress', async () => {
    const r = await api('POST', '/api/v1/predictions/run', {}, 202);
    expect(r.job.status).toBe('queued');
    await t.ctx.jobs.drain({ timeoutMs: 60_000 });
    const o = await api('GET', '/api/v1/predictions');
    expect(o.job).toMatchObject({ status: 'completed', progress: 1 });
    expect(o.clv.version).toBeGreaterThanOrEqual(3);
    expect(o.scoredCustomers).toBe(shop.length + 2);
    expect(o.recommendations.pairs).toBeGreaterThan(0);
  }, 60_000);

  it('schedules the nightly refit at 03:00 UTC once a night, and the nightly job refits every workspace with orders', async () => {
    const jobs = t.ctx.jobs;
    // Before 03:00, tonight's; asked twice, the same job; from 03:00 on, the next night's.
    const tonight = await scheduleNightly(jobs, new Date('2020-01-01T02:30:00Z'));
    expect(await scheduleNightly(jobs, new Date('2020-01-01T00:00:00Z'))).toBe(tonight);
    expect((await jobs.get(tonight)).runAt.toISOString()).toBe('2020-01-01T03:00:00.000Z');
    const later = await scheduleNightly(jobs, new Date('2099-06-01T03:00:00Z'));
    expect(later).not.toBe(tonight);
    const laterJob = await jobs.get(later);
    expect(laterJob).toMatchObject({ queue: NIGHTLY_QUEUE, state: 'queued', workspaceId: null });
    expect(laterJob.runAt.toISOString()).toBe('2099-06-02T03:00:00.000Z');

    // The one of 2020 is due: it queues a refit for this workspace, which runs, and schedules the next night.
    const before = (await jobs.list({ workspaceId: ws, queue: RUN_QUEUE, limit: 1 }))[0]?.id;
    await jobs.drain({ timeoutMs: 60_000 });
    const nightly = await jobs.get(tonight);
    expect(nightly.state).toBe('completed');
    expect((nightly.result as { workspaces: number }).workspaces).toBeGreaterThanOrEqual(1);
    const [run] = await jobs.list({ workspaceId: ws, queue: RUN_QUEUE, limit: 1 });
    expect(run?.id).not.toBe(before);
    expect(run?.state).toBe('completed');
    expect(run?.createdAt.getTime()).toBeGreaterThanOrEqual(nightly.startedAt?.getTime() ?? 0);
    const now = new Date();
    const next = await jobs.get(await scheduleNightly(jobs, now));
    expect(next.state).toBe('queued');
    const expected = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 3));
    if (expected.getTime() <= now.getTime()) expected.setUTCDate(expected.getUTCDate() + 1);
    expect(next.runAt.toISOString()).toBe(expected.toISOString());
    expect(next.createdAt.getTime()).toBeGreaterThanOrEqual(nightly.startedAt?.getTime() ?? 0);
  }, 60_000);

  it('refuses bad input with the field, and keeps workspaces apart', async () => {
    const bad = await t.req('POST', '/api/v1/predictions/clv/fit', {
      auth: owner.auth,
      body: { calibrationEnd: '1990-01-01' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('calibrationEnd');
    const unit = await t.req('POST', '/api/v1/predictions/clv/fit', { auth: owner.auth, body: { timeUnit: 'months' } });
    expect(unit.statusCode).toBe(400);
    expect(unit.json().error.field).toBe('timeUnit');
    const otherWs = await createOtherWorkspace(t, owner.auth);
    await api('POST', '/api/v1/session/workspace', { workspaceId: otherWs });
    const other = await t.req('GET', `/api/v1/customers/${ids.get('c1')}/predictions`, { auth: owner.auth });
    expect(other.statusCode).toBe(404);
    const none = await t.req('POST', '/api/v1/predictions/clv/fit', { auth: owner.auth, body: {} });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe('no_orders');
  });
});
