import { type Kysely, sql } from 'kysely';

// Messaging channels beyond email (AUT-3): outgoing webhooks (endpoints with a sealed signing
// secret, and a log of every delivery attempt) and SMS (provider settings per workspace). Both
// keep using `messages` / `message_events`: a webhook may have no customer, and an SMS records
// its encoding and segment count. (0016 is customers'; 0018 is another domain's number.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table messages alter column customer_id drop not null`.execute(db);
  await sql`alter table message_events alter column customer_id drop not null`.execute(db);
  await db.schema
    .alterTable('messages')
    .addColumn('webhook_endpoint_id', 'text')
    .addColumn('sms_encoding', 'text')
    .addColumn('sms_segments', 'integer')
    .addColumn('sms_characters', 'integer')
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  // Status callbacks name the provider's id (Twilio's `MessageSid`).
  await sql`create index messages_provider_idx on messages (workspace_id, provider_message_id) where provider_message_id is not null`.execute(
    db,
  );
  // The latest SMS to a number (whose STOP is it?).
  await sql`create index messages_to_idx on messages (workspace_id, channel, to_address, created_at desc)`.execute(db);

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // AES-256-GCM under a key derived from the server secret (platform/secret.ts): Kith signs with it.
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    // After a rotation the previous secret still signs (a second v1) until it expires.
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index webhook_endpoints_ws_idx on webhook_endpoints (workspace_id, created_at)`.execute(db);

  // Every attempt to deliver to an endpoint: when, the answer (or the error), how long it took.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    // null for a test ping.
    .addColumn('message_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('response_excerpt', 'text')
    // delivered | retrying | failed
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz')
    .execute();
  await sql`create index webhook_deliveries_endpoint_idx on webhook_deliveries (workspace_id, endpoint_id, at desc, id desc)`.execute(
    db,
  );
  await sql`create index webhook_deliveries_message_idx on webhook_deliveries (workspace_id, message_id)`.execute(db);

  // One row per workspace. The auth token is sealed like the SMTP password.
  await db.schema
    .createTable('sms_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text')
    .addColumn('account_sid', 'text')
    .addColumn('auth_token_sealed', 'text')
    .addColumn('from_number', 'text')
    .addColumn('messaging_service_sid', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('sms_settings_provider_check', sql`provider in ('twilio','log')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sms_settings', 'webhook_deliveries', 'webhook_endpoints']) await db.schema.dropTable(t).execute();
  await sql`drop index messages_to_idx`.execute(db);
  await sql`drop index messages_provider_idx`.execute(db);
  await db.schema
    .alterTable('messages')
    .dropColumn('webhook_endpoint_id')
    .dropColumn('sms_encoding')
    .dropColumn('sms_segments')
    .dropColumn('sms_characters')
    .dropColumn('delivered_at')
    .execute();
}
