import { type Kysely, sql } from 'kysely';

// Messaging (AUT-3, email): each workspace's SMTP server and brand, message templates with their
// versions, every message sent (or skipped) as a record, and what happened to it, in order.
// (0013 and 0014 are other domains' numbers.)
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per workspace. The SMTP password is sealed (AES-256-GCM, platform/secret.ts).
  await db.schema
    .createTable('email_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('secure', 'boolean', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('password_sealed', 'text')
    .addColumn('from_name', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('brand_logo_url', 'text')
    .addColumn('brand_color', 'text')
    .addColumn('brand_footer', 'text')
    .addColumn('brand_postal_address', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A template is a key (what journeys name) and its current version; every version is kept so a
  // queued message renders the version it was queued with.
  await db.schema
    .createTable('message_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index message_templates_ws_key_idx on message_templates (workspace_id, key)`.execute(db);

  // The content of one version: { "<locale>": { subject, html, text? } }, `en` always present.
  await db.schema
    .createTable('message_template_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('variants', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('message_template_versions_pk', ['template_id', 'version'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text')
    .addColumn('template_version', 'integer')
    // An inline message's own {subject, html, text?} (templated messages have none).
    .addColumn('source', 'jsonb')
    // What the caller passed to the template as `data`.
    .addColumn('data', 'jsonb')
    .addColumn('locale', 'text')
    .addColumn('to_address', 'text')
    .addColumn('subject', 'text')
    .addColumn('html', 'text')
    .addColumn('text', 'text')
    // The original URLs of the tracked links, by position (the click token names the position).
    .addColumn('links', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz')
    .addColumn('clicked_at', 'timestamptz')
    .addCheckConstraint('messages_purpose_check', sql`purpose in ('marketing','transactional')`)
    .addCheckConstraint(
      'messages_status_check',
      sql`status in ('queued','sent','delivered','opened','clicked','bounced','failed','skipped')`,
    )
    .execute();
  await sql`create unique index messages_ws_idempotency_idx on messages (workspace_id, idempotency_key)`.execute(db);
  // A customer's messages, newest first (the 360 list); merges repoint by customer.
  await sql`create index messages_customer_idx on messages (workspace_id, customer_id, created_at desc, id desc)`.execute(
    db,
  );

  // Every status change, open, click and unsubscribe of a message, in order; the customer is
  // copied here so the timeline reads one index.
  await db.schema
    .createTable('message_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('url', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index message_events_message_idx on message_events (workspace_id, message_id, at, id)`.execute(db);
  await sql`create index message_events_customer_idx on message_events (workspace_id, customer_id, at desc, id desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['message_events', 'messages', 'message_template_versions', 'message_templates', 'email_settings']) {
    await db.schema.dropTable(t).execute();
  }
}
