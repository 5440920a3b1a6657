/**
 * Walks every registered route, so that a new route is covered without anyone remembering:
 * tenant isolation (workspace B's credentials never reach workspace A's data), role checks
 * (an analyst gets 403 on every write), and bad input (400 naming the field, nothing written).
 * A new route with a body needs a sample body below, or these tests fail and say so.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredRoute } from './app.js';
import { upsertOrder } from './commerce/index.js';
import { linkToCompany } from './customers/index.js';
import { processAllPending } from './ingest/index.js';
import { runWorkspace } from './journeys/index.js';
import { createWebhookEndpoint, sendEmail, sendSms, sendWebhook } from './messaging/index.js';
import { type Auth, addMember, createKey, createTestApp, setupOwner, type TestApp } from './testing/app.js';

let t: TestApp;
let A: { owner: Auth; ids: Record<string, string> };
let B: { owner: Auth; key: string };
let analyst: Auth;

const sampleBodies: Record<string, (ids: Record<string, string>) => Record<string, unknown>> = {
  'POST /api/v1/setup': () => ({ workspaceName: 'X', email: 'x@example.com', password: 'long password 1' }),
  'POST /api/v1/auth/login': () => ({ email: 'nobody@example.com', password: 'long password 1' }),
  'POST /api/v1/auth/password': () => ({ currentPassword: 'not it at all', newPassword: 'long password 2' }),
  'POST /api/v1/session/workspace': (ids) => ({ workspaceId: ids.workspace }),
  'POST /api/v1/workspaces': () => ({ name: 'New' }),
  'PATCH /api/v1/workspace': () => ({ name: 'Renamed' }),
  'PATCH /api/v1/members/:userId': () => ({ role: 'analyst' }),
  'POST /api/v1/invitations': () => ({ email: 'i@example.com', role: 'agent' }),
  'POST /api/v1/invitations/accept': () => ({ token: 'not-a-real-token-at-all', password: 'long password 3' }),
  'POST /api/v1/api-keys': () => ({ name: 'k', scopes: ['read'] }),
  'POST /api/v1/password-resets/complete': () => ({ token: 'not-a-real-token-at-all', password: 'long password 4' }),
  'POST /api/v1/sources': () => ({ name: 'Shop', channel: 'ecommerce' }),
  'PATCH /api/v1/sources/:id': () => ({ name: 'Renamed' }),
  'POST /api/v1/sources/:id/rotate-key': () => ({ graceHours: 1 }),
  'POST /api/v1/sources/:id/quarantine/:quarantineId/replay': () => ({
    payload: { type: 'track', userId: 'u', event: 'E' },
  }),
  'POST /api/v1/customers': () => ({ email: 'sample@example.com', traits: { firstName: 'Sam' } }),
  'PATCH /api/v1/customers/:id': () => ({ traits: { plan: 'pro' }, addTags: ['vip'] }),
  'POST /api/v1/customers/:id/merge': (ids) => ({ customerId: ids.customer2, reason: 'same person' }),
  'POST /api/v1/customers/bulk-tag': (ids) => ({ ids: [ids.customer], add: ['vip'] }),
  'POST /api/v1/customers/views': () => ({
    name: 'Top',
    filters: { tag: 'vip' },
    sort: '-revenue',
    columns: ['name', 'revenue'],
  }),
  'PATCH /api/v1/customers/views/:id': () => ({ name: 'Renamed', filters: { channel: 'web' }, sort: 'name' }),
  'PUT /api/v1/customers/:id/consents': () => ({
    channel: 'email',
    purpose: 'marketing',
    status: 'unsubscribed',
    source: 'preference_center',
    evidence: { form: 'footer' },
    at: '2026-01-02T10:00:00Z',
  }),
  'PUT /api/v1/metrics/spend': () => ({ month: '2026-01', channel: 'email', amount: 120 }),
  'PUT /api/v1/metrics/lifecycle/thresholds': () => ({ activeDays: 14, atRiskDays: 40, lapsedDays: 90 }),
  'POST /api/v1/goals': () => ({ kpi: 'repeatPurchaseRate', target: 0.4, deadline: '2099-06-30', name: 'Repeat' }),
  'PATCH /api/v1/goals/:id': () => ({ name: 'Renamed', target: 0.5 }),
  'POST /api/v1/segments/preview': () => ({ rule: { type: 'tag', tag: 'vip', op: 'has' } }),
  'POST /api/v1/segments': () => ({
    name: 'Sample',
    description: 'd',
    kind: 'dynamic',
    rule: { type: 'tag', tag: 'vip', op: 'has' },
  }),
  'PATCH /api/v1/segments/:id': () => ({ name: 'Renamed', rule: { type: 'tag', tag: 'new', op: 'has' } }),
  'POST /api/v1/segments/:id/members': (ids) => ({ customerIds: [ids.customer] }),
  'POST /api/v1/segments/:id/members/remove': (ids) => ({ customerIds: [ids.customer] }),
  'POST /api/v1/segments/:id/members/csv': () => ({ csv: 'a1@example.com' }),
  'PUT /api/v1/settings/email': () => ({
    host: 'smtp.example.com',
    port: 587,
    secure: false,
    user: 'mailer',
    password: 'smtp password',
    fromName: 'Shop',
    fromAddress: 'shop@example.com',
    brand: { primaryColor: '#112233' },
  }),
  'POST /api/v1/settings/email/test': () => ({ to: 'me@example.com' }),
  'POST /api/v1/journeys': () => ({ name: 'New journey' }),
  'POST /api/v1/journeys/validate': () => ({
    definition: { trigger: { type: 'event', event: 'X' }, start: 'a', nodes: { a: { type: 'exit' } } },
  }),
  'PATCH /api/v1/journeys/:id': () => ({ name: 'Renamed journey' }),
  'POST /api/v1/journeys/:id/simulate': (ids) => ({ customerId: ids.customer2 }),
  'POST /api/v1/playbooks/:key/install': () => ({ name: 'Installed' }),
  'PUT /api/v1/settings/journeys': () => ({ quietHours: { start: '22:00', end: '07:00' }, frequencyCaps: {} }),
  'PATCH /api/v1/tasks/:id': () => ({ status: 'done' }),
  'POST /api/v1/suppressions': () => ({ address: 'complainer@example.com', reason: 'complaint' }),
  'POST /api/v1/templates': () => ({ key: 'hello', variants: { en: { subject: 'Hi', html: '<p>Hi</p>' } } }),
  'PUT /api/v1/templates/:key': () => ({ variants: { en: { subject: 'Hi', html: '<p>Hi</p>' } } }),
  'POST /api/v1/templates/preview': () => ({ variants: { en: { subject: 'Hi', html: '<p>Hi</p>' } } }),
  'POST /api/v1/templates/test': () => ({
    to: 'me@example.com',
    variants: { en: { subject: 'Hi', html: '<p>Hi</p>' } },
  }),
  'POST /api/v1/journeys/:id/test-send': () => ({ node: 'call' }),
  'PUT /api/v1/settings/sms': () => ({
    provider: 'twilio',
    baseUrl: 'https://sms.example.com',
    accountSid: 'AC0123',
    authToken: 'sms auth token',
    fromNumber: '+34600000000',
  }),
  'POST /api/v1/settings/sms/test': () => ({ to: '+34600000001' }),
  'POST /api/v1/settings/webhooks': () => ({ name: 'Zapier', url: 'https://hooks.example.com/kith' }),
  'PATCH /api/v1/settings/webhooks/:id': () => ({ name: 'Renamed', enabled: false }),
  'POST /api/v1/settings/webhooks/:id/rotate-secret': () => ({ graceHours: 1 }),
  'POST /api/v1/predictions/run': () => ({}),
  'POST /api/v1/predictions/clv/fit': () => ({ calibrationEnd: '2026-01-01', timeUnit: 'weeks' }),
  'PUT /api/v1/customers/:id/personalization': () => ({ enabled: false }),
};
// Bodies whose fields are all optional: `{}` is valid for them.
const optionalBodies = new Set([
  'POST /api/v1/sources/:id/quarantine/:quarantineId/replay',
  'POST /api/v1/playbooks/:key/install',
  'POST /api/v1/predictions/run',
  'POST /api/v1/predictions/clv/fit',
]);
const sampleQueries: Record<string, (ids: Record<string, string>) => string> = {
  'GET /api/v1/invitations/lookup': () => 'token=not-a-real-token-at-all',
  'GET /api/v1/password-resets/lookup': () => 'token=not-a-real-token-at-all',
  'GET /api/v1/customers/lookup': () => 'email=a1%40example.com',
  'GET /api/v1/metrics/funnel': () => 'steps=Product%20Viewed&steps=Order%20Completed',
};

const apiRoutes = () => t.app.kithRoutes.filter((r) => r.url.startsWith('/api/v1/'));
const keyOf = (r: RegisteredRoute) => `${r.method} ${r.url}`;
const params = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);

async function countAllRows(): Promise<Record<string, number>> {
  const tablesRes = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kith_migrations%'`.execute(
    t.ctx.db,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of tablesRes.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)}`.execute(t.ctx.db);
    out[table_name] = r.rows[0]?.n ?? 0;
  }
  return out;
}

/** Everything workspace A's owner can see, to compare before and after B's attempts. */
async function snapshotA() {
  const out: Record<string, unknown> = {};
  for (const url of [
    '/api/v1/workspace',
    '/api/v1/members',
    '/api/v1/invitations',
    '/api/v1/api-keys',
    '/api/v1/jobs',
    '/api/v1/sources',
    '/api/v1/customers',
    `/api/v1/customers/${A.ids.customer}`,
    `/api/v1/customers/${A.ids.customer2}`,
    `/api/v1/customers/${A.ids.customer}/consents`,
    '/api/v1/customers/views',
    '/api/v1/companies',
    `/api/v1/companies/${A.ids.company}`,
    '/api/v1/orders',
    `/api/v1/orders/${A.ids.order}`,
    '/api/v1/products',
    `/api/v1/sources/${A.ids.source}/quarantine`,
    '/api/v1/imports',
    '/api/v1/metrics/spend',
    '/api/v1/goals',
    '/api/v1/segments',
    `/api/v1/segments/${A.ids.segment}/members`,
    `/api/v1/segments/${A.ids.list}/members`,
    '/api/v1/settings/email',
    `/api/v1/customers/${A.ids.customer}/messages`,
    `/api/v1/messages/${A.ids.message}`,
    '/api/v1/journeys',
    `/api/v1/journeys/${A.ids.journey}/stats`,
    `/api/v1/customers/${A.ids.customer2}/journeys`,
    `/api/v1/journey-enrollments/${A.ids.enrollment}/history`,
    '/api/v1/tasks',
    '/api/v1/settings/journeys',
    '/api/v1/suppressions',
    '/api/v1/templates',
    `/api/v1/messages/${A.ids.sms}`,
    `/api/v1/messages/${A.ids.webhookMessage}`,
    '/api/v1/settings/sms',
    '/api/v1/settings/webhooks',
    `/api/v1/settings/webhooks/${A.ids.webhook}`,
    `/api/v1/settings/webhooks/${A.ids.webhook}/deliveries`,
    `/api/v1/customers/${A.ids.customer}/predictions`,
    `/api/v1/customers/${A.ids.customer}/recommendations`,
  ]) {
    const body = (await t.req('GET', url, { auth: A.owner })).json();
    out[url] = JSON.parse(JSON.stringify(body).replace(/"lastUsedAt":"[^"]*"/g, '"lastUsedAt":"…"'));
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  const ownerA = await setupOwner(t, 'Workspace A');
  const memberA = await addMember(t, ownerA.auth, 'agent');
  analyst = (await addMember(t, ownerA.auth, 'analyst')).auth;
  const keyA = await createKey(t, ownerA.auth, ['read', 'write', 'admin']);
  const invA = await t.req('POST', '/api/v1/invitations', {
    auth: ownerA.auth,
    body: { email: 'pending@example.com', role: 'marketer' },
  });
  const jobA = await t.ctx.jobs.enqueue('isolation-test', { secret: 'A' }, { workspaceId: ownerA.workspaceId });
  const sourceA = (
    await t.req('POST', '/api/v1/sources', { auth: ownerA.auth, body: { name: 'Web', channel: 'web' } })
  ).json();
  const boundary = 'kithboundary';
  const multipart = [
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncustomers`,
    `--${boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n{"Email":"email"}`,
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nEmail\na@example.com\n`,
    `--${boundary}--\r\n`,
  ].join('\r\n');
  const importA = await t.req('POST', '/api/v1/imports', {
    auth: ownerA.auth,
    body: multipart,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(importA.statusCode, importA.body).toBe(202);
  const badEvent = await t.req('POST', '/v1/batch', {
    body: { writeKey: sourceA.writeKey, batch: [{ type: 'track', userId: 'a' }] },
  });
  const customerA = (
    await t.req('POST', '/api/v1/customers', { auth: ownerA.auth, body: { email: 'a1@example.com', tags: ['vip'] } })
  ).json();
  const customer2A = (
    await t.req('POST', '/api/v1/customers', { auth: ownerA.auth, body: { userId: 'a2', traits: { name: 'Ann Two' } } })
  ).json();
  const consentA = await t.req('PUT', `/api/v1/customers/${customerA.id}/consents`, {
    auth: ownerA.auth,
    body: { channel: 'email', purpose: 'marketing', status: 'subscribed', at: '2026-01-01T10:00:00Z' },
  });
  expect(consentA.statusCode, consentA.body).toBe(200);
  const companyA = await t.ctx.db
    .transaction()
    .execute((tx) => linkToCompany(tx, ownerA.workspaceId, customerA.id, 'acme', { name: 'Acme' }, new Date()));
  const orderA = await t.ctx.db.transaction().execute((tx) =>
    upsertOrder(tx, ownerA.workspaceId, {
      sourceId: sourceA.id,
      channel: 'web',
      externalId: 'A-1',
      customerId: customerA.id,
      currency: 'EUR',
      total: 5,
      items: [{ productId: 'bread', name: 'Bread', quantity: 1, unitPrice: 5 }],
      placedAt: new Date(),
    }),
  );
  const viewA = await t.req('POST', '/api/v1/customers/views', {
    auth: ownerA.auth,
    body: { name: 'VIPs', filters: { tag: 'vip' } },
  });
  expect(viewA.statusCode, viewA.body).toBe(201);
  const goalA = await t.req('POST', '/api/v1/goals', {
    auth: ownerA.auth,
    body: { kpi: 'orders', target: 10, deadline: '2099-12-31' },
  });
  expect(goalA.statusCode, goalA.body).toBe(201);
  const spendA = await t.req('PUT', '/api/v1/metrics/spend', {
    auth: ownerA.auth,
    body: { month: '2026-01', channel: 'web', amount: 50 },
  });
  expect(spendA.statusCode, spendA.body).toBe(200);
  const segmentA = await t.req('POST', '/api/v1/segments', {
    auth: ownerA.auth,
    body: { name: 'VIP segment', kind: 'dynamic', rule: { type: 'tag', tag: 'vip', op: 'has' } },
  });
  expect(segmentA.statusCode, segmentA.body).toBe(201);
  const listA = await t.req('POST', '/api/v1/segments', { auth: ownerA.auth, body: { name: 'List', kind: 'static' } });
  await t.req('POST', `/api/v1/segments/${listA.json().id}/members`, {
    auth: ownerA.auth,
    body: { customerIds: [customer2A.id] },
  });
  const emailA = await t.req('PUT', '/api/v1/settings/email', {
    auth: ownerA.auth,
    body: { host: 'smtp.a.example', port: 587, secure: false, fromName: 'A', fromAddress: 'a@example.com' },
  });
  expect(emailA.statusCode, emailA.body).toBe(200);
  const messageA = await sendEmail(t.ctx.db, ownerA.workspaceId, {
    customerId: customerA.id,
    subject: 'Hello',
    html: '<p>Hello</p>',
    purpose: 'transactional',
    idempotencyKey: 'isolation',
  });
  // A journey with a customer inside who got a task from it.
  const journeyA = await t.req('POST', '/api/v1/journeys', {
    auth: ownerA.auth,
    body: {
      name: 'Journey A',
      definition: {
        trigger: { type: 'event', event: 'Visit' },
        start: 'call',
        nodes: {
          call: { type: 'task', title: 'Call', next: 'wait' },
          wait: { type: 'wait', for: { amount: 1, unit: 'days' } },
        },
      },
    },
  });
  expect(journeyA.statusCode, journeyA.body).toBe(201);
  expect(
    (await t.req('POST', `/api/v1/journeys/${journeyA.json().id}/publish`, { auth: ownerA.auth })).statusCode,
  ).toBe(200);
  await t.req('POST', '/v1/batch', {
    body: {
      writeKey: sourceA.writeKey,
      batch: [{ type: 'track', userId: 'a2', event: 'Visit', messageId: 'visit-a2' }],
    },
  });
  await processAllPending(t.ctx.db, ownerA.workspaceId);
  await runWorkspace(t.ctx.db, ownerA.workspaceId, new Date());
  const enrollmentA = (await t.req('GET', `/api/v1/customers/${customer2A.id}/journeys`, { auth: ownerA.auth })).json()
    .items[0].id;
  const taskA = (await t.req('GET', '/api/v1/tasks', { auth: ownerA.auth })).json().items[0].id;
  const smsA = await t.req('PUT', '/api/v1/settings/sms', { auth: ownerA.auth, body: { provider: 'log' } });
  expect(smsA.statusCode, smsA.body).toBe(200);
  const smsMessageA = await sendSms(t.ctx.db, ownerA.workspaceId, {
    customerId: customerA.id,
    body: 'Hello',
    purpose: 'transactional',
    idempotencyKey: 'isolation-sms',
  });
  const webhookA = await createWebhookEndpoint(
    t.ctx.db,
    { secret: t.ctx.secret, publicUrl: t.ctx.config.publicUrl, port: t.ctx.config.port },
    ownerA.workspaceId,
    { name: 'A hook', url: 'http://127.0.0.1:9/a-hook' },
  );
  const webhookMessageA = await sendWebhook(t.ctx.db, ownerA.workspaceId, {
    endpointId: webhookA.id,
    customerId: customerA.id,
    payload: { hello: 'A' },
    idempotencyKey: 'isolation-webhook',
  });
  const productA = (await t.req('GET', '/api/v1/products', { auth: ownerA.auth })).json().data[0].id;
  const auditA = (await t.req('GET', '/api/v1/audit-log', { auth: ownerA.auth })).json().data[0].id;
  A = {
    owner: ownerA.auth,
    ids: {
      workspace: ownerA.workspaceId,
      owner: ownerA.userId,
      member: memberA.userId,
      apiKey: keyA.id,
      invitation: invA.json().invitation.id,
      job: jobA,
      audit: auditA,
      source: sourceA.id,
      quarantined: badEvent.json().errors[0].quarantineId,
      import: importA.json().id,
      customer: customerA.id,
      customer2: customer2A.id,
      company: companyA,
      order: orderA,
      product: productA,
      view: viewA.json().id,
      goal: goalA.json().id,
      segment: segmentA.json().id,
      list: listA.json().id,
      message: messageA.message.id,
      journey: journeyA.json().id,
      enrollment: enrollmentA,
      task: taskA,
      sms: smsMessageA.message.id,
      webhook: webhookA.id,
      webhookMessage: webhookMessageA.message.id,
    },
  };

  // Workspace B: its own owner, who belongs to nothing in A.
  const wsB = await t.req('POST', '/api/v1/workspaces', { auth: ownerA.auth, body: { name: 'Workspace B' } });
  await t.req('POST', '/api/v1/session/workspace', { auth: ownerA.auth, body: { workspaceId: wsB.json().id } });
  const ownerB = await addMember(t, ownerA.auth, 'owner');
  const keyB = await createKey(t, ownerB.auth, ['read', 'write', 'admin']);
  expect((await t.req('DELETE', `/api/v1/members/${ownerA.userId}`, { auth: ownerB.auth })).statusCode).toBe(204);
  // A's owner's session lost workspace B; point it back at A.
  const back = await t.req('POST', '/api/v1/session/workspace', {
    auth: ownerA.auth,
    body: { workspaceId: ownerA.workspaceId },
  });
  expect(back.statusCode).toBe(200);
  B = { owner: ownerB.auth, key: keyB.key };
  expect((await t.req('GET', '/api/v1/session', { auth: ownerB.auth })).json().workspaces).toHaveLength(1);
});

describe('every route', () => {
  it('declares how it is reached, and every route with a body has a sample here', () => {
    for (const r of apiRoutes()) {
      expect(r.config.public || r.config.session || r.config.permission, keyOf(r)).toBeTruthy();
      if (r.hasBody)
        expect(sampleBodies[keyOf(r)], `add a sample body for ${keyOf(r)} in routes.test.ts`).toBeDefined();
    }
  });

  it("workspace B's key and owner get 404 on every workspace-A resource and see none of A's ids", async () => {
    const before = await snapshotA();
    const aIds = Object.values(A.ids);
    // A's owner founded workspace B, so B's own audit history rightly names that person.
    const notInB = aIds.filter((id) => id !== A.ids.owner);
    let attempts = 0;
    for (const r of apiRoutes()) {
      if (r.config.public || keyOf(r) === 'POST /api/v1/auth/logout') continue;
      for (const auth of [{ bearer: B.key }, B.owner]) {
        const names = params(r.url);
        const body = sampleBodies[keyOf(r)]?.(A.ids);
        const query = sampleQueries[keyOf(r)]?.(A.ids);
        if (names.length === 0) {
          if (r.method !== 'GET' && !body?.workspaceId) continue; // creating things in B touches nothing of A
          const res = await t.req(r.method as 'GET', `${r.url}${query ? `?${query}` : ''}`, { auth, body });
          attempts++;
          if (body?.workspaceId) expect([403, 404], `${keyOf(r)} with A's workspace id`).toContain(res.statusCode);
          for (const id of notInB) expect(res.body, `${keyOf(r)} leaks ${id}`).not.toContain(id);
          continue;
        }
        for (const id of aIds) {
          const url = names.reduce((u, n) => u.replace(`:${n}`, id), r.url);
          const res = await t.req(r.method as 'GET', url, { auth, body });
          attempts++;
          // API keys cannot reach session-only routes at all (403); everything else must not find A's ids.
          const expected = 'bearer' in auth && r.config.session ? 403 : 404;
          expect(res.statusCode, `${r.method} ${url} as B`).toBe(expected);
          expect(res.body).not.toContain(`"id":"${id}"`);
        }
      }
    }
    // Filters naming A's ids find nothing for B.
    for (const [name, id] of [
      ['actorId', A.ids.member],
      ['targetId', A.ids.apiKey],
      ['targetId', A.ids.invitation],
    ]) {
      const res = await t.req('GET', `/api/v1/audit-log?${name}=${id}`, { auth: { bearer: B.key } });
      expect(res.json().data).toEqual([]);
    }
    expect(attempts).toBeGreaterThan(40);
    expect(await snapshotA()).toEqual(before);
  }, 120_000);

  it('an analyst gets 403 on every write that needs a permission, and nothing is written', async () => {
    const before = await countAllRows();
    let checked = 0;
    for (const r of apiRoutes()) {
      // Reads sent as POST (a segment preview) are open to analysts.
      if (r.method === 'GET' || !r.config.permission || r.config.permission.endsWith(':read')) continue;
      const url = params(r.url).reduce((u, n) => u.replace(`:${n}`, A.ids.member as string), r.url);
      const res = await t.req(r.method as 'POST', url, { auth: analyst, body: sampleBodies[keyOf(r)]?.(A.ids) });
      expect(res.statusCode, `${keyOf(r)} as analyst`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      checked++;
    }
    expect(checked).toBeGreaterThan(8);
    expect(await countAllRows()).toEqual(before);
  });

  it('bad input gets 400 naming the field, on every endpoint with a body, and nothing is written', async () => {
    const before = await countAllRows();
    for (const r of apiRoutes().filter((x) => x.hasBody)) {
      const url = params(r.url).reduce((u, n) => u.replace(`:${n}`, A.ids.member as string), r.url);
      const sample = sampleBodies[keyOf(r)]?.(A.ids) as Record<string, unknown>;
      const send = (payload: unknown, headers?: Record<string, string>) =>
        t.req(r.method as 'POST', url, { auth: { ...A.owner, ip: '192.0.2.1' }, body: payload, headers });
      const label = keyOf(r);

      const malformed = await send('{"name": ', { 'content-type': 'application/json' });
      expect(malformed.statusCode, `${label} malformed JSON`).toBe(400);
      expect(malformed.json().error).toMatchObject({ code: 'invalid_json', field: 'body' });

      const unknown = await send({ ...sample, zzUnknownField: 1 });
      expect(unknown.statusCode, `${label} unknown field`).toBe(400);
      expect(unknown.json().error).toMatchObject({ code: 'invalid_request', field: 'zzUnknownField' });

      if (!optionalBodies.has(label)) {
        const missing = await send({});
        expect(missing.statusCode, `${label} missing fields`).toBe(400);
        expect(missing.json().error.field, `${label} missing fields`).toBeTruthy();
      }

      const none = await send(undefined);
      expect(none.statusCode, `${label} no body`).toBe(400);

      for (const [k, v] of Object.entries(sample)) {
        const wrong =
          typeof v === 'string' ? 12345 : typeof v === 'number' ? 'not a number' : Array.isArray(v) ? 'not a list' : 7;
        const res = await send({ ...sample, [k]: wrong });
        expect(res.statusCode, `${label} wrong type for ${k}`).toBe(400);
        expect(res.json().error.field, `${label} wrong type for ${k}`).toBe(k);
        expect(res.json().error.message).toContain(k);
      }
    }
    for (const r of apiRoutes().filter((x) => x.hasQuery && x.method === 'GET')) {
      const base = sampleQueries[keyOf(r)]?.(A.ids);
      const res = await t.req('GET', `${r.url}?${base ? `${base}&` : ''}zzUnknown=1`, { auth: A.owner });
      expect(res.statusCode, `${keyOf(r)} unknown query parameter`).toBe(400);
      expect(res.json().error.field).toBe('zzUnknown');
    }
    expect(await countAllRows()).toEqual(before);
  }, 120_000);

  it('answers unknown API paths with the error shape', async () => {
    const res = await t.req('GET', '/api/v1/nothing-here', { auth: A.owner });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('documentation', () => {
  it('serves an OpenAPI 3.1 document covering every API route, and a browsable reference', async () => {
    const doc = (await t.req('GET', '/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const r of apiRoutes()) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${keyOf(r)} in OpenAPI`).toBeDefined();
    }
    expect(doc.components.schemas.Error).toBeDefined();
    const ui = await t.req('GET', '/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('health and readiness', async () => {
    expect((await t.req('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.req('GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });
});
