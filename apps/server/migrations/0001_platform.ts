import { type Kysely, sql } from 'kysely';

// Durable background jobs (see docs/adr/0003-jobs-skip-locked.md).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('backoff_seconds', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull().defaultTo(300))
    .addColumn('singleton_key', 'text')
    .addColumn('last_error', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('progress', 'jsonb')
    .addColumn('result', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addCheckConstraint('jobs_state_check', sql`state in ('queued','running','completed','failed','cancelled')`)
    .execute();
  // The claim looks per queue, highest priority first, then oldest run_at (see platform/jobs.ts).
  await sql`create index jobs_due_idx on jobs (queue, priority desc, run_at) where state = 'queued'`.execute(db);
  await sql`create index jobs_running_idx on jobs (locked_until) where state = 'running'`.execute(db);
  // Listing is newest first by id (ids are time-ordered ULIDs).
  await sql`create index jobs_workspace_idx on jobs (workspace_id, id desc)`.execute(db);
  await sql`create unique index jobs_singleton_idx on jobs (queue, singleton_key) where singleton_key is not null and state in ('queued','running')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
