/** The only file with the journeys domain's SQL (its own tables). */
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db.js';
import type { Definition } from './definition.js';

type Exec = Db | Tx;

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';
export interface JourneyRow {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  status: JourneyStatus;
  draft: unknown;
  draft_updated_at: Date;
  version: number;
  playbook: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export type EnrollmentState = 'active' | 'completed' | 'converted' | 'exited' | 'failed';
export interface EnrollmentRow {
  id: string;
  workspace_id: string;
  journey_id: string;
  version: number;
  customer_id: string;
  state: EnrollmentState;
  holdout: boolean;
  node: string | null;
  next_at: Date | null;
  parked: boolean;
  wait_event: string | null;
  visits: Record<string, number>;
  occurrence: string | null;
  timezone: string | null;
  trigger: Record<string, unknown> | null;
  steps: number;
  entered_at: Date;
  ended_at: Date | null;
  converted_at: Date | null;
  end_reason: string | null;
}

export interface StepLogRow {
  workspace_id: string;
  journey_id: string;
  version: number;
  enrollment_id: string;
  customer_id: string;
  node: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
  message_id: string | null;
  at: Date;
}

export interface InboxRow {
  seq: string;
  workspace_id: string;
  customer_id: string;
  event: string;
  event_id: string | null;
  properties: Record<string, unknown> | null;
  timezone: string | null;
  at: Date;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

// ── journeys and versions ──

export async function listJourneys(db: Exec, workspaceId: string): Promise<JourneyRow[]> {
  const r = await sql<JourneyRow>`select * from journeys where workspace_id = ${workspaceId}
    order by status = 'archived', lower(name), id`.execute(db);
  return r.rows;
}

export async function findJourney(db: Exec, workspaceId: string, id: string, lock = false) {
  const r = await sql<JourneyRow>`select * from journeys where workspace_id = ${workspaceId} and id = ${id}
    ${lock ? sql`for update` : sql``}`.execute(db);
  return r.rows[0];
}

export async function insertJourney(
  db: Exec,
  j: Pick<JourneyRow, 'id' | 'workspace_id' | 'name' | 'description' | 'draft' | 'playbook' | 'created_by'>,
) {
  const r =
    await sql<JourneyRow>`insert into journeys (id, workspace_id, name, description, draft, playbook, created_by)
    values (${j.id}, ${j.workspace_id}, ${j.name}, ${j.description}, ${json(j.draft)}::jsonb, ${j.playbook}, ${j.created_by})
    returning *`.execute(db);
  return r.rows[0] as JourneyRow;
}

export async function updateJourney(
  db: Exec,
  workspaceId: string,
  id: string,
  patch: { name?: string; description?: string | null; draft?: unknown; status?: JourneyStatus; version?: number },
) {
  const r = await sql<JourneyRow>`update journeys set
      name = coalesce(${patch.name ?? null}, name),
      description = ${patch.description === undefined ? sql`description` : sql`${patch.description}`},
      draft = ${patch.draft === undefined ? sql`draft` : sql`${json(patch.draft)}::jsonb`},
      draft_updated_at = ${patch.draft === undefined ? sql`draft_updated_at` : sql`now()`},
      status = coalesce(${patch.status ?? null}, status),
      version = coalesce(${patch.version ?? null}::int, version),
      updated_at = now()
    where workspace_id = ${workspaceId} and id = ${id} returning *`.execute(db);
  return r.rows[0];
}

export async function deleteJourney(db: Exec, workspaceId: string, id: string) {
  await sql`delete from journeys where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
}

export async function insertVersion(
  db: Exec,
  v: { workspace_id: string; journey_id: string; version: number; definition: Definition; published_by: string | null },
) {
  await sql`insert into journey_versions (workspace_id, journey_id, version, definition, published_by)
    values (${v.workspace_id}, ${v.journey_id}, ${v.version}, ${json(v.definition)}::jsonb, ${v.published_by})`.execute(
    db,
  );
}

export async function findVersion(db: Exec, workspaceId: string, journeyId: string, version: number) {
  const r = await sql<{ definition: Definition; published_at: Date; version: number }>`
    select definition, published_at, version from journey_versions
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} and version = ${version}`.execute(db);
  return r.rows[0];
}

export async function listVersions(db: Exec, workspaceId: string, journeyId: string) {
  const r = await sql<{ version: number; published_at: Date; published_by: string | null }>`
    select version, published_at, published_by from journey_versions
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} order by version desc`.execute(db);
  return r.rows;
}

/** Active journeys with their published definition. */
export async function activeJourneys(db: Exec, workspaceId: string) {
  const r = await sql<{ id: string; name: string; version: number; definition: Definition }>`
    select j.id, j.name, j.version, v.definition from journeys j
    join journey_versions v on v.journey_id = j.id and v.version = j.version
    where j.workspace_id = ${workspaceId} and j.status = 'active'`.execute(db);
  return r.rows;
}

/** Workspaces with at least one active journey, or enrollments of one still inside. */
export async function workspacesWithJourneys(db: Exec): Promise<string[]> {
  const r = await sql<{
    workspace_id: string;
  }>`select distinct workspace_id from journeys where status = 'active'`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

// ── enrollments ──

export interface EnrollCandidate {
  journeyId: string;
  version: number;
  customerId: string;
  occurrence: string | null;
  timezone: string | null;
  trigger: Record<string, unknown> | null;
  holdout: boolean;
  /** When the first step is due (a date trigger's local time of day), else now. */
  dueAt: Date;
  node: string;
}

/**
 * Enrolls candidates that the entry rule lets in: never while inside (a unique index), and per
 * mode: `once` — never entered before; `again_after` — last entry at least `days` ago;
 * `every_time` — whenever not inside. Returns the enrollments made.
 */
export async function enroll(
  tx: Tx,
  workspaceId: string,
  entry: { mode: 'once' | 'again_after' | 'every_time'; days?: number },
  candidates: EnrollCandidate[],
  now: Date,
  newIds: string[],
): Promise<EnrollmentRow[]> {
  if (!candidates.length) return [];
  const rows = candidates.map((c, i) => ({
    id: newIds[i],
    journey_id: c.journeyId,
    version: c.version,
    customer_id: c.customerId,
    occurrence: c.occurrence,
    timezone: c.timezone,
    trigger: c.trigger,
    holdout: c.holdout,
    next_at: c.dueAt.toISOString(),
    node: c.node,
  }));
  const since = entry.mode === 'again_after' ? new Date(now.getTime() - (entry.days ?? 1) * 86_400_000) : null;
  const rule =
    entry.mode === 'once'
      ? sql`and not exists (select 1 from journey_enrollments p where p.journey_id = x.journey_id and p.customer_id = x.customer_id)`
      : entry.mode === 'again_after'
        ? sql`and not exists (select 1 from journey_enrollments p where p.journey_id = x.journey_id and p.customer_id = x.customer_id
            and p.entered_at > ${since})`
        : sql``;
  const r = await sql<EnrollmentRow>`
    insert into journey_enrollments (id, workspace_id, journey_id, version, customer_id, state, holdout, node, next_at,
      parked, occurrence, timezone, trigger, entered_at)
    select distinct on (x.journey_id, x.customer_id) x.id, ${workspaceId}, x.journey_id, x.version, x.customer_id, 'active',
      x.holdout, x.node, x.next_at, false, x.occurrence, x.timezone, x.trigger, ${now}::timestamptz
    from jsonb_to_recordset(${json(rows)}::jsonb) as x(id text, journey_id text, version int, customer_id text,
      occurrence text, timezone text, trigger jsonb, holdout boolean, next_at timestamptz, node text)
    where true ${rule}
    order by x.journey_id, x.customer_id
    on conflict do nothing
    returning *`.execute(tx);
  return r.rows;
}

/** Due enrollments of active journeys, locked (others' locked rows skipped). */
export async function claimDue(tx: Tx, workspaceId: string, now: Date, limit: number): Promise<EnrollmentRow[]> {
  const r = await sql<EnrollmentRow>`
    select e.* from journey_enrollments e
    where e.workspace_id = ${workspaceId} and e.state = 'active' and e.next_at <= ${now}
      and exists (select 1 from journeys j where j.id = e.journey_id and j.status = 'active')
    order by e.next_at
    limit ${limit}
    for update of e skip locked`.execute(tx);
  return r.rows;
}

export async function hasDue(db: Exec, workspaceId: string, now: Date): Promise<boolean> {
  const r = await sql`select 1 from journey_enrollments e where e.workspace_id = ${workspaceId} and e.state = 'active'
    and e.next_at <= ${now} limit 1`.execute(db);
  return r.rows.length > 0;
}

/** Writes back what a run did to its enrollments. */
export async function saveEnrollments(tx: Tx, workspaceId: string, rows: EnrollmentRow[]) {
  if (!rows.length) return;
  const data = rows.map((e) => ({
    id: e.id,
    state: e.state,
    node: e.node,
    next_at: e.next_at?.toISOString() ?? null,
    parked: e.parked,
    wait_event: e.wait_event,
    visits: e.visits,
    steps: e.steps,
    ended_at: e.ended_at?.toISOString() ?? null,
    converted_at: e.converted_at?.toISOString() ?? null,
    end_reason: e.end_reason,
  }));
  await sql`update journey_enrollments e set state = x.state, node = x.node, next_at = x.next_at, parked = x.parked,
      wait_event = x.wait_event, visits = x.visits, steps = x.steps, ended_at = x.ended_at,
      converted_at = x.converted_at, end_reason = x.end_reason
    from jsonb_to_recordset(${json(data)}::jsonb) as x(id text, state text, node text, next_at timestamptz, parked boolean,
      wait_event text, visits jsonb, steps int, ended_at timestamptz, converted_at timestamptz, end_reason text)
    where e.workspace_id = ${workspaceId} and e.id = x.id`.execute(tx);
}

export async function insertStepLog(tx: Exec, rows: StepLogRow[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000).map((r) => ({ ...r, at: r.at.toISOString() }));
    await sql`insert into journey_step_log (workspace_id, journey_id, version, enrollment_id, customer_id, node, outcome,
        detail, message_id, at)
      select workspace_id, journey_id, version, enrollment_id, customer_id, node, outcome, detail, message_id, at
      from jsonb_to_recordset(${json(chunk)}::jsonb) as x(workspace_id text, journey_id text, version int,
        enrollment_id text, customer_id text, node text, outcome text, detail jsonb, message_id text, at timestamptz)`.execute(
      tx,
    );
  }
}

/** Active enrollments of these customers waiting for one of these events, locked. */
export async function waitingFor(tx: Tx, workspaceId: string, customerIds: string[], events: string[]) {
  if (!customerIds.length || !events.length) return [];
  const r = await sql<EnrollmentRow>`select * from journey_enrollments
    where workspace_id = ${workspaceId} and customer_id = any(${customerIds}::text[]) and state = 'active'
      and parked and wait_event = any(${events}::text[])
    for update skip locked`.execute(tx);
  return r.rows;
}

/**
 * Marks enrollments of these journeys and customers converted: those inside end (`converted`);
 * those that ended within the goal window keep their state and get `converted_at`.
 */
export async function convert(
  tx: Tx,
  workspaceId: string,
  items: { journeyId: string; customerId: string; since: Date }[],
  now: Date,
): Promise<EnrollmentRow[]> {
  if (!items.length) return [];
  const data = items.map((i) => ({ journey_id: i.journeyId, customer_id: i.customerId, since: i.since.toISOString() }));
  const r = await sql<EnrollmentRow>`update journey_enrollments e set
      converted_at = ${now}::timestamptz,
      state = case when e.state = 'active' then 'converted' else e.state end,
      ended_at = case when e.state = 'active' then ${now}::timestamptz else e.ended_at end,
      end_reason = case when e.state = 'active' then 'goal' else e.end_reason end,
      next_at = case when e.state = 'active' then null else e.next_at end
    from jsonb_to_recordset(${json(data)}::jsonb) as x(journey_id text, customer_id text, since timestamptz)
    where e.workspace_id = ${workspaceId} and e.journey_id = x.journey_id and e.customer_id = x.customer_id
      and e.converted_at is null and e.entered_at >= x.since and e.state in ('active', 'completed', 'exited')
    returning e.*`.execute(tx);
  return r.rows;
}

/** Ends every enrollment still inside a journey (archived), with a reason. */
export async function exitAll(tx: Tx, workspaceId: string, journeyId: string, reason: string, now: Date) {
  const r =
    await sql<EnrollmentRow>`update journey_enrollments set state = 'exited', ended_at = ${now}, end_reason = ${reason},
      next_at = null
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} and state = 'active' returning *`.execute(tx);
  return r.rows;
}

export async function customerEnrollments(db: Exec, workspaceId: string, customerId: string, limit = 50) {
  const r = await sql<EnrollmentRow & { journey_name: string }>`
    select e.*, j.name as journey_name from journey_enrollments e join journeys j on j.id = e.journey_id
    where e.workspace_id = ${workspaceId} and e.customer_id = ${customerId}
    order by e.entered_at desc, e.id desc limit ${limit}`.execute(db);
  return r.rows;
}

/** A merge: the merged profile's enrollments go to the survivor, unless it is inside the same journey. */
export async function moveEnrollments(tx: Tx, workspaceId: string, fromId: string, toId: string, now: Date) {
  await sql`update journey_enrollments e set state = 'exited', ended_at = ${now}, end_reason = 'merged', next_at = null
    where e.workspace_id = ${workspaceId} and e.customer_id = ${fromId} and e.state = 'active'
      and exists (select 1 from journey_enrollments s where s.journey_id = e.journey_id and s.customer_id = ${toId}
        and s.state = 'active')`.execute(tx);
  await sql`update journey_enrollments set customer_id = ${toId}
    where workspace_id = ${workspaceId} and customer_id = ${fromId}`.execute(tx);
  await sql`update journey_step_log set customer_id = ${toId}
    where workspace_id = ${workspaceId} and customer_id = ${fromId}`.execute(tx);
  await sql`update tasks set customer_id = ${toId} where workspace_id = ${workspaceId} and customer_id = ${fromId}`.execute(
    tx,
  );
}

// ── inbox and cursors ──

export async function insertInbox(tx: Exec, rows: Omit<InboxRow, 'seq'>[]): Promise<void> {
  if (!rows.length) return;
  const data = rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  await sql`insert into journey_inbox (workspace_id, customer_id, event, event_id, properties, timezone, at)
    select workspace_id, customer_id, event, event_id, properties, timezone, at
    from jsonb_to_recordset(${json(data)}::jsonb) as x(workspace_id text, customer_id text, event text, event_id text,
      properties jsonb, timezone text, at timestamptz)`.execute(tx);
}

/** Takes (deletes and returns) the oldest inbox rows of a workspace. */
export async function takeInbox(tx: Tx, workspaceId: string, limit: number): Promise<InboxRow[]> {
  const r = await sql<InboxRow>`delete from journey_inbox where seq = any(array(
      select seq from journey_inbox where workspace_id = ${workspaceId} order by seq limit ${limit} for update skip locked))
    returning *`.execute(tx);
  return r.rows.sort((a, b) => Number(a.seq) - Number(b.seq));
}

export async function hasInbox(db: Exec, workspaceId: string): Promise<boolean> {
  const r = await sql`select 1 from journey_inbox where workspace_id = ${workspaceId} limit 1`.execute(db);
  return r.rows.length > 0;
}

export async function findCursor(tx: Exec, workspaceId: string) {
  await sql`insert into journey_cursors (workspace_id) values (${workspaceId}) on conflict do nothing`.execute(tx);
  const r = await sql<{ segment_seq: string; scanned_at: Date | null }>`
    select segment_seq, scanned_at from journey_cursors where workspace_id = ${workspaceId}`.execute(tx);
  const row = r.rows[0];
  return { segmentSeq: Number(row?.segment_seq ?? 0), scannedAt: row?.scanned_at ?? null };
}

export async function saveCursor(tx: Exec, workspaceId: string, c: { segmentSeq?: number; scannedAt?: Date }) {
  await sql`update journey_cursors set
      segment_seq = coalesce(${c.segmentSeq ?? null}::bigint, segment_seq),
      scanned_at = coalesce(${c.scannedAt ?? null}::timestamptz, scanned_at)
    where workspace_id = ${workspaceId}`.execute(tx);
}

/** One intake at a time per workspace (the inbox and cursors are read in order). */
export async function tryLockIntake(tx: Tx, workspaceId: string): Promise<boolean> {
  const r = await sql<{
    ok: boolean;
  }>`select pg_try_advisory_xact_lock(hashtext(${`journeys:${workspaceId}`})) as ok`.execute(tx);
  return !!r.rows[0]?.ok;
}

// ── settings ──

export async function findSettings(db: Exec, workspaceId: string) {
  const r = await sql<{
    data: Record<string, unknown>;
  }>`select data from journey_settings where workspace_id = ${workspaceId}`.execute(db);
  return r.rows[0]?.data;
}

export async function saveSettings(db: Exec, workspaceId: string, data: unknown) {
  await sql`insert into journey_settings (workspace_id, data) values (${workspaceId}, ${json(data)}::jsonb)
    on conflict (workspace_id) do update set data = excluded.data, updated_at = now()`.execute(db);
}

// ── tasks ──

export interface TaskRow {
  id: string;
  workspace_id: string;
  customer_id: string | null;
  title: string;
  notes: string | null;
  assignee_id: string | null;
  due_at: Date | null;
  status: 'open' | 'done';
  journey_id: string | null;
  idempotency_key: string | null;
  created_at: Date;
  done_at: Date | null;
}

export async function insertTasks(tx: Exec, rows: Omit<TaskRow, 'status' | 'done_at'>[]): Promise<TaskRow[]> {
  if (!rows.length) return [];
  const data = rows.map((r) => ({
    ...r,
    due_at: r.due_at?.toISOString() ?? null,
    created_at: r.created_at.toISOString(),
  }));
  const r =
    await sql<TaskRow>`insert into tasks (id, workspace_id, customer_id, title, notes, assignee_id, due_at, journey_id,
      idempotency_key, created_at)
    select id, workspace_id, customer_id, title, notes, assignee_id, due_at, journey_id, idempotency_key, created_at
    from jsonb_to_recordset(${json(data)}::jsonb) as x(id text, workspace_id text, customer_id text, title text, notes text,
      assignee_id text, due_at timestamptz, journey_id text, idempotency_key text, created_at timestamptz)
    on conflict do nothing returning *`.execute(tx);
  return r.rows;
}

export async function listTasks(
  db: Exec,
  workspaceId: string,
  q: { status?: 'open' | 'done'; assigneeId?: string; customerId?: string; limit: number },
) {
  const r = await sql<TaskRow>`select * from tasks where workspace_id = ${workspaceId}
      ${q.status ? sql`and status = ${q.status}` : sql``}
      ${q.assigneeId ? sql`and assignee_id = ${q.assigneeId}` : sql``}
      ${q.customerId ? sql`and customer_id = ${q.customerId}` : sql``}
    order by status, due_at nulls last, created_at desc limit ${q.limit}`.execute(db);
  return r.rows;
}

export async function setTaskStatus(db: Exec, workspaceId: string, id: string, status: 'open' | 'done', now: Date) {
  const r = await sql<TaskRow>`update tasks set status = ${status}, done_at = ${status === 'done' ? now : null}
    where workspace_id = ${workspaceId} and id = ${id} returning *`.execute(db);
  return r.rows[0];
}

// ── analytics ──

/** Per node and outcome, how many times (the journey's step log). */
export async function stepCounts(db: Exec, workspaceId: string, journeyId: string) {
  const r = await sql<{ node: string | null; outcome: string; n: number }>`
    select node, outcome, count(*)::int as n from journey_step_log
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} group by node, outcome`.execute(db);
  return r.rows.map((x) => ({ ...x, n: Number(x.n) }));
}

/** Per node, the enrollments inside at it now. */
export async function waitingCounts(db: Exec, workspaceId: string, journeyId: string) {
  const r = await sql<{ node: string | null; n: number }>`select node, count(*)::int as n from journey_enrollments
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} and state = 'active' and not holdout
    group by node`.execute(db);
  return r.rows.map((x) => ({ ...x, n: Number(x.n) }));
}

/** Entered, inside, per end state, converted: for the journey and for its holdout. */
export async function enrollmentTotals(db: Exec, workspaceId: string, journeyId: string) {
  const r = await sql<{
    holdout: boolean;
    entered: number;
    active: number;
    completed: number;
    converted: number;
    exited: number;
    failed: number;
  }>`select holdout, count(*)::int as entered,
      count(*) filter (where state = 'active')::int as active,
      count(*) filter (where state = 'completed')::int as completed,
      count(*) filter (where converted_at is not null)::int as converted,
      count(*) filter (where state = 'exited')::int as exited,
      count(*) filter (where state = 'failed')::int as failed
    from journey_enrollments where workspace_id = ${workspaceId} and journey_id = ${journeyId} group by holdout`.execute(
    db,
  );
  return r.rows;
}

/** Message ids a journey's send steps made, per node. */
export async function messageIdsByNode(db: Exec, workspaceId: string, journeyId: string) {
  const r = await sql<{ node: string; ids: string[] }>`select node, array_agg(message_id) as ids from journey_step_log
    where workspace_id = ${workspaceId} and journey_id = ${journeyId} and message_id is not null group by node`.execute(
    db,
  );
  return r.rows;
}

/** The step log of one enrollment, in order. */
export async function enrollmentLog(db: Exec, workspaceId: string, enrollmentId: string) {
  const r = await sql<StepLogRow & { seq: string }>`select * from journey_step_log
    where workspace_id = ${workspaceId} and enrollment_id = ${enrollmentId} order by seq`.execute(db);
  return r.rows;
}

/** Events that customers inside older versions of active or paused journeys still wait for. */
export async function waitedEventsOfOlderVersions(db: Exec, workspaceId: string): Promise<string[]> {
  const r = await sql<{ wait_event: string }>`select distinct wait_event from journey_enrollments
    where workspace_id = ${workspaceId} and state = 'active' and wait_event is not null`.execute(db);
  return r.rows.map((x) => x.wait_event);
}

export async function savepoint(tx: Tx) {
  await sql`savepoint journey_step`.execute(tx);
}
export async function releaseSavepoint(tx: Tx) {
  await sql`release savepoint journey_step`.execute(tx);
}
export async function rollbackToSavepoint(tx: Tx) {
  await sql`rollback to savepoint journey_step`.execute(tx);
}

export async function findEnrollment(db: Exec, workspaceId: string, id: string) {
  const r =
    await sql<EnrollmentRow>`select * from journey_enrollments where workspace_id = ${workspaceId} and id = ${id}`.execute(
      db,
    );
  return r.rows[0];
}

const LOG_ID = sql<string>`'jsl_' || lpad(l.seq::text, 20, '0')`;

/** A customer's journey entries and endings, newest first (the 360 timeline). */
export async function timelineItems(
  db: Exec,
  w: { workspaceId: string; customerId: string; before?: { at: Date; id: string }; limit: number; outcomes: string[] },
) {
  const before = w.before
    ? sql`and (date_trunc('milliseconds', l.at) < ${w.before.at} or (date_trunc('milliseconds', l.at) = ${w.before.at} and ${LOG_ID} collate "C" < ${w.before.id}))`
    : sql``;
  const r = await sql<{
    id: string;
    at: Date;
    outcome: string;
    journey_id: string;
    journey_name: string;
    node: string | null;
    detail: unknown;
  }>`
    select ${LOG_ID} as id, l.at, l.outcome, l.journey_id, j.name as journey_name, l.node, l.detail
    from journey_step_log l join journeys j on j.id = l.journey_id
    where l.workspace_id = ${w.workspaceId} and l.customer_id = ${w.customerId} and l.outcome = any(${w.outcomes}::text[]) ${before}
    order by l.at desc, ${LOG_ID} collate "C" desc limit ${w.limit}`.execute(db);
  return r.rows;
}
