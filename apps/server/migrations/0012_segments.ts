import { type Kysely, sql } from 'kysely';

// Segments (SEG-1): saved rules or static lists, their members, the durable list of customers
// whose membership must be re-evaluated (marked while events are processed), and the log of
// every entry and exit (the `Segment Entered` / `Segment Exited` items of the timeline).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rule', 'jsonb')
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refreshed_at', 'timestamptz')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('segments_kind_check', sql`kind in ('dynamic','static')`)
    .addCheckConstraint('segments_rule_check', sql`(kind = 'dynamic') = (rule is not null)`)
    .execute();
  // "Did EVENT in the last N days": one range of this index per condition, grouped by customer
  // (the compiler's event subqueries); `events_customer_idx` serves a single customer.
  await sql`create index if not exists events_ws_track_event_idx on events (workspace_id, event, timestamp, customer_id) where type = 'track'`.execute(
    db,
  );
  await sql`create unique index segments_ws_name_idx on segments (workspace_id, lower(name))`.execute(db);

  await db.schema
    .createTable('segment_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('segment_members_pk', ['segment_id', 'customer_id'])
    .execute();
  // A customer's segments (explain, merges).
  await sql`create index segment_members_customer_idx on segment_members (workspace_id, customer_id)`.execute(db);

  // Customers touched by processed events since their segments were last evaluated.
  await db.schema
    .createTable('segment_dirty_customers')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('marked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('segment_dirty_customers_pk', ['workspace_id', 'customer_id'])
    .execute();

  // Every entry and exit, in order (seq): the timeline's Segment Entered / Exited, and what
  // journeys will trigger on.
  await db.schema
    .createTable('segment_membership_log')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'text', (c) => c.notNull())
    .addColumn('segment_name', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('segment_membership_log_change_check', sql`change in ('entered','exited')`)
    .execute();
  await sql`create index segment_membership_log_customer_idx on segment_membership_log (workspace_id, customer_id, at desc)`.execute(
    db,
  );
  await sql`create index segment_membership_log_ws_seq_idx on segment_membership_log (workspace_id, seq)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index events_ws_track_event_idx`.execute(db);
  for (const t of ['segment_membership_log', 'segment_dirty_customers', 'segment_members', 'segments']) {
    await db.schema.dropTable(t).execute();
  }
}
