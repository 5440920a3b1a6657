/**
 * SMS end to end on real parts: a Twilio-compatible HTTP API in this process (node:http on
 * 127.0.0.1) checks basic auth and reads the form Kith posts; status callbacks and inbound
 * texts come back signed the way Twilio signs them (computed here independently).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import { registerMessagingJobs, saveTemplate, sendSms, smsLength } from './index.js';

const SID = 'AC0123456789abcdef';
const TOKEN = 'twilio-auth-token-never-stored';
const FROM = '+34910000000';

interface Posted {
  authorization: string | undefined;
  form: Record<string, string>;
}

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let provider: http.Server;
let base: string;
const posted: Posted[] = [];
const toHits = new Map<string, number>();
let sidCounter = 0;
let ana: string; // Spanish, phone
let bob: string; // English, phone
let nophone: string;

/** Twilio's signature, written from its documentation (not Kith's helper). */
function twilioSign(url: string, params: Record<string, string>, token = TOKEN) {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return crypto.createHmac('sha1', token).update(Buffer.from(data, 'utf-8')).digest('base64');
}

async function providerCalls(path: string, params: Record<string, string>, token = TOKEN) {
  const url = `${t.ctx.config.publicUrl}${path}`;
  return t.req('POST', path, {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSign(url, params, token),
    },
  });
}

const settings = (overrides: Record<string, unknown> = {}) => ({
  provider: 'twilio',
  baseUrl: base,
  accountSid: SID,
  authToken: TOKEN,
  fromNumber: FROM,
  ...overrides,
});

async function drain() {
  await t.ctx.jobs.drain({ timeoutMs: 30_000 });
}

async function message(id: string) {
  const res = await t.req('GET', `/api/v1/messages/${id}`, { auth: owner.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function smsConsent(customerId: string) {
  const res = await t.req('GET', `/api/v1/customers/${customerId}/consents`, { auth: owner.auth });
  return res
    .json()
    .items.find((c: { channel: string; purpose: string }) => c.channel === 'sms' && c.purpose === 'marketing');
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'La Panadería');
  provider = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SID}/Messages.json`) {
        return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      }
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      posted.push({ authorization: req.headers.authorization, form });
      const expected = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
      if (
        req.headers.authorization !== expected ||
        req.headers['content-type'] !== 'application/x-www-form-urlencoded'
      ) {
        return json(401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      const to = form.To ?? '';
      const n = (toHits.get(to) ?? 0) + 1;
      toHits.set(to, n);
      if (to === '+15005550001') {
        return json(400, {
          code: 21211,
          message: "The 'To' number +15005550001 is not a valid phone number.",
          status: 400,
        });
      }
      if (to === '+15005550002' && n === 1)
        return json(503, { code: 20500, message: 'Service unavailable', status: 503 });
      sidCounter++;
      return json(201, { sid: `SM${String(sidCounter).padStart(32, '0')}`, status: 'queued', to, body: form.Body });
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  registerMessagingJobs(t.ctx.jobs, t.ctx.db, { secret: t.ctx.secret, publicUrl: t.ctx.config.publicUrl });
  const ws = owner.workspaceId;
  ana = (
    await resolveProfile(t.ctx.db, ws, {
      userId: 'ana',
      phone: '+34 600 111 222',
      traits: { firstName: 'Ana', locale: 'es-ES' },
    })
  ).customerId;
  bob = (await resolveProfile(t.ctx.db, ws, { userId: 'bob', phone: '+44 7700 900123', traits: { firstName: 'Bob' } }))
    .customerId;
  nophone = (await resolveProfile(t.ctx.db, ws, { userId: 'nophone', traits: { firstName: 'Nadie' } })).customerId;
});

afterAll(async () => {
  await new Promise<void>((resolve) => provider.close(() => resolve()));
});

describe('length and segments', () => {
  it('counts GSM-7 texts: 160 in one, 153 per part, extension characters as two', () => {
    expect(smsLength('Hello')).toEqual({ encoding: 'GSM-7', characters: 5, units: 5, segments: 1 });
    expect(smsLength('a'.repeat(160)).segments).toBe(1);
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('a'.repeat(307)).segments).toBe(3);
    // € is an escape pair: 80 of them fill one message.
    expect(smsLength('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', characters: 80, units: 160, segments: 1 });
    expect(smsLength('€'.repeat(81)).segments).toBe(2);
    // A pair never straddles two parts: 152 letters + € is 154 septets → the € moves to part two.
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(5)}`)).toMatchObject({ units: 159, segments: 1 });
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(7)}`)).toMatchObject({ units: 161, segments: 2 });
    expect(smsLength('¡Hola Ñoño! ¿Qué tal? àèéìòù ÄÖÜ').encoding).toBe('GSM-7');
  });

  it('counts UCS-2 texts: 70 in one, 67 per part, an emoji as two units', () => {
    expect(smsLength('Привет')).toEqual({ encoding: 'UCS-2', characters: 6, units: 6, segments: 1 });
    expect(smsLength('ж'.repeat(70)).segments).toBe(1);
    expect(smsLength('ж'.repeat(71)).segments).toBe(2);
    expect(smsLength('ж'.repeat(134)).segments).toBe(2);
    expect(smsLength('ж'.repeat(135)).segments).toBe(3);
    // One character outside GSM (á is not in it) makes the whole text UCS-2.
    expect(smsLength(`${'a'.repeat(100)}á`)).toMatchObject({ encoding: 'UCS-2', units: 101, segments: 2 });
    expect(smsLength('Gracias 🥐')).toEqual({ encoding: 'UCS-2', characters: 9, units: 10, segments: 1 });
  });
});

describe('settings', () => {
  it('are empty at first, and sending a test says to set them up', async () => {
    expect((await t.req('GET', '/api/v1/settings/sms', { auth: owner.auth })).json()).toMatchObject({
      configured: false,
      authTokenSet: false,
    });
    const test = await t.req('POST', '/api/v1/settings/sms/test', { auth: owner.auth, body: { to: '+34600111222' } });
    expect(test.statusCode).toBe(400);
    expect(test.json().error.code).toBe('sms_not_configured');
  });

  it('refuse incomplete Twilio settings naming the field', async () => {
    for (const [body, field] of [
      [settings({ authToken: undefined }), 'authToken'],
      [settings({ accountSid: null }), 'accountSid'],
      [settings({ fromNumber: null }), 'fromNumber'],
      [settings({ fromNumber: '600 111 222' }), 'fromNumber'],
      [settings({ baseUrl: 'ftp://x' }), 'baseUrl'],
      [settings({ provider: 'carrier-pigeon' }), 'provider'],
    ] as const) {
      const res = await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.field).toBe(field);
    }
    const es = await t.req('PUT', '/api/v1/settings/sms', {
      auth: owner.auth,
      body: settings({ fromNumber: null }),
      headers: { 'accept-language': 'es' },
    });
    expect(es.json().error.message).toBe('fromNumber: indica un número remitente o un messagingServiceSid');
  });

  it('keep the auth token write-only and sealed, and say where callbacks go', async () => {
    const put = await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body: settings() });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      configured: true,
      provider: 'twilio',
      baseUrl: base,
      accountSid: SID,
      authTokenSet: true,
      fromNumber: FROM,
      statusCallbackUrl: `http://localhost:8080/webhooks/sms/${owner.workspaceId}/status`,
      inboundUrl: `http://localhost:8080/webhooks/sms/${owner.workspaceId}/inbound`,
    });
    const { authToken: _omitted, ...withoutToken } = settings();
    const again = await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body: withoutToken });
    expect(again.json().authTokenSet).toBe(true);
    const audit = await t.req('GET', '/api/v1/audit-log', { auth: owner.auth });
    expect(audit.body).toContain('sms_settings.update');
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.ctx.db);
    for (const { table_name } of tables.rows) {
      const all = await sql`select * from ${sql.table(table_name)}`.execute(t.ctx.db);
      expect(JSON.stringify(all.rows), table_name).not.toContain(TOKEN);
    }
  });

  it('sends a test SMS with basic auth and the form fields, in the caller language', async () => {
    const res = await t.req('POST', '/api/v1/settings/sms/test', {
      auth: owner.auth,
      body: { to: '+34600999888' },
      headers: { 'accept-language': 'es' },
    });
    expect(res.statusCode, res.body).toBe(200);
    // 'í' is not in the GSM alphabet: the whole text goes as UCS-2.
    expect(res.json()).toMatchObject({ sent: true, provider: 'twilio', encoding: 'UCS-2', segments: 1 });
    const p = posted.at(-1) as Posted;
    expect(p.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(p.form).toEqual({
      To: '+34600999888',
      From: FROM,
      Body: 'SMS de prueba de La Panadería: tus ajustes de SMS funcionan.',
    });
    expect(res.json().providerMessageId).toMatch(/^SM/);
  });

  it('reports a refused token as a 502 sms_auth, and a refused number as sms_rejected', async () => {
    await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body: settings({ authToken: 'wrong' }) });
    try {
      const res = await t.req('POST', '/api/v1/settings/sms/test', { auth: owner.auth, body: { to: '+34600999888' } });
      expect(res.statusCode).toBe(502);
      expect(res.json().error).toMatchObject({ code: 'sms_auth' });
      expect(res.json().error.message).toContain('Authenticate');
    } finally {
      await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body: settings() });
    }
    const bad = await t.req('POST', '/api/v1/settings/sms/test', { auth: owner.auth, body: { to: '+15005550001' } });
    expect(bad.statusCode).toBe(502);
    expect(bad.json().error.code).toBe('sms_rejected');
    expect(bad.json().error.message).toContain('21211');
  });
});

describe('sending', () => {
  const ws = () => owner.workspaceId;

  it('sends a Liquid body to the customer phone with a status callback, recording the sid and segments', async () => {
    const r = await sendSms(t.ctx.db, ws(), {
      customerId: bob,
      body: 'Hi {{ customer.first_name }}, your bread is ready at {{ business.name }}.',
      purpose: 'transactional',
      idempotencyKey: 'ready:bob:1',
    });
    expect(r).toMatchObject({ created: true, message: { channel: 'sms', status: 'queued' } });
    await drain();
    const p = posted.at(-1) as Posted;
    expect(p.form).toEqual({
      To: '+447700900123',
      From: FROM,
      Body: 'Hi Bob, your bread is ready at La Panadería.',
      StatusCallback: `http://localhost:8080/webhooks/sms/${ws()}/status`,
    });
    const m = await message(r.message.id);
    expect(m).toMatchObject({
      status: 'sent',
      to: '+447700900123',
      text: 'Hi Bob, your bread is ready at La Panadería.',
      // 'í' of Panadería is not GSM-7.
      sms: { encoding: 'UCS-2', characters: 44, segments: 1 },
    });
    expect(m.providerMessageId).toMatch(/^SM\d{32}$/);
  });

  it('uses the Spanish variant of an SMS template, and counts a UCS-2 text', async () => {
    await saveTemplate(t.ctx.db, ws(), {
      key: 'ready',
      channel: 'sms',
      variants: {
        en: { text: 'Your order is ready, {{ customer.first_name }} 🥐' },
        es: { text: 'Tu pedido está listo, {{ customer.first_name }} 🥐' },
      },
    });
    const r = await sendSms(t.ctx.db, ws(), {
      customerId: ana,
      templateKey: 'ready',
      purpose: 'transactional',
      idempotencyKey: 'ready:ana:1',
    });
    await drain();
    expect((posted.at(-1) as Posted).form.Body).toBe('Tu pedido está listo, Ana 🥐');
    expect(await message(r.message.id)).toMatchObject({
      status: 'sent',
      locale: 'es',
      to: '+34600111222',
      sms: { encoding: 'UCS-2', characters: 27, segments: 1 },
    });
    const long = await sendSms(t.ctx.db, ws(), {
      customerId: ana,
      body: 'Pan de centeno, sin azúcar. '.repeat(3),
      purpose: 'transactional',
      idempotencyKey: 'long:ana:1',
    });
    await drain();
    expect((await message(long.message.id)).sms).toEqual({ encoding: 'UCS-2', characters: 83, segments: 2 });
    await expect(
      sendSms(t.ctx.db, ws(), {
        customerId: ana,
        templateKey: 'nope',
        purpose: 'transactional',
        idempotencyKey: 'n:1',
      }),
    ).rejects.toMatchObject({ status: 404, field: 'templateKey' });
    await expect(
      sendSms(t.ctx.db, ws(), { customerId: ana, purpose: 'transactional', idempotencyKey: 'n:2' }),
    ).rejects.toMatchObject({ status: 400, field: 'body' });
    await expect(
      saveTemplate(t.ctx.db, ws(), { key: 'bad-sms', channel: 'sms', variants: { en: { subject: 'no text' } } }),
    ).rejects.toMatchObject({ status: 400, field: 'variants.en.text' });
  });

  it('sends once for one idempotency key', async () => {
    const before = posted.length;
    const input = { customerId: bob, body: 'Receipt', purpose: 'transactional' as const, idempotencyKey: 'rcpt:1' };
    const first = await sendSms(t.ctx.db, ws(), input);
    expect((await sendSms(t.ctx.db, ws(), input)).message.id).toBe(first.message.id);
    await drain();
    expect((await sendSms(t.ctx.db, ws(), input)).created).toBe(false);
    await drain();
    expect(posted.length).toBe(before + 1);
  });

  it('skips a customer without a phone', async () => {
    const r = await sendSms(t.ctx.db, ws(), {
      customerId: nophone,
      body: 'Hi',
      purpose: 'transactional',
      idempotencyKey: 'nophone:1',
    });
    await drain();
    expect(await message(r.message.id)).toMatchObject({ status: 'skipped', statusReason: 'no_address' });
  });

  it('retries a 503 with backoff, and fails a refused number with the provider answer', async () => {
    await sql`update customers set phone = '+15005550002' where id = ${nophone}`.execute(t.ctx.db);
    const r = await sendSms(t.ctx.db, ws(), {
      customerId: nophone,
      body: 'Hi',
      purpose: 'transactional',
      idempotencyKey: 'retry:1',
    });
    await drain();
    let m = await message(r.message.id);
    expect(m.status).toBe('queued');
    expect(m.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'deferred']);
    expect(m.statusReason).toMatch(/^twilio: 503 \(20500\)/);
    await sql`update jobs set run_at = now() where queue = 'messaging.sms' and state = 'queued'`.execute(t.ctx.db);
    await drain();
    m = await message(r.message.id);
    expect(m.status).toBe('sent');

    await sql`update customers set phone = '+15005550001' where id = ${nophone}`.execute(t.ctx.db);
    const bad = await sendSms(t.ctx.db, ws(), {
      customerId: nophone,
      body: 'Hi',
      purpose: 'transactional',
      idempotencyKey: 'bad:1',
    });
    await drain();
    m = await message(bad.message.id);
    expect(m.status).toBe('failed');
    expect(m.statusReason).toContain("21211): The 'To' number +15005550001 is not a valid phone number.");
  });
});

describe('status callbacks', () => {
  const path = () => `/webhooks/sms/${owner.workspaceId}/status`;

  it('records delivered and undelivered from signed callbacks, on the message and the timeline', async () => {
    const [latest] = (await t.req('GET', `/api/v1/customers/${bob}/messages?limit=1`, { auth: owner.auth })).json()
      .data;
    const sid = latest.providerMessageId as string;
    const sent = { MessageSid: sid, AccountSid: SID, From: FROM, To: '+447700900123' };
    expect((await providerCalls(path(), { ...sent, MessageStatus: 'sent' })).statusCode).toBe(204);
    expect((await message(latest.id)).status).toBe('sent');
    const res = await providerCalls(path(), { ...sent, MessageStatus: 'delivered' });
    expect(res.statusCode, res.body).toBe(204);
    // Twice (Twilio may repeat a callback): recorded once.
    await providerCalls(path(), { ...sent, MessageStatus: 'delivered' });
    const m = await message(latest.id);
    expect(m.status).toBe('delivered');
    expect(m.deliveredAt).toBeTruthy();
    expect(m.events.filter((e: { type: string }) => e.type === 'delivered')).toHaveLength(1);

    const r = await sendSms(t.ctx.db, owner.workspaceId, {
      customerId: bob,
      body: 'Another',
      purpose: 'transactional',
      idempotencyKey: 'undelivered:1',
    });
    await drain();
    const other = await message(r.message.id);
    await providerCalls(path(), {
      MessageSid: other.providerMessageId,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      AccountSid: SID,
    });
    expect(await message(r.message.id)).toMatchObject({ status: 'failed', statusReason: 'undelivered: 30003' });

    const timeline = (
      await t.req('GET', `/api/v1/customers/${bob}/timeline?channel=sms&limit=50`, { auth: owner.auth })
    ).json().data as { type: string; title: string; data: { messageId: string } }[];
    expect(timeline.find((i) => i.data.messageId === latest.id && i.type === 'message.delivered')?.title).toBe(
      'SMS delivered',
    );
    expect(timeline.find((i) => i.data.messageId === r.message.id && i.type === 'message.undelivered')?.title).toBe(
      'SMS undelivered',
    );
    expect(timeline.every((i) => i.type.startsWith('message.'))).toBe(true);
  });

  it('refuses an unsigned or wrongly signed callback and changes nothing', async () => {
    const r = await sendSms(t.ctx.db, owner.workspaceId, {
      customerId: bob,
      body: 'Signed?',
      purpose: 'transactional',
      idempotencyKey: 'signed:1',
    });
    await drain();
    const m = await message(r.message.id);
    const params = { MessageSid: m.providerMessageId, MessageStatus: 'delivered' };
    const wrong = await providerCalls(path(), params, 'not-the-token');
    expect(wrong.statusCode).toBe(401);
    const unsigned = await t.req('POST', path(), {
      body: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.statusCode).toBe(401);
    // Another workspace's URL (signed with this token) does not reach this workspace's message.
    const other = await t.req('POST', '/api/v1/workspaces', { auth: owner.auth, body: { name: 'Other' } });
    const elsewhere = await providerCalls(`/webhooks/sms/${other.json().id}/status`, params);
    expect(elsewhere.statusCode).toBe(404);
    expect((await message(r.message.id)).status).toBe('sent');
  });
});

describe('STOP and START', () => {
  const inbound = () => `/webhooks/sms/${owner.workspaceId}/inbound`;
  const promo = (key: string) =>
    sendSms(t.ctx.db, owner.workspaceId, {
      customerId: ana,
      body: '2x1 en cruasanes hoy',
      purpose: 'marketing',
      idempotencyKey: key,
    });

  it('sends marketing only with SMS marketing consent, with how to opt out', async () => {
    const no = await promo('promo:1');
    await drain();
    expect(await message(no.message.id)).toMatchObject({ status: 'skipped', statusReason: 'no_consent' });
    const consent = await t.req('PUT', `/api/v1/customers/${ana}/consents`, {
      auth: owner.auth,
      body: {
        channel: 'sms',
        purpose: 'marketing',
        status: 'subscribed',
        at: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    expect(consent.statusCode, consent.body).toBe(200);
    const yes = await promo('promo:2');
    await drain();
    expect((posted.at(-1) as Posted).form.Body).toBe('2x1 en cruasanes hoy\nResponde BAJA para darte de baja');
    expect((await message(yes.message.id)).status).toBe('sent');
  });

  it('unsubscribes on STOP (signed inbound), so the next marketing SMS is skipped; START subscribes again', async () => {
    const stop = await providerCalls(inbound(), { From: '+34600111222', To: FROM, Body: ' Stop ', AccountSid: SID });
    expect(stop.statusCode, stop.body).toBe(200);
    expect(stop.headers['content-type']).toContain('text/xml');
    expect(stop.body).toContain('<Response>');
    expect(await smsConsent(ana)).toMatchObject({
      status: 'unsubscribed',
      source: 'sms_keyword',
      evidence: { keyword: 'STOP', phone: '+34600111222' },
    });
    const before = posted.length;
    const next = await promo('promo:3');
    await drain();
    expect(await message(next.message.id)).toMatchObject({ status: 'skipped', statusReason: 'no_consent' });
    expect(posted.length).toBe(before);
    const timeline = (
      await t.req('GET', `/api/v1/customers/${ana}/timeline?type=message.unsubscribed`, { auth: owner.auth })
    ).json().data;
    expect(timeline[0]).toMatchObject({ channel: 'sms', title: 'Unsubscribed from SMS', data: { reason: 'STOP' } });

    await providerCalls(inbound(), { From: '+34600111222', To: FROM, Body: 'START', AccountSid: SID });
    expect(await smsConsent(ana)).toMatchObject({ status: 'subscribed', source: 'sms_keyword' });
    const again = await promo('promo:4');
    await drain();
    expect((await message(again.message.id)).status).toBe('sent');

    // Spanish: BAJA (any case, with punctuation) unsubscribes too; other texts change nothing.
    await providerCalls(inbound(), { From: '+34600111222', To: FROM, Body: 'hola, ¿a qué hora abrís?' });
    expect((await smsConsent(ana)).status).toBe('subscribed');
    await providerCalls(inbound(), { From: '+34600111222', To: FROM, Body: 'Baja.' });
    expect(await smsConsent(ana)).toMatchObject({ status: 'unsubscribed', evidence: { keyword: 'BAJA' } });
  });

  it('ignores an inbound STOP with a wrong signature', async () => {
    const res = await providerCalls(inbound(), { From: '+447700900123', To: FROM, Body: 'STOP' }, 'forged');
    expect(res.statusCode).toBe(401);
    expect((await smsConsent(bob))?.status ?? 'unknown').not.toBe('unsubscribed');
  });
});

describe('the log provider', () => {
  it('records the message as sent without any network, and takes callbacks unsigned', async () => {
    const put = await t.req('PUT', '/api/v1/settings/sms', { auth: owner.auth, body: { provider: 'log' } });
    expect(put.json()).toMatchObject({ provider: 'log', authTokenSet: false, accountSid: null });
    const before = posted.length;
    const r = await sendSms(t.ctx.db, owner.workspaceId, {
      customerId: bob,
      body: 'Dev only',
      purpose: 'transactional',
      idempotencyKey: 'log:1',
    });
    await drain();
    const m = await message(r.message.id);
    expect(m).toMatchObject({ status: 'sent', text: 'Dev only', sms: { segments: 1 } });
    expect(m.providerMessageId).toMatch(/^log_[0-9a-f]{24}$/);
    expect(posted.length).toBe(before);
    const test = await t.req('POST', '/api/v1/settings/sms/test', { auth: owner.auth, body: { to: '+34600999888' } });
    expect(test.json()).toMatchObject({ sent: true, provider: 'log' });
    expect(posted.length).toBe(before);
    const res = await t.req('POST', `/webhooks/sms/${owner.workspaceId}/status`, {
      body: new URLSearchParams({ MessageSid: m.providerMessageId, MessageStatus: 'delivered' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(204);
    expect((await message(r.message.id)).status).toBe('delivered');
  });
});
