/**
 * The email channel end to end on real parts: an SMTP server in this process (smtp-server on
 * 127.0.0.1, a random port) receives what nodemailer sends; mailparser reads it back.
 */
import { sql } from 'kysely';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertOrder } from '../commerce/index.js';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { resolveProfile } from '../testing/customers.js';
import { freePort } from '../testing/process.js';
import {
  onUnsubscribe,
  registerMessagingJobs,
  saveTemplate,
  sendEmail,
  setConsentCheck,
  type UnsubscribeRequest,
} from './index.js';

const SMTP_USER = 'kith-smtp';
const SMTP_PASSWORD = 'pl41n-text-n3ver-st0red';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let smtp: SMTPServer;
let smtpPort: number;
const received: ParsedMail[] = [];
const rcptAttempts = new Map<string, number>();

let ana: string; // Spanish-speaking customer with an order
let bob: string; // English, no order
let nomail: string;

const settings = (overrides: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: smtpPort,
  secure: false,
  user: SMTP_USER,
  password: SMTP_PASSWORD,
  fromName: 'La Panadería',
  fromAddress: 'hola@panaderia.example',
  replyTo: 'ayuda@panaderia.example',
  brand: {
    logoUrl: 'https://cdn.panaderia.example/logo.png',
    primaryColor: '#AA5500',
    footerText: 'Fresh bread every morning',
    postalAddress: 'Calle Mayor 1, 28013 Madrid',
  },
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

/** The path of the first public link of a kind in an HTML body (`/t/c/…`, `/t/o/…`, `/u/…`). */
function linkPath(html: string, prefix: string): string {
  const m = html.match(new RegExp(`https?://[^"'\\s>]+(${prefix.replace(/\//g, '\\/')}[A-Za-z0-9_.-]+)`));
  if (!m) throw new Error(`no ${prefix} link in ${html}`);
  return m[1] as string;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t, 'La Panadería');
  smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const n = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, n);
      if (address.address.startsWith('reject')) {
        return cb(Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 }));
      }
      if (address.address.startsWith('busy') && n === 1) {
        return cb(Object.assign(new Error('4.2.1 Mailbox busy, try later'), { responseCode: 451 }));
      }
      return cb();
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  registerMessagingJobs(t.ctx.jobs, t.ctx.db, { secret: t.ctx.secret, publicUrl: t.ctx.config.publicUrl });

  const ws = owner.workspaceId;
  ana = (
    await resolveProfile(t.ctx.db, ws, {
      userId: 'ana',
      email: 'ana@example.com',
      traits: { firstName: 'Ana', lastName: 'García', locale: 'es-ES', plan: 'oro' },
    })
  ).customerId;
  bob = (
    await resolveProfile(t.ctx.db, ws, {
      userId: 'bob',
      email: 'bob@example.com',
      traits: { firstName: 'Bob <b>', plan: 'silver' },
    })
  ).customerId;
  nomail = (await resolveProfile(t.ctx.db, ws, { userId: 'nomail', traits: { firstName: 'Nadie' } })).customerId;
  const source = (
    await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: 'Shop', channel: 'ecommerce' } })
  ).json();
  await t.ctx.db.transaction().execute((tx) =>
    upsertOrder(tx, ws, {
      sourceId: source.id,
      channel: 'ecommerce',
      externalId: 'A-1001',
      number: '#1001',
      customerId: ana,
      currency: 'EUR',
      total: 23.5,
      items: [
        { productId: 'sourdough', name: 'Pan de masa madre', quantity: 2, unitPrice: 6 },
        { productId: 'croissant', name: 'Cruasán', quantity: 5, unitPrice: 2.3 },
      ],
      placedAt: new Date('2026-03-01T10:00:00Z'),
    }),
  );
  await saveTemplate(t.ctx.db, ws, {
    key: 'thanks',
    name: 'Thank you',
    variants: {
      en: {
        subject: 'Thanks {{ customer.first_name }}!',
        html: '<p>Hello {{ customer.first_name }}, your plan is {{ customer.traits.plan }}.</p>{% if last_order %}<p>Order {{ last_order.number }}: {{ last_order.total }} {{ last_order.currency }}</p><ul>{% for i in last_order.items %}<li>{{ i.quantity }} × {{ i.name }}</li>{% endfor %}</ul>{% endif %}<p><a href="https://panaderia.example/shop?utm=a&amp;b=1">Shop again</a> · <a href="mailto:hola@panaderia.example">Write to us</a></p>',
      },
      es: {
        subject: '¡Gracias {{ customer.first_name }}!',
        html: '<p>Hola {{ customer.first_name }}, tu plan es {{ customer.traits.plan }}.</p>{% if last_order %}<p>Pedido {{ last_order.number }}: {{ last_order.total }} {{ last_order.currency }}</p><ul>{% for i in last_order.items %}<li>{{ i.quantity }} × {{ i.name }}</li>{% endfor %}</ul>{% endif %}<p><a href="https://panaderia.example/tienda">Volver a la tienda</a></p>',
      },
    },
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('email settings', () => {
  it('are empty at first, and the test email says to set them up (400)', async () => {
    const get = await t.req('GET', '/api/v1/settings/email', { auth: owner.auth });
    expect(get.json()).toMatchObject({ configured: false, passwordSet: false });
    const test = await t.req('POST', '/api/v1/settings/email/test', {
      auth: owner.auth,
      body: { to: 'me@example.com' },
    });
    expect(test.statusCode).toBe(400);
    expect(test.json().error.code).toBe('email_not_configured');
  });

  it('keeps the password write-only, sealed at rest, and out of every response and the audit log', async () => {
    const put = await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: settings() });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      configured: true,
      host: '127.0.0.1',
      user: SMTP_USER,
      passwordSet: true,
      brand: { primaryColor: '#aa5500', postalAddress: 'Calle Mayor 1, 28013 Madrid' },
    });
    expect(put.body).not.toContain(SMTP_PASSWORD);
    expect(put.json()).not.toHaveProperty('password');
    const get = await t.req('GET', '/api/v1/settings/email', { auth: owner.auth });
    expect(get.body).not.toContain(SMTP_PASSWORD);
    expect(get.json().passwordSet).toBe(true);

    // Saved again without a password: the stored one is kept.
    const { password: _omitted, ...withoutPassword } = settings({ fromName: 'Panadería' });
    const again = await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: withoutPassword });
    expect(again.json()).toMatchObject({ passwordSet: true, fromName: 'Panadería' });

    const row = await sql<Record<string, unknown>>`select * from email_settings`.execute(t.ctx.db);
    const dump = JSON.stringify(row.rows);
    expect(dump).not.toContain(SMTP_PASSWORD);
    expect(String(row.rows[0]?.password_sealed)).toMatch(/^v1\./);
    const audit = await t.req('GET', '/api/v1/audit-log', { auth: owner.auth });
    expect(audit.body).toContain('email_settings.update');
    expect(audit.body).not.toContain(SMTP_PASSWORD);
    // Everything else the database holds, too.
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.ctx.db);
    for (const { table_name } of tables.rows) {
      const all = await sql`select * from ${sql.table(table_name)}`.execute(t.ctx.db);
      expect(JSON.stringify(all.rows), table_name).not.toContain(SMTP_PASSWORD);
    }
  });

  it('refuses bad values naming the field', async () => {
    const bad = await t.req('PUT', '/api/v1/settings/email', {
      auth: owner.auth,
      body: settings({ brand: { primaryColor: 'orange' } }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('brand.primaryColor');
    const noUser = await t.req('PUT', '/api/v1/settings/email', {
      auth: owner.auth,
      body: settings({ user: null }),
    });
    expect(noUser.statusCode).toBe(400);
    expect(noUser.json().error.field).toBe('password');
  });

  it('sends a test email through the saved SMTP server, in the caller language', async () => {
    const before = received.length;
    const res = await t.req('POST', '/api/v1/settings/email/test', {
      auth: owner.auth,
      body: { to: 'me@example.com' },
      headers: { 'accept-language': 'es' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ sent: true, to: 'me@example.com' });
    expect(received.length).toBe(before + 1);
    const mail = received.at(-1) as ParsedMail;
    expect(mail.subject).toBe('Correo de prueba de La Panadería');
    expect(mail.from?.value[0]).toMatchObject({ address: 'hola@panaderia.example', name: 'Panadería' });
    expect(mail.html).toContain('https://cdn.panaderia.example/logo.png');
    expect(mail.text).toContain('tus ajustes de correo funcionan');
  });

  it('reports a wrong port as a clear 502 in the caller language, never a stack', async () => {
    const closed = await freePort();
    await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: settings({ port: closed }) });
    try {
      const en = await t.req('POST', '/api/v1/settings/email/test', {
        auth: owner.auth,
        body: { to: 'me@example.com' },
      });
      expect(en.statusCode).toBe(502);
      expect(en.json().error.code).toBe('smtp_unreachable');
      expect(en.json().error.message).toContain(`Could not reach the mail server 127.0.0.1:${closed}`);
      expect(en.body).not.toMatch(/\bat .+\.(js|ts):\d+/);
      const es = await t.req('POST', '/api/v1/settings/email/test', {
        auth: owner.auth,
        body: { to: 'me@example.com' },
        headers: { 'accept-language': 'es' },
      });
      expect(es.json().error.message).toContain(`No se pudo conectar con el servidor de correo 127.0.0.1:${closed}`);
    } finally {
      await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: settings() });
    }
  });

  it('reports a refused password as smtp_auth', async () => {
    await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: settings({ password: 'wrong one' }) });
    try {
      const res = await t.req('POST', '/api/v1/settings/email/test', {
        auth: owner.auth,
        body: { to: 'me@example.com' },
      });
      expect(res.statusCode).toBe(502);
      expect(res.json().error.code).toBe('smtp_auth');
    } finally {
      await t.req('PUT', '/api/v1/settings/email', { auth: owner.auth, body: settings() });
    }
  });
});

describe('sending', () => {
  const ws = () => owner.workspaceId;
  let thanksToAna: string;

  it('renders the Spanish variant with the traits and last order, in the brand layout', async () => {
    const before = received.length;
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: ana,
      templateKey: 'thanks',
      purpose: 'transactional',
      idempotencyKey: 'thanks:ana:1',
    });
    expect(r).toMatchObject({ created: true, message: { status: 'queued', customerId: ana, templateVersion: 1 } });
    thanksToAna = r.message.id;
    await drain();
    expect(received.length).toBe(before + 1);
    const mail = received.at(-1) as ParsedMail;
    expect(mail.subject).toBe('¡Gracias Ana!');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe('ana@example.com');
    expect(mail.replyTo?.value[0]?.address).toBe('ayuda@panaderia.example');
    const html = String(mail.html);
    expect(html).toContain('Hola Ana, tu plan es oro.');
    expect(html).toContain('Pedido #1001: 23.5 EUR');
    expect(html).toContain('2 × Pan de masa madre');
    expect(html).toContain('5 × Cruasán');
    // The brand layout: logo, colour, footer text, postal address; no unsubscribe link on a transactional email.
    expect(html).toContain('<img src="https://cdn.panaderia.example/logo.png"');
    expect(html).toContain('#aa5500');
    expect(html).toContain('Fresh bread every morning');
    expect(html).toContain('Calle Mayor 1, 28013 Madrid');
    expect(html).toContain('Recibes este correo como cliente de La Panadería.');
    expect(html).not.toContain('/u/');
    // The plain-text part, made from the HTML (original links, not tracked ones).
    expect(mail.text).toContain('Hola Ana, tu plan es oro.');
    expect(mail.text).toContain('Volver a la tienda [https://panaderia.example/tienda]');
    expect(mail.text).toContain('Calle Mayor 1, 28013 Madrid');
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.messageId).toBe(`<${thanksToAna}@panaderia.example>`);

    const m = await message(thanksToAna);
    expect(m).toMatchObject({ status: 'sent', locale: 'es', to: 'ana@example.com', subject: '¡Gracias Ana!' });
    expect(m.providerMessageId).toBeTruthy();
    expect(m.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'sent']);
  });

  it('sends the English variant to an English customer, escaping trait values in HTML', async () => {
    const before = received.length;
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: bob,
      templateKey: 'thanks',
      purpose: 'transactional',
      idempotencyKey: 'thanks:bob:1',
    });
    await drain();
    const mail = received.at(-1) as ParsedMail;
    expect(received.length).toBe(before + 1);
    expect(mail.subject).toBe('Thanks Bob <b>!');
    expect(String(mail.html)).toContain('Hello Bob &lt;b&gt;, your plan is silver.');
    expect(String(mail.html)).not.toContain('Order #');
    expect((await message(r.message.id)).locale).toBe('en');
  });

  it('sends once for one idempotency key', async () => {
    const before = received.length;
    const input = { customerId: bob, subject: 'Receipt', html: '<p>Paid</p>', purpose: 'transactional' as const };
    const first = await sendEmail(t.ctx.db, ws(), { ...input, idempotencyKey: 'receipt:42' });
    const second = await sendEmail(t.ctx.db, ws(), { ...input, idempotencyKey: 'receipt:42' });
    expect(second).toMatchObject({ created: false, message: { id: first.message.id } });
    await drain();
    const third = await sendEmail(t.ctx.db, ws(), { ...input, idempotencyKey: 'receipt:42' });
    expect(third).toMatchObject({ created: false, message: { id: first.message.id, status: 'sent' } });
    await drain();
    expect(received.length).toBe(before + 1);
  });

  it("skips marketing without the customer's email marketing consent (privacy's check), and sends nothing", async () => {
    const before = received.length;
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: ana,
      templateKey: 'thanks',
      purpose: 'marketing',
      idempotencyKey: 'promo:ana:no-check',
    });
    await drain();
    expect(received.length).toBe(before);
    const m = await message(r.message.id);
    expect(m).toMatchObject({ status: 'skipped', statusReason: 'no_consent', html: null });
    expect(m.events.map((e: { type: string; reason: string | null }) => [e.type, e.reason])).toEqual([
      ['queued', null],
      ['skipped', 'no_consent'],
    ]);
  });

  it('asks the registered consent check before marketing: no → skipped, yes → sent with RFC 8058 headers', async () => {
    const asked: unknown[][] = [];
    const undo = setConsentCheck(async (_db, workspaceId, customerId, channel, purpose) => {
      asked.push([workspaceId, customerId, channel, purpose]);
      return customerId === ana;
    });
    try {
      const before = received.length;
      const no = await sendEmail(t.ctx.db, ws(), {
        customerId: bob,
        subject: 'Sale',
        html: '<p>20% off</p>',
        purpose: 'marketing',
        idempotencyKey: 'promo:bob',
      });
      const yes = await sendEmail(t.ctx.db, ws(), {
        customerId: ana,
        subject: 'Oferta para {{ customer.first_name }}',
        html: '<p>20% de descuento</p><p><a href="https://panaderia.example/oferta">Ver</a></p>',
        purpose: 'marketing',
        idempotencyKey: 'promo:ana',
      });
      await drain();
      expect(asked).toEqual(
        expect.arrayContaining([
          [ws(), bob, 'email', 'marketing'],
          [ws(), ana, 'email', 'marketing'],
        ]),
      );
      expect((await message(no.message.id)).statusReason).toBe('no_consent');
      expect(received.length).toBe(before + 1);
      const mail = received.at(-1) as ParsedMail;
      expect(mail.subject).toBe('Oferta para Ana');
      // As sent (folded lines unfolded).
      const header = (mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '').replace(/\r?\n\s+/g, ' ');
      expect(header).toMatch(
        /^List-Unsubscribe: <http:\/\/localhost:8080\/u\/[A-Za-z0-9_-]+>, <mailto:ayuda@panaderia\.example\?subject=unsubscribe>$/,
      );
      expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
        'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      );
      // The footer of a marketing email links to the same unsubscribe page, in Spanish.
      expect(String(mail.html)).toContain('Darse de baja</a>');
      expect(linkPath(String(mail.html), '/u/')).toBe(header.match(/<http:\/\/localhost:8080(\/u\/[^>]+)>/)?.[1]);
      expect((await message(yes.message.id)).status).toBe('sent');
    } finally {
      undo();
    }
  });

  it('skips a customer without an email address', async () => {
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: nomail,
      subject: 'Hi',
      html: '<p>Hi</p>',
      purpose: 'transactional',
      idempotencyKey: 'nomail:1',
    });
    await drain();
    expect(await message(r.message.id)).toMatchObject({ status: 'skipped', statusReason: 'no_address' });
  });

  it('marks a message to a mailbox that does not exist bounced, and suppresses the address for good', async () => {
    await t.ctx.db
      .transaction()
      .execute((tx) => sql`update customers set email = 'reject@example.com' where id = ${nomail}`.execute(tx));
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: nomail,
      subject: 'Hi',
      html: '<p>Hi</p>',
      purpose: 'transactional',
      idempotencyKey: 'reject:1',
    });
    await drain();
    const m = await message(r.message.id);
    expect(m.status).toBe('bounced');
    expect(m.statusReason).toMatch(/^smtp: 550 .*No such mailbox here/);
    expect(m.events.at(-1)).toMatchObject({ type: 'bounced' });
    const list = await t.req('GET', '/api/v1/suppressions', { auth: owner.auth });
    expect(list.json().items).toEqual([
      expect.objectContaining({ address: 'reject@example.com', reason: 'hard_bounce', messageId: r.message.id }),
    ]);
    // Nothing more goes to it, not even a transactional email; the SMTP server is not asked again.
    const attempts = rcptAttempts.get('reject@example.com');
    const again = await sendEmail(t.ctx.db, ws(), {
      customerId: nomail,
      subject: 'Hi',
      html: '<p>Hi</p>',
      purpose: 'transactional',
      idempotencyKey: 'reject:2',
    });
    await drain();
    expect(await message(again.message.id)).toMatchObject({
      status: 'skipped',
      statusReason: 'suppressed: hard_bounce',
    });
    expect(rcptAttempts.get('reject@example.com')).toBe(attempts);
  });

  it('retries a temporary (4xx) refusal with backoff, then sends', async () => {
    await sql`update customers set email = 'busy@example.com' where id = ${nomail}`.execute(t.ctx.db);
    const before = received.length;
    const r = await sendEmail(t.ctx.db, ws(), {
      customerId: nomail,
      subject: 'Hi again',
      html: '<p>Hi</p>',
      purpose: 'transactional',
      idempotencyKey: 'busy:1',
    });
    await drain();
    let m = await message(r.message.id);
    expect(m.status).toBe('queued');
    expect(m.statusReason).toMatch(/^smtp: 451 /);
    expect(m.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'deferred']);
    const job = await sql<{ state: string; run_at: Date }>`
      select state, run_at from jobs where queue = 'messaging.send' and payload->>'messageId' = ${r.message.id}`.execute(
      t.ctx.db,
    );
    expect(job.rows[0]?.state).toBe('queued');
    expect(new Date(job.rows[0]?.run_at as Date).getTime()).toBeGreaterThan(Date.now() + 30_000);
    // The backoff is over.
    await sql`update jobs set run_at = now() where queue = 'messaging.send' and state = 'queued'`.execute(t.ctx.db);
    await drain();
    m = await message(r.message.id);
    expect(m.status).toBe('sent');
    expect(received.length).toBe(before + 1);
  });
});

describe('tracking and unsubscribing', () => {
  let mail: ParsedMail;
  let messageId: string;
  const hookCalls: UnsubscribeRequest[] = [];

  beforeAll(async () => {
    const undo = setConsentCheck(async () => true);
    const r = await sendEmail(t.ctx.db, owner.workspaceId, {
      customerId: ana,
      templateKey: 'thanks',
      purpose: 'marketing',
      idempotencyKey: 'track:ana',
    });
    await drain();
    undo();
    messageId = r.message.id;
    mail = received.at(-1) as ParsedMail;
    onUnsubscribe(async (_tx, req) => {
      hookCalls.push(req);
    });
  });

  it('rewrites links through a signed redirect: 302 to the original, the click recorded', async () => {
    const html = String(mail.html);
    expect(html).not.toContain('href="https://panaderia.example/tienda"');
    const click = linkPath(html, '/t/c/');
    const res = await t.req('GET', click);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://panaderia.example/tienda');
    await t.req('GET', click);
    const m = await message(messageId);
    expect(m.status).toBe('clicked');
    expect(m.clickedAt).toBeTruthy();
    const clicks = m.events.filter((e: { type: string }) => e.type === 'clicked');
    expect(clicks).toHaveLength(2);
    expect(clicks[0].url).toBe('https://panaderia.example/tienda');
  });

  it('keeps mailto links as they are and the original URL with its query string', async () => {
    const bobMail = received.find((m) => m.subject === 'Thanks Bob <b>!') as ParsedMail;
    expect(String(bobMail.html)).toContain('href="mailto:hola@panaderia.example"');
    const res = await t.req('GET', linkPath(String(bobMail.html), '/t/c/'));
    expect(res.headers.location).toBe('https://panaderia.example/shop?utm=a&b=1');
  });

  it('records opens through the pixel', async () => {
    const pixel = linkPath(String(mail.html), '/t/o/');
    expect(pixel.endsWith('.gif')).toBe(true);
    const res = await t.req('GET', pixel);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.rawPayload.subarray(0, 6).toString()).toBe('GIF89a');
    const m = await message(messageId);
    expect(m.openedAt).toBeTruthy();
    // Clicked stays clicked: an open after a click does not move it back.
    expect(m.status).toBe('clicked');
    expect(m.events.some((e: { type: string }) => e.type === 'opened')).toBe(true);
  });

  it('puts sends, opens and clicks on the customer timeline', async () => {
    const res = await t.req('GET', `/api/v1/customers/${ana}/timeline?limit=100`, { auth: owner.auth });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().data as { type: string; kind: string; data: Record<string, unknown> }[];
    const mine = items.filter((i) => i.kind === 'message' && i.data.messageId === messageId).map((i) => i.type);
    expect(mine).toEqual(['message.opened', 'message.clicked', 'message.clicked', 'message.sent']);
    expect(items.some((i) => i.type === 'message.skipped' && i.data.reason === 'no_consent')).toBe(true);
    const only = await t.req('GET', `/api/v1/customers/${ana}/timeline?type=message.clicked`, { auth: owner.auth });
    expect(only.json().data.every((i: { type: string }) => i.type === 'message.clicked')).toBe(true);
  });

  it('answers forged or altered tokens with 404 and records nothing', async () => {
    const click = linkPath(String(mail.html), '/t/c/');
    const token = click.slice('/t/c/'.length);
    const decoded = Buffer.from(token, 'base64url').toString();
    // Point the token at another link position, keeping the signature.
    const moved = Buffer.from(decoded.replace(/:(\d+):([^:]+)$/, ':7:$2')).toString('base64url');
    const before = (await message(messageId)).events.length;
    for (const path of [
      `/t/c/${moved}`,
      `/t/c/${token.slice(0, -2)}xx`,
      '/t/c/not-a-token',
      `/t/o/${moved}.gif`,
      `/u/${token}`,
      '/u/forged',
    ]) {
      const res = await t.req('GET', path);
      expect(res.statusCode, path).toBe(404);
      expect(res.headers.location).toBeUndefined();
    }
    expect((await t.req('POST', '/u/forged')).statusCode).toBe(404);
    expect((await message(messageId)).events.length).toBe(before);
  });

  it('shows the unsubscribe page in the customer language without unsubscribing', async () => {
    const path = linkPath(String(mail.html), '/u/');
    const res = await t.req('GET', path);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="es">');
    expect(res.body).toContain('¿Dejar de recibir correos comerciales de La Panadería en ana@example.com?');
    expect(res.body).toContain('Darme de baja');
    expect(hookCalls).toHaveLength(0);
  });

  it('records a one-click unsubscribe (RFC 8058 POST), once per message, and calls the hook', async () => {
    const path = linkPath(String(mail.html), '/u/');
    for (let i = 0; i < 2; i++) {
      const res = await t.req('POST', path, {
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Gmail one-click' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Te has dado de baja');
    }
    expect(hookCalls).toHaveLength(2);
    expect(hookCalls[0]).toMatchObject({
      workspaceId: owner.workspaceId,
      customerId: ana,
      messageId,
      channel: 'email',
      purpose: 'marketing',
      via: 'one_click',
    });
    const m = await message(messageId);
    expect(m.events.filter((e: { type: string }) => e.type === 'unsubscribed')).toHaveLength(1);
    const timeline = await t.req('GET', `/api/v1/customers/${ana}/timeline?type=message.unsubscribed`, {
      auth: owner.auth,
    });
    expect(timeline.json().data).toHaveLength(1);
    // Privacy recorded it: email marketing is now unsubscribed, with the message as evidence.
    const consents = await t.req('GET', `/api/v1/customers/${ana}/consents`, { auth: owner.auth });
    expect(
      consents
        .json()
        .items.find((c: { channel: string; purpose: string }) => c.channel === 'email' && c.purpose === 'marketing'),
    ).toMatchObject({ status: 'unsubscribed', source: 'unsubscribe_link', evidence: { messageId, via: 'one_click' } });
  });
});

describe('the message record API', () => {
  it("lists a customer's messages newest first, a page at a time", async () => {
    const all = await t.req('GET', `/api/v1/customers/${ana}/messages`, { auth: owner.auth });
    expect(all.statusCode).toBe(200);
    const ids = all.json().data.map((m: { id: string }) => m.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/customers/${ana}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.req('GET', url, { auth: owner.auth })).json();
      seen.push(...page.data.map((m: { id: string }) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const created = all.json().data.map((m: { createdAt: string }) => m.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    expect(all.json().data[0]).not.toHaveProperty('html');
  });

  it('shows a message with its rendered content and events', async () => {
    const [latest] = (await t.req('GET', `/api/v1/customers/${ana}/messages?limit=1`, { auth: owner.auth })).json()
      .data;
    const m = await message(latest.id);
    expect(m.html).toContain('<html lang="es">');
    expect(m.text).toContain('Hola Ana');
    expect(m.events[0].type).toBe('queued');
    expect((await t.req('GET', '/api/v1/messages/msg_nope', { auth: owner.auth })).statusCode).toBe(404);
  });
});

describe('templates', () => {
  it('refuse unknown filters and never read files', async () => {
    await expect(
      saveTemplate(t.ctx.db, owner.workspaceId, {
        key: 'bad',
        variants: { en: { subject: 'Hi', html: '{{ customer.first_name | shout }}' } },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'template_invalid', field: 'variants.en.html' });
    await expect(
      saveTemplate(t.ctx.db, owner.workspaceId, { key: 'bad', variants: { es: { subject: 'Hola', html: 'x' } } }),
    ).rejects.toMatchObject({ code: 'invalid_request', field: 'variants.en' });
    const r = await sendEmail(t.ctx.db, owner.workspaceId, {
      customerId: bob,
      subject: 'Files',
      html: "{% include '/etc/passwd' %}",
      purpose: 'transactional',
      idempotencyKey: 'include:1',
    });
    await drain();
    const m = await message(r.message.id);
    expect(m.status).toBe('failed');
    expect(m.statusReason).toMatch(/^template_error: /);
    expect(m.statusReason).not.toContain('root:');
  });

  it('pins the version a message was queued with', async () => {
    const v2 = await saveTemplate(t.ctx.db, owner.workspaceId, {
      key: 'thanks',
      variants: { en: { subject: 'Version two', html: '<p>v2</p>' } },
    });
    expect(v2.version).toBe(2);
    const r = await sendEmail(t.ctx.db, owner.workspaceId, {
      customerId: bob,
      templateKey: 'thanks',
      purpose: 'transactional',
      idempotencyKey: 'thanks:bob:v2',
    });
    expect(r.message.templateVersion).toBe(2);
    await drain();
    expect((await message(r.message.id)).subject).toBe('Version two');
  });
});
