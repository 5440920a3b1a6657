import { type Kysely, sql } from 'kysely';

// Saved views of the customers list (DATA-5): a named set of filters, a sort and the columns shown,
// shared by the workspace's team. Names are unique per workspace regardless of case.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filters', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sort', 'text', (c) => c.notNull())
    .addColumn('columns', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index customer_views_ws_name_idx on customer_views (workspace_id, lower(name))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customer_views').execute();
}
