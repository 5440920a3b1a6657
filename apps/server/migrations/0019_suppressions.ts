import { type Kysely, sql } from 'kysely';

// The email suppression list (PRV-1): addresses Kith no longer sends to — a hard bounce (the
// mailbox does not exist: nothing at all), a complaint or an entry by hand (no marketing).
// (0017 is reserved by work done in parallel.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_suppressions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('email_suppressions_pk', ['workspace_id', 'address'])
    .addCheckConstraint('email_suppressions_reason_check', sql`reason in ('hard_bounce','complaint','manual')`)
    .execute();
  await sql`create index email_suppressions_recent_idx on email_suppressions (workspace_id, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_suppressions').execute();
}
