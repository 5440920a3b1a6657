import { type Kysely, sql } from 'kysely';

// A profile's identifiers are read and moved (on a merge) by workspace and customer. With only an
// index on customer_id, a planner without fresh statistics (a table that grew from empty during a
// bulk load, before autovacuum's next analyze) took the primary key's workspace prefix and filtered
// every identifier of the workspace: ~3 ms per merge at 20,000 customers, growing with the table.
// One index on both columns is right whatever the statistics say.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('customer_identifiers_customer_ws_idx')
    .on('customer_identifiers')
    .columns(['workspace_id', 'customer_id'])
    .execute();
  await sql`drop index customer_identifiers_customer_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('customer_identifiers_customer_idx')
    .on('customer_identifiers')
    .column('customer_id')
    .execute();
  await db.schema.dropIndex('customer_identifiers_customer_ws_idx').execute();
}
