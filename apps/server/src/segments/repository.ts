/**
 * The only file with the segments domain's SQL. Besides its own tables it reads `customers`
 * (and, through compiler.ts, `events`, `orders`, `order_items`, `products`, `consents`): the
 * pragmatic exception recorded in docs/adr/0008-segment-compiler-reads-tables.md.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db, Tx } from '../platform/db.js';
import { type CompileContext, matchingFrom, matchingIdsQuery, RuleCompiler, resolveRule } from './compiler.js';
import type { SegmentRule } from './rules.js';

type Exec = Db | Tx;

export interface SegmentRow {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  rule: SegmentRule | null;
  member_count: number;
  refreshed_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface CustomerSummaryRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  last_seen_at: Date | null;
  order_count: number;
  revenue: string;
  currency: string | null;
}

const SUMMARY_COLUMNS = sql`c.id, c.first_name, c.last_name, c.email, c.phone, c.last_seen_at, c.order_count, c.revenue::text as revenue, c.currency`;

// ── segments ──

export async function listSegments(db: Exec, workspaceId: string): Promise<SegmentRow[]> {
  const r =
    await sql<SegmentRow>`select * from segments where workspace_id = ${workspaceId} order by lower(name), id`.execute(
      db,
    );
  return r.rows;
}

export async function findSegment(db: Exec, workspaceId: string, id: string): Promise<SegmentRow | undefined> {
  const r = await sql<SegmentRow>`select * from segments where workspace_id = ${workspaceId} and id = ${id}`.execute(
    db,
  );
  return r.rows[0];
}

export async function insertSegment(
  db: Exec,
  s: Pick<SegmentRow, 'id' | 'workspace_id' | 'name' | 'description' | 'kind' | 'rule' | 'created_by'>,
): Promise<SegmentRow> {
  const r = await sql<SegmentRow>`
    insert into segments (id, workspace_id, name, description, kind, rule, created_by)
    values (${s.id}, ${s.workspace_id}, ${s.name}, ${s.description}, ${s.kind},
            ${s.rule === null ? null : JSON.stringify(s.rule)}::jsonb, ${s.created_by})
    returning *`.execute(db);
  return r.rows[0] as SegmentRow;
}

export async function updateSegment(
  db: Exec,
  workspaceId: string,
  id: string,
  set: { name?: string; description?: string | null; rule?: SegmentRule },
): Promise<SegmentRow | undefined> {
  const r = await sql<SegmentRow>`
    update segments set
      name = coalesce(${set.name ?? null}, name),
      description = case when ${set.description !== undefined} then ${set.description ?? null} else description end,
      rule = coalesce(${set.rule ? JSON.stringify(set.rule) : null}::jsonb, rule),
      updated_at = now()
    where workspace_id = ${workspaceId} and id = ${id}
    returning *`.execute(db);
  return r.rows[0];
}

export async function deleteSegment(db: Exec, workspaceId: string, id: string): Promise<boolean> {
  await sql`delete from segment_members where workspace_id = ${workspaceId} and segment_id = ${id}`.execute(db);
  const r = await sql`delete from segments where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Serialises membership changes of a workspace (refreshes, static edits, merges) until the transaction ends. */
export async function lockWorkspaceSegments(tx: Tx, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`segments:${workspaceId}`}))`.execute(tx);
}

export async function workspacesWithDynamicSegments(db: Exec): Promise<string[]> {
  const r = await sql<{ workspace_id: string }>`
    select distinct workspace_id from segments where kind = 'dynamic' order by workspace_id`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

export async function hasDynamicSegments(db: Exec, workspaceId: string): Promise<boolean> {
  const r = await sql`select 1 from segments where workspace_id = ${workspaceId} and kind = 'dynamic' limit 1`.execute(
    db,
  );
  return r.rows.length > 0;
}

// ── evaluating rules ──

/**
 * How many customers match, and up to `limit` of them (any: an ORDER BY would make the sample
 * cost a second full evaluation). On PostgreSQL the two run at once on two connections.
 */
export async function countAndSample(
  db: Exec,
  rule: SegmentRule,
  ctx: CompileContext,
  limit: number,
): Promise<{ count: number; sample: CustomerSummaryRow[] }> {
  const { from } = matchingFrom(rule, await resolveRule(db, rule, ctx));
  const [count, sample] = await Promise.all([
    sql<{ n: number }>`select count(*)::int as n ${from}`.execute(db),
    sql<CustomerSummaryRow>`select ${SUMMARY_COLUMNS} ${from} limit ${limit}`.execute(db),
  ]);
  return { count: Number(count.rows[0]?.n ?? 0), sample: sample.rows };
}

/**
 * Brings a segment's members in line with its rule, as a set difference in SQL: those who match
 * and are not members enter, members who no longer match exit (within `ctx.scope` when given);
 * each change is logged. Returns the counts.
 */
export async function applyRule(
  tx: Tx,
  segment: { id: string; name: string },
  rule: SegmentRule,
  ctx: CompileContext,
): Promise<{ entered: number; exited: number }> {
  const ws = ctx.workspaceId;
  const scope = ctx.scope ? sql` and m.customer_id = any(${ctx.scope}::text[])` : sql``;
  // A FULL JOIN can only run as a hash or merge join, so the difference never degrades into a
  // nested loop over the (statistics-less) CTE, whatever the planner guesses about its size.
  const r = await sql<{ entered: number; exited: number }>`
    with target as materialized (${matchingIdsQuery(rule, await resolveRule(tx, rule, ctx))}),
    current as (
      select m.customer_id from segment_members m
      where m.segment_id = ${segment.id} and m.workspace_id = ${ws}${scope}),
    diff as materialized (
      select t.id as enter_id, cur.customer_id as exit_id
      from target t full join current cur on cur.customer_id = t.id
      where t.id is null or cur.customer_id is null),
    ins as (
      insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}, ${segment.id}, d.enter_id, ${ctx.now}::timestamptz from diff d where d.enter_id is not null
      on conflict do nothing
      returning customer_id),
    del as (
      delete from segment_members m using diff d
      where m.segment_id = ${segment.id} and m.customer_id = d.exit_id
      returning m.customer_id),
    logged as (
      insert into segment_membership_log (workspace_id, segment_id, segment_name, customer_id, change, at)
      select ${ws}, ${segment.id}, ${segment.name}, customer_id, 'entered', ${ctx.now}::timestamptz from ins
      union all
      select ${ws}, ${segment.id}, ${segment.name}, customer_id, 'exited', ${ctx.now}::timestamptz from del
      returning 1)
    select (select count(*) from ins)::int as entered, (select count(*) from del)::int as exited`.execute(tx);
  const row = r.rows[0] ?? { entered: 0, exited: 0 };
  return { entered: Number(row.entered), exited: Number(row.exited) };
}

/** Stores the member count and, for a refresh, when it happened. */
export async function updateMemberCount(tx: Exec, workspaceId: string, id: string, refreshedAt?: Date) {
  const r = await sql<{ member_count: number }>`
    update segments set member_count = (select count(*) from segment_members where segment_id = ${id} and workspace_id = ${workspaceId}),
      refreshed_at = coalesce(${refreshedAt ?? null}::timestamptz, refreshed_at)
    where workspace_id = ${workspaceId} and id = ${id}
    returning member_count`.execute(tx);
  return Number(r.rows[0]?.member_count ?? 0);
}

/** One customer, every node of a rule: whether it matched and the value it looked at. */
export async function explainCustomer(db: Exec, rule: SegmentRule, ctx: CompileContext) {
  const compiler = new RuleCompiler({ ...(await resolveRule(db, rule, ctx)), explain: true });
  compiler.compile(rule);
  const cols: RawBuilder<unknown>[] = [];
  compiler.nodes.forEach((n, i) => {
    cols.push(sql`${n.matched} as ${sql.raw(`m${i}`)}`);
    if (n.actual) cols.push(sql`to_jsonb(${n.actual}) as ${sql.raw(`a${i}`)}`);
  });
  const r = await sql<Record<string, unknown>>`
    select ${sql.join(cols, sql`, `)}
    from customers c${compiler.joins.length ? sql.join(compiler.joins, sql``) : sql``}
    where c.workspace_id = ${ctx.workspaceId} and c.id = any(${ctx.scope ?? []}::text[])`.execute(db);
  return { nodes: compiler.nodes, row: r.rows[0] };
}

// ── members ──

export async function isMember(db: Exec, workspaceId: string, segmentId: string, customerId: string) {
  const r = await sql`select 1 from segment_members
    where workspace_id = ${workspaceId} and segment_id = ${segmentId} and customer_id = ${customerId}`.execute(db);
  return r.rows.length > 0;
}

/** Members in id order after `after`, with their summaries. */
export async function memberPage(
  db: Exec,
  workspaceId: string,
  segmentId: string,
  after: string | null,
  limit: number,
) {
  const r = await sql<CustomerSummaryRow>`
    select ${SUMMARY_COLUMNS} from segment_members m
    join customers c on c.id = m.customer_id and c.workspace_id = ${workspaceId}
    where m.workspace_id = ${workspaceId} and m.segment_id = ${segmentId}
      ${after === null ? sql`` : sql`and m.customer_id > ${after} collate "C"`}
    order by m.customer_id collate "C"
    limit ${limit}`.execute(db);
  return r.rows;
}

/** The live profiles of the workspace among `ids`. */
export async function liveCustomerIds(db: Exec, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const r = await sql<{ id: string }>`select id from customers
    where workspace_id = ${workspaceId} and merged_into is null and id = any(${ids}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/** The live profiles of the workspace with these normalised emails / phones (value → customer id). */
export async function customersByContact(db: Exec, workspaceId: string, emails: string[], phones: string[]) {
  const r = await sql<{ value: string; id: string }>`
    select lower(email) as value, id from customers
    where workspace_id = ${workspaceId} and merged_into is null and lower(email) = any(${emails}::text[])
    union all
    select phone as value, id from customers
    where workspace_id = ${workspaceId} and merged_into is null and phone = any(${phones}::text[])`.execute(db);
  const out = new Map<string, string>();
  for (const x of r.rows) if (!out.has(x.value)) out.set(x.value, x.id);
  return out;
}

export async function addMembers(
  tx: Tx,
  workspaceId: string,
  segment: { id: string; name: string },
  ids: string[],
  at: Date,
) {
  const r = await sql<{ n: number }>`
    with ins as (
      insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
      select ${workspaceId}, ${segment.id}, x, ${at}::timestamptz from unnest(${ids}::text[]) as x
      on conflict do nothing returning customer_id),
    logged as (
      insert into segment_membership_log (workspace_id, segment_id, segment_name, customer_id, change, at)
      select ${workspaceId}, ${segment.id}, ${segment.name}, customer_id, 'entered', ${at}::timestamptz from ins returning 1)
    select count(*)::int as n from ins`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

export async function removeMembers(
  tx: Tx,
  workspaceId: string,
  segment: { id: string; name: string },
  ids: string[],
  at: Date,
) {
  const r = await sql<{ n: number }>`
    with del as (
      delete from segment_members where workspace_id = ${workspaceId} and segment_id = ${segment.id}
        and customer_id = any(${ids}::text[]) returning customer_id),
    logged as (
      insert into segment_membership_log (workspace_id, segment_id, segment_name, customer_id, change, at)
      select ${workspaceId}, ${segment.id}, ${segment.name}, customer_id, 'exited', ${at}::timestamptz from del returning 1)
    select count(*)::int as n from del`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

// ── incremental bookkeeping ──

/**
 * Marks customers in the writing transaction. An existing mark is locked (a no-op update), not
 * skipped, so the incremental job (which claims with SKIP LOCKED) cannot evaluate the customer
 * before this write commits and then forget it.
 */
export async function markDirty(tx: Exec, workspaceId: string, customerIds: string[]): Promise<void> {
  if (!customerIds.length) return;
  await sql`insert into segment_dirty_customers (workspace_id, customer_id)
    select ${workspaceId}, x from unnest(${[...new Set(customerIds)].sort()}::text[]) as x
    on conflict (workspace_id, customer_id) do update set marked_at = segment_dirty_customers.marked_at`.execute(tx);
}

/** Takes up to `limit` marked customers of a workspace (deleted: the transaction that evaluates them commits both). */
export async function claimDirty(tx: Tx, workspaceId: string, limit: number): Promise<string[]> {
  const r = await sql<{ customer_id: string }>`
    delete from segment_dirty_customers d
    where d.workspace_id = ${workspaceId} and d.customer_id in (
      select customer_id from segment_dirty_customers where workspace_id = ${workspaceId}
      order by marked_at limit ${limit} for update skip locked)
    returning d.customer_id`.execute(tx);
  return r.rows.map((x) => x.customer_id);
}

export async function workspacesWithDirty(db: Exec): Promise<string[]> {
  const r = await sql<{ workspace_id: string }>`select distinct workspace_id from segment_dirty_customers`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

/** Forgets marks older than a full refresh (which evaluated everyone). */
export async function clearDirtyBefore(tx: Exec, workspaceId: string, before: Date): Promise<void> {
  await sql`delete from segment_dirty_customers where workspace_id = ${workspaceId} and marked_at < ${before}::timestamptz`.execute(
    tx,
  );
}

// ── merges ──

/** The merged profile's memberships and history become the survivor's. */
export async function moveMemberships(tx: Tx, workspaceId: string, mergedId: string, survivorId: string) {
  await sql`insert into segment_members (workspace_id, segment_id, customer_id, entered_at)
    select workspace_id, segment_id, ${survivorId}, entered_at from segment_members
    where workspace_id = ${workspaceId} and customer_id = ${mergedId}
    on conflict do nothing`.execute(tx);
  await sql`delete from segment_members where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(tx);
  await sql`update segment_membership_log set customer_id = ${survivorId}
    where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(tx);
  await sql`delete from segment_dirty_customers where workspace_id = ${workspaceId} and customer_id = ${mergedId}`.execute(
    tx,
  );
}

export async function segmentsWithMembers(db: Exec, workspaceId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await sql<{ segment_id: string }>`select distinct segment_id from segment_members
    where workspace_id = ${workspaceId} and customer_id = any(${ids}::text[])`.execute(db);
  return r.rows.map((x) => x.segment_id);
}

// ── the membership log (timeline, journeys) ──

export interface LogRow {
  seq: number;
  id: string;
  segment_id: string;
  segment_name: string;
  customer_id: string;
  change: 'entered' | 'exited';
  at: Date;
}

const LOG_ID = sql`('sgl_' || lpad(seq::text, 16, '0'))`;

export async function customerLog(
  db: Exec,
  q: { workspaceId: string; customerId: string; before?: { at: Date; id: string }; limit: number; changes: string[] },
): Promise<LogRow[]> {
  const before = q.before
    ? sql` and (date_trunc('milliseconds', at) < ${q.before.at}::timestamptz
          or (date_trunc('milliseconds', at) = ${q.before.at}::timestamptz and ${LOG_ID} < ${q.before.id} collate "C"))`
    : sql``;
  const r = await sql<LogRow>`
    select seq, ${LOG_ID} as id, segment_id, segment_name, customer_id, change, at from segment_membership_log
    where workspace_id = ${q.workspaceId} and customer_id = ${q.customerId} and change = any(${q.changes}::text[])${before}
    order by at desc, seq desc limit ${q.limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
}

export async function logAfter(db: Exec, workspaceId: string, afterSeq: number, limit: number): Promise<LogRow[]> {
  const r = await sql<LogRow>`
    select seq, ${LOG_ID} as id, segment_id, segment_name, customer_id, change, at from segment_membership_log
    where workspace_id = ${workspaceId} and seq > ${afterSeq}
    order by seq limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
}

/** The ids among `scope` (every customer when absent) that match a rule at `now`. */
export async function matchingIds(db: Exec, rule: SegmentRule, ctx: CompileContext): Promise<string[]> {
  const r = await sql<{ id: string }>`${matchingIdsQuery(rule, await resolveRule(db, rule, ctx))}`.execute(db);
  return r.rows.map((x) => x.id);
}
