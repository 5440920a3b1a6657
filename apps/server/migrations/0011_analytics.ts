import { type Kysely, sql } from 'kysely';

// Analytics (ANL-1 … ANL-4, SEG-2): marketing spend per month and channel entered by the owner,
// goals on KPIs, and the workspace's lifecycle thresholds (set by the owner, or derived and cached).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('marketing_spend')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    // The first day of the month.
    .addColumn('month', 'date', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('amount', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('marketing_spend_pk', ['workspace_id', 'month', 'channel'])
    .execute();

  await db.schema
    .createTable('goals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kpi', 'text', (c) => c.notNull())
    .addColumn('target', sql`double precision`, (c) => c.notNull())
    .addColumn('deadline', 'date', (c) => c.notNull())
    // The KPI's value when the goal was set (null: it had none).
    .addColumn('baseline', sql`double precision`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index goals_ws_idx on goals (workspace_id, created_at)`.execute(db);

  await db.schema
    .createTable('analytics_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    // Lifecycle thresholds in days: set by the owner (derived = false) or derived from the
    // business's inter-purchase times and cached until derived_at is a day old.
    .addColumn('derived', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('active_days', 'integer', (c) => c.notNull().defaultTo(30))
    .addColumn('at_risk_days', 'integer', (c) => c.notNull().defaultTo(90))
    .addColumn('lapsed_days', 'integer', (c) => c.notNull().defaultTo(180))
    .addColumn('derived_at', 'timestamptz')
    // Bumped in the transaction of every write of orders or processed events: a KPI snapshot
    // computed at an older version is out of date (ADR 0009).
    .addColumn('data_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // KPI sets computed for a period (the dashboard's default one by a background job), served
  // while current, or for a few minutes while a newer one is computed (ADR 0009).
  await db.schema
    .createTable('analytics_kpi_snapshots')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('period_from', 'date', (c) => c.notNull())
    .addColumn('period_to', 'date', (c) => c.notNull())
    // '' for every channel.
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('data_version', 'bigint', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_kpi_snapshots_pk', ['workspace_id', 'period_from', 'period_to', 'channel'])
    .execute();

  // Cohorts, new customers and lifecycle read customers by their first order.
  await sql`create index customers_ws_first_order_idx on customers (workspace_id, first_order_at) where merged_into is null and first_order_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists customers_ws_first_order_idx`.execute(db);
  for (const t of ['analytics_kpi_snapshots', 'analytics_settings', 'goals', 'marketing_spend'])
    await db.schema.dropTable(t).execute();
}
