/**
 * Outgoing webhooks end to end on real parts: a node:http receiver on 127.0.0.1 (a random port)
 * verifies every signature the way docs/webhooks.md tells receivers to, and answers as each
 * path says (accept, fail twice then accept, refuse, rate limit, hang).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import { registerMessagingJobs, sendWebhook, verifyWebhookSignature } from './index.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The receiver's own check of Kith-Signature (against the secret it was given). */
  verified: boolean;
}

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let receiver: http.Server;
let base: string;
const received: Received[] = [];
const secrets = new Map<string, string[]>(); // path → secrets the receiver accepts
const hits = new Map<string, number>();
let ana: string;

/** A receiver's verification, written from docs/webhooks.md (not Kith's own helper). */
function receiverVerifies(header: string | undefined, body: string, accepted: string[]): boolean {
  if (!header) return false;
  const items = header.split(',').map((kv) => kv.split('='));
  const ts = items.find(([k]) => k === 't')?.[1];
  const sigs = items.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  return accepted.some((secret) => {
    const expected = crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    return sigs.some(
      (s) => s && s.length === expected.length && crypto.timingSafeEqual(Buffer.from(s), Buffer.from(expected)),
    );
  });
}

async function drain() {
  await t.ctx.jobs.drain({ timeoutMs: 30_000 });
}

/** Makes the queued webhook attempts due now (their backoff is over). */
async function backoffOver() {
  await sql`update jobs set run_at = now() where queue = 'messaging.webhook' and state = 'queued'`.execute(t.ctx.db);
}

async function createEndpoint(name: string, path: string, extra: Record<string, unknown> = {}) {
  const res = await t.req('POST', '/api/v1/settings/webhooks', {
    auth: owner.auth,
    body: { name, url: `${base}${path}`, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  const e = res.json() as { id: string; secret: string };
  secrets.set(path, [e.secret]);
  return e;
}

async function message(id: string) {
  const res = await t.req('GET', `/api/v1/messages/${id}`, { auth: owner.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function deliveries(endpointId: string, query = '') {
  const res = await t.req('GET', `/api/v1/settings/webhooks/${endpointId}/deliveries${query}`, { auth: owner.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as {
    messageId: string | null;
    attempt: number;
    statusCode: number | null;
    error: string | null;
    outcome: string;
    responseExcerpt: string | null;
    durationMs: number;
    nextAttemptAt: string | null;
  }[];
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'Corner Bakery');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['kith-signature'];
      received.push({
        path,
        headers: req.headers,
        body,
        verified: receiverVerifies(typeof header === 'string' ? header : undefined, body, secrets.get(path) ?? []),
      });
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (path === '/flaky' && n <= 2) return res.writeHead(500).end('database is down');
      if (path === '/gone') return res.writeHead(410).end('no such hook');
      if (path === '/busy') return res.writeHead(429, { 'retry-after': '2' }).end('slow down');
      if (path === '/slow') {
        setTimeout(() => res.writeHead(200).end('too late'), 2_000);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"thanks":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  registerMessagingJobs(t.ctx.jobs, t.ctx.db, {
    secret: t.ctx.secret,
    publicUrl: t.ctx.config.publicUrl,
    port: t.ctx.config.port,
    webhookTimeoutMs: 500,
  });
  ana = (await resolveProfile(t.ctx.db, owner.workspaceId, { userId: 'ana', email: 'ana@example.com' })).customerId;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('endpoints', () => {
  it('shows the secret once, never again, and keeps it sealed at rest', async () => {
    const e = await createEndpoint('Orders system', '/ok');
    expect(e.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = await t.req('GET', '/api/v1/settings/webhooks', { auth: owner.auth });
    expect(list.json().data).toEqual([expect.objectContaining({ id: e.id, name: 'Orders system', enabled: true })]);
    expect(list.body).not.toContain(e.secret);
    expect((await t.req('GET', `/api/v1/settings/webhooks/${e.id}`, { auth: owner.auth })).body).not.toContain(
      e.secret,
    );
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.ctx.db);
    for (const { table_name } of tables.rows) {
      const all = await sql`select * from ${sql.table(table_name)}`.execute(t.ctx.db);
      expect(JSON.stringify(all.rows), table_name).not.toContain(e.secret);
    }
  });

  it('takes only http(s) addresses, never this Kith server, but other loopback ports', async () => {
    for (const [url, code] of [
      ['ftp://files.example.com/x', 'invalid_request'],
      ['not a url', 'invalid_request'],
      ['https://user:pw@hooks.example.com/', 'invalid_request'],
      ['http://localhost:8080/api/v1/customers', 'url_not_allowed'],
      ['http://127.0.0.1:8080/v1/track', 'url_not_allowed'],
      ['http://[::1]:8080/', 'url_not_allowed'],
    ] as const) {
      const res = await t.req('POST', '/api/v1/settings/webhooks', { auth: owner.auth, body: { name: 'x', url } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code, field: 'url' });
    }
    const es = await t.req('POST', '/api/v1/settings/webhooks', {
      auth: owner.auth,
      body: { name: 'x', url: 'http://localhost:8080/' },
      headers: { 'accept-language': 'es' },
    });
    expect(es.json().error.message).toContain('el propio servidor de Kith');
    const e = await createEndpoint('Elsewhere on this machine', '/ok2');
    const patch = await t.req('PATCH', `/api/v1/settings/webhooks/${e.id}`, {
      auth: owner.auth,
      body: { url: 'http://localhost:8080/x' },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.field).toBe('url');
    expect((await t.req('DELETE', `/api/v1/settings/webhooks/${e.id}`, { auth: owner.auth })).statusCode).toBe(204);
    expect((await t.req('GET', `/api/v1/settings/webhooks/${e.id}`, { auth: owner.auth })).statusCode).toBe(404);
  });
});

describe('delivery', () => {
  it('POSTs the JSON signed with Kith-Signature, records it delivered, logs the attempt, shows it on the timeline', async () => {
    const [e] = (await t.req('GET', '/api/v1/settings/webhooks', { auth: owner.auth })).json().data;
    const before = received.length;
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, {
      endpointId: e.id,
      customerId: ana,
      payload: { event: 'order.ready', order: { number: '#1001', total: 23.5 }, note: 'café ☕' },
      idempotencyKey: 'ready:1001',
    });
    expect(r).toMatchObject({ created: true, message: { status: 'queued', channel: 'webhook', customerId: ana } });
    await drain();
    expect(received.length).toBe(before + 1);
    const got = received.at(-1) as Received;
    expect(got.verified).toBe(true);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['kith-id']).toBe(r.message.id);
    expect(got.headers['idempotency-key']).toBe(r.message.id);
    expect(got.headers['kith-attempt']).toBe('1');
    expect(got.headers['kith-signature']).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    expect(JSON.parse(got.body)).toEqual({
      id: r.message.id,
      createdAt: r.message.createdAt,
      workspaceId: owner.workspaceId,
      customerId: ana,
      data: { event: 'order.ready', order: { number: '#1001', total: 23.5 }, note: 'café ☕' },
    });
    // Kith's exported helper agrees, and refuses a replay outside the window or a changed body.
    const header = got.headers['kith-signature'] as string;
    const [secret] = secrets.get('/ok') as string[];
    expect(verifyWebhookSignature(secret as string, header, got.body)).toBe(true);
    expect(verifyWebhookSignature(secret as string, header, got.body.replace('23.5', '0.5'))).toBe(false);
    expect(verifyWebhookSignature(secret as string, header, got.body, { now: Date.now() / 1000 + 301 })).toBe(false);
    expect(verifyWebhookSignature('whsec_wrong', header, got.body)).toBe(false);

    const m = await message(r.message.id);
    expect(m).toMatchObject({ status: 'delivered', to: `${base}/ok`, webhookEndpointId: e.id, text: got.body });
    expect(m.deliveredAt).toBeTruthy();
    expect(m.events.map((x: { type: string }) => x.type)).toEqual(['queued', 'delivered']);
    const log = await deliveries(e.id);
    expect(log[0]).toMatchObject({
      messageId: r.message.id,
      attempt: 1,
      statusCode: 200,
      error: null,
      outcome: 'delivered',
      responseExcerpt: '{"thanks":true}',
    });
    expect(log[0]?.durationMs).toBeGreaterThanOrEqual(0);

    const timeline = await t.req('GET', `/api/v1/customers/${ana}/timeline?channel=webhook`, { auth: owner.auth });
    expect(timeline.statusCode, timeline.body).toBe(200);
    expect(timeline.json().data[0]).toMatchObject({
      type: 'message.delivered',
      channel: 'webhook',
      title: 'Webhook delivered: Orders system',
    });
    const list = await t.req('GET', `/api/v1/customers/${ana}/messages`, { auth: owner.auth });
    expect(list.json().data.map((x: { id: string }) => x.id)).toContain(r.message.id);
  });

  it('sends once for one idempotency key', async () => {
    const e = await createEndpoint('Once', '/once');
    const input = { endpointId: e.id, payload: { n: 1 }, idempotencyKey: 'once:1' };
    const first = await sendWebhook(t.ctx.db, owner.workspaceId, input);
    const second = await sendWebhook(t.ctx.db, owner.workspaceId, input);
    expect(second).toMatchObject({ created: false, message: { id: first.message.id } });
    await drain();
    const third = await sendWebhook(t.ctx.db, owner.workspaceId, input);
    expect(third).toMatchObject({ created: false, message: { id: first.message.id, status: 'delivered' } });
    await drain();
    expect(hits.get('/once')).toBe(1);
    // Without a customer the message is still recorded, on no timeline.
    expect(first.message.customerId).toBeNull();
  });

  it('retries a 500 with exponential backoff, then delivers; the log has every attempt', async () => {
    const e = await createEndpoint('Flaky', '/flaky');
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, {
      endpointId: e.id,
      customerId: ana,
      payload: { hello: 'again' },
      idempotencyKey: 'flaky:1',
    });
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      await drain();
      expect((await message(r.message.id)).status).toBe('queued');
      const job = await sql<{ run_at: Date; payload: { attempt: number } }>`
        select run_at, payload from jobs where queue = 'messaging.webhook' and state = 'queued'
          and payload->>'messageId' = ${r.message.id}`.execute(t.ctx.db);
      expect(job.rows).toHaveLength(1);
      expect(job.rows[0]?.payload.attempt).toBe(i + 2);
      delays.push((new Date(job.rows[0]?.run_at as Date).getTime() - Date.now()) / 1000);
      await backoffOver();
    }
    await drain();
    // 30 s then 2 min (±10%).
    expect(delays[0]).toBeGreaterThan(20);
    expect(delays[0]).toBeLessThan(35);
    expect(delays[1]).toBeGreaterThan(100);
    expect(delays[1]).toBeLessThan(135);

    const attempts = received.filter((x) => x.path === '/flaky');
    expect(attempts).toHaveLength(3);
    expect(attempts.every((x) => x.verified)).toBe(true);
    expect(attempts.map((x) => x.headers['kith-id'])).toEqual([r.message.id, r.message.id, r.message.id]);
    expect(attempts.map((x) => x.headers['kith-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(attempts.map((x) => x.body)).size).toBe(1);

    const m = await message(r.message.id);
    expect(m.status).toBe('delivered');
    expect(m.events.map((x: { type: string; reason: string | null }) => [x.type, x.reason])).toEqual([
      ['queued', null],
      ['deferred', 'http 500'],
      ['deferred', 'http 500'],
      ['delivered', null],
    ]);
    const log = await deliveries(e.id);
    expect(log.map((d) => [d.attempt, d.statusCode, d.outcome])).toEqual([
      [3, 200, 'delivered'],
      [2, 500, 'retrying'],
      [1, 500, 'retrying'],
    ]);
    expect(log[2]?.responseExcerpt).toBe('database is down');
    expect(log[2]?.nextAttemptAt).toBeTruthy();
    // One page at a time.
    const page = (
      await t.req('GET', `/api/v1/settings/webhooks/${e.id}/deliveries?limit=2`, { auth: owner.auth })
    ).json();
    expect(page.data).toHaveLength(2);
    const rest = await t.req('GET', `/api/v1/settings/webhooks/${e.id}/deliveries?limit=2&cursor=${page.nextCursor}`, {
      auth: owner.auth,
    });
    expect(rest.json().data.map((d: { attempt: number }) => d.attempt)).toEqual([1]);
  });

  it('fails at once on a 4xx other than 408/429: no retry', async () => {
    const e = await createEndpoint('Gone', '/gone');
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, {
      endpointId: e.id,
      payload: {},
      idempotencyKey: 'gone:1',
    });
    await drain();
    const m = await message(r.message.id);
    expect(m).toMatchObject({ status: 'failed', statusReason: 'http 410' });
    const queued = await sql`select id from jobs where queue = 'messaging.webhook' and state = 'queued'`.execute(
      t.ctx.db,
    );
    expect(queued.rows).toHaveLength(0);
    expect((await deliveries(e.id)).map((d) => [d.statusCode, d.outcome])).toEqual([[410, 'failed']]);
    expect(hits.get('/gone')).toBe(1);
  });

  it('honours a short Retry-After on 429', async () => {
    const e = await createEndpoint('Busy', '/busy');
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, {
      endpointId: e.id,
      payload: {},
      idempotencyKey: 'busy:1',
    });
    await drain();
    const job = await sql<{ run_at: Date }>`
      select run_at from jobs where queue = 'messaging.webhook' and state = 'queued'
        and payload->>'messageId' = ${r.message.id}`.execute(t.ctx.db);
    const wait = (new Date(job.rows[0]?.run_at as Date).getTime() - Date.now()) / 1000;
    expect(wait).toBeGreaterThan(0.5);
    expect(wait).toBeLessThan(4);
    expect((await deliveries(e.id))[0]).toMatchObject({ statusCode: 429, outcome: 'retrying' });
    await sql`update jobs set state = 'cancelled' where payload->>'messageId' = ${r.message.id}`.execute(t.ctx.db);
  });

  it('counts a receiver that does not answer in time as a timeout, and retries', async () => {
    const e = await createEndpoint('Slow', '/slow');
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, {
      endpointId: e.id,
      payload: {},
      idempotencyKey: 'slow:1',
    });
    await drain();
    const [d] = await deliveries(e.id);
    expect(d).toMatchObject({ statusCode: null, error: 'timeout after 500 ms', outcome: 'retrying' });
    expect(d?.durationMs).toBeGreaterThanOrEqual(450);
    expect((await message(r.message.id)).status).toBe('queued');
    await sql`update jobs set state = 'cancelled' where payload->>'messageId' = ${r.message.id}`.execute(t.ctx.db);
  });

  it('skips a disabled endpoint and sends nothing', async () => {
    const e = await createEndpoint('Paused', '/paused', { enabled: false });
    const r = await sendWebhook(t.ctx.db, owner.workspaceId, { endpointId: e.id, payload: {}, idempotencyKey: 'p:1' });
    await drain();
    expect(await message(r.message.id)).toMatchObject({ status: 'skipped', statusReason: 'endpoint_disabled' });
    expect(hits.get('/paused')).toBeUndefined();
  });

  it('signs with both secrets during a rotation grace, then only the new one', async () => {
    const e = await createEndpoint('Rotating', '/rotating');
    const old = e.secret;
    const rot = await t.req('POST', `/api/v1/settings/webhooks/${e.id}/rotate-secret`, {
      auth: owner.auth,
      body: { graceHours: 24 },
    });
    expect(rot.statusCode, rot.body).toBe(200);
    const fresh = rot.json().secret as string;
    expect(fresh).not.toBe(old);
    expect(rot.json().previousSecretValidUntil).toBeTruthy();
    await sendWebhook(t.ctx.db, owner.workspaceId, { endpointId: e.id, payload: {}, idempotencyKey: 'rot:1' });
    await drain();
    let got = received.at(-1) as Received;
    expect(got.headers['kith-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(receiverVerifies(got.headers['kith-signature'] as string, got.body, [old])).toBe(true);
    expect(receiverVerifies(got.headers['kith-signature'] as string, got.body, [fresh])).toBe(true);

    await t.req('POST', `/api/v1/settings/webhooks/${e.id}/rotate-secret`, {
      auth: owner.auth,
      body: { graceHours: 0 },
    });
    const newest = (
      await t.req('POST', `/api/v1/settings/webhooks/${e.id}/rotate-secret`, {
        auth: owner.auth,
        body: { graceHours: 0 },
      })
    ).json().secret as string;
    await sendWebhook(t.ctx.db, owner.workspaceId, { endpointId: e.id, payload: {}, idempotencyKey: 'rot:2' });
    await drain();
    got = received.at(-1) as Received;
    expect(got.headers['kith-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(receiverVerifies(got.headers['kith-signature'] as string, got.body, [newest])).toBe(true);
    expect(receiverVerifies(got.headers['kith-signature'] as string, got.body, [fresh, old])).toBe(false);
  });

  it('sends a signed test ping on request and logs it', async () => {
    const e = await createEndpoint('Pinged', '/pinged');
    const res = await t.req('POST', `/api/v1/settings/webhooks/${e.id}/test`, { auth: owner.auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ messageId: null, statusCode: 200, outcome: 'delivered' });
    const got = received.at(-1) as Received;
    expect(got.verified).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({ type: 'ping', workspaceId: owner.workspaceId });
    expect(await deliveries(e.id)).toHaveLength(1);
  });

  it("refuses bad input naming the field, and another workspace's endpoint", async () => {
    const [e] = (await t.req('GET', '/api/v1/settings/webhooks', { auth: owner.auth })).json().data;
    await expect(
      sendWebhook(t.ctx.db, owner.workspaceId, { endpointId: 'whe_nope', payload: {}, idempotencyKey: 'x:1' }),
    ).rejects.toMatchObject({ status: 404, field: 'endpointId' });
    await expect(
      sendWebhook(t.ctx.db, owner.workspaceId, { endpointId: e.id, payload: undefined, idempotencyKey: 'x:2' }),
    ).rejects.toMatchObject({ status: 400, field: 'payload' });
    await expect(
      sendWebhook(t.ctx.db, owner.workspaceId, {
        endpointId: e.id,
        payload: { big: 'x'.repeat(300_000) },
        idempotencyKey: 'x:3',
      }),
    ).rejects.toMatchObject({ status: 400, field: 'payload' });
    const other = await t.req('POST', '/api/v1/workspaces', { auth: owner.auth, body: { name: 'Other' } });
    await expect(
      sendWebhook(t.ctx.db, other.json().id, { endpointId: e.id, payload: {}, idempotencyKey: 'x:4' }),
    ).rejects.toMatchObject({ status: 404, field: 'endpointId' });
    const none = await sql`select id from messages where idempotency_key like 'x:%'`.execute(t.ctx.db);
    expect(none.rows).toHaveLength(0);
  });
});
