import { type Kysely, sql } from 'kysely';

// One profile per customer: profiles, the identifiers that resolve to them, merges, identity
// conflicts for review, companies (DATA-1, DATA-4, DATA-5).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('merged_into', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('user_id', 'text')
    .addColumn('traits', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('trait_times', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('notes', 'text')
    .addColumn('owner_user_id', 'text')
    .addColumn('channels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('first_seen_at', 'timestamptz')
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('order_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revenue', sql`numeric(18,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('currency', 'text')
    .addColumn('first_order_at', 'timestamptz')
    .addColumn('last_order_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index customers_ws_created_idx on customers (workspace_id, created_at desc, id desc) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_ws_last_seen_idx on customers (workspace_id, last_seen_at desc nulls last, id desc) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_ws_revenue_idx on customers (workspace_id, revenue desc, id desc) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_search_idx on customers using gin ((coalesce(first_name,'') || ' ' || coalesce(last_name,'') || ' ' || coalesce(email,'') || ' ' || coalesce(phone,'') || ' ' || coalesce(user_id,'')) gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index customers_channels_idx on customers using gin (channels)`.execute(db);

  await db.schema
    .createTable('customer_identifiers')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('customer_identifiers_pk', ['workspace_id', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('customer_identifiers_customer_idx')
    .on('customer_identifiers')
    .column('customer_id')
    .execute();

  await db.schema
    .createTable('customer_merges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('survivor_id', 'text', (c) => c.notNull())
    .addColumn('merged_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('snapshot', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('customer_merges_survivor_idx')
    .on('customer_merges')
    .columns(['workspace_id', 'survivor_id'])
    .execute();

  await db.schema
    .createTable('identity_conflicts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('other_customer_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb')
    .addColumn('event_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addCheckConstraint('identity_conflicts_status_check', sql`status in ('open','merged','dismissed')`)
    .execute();
  await sql`create index identity_conflicts_open_idx on identity_conflicts (workspace_id, customer_id) where status = 'open'`.execute(
    db,
  );
  await sql`create index identity_conflicts_other_idx on identity_conflicts (workspace_id, other_customer_id) where status = 'open'`.execute(
    db,
  );

  await db.schema
    .createTable('companies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('traits', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('trait_times', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('companies_group_unique', ['workspace_id', 'group_id'])
    .execute();

  await db.schema
    .createTable('customer_companies')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('customer_companies_pk', ['customer_id', 'company_id'])
    .execute();
  await db.schema.createIndex('customer_companies_company_idx').on('customer_companies').column('company_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'customer_companies',
    'companies',
    'identity_conflicts',
    'customer_merges',
    'customer_identifiers',
    'customers',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
