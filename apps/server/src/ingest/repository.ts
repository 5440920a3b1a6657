import { type Generated, type Selectable, sql } from 'kysely';
import { type Db, type Tx, tables } from '../platform/db.js';
import type { EventRow } from './segment.js';

interface SourcesTable {
  id: string;
  workspace_id: string;
  name: string;
  channel: string;
  write_key: string;
  previous_write_key: string | null;
  previous_key_expires_at: Date | null;
  webhook_secret: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_event_at: Date | null;
  deleted_at: Date | null;
}
interface EventsTable {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  source_id: string;
  channel: string;
  message_id: string;
  type: string;
  event: string | null;
  name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  previous_id: string | null;
  customer_id: string | null;
  timestamp: Date;
  original_timestamp: Date | null;
  sent_at: Date | null;
  received_at: Date;
  properties: unknown;
  traits: unknown;
  context: unknown;
  integrations: unknown;
  processed_at: Date | null;
  warnings: unknown;
}
interface QuarantineTable {
  id: string;
  workspace_id: string;
  source_id: string;
  message_id: string | null;
  reason: string;
  field: string | null;
  payload: unknown;
  received_at: Generated<Date>;
  status: Generated<'quarantined' | 'replayed' | 'discarded'>;
  resolved_at: Date | null;
  event_id: string | null;
}

export interface IngestTables {
  sources: SourcesTable;
  events: EventsTable;
  quarantined_events: QuarantineTable;
}
export type SourceRow = Selectable<SourcesTable>;
export type EventRecord = Selectable<EventsTable>;
export type QuarantineRow = Selectable<QuarantineTable>;

const t = (db: Db | Tx) => tables<IngestTables>(db);
const j = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

// ── sources ──

export async function insertSource(
  db: Db | Tx,
  row: Pick<SourceRow, 'id' | 'workspace_id' | 'name' | 'channel' | 'write_key' | 'webhook_secret'>,
) {
  return t(db).insertInto('sources').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listSources(db: Db | Tx, workspaceId: string) {
  return t(db)
    .selectFrom('sources')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export async function findSource(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('sources')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** A source by id alone (webhooks name their source in the URL and prove it with a signature). */
export async function findSourceById(db: Db | Tx, id: string) {
  return t(db)
    .selectFrom('sources')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** The source a write key belongs to: its current key, or the previous one during its grace period. */
export async function findSourceByWriteKey(db: Db | Tx, key: string) {
  return t(db)
    .selectFrom('sources')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('write_key', '=', key),
        eb.and([eb('previous_write_key', '=', key), eb('previous_key_expires_at', '>', new Date())]),
      ]),
    )
    .executeTakeFirst();
}

export async function updateSource(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  patch: Partial<
    Pick<
      SourceRow,
      | 'name'
      | 'channel'
      | 'write_key'
      | 'previous_write_key'
      | 'previous_key_expires_at'
      | 'webhook_secret'
      | 'deleted_at'
    >
  >,
) {
  return t(db)
    .updateTable('sources')
    .set({ ...patch, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function touchSource(db: Db | Tx, id: string, at: Date) {
  await t(db).updateTable('sources').set({ last_event_at: at }).where('id', '=', id).execute();
}

// ── events ──

/**
 * Inserts events, skipping any whose (source, messageId) is already stored; returns the ids
 * stored. One array parameter per column (unnest) rather than thousands of parameters.
 */
export async function insertEvents(
  db: Db | Tx,
  source: { id: string; workspace_id: string; channel: string },
  rows: (EventRow & { id: string })[],
) {
  const stored: { id: string; message_id: string }[] = [];
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  for (let i = 0; i < rows.length; i += 1000) {
    const c = rows.slice(i, i + 1000);
    const col = <T>(f: (e: (typeof c)[number]) => T) => c.map(f);
    const r = await sql<{ id: string; message_id: string }>`
      insert into events (id, workspace_id, source_id, channel, message_id, type, event, name, user_id, anonymous_id,
        group_id, previous_id, timestamp, original_timestamp, sent_at, received_at, properties, traits, context, integrations)
      select v.id, ${source.workspace_id}, ${source.id}, ${source.channel}, v.message_id, v.type, v.event, v.name, v.user_id,
        v.anonymous_id, v.group_id, v.previous_id, v.ts, v.original_ts, v.sent_at, v.received_at,
        v.properties::jsonb, v.traits::jsonb, v.context::jsonb, v.integrations::jsonb
      from unnest(
        ${col((e) => e.id)}::text[], ${col((e) => e.message_id)}::text[], ${col((e) => e.type)}::text[],
        ${col((e) => e.event)}::text[], ${col((e) => e.name)}::text[], ${col((e) => e.user_id)}::text[],
        ${col((e) => e.anonymous_id)}::text[], ${col((e) => e.group_id)}::text[], ${col((e) => e.previous_id)}::text[],
        ${col((e) => iso(e.timestamp))}::timestamptz[], ${col((e) => iso(e.original_timestamp))}::timestamptz[],
        ${col((e) => iso(e.sent_at))}::timestamptz[], ${col((e) => iso(e.received_at))}::timestamptz[],
        ${col((e) => j(e.properties))}::text[], ${col((e) => j(e.traits))}::text[], ${col((e) => j(e.context))}::text[],
        ${col((e) => j(e.integrations))}::text[]
      ) as v(id, message_id, type, event, name, user_id, anonymous_id, group_id, previous_id, ts, original_ts, sent_at,
        received_at, properties, traits, context, integrations)
      on conflict (source_id, message_id) do nothing
      returning id, message_id`.execute(db);
    stored.push(...r.rows);
  }
  return stored;
}

export async function insertQuarantine(
  db: Db | Tx,
  rows: Omit<QuarantineRow, 'received_at' | 'status' | 'resolved_at' | 'event_id'>[],
) {
  if (rows.length === 0) return;
  await t(db)
    .insertInto('quarantined_events')
    .values(rows.map((r) => ({ ...r, payload: JSON.stringify(r.payload) })))
    .execute();
}

export async function listQuarantine(
  db: Db | Tx,
  workspaceId: string,
  sourceId: string,
  q: { status?: string; before?: string; limit: number },
) {
  let query = t(db)
    .selectFrom('quarantined_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('source_id', '=', sourceId);
  if (q.status) query = query.where('status', '=', q.status as 'quarantined');
  if (q.before) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

export async function findQuarantined(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('quarantined_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function resolveQuarantined(
  db: Db | Tx,
  id: string,
  status: 'replayed' | 'discarded',
  eventId: string | null,
  payload?: unknown,
) {
  await t(db)
    .updateTable('quarantined_events')
    .set({
      status,
      resolved_at: new Date(),
      event_id: eventId,
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function countQuarantined(db: Db | Tx, workspaceId: string, sourceId: string) {
  const r = await t(db)
    .selectFrom('quarantined_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('source_id', '=', sourceId)
    .where('status', '=', 'quarantined')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Events of a source after `afterSeq`, oldest first (the live debugger). */
export async function eventsAfter(db: Db | Tx, workspaceId: string, sourceId: string, afterSeq: number, limit: number) {
  return t(db)
    .selectFrom('events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('source_id', '=', sourceId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** The newest events of a source, newest first. */
export async function latestEvents(db: Db | Tx, workspaceId: string, sourceId: string, limit: number) {
  return t(db)
    .selectFrom('events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('source_id', '=', sourceId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
}

// ── processing ──

export async function workspacesWithPending(db: Db | Tx, limit: number): Promise<string[]> {
  const r = await sql<{ workspace_id: string }>`
    select distinct workspace_id from events where processed_at is null limit ${limit}`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

/** The next pending events in arrival order; `afterSeq` skips those known to be processed already. */
export async function claimPending(tx: Tx, workspaceId: string, limit: number, afterSeq?: number) {
  let q = t(tx)
    .selectFrom('events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('processed_at', 'is', null);
  if (afterSeq !== undefined) q = q.where('seq', '>', afterSeq);
  return q.orderBy('seq').limit(limit).forUpdate().skipLocked().execute();
}

export async function savepoint(tx: Tx) {
  await sql`savepoint kith_event`.execute(tx);
}
export async function releaseSavepoint(tx: Tx) {
  await sql`release savepoint kith_event`.execute(tx);
}
export async function rollbackToSavepoint(tx: Tx) {
  await sql`rollback to savepoint kith_event`.execute(tx);
}

export async function markProcessed(tx: Tx, rows: { seq: number; customer_id: string | null; warnings: unknown }[]) {
  if (rows.length === 0) return;
  const values = sql.join(rows.map((r) => sql`(${r.seq}::bigint, ${r.customer_id}::text, ${j(r.warnings)}::jsonb)`));
  await sql`
    update events e set customer_id = v.customer_id, warnings = v.warnings, processed_at = now()
    from (values ${values}) as v(seq, customer_id, warnings)
    where e.seq = v.seq`.execute(tx);
}

/** Moves a merged profile's events to the survivor. */
export async function repointEvents(tx: Tx, workspaceId: string, fromId: string, toId: string) {
  await t(tx)
    .updateTable('events')
    .set({ customer_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', fromId)
    .execute();
}

/** A profile's events for its timeline, newest first, before a cursor. */
export async function customerEvents(
  db: Db | Tx,
  q: {
    workspaceId: string;
    customerId: string;
    before?: { at: Date; id: string };
    limit: number;
    types?: string[];
    channels?: string[];
  },
) {
  let query = t(db)
    .selectFrom('events')
    .selectAll()
    .where('workspace_id', '=', q.workspaceId)
    .where('customer_id', '=', q.customerId);
  if (q.before) {
    const b = q.before;
    query = query.where((eb) =>
      eb.or([eb('timestamp', '<', b.at), eb.and([eb('timestamp', '=', b.at), eb('id', '<', b.id)])]),
    );
  }
  if (q.types?.length) {
    // Timeline types are 'identify', 'page' … or 'track:<event name>'.
    const types = q.types;
    query = query.where((eb) =>
      eb.or(
        types.map((ty) =>
          ty.startsWith('track:')
            ? eb.and([eb('type', '=', 'track'), eb('event', '=', ty.slice(6))])
            : eb('type', '=', ty),
        ),
      ),
    );
  }
  if (q.channels?.length) query = query.where('channel', 'in', q.channels);
  return query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/** Sources of the workspace among `ids`, by name (for the audit log). */
export async function sourceNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('sources')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}
