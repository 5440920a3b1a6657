/** The only file with the privacy domain's SQL: tables `consents` and `consent_log`. */
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db.js';
import type { ConsentChannel, ConsentEvidence, ConsentPurpose, ConsentStatus } from './model.js';

type Exec = Db | Tx;

export interface ConsentRow {
  workspace_id: string;
  customer_id: string;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  evidence: ConsentEvidence;
  changed_at: Date;
  asserted_at: Date;
  updated_at: Date;
}

export interface ConsentLogRow {
  seq: number;
  /** `csl_` and the zero-padded seq: unique, and ordered like seq byte-wise (timeline ties). */
  id: string;
  customer_id: string;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  previous_status: ConsentStatus;
  status: ConsentStatus;
  source: string;
  evidence: ConsentEvidence;
  actor_type: string;
  actor_id: string | null;
  at: Date;
}

const LOG_ID = sql`('csl_' || lpad(seq::text, 16, '0'))`;

/** Serialises consent changes of one customer until the transaction ends. */
export async function lockCustomerConsents(tx: Tx, workspaceId: string, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`consent:${workspaceId}:${customerId}`}))`.execute(tx);
}

export async function findConsent(
  db: Exec,
  workspaceId: string,
  customerId: string,
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): Promise<ConsentRow | undefined> {
  const r = await sql<ConsentRow>`select * from consents
    where workspace_id = ${workspaceId} and customer_id = ${customerId}
      and channel = ${channel} and purpose = ${purpose}`.execute(db);
  return r.rows[0];
}

export async function listConsents(db: Exec, workspaceId: string, customerId: string): Promise<ConsentRow[]> {
  const r = await sql<ConsentRow>`select * from consents
    where workspace_id = ${workspaceId} and customer_id = ${customerId}`.execute(db);
  return r.rows;
}

/** Writes the current status of one channel and purpose (inserted or replaced). */
export async function upsertConsent(
  tx: Tx,
  c: Omit<ConsentRow, 'updated_at' | 'asserted_at'> & { asserted_at?: Date },
): Promise<void> {
  await sql`insert into consents
      (workspace_id, customer_id, channel, purpose, status, source, evidence, changed_at, asserted_at, updated_at)
    values (${c.workspace_id}, ${c.customer_id}, ${c.channel}, ${c.purpose}, ${c.status}, ${c.source},
      ${JSON.stringify(c.evidence)}::jsonb, ${c.changed_at}::timestamptz, ${c.asserted_at ?? c.changed_at}::timestamptz, now())
    on conflict (workspace_id, customer_id, channel, purpose) do update set
      status = excluded.status, source = excluded.source, evidence = excluded.evidence,
      changed_at = excluded.changed_at, asserted_at = excluded.asserted_at, updated_at = now()`.execute(tx);
}

/** The same status stated again, later: only the time it was last stated moves. */
export async function assertConsent(
  tx: Tx,
  workspaceId: string,
  customerId: string,
  channel: ConsentChannel,
  purpose: ConsentPurpose,
  at: Date,
): Promise<void> {
  await sql`update consents set asserted_at = ${at}::timestamptz, updated_at = now()
    where workspace_id = ${workspaceId} and customer_id = ${customerId}
      and channel = ${channel} and purpose = ${purpose} and asserted_at < ${at}::timestamptz`.execute(tx);
}

export async function insertLog(
  tx: Tx,
  l: Omit<ConsentLogRow, 'seq' | 'id'> & { workspace_id: string },
): Promise<ConsentLogRow> {
  const r = await sql<ConsentLogRow>`insert into consent_log
      (workspace_id, customer_id, channel, purpose, previous_status, status, source, evidence, actor_type, actor_id, at)
    values (${l.workspace_id}, ${l.customer_id}, ${l.channel}, ${l.purpose}, ${l.previous_status}, ${l.status},
      ${l.source}, ${JSON.stringify(l.evidence)}::jsonb, ${l.actor_type}, ${l.actor_id}, ${l.at}::timestamptz)
    returning seq, ${LOG_ID} as id, customer_id, channel, purpose, previous_status, status, source, evidence,
      actor_type, actor_id, at`.execute(tx);
  const row = r.rows[0] as ConsentLogRow;
  return { ...row, seq: Number(row.seq) };
}

/** A customer's changes, newest first (by the time they happened, then the order they were recorded). */
export async function customerLog(
  db: Exec,
  q: { workspaceId: string; customerId: string; before?: { at: Date; id: string }; limit: number },
): Promise<ConsentLogRow[]> {
  const before = q.before
    ? sql` and (date_trunc('milliseconds', at) < ${q.before.at}::timestamptz
          or (date_trunc('milliseconds', at) = ${q.before.at}::timestamptz and ${LOG_ID} < ${q.before.id} collate "C"))`
    : sql``;
  const r = await sql<ConsentLogRow>`
    select seq, ${LOG_ID} as id, customer_id, channel, purpose, previous_status, status, source, evidence,
      actor_type, actor_id, at
    from consent_log
    where workspace_id = ${q.workspaceId} and customer_id = ${q.customerId}${before}
    order by at desc, seq desc limit ${q.limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
}

/**
 * A merge: each of the merged profile's consents replaces the survivor's where the survivor has
 * none or an older one (by the time each status was last stated); the merged profile's log
 * becomes the survivor's.
 */
export async function moveOnMerge(tx: Tx, workspaceId: string, mergedId: string, survivorId: string): Promise<void> {
  await sql`insert into consents
      (workspace_id, customer_id, channel, purpose, status, source, evidence, changed_at, asserted_at, updated_at)
    select workspace_id, ${survivorId}, channel, purpose, status, source, evidence, changed_at, asserted_at, now()
    from consents where workspace_id = ${workspaceId} and customer_id = ${mergedId}
    on conflict (workspace_id, customer_id, channel, purpose) do update set
      status = excluded.status, source = excluded.source, evidence = excluded.evidence,
      changed_at = excluded.changed_at, asserted_at = excluded.asserted_at, updated_at = now()
    where consents.asserted_at < excluded.asserted_at`.execute(tx);
  await sql`delete from consents where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(tx);
  await sql`update consent_log set customer_id = ${survivorId}
    where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(tx);
}

/** Of these customers, those whose consent for the channel and purpose is `subscribed`. */
export async function subscribedAmong(
  db: Exec,
  workspaceId: string,
  customerIds: string[],
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): Promise<string[]> {
  if (!customerIds.length) return [];
  const r = await sql<{ customer_id: string }>`select customer_id from consents
    where workspace_id = ${workspaceId} and customer_id = any(${customerIds}::text[])
      and channel = ${channel} and purpose = ${purpose} and status = 'subscribed'`.execute(db);
  return r.rows.map((x) => x.customer_id);
}
