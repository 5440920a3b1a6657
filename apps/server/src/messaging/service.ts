/** Messaging's logic: email settings, templates, sending (queued → job → SMTP), tracking, unsubscribes. */
import { getWorkspaceOrThrow } from '../access/index.js';
import { getOrderOrThrow, listCustomerOrders } from '../commerce/index.js';
import { getCustomerOrThrow, type MergeEvent } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { JobQueue } from '../platform/jobs.js';
import { type Language, pm, render } from '../platform/messages.js';
import { deriveKey, seal, unseal } from '../platform/secret.js';
import { templateRecommendations } from '../predict/index.js';
import { currentConsentCheck, runUnsubscribeHooks } from './hooks.js';
import { mm } from './messages.js';
import {
  addOpenPixel,
  baseLanguage,
  checkVariant,
  DEFAULT_COLOR,
  pickVariant,
  renderVariant,
  type TemplateScope,
  textFooter,
  textFromHtml,
  trackLinks,
  wrapInLayout,
} from './render.js';
import * as repo from './repository.js';
import { classifySmtpError, failureMessage, isHardBounce, type SmtpServer, sendMail } from './smtp.js';
import { signToken, verifyToken } from './tokens.js';

/** What sending needs from the server: the secret (sealed passwords, signed links) and the public URL. */
export interface MessagingRuntime {
  secret: string;
  publicUrl: string;
  /** The port this server listens on: a webhook to it on a loopback address is refused (it would be Kith itself). */
  port?: number;
  /** How long a webhook receiver may take to answer (default 10 s). */
  webhookTimeoutMs?: number;
  /** How long the SMS provider may take to answer (default 15 s). */
  smsTimeoutMs?: number;
}

export const SEND_QUEUE = 'messaging.send';

// ── settings ──

const settingsKeys = new Map<string, Buffer>();
function settingsKey(secret: string): Buffer {
  let key = settingsKeys.get(secret);
  if (!key) {
    key = deriveKey(secret, 'email-settings-password');
    settingsKeys.set(secret, key);
  }
  return key;
}
/** The associated data of a sealed SMTP password: the row it belongs to. */
const passwordContext = (workspaceId: string) => `email_settings:${workspaceId}:password`;

export interface EmailSettingsInput {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  /** Omit to keep the stored password; null to remove it. */
  password?: string | null;
  fromName: string;
  fromAddress: string;
  replyTo?: string | null;
  brand?: {
    logoUrl?: string | null;
    primaryColor?: string | null;
    footerText?: string | null;
    postalAddress?: string | null;
  };
}

/** The settings as the API shows them: never the password, only whether one is stored. */
export function settingsView(s: repo.EmailSettingsRow | undefined) {
  return {
    configured: !!s,
    host: s?.host ?? null,
    port: s?.port ?? 587,
    secure: s?.secure ?? false,
    user: s?.username ?? null,
    passwordSet: !!s?.password_sealed,
    fromName: s?.from_name ?? null,
    fromAddress: s?.from_address ?? null,
    replyTo: s?.reply_to ?? null,
    brand: {
      logoUrl: s?.brand_logo_url ?? null,
      primaryColor: s?.brand_color ?? null,
      footerText: s?.brand_footer ?? null,
      postalAddress: s?.brand_postal_address ?? null,
    },
    updatedAt: s ? s.updated_at.toISOString() : null,
  };
}

export async function getEmailSettings(db: Db, workspaceId: string) {
  return settingsView(await repo.findSettings(db, workspaceId));
}

/** Saves the SMTP server, sender and brand; the password is sealed before it reaches the database. */
export async function saveEmailSettings(db: Db, secret: string, workspaceId: string, input: EmailSettingsInput) {
  const user = input.user?.trim() || null;
  if (!user && typeof input.password === 'string' && input.password !== '') {
    throw new UserError(400, 'invalid_request', mm('password_without_user'), 'password');
  }
  // Without a user there is nothing to log in with: no password either.
  const password =
    !user || input.password === null
      ? { sealed: null }
      : typeof input.password === 'string'
        ? { sealed: seal(settingsKey(secret), input.password, passwordContext(workspaceId)) }
        : undefined;
  const brand = input.brand ?? {};
  const row = await repo.saveSettings(
    db,
    workspaceId,
    {
      host: input.host.trim(),
      port: input.port,
      secure: input.secure,
      username: user,
      from_name: input.fromName.trim(),
      from_address: input.fromAddress.trim(),
      reply_to: input.replyTo?.trim() || null,
      brand_logo_url: brand.logoUrl?.trim() || null,
      brand_color: brand.primaryColor?.toLowerCase() || null,
      brand_footer: brand.footerText?.trim() || null,
      brand_postal_address: brand.postalAddress?.trim() || null,
    },
    password,
  );
  return settingsView(row);
}

/** The workspace's SMTP server with its password opened; a UserError when not usable. */
export async function smtpServerOf(
  db: Db | Tx,
  secret: string,
  workspaceId: string,
): Promise<{ settings: repo.EmailSettingsRow; server: SmtpServer }> {
  const settings = await repo.findSettings(db, workspaceId);
  if (!settings) throw new UserError(400, 'email_not_configured', mm('email_not_configured'));
  let password: string | null = null;
  if (settings.password_sealed) {
    password = unseal(settingsKey(secret), settings.password_sealed, passwordContext(workspaceId));
    if (password === null) throw new UserError(400, 'password_unreadable', mm('password_unreadable'), 'password');
  }
  return {
    settings,
    server: {
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      user: settings.username,
      password,
    },
  };
}

export function businessOf(workspaceName: string, s: repo.EmailSettingsRow | undefined): TemplateScope['business'] {
  return {
    name: workspaceName,
    brand: {
      logo_url: s?.brand_logo_url ?? null,
      primary_color: s?.brand_color ?? DEFAULT_COLOR,
      footer_text: s?.brand_footer ?? null,
      postal_address: s?.brand_postal_address ?? null,
    },
  };
}

const messageIdHeader = (id: string, fromAddress: string) => `<${id}@${fromAddress.split('@')[1] ?? 'kith.local'}>`;

/**
 * Sends a test email through the saved SMTP settings, in the caller's language. SMTP failures
 * are 502 with a code naming what failed (`smtp_unreachable`, `smtp_timeout`, `smtp_tls`,
 * `smtp_auth`, `smtp_rejected`) and the server's answer.
 */
export async function sendTestEmail(db: Db, secret: string, workspaceId: string, to: string, language: Language) {
  const { settings, server } = await smtpServerOf(db, secret, workspaceId);
  const workspace = await getWorkspaceOrThrow(db, workspaceId);
  const business = businessOf(workspace.name, settings);
  const subject = render(mm('test_subject', { business: workspace.name }), language);
  const body = `<p>${render(mm('test_body', { business: workspace.name }), language).replace(/[<>&]/g, '')}</p>`;
  const html = wrapInLayout({ body, subject, language, business, unsubscribeUrl: null });
  try {
    const sent = await sendMail(server, {
      from: { name: settings.from_name, address: settings.from_address },
      replyTo: settings.reply_to,
      to,
      subject,
      html,
      text: textFromHtml(html),
      messageId: messageIdHeader(newId('test'), settings.from_address),
      headers: {},
    });
    return { sent: true as const, to, messageId: sent.messageId, response: sent.response };
  } catch (err) {
    const failure = classifySmtpError(err);
    throw new UserError(502, `smtp_${failure.kind}`, failureMessage(failure, server), undefined, {
      responseCode: failure.responseCode,
    });
  }
}

// ── templates ──

export interface TemplateInput {
  key: string;
  name?: string;
  channel?: 'email' | 'sms';
  /**
   * Per locale, English required (the fallback). Email: `{subject, html, text?}`;
   * SMS: `{text}` (the message, Liquid without HTML escaping).
   */
  variants: Record<string, Partial<repo.Variant>>;
}

/** Creates a template or adds a version to it (the new version is what later sends use). */
export async function saveTemplate(db: Db, workspaceId: string, input: TemplateInput) {
  if (!input.variants.en) throw new UserError(400, 'invalid_request', mm('template_needs_en'), 'variants.en');
  const channel = input.channel ?? 'email';
  const variants: repo.Variants = {};
  for (const [locale, v] of Object.entries(input.variants)) {
    const required = channel === 'sms' ? (['text'] as const) : (['subject', 'html'] as const);
    for (const part of required) {
      if (typeof v[part] !== 'string' || !v[part]?.trim()) {
        const field = `variants.${locale}.${part}`;
        throw new UserError(
          400,
          'invalid_request',
          mm(channel === 'sms' ? 'sms_template_needs_text' : 'template_part_required', { field }),
          field,
        );
      }
    }
    variants[locale] =
      channel === 'sms'
        ? { subject: '', html: '', text: v.text as string }
        : { subject: v.subject as string, html: v.html as string, text: v.text ?? null };
    for (const part of ['subject', 'html', 'text'] as const) {
      const value = variants[locale]?.[part];
      if (!value) continue;
      try {
        checkVariant({
          subject: part === 'subject' ? value : '',
          html: part === 'html' ? value : '',
          text: part === 'text' ? value : null,
        });
      } catch (err) {
        const field = `variants.${locale}.${part}`;
        throw new UserError(
          400,
          'template_invalid',
          mm('template_invalid', { field, reason: (err as Error).message }),
          field,
        );
      }
    }
  }
  return db.transaction().execute(async (tx) => {
    const existing = await repo.findTemplateByKey(tx, workspaceId, input.key);
    const row = existing
      ? await repo.bumpTemplate(tx, workspaceId, existing.id, input.name ?? existing.name)
      : await repo.insertTemplate(tx, {
          id: newId('tpl'),
          workspace_id: workspaceId,
          key: input.key,
          name: input.name ?? input.key,
          channel,
          version: 1,
        });
    await repo.insertTemplateVersion(tx, {
      workspace_id: workspaceId,
      template_id: row.id,
      version: row.version,
      variants,
    });
    return { id: row.id, key: row.key, name: row.name, channel: row.channel, version: row.version };
  });
}

// ── sending ──

export interface SendEmailInput {
  customerId: string;
  /** A saved template (its current version is pinned on the message) … */
  templateKey?: string;
  /** … or inline content, Liquid like a template's. */
  subject?: string;
  html?: string;
  text?: string;
  purpose: repo.Purpose;
  /** The same key twice in a workspace sends once: the second call returns the first message. */
  idempotencyKey: string;
  /** Extra values the template sees as `data`. */
  data?: Record<string, unknown>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function messageView(m: repo.MessageRow) {
  return {
    id: m.id,
    customerId: m.customer_id,
    channel: m.channel as 'email' | 'sms' | 'webhook',
    purpose: m.purpose,
    templateId: m.template_id,
    templateVersion: m.template_version,
    locale: m.locale,
    to: m.to_address,
    subject: m.subject,
    status: m.status,
    statusReason: m.status_reason,
    providerMessageId: m.provider_message_id,
    webhookEndpointId: m.webhook_endpoint_id,
    sms:
      m.channel === 'sms' && m.sms_segments !== null
        ? { encoding: m.sms_encoding ?? 'GSM-7', characters: m.sms_characters ?? 0, segments: m.sms_segments }
        : null,
    createdAt: m.created_at.toISOString(),
    sentAt: iso(m.sent_at),
    deliveredAt: iso(m.delivered_at),
    openedAt: iso(m.opened_at),
    clickedAt: iso(m.clicked_at),
  };
}
export type MessageView = ReturnType<typeof messageView>;

let sendQueue: JobQueue | undefined;
/** The queue send jobs go to (set when the messaging jobs are registered in this process). */
export function useSendQueue(jobs: JobQueue): void {
  sendQueue = jobs;
}
/** The queue to enqueue on inside `tx`: this process's worker queue, or one just for the transaction (the job then waits in the table for a worker). */
export const queueFor = (tx: Tx) => sendQueue ?? new JobQueue(tx);
/** How an email's send job is retried: temporary (4xx) SMTP answers only, with backoff. */
export const SEND_JOB_OPTIONS = { maxAttempts: 6, backoffSeconds: 60, timeoutSeconds: 120 } as const;

/**
 * Records a message (status `queued`) and its send job, in one transaction: nothing is sent
 * that is not recorded first. The same idempotency key again returns the message it made and
 * sends nothing. Consent, the address and SMTP are the job's business (see `deliverMessage`).
 */
export async function sendEmail(
  db: Db | Tx,
  workspaceId: string,
  input: SendEmailInput,
): Promise<{ message: MessageView; created: boolean }> {
  const run = async (tx: Tx) => {
    const existing = await repo.findMessageByKey(tx, workspaceId, input.idempotencyKey);
    if (existing) return { message: messageView(existing), created: false };
    const customer = await getCustomerOrThrow(tx, workspaceId, input.customerId);
    let template: { id: string; version: number } | null = null;
    let source: repo.Variant | null = null;
    if (input.templateKey) {
      const t = await repo.findTemplateByKey(tx, workspaceId, input.templateKey);
      if (!t) throw new NotFoundError(mm('template_not_found', { key: input.templateKey }), 'templateKey');
      template = { id: t.id, version: t.version };
    } else if (input.subject && input.html) {
      source = { subject: input.subject, html: input.html, text: input.text ?? null };
      try {
        checkVariant(source);
      } catch (err) {
        throw new UserError(
          400,
          'template_invalid',
          mm('template_invalid', { field: 'html', reason: (err as Error).message }),
          'html',
        );
      }
    } else {
      throw new UserError(400, 'invalid_request', mm('template_or_content'), 'templateKey');
    }
    const now = new Date();
    const row = await repo.insertMessage(tx, {
      id: newId('msg'),
      workspace_id: workspaceId,
      customer_id: customer.id,
      channel: 'email',
      purpose: input.purpose,
      template_id: template?.id ?? null,
      template_version: template?.version ?? null,
      source,
      data: input.data ?? null,
      status: 'queued',
      status_reason: null,
      idempotency_key: input.idempotencyKey,
      created_at: now,
    });
    if (!row) {
      // Another transaction took the key between our look-up and insert.
      const other = await repo.findMessageByKey(tx, workspaceId, input.idempotencyKey);
      if (!other) throw new Error('idempotency key taken but no message found');
      return { message: messageView(other), created: false };
    }
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: workspaceId,
      message_id: row.id,
      customer_id: row.customer_id,
      type: 'queued',
      reason: null,
      url: null,
      at: now,
    });
    // Without a worker in this process the job waits in the table for one.
    await queueFor(tx).enqueue(SEND_QUEUE, { messageId: row.id }, { workspaceId, ...SEND_JOB_OPTIONS }, tx);
    return { message: messageView(row), created: true };
  };
  if (db.isTransaction) return run(db as Tx);
  try {
    return await db.transaction().execute(run);
  } catch (err) {
    // Two concurrent calls with one key: the loser's insert waited for the winner, then found it.
    if ((err as { code?: unknown }).code === '23505') {
      const other = await repo.findMessageByKey(db, workspaceId, input.idempotencyKey);
      if (other) return { message: messageView(other), created: false };
    }
    throw err;
  }
}

/** Ends a queued message (sent, delivered, failed or skipped) with its event, in one transaction. */
export async function settle(
  db: Db,
  m: repo.MessageRow,
  status: 'sent' | 'delivered' | 'failed' | 'skipped' | 'bounced',
  reason: string | null,
  extra: repo.MessageUpdate = {},
  alsoInTx?: (tx: Tx) => Promise<void>,
): Promise<repo.MessageStatus> {
  const at = new Date();
  await db.transaction().execute(async (tx) => {
    const updated = await repo.updateQueued(tx, m.workspace_id, m.id, {
      ...extra,
      status,
      status_reason: reason,
      ...(status === 'sent' ? { sent_at: at } : {}),
      ...(status === 'delivered' ? { sent_at: at, delivered_at: at } : {}),
    });
    if (!updated) return;
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: m.workspace_id,
      message_id: m.id,
      customer_id: m.customer_id,
      type: status,
      reason,
      url: null,
      at,
    });
    await alsoInTx?.(tx);
  });
  return status;
}

const linkBase = (rt: MessagingRuntime) => rt.publicUrl.replace(/\/$/, '');

export function unsubscribeUrl(rt: MessagingRuntime, workspaceId: string, customerId: string, messageId: string) {
  return `${linkBase(rt)}/u/${signToken(rt.secret, { kind: 'u', workspaceId, customerId, messageId })}`;
}

/** The customer's preference center: every channel's marketing consent, in their language. */
export function preferencesUrl(rt: MessagingRuntime, workspaceId: string, customerId: string) {
  return `${linkBase(rt)}/p/${signToken(rt.secret, { kind: 'p', workspaceId, customerId })}`;
}

/** The link of a double opt-in confirmation email. */
export function confirmUrl(rt: MessagingRuntime, workspaceId: string, customerId: string, messageId: string) {
  return `${linkBase(rt)}/c/${signToken(rt.secret, { kind: 'd', workspaceId, customerId, messageId })}`;
}

/** Everything a template sees for this customer now. */
export async function scopeFor(
  db: Db,
  workspaceId: string,
  customer: Awaited<ReturnType<typeof getCustomerOrThrow>>,
  business: TemplateScope['business'],
  links: { unsubscribe: string; preferences: string; confirm?: string },
  data: Record<string, unknown> | null,
): Promise<TemplateScope> {
  const traits = (customer.traits ?? {}) as Record<string, unknown>;
  const [latest] = (await listCustomerOrders(db, workspaceId, customer.id, { limit: 1 })).data;
  const order = latest ? await getOrderOrThrow(db, workspaceId, latest.id) : null;
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ') || null;
  return {
    customer: {
      id: customer.id,
      email: customer.email,
      first_name: customer.first_name,
      last_name: customer.last_name,
      name,
      phone: customer.phone,
      locale: typeof traits.locale === 'string' ? traits.locale : null,
      tags: customer.tags ?? [],
      traits,
    },
    last_order: order
      ? {
          number: order.number ?? `#${order.externalId}`,
          total: order.total,
          currency: order.currency,
          placed_at: order.placedAt,
          items: order.items.map((i) => ({ name: i.name ?? i.sku ?? i.productId ?? '', quantity: i.quantity })),
        }
      : null,
    business,
    unsubscribe_url: links.unsubscribe,
    preferences_url: links.preferences,
    recommendations: await templateRecommendations(db, workspaceId, customer.id),
    ...(links.confirm ? { confirm_url: links.confirm } : {}),
    data: data ?? {},
  };
}

/**
 * The send job: checks consent (marketing), the address and the settings, renders the message
 * once (kept on the record), hands it to SMTP and records the outcome. A 4xx answer (temporary)
 * throws so the job is retried with backoff, until the last attempt, which marks it failed.
 * A message that is no longer queued is left alone, so running the job again sends nothing twice.
 */
export async function deliverMessage(
  db: Db,
  rt: MessagingRuntime,
  workspaceId: string,
  messageId: string,
  attempt: { final: boolean } = { final: true },
): Promise<{ status: repo.MessageStatus; reason?: string | null }> {
  let m = await repo.findMessage(db, workspaceId, messageId);
  if (!m) return { status: 'failed', reason: 'message_missing' };
  if (m.status !== 'queued') return { status: m.status };
  let customer: Awaited<ReturnType<typeof getCustomerOrThrow>>;
  try {
    customer = await getCustomerOrThrow(db, workspaceId, m.customer_id ?? '');
  } catch {
    return { status: await settle(db, m, 'skipped', 'no_customer'), reason: 'no_customer' };
  }
  if (m.purpose === 'marketing') {
    const check = currentConsentCheck();
    if (!check) return { status: await settle(db, m, 'skipped', 'no_consent_check'), reason: 'no_consent_check' };
    if (!(await check(db, workspaceId, customer.id, 'email', 'marketing'))) {
      return { status: await settle(db, m, 'skipped', 'no_consent'), reason: 'no_consent' };
    }
  }
  if (!customer.email && !m.to_address) {
    return { status: await settle(db, m, 'skipped', 'no_address'), reason: 'no_address' };
  }
  // The suppression list: nothing to an address that hard-bounced; no marketing after a complaint.
  const suppressed = await repo.findSuppression(db, workspaceId, (m.to_address ?? customer.email) as string);
  if (suppressed && (suppressed.reason === 'hard_bounce' || m.purpose === 'marketing')) {
    const reason = `suppressed: ${suppressed.reason}`;
    return { status: await settle(db, m, 'skipped', reason), reason };
  }
  let smtp: Awaited<ReturnType<typeof smtpServerOf>>;
  try {
    smtp = await smtpServerOf(db, rt.secret, workspaceId);
  } catch (err) {
    const reason = err instanceof UserError ? err.code : 'email_not_configured';
    return { status: await settle(db, m, 'failed', reason), reason };
  }
  const { settings, server } = smtp;
  const workspace = await getWorkspaceOrThrow(db, workspaceId);
  const business = businessOf(workspace.name, settings);
  const unsubscribe = unsubscribeUrl(rt, workspaceId, customer.id, m.id);
  const preferences = preferencesUrl(rt, workspaceId, customer.id);
  const marketing = m.purpose === 'marketing';

  if (m.html === null) {
    // First attempt: render and keep what is sent, so a retry sends exactly the same thing.
    let variants: repo.Variants;
    if (m.template_id !== null && m.template_version !== null) {
      const v = await repo.findTemplateVersion(db, workspaceId, m.template_id, m.template_version);
      if (!v) return { status: await settle(db, m, 'failed', 'template_missing'), reason: 'template_missing' };
      variants = v.variants;
    } else if (m.source) {
      variants = { en: m.source };
    } else {
      return { status: await settle(db, m, 'failed', 'template_missing'), reason: 'template_missing' };
    }
    const traits = (customer.traits ?? {}) as Record<string, unknown>;
    const picked = m.source
      ? { locale: baseLanguage(traits.locale) ?? baseLanguage(workspace.locale) ?? 'en', variant: m.source }
      : pickVariant(variants, [baseLanguage(traits.locale), baseLanguage(workspace.locale)]);
    const confirm = m.data?.doubleOptIn === true ? confirmUrl(rt, workspaceId, customer.id, m.id) : undefined;
    const scope = await scopeFor(db, workspaceId, customer, business, { unsubscribe, preferences, confirm }, m.data);
    let rendered: Awaited<ReturnType<typeof renderVariant>>;
    try {
      rendered = await renderVariant(picked.variant, scope);
    } catch (err) {
      const reason = `template_error: ${(err as Error).message}`.slice(0, 1000);
      return { status: await settle(db, m, 'failed', reason), reason };
    }
    const layout = {
      language: picked.locale,
      business,
      unsubscribeUrl: marketing ? unsubscribe : null,
      preferencesUrl: marketing ? preferences : null,
    };
    const plain = wrapInLayout({ ...layout, body: rendered.html, subject: rendered.subject });
    const text = rendered.text ? `${rendered.text.trim()}\n${textFooter(layout)}` : textFromHtml(plain);
    const base = linkBase(rt);
    const tracked = trackLinks(
      rendered.html,
      (link) => `${base}/t/c/${signToken(rt.secret, { kind: 'c', workspaceId, messageId: m?.id as string, link })}`,
    );
    const pixel = `${base}/t/o/${signToken(rt.secret, { kind: 'o', workspaceId, messageId: m.id })}.gif`;
    const html = addOpenPixel(wrapInLayout({ ...layout, body: tracked.html, subject: rendered.subject }), pixel);
    const set = {
      locale: picked.locale,
      to_address: customer.email,
      subject: rendered.subject,
      html,
      text,
      links: tracked.links,
    };
    if (!(await repo.updateQueued(db, workspaceId, m.id, set))) return { status: 'queued' };
    m = { ...m, ...set };
  }

  const headers: Record<string, string> = { 'X-Kith-Message-Id': m.id };
  if (marketing) {
    // RFC 8058 one-click unsubscribe (and RFC 2369's mailto for clients without it).
    const mailto = `mailto:${settings.reply_to ?? settings.from_address}?subject=unsubscribe`;
    headers['List-Unsubscribe'] = `<${unsubscribe}>, <${mailto}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  try {
    const sent = await sendMail(server, {
      from: { name: settings.from_name, address: settings.from_address },
      replyTo: settings.reply_to,
      to: m.to_address as string,
      subject: m.subject ?? '',
      html: m.html as string,
      text: m.text ?? '',
      messageId: messageIdHeader(m.id, settings.from_address),
      headers,
    });
    return { status: await settle(db, m, 'sent', null, { provider_message_id: sent.messageId }) };
  } catch (err) {
    const failure = classifySmtpError(err);
    const reason = `smtp: ${failure.reason}`.slice(0, 1000);
    if (failure.temporary && !attempt.final) {
      await db.transaction().execute(async (tx) => {
        if (!(await repo.updateQueued(tx, workspaceId, messageId, { status_reason: reason }))) return;
        await repo.insertEvent(tx, {
          id: newId('mev'),
          workspace_id: workspaceId,
          message_id: messageId,
          customer_id: m?.customer_id as string,
          type: 'deferred',
          reason,
          url: null,
          at: new Date(),
        });
      });
      throw new Error(`Temporary SMTP failure, will retry: ${failure.reason}`);
    }
    if (isHardBounce(failure)) {
      // The mailbox does not exist: the message bounced, and the address is suppressed for good.
      const address = m.to_address as string;
      const bounced = await settle(db, m, 'bounced', reason, {}, async (tx) => {
        await repo.suppress(tx, {
          workspace_id: workspaceId,
          address,
          reason: 'hard_bounce',
          detail: failure.reason,
          message_id: m?.id ?? null,
        });
      });
      return { status: bounced, reason };
    }
    return { status: await settle(db, m, 'failed', reason), reason };
  }
}

// ── tracking and unsubscribes (public links) ──

/** The open pixel: records an `opened` event (and the first open on the message). False for a bad token. */
export async function recordOpen(db: Db, secret: string, token: string): Promise<boolean> {
  const t = verifyToken(secret, 'o', token);
  if (!t) return false;
  const m = await repo.findMessage(db, t.workspaceId, t.messageId);
  if (!m) return false;
  const at = new Date();
  await db.transaction().execute(async (tx) => {
    await repo.markOpened(tx, m.workspace_id, m.id, at);
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: m.workspace_id,
      message_id: m.id,
      customer_id: m.customer_id,
      type: 'opened',
      reason: null,
      url: null,
      at,
    });
  });
  return true;
}

/** A tracked link: records the click and returns where it goes; null for a bad token. */
export async function recordClick(db: Db, secret: string, token: string): Promise<string | null> {
  const t = verifyToken(secret, 'c', token);
  if (!t) return null;
  const m = await repo.findMessage(db, t.workspaceId, t.messageId);
  const url = m?.links?.[t.link];
  if (!m || !url) return null;
  const at = new Date();
  await db.transaction().execute(async (tx) => {
    await repo.markClicked(tx, m.workspace_id, m.id, at);
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: m.workspace_id,
      message_id: m.id,
      customer_id: m.customer_id,
      type: 'clicked',
      reason: null,
      url,
      at,
    });
  });
  return url;
}

/** The language of the pages a customer sees: their `locale` trait, else the workspace's, else English. */
export function customerLanguage(traits: Record<string, unknown>, workspaceLocale: string): Language {
  const l = baseLanguage(traits.locale) ?? baseLanguage(workspaceLocale);
  return l === 'es' ? 'es' : 'en';
}

/** Who an unsubscribe token is for, in their language; null for a bad token. */
export async function unsubscribeTarget(db: Db, secret: string, token: string) {
  const t = verifyToken(secret, 'u', token);
  if (!t) return null;
  const m = await repo.findMessage(db, t.workspaceId, t.messageId);
  if (!m) return null;
  let customer: Awaited<ReturnType<typeof getCustomerOrThrow>>;
  try {
    customer = await getCustomerOrThrow(db, t.workspaceId, t.customerId);
  } catch {
    return null;
  }
  const workspace = await getWorkspaceOrThrow(db, t.workspaceId);
  return {
    workspaceId: t.workspaceId,
    customerId: customer.id,
    messageId: m.id,
    business: workspace.name,
    email: m.to_address ?? customer.email ?? '',
    language: customerLanguage((customer.traits ?? {}) as Record<string, unknown>, workspace.locale),
  };
}

/**
 * Records an unsubscribe request: the message's `unsubscribed` event (once per message) and
 * the registered hooks (every time: they are idempotent), in one transaction.
 */
export async function unsubscribe(
  db: Db,
  secret: string,
  token: string,
  meta: { via: 'one_click' | 'page'; ip: string | null; userAgent: string | null },
) {
  const target = await unsubscribeTarget(db, secret, token);
  if (!target) return null;
  const at = new Date();
  await db.transaction().execute(async (tx) => {
    if (!(await repo.hasEvent(tx, target.workspaceId, target.messageId, 'unsubscribed'))) {
      await repo.insertEvent(tx, {
        id: newId('mev'),
        workspace_id: target.workspaceId,
        message_id: target.messageId,
        customer_id: target.customerId,
        type: 'unsubscribed',
        reason: meta.via,
        url: null,
        at,
      });
    }
    await runUnsubscribeHooks(tx, {
      workspaceId: target.workspaceId,
      customerId: target.customerId,
      messageId: target.messageId,
      channel: 'email',
      purpose: 'marketing',
      at,
      via: meta.via,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  });
  return target;
}

// ── reading ──

export const encodeCursor = (m: { created_at: Date; id: string }) =>
  Buffer.from(`${m.created_at.toISOString()}|${m.id}`).toString('base64url');

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf('|');
  const at = new Date(text.slice(0, sep));
  const id = text.slice(sep + 1);
  if (sep < 0 || Number.isNaN(at.getTime()) || !id) {
    throw new UserError(400, 'invalid_request', pm('not_a_cursor'), 'cursor');
  }
  return { at, id };
}

/** A customer's messages, newest first (a merged profile's are its survivor's), a page at a time. */
export async function listCustomerMessages(
  db: Db,
  workspaceId: string,
  customerId: string,
  q: { limit?: number; cursor?: string },
) {
  const limit = q.limit ?? 50;
  const customer = await getCustomerOrThrow(db, workspaceId, customerId);
  const rows = await repo.customerMessages(db, workspaceId, customer.id, {
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(messageView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** A message with what was sent (subject, HTML, text) and everything that happened to it. */
export async function getMessageOrThrow(db: Db, workspaceId: string, id: string) {
  const m = await repo.findMessage(db, workspaceId, id);
  if (!m) throw new NotFoundError(mm('message_not_found'));
  const events = await repo.messageEvents(db, workspaceId, id);
  return {
    ...messageView(m),
    html: m.html,
    text: m.text,
    events: events.map((e) => ({ id: e.id, type: e.type, reason: e.reason, url: e.url, at: e.at.toISOString() })),
  };
}

/** A merged profile's messages are the survivor's. */
export async function moveMessagesOnMerge(tx: Tx, e: MergeEvent): Promise<void> {
  await repo.repointCustomer(tx, e.workspaceId, e.mergedId, e.survivorId);
}
