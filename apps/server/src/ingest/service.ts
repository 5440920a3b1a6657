import crypto from 'node:crypto';
import type { Db } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { gm } from './messages.js';
import * as repo from './repository.js';
import { type EventType, type Parsed, parseItem, parseRequest } from './segment.js';

export const CHANNELS = [
  'web',
  'mobile',
  'store',
  'ecommerce',
  'marketplace',
  'email',
  'sms',
  'social',
  'phone',
  'direct_mail',
  'partner',
  'import',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Hours the previous write key keeps working after a rotation, unless the rotation says otherwise. */
export const DEFAULT_KEY_GRACE_HOURS = 24;

function newWriteKey(): string {
  return `wk_${crypto.randomBytes(24).toString('base64url')}`;
}

export function sourceView(s: repo.SourceRow) {
  return {
    id: s.id,
    name: s.name,
    channel: s.channel as Channel,
    writeKey: s.write_key,
    previousWriteKeyExpiresAt:
      s.previous_write_key && s.previous_key_expires_at && s.previous_key_expires_at > new Date()
        ? s.previous_key_expires_at.toISOString()
        : null,
    hasWebhookSecret: !!s.webhook_secret,
    lastEventAt: s.last_event_at?.toISOString() ?? null,
    createdAt: s.created_at.toISOString(),
  };
}

export async function createSource(
  db: Db,
  workspaceId: string,
  input: { name: string; channel: Channel; webhookSecret?: string },
) {
  const row = await repo.insertSource(db, {
    id: newId('src'),
    workspace_id: workspaceId,
    name: input.name.trim(),
    channel: input.channel,
    write_key: newWriteKey(),
    webhook_secret: input.webhookSecret ?? null,
  });
  return sourceView(row);
}

export async function listSources(db: Db, workspaceId: string) {
  return (await repo.listSources(db, workspaceId)).map(sourceView);
}

export async function getSourceOrThrow(db: Db, workspaceId: string, id: string) {
  const s = await repo.findSource(db, workspaceId, id);
  if (!s) throw new NotFoundError(gm('source_not_found'));
  return s;
}

export async function updateSource(
  db: Db,
  workspaceId: string,
  id: string,
  patch: { name?: string; channel?: Channel; webhookSecret?: string | null },
) {
  await getSourceOrThrow(db, workspaceId, id);
  const row = await repo.updateSource(db, workspaceId, id, {
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.channel !== undefined ? { channel: patch.channel } : {}),
    ...(patch.webhookSecret !== undefined ? { webhook_secret: patch.webhookSecret } : {}),
  });
  writeKeyCache.clear();
  return sourceView(row);
}

/**
 * Issues a new write key. The old one keeps working for `graceHours` (default 24, 0 = stop at
 * once), so SDKs in the field can be updated without losing events.
 */
export async function rotateWriteKey(db: Db, workspaceId: string, id: string, graceHours = DEFAULT_KEY_GRACE_HOURS) {
  const s = await getSourceOrThrow(db, workspaceId, id);
  const row = await repo.updateSource(db, workspaceId, id, {
    write_key: newWriteKey(),
    previous_write_key: graceHours > 0 ? s.write_key : null,
    previous_key_expires_at: graceHours > 0 ? new Date(Date.now() + graceHours * 3_600_000) : null,
  });
  writeKeyCache.clear();
  return sourceView(row);
}

export async function deleteSource(db: Db, workspaceId: string, id: string) {
  await getSourceOrThrow(db, workspaceId, id);
  await repo.updateSource(db, workspaceId, id, { deleted_at: new Date(), previous_write_key: null });
  writeKeyCache.clear();
}

// Write keys are looked up on every request: remember them for a few seconds.
const writeKeyCache = new Map<string, { source: repo.SourceRow | null; until: number }>();

/** The source of a write key, or null (unknown, deleted, or a rotated key past its grace). */
export async function sourceForWriteKey(db: Db, key: string): Promise<repo.SourceRow | null> {
  const hit = writeKeyCache.get(key);
  if (hit && hit.until > Date.now()) return hit.source;
  const source = (await repo.findSourceByWriteKey(db, key)) ?? null;
  if (writeKeyCache.size > 10_000) writeKeyCache.clear();
  writeKeyCache.set(key, { source, until: Date.now() + 5_000 });
  return source;
}

// When a source last received events, written after the commit and at most once a second per
// source: inside the ingest transaction, that one row serialised every concurrent batch.
const lastTouched = new Map<string, number>();
function touchSourceSoon(db: Db, sourceId: string) {
  const now = Date.now();
  if ((lastTouched.get(sourceId) ?? 0) > now - 1000) return;
  lastTouched.set(sourceId, now);
  repo.touchSource(db, sourceId, new Date(now)).catch(() => lastTouched.delete(sourceId));
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; messageId: string | null; reason: string; field: string; quarantineId: string }[];
}

type Listener = (workspaceId: string) => void;
const listeners = new Set<Listener>();
/** Called after events are committed (the processor wakes up on it). */
export function onEventsStored(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Stores one request's events in one transaction: valid events are inserted (a messageId seen
 * before on this source is skipped), invalid ones are quarantined with their reason. When this
 * resolves, everything is committed.
 */
export async function ingest(
  db: Db,
  source: repo.SourceRow,
  body: unknown,
  endpoint: EventType | 'batch',
  receivedAt = new Date(),
) {
  const parsed = parseRequest(body, endpoint, receivedAt);
  if ('error' in parsed) throw new UserError(400, 'invalid_request', parsed.error, parsed.field);
  return storeParsed(db, source, parsed.items);
}

async function storeParsed(
  db: Db,
  source: repo.SourceRow,
  items: { index: number; parsed: Parsed; raw: unknown }[],
): Promise<IngestResult> {
  const good: (Extract<Parsed, { ok: true }>['row'] & { id: string })[] = [];
  const rejected: IngestResult['rejected'] = [];
  const quarantine: Parameters<typeof repo.insertQuarantine>[1] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const { index, parsed, raw } of items) {
    if (parsed.ok) {
      if (seen.has(parsed.row.message_id)) {
        duplicates++;
        continue;
      }
      seen.add(parsed.row.message_id);
      good.push({ ...parsed.row, id: newId('evt') });
    } else {
      const id = newId('qev');
      quarantine.push({
        id,
        workspace_id: source.workspace_id,
        source_id: source.id,
        message_id: parsed.messageId,
        reason: parsed.reason,
        field: parsed.field,
        payload: raw,
      });
      rejected.push({
        index,
        messageId: parsed.messageId,
        reason: parsed.reason,
        field: parsed.field,
        quarantineId: id,
      });
    }
  }
  let stored = 0;
  await db.transaction().execute(async (tx) => {
    const r = await repo.insertEvents(tx, source, good);
    stored = r.length;
    await repo.insertQuarantine(tx, quarantine);
  });
  duplicates += good.length - stored;
  if (stored) touchSourceSoon(db, source.id);
  if (stored) for (const l of listeners) l(source.workspace_id);
  return { accepted: stored, duplicates, rejected };
}

export function quarantineView(q: repo.QuarantineRow) {
  return {
    id: q.id,
    sourceId: q.source_id,
    messageId: q.message_id,
    reason: q.reason,
    field: q.field,
    payload: q.payload,
    status: q.status,
    receivedAt: q.received_at.toISOString(),
    resolvedAt: q.resolved_at?.toISOString() ?? null,
    eventId: q.event_id,
  };
}

/**
 * Replays a quarantined event, as it was or corrected (`payload`): when it now passes it is
 * stored (de-duplicated on its messageId like any event) and the quarantine entry says so.
 */
export async function replayQuarantined(db: Db, workspaceId: string, id: string, payload?: unknown) {
  const q = await repo.findQuarantined(db, workspaceId, id);
  if (!q) throw new NotFoundError(gm('quarantined_not_found'));
  if (q.status !== 'quarantined')
    throw new ConflictError('already_resolved', gm('already_resolved', { status: q.status }));
  const source = await getSourceOrThrow(db, workspaceId, q.source_id);
  const body = payload ?? q.payload;
  const parsed = parseItem(body, null, {}, new Date());
  if (!parsed.ok)
    throw new UserError(
      400,
      'still_invalid',
      gm('still_invalid', { reason: parsed.reason }),
      `payload.${parsed.field}`,
    );
  const eventId = newId('evt');
  await db.transaction().execute(async (tx) => {
    const stored = await repo.insertEvents(tx, source, [{ ...parsed.row, id: eventId }]);
    await repo.resolveQuarantined(tx, id, 'replayed', stored[0]?.id ?? null, payload);
  });
  for (const l of listeners) l(workspaceId);
  return quarantineView((await repo.findQuarantined(db, workspaceId, id)) as repo.QuarantineRow);
}

export async function discardQuarantined(db: Db, workspaceId: string, id: string) {
  const q = await repo.findQuarantined(db, workspaceId, id);
  if (!q) throw new NotFoundError(gm('quarantined_not_found'));
  if (q.status !== 'quarantined')
    throw new ConflictError('already_resolved', gm('already_resolved', { status: q.status }));
  await repo.resolveQuarantined(db, id, 'discarded', null);
  return quarantineView({ ...q, status: 'discarded', resolved_at: new Date() });
}

export function eventView(e: repo.EventRecord) {
  return {
    id: e.id,
    seq: Number(e.seq),
    sourceId: e.source_id,
    channel: e.channel,
    messageId: e.message_id,
    type: e.type,
    event: e.event,
    name: e.name,
    userId: e.user_id,
    anonymousId: e.anonymous_id,
    groupId: e.group_id,
    previousId: e.previous_id,
    customerId: e.customer_id,
    timestamp: e.timestamp.toISOString(),
    originalTimestamp: e.original_timestamp?.toISOString() ?? null,
    sentAt: e.sent_at?.toISOString() ?? null,
    receivedAt: e.received_at.toISOString(),
    properties: e.properties,
    traits: e.traits,
    context: e.context,
    processedAt: e.processed_at?.toISOString() ?? null,
    warnings: e.warnings,
  };
}
