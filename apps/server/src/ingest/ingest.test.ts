import zlib from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { processAllPending } from './processor.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let source: { id: string; writeKey: string };
let base: string;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function post(path: string, body: unknown, headers: Record<string, string> = {}, key = source.writeKey) {
  return t.req('POST', path, {
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: basic(key), ...headers },
  });
}
async function countEvents(where = sql`true`) {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from events where source_id = ${source.id} and ${where}`.execute(t.ctx.db);
  return r.rows[0]?.n ?? 0;
}

beforeAll(async () => {
  t = await createTestApp({ KITH_INGEST_RATE_LIMIT: '60' });
  owner = await setupOwner(t);
  const res = await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Website', channel: 'web' } });
  expect(res.statusCode).toBe(201);
  source = res.json();
  expect(source.writeKey).toMatch(/^wk_/);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});

describe('the Segment Node SDK, pointed at Kith', () => {
  it('identify, track, page, group and alias arrive as sent', async () => {
    const analytics = new Analytics({ writeKey: source.writeKey, host: base, flushAt: 3, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId: 'sdk-user', traits: { email: 'sdk@example.com', firstName: 'Ana' } });
    analytics.track({ userId: 'sdk-user', event: 'Order Completed', properties: { total: 12.5 } });
    analytics.page({ anonymousId: 'anon-sdk', name: 'Home', properties: { path: '/' } });
    analytics.group({ userId: 'sdk-user', groupId: 'acme', traits: { name: 'Acme Bakery' } });
    analytics.alias({ userId: 'sdk-user', previousId: 'anon-sdk' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const rows = await sql<{ type: string; event: string | null; name: string | null; message_id: string }>`
      select type, event, name, message_id from events where source_id = ${source.id} order by seq`.execute(t.ctx.db);
    expect(rows.rows.map((r) => r.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);
    expect(rows.rows.find((r) => r.type === 'track')?.event).toBe('Order Completed');
    expect(rows.rows.find((r) => r.type === 'page')?.name).toBe('Home');
    for (const r of rows.rows) expect(r.message_id).toBeTruthy();
  });
});

describe('the tracking API by hand', () => {
  it("answers analytics.js's one-letter paths (/v1/t, /v1/p, /v1/i, /v1/b) with text/plain and writeKey in the body", async () => {
    const before = await countEvents();
    const send = (path: string, body: Record<string, unknown>) =>
      t.req('POST', path, {
        body: JSON.stringify({ writeKey: source.writeKey, ...body }),
        headers: { 'content-type': 'text/plain' },
      });
    expect((await send('/v1/t', { anonymousId: 'ajs', event: 'Short', messageId: 'ajs-t' })).statusCode).toBe(200);
    expect((await send('/v1/p', { anonymousId: 'ajs', name: 'Home', messageId: 'ajs-p' })).statusCode).toBe(200);
    expect((await send('/v1/i', { anonymousId: 'ajs', traits: { plan: 'x' }, messageId: 'ajs-i' })).statusCode).toBe(
      200,
    );
    const b = await send('/v1/b', { batch: [{ type: 'track', anonymousId: 'ajs', event: 'B', messageId: 'ajs-b' }] });
    expect(b.json()).toMatchObject({ success: true, accepted: 1 });
    expect(await countEvents()).toBe(before + 4);
    const types = await sql<{ type: string }>`
      select type from events where source_id = ${source.id} and message_id like 'ajs-%' order by seq`.execute(
      t.ctx.db,
    );
    expect(types.rows.map((r) => r.type)).toEqual(['track', 'page', 'identify', 'track']);
  });

  it('accepts the write key as Basic user name or as writeKey in the body; refuses others with 401', async () => {
    const a = await post('/v1/track', { userId: 'k1', event: 'A', messageId: 'auth-1' });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toMatchObject({ success: true, accepted: 1 });
    const b = await t.req('POST', '/v1/track', {
      body: { writeKey: source.writeKey, userId: 'k1', event: 'B', messageId: 'auth-2' },
    });
    expect(b.statusCode).toBe(200);
    expect((await t.req('POST', '/v1/track', { body: { userId: 'k1', event: 'C' } })).statusCode).toBe(401);
    const wrong = await post('/v1/track', { userId: 'k1', event: 'D' }, {}, 'wk_nope');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
  });

  it('accepts gzip and text/plain bodies', async () => {
    const gz = zlib.gzipSync(JSON.stringify({ userId: 'gz', event: 'Zipped', messageId: 'gz-1' }));
    const r = await post('/v1/track', gz, { 'content-encoding': 'gzip' });
    expect(r.statusCode).toBe(200);
    expect(r.json().accepted).toBe(1);
    const text = await post('/v1/track', JSON.stringify({ userId: 'tp', event: 'Plain', messageId: 'tp-1' }), {
      'content-type': 'text/plain',
    });
    expect(text.statusCode).toBe(200);
    expect(await countEvents(sql`message_id in ('gz-1', 'tp-1')`)).toBe(2);
  });

  it('answers 400 to what can never succeed: bad JSON, over 500 KB, a batch over 2,500', async () => {
    const bad = await post('/v1/track', '{"userId": ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_json');
    const huge = await post('/v1/batch', {
      batch: Array.from({ length: 40 }, (_, i) => ({
        type: 'track',
        userId: 'h',
        event: 'E',
        properties: { pad: 'x'.repeat(14_000), i },
      })),
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.code).toBe('payload_too_large');
    const many = await post('/v1/batch', {
      batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'm', event: 'E' })),
    });
    expect(many.statusCode).toBe(400);
    expect(many.json().error.field).toBe('batch');
    const single = await post('/v1/track', { userId: 'x' });
    expect(single.statusCode).toBe(400);
    expect(single.json().error).toMatchObject({ code: 'invalid_event', field: 'event' });
  });

  it('stores the valid events of a batch and quarantines the others with their reason', async () => {
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'q1', event: 'Good', messageId: 'q-good' },
        { type: 'track', userId: 'q1', messageId: 'q-noevent' },
        { type: 'identify', messageId: 'q-noid' },
        { type: 'track', userId: 'q1', event: 'Big', messageId: 'q-big', properties: { pad: 'y'.repeat(33_000) } },
        { type: 'launch', userId: 'q1', messageId: 'q-type' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 4 });
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['event', 'userId', 'body', 'type']);
    const list = await t.req('GET', `/api/v1/sources/${source.id}/quarantine`, { auth: owner.auth });
    const reasons = list.json().data.map((q: { messageId: string; reason: string }) => `${q.messageId}: ${q.reason}`);
    expect(reasons).toContain('q-noevent: track needs an event name');
    expect(list.json().quarantined).toBeGreaterThanOrEqual(4);
  });

  it('stores each messageId once per source, however often it is sent', async () => {
    const batch = {
      batch: [1, 2, 3].map((i) => ({ type: 'track', userId: 'dup', event: 'E', messageId: `dup-${i}` })),
    };
    expect((await post('/v1/batch', batch)).json()).toMatchObject({ accepted: 3, duplicates: 0 });
    expect((await post('/v1/batch', batch)).json()).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await countEvents(sql`message_id like 'dup-%'`)).toBe(3);
  });

  it('keeps the times and context of an event', async () => {
    await post('/v1/batch', {
      sentAt: '2020-01-01T00:00:10.000Z',
      context: { timezone: 'Europe/Madrid', locale: 'es-ES', campaign: { source: 'newsletter' } },
      batch: [
        {
          type: 'page',
          anonymousId: 'ctx',
          name: 'Menu',
          timestamp: '2020-01-01T00:00:00.000Z',
          messageId: 'ctx-1',
          context: { ip: '203.0.113.9', userAgent: 'UA' },
        },
      ],
    });
    const r = await sql<{
      timestamp: Date;
      original_timestamp: Date;
      sent_at: Date;
      received_at: Date;
      context: Record<string, unknown>;
    }>`
      select timestamp, original_timestamp, sent_at, received_at, context from events where message_id = 'ctx-1'`.execute(
      t.ctx.db,
    );
    const e = r.rows[0] as (typeof r.rows)[number];
    expect(e.original_timestamp.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(e.sent_at.toISOString()).toBe('2020-01-01T00:00:10.000Z');
    expect(e.received_at.getTime() - e.timestamp.getTime()).toBe(10_000);
    expect(e.context).toEqual({
      timezone: 'Europe/Madrid',
      locale: 'es-ES',
      campaign: { source: 'newsletter' },
      ip: '203.0.113.9',
      userAgent: 'UA',
    });
  });

  it('answers 429 with Retry-After beyond the per-source rate', async () => {
    // An app of its own with 5 requests a second: 30 at once cannot all pass, however they spread.
    const small = await createTestApp({ KITH_INGEST_RATE_LIMIT: '5' });
    const o = await setupOwner(small);
    const src = (
      await small.req('POST', '/api/v1/sources', { auth: o.auth, body: { name: 'W', channel: 'web' } })
    ).json();
    const res = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        small.req('POST', '/v1/track', {
          body: JSON.stringify({ userId: 'rl', event: 'E', messageId: `rl-${i}` }),
          headers: { 'content-type': 'application/json', authorization: basic(src.writeKey) },
        }),
      ),
    );
    const limited = res.filter((r) => r.statusCode === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers['retry-after']).toBe('1');
    expect(limited[0]?.json().error.code).toBe('rate_limited');
    expect(res.filter((r) => r.statusCode === 200).length).toBeGreaterThan(0);
  });

  it('answers CORS preflights for the browser snippet', async () => {
    const r = await t.req('OPTIONS', '/v1/batch', {
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('write keys', () => {
  it('a rotated key keeps working for its grace period; with 0 hours it stops at once', async () => {
    const created = (
      await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Counter', channel: 'store' } })
    ).json();
    const rotated = (
      await t.req('POST', `/api/v1/sources/${created.id}/rotate-key`, { auth: owner.auth, body: { graceHours: 24 } })
    ).json();
    expect(rotated.writeKey).not.toBe(created.writeKey);
    expect(rotated.previousWriteKeyExpiresAt).not.toBeNull();
    expect((await post('/v1/identify', { userId: 'r1' }, {}, created.writeKey)).statusCode).toBe(200);
    expect((await post('/v1/identify', { userId: 'r1' }, {}, rotated.writeKey)).statusCode).toBe(200);
    const again = (
      await t.req('POST', `/api/v1/sources/${created.id}/rotate-key`, { auth: owner.auth, body: { graceHours: 0 } })
    ).json();
    expect((await post('/v1/identify', { userId: 'r1' }, {}, rotated.writeKey)).statusCode).toBe(401);
    expect((await post('/v1/identify', { userId: 'r1' }, {}, again.writeKey)).statusCode).toBe(200);
  });
});

describe('quarantine', () => {
  it('replays a corrected event once, and can discard another', async () => {
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'fixme', messageId: 'fix-1' },
        { type: 'track', messageId: 'fix-2' },
      ],
    });
    const [first, second] = res.json().errors as { quarantineId: string }[];
    const asIs = await t.req('POST', `/api/v1/sources/${source.id}/quarantine/${first?.quarantineId}/replay`, {
      auth: owner.auth,
      body: {},
    });
    expect(asIs.statusCode).toBe(400);
    expect(asIs.json().error.code).toBe('still_invalid');
    const fixed = await t.req('POST', `/api/v1/sources/${source.id}/quarantine/${first?.quarantineId}/replay`, {
      auth: owner.auth,
      body: { payload: { type: 'track', userId: 'fixme', event: 'Fixed', messageId: 'fix-1' } },
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json()).toMatchObject({ status: 'replayed' });
    expect(fixed.json().eventId).toMatch(/^evt_/);
    expect(await countEvents(sql`message_id = 'fix-1'`)).toBe(1);
    const twice = await t.req('POST', `/api/v1/sources/${source.id}/quarantine/${first?.quarantineId}/replay`, {
      auth: owner.auth,
      body: {},
    });
    expect(twice.statusCode).toBe(409);
    const discard = await t.req('POST', `/api/v1/sources/${source.id}/quarantine/${second?.quarantineId}/discard`, {
      auth: owner.auth,
    });
    expect(discard.json().status).toBe('discarded');
  });
});

describe('live debugger', () => {
  it('streams arriving events as server-sent events', async () => {
    const session = (await t.req('GET', '/api/v1/session', { auth: owner.auth })).headers;
    expect(session).toBeDefined();
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/sources/${source.id}/events/live?maxSeconds=5`, {
      headers: { cookie: owner.auth.cookie as string },
      signal: ctrl.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await post('/v1/track', { userId: 'live', event: 'Live One', messageId: 'live-1' });
    let text = '';
    const t0 = Date.now();
    while (!text.includes('Live One') && Date.now() - t0 < 5000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    ctrl.abort();
    expect(text).toContain('event: event');
    expect(text).toContain('"event":"Live One"');
  });

  it('shows when a source last received events', async () => {
    let last: string | null = null;
    for (let i = 0; i < 20 && !last; i++) {
      last = (await t.req('GET', `/api/v1/sources/${source.id}`, { auth: owner.auth })).json().lastEventAt;
      if (!last) await new Promise((r) => setTimeout(r, 50));
    }
    expect(last).not.toBeNull();
  });

  it('lists the latest events of a source', async () => {
    const r = await t.req('GET', `/api/v1/sources/${source.id}/events?limit=3`, { auth: owner.auth });
    expect(r.json().data).toHaveLength(3);
  });
});

describe('processing', () => {
  it('every stored event is processed into a profile, and remembers its channel', async () => {
    await processAllPending(t.ctx.db, owner.workspaceId);
    expect(await countEvents(sql`processed_at is null`)).toBe(0);
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from events where source_id = ${source.id} and channel = 'web'`.execute(t.ctx.db);
    expect(r.rows[0]?.n).toBe(await countEvents());
  });
});
