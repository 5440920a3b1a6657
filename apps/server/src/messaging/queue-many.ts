/**
 * Queues many emails in one go, in the caller's transaction (a journey step reaching thousands of
 * customers at once): what `sendEmail` does for one, in a few statements. Idempotent per key like
 * it: a key already used returns the message it made and queues nothing.
 */
import type { Db, Tx } from '../platform/db.js';
import { UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { mm } from './messages.js';
import * as repo from './repository.js';
import { queueFor, SEND_JOB_OPTIONS, SEND_QUEUE, type SendEmailInput } from './service.js';

export interface QueuedEmail {
  idempotencyKey: string;
  messageId: string;
  /** False when the key had been used before (nothing new was queued). */
  created: boolean;
}

export async function queueEmails(
  tx: Tx,
  workspaceId: string,
  inputs: SendEmailInput[],
  now = new Date(),
): Promise<QueuedEmail[]> {
  if (!inputs.length) return [];
  const templates = new Map<string, { id: string; version: number }>();
  for (const key of new Set(inputs.flatMap((i) => (i.templateKey ? [i.templateKey] : [])))) {
    const t = await repo.findTemplateByKey(tx, workspaceId, key);
    if (!t) throw new UserError(404, 'not_found', mm('template_not_found', { key }), 'templateKey');
    templates.set(key, { id: t.id, version: t.version });
  }
  const rows: repo.MessageInsert[] = inputs.map((input) => {
    const template = input.templateKey ? (templates.get(input.templateKey) ?? null) : null;
    if (!template && !(input.subject && input.html))
      throw new UserError(400, 'invalid_request', mm('template_or_content'), 'templateKey');
    return {
      id: newId('msg'),
      workspace_id: workspaceId,
      customer_id: input.customerId,
      channel: 'email',
      purpose: input.purpose,
      template_id: template?.id ?? null,
      template_version: template?.version ?? null,
      source: template
        ? null
        : { subject: input.subject as string, html: input.html as string, text: input.text ?? null },
      data: input.data ?? null,
      status: 'queued',
      status_reason: null,
      idempotency_key: input.idempotencyKey,
      created_at: now,
    };
  });
  const inserted = await repo.insertMessages(tx, rows);
  await repo.insertEvents(
    tx,
    inserted.map((m) => ({
      id: newId('mev'),
      workspace_id: workspaceId,
      message_id: m.id,
      customer_id: m.customer_id,
      type: 'queued',
      reason: null,
      url: null,
      at: now,
    })),
  );
  await queueFor(tx).enqueueMany(
    SEND_QUEUE,
    inserted.map((m) => ({ messageId: m.id })),
    { workspaceId, ...SEND_JOB_OPTIONS },
    tx,
  );
  const byKey = new Map(inserted.map((m) => [m.idempotency_key, m.id]));
  const missing = inputs.filter((i) => !byKey.has(i.idempotencyKey)).map((i) => i.idempotencyKey);
  const earlier = new Map(
    (await repo.findMessagesByKeys(tx, workspaceId, missing)).map((m) => [m.idempotency_key, m.id]),
  );
  return inputs.map((i) => {
    const id = byKey.get(i.idempotencyKey);
    return id
      ? { idempotencyKey: i.idempotencyKey, messageId: id, created: true }
      : { idempotencyKey: i.idempotencyKey, messageId: earlier.get(i.idempotencyKey) as string, created: false };
  });
}

/** Per customer, the marketing messages of a channel since `since` that were not skipped or failed. */
export const countRecentMarketing = repo.countRecentMarketing;
/** Sent, opened, clicked, … among these messages. */
export const summarizeMessages = repo.summarizeMessages;

/** Whether the workspace has a template with this key (journeys check their send steps when publishing). */
export async function templateExists(db: Db | Tx, workspaceId: string, key: string): Promise<boolean> {
  return !!(await repo.findTemplateByKey(db, workspaceId, key));
}
