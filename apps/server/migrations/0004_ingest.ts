import { type Kysely, sql } from 'kysely';

// Sources with write keys, the raw event log (Segment spec), quarantined events (DATA-2, DATA-3, DATA-8).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('write_key', 'text', (c) => c.notNull().unique())
    .addColumn('previous_write_key', 'text', (c) => c.unique())
    .addColumn('previous_key_expires_at', 'timestamptz')
    .addColumn('webhook_secret', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_event_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sources_ws_idx').on('sources').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('event', 'text')
    .addColumn('name', 'text')
    .addColumn('user_id', 'text')
    .addColumn('anonymous_id', 'text')
    .addColumn('group_id', 'text')
    .addColumn('previous_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('timestamp', 'timestamptz', (c) => c.notNull())
    .addColumn('original_timestamp', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('properties', 'jsonb')
    .addColumn('traits', 'jsonb')
    .addColumn('context', 'jsonb')
    .addColumn('integrations', 'jsonb')
    .addColumn('processed_at', 'timestamptz')
    .addColumn('warnings', 'jsonb')
    .addUniqueConstraint('events_message_unique', ['source_id', 'message_id'])
    .execute();
  await sql`create index events_pending_idx on events (workspace_id, seq) where processed_at is null`.execute(db);
  await sql`create index events_customer_idx on events (workspace_id, customer_id, timestamp desc)`.execute(db);
  await sql`create index events_source_idx on events (source_id, seq desc)`.execute(db);

  await db.schema
    .createTable('quarantined_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('field', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('quarantined'))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('event_id', 'text')
    .addCheckConstraint('quarantined_status_check', sql`status in ('quarantined','replayed','discarded')`)
    .execute();
  await sql`create index quarantined_source_idx on quarantined_events (workspace_id, source_id, received_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['quarantined_events', 'events', 'sources']) await db.schema.dropTable(t).execute();
}
