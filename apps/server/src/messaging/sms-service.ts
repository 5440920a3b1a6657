/** SMS: provider settings per workspace, record-first `sendSms`, delivery through the provider, status callbacks and STOP/START. */
import { getWorkspaceOrThrow } from '../access/index.js';
import { getCustomerOrThrow, lookupCustomer } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UnauthorizedError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { type Language, render } from '../platform/messages.js';
import { deriveKey, seal, unseal } from '../platform/secret.js';
import { currentConsentCheck, runResubscribeHooks, runUnsubscribeHooks } from './hooks.js';
import { mm } from './messages.js';
import { baseLanguage, checkVariant, DEFAULT_COLOR, pickVariant, renderText, type TemplateScope } from './render.js';
import * as repo from './repository.js';
import {
  type MessageView,
  type MessagingRuntime,
  messageView,
  preferencesUrl,
  queueFor,
  scopeFor,
  settle,
} from './service.js';
import {
  E164,
  keywordOf,
  logProvider,
  type SmsProvider,
  SmsProviderError,
  smsLength,
  twilioProvider,
  verifyTwilioSignature,
} from './sms.js';

export const SMS_QUEUE = 'messaging.sms';
const SMS_ATTEMPTS = 6;
const SMS_BACKOFF_SECONDS = 60;
export const TWILIO_BASE_URL = 'https://api.twilio.com';

const keys = new Map<string, Buffer>();
function tokenKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = deriveKey(secret, 'sms-settings-auth-token');
    keys.set(secret, key);
  }
  return key;
}
const tokenContext = (workspaceId: string) => `sms_settings:${workspaceId}:auth_token`;

const base = (rt: Pick<MessagingRuntime, 'publicUrl'>) => rt.publicUrl.replace(/\/$/, '');
/** Where the provider reports delivery of this workspace's SMS. */
export const statusCallbackUrl = (rt: Pick<MessagingRuntime, 'publicUrl'>, workspaceId: string) =>
  `${base(rt)}/webhooks/sms/${workspaceId}/status`;
/** Where the provider forwards texts customers send (STOP, START). */
export const inboundUrl = (rt: Pick<MessagingRuntime, 'publicUrl'>, workspaceId: string) =>
  `${base(rt)}/webhooks/sms/${workspaceId}/inbound`;

// ── settings ──

export interface SmsSettingsInput {
  provider: 'twilio' | 'log';
  baseUrl?: string | null;
  accountSid?: string | null;
  /** Write-only: omit to keep the stored token, null to remove it. */
  authToken?: string | null;
  fromNumber?: string | null;
  messagingServiceSid?: string | null;
}

function smsSettingsView(
  rt: Pick<MessagingRuntime, 'publicUrl'>,
  workspaceId: string,
  s: repo.SmsSettingsRow | undefined,
) {
  return {
    configured: !!s,
    provider: s?.provider ?? null,
    baseUrl: s?.base_url ?? null,
    accountSid: s?.account_sid ?? null,
    authTokenSet: !!s?.auth_token_sealed,
    fromNumber: s?.from_number ?? null,
    messagingServiceSid: s?.messaging_service_sid ?? null,
    statusCallbackUrl: statusCallbackUrl(rt, workspaceId),
    inboundUrl: inboundUrl(rt, workspaceId),
    updatedAt: s ? s.updated_at.toISOString() : null,
  };
}

export async function getSmsSettings(db: Db, rt: MessagingRuntime, workspaceId: string) {
  return smsSettingsView(rt, workspaceId, await repo.findSmsSettings(db, workspaceId));
}

/** Saves the provider; the auth token is sealed before it reaches the database. Twilio needs a SID, a token and a sender. */
export async function saveSmsSettings(db: Db, rt: MessagingRuntime, workspaceId: string, input: SmsSettingsInput) {
  const twilio = input.provider === 'twilio';
  const current = await repo.findSmsSettings(db, workspaceId);
  const accountSid = input.accountSid?.trim() || null;
  const from = input.fromNumber?.trim() || null;
  const service = input.messagingServiceSid?.trim() || null;
  if (twilio) {
    if (!accountSid)
      throw new UserError(400, 'invalid_request', mm('sms_field_required', { field: 'accountSid' }), 'accountSid');
    const tokenKept = input.authToken === undefined && !!current?.auth_token_sealed;
    if (!input.authToken && !tokenKept) {
      throw new UserError(400, 'invalid_request', mm('sms_field_required', { field: 'authToken' }), 'authToken');
    }
    if (!from && !service) throw new UserError(400, 'invalid_request', mm('sms_sender_required'), 'fromNumber');
  }
  const token = !twilio
    ? { sealed: null }
    : typeof input.authToken === 'string'
      ? { sealed: seal(tokenKey(rt.secret), input.authToken, tokenContext(workspaceId)) }
      : undefined;
  const row = await repo.saveSmsSettings(
    db,
    workspaceId,
    {
      provider: input.provider,
      base_url: twilio ? (input.baseUrl?.trim() || TWILIO_BASE_URL).replace(/\/+$/, '') : null,
      account_sid: twilio ? accountSid : null,
      from_number: twilio ? from : null,
      messaging_service_sid: twilio ? service : null,
    },
    token,
  );
  return smsSettingsView(rt, workspaceId, row);
}

/** The workspace's provider, ready to send; a UserError when SMS is not set up or the token is unreadable. */
async function providerOf(
  db: Db | Tx,
  rt: MessagingRuntime,
  workspaceId: string,
): Promise<{ settings: repo.SmsSettingsRow; provider: SmsProvider }> {
  const settings = await repo.findSmsSettings(db, workspaceId);
  if (!settings) throw new UserError(400, 'sms_not_configured', mm('sms_not_configured'));
  if (settings.provider === 'log') return { settings, provider: logProvider() };
  const token = settings.auth_token_sealed
    ? unseal(tokenKey(rt.secret), settings.auth_token_sealed, tokenContext(workspaceId))
    : null;
  if (token === null) throw new UserError(400, 'auth_token_unreadable', mm('auth_token_unreadable'), 'authToken');
  return {
    settings,
    provider: twilioProvider({
      baseUrl: settings.base_url ?? TWILIO_BASE_URL,
      accountSid: settings.account_sid ?? '',
      authToken: token,
      from: settings.from_number,
      messagingServiceSid: settings.messaging_service_sid,
      timeoutMs: rt.smsTimeoutMs,
    }),
  };
}

function providerFailure(err: SmsProviderError): UserError {
  const message =
    err.kind === 'timeout'
      ? mm('sms_timeout')
      : mm(err.kind === 'unreachable' ? 'sms_unreachable' : err.kind === 'auth' ? 'sms_auth' : 'sms_rejected', {
          reason: err.reason,
        });
  return new UserError(502, `sms_${err.kind}`, message, undefined, {
    statusCode: err.statusCode,
    providerCode: err.providerCode,
  });
}

/** Sends a test SMS through the saved settings, in the caller's language (not recorded as a message). */
export async function sendTestSms(db: Db, rt: MessagingRuntime, workspaceId: string, to: string, language: Language) {
  const { provider } = await providerOf(db, rt, workspaceId);
  const workspace = await getWorkspaceOrThrow(db, workspaceId);
  const body = render(mm('test_sms', { business: workspace.name }), language);
  try {
    const sent = await provider.send({ to, body, statusCallback: null });
    return {
      sent: true as const,
      to,
      provider: provider.name,
      providerMessageId: sent.providerMessageId,
      ...smsLength(body),
    };
  } catch (err) {
    if (err instanceof SmsProviderError) throw providerFailure(err);
    throw err;
  }
}

// ── sending ──

export interface SendSmsInput {
  customerId: string;
  /** A saved SMS template (its current version is pinned on the message) … */
  templateKey?: string;
  /** … or the text itself, Liquid like a template's. */
  body?: string;
  purpose: repo.Purpose;
  /** The same key twice in a workspace sends once: the second call returns the first message. */
  idempotencyKey: string;
  /** Extra values the template sees as `data`. */
  data?: Record<string, unknown>;
}

/**
 * Records an SMS (status `queued`) and its send job, in one transaction: nothing is sent that is
 * not recorded first. The same idempotency key again returns the message it made. Consent, the
 * phone number, rendering and the provider are the job's business (see `deliverSms`).
 */
export async function sendSms(
  db: Db | Tx,
  workspaceId: string,
  input: SendSmsInput,
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
      if (t.channel !== 'sms') {
        throw new UserError(
          400,
          'invalid_request',
          mm('template_wrong_channel', { key: t.key, channel: t.channel }),
          'templateKey',
        );
      }
      template = { id: t.id, version: t.version };
    } else if (input.body?.trim()) {
      source = { subject: '', html: '', text: input.body };
      try {
        checkVariant(source);
      } catch (err) {
        throw new UserError(
          400,
          'template_invalid',
          mm('template_invalid', { field: 'body', reason: (err as Error).message }),
          'body',
        );
      }
    } else {
      throw new UserError(400, 'invalid_request', mm('sms_body_or_template'), 'body');
    }
    const now = new Date();
    const row = await repo.insertMessage(tx, {
      id: newId('msg'),
      workspace_id: workspaceId,
      customer_id: customer.id,
      channel: 'sms',
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
    await queueFor(tx).enqueue(
      SMS_QUEUE,
      { messageId: row.id },
      { workspaceId, maxAttempts: SMS_ATTEMPTS, backoffSeconds: SMS_BACKOFF_SECONDS, timeoutSeconds: 60 },
      tx,
    );
    return { message: messageView(row), created: true };
  };
  if (db.isTransaction) return run(db as Tx);
  try {
    return await db.transaction().execute(run);
  } catch (err) {
    if ((err as { code?: unknown }).code === '23505') {
      const other = await repo.findMessageByKey(db, workspaceId, input.idempotencyKey);
      if (other) return { message: messageView(other), created: false };
    }
    throw err;
  }
}

const OPT_OUT = /\b(STOP|BAJA)\b/i;

/**
 * The SMS job: consent (marketing, channel `sms`), the customer's phone (E.164), the provider;
 * renders the text once (kept with its encoding and segment count, so a retry sends the same),
 * hands it to the provider and records `sent` with the provider's id. A temporary failure
 * (unreachable, 429, 5xx) throws so the job retries, until the last attempt, which fails it.
 */
export async function deliverSms(
  db: Db,
  rt: MessagingRuntime,
  workspaceId: string,
  messageId: string,
  attempt: { final: boolean } = { final: true },
): Promise<{ status: repo.MessageStatus; reason?: string | null }> {
  let m = await repo.findMessage(db, workspaceId, messageId);
  if (m?.channel !== 'sms') return { status: 'failed', reason: 'message_missing' };
  if (m.status !== 'queued') return { status: m.status };
  let customer: Awaited<ReturnType<typeof getCustomerOrThrow>>;
  try {
    customer = await getCustomerOrThrow(db, workspaceId, m.customer_id ?? '');
  } catch {
    return { status: await settle(db, m, 'skipped', 'no_customer'), reason: 'no_customer' };
  }
  const marketing = m.purpose === 'marketing';
  if (marketing) {
    const check = currentConsentCheck();
    if (!check) return { status: await settle(db, m, 'skipped', 'no_consent_check'), reason: 'no_consent_check' };
    if (!(await check(db, workspaceId, customer.id, 'sms', 'marketing'))) {
      return { status: await settle(db, m, 'skipped', 'no_consent'), reason: 'no_consent' };
    }
  }
  const phone = m.to_address ?? customer.phone?.replace(/[\s().-]/g, '') ?? null;
  if (!phone) return { status: await settle(db, m, 'skipped', 'no_address'), reason: 'no_address' };
  if (!E164.test(phone)) return { status: await settle(db, m, 'skipped', 'invalid_phone'), reason: 'invalid_phone' };
  let provider: SmsProvider;
  try {
    provider = (await providerOf(db, rt, workspaceId)).provider;
  } catch (err) {
    const reason = err instanceof UserError ? err.code : 'sms_not_configured';
    return { status: await settle(db, m, 'failed', reason), reason };
  }

  if (m.text === null) {
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
    const workspace = await getWorkspaceOrThrow(db, workspaceId);
    const traits = (customer.traits ?? {}) as Record<string, unknown>;
    const picked = m.source
      ? { locale: baseLanguage(traits.locale) ?? baseLanguage(workspace.locale) ?? 'en', variant: m.source }
      : pickVariant(variants, [baseLanguage(traits.locale), baseLanguage(workspace.locale)]);
    const business: TemplateScope['business'] = {
      name: workspace.name,
      brand: { logo_url: null, primary_color: DEFAULT_COLOR, footer_text: null, postal_address: null },
    };
    let text: string;
    try {
      const links = { unsubscribe: '', preferences: preferencesUrl(rt, workspaceId, customer.id) };
      const scope = await scopeFor(db, workspaceId, customer, business, links, m.data);
      text = (await renderText(picked.variant.text ?? '', scope)).trim();
    } catch (err) {
      const reason = `template_error: ${(err as Error).message}`.slice(0, 1000);
      return { status: await settle(db, m, 'failed', reason), reason };
    }
    if (!text) return { status: await settle(db, m, 'failed', 'empty_body'), reason: 'empty_body' };
    // Marketing texts say how to stop them, in the customer's language, unless they already do.
    if (marketing && !OPT_OUT.test(text)) {
      text = `${text}\n${render(mm('sms_opt_out'), picked.locale === 'es' ? 'es' : 'en')}`;
    }
    const length = smsLength(text);
    const set = {
      locale: picked.locale,
      to_address: phone,
      text,
      sms_encoding: length.encoding,
      sms_segments: length.segments,
      sms_characters: length.characters,
    };
    if (!(await repo.updateQueued(db, workspaceId, m.id, set))) return { status: 'queued' };
    m = { ...m, ...set };
  }

  try {
    const sent = await provider.send({
      to: m.to_address as string,
      body: m.text as string,
      statusCallback: provider.name === 'twilio' ? statusCallbackUrl(rt, workspaceId) : null,
    });
    return { status: await settle(db, m, 'sent', null, { provider_message_id: sent.providerMessageId }) };
  } catch (err) {
    if (!(err instanceof SmsProviderError)) throw err;
    const reason = `${provider.name}: ${err.reason}`.slice(0, 1000);
    if (err.temporary && !attempt.final) {
      await db.transaction().execute(async (tx) => {
        if (!(await repo.updateQueued(tx, workspaceId, messageId, { status_reason: reason }))) return;
        await repo.insertEvent(tx, {
          id: newId('mev'),
          workspace_id: workspaceId,
          message_id: messageId,
          customer_id: m?.customer_id ?? null,
          type: 'deferred',
          reason,
          url: null,
          at: new Date(),
        });
      });
      throw new Error(`Temporary SMS provider failure, will retry: ${err.reason}`);
    }
    return { status: await settle(db, m, 'failed', reason), reason };
  }
}

// ── what the provider tells us (public, signed requests) ──

export interface ProviderRequest {
  /** The full URL the provider called (the public URL and the path), which Twilio signs. */
  url: string;
  params: [string, string][];
  signature: string | undefined;
}

/** The workspace's settings, when the request really comes from its provider (Twilio signs with the auth token). */
async function verifiedSettings(db: Db, rt: MessagingRuntime, workspaceId: string, r: ProviderRequest) {
  const settings = await repo.findSmsSettings(db, workspaceId);
  if (!settings) throw new NotFoundError(mm('sms_not_configured'));
  // The log provider (development) has no token to sign with: its callbacks are taken as they come.
  if (settings.provider === 'log') return settings;
  const token = settings.auth_token_sealed
    ? unseal(tokenKey(rt.secret), settings.auth_token_sealed, tokenContext(workspaceId))
    : null;
  if (token === null || !verifyTwilioSignature(token, r.url, r.params, r.signature)) {
    throw new UnauthorizedError(mm('bad_signature'));
  }
  return settings;
}

const param = (r: ProviderRequest, name: string) => r.params.find(([k]) => k === name)?.[1] ?? '';

/**
 * A status callback (`MessageSid`, `MessageStatus`, `ErrorCode`): `delivered` marks the message
 * delivered; `failed` / `undelivered` mark it failed with the provider's error code. Other
 * statuses (queued, sending, sent) change nothing. Each outcome is recorded once.
 */
export async function recordSmsStatus(db: Db, rt: MessagingRuntime, workspaceId: string, r: ProviderRequest) {
  await verifiedSettings(db, rt, workspaceId, r);
  const sid = param(r, 'MessageSid') || param(r, 'SmsSid');
  const status = (param(r, 'MessageStatus') || param(r, 'SmsStatus')).toLowerCase();
  const m = sid ? await repo.findMessageByProviderId(db, workspaceId, 'sms', sid) : undefined;
  if (!m || !['delivered', 'failed', 'undelivered'].includes(status)) return { recorded: false };
  const code = param(r, 'ErrorCode');
  const reason = status === 'delivered' ? null : `${status}${code ? `: ${code}` : ''}`;
  const at = new Date();
  const recorded = await db.transaction().execute(async (tx) => {
    const moved = await repo.updateStatusFrom(
      tx,
      workspaceId,
      m.id,
      status === 'delivered' ? ['sent'] : ['sent', 'delivered'],
      status === 'delivered' ? { status: 'delivered', delivered_at: at } : { status: 'failed', status_reason: reason },
    );
    if (!moved) return false;
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: workspaceId,
      message_id: m.id,
      customer_id: m.customer_id,
      type: status,
      reason,
      url: null,
      at,
    });
    return true;
  });
  return { recorded };
}

/**
 * A text a customer sent: a STOP keyword (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, BAJA)
 * unsubscribes the number's customer from SMS marketing, START / UNSTOP subscribes them again,
 * both through the registered hooks (privacy records the consent). Anything else is ignored.
 */
export async function handleInboundSms(db: Db, rt: MessagingRuntime, workspaceId: string, r: ProviderRequest) {
  await verifiedSettings(db, rt, workspaceId, r);
  const keyword = keywordOf(param(r, 'Body'));
  const from = param(r, 'From').replace(/[\s().-]/g, '');
  if (!keyword || !E164.test(from)) return { action: null, customerId: null };
  // Whose number: the profile it identifies, else whoever we last texted there.
  let customerId: string | null = null;
  try {
    customerId = (await lookupCustomer(db, workspaceId, { phone: from })).id;
  } catch {
    customerId = null;
  }
  const latest = await repo.latestMessageTo(db, workspaceId, 'sms', from);
  if (!customerId && latest?.customer_id)
    customerId = (await getCustomerOrThrow(db, workspaceId, latest.customer_id)).id;
  if (!customerId) return { action: keyword.action, customerId: null };
  const at = new Date();
  const target = customerId;
  await db.transaction().execute(async (tx) => {
    if (keyword.action === 'stop') {
      if (latest && latest.customer_id === target) {
        await repo.insertEvent(tx, {
          id: newId('mev'),
          workspace_id: workspaceId,
          message_id: latest.id,
          customer_id: target,
          type: 'unsubscribed',
          reason: keyword.keyword,
          url: null,
          at,
        });
      }
      await runUnsubscribeHooks(tx, {
        workspaceId,
        customerId: target,
        messageId: latest?.customer_id === target ? latest.id : null,
        channel: 'sms',
        purpose: 'marketing',
        at,
        via: 'sms_keyword',
        ip: null,
        userAgent: null,
        keyword: keyword.keyword,
        phone: from,
      });
    } else {
      await runResubscribeHooks(tx, {
        workspaceId,
        customerId: target,
        channel: 'sms',
        purpose: 'marketing',
        at,
        via: 'sms_keyword',
        keyword: keyword.keyword,
        phone: from,
      });
    }
  });
  return { action: keyword.action, customerId: target };
}
