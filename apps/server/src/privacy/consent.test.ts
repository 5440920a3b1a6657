/**
 * Consent (PRV-1) end to end: the service's ordering rules, the API (404, 400 naming the field,
 * roles, merged ids, audit), merges, the timeline, and consent read from identify traits sent
 * through the tracking API and processed. Every expected figure is worked out by hand below.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { processAllPending } from '../ingest/index.js';
import { type Auth, addMember, createKey, createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import type { ConsentChange } from './model.js';
import { getConsents, hasConsent, setConsent } from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let analyst: Auth;
let writeKey = '';
let seq = 0;

const at = (iso: string) => new Date(iso);
const api = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, status = 200, auth?: Auth) => {
  const r = await t.req(method, url, { auth: auth ?? owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.json();
};
const newCustomer = async (email: string) => (await api('POST', '/api/v1/customers', { email }, 201)).id as string;
const put = (id: string, body: Record<string, unknown>, status = 200, auth?: Auth) =>
  api('PUT', `/api/v1/customers/${id}/consents`, body, status, auth);
/** One channel × purpose of a consents answer. */
const one = (list: { items: { channel: string; purpose: string }[] }, channel: string, purpose = 'marketing') =>
  list.items.find((i) => i.channel === channel && i.purpose === purpose) as Record<string, unknown>;
const log = async (customerId: string) =>
  (
    await sql<{ channel: string; purpose: string; previous_status: string; status: string; at: Date }>`
      select channel, purpose, previous_status, status, at from consent_log
      where workspace_id = ${owner.workspaceId} and customer_id = ${customerId} order by at, seq`.execute(t.ctx.db)
  ).rows.map((r) => `${r.channel}/${r.purpose} ${r.previous_status}→${r.status} @${r.at.toISOString().slice(0, 10)}`);

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function identify(userId: string, traits: Record<string, unknown>, timestamp: string, context?: unknown) {
  const messageId = `m-${++seq}`;
  const r = await t.req('POST', '/v1/identify', {
    body: JSON.stringify({ messageId, userId, traits, timestamp, ...(context ? { context } : {}) }),
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
  });
  expect(r.statusCode, r.body).toBe(200);
  return messageId;
}
const idOf = async (userId: string) =>
  (await api('GET', `/api/v1/customers/lookup?userId=${encodeURIComponent(userId)}`)).id as string;
const warningsOf = async (messageId: string) =>
  (
    await sql<{ warnings: unknown }>`select warnings from events
      where workspace_id = ${owner.workspaceId} and message_id = ${messageId}`.execute(t.ctx.db)
  ).rows[0]?.warnings;

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  analyst = (await addMember(t, owner.auth, 'analyst')).auth;
  writeKey = (await api('POST', '/api/v1/sources', { name: 'Shop', channel: 'web' }, 201)).writeKey;
});

describe('the service', () => {
  it('applies changes by the time they happened, logs each applied change in order', async () => {
    const id = await newCustomer('order@example.com');
    const change = (status: ConsentChange['status'], iso: string, channel: ConsentChange['channel'] = 'email') =>
      t.ctx.db.transaction().execute((tx) =>
        setConsent(tx, owner.workspaceId, id, {
          channel,
          purpose: channel === 'sms' ? 'transactional' : 'marketing',
          status,
          source: 'api',
          at: at(iso),
        }),
      );
    expect(await change('subscribed', '2026-01-10T00:00:00Z')).toEqual({ applied: true });
    // Older than the subscription: ignored, whatever order they arrive in.
    expect(await change('unsubscribed', '2026-01-05T00:00:00Z')).toEqual({ applied: false, reason: 'older' });
    // The same status stated again on the 12th: nothing logged, but it now holds from the 12th…
    expect(await change('subscribed', '2026-01-12T00:00:00Z')).toEqual({ applied: false, reason: 'unchanged' });
    // …so a late unsubscribe dated the 11th is older than it.
    expect(await change('unsubscribed', '2026-01-11T00:00:00Z')).toEqual({ applied: false, reason: 'older' });
    expect(await change('pending', '2026-01-15T00:00:00Z', 'sms')).toEqual({ applied: true });
    expect(await change('unsubscribed', '2026-01-20T00:00:00Z')).toEqual({ applied: true });

    expect(await log(id)).toEqual([
      'email/marketing unknown→subscribed @2026-01-10',
      'sms/transactional unknown→pending @2026-01-15',
      'email/marketing subscribed→unsubscribed @2026-01-20',
    ]);
    const list = await getConsents(t.ctx.db, owner.workspaceId, id);
    // 6 channels × 2 purposes, unknown where nothing was recorded.
    expect(list).toHaveLength(12);
    expect(list.filter((c) => c.status === 'unknown')).toHaveLength(10);
    expect(list[0]).toMatchObject({
      channel: 'email',
      purpose: 'marketing',
      status: 'unsubscribed',
      source: 'api',
      changedAt: '2026-01-20T00:00:00.000Z',
    });
    expect(list.find((c) => c.channel === 'push')).toMatchObject({ status: 'unknown', source: null, changedAt: null });

    // Only `subscribed` counts for sending.
    expect(await hasConsent(t.ctx.db, owner.workspaceId, id, 'email', 'marketing')).toBe(false);
    expect(await hasConsent(t.ctx.db, owner.workspaceId, id, 'sms', 'transactional')).toBe(false);
    await change('subscribed', '2026-01-21T00:00:00Z');
    expect(await hasConsent(t.ctx.db, owner.workspaceId, id, 'email', 'marketing')).toBe(true);
    expect(await hasConsent(t.ctx.db, owner.workspaceId, id, 'email', 'transactional')).toBe(false);
  });
});

describe('the API', () => {
  it('answers 404 for an unknown customer and 400 naming the field at fault', async () => {
    const id = await newCustomer('api@example.com');
    const ok = { channel: 'email', purpose: 'marketing', status: 'subscribed' };
    expect((await t.req('GET', '/api/v1/customers/cus_nobody/consents', { auth: owner.auth })).statusCode).toBe(404);
    const missing = await t.req('PUT', '/api/v1/customers/cus_nobody/consents', { auth: owner.auth, body: ok });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');

    for (const [body, field] of [
      [{ ...ok, channel: 'fax' }, 'channel'],
      [{ ...ok, purpose: 'sales' }, 'purpose'],
      [{ ...ok, status: 'maybe' }, 'status'],
      [{ channel: 'email', purpose: 'marketing' }, 'status'],
      [{ ...ok, source: 'Bad Source!' }, 'source'],
      [{ ...ok, at: 'yesterday' }, 'at'],
      [{ ...ok, at: '2999-01-01T00:00:00Z' }, 'at'],
      [{ ...ok, evidence: { form: { nested: true } } }, 'evidence.form'],
    ] as const) {
      const r = await t.req('PUT', `/api/v1/customers/${id}/consents`, { auth: owner.auth, body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.field, JSON.stringify(body)).toBe(field);
    }
    // In the caller's language.
    const es = await t.req('PUT', `/api/v1/customers/${id}/consents`, {
      auth: owner.auth,
      body: { ...ok, at: '2999-01-01T00:00:00Z' },
      headers: { 'accept-language': 'es' },
    });
    expect(es.json().error.message).toBe('at: no puede estar más de 5 minutos en el futuro');
    expect(await log(id)).toEqual([]);
  });

  it('an analyst reads consents but cannot change them; writers can, and each write is audited', async () => {
    const id = await newCustomer('roles@example.com');
    const body = { channel: 'sms', purpose: 'marketing', status: 'subscribed' };
    const refused = await t.req('PUT', `/api/v1/customers/${id}/consents`, { auth: analyst, body });
    expect(refused.statusCode).toBe(403);
    expect(await log(id)).toEqual([]);
    expect(one(await api('GET', `/api/v1/customers/${id}/consents`, undefined, 200, analyst), 'sms').status).toBe(
      'unknown',
    );

    // A person in the app: source `app`; an API key: source `api`, unless the caller says.
    const byPerson = await put(id, { ...body, at: '2026-02-01T10:00:00Z', evidence: { form: 'checkout' } });
    expect(byPerson).toMatchObject({ customerId: id, applied: true });
    expect(one(byPerson, 'sms')).toMatchObject({
      status: 'subscribed',
      source: 'app',
      evidence: { form: 'checkout' },
      changedAt: '2026-02-01T10:00:00.000Z',
    });
    const key = await createKey(t, owner.auth, ['write']);
    const byKey = await put(id, { ...body, status: 'unsubscribed', at: '2026-02-02T10:00:00Z' }, 200, {
      bearer: key.key,
    });
    expect(one(byKey, 'sms')).toMatchObject({ status: 'unsubscribed', source: 'api' });
    // Older than what is recorded: ignored, and said so.
    const late = await put(id, { ...body, at: '2026-01-01T10:00:00Z', source: 'preference_center' });
    expect(late).toMatchObject({ applied: false, ignored: 'older' });
    expect(one(late, 'sms').status).toBe('unsubscribed');

    const actors = await sql<{ actor_type: string; actor_id: string | null }>`
      select actor_type, actor_id from consent_log where customer_id = ${id} order by seq`.execute(t.ctx.db);
    expect(actors.rows).toEqual([
      { actor_type: 'user', actor_id: owner.userId },
      { actor_type: 'api_key', actor_id: key.id },
    ]);
    const audit = (await api('GET', '/api/v1/audit-log')).data.filter(
      (e: { action: string }) => e.action === 'customer.consent_set',
    );
    // Three successful writes (the ignored one answered 200 too); none of the refused ones.
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ targetType: 'customers', targetId: id });
  });

  it("merges keep the newer of each channel's consent, move the history, and the merged id answers for the survivor", async () => {
    const p = await newCustomer('survivor@example.com');
    const q = await newCustomer('merged@example.com');
    const set = (id: string, channel: string, status: string, day: string) =>
      put(id, { channel, purpose: 'marketing', status, at: `2026-03-0${day}T09:00:00Z` });
    await set(p, 'email', 'subscribed', '1');
    await set(q, 'email', 'unsubscribed', '3'); // newer than the survivor's: wins
    await set(p, 'sms', 'unsubscribed', '5');
    await set(q, 'sms', 'subscribed', '2'); // older than the survivor's: dropped
    await set(q, 'push', 'subscribed', '4'); // the survivor has none: taken
    await set(p, 'whatsapp', 'subscribed', '6'); // only the survivor's: kept
    await api('POST', `/api/v1/customers/${p}/merge`, { customerId: q });

    const after = await api('GET', `/api/v1/customers/${q}/consents`);
    expect(after.customerId).toBe(p);
    expect(one(after, 'email')).toMatchObject({ status: 'unsubscribed', changedAt: '2026-03-03T09:00:00.000Z' });
    expect(one(after, 'sms')).toMatchObject({ status: 'unsubscribed', changedAt: '2026-03-05T09:00:00.000Z' });
    expect(one(after, 'push').status).toBe('subscribed');
    expect(one(after, 'whatsapp').status).toBe('subscribed');
    // A write to the merged id lands on the survivor.
    const written = await put(q, { channel: 'phone', purpose: 'transactional', status: 'subscribed' });
    expect(written.customerId).toBe(p);
    expect((await sql`select 1 from consents where customer_id = ${q}`.execute(t.ctx.db)).rows).toHaveLength(0);

    // Both histories, in the order things happened, on the survivor's timeline.
    const timeline = await api('GET', `/api/v1/customers/${p}/timeline?type=consent`);
    expect(timeline.data.map((i: { title: string }) => i.title)).toEqual([
      'Phone transactional: subscribed',
      'WhatsApp marketing: subscribed',
      'SMS marketing: unsubscribed',
      'Push marketing: subscribed',
      'Email marketing: unsubscribed',
      'SMS marketing: subscribed',
      'Email marketing: subscribed',
    ]);
    expect(timeline.data[1]).toMatchObject({
      kind: 'consent',
      type: 'consent',
      at: '2026-03-06T09:00:00.000Z',
      data: { channel: 'whatsapp', purpose: 'marketing', status: 'subscribed', previous: 'unknown', source: 'app' },
    });
    // Filtered out by another type or a channel filter; part of the 360 view's first page.
    expect((await api('GET', `/api/v1/customers/${p}/timeline?type=identify`)).data).toEqual([]);
    const view = await api('GET', `/api/v1/customers/${p}`);
    expect(view.timeline.data.filter((i: { kind: string }) => i.kind === 'consent')).toHaveLength(7);
  });
});

describe('consent from identify traits, through processing', () => {
  it('reads traits.consent, Shopify shapes and accepts_marketing; junk is a warning, never a failure', async () => {
    const ctx = { ip: '203.0.113.7', userAgent: 'Shop/1.0' };
    const anaMsg = await identify(
      'ana',
      {
        email: 'ana@example.com',
        consent: {
          email: 'subscribed',
          sms: { marketing: 'pending', transactional: 'subscribed' },
          fax: 'subscribed',
          push: 'maybe',
        },
      },
      '2026-01-10T09:00:00Z',
      ctx,
    );
    // Shopify: the email consent dated when it changed; SMS never asked (records nothing);
    // accepts_marketing is Shopify's older field for the same thing: email_marketing_consent wins.
    await identify(
      'ben',
      {
        email_marketing_consent: {
          state: 'subscribed',
          opt_in_level: 'confirmed_opt_in',
          consent_updated_at: '2025-12-01T10:00:00Z',
        },
        sms_marketing_consent: { state: 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null },
        accepts_marketing: false,
      },
      '2026-01-10T09:00:00Z',
    );
    // A CSV-style "no", then an older event arriving late: ignored.
    await identify('cara', { accepts_marketing: 'no' }, '2026-01-10T09:00:00Z');
    await identify('cara', { consent: { email: 'subscribed' } }, '2026-01-05T09:00:00Z');
    // GraphQL spelling, upper-case state.
    await identify('dan', { emailMarketingConsent: { marketingState: 'PENDING' } }, '2026-01-10T09:00:00Z');
    const eveMsg = await identify(
      'eve',
      { consent: 'yes', email_marketing_consent: 'subscribed', acceptsMarketing: 'perhaps', plan: 'pro' },
      '2026-01-10T09:00:00Z',
    );
    await processAllPending(t.ctx.db, owner.workspaceId);

    const ana = await api('GET', `/api/v1/customers/${await idOf('ana')}/consents`);
    expect(one(ana, 'email')).toMatchObject({
      status: 'subscribed',
      source: 'identify',
      changedAt: '2026-01-10T09:00:00.000Z',
      evidence: { messageId: anaMsg, ip: '203.0.113.7', userAgent: 'Shop/1.0', trait: 'consent.email' },
    });
    expect(typeof one(ana, 'email').evidence).toBe('object');
    expect((one(ana, 'email').evidence as { sourceId: string }).sourceId).toMatch(/^src_/);
    expect(one(ana, 'sms').status).toBe('pending');
    expect(one(ana, 'sms', 'transactional').status).toBe('subscribed');
    expect(one(ana, 'push').status).toBe('unknown');
    expect(ana.items.filter((i: { status: string }) => i.status !== 'unknown')).toHaveLength(3);
    expect(await warningsOf(anaMsg)).toEqual([
      {
        code: 'junk_consent',
        trait: 'consent.fax',
        value: 'fax',
        reason: 'channel must be one of email, sms, whatsapp, push, direct_mail, phone',
      },
      {
        code: 'junk_consent',
        trait: 'consent.push',
        value: 'maybe',
        reason: 'status must be one of subscribed, unsubscribed, pending, unknown',
      },
    ]);

    const ben = await api('GET', `/api/v1/customers/${await idOf('ben')}/consents`);
    expect(one(ben, 'email')).toMatchObject({
      status: 'subscribed',
      changedAt: '2025-12-01T10:00:00.000Z',
      evidence: { trait: 'email_marketing_consent', optInLevel: 'confirmed_opt_in' },
    });
    expect(one(ben, 'sms').status).toBe('unknown');

    const caraId = await idOf('cara');
    const cara = await api('GET', `/api/v1/customers/${caraId}/consents`);
    expect(one(cara, 'email')).toMatchObject({ status: 'unsubscribed', changedAt: '2026-01-10T09:00:00.000Z' });
    expect(await log(caraId)).toEqual(['email/marketing unknown→unsubscribed @2026-01-10']);

    expect(one(await api('GET', `/api/v1/customers/${await idOf('dan')}/consents`), 'email').status).toBe('pending');

    // eve: three junk values, each a warning; the event is processed and her other traits kept.
    const eveId = await idOf('eve');
    expect(one(await api('GET', `/api/v1/customers/${eveId}/consents`), 'email').status).toBe('unknown');
    expect(((await warningsOf(eveMsg)) as { trait: string }[]).map((w) => w.trait)).toEqual([
      'email_marketing_consent',
      'acceptsMarketing',
      'consent',
    ]);
    expect((await api('GET', `/api/v1/customers/${eveId}`)).traits.plan).toBe('pro');
  });

  it('a store repeating an old consent never undoes a newer change made elsewhere', async () => {
    await identify('finn', { email: 'finn@example.com' }, '2026-01-01T09:00:00Z');
    await processAllPending(t.ctx.db, owner.workspaceId);
    const id = await idOf('finn');
    // Unsubscribed through the preference center on the 8th…
    await put(id, {
      channel: 'email',
      purpose: 'marketing',
      status: 'unsubscribed',
      source: 'preference_center',
      at: '2026-01-08T09:00:00Z',
    });
    // …then the shop sends its customer again on the 10th, still saying "subscribed since December".
    await identify(
      'finn',
      { email_marketing_consent: { state: 'subscribed', consent_updated_at: '2025-12-01T10:00:00Z' } },
      '2026-01-10T09:00:00Z',
    );
    await processAllPending(t.ctx.db, owner.workspaceId);
    expect(one(await api('GET', `/api/v1/customers/${id}/consents`), 'email')).toMatchObject({
      status: 'unsubscribed',
      source: 'preference_center',
    });
  });
});
