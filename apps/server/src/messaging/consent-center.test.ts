/**
 * Consent the customer gives themselves, on real parts (an SMTP server in this process): double
 * opt-in by email, the preference center, and complaints on the suppression list.
 */
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { startSmtpCapture } from '../testing/smtp.js';
import { registerMessagingJobs, sendEmail } from './index.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, status = 200) {
  const r = await t.req(method, url, { auth: owner.auth, body });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
  return r.body ? r.json() : undefined;
}
const drain = () => t.ctx.jobs.drain({ timeoutMs: 30_000 });
const mailsTo = (email: string) => smtp.to(email);
/** The path of the first link of a kind in an email (following a tracked link's redirect). */
async function linkIn(mail: ParsedMail, prefix: string): Promise<string> {
  const html = String(mail.html);
  const direct = html.match(new RegExp(`https?://[^/"'\\s>]+(${prefix}[A-Za-z0-9_.-]+)`))?.[1];
  if (direct) return direct;
  // Links in the body are tracked: follow each redirect until one lands on the prefix.
  for (const m of html.matchAll(/https?:\/\/[^"'\s>]+(\/t\/c\/[A-Za-z0-9_.-]+)/g)) {
    const r = await t.req('GET', m[1] as string);
    const to = String(r.headers.location ?? '');
    const path = to.match(new RegExp(`(${prefix}[A-Za-z0-9_.-]+)`))?.[1];
    if (path) return path;
  }
  throw new Error(`no ${prefix} link in ${html}`);
}
async function consent(customerId: string, channel = 'email') {
  const c = await api('GET', `/api/v1/customers/${customerId}/consents`);
  return c.items.find((x: { channel: string; purpose: string }) => x.channel === channel && x.purpose === 'marketing');
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'Panadería Sol');
  smtp = await startSmtpCapture();
  const port = smtp.port;
  registerMessagingJobs(t.ctx.jobs, t.ctx.db, { secret: t.ctx.secret, publicUrl: t.ctx.config.publicUrl });
  await api('PUT', '/api/v1/settings/email', {
    host: '127.0.0.1',
    port,
    secure: false,
    fromName: 'Panadería Sol',
    fromAddress: 'hola@sol.example',
  });
});
afterAll(() => smtp.close());

describe('double opt-in', () => {
  it('a pending email consent sends a confirmation; its link (POST) subscribes, with the evidence', async () => {
    const c = await api(
      'POST',
      '/api/v1/customers',
      { email: 'pia@example.com', traits: { firstName: 'Pía', locale: 'es-ES' } },
      201,
    );
    await api('PUT', `/api/v1/customers/${c.id}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'pending',
      evidence: { form: 'newsletter footer' },
    });
    await drain();
    const [mail] = mailsTo('pia@example.com');
    expect(mail?.subject).toBe('Confirma tu suscripción a Panadería Sol');
    const path = await linkIn(mail as ParsedMail, '/c/');
    // Opening the link (a scanner, a preview) changes nothing.
    const page = await t.req('GET', path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('¿Recibir emails de Panadería Sol en pia@example.com?');
    expect((await consent(c.id)).status).toBe('pending');
    const done = await t.req('POST', path, {
      body: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Firefox' },
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Gracias');
    expect(await consent(c.id)).toMatchObject({ status: 'subscribed', source: 'double_opt_in' });
    expect((await consent(c.id)).evidence).toMatchObject({ userAgent: 'Firefox' });
    // The same change again sends no second confirmation.
    await api('PUT', `/api/v1/customers/${c.id}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'subscribed',
    });
    await drain();
    expect(mailsTo('pia@example.com')).toHaveLength(1);
    // A forged link is refused.
    expect((await t.req('GET', `${path.slice(0, -3)}xyz`)).statusCode).toBe(404);
  });
});

describe('the preference center', () => {
  it('is linked from every marketing email, shows the channels and saves the choice', async () => {
    const c = await api('POST', '/api/v1/customers', { email: 'pedro@example.com', phone: '+34600111222' }, 201);
    await api('PUT', `/api/v1/customers/${c.id}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'subscribed',
    });
    await sendEmail(t.ctx.db, owner.workspaceId, {
      customerId: c.id,
      subject: 'News',
      html: '<p>Fresh bread</p>',
      purpose: 'marketing',
      idempotencyKey: 'prefs:1',
    });
    await drain();
    const [mail] = mailsTo('pedro@example.com');
    expect(String(mail?.html)).toContain('Manage your preferences');
    expect(String(mail?.text)).toMatch(/Manage your preferences\s*\[http:\/\/localhost:8080\/p\//);
    const path = await linkIn(mail as ParsedMail, '/p/');
    const page = await t.req('GET', path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<input type="checkbox" id="ch-email" name="channel" value="email" checked>/);
    expect(page.body).toMatch(/<input type="checkbox" id="ch-sms" name="channel" value="sms">/);
    // Only SMS now: email becomes unsubscribed, SMS subscribed; unticked channels never chosen stay unknown.
    const saved = await t.req('POST', path, {
      body: 'channel=sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Saved.');
    expect(await consent(c.id)).toMatchObject({ status: 'unsubscribed', source: 'preference_center' });
    expect(await consent(c.id, 'sms')).toMatchObject({ status: 'subscribed', source: 'preference_center' });
    expect(await consent(c.id, 'whatsapp')).toMatchObject({ status: 'unknown' });
    // Staff can get the same link for the customer.
    const link = await api('GET', `/api/v1/customers/${c.id}/preferences-link`);
    expect(new URL(link.url).pathname).toBe(path);
    expect((await t.req('GET', '/p/not-a-token')).statusCode).toBe(404);
  });
});

describe('the suppression list', () => {
  it('a complaint stops marketing emails but not transactional ones, until it is removed', async () => {
    const c = await api('POST', '/api/v1/customers', { email: 'carla@example.com' }, 201);
    await api('PUT', `/api/v1/customers/${c.id}/consents`, {
      channel: 'email',
      purpose: 'marketing',
      status: 'subscribed',
    });
    const added = await api('POST', '/api/v1/suppressions', { address: 'Carla@Example.com', reason: 'complaint' }, 201);
    expect(added).toMatchObject({ address: 'carla@example.com', reason: 'complaint' });
    const send = (key: string, purpose: 'marketing' | 'transactional') =>
      sendEmail(t.ctx.db, owner.workspaceId, {
        customerId: c.id,
        subject: key,
        html: '<p>x</p>',
        purpose,
        idempotencyKey: key,
      });
    const m1 = await send('sup:m1', 'marketing');
    const t1 = await send('sup:t1', 'transactional');
    await drain();
    expect((await api('GET', `/api/v1/messages/${m1.message.id}`)).statusReason).toBe('suppressed: complaint');
    expect((await api('GET', `/api/v1/messages/${t1.message.id}`)).status).toBe('sent');
    await api('DELETE', '/api/v1/suppressions/carla@example.com', undefined, 204);
    const m2 = await send('sup:m2', 'marketing');
    await drain();
    expect((await api('GET', `/api/v1/messages/${m2.message.id}`)).status).toBe('sent');
    expect(
      (
        await t.req('POST', '/api/v1/suppressions', { auth: owner.auth, body: { address: 'nope', reason: 'manual' } })
      ).json().error,
    ).toMatchObject({ field: 'address' });
    expect((await t.req('DELETE', '/api/v1/suppressions/nobody@example.com', { auth: owner.auth })).statusCode).toBe(
      404,
    );
  });
});
