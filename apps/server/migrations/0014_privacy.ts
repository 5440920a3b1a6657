import { type Kysely, sql } from 'kysely';

// Consent (PRV-1): one row per customer, channel and purpose with its current status, and the log
// of every change in order (the audit trail and the customer's timeline). (0013 is reserved by
// work done in parallel.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consents')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('evidence', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // When the current status took effect (the time of the change, e.g. the event's timestamp).
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    // The latest time a source stated the current status (≥ changed_at): an older statement never
    // overrides it, even when it arrives later.
    .addColumn('asserted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('consents_pk', ['workspace_id', 'customer_id', 'channel', 'purpose'])
    .addCheckConstraint(
      'consents_channel_check',
      sql`channel in ('email','sms','whatsapp','push','direct_mail','phone')`,
    )
    .addCheckConstraint('consents_purpose_check', sql`purpose in ('marketing','transactional')`)
    .addCheckConstraint('consents_status_check', sql`status in ('subscribed','unsubscribed','pending','unknown')`)
    .execute();
  // Segment conditions ("email marketing: subscribed") read one channel and purpose of a workspace.
  await sql`create index consents_ws_channel_purpose_idx on consents (workspace_id, channel, purpose, status, customer_id)`.execute(
    db,
  );

  await db.schema
    .createTable('consent_log')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('evidence', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Who recorded it: a person (app), an API key, or the system (event processing).
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index consent_log_customer_idx on consent_log (workspace_id, customer_id, at desc, seq desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('consent_log').execute();
  await db.schema.dropTable('consents').execute();
}
