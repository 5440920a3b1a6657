import { type Kysely, sql } from 'kysely';

// The KPI rollup (ADR 0010): per-day sums and 2-D "pair" counts from which every KPI of any period
// is read in a few index range scans, kept current per customer (or guest order) by a job.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Per-day sums: kind (orders, revenue, first orders, active days …), local day, acquisition channel.
  await db.schema
    .createTable('analytics_rollup_days')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'smallint', (c) => c.notNull())
    // Local day: days since 1970-01-01 in the workspace's time zone.
    .addColumn('day', 'integer', (c) => c.notNull())
    // An order's currency for the other-currency count; '' otherwise.
    .addColumn('key', 'text', (c) => c.notNull())
    // Acquisition channel of the customer ('unknown' when none; '' for guest orders).
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_days_pk', ['workspace_id', 'kind', 'day', 'key', 'channel'])
    .execute();

  // Pair counts: how many of a customer's (order, next order), (order, order after next),
  // (first order, order) … fall at (d, n), kept at four grains (day/month × day/month) so that
  // "d ≥ lo and n ≤ hi" is four small rectangles.
  await db.schema
    .createTable('analytics_rollup_pairs')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'smallint', (c) => c.notNull())
    .addColumn('grain', 'smallint', (c) => c.notNull())
    .addColumn('d', 'integer', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_pairs_pk', ['workspace_id', 'kind', 'grain', 'd', 'n', 'channel'])
    .execute();

  // What each subject (a customer, or `guest:<order id>`) contributes now: subtracted before its
  // new contribution is added.
  await db.schema
    .createTable('analytics_rollup_subjects')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_subjects_pk', ['workspace_id', 'subject'])
    .execute();

  // Subjects whose orders or events changed: marked in the writing transaction, drained by the job.
  await db.schema
    .createTable('analytics_rollup_dirty')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('marked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('analytics_rollup_dirty_pk', ['workspace_id', 'subject'])
    .execute();

  // Per workspace: the time zone and currency the rollup was built in, and whether it is complete.
  await db.schema
    .createTable('analytics_rollup_state')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('ready', 'boolean', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('built_at', 'timestamptz')
    .execute();
  // Existing workspaces get theirs built by the `analytics.rollup` job on first use.

  // Events processed in the batch that merged their profile away were left on the merged profile
  // (fixed in ingest's markProcessed): they are the survivor's.
  await sql`update events e set customer_id = c.merged_into
    from customers c
    where c.id = e.customer_id and c.workspace_id = e.workspace_id and c.merged_into is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'analytics_rollup_state',
    'analytics_rollup_dirty',
    'analytics_rollup_subjects',
    'analytics_rollup_pairs',
    'analytics_rollup_days',
  ])
    await db.schema.dropTable(t).execute();
}
