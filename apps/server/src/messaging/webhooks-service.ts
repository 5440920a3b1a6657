/** Outgoing webhooks: endpoints per workspace, record-first `sendWebhook`, signed delivery with retries, the delivery log. */
import { getCustomerOrThrow } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { deriveKey, seal, unseal } from '../platform/secret.js';
import { mm } from './messages.js';
import * as repo from './repository.js';
import {
  decodeCursor,
  encodeCursor,
  type MessageView,
  type MessagingRuntime,
  messageView,
  queueFor,
  settle,
} from './service.js';
import {
  type AttemptResult,
  endpointUrlProblem,
  newWebhookSecret,
  postWebhook,
  retryDelaySeconds,
  signatureHeader,
  WEBHOOK_ATTEMPTS,
} from './webhooks.js';

export const WEBHOOK_QUEUE = 'messaging.webhook';
/** Largest JSON payload a webhook carries. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

const keys = new Map<string, Buffer>();
function secretKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = deriveKey(secret, 'webhook-endpoint-secret');
    keys.set(secret, key);
  }
  return key;
}
const secretContext = (workspaceId: string, endpointId: string) => `webhook_endpoints:${workspaceId}:${endpointId}`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An endpoint as the API shows it: never its secret (that is shown once, on create and rotate). */
export function endpointView(e: repo.WebhookEndpointRow) {
  const grace = e.previous_expires_at && e.previous_expires_at.getTime() > Date.now() ? e.previous_expires_at : null;
  return {
    id: e.id,
    name: e.name,
    url: e.url,
    enabled: e.enabled,
    previousSecretValidUntil: iso(grace),
    createdAt: e.created_at.toISOString(),
    updatedAt: e.updated_at.toISOString(),
  };
}
export type WebhookEndpointView = ReturnType<typeof endpointView>;

/** The address rule (http(s), never this Kith server) as a UserError naming `url`. */
function checkUrl(url: string, rt: Pick<MessagingRuntime, 'publicUrl' | 'port'>): void {
  const problem = endpointUrlProblem(url, rt);
  if (problem === 'http_url') throw new UserError(400, 'invalid_request', mm('url_http'), 'url');
  if (problem === 'kith_itself') throw new UserError(400, 'url_not_allowed', mm('kith_itself'), 'url');
}

export async function listWebhookEndpoints(db: Db, workspaceId: string) {
  return { data: (await repo.listEndpoints(db, workspaceId)).map(endpointView) };
}

async function endpointOrThrow(db: Db | Tx, workspaceId: string, id: string) {
  const e = await repo.findEndpoint(db, workspaceId, id);
  if (!e) throw new NotFoundError(mm('endpoint_not_found'));
  return e;
}

export async function getWebhookEndpointOrThrow(db: Db, workspaceId: string, id: string) {
  return endpointView(await endpointOrThrow(db, workspaceId, id));
}

export interface WebhookEndpointInput {
  name: string;
  url: string;
  enabled?: boolean;
}

/** Creates an endpoint with a new signing secret, returned this once. */
export async function createWebhookEndpoint(
  db: Db,
  rt: MessagingRuntime,
  workspaceId: string,
  input: WebhookEndpointInput,
) {
  checkUrl(input.url, rt);
  const id = newId('whe');
  const secret = newWebhookSecret();
  const row = await repo.insertEndpoint(db, {
    id,
    workspace_id: workspaceId,
    name: input.name.trim(),
    url: input.url,
    enabled: input.enabled ?? true,
    secret_sealed: seal(secretKey(rt.secret), secret, secretContext(workspaceId, id)),
    previous_secret_sealed: null,
    previous_expires_at: null,
  });
  return { ...endpointView(row), secret };
}

/** Renames, re-points, enables or disables an endpoint. */
export async function updateWebhookEndpoint(
  db: Db,
  rt: MessagingRuntime,
  workspaceId: string,
  id: string,
  patch: Partial<WebhookEndpointInput>,
) {
  await endpointOrThrow(db, workspaceId, id);
  if (patch.url !== undefined) checkUrl(patch.url, rt);
  const row = await repo.updateEndpoint(db, workspaceId, id, {
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
  });
  if (!row) throw new NotFoundError(mm('endpoint_not_found'));
  return endpointView(row);
}

/**
 * Gives an endpoint a new secret, returned this once. The old one keeps signing too (a second
 * `v1` in the header) for `graceHours` (default 24, 0 for none), so receivers can switch without missing a delivery.
 */
export async function rotateWebhookSecret(
  db: Db,
  serverSecret: string,
  workspaceId: string,
  id: string,
  opts: { graceHours?: number } = {},
) {
  const e = await endpointOrThrow(db, workspaceId, id);
  const secret = newWebhookSecret();
  const graceHours = opts.graceHours ?? 24;
  const row = await repo.updateEndpoint(db, workspaceId, id, {
    secret_sealed: seal(secretKey(serverSecret), secret, secretContext(workspaceId, id)),
    previous_secret_sealed: graceHours > 0 ? e.secret_sealed : null,
    previous_expires_at: graceHours > 0 ? new Date(Date.now() + graceHours * 3600_000) : null,
  });
  if (!row) throw new NotFoundError(mm('endpoint_not_found'));
  return { ...endpointView(row), secret };
}

/** Deletes an endpoint and its delivery log (messages sent to it stay, failing if still queued). */
export async function deleteWebhookEndpoint(db: Db, workspaceId: string, id: string): Promise<void> {
  const deleted = await db.transaction().execute((tx) => repo.deleteEndpoint(tx, workspaceId, id));
  if (!deleted) throw new NotFoundError(mm('endpoint_not_found'));
}

function deliveryView(d: repo.WebhookDeliveryRow) {
  return {
    id: d.id,
    messageId: d.message_id,
    attempt: d.attempt,
    url: d.url,
    at: d.at.toISOString(),
    statusCode: d.status_code,
    durationMs: d.duration_ms,
    error: d.error,
    responseExcerpt: d.response_excerpt,
    outcome: d.outcome,
    nextAttemptAt: iso(d.next_attempt_at),
  };
}

/** An endpoint's delivery attempts, newest first, a page at a time. */
export async function listWebhookDeliveries(
  db: Db,
  workspaceId: string,
  endpointId: string,
  q: { limit?: number; cursor?: string; messageId?: string },
) {
  await endpointOrThrow(db, workspaceId, endpointId);
  const limit = q.limit ?? 50;
  const rows = await repo.endpointDeliveries(db, workspaceId, endpointId, {
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: limit + 1,
    messageId: q.messageId,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(deliveryView),
    nextCursor: rows.length > limit && last ? encodeCursor({ created_at: last.at, id: last.id }) : null,
  };
}

// ── sending ──

export interface SendWebhookInput {
  endpointId: string;
  /** The customer it is about (its timeline shows it), if any. */
  customerId?: string | null;
  /** Any JSON value: it is the `data` of the body. */
  payload: unknown;
  /** The same key twice in a workspace sends once: the second call returns the first message. */
  idempotencyKey: string;
  /** Recorded on the message (default transactional); webhooks go to the business's systems, so no consent applies. */
  purpose?: repo.Purpose;
}

/**
 * Records a webhook message (status `queued`, the exact body it will carry) and its delivery
 * job, in one transaction: nothing is sent that is not recorded first. The same idempotency key
 * again returns the message it made and sends nothing.
 */
export async function sendWebhook(
  db: Db | Tx,
  workspaceId: string,
  input: SendWebhookInput,
): Promise<{ message: MessageView; created: boolean }> {
  const run = async (tx: Tx) => {
    const existing = await repo.findMessageByKey(tx, workspaceId, input.idempotencyKey);
    if (existing) return { message: messageView(existing), created: false };
    const endpoint = await repo.findEndpoint(tx, workspaceId, input.endpointId);
    if (!endpoint) {
      throw new NotFoundError(mm('webhook_endpoint_not_found', { id: input.endpointId }), 'endpointId');
    }
    const customer = input.customerId ? await getCustomerOrThrow(tx, workspaceId, input.customerId) : null;
    let data: string | undefined;
    try {
      data = JSON.stringify(input.payload);
    } catch {
      data = undefined;
    }
    if (data === undefined) throw new UserError(400, 'invalid_request', mm('payload_not_json'), 'payload');
    if (Buffer.byteLength(data) > MAX_PAYLOAD_BYTES) {
      throw new UserError(400, 'invalid_request', mm('payload_too_large', { max: MAX_PAYLOAD_BYTES }), 'payload');
    }
    const now = new Date();
    const id = newId('msg');
    // The body is fixed here, so every attempt carries (and signs) the same bytes.
    const body = `{"id":${JSON.stringify(id)},"createdAt":${JSON.stringify(now.toISOString())},"workspaceId":${JSON.stringify(workspaceId)},"customerId":${JSON.stringify(customer?.id ?? null)},"data":${data}}`;
    const row = await repo.insertMessage(tx, {
      id,
      workspace_id: workspaceId,
      customer_id: customer?.id ?? null,
      channel: 'webhook',
      purpose: input.purpose ?? 'transactional',
      template_id: null,
      template_version: null,
      source: null,
      data: null,
      status: 'queued',
      status_reason: null,
      idempotency_key: input.idempotencyKey,
      created_at: now,
      webhook_endpoint_id: endpoint.id,
      to_address: endpoint.url,
      subject: endpoint.name,
      text: body,
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
    await enqueueAttempt(tx, workspaceId, row.id, 1, 0);
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

async function enqueueAttempt(tx: Tx, workspaceId: string, messageId: string, attempt: number, delaySeconds: number) {
  await queueFor(tx).enqueue(
    WEBHOOK_QUEUE,
    { messageId, attempt },
    // The job's own retries only cover a crash or a database error; HTTP retries are new jobs.
    { workspaceId, maxAttempts: 3, backoffSeconds: 30, timeoutSeconds: 60, ...(delaySeconds ? { delaySeconds } : {}) },
    tx,
  );
}

/** The secrets that sign now: the current one, and the previous one during a rotation's grace. Null when unreadable. */
function signingSecrets(serverSecret: string, e: repo.WebhookEndpointRow): string[] | null {
  const key = secretKey(serverSecret);
  const ctx = secretContext(e.workspace_id, e.id);
  const current = unseal(key, e.secret_sealed, ctx);
  if (current === null) return null;
  const out = [current];
  if (e.previous_secret_sealed && e.previous_expires_at && e.previous_expires_at.getTime() > Date.now()) {
    const previous = unseal(key, e.previous_secret_sealed, ctx);
    if (previous !== null) out.push(previous);
  }
  return out;
}

async function attempt(
  rt: MessagingRuntime,
  e: repo.WebhookEndpointRow,
  secrets: string[],
  id: string,
  body: string,
  n: number,
): Promise<AttemptResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  return postWebhook(
    e.url,
    body,
    {
      'kith-signature': signatureHeader(secrets, timestamp, body),
      'kith-id': id,
      'idempotency-key': id,
      'kith-attempt': String(n),
    },
    rt.webhookTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
}

/**
 * One delivery attempt of a queued webhook message: POSTs the recorded body, signed, and logs
 * the attempt. 2xx delivers; a network error, timeout, 408, 429 or 5xx schedules the next
 * attempt (Retry-After honoured up to an hour) until the last; anything else fails at once.
 */
export async function deliverWebhook(
  db: Db,
  rt: MessagingRuntime,
  workspaceId: string,
  messageId: string,
  n: number,
): Promise<{ status: repo.MessageStatus; reason?: string | null }> {
  const m = await repo.findMessage(db, workspaceId, messageId);
  if (m?.channel !== 'webhook') return { status: 'failed', reason: 'message_missing' };
  if (m.status !== 'queued') return { status: m.status };
  if (await repo.hasDeliveryAttempt(db, workspaceId, messageId, n)) return { status: m.status };
  const e = m.webhook_endpoint_id ? await repo.findEndpoint(db, workspaceId, m.webhook_endpoint_id) : undefined;
  if (!e) return { status: await settle(db, m, 'failed', 'endpoint_missing'), reason: 'endpoint_missing' };
  if (!e.enabled) return { status: await settle(db, m, 'skipped', 'endpoint_disabled'), reason: 'endpoint_disabled' };
  if (endpointUrlProblem(e.url, rt)) {
    return { status: await settle(db, m, 'failed', 'url_not_allowed'), reason: 'url_not_allowed' };
  }
  const secrets = signingSecrets(rt.secret, e);
  if (!secrets) return { status: await settle(db, m, 'failed', 'secret_unreadable'), reason: 'secret_unreadable' };

  const at = new Date();
  const r = await attempt(rt, e, secrets, m.id, m.text ?? '', n);
  const retry = r.outcome === 'retry' && n < WEBHOOK_ATTEMPTS;
  const delay = retry ? retryDelaySeconds(n, r.retryAfterSeconds) : 0;
  const outcome = r.outcome === 'delivered' ? 'delivered' : retry ? 'retrying' : 'failed';
  const reason = r.error ? `${r.error}${r.outcome === 'retry' && !retry ? ` (after ${n} attempts)` : ''}` : null;
  return db.transaction().execute(async (tx) => {
    await repo.insertDelivery(tx, {
      id: newId('whd'),
      workspace_id: workspaceId,
      endpoint_id: e.id,
      message_id: m.id,
      attempt: n,
      url: e.url,
      at,
      status_code: r.statusCode,
      duration_ms: r.durationMs,
      error: r.error,
      response_excerpt: r.excerpt,
      outcome,
      next_attempt_at: retry ? new Date(Date.now() + delay * 1000) : null,
    });
    const now = new Date();
    const set: repo.MessageUpdate =
      outcome === 'delivered'
        ? { status: 'delivered', status_reason: null, sent_at: now, delivered_at: now, to_address: e.url }
        : outcome === 'failed'
          ? { status: 'failed', status_reason: reason, to_address: e.url }
          : { status_reason: reason, to_address: e.url };
    if (!(await repo.updateQueued(tx, workspaceId, m.id, set))) return { status: m.status };
    await repo.insertEvent(tx, {
      id: newId('mev'),
      workspace_id: workspaceId,
      message_id: m.id,
      customer_id: m.customer_id,
      type: outcome === 'retrying' ? 'deferred' : outcome,
      reason,
      url: null,
      at: now,
    });
    if (retry) await enqueueAttempt(tx, workspaceId, m.id, n + 1, delay);
    const status: repo.MessageStatus = outcome === 'retrying' ? 'queued' : outcome;
    return { status, reason };
  });
}

/** Sends a signed `ping` to an endpoint now (no message, no retries) and logs the attempt. */
export async function pingWebhookEndpoint(db: Db, rt: MessagingRuntime, workspaceId: string, id: string) {
  const e = await endpointOrThrow(db, workspaceId, id);
  checkUrl(e.url, rt);
  const secrets = signingSecrets(rt.secret, e);
  if (!secrets) throw new UserError(400, 'secret_unreadable', mm('webhook_secret_unreadable'));
  const pingId = newId('ping');
  const body = JSON.stringify({ id: pingId, createdAt: new Date().toISOString(), workspaceId, type: 'ping', data: {} });
  const at = new Date();
  const r = await attempt(rt, e, secrets, pingId, body, 1);
  const row: repo.WebhookDeliveryRow = {
    id: newId('whd'),
    workspace_id: workspaceId,
    endpoint_id: e.id,
    message_id: null,
    attempt: 1,
    url: e.url,
    at,
    status_code: r.statusCode,
    duration_ms: r.durationMs,
    error: r.error,
    response_excerpt: r.excerpt,
    outcome: r.outcome === 'delivered' ? 'delivered' : 'failed',
    next_attempt_at: null,
  };
  await repo.insertDelivery(db, row);
  return deliveryView(row);
}
