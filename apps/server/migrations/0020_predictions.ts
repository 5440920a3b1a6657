import { type Kysely, sql } from 'kysely';

// Predictions (PRD-1 … PRD-5): fitted models with their diagnostics, one row of scores per
// customer, item-to-item neighbours for recommendations, and the customers who asked for no
// personalization. Scores are replaced by each run; a model row is kept per version.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('prediction_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('diagnostics', 'jsonb', (c) => c.notNull())
    .addColumn('fitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('prediction_models_kind_check', sql`kind in ('clv','churn','recommend')`)
    .addUniqueConstraint('prediction_models_version_uq', ['workspace_id', 'kind', 'version'])
    .execute();

  await db.schema
    .createTable('customer_predictions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    // The customer's summary in the model's time unit: repeat purchases, recency, age, mean repeat spend.
    .addColumn('x', 'integer', (c) => c.notNull())
    .addColumn('t_x', 'float8', (c) => c.notNull())
    .addColumn('t_cal', 'float8', (c) => c.notNull())
    .addColumn('zbar', 'float8', (c) => c.notNull())
    .addColumn('p_alive', 'float8', (c) => c.notNull())
    .addColumn('expected_30', 'float8', (c) => c.notNull())
    .addColumn('expected_90', 'float8', (c) => c.notNull())
    .addColumn('expected_365', 'float8', (c) => c.notNull())
    .addColumn('purchase_probability_30', 'float8', (c) => c.notNull())
    .addColumn('expected_aov', 'float8', (c) => c.notNull())
    .addColumn('clv', 'float8', (c) => c.notNull())
    .addColumn('churn_risk', 'float8', (c) => c.notNull())
    .addColumn('churn_reasons', 'jsonb')
    .addColumn('next_purchase_at', 'timestamptz')
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('clv_version', 'integer', (c) => c.notNull())
    .addColumn('churn_version', 'integer')
    .addColumn('scored_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_predictions_pk', ['workspace_id', 'customer_id'])
    .execute();
  // Every run rewrites every row: room on each page lets PostgreSQL update in place (HOT, no
  // index work) — 1,000,000 rescored in ~8 s instead of ~25 s with a delete and an insert.
  await sql`alter table customer_predictions set (fillfactor = 45)`.execute(db);
  // No index on the scores themselves: a score rule reads the workspace's rows through the
  // primary key (≈ 0.1 s a million), while two more indexes made every rescoring of a million
  // customers 12 s slower (docs/adr/0015-predictions.md).

  await db.schema
    .createTable('product_neighbours')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('neighbour_id', 'text', (c) => c.notNull())
    .addColumn('score', 'float8', (c) => c.notNull())
    .addColumn('co_count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_neighbours_pk', ['workspace_id', 'product_id', 'neighbour_id'])
    .execute();

  await db.schema
    .createTable('personalization_opt_outs')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('personalization_opt_outs_pk', ['workspace_id', 'customer_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('personalization_opt_outs').execute();
  await db.schema.dropTable('product_neighbours').execute();
  await db.schema.dropTable('customer_predictions').execute();
  await db.schema.dropTable('prediction_models').execute();
}
