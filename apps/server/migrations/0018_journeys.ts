import { type Kysely, sql } from 'kysely';

// Journeys (AUT-1, AUT-2): a journey's draft and its published versions, the customers inside
// (enrollments, with the step they are at and when it is due: the durable timer), what each step
// did (the log journey analytics count), events waiting to be looked at by the engine (inbox),
// the engine's cursor over segment entries and exits, staff tasks created by journeys, and the
// workspace's sending rules (quiet hours, frequency caps). (0017 is reserved by work done in
// parallel.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('journeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    // The editable definition: changing it affects nobody until it is published.
    .addColumn('draft', 'jsonb', (c) => c.notNull())
    .addColumn('draft_updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The latest published version (0: never published).
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('playbook', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('journeys_status_check', sql`status in ('draft','active','paused','archived')`)
    .execute();
  await sql`create unique index journeys_name_idx on journeys (workspace_id, lower(name))`.execute(db);
  await sql`create index journeys_active_idx on journeys (workspace_id) where status = 'active'`.execute(db);

  await db.schema
    .createTable('journey_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('journey_versions_pk', ['journey_id', 'version'])
    .execute();

  await db.schema
    .createTable('journey_enrollments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    // active: inside (at `node`, due at `next_at`); completed: reached the end; converted: met the
    // goal; exited: left by the exit rule, a paused or archived journey, or a merge; failed.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('holdout', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('node', 'text')
    .addColumn('next_at', 'timestamptz')
    // Parked at `node` until `next_at` (a wait, a send deferred by quiet hours): when due, the node
    // is resumed rather than entered again.
    .addColumn('parked', 'boolean', (c) => c.notNull().defaultTo(false))
    // Waiting for this event (until `next_at`, the timeout).
    .addColumn('wait_event', 'text')
    // Visits so far of the current node (a loop back to a node sends again, with a new key).
    .addColumn('visits', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurrence', 'text')
    .addColumn('timezone', 'text')
    .addColumn('trigger', 'jsonb')
    .addColumn('steps', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('converted_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addCheckConstraint(
      'journey_enrollments_state_check',
      sql`state in ('active','completed','converted','exited','failed')`,
    )
    .execute();
  // Never twice inside the same journey at once.
  await sql`create unique index journey_enrollments_inside_idx on journey_enrollments (journey_id, customer_id)
    where state = 'active'`.execute(db);
  // One enrollment per occurrence of a date trigger (a birthday a year).
  await sql`create unique index journey_enrollments_occurrence_idx on journey_enrollments (journey_id, customer_id, occurrence)
    where occurrence is not null`.execute(db);
  // The timer: what is due, per workspace.
  await sql`create index journey_enrollments_due_idx on journey_enrollments (workspace_id, next_at)
    where state = 'active'`.execute(db);
  await sql`create index journey_enrollments_customer_idx on journey_enrollments (workspace_id, customer_id, entered_at desc)`.execute(
    db,
  );
  await sql`create index journey_enrollments_journey_idx on journey_enrollments (journey_id, customer_id, entered_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('journey_step_log')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('enrollment_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb')
    .addColumn('message_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index journey_step_log_journey_idx on journey_step_log (journey_id, node, outcome)`.execute(db);
  await sql`create index journey_step_log_enrollment_idx on journey_step_log (enrollment_id, seq)`.execute(db);
  await sql`create index journey_step_log_customer_idx on journey_step_log (workspace_id, customer_id)`.execute(db);

  await db.schema
    .createTable('journey_inbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('properties', 'jsonb')
    .addColumn('timezone', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index journey_inbox_ws_idx on journey_inbox (workspace_id, seq)`.execute(db);

  await db.schema
    .createTable('journey_cursors')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('segment_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('scanned_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('journey_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('due_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('journey_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .addCheckConstraint('tasks_status_check', sql`status in ('open','done')`)
    .execute();
  await sql`create unique index tasks_key_idx on tasks (workspace_id, idempotency_key) where idempotency_key is not null`.execute(
    db,
  );
  await sql`create index tasks_open_idx on tasks (workspace_id, status, due_at)`.execute(db);
  await sql`create index tasks_customer_idx on tasks (workspace_id, customer_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'tasks',
    'journey_settings',
    'journey_cursors',
    'journey_inbox',
    'journey_step_log',
    'journey_enrollments',
    'journey_versions',
    'journeys',
  ])
    await db.schema.dropTable(t).execute();
}
