import { type Kysely, sql } from 'kysely';

// Orders with line items and refunds, and the product catalogue, built from e-commerce events,
// Shopify webhooks and imports (DATA-6). Amounts keep their own currency.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    // The business's own product id (Segment `product_id`, else the SKU).
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text')
    .addColumn('name', 'text')
    .addColumn('category', 'text')
    .addColumn('brand', 'text')
    .addColumn('variant', 'text')
    .addColumn('price', sql`numeric(18,4)`)
    .addColumn('currency', 'text')
    .addColumn('url', 'text')
    .addColumn('image_url', 'text')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('products_external_unique', ['workspace_id', 'external_id'])
    .execute();
  // The catalogue alphabetically (keyset), and search by name / SKU / id fragments. The
  // expressions must stay identical to those in commerce/repository.ts.
  await sql`create index products_ws_name_idx on products (workspace_id, (lower(coalesce(name, external_id))), id)`.execute(
    db,
  );
  await sql`create index products_search_idx on products using gin ((coalesce(name,'') || ' ' || coalesce(sku,'') || ' ' || external_id) gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // The order's id where it was placed: the event's order_id, a Shopify order id, an invoice number.
    .addColumn('external_id', 'text', (c) => c.notNull())
    // What the business and its customer call it ("#1001"), when it differs from the id.
    .addColumn('number', 'text')
    // Null for a guest order (no known customer).
    .addColumn('customer_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('subtotal', sql`numeric(18,2)`)
    .addColumn('tax', sql`numeric(18,2)`)
    .addColumn('shipping', sql`numeric(18,2)`)
    .addColumn('discount', sql`numeric(18,2)`)
    .addColumn('total', sql`numeric(18,2)`, (c) => c.notNull())
    .addColumn('refunded_amount', sql`numeric(18,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('coupon', 'text')
    .addColumn('placed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('refunded_at', 'timestamptz')
    // When the order's amounts and items were last written: an older snapshot arriving late
    // (an `Order Completed` after its `Order Updated`) does not overwrite a newer one.
    .addColumn('snapshot_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('orders_external_unique', ['workspace_id', 'source_id', 'external_id'])
    .addCheckConstraint(
      'orders_status_check',
      sql`status in ('completed','updated','refunded','partially_refunded','cancelled')`,
    )
    .execute();
  await sql`create index orders_ws_placed_idx on orders (workspace_id, placed_at desc, id desc)`.execute(db);
  await sql`create index orders_customer_idx on orders (workspace_id, customer_id, placed_at desc, id desc) where customer_id is not null`.execute(
    db,
  );
  // A refund or cancellation that names only the order id, sent through another source.
  await sql`create index orders_ws_external_idx on orders (workspace_id, external_id)`.execute(db);

  await db.schema
    .createTable('order_items')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'text')
    .addColumn('sku', 'text')
    .addColumn('name', 'text')
    // Fractional for goods sold by weight.
    .addColumn('quantity', sql`numeric(18,3)`, (c) => c.notNull())
    .addColumn('unit_price', sql`numeric(18,4)`)
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total', sql`numeric(18,2)`)
    .addPrimaryKeyConstraint('order_items_pk', ['order_id', 'position'])
    .execute();
  await sql`create index order_items_product_idx on order_items (workspace_id, product_id) where product_id is not null`.execute(
    db,
  );

  // Each refund once (keyed by the refund's own id, or the event that reported it), so that a
  // retried webhook or a replayed event never refunds twice.
  await db.schema
    .createTable('order_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('refund_key', 'text', (c) => c.notNull())
    // Null: the whole order (what was not refunded yet).
    .addColumn('amount', sql`numeric(18,2)`)
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('refunded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('order_refunds_key_unique', ['workspace_id', 'order_id', 'refund_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['order_refunds', 'order_items', 'orders', 'products']) await db.schema.dropTable(t).execute();
}
