/** The only file with the messaging domain's SQL; every query is scoped by workspace. */
import { type Generated, type Selectable, sql } from 'kysely';
import { type Db, type Tx, tables } from '../platform/db.js';

type Exec = Db | Tx;

export const STATUSES = ['queued', 'sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof STATUSES)[number];
export type Purpose = 'marketing' | 'transactional';

/** One locale's content of a template version (or of an inline message). */
export interface Variant {
  subject: string;
  html: string;
  text?: string | null;
}
export type Variants = Record<string, Variant>;

interface EmailSettingsTable {
  workspace_id: string;
  host: string;
  port: number;
  secure: boolean;
  username: string | null;
  password_sealed: string | null;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  brand_logo_url: string | null;
  brand_color: string | null;
  brand_footer: string | null;
  brand_postal_address: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface TemplatesTable {
  id: string;
  workspace_id: string;
  key: string;
  name: string;
  channel: string;
  version: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface TemplateVersionsTable {
  workspace_id: string;
  template_id: string;
  version: number;
  variants: Variants;
  created_at: Generated<Date>;
}
interface MessagesTable {
  id: string;
  workspace_id: string;
  /** null only for a webhook sent without a customer. */
  customer_id: string | null;
  channel: string;
  purpose: Purpose;
  template_id: string | null;
  template_version: number | null;
  source: Variant | null;
  data: Record<string, unknown> | null;
  locale: string | null;
  to_address: string | null;
  subject: string | null;
  html: string | null;
  text: string | null;
  links: string[] | null;
  status: MessageStatus;
  status_reason: string | null;
  idempotency_key: string;
  provider_message_id: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  webhook_endpoint_id: string | null;
  sms_encoding: string | null;
  sms_segments: number | null;
  sms_characters: number | null;
  delivered_at: Date | null;
}
interface MessageEventsTable {
  id: string;
  workspace_id: string;
  message_id: string;
  customer_id: string | null;
  type: string;
  reason: string | null;
  url: string | null;
  at: Date;
}
interface WebhookEndpointsTable {
  id: string;
  workspace_id: string;
  name: string;
  url: string;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_expires_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface WebhookDeliveriesTable {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  message_id: string | null;
  attempt: number;
  url: string;
  at: Date;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  outcome: 'delivered' | 'retrying' | 'failed';
  next_attempt_at: Date | null;
}
interface SmsSettingsTable {
  workspace_id: string;
  provider: 'twilio' | 'log';
  base_url: string | null;
  account_sid: string | null;
  auth_token_sealed: string | null;
  from_number: string | null;
  messaging_service_sid: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface MessagingTables {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  sms_settings: SmsSettingsTable;
  email_settings: EmailSettingsTable;
  message_templates: TemplatesTable;
  message_template_versions: TemplateVersionsTable;
  messages: MessagesTable;
  message_events: MessageEventsTable;
}

export type EmailSettingsRow = Selectable<EmailSettingsTable>;
export type TemplateRow = Selectable<TemplatesTable>;
export type MessageRow = Selectable<MessagesTable>;
export type MessageEventRow = Selectable<MessageEventsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type SmsSettingsRow = Selectable<SmsSettingsTable>;

const t = (db: Exec) => tables<MessagingTables>(db);
const json = (v: unknown) => (v === null || v === undefined ? null : sql<never>`${JSON.stringify(v)}::jsonb`);

// ── settings ──

export async function findSettings(db: Exec, workspaceId: string): Promise<EmailSettingsRow | undefined> {
  return t(db).selectFrom('email_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export type SettingsWrite = Omit<EmailSettingsTable, 'workspace_id' | 'created_at' | 'updated_at' | 'password_sealed'>;

/** Creates or replaces a workspace's settings; `password` undefined keeps the stored one. */
export async function saveSettings(
  db: Exec,
  workspaceId: string,
  s: SettingsWrite,
  password: { sealed: string | null } | undefined,
): Promise<EmailSettingsRow> {
  const values = { ...s, workspace_id: workspaceId, password_sealed: password?.sealed ?? null };
  return t(db)
    .insertInto('email_settings')
    .values(values)
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({
        ...s,
        ...(password ? { password_sealed: password.sealed } : {}),
        updated_at: sql<Date>`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ── templates ──

export async function findTemplateByKey(db: Exec, workspaceId: string, key: string) {
  return t(db)
    .selectFrom('message_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function findTemplateVersion(db: Exec, workspaceId: string, templateId: string, version: number) {
  return t(db)
    .selectFrom('message_template_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listTemplates(db: Exec, workspaceId: string) {
  return t(db)
    .selectFrom('message_templates')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('key')
    .execute();
}

export async function insertTemplate(db: Exec, row: Omit<TemplatesTable, 'created_at' | 'updated_at'>) {
  return t(db).insertInto('message_templates').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function bumpTemplate(db: Exec, workspaceId: string, id: string, name: string) {
  return t(db)
    .updateTable('message_templates')
    .set({ version: sql<number>`version + 1`, name, updated_at: sql<Date>`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertTemplateVersion(
  db: Exec,
  row: { workspace_id: string; template_id: string; version: number; variants: Variants },
) {
  await t(db)
    .insertInto('message_template_versions')
    .values({ ...row, variants: json(row.variants) as unknown as Variants })
    .execute();
}

// ── messages ──

export type MessageInsert = Pick<
  MessagesTable,
  | 'id'
  | 'workspace_id'
  | 'customer_id'
  | 'channel'
  | 'purpose'
  | 'template_id'
  | 'template_version'
  | 'source'
  | 'data'
  | 'status'
  | 'status_reason'
  | 'idempotency_key'
  | 'created_at'
> &
  Partial<Pick<MessagesTable, 'webhook_endpoint_id' | 'to_address' | 'text' | 'subject'>>;

/** Inserts a message unless its idempotency key is taken in the workspace; undefined then. */
export async function insertMessage(db: Exec, m: MessageInsert): Promise<MessageRow | undefined> {
  return t(db)
    .insertInto('messages')
    .values({
      ...m,
      source: json(m.source) as unknown as Variant,
      data: json(m.data) as unknown as Record<string, unknown>,
      updated_at: m.created_at,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findMessage(db: Exec, workspaceId: string, id: string): Promise<MessageRow | undefined> {
  return t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findMessageByKey(db: Exec, workspaceId: string, key: string): Promise<MessageRow | undefined> {
  return t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

export type MessageUpdate = Partial<
  Pick<
    MessagesTable,
    | 'locale'
    | 'to_address'
    | 'subject'
    | 'html'
    | 'text'
    | 'links'
    | 'status'
    | 'status_reason'
    | 'provider_message_id'
    | 'sent_at'
    | 'delivered_at'
    | 'sms_encoding'
    | 'sms_segments'
    | 'sms_characters'
  >
>;

/** Updates a message that is still queued (the send job's writes); false when it no longer is. */
export async function updateQueued(db: Exec, workspaceId: string, id: string, set: MessageUpdate): Promise<boolean> {
  const r = await t(db)
    .updateTable('messages')
    .set({ ...set, ...(set.links ? { links: json(set.links) as unknown as string[] } : {}), updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Records the first open; the status moves to `opened` only from sent or delivered. */
export async function markOpened(db: Exec, workspaceId: string, id: string, at: Date): Promise<void> {
  await t(db)
    .updateTable('messages')
    .set({
      opened_at: sql<Date>`coalesce(opened_at, ${at})`,
      status: sql<MessageStatus>`case when status in ('sent', 'delivered') then 'opened' else status end`,
      updated_at: at,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** Records the first click; the status moves to `clicked` from sent, delivered or opened. */
export async function markClicked(db: Exec, workspaceId: string, id: string, at: Date): Promise<boolean> {
  const r = await t(db)
    .updateTable('messages')
    .set({
      clicked_at: sql<Date>`coalesce(clicked_at, ${at})`,
      status: sql<MessageStatus>`case when status in ('sent', 'delivered', 'opened') then 'clicked' else status end`,
      updated_at: at,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('clicked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A customer's messages, newest first by (created_at, id), after the cursor. */
export async function customerMessages(
  db: Exec,
  workspaceId: string,
  customerId: string,
  f: { after?: { at: Date; id: string }; limit: number },
): Promise<MessageRow[]> {
  let q = t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId);
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.at}, ${f.after.id})`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

/** Moves a merged profile's messages and their events to the survivor. */
export async function repointCustomer(tx: Exec, workspaceId: string, from: string, to: string): Promise<void> {
  for (const table of ['messages', 'message_events'] as const) {
    await t(tx)
      .updateTable(table)
      .set({ customer_id: to })
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', from)
      .execute();
  }
}

// ── events ──

export async function insertEvent(db: Exec, e: MessageEventsTable): Promise<void> {
  await t(db).insertInto('message_events').values(e).execute();
}

export async function hasEvent(db: Exec, workspaceId: string, messageId: string, type: string): Promise<boolean> {
  const r = await t(db)
    .selectFrom('message_events')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .where('type', '=', type)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}

export async function messageEvents(db: Exec, workspaceId: string, messageId: string): Promise<MessageEventRow[]> {
  return t(db)
    .selectFrom('message_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** A profile's message events of some types with their message's subject, newest first (the timeline). */
export async function timelineEvents(
  db: Exec,
  w: {
    workspaceId: string;
    customerId: string;
    before?: { at: Date; id: string };
    limit: number;
    types: string[];
    channels: string[];
  },
) {
  const before = w.before
    ? sql`and (date_trunc('milliseconds', e.at) < ${w.before.at} or (date_trunc('milliseconds', e.at) = ${w.before.at} and e.id collate "C" < ${w.before.id}))`
    : sql``;
  const r = await sql<MessageEventRow & { subject: string | null; purpose: Purpose; channel: string }>`
    select e.*, m.subject, m.purpose, m.channel from message_events e
    join messages m on m.workspace_id = e.workspace_id and m.id = e.message_id
    where e.workspace_id = ${w.workspaceId} and e.customer_id = ${w.customerId}
      and e.type in (${sql.join(w.types)}) and m.channel in (${sql.join(w.channels)}) ${before}
    order by e.at desc, e.id collate "C" desc limit ${w.limit}`.execute(db);
  return r.rows;
}

// ── webhook endpoints and their delivery log ──

export async function listEndpoints(db: Exec, workspaceId: string): Promise<WebhookEndpointRow[]> {
  return t(db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findEndpoint(db: Exec, workspaceId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  return t(db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertEndpoint(
  db: Exec,
  row: Omit<WebhookEndpointsTable, 'created_at' | 'updated_at'>,
): Promise<WebhookEndpointRow> {
  return t(db).insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

export type EndpointUpdate = Partial<
  Pick<
    WebhookEndpointsTable,
    'name' | 'url' | 'enabled' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_expires_at'
  >
>;

export async function updateEndpoint(
  db: Exec,
  workspaceId: string,
  id: string,
  set: EndpointUpdate,
): Promise<WebhookEndpointRow | undefined> {
  return t(db)
    .updateTable('webhook_endpoints')
    .set({ ...set, updated_at: sql<Date>`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes an endpoint and its delivery log; messages keep its id. */
export async function deleteEndpoint(db: Exec, workspaceId: string, id: string): Promise<boolean> {
  await t(db)
    .deleteFrom('webhook_deliveries')
    .where('workspace_id', '=', workspaceId)
    .where('endpoint_id', '=', id)
    .execute();
  const r = await t(db)
    .deleteFrom('webhook_endpoints')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Whether an attempt of a message was already made (a re-run job must not make it twice). */
export async function hasDeliveryAttempt(db: Exec, workspaceId: string, messageId: string, attempt: number) {
  const r = await t(db)
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .where('attempt', '=', attempt)
    .executeTakeFirst();
  return !!r;
}

export async function insertDelivery(db: Exec, row: WebhookDeliveriesTable): Promise<void> {
  await t(db).insertInto('webhook_deliveries').values(row).execute();
}

/** An endpoint's delivery attempts, newest first by (at, id), after the cursor. */
export async function endpointDeliveries(
  db: Exec,
  workspaceId: string,
  endpointId: string,
  f: { after?: { at: Date; id: string }; limit: number; messageId?: string },
): Promise<WebhookDeliveryRow[]> {
  let q = t(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('endpoint_id', '=', endpointId);
  if (f.messageId) q = q.where('message_id', '=', f.messageId);
  if (f.after) q = q.where(sql<boolean>`(at, id) < (${f.after.at}, ${f.after.id})`);
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

// ── SMS ──

export async function findSmsSettings(db: Exec, workspaceId: string): Promise<SmsSettingsRow | undefined> {
  return t(db).selectFrom('sms_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export type SmsSettingsWrite = Omit<
  SmsSettingsTable,
  'workspace_id' | 'created_at' | 'updated_at' | 'auth_token_sealed'
>;

/** Creates or replaces a workspace's SMS settings; `token` undefined keeps the stored one. */
export async function saveSmsSettings(
  db: Exec,
  workspaceId: string,
  s: SmsSettingsWrite,
  token: { sealed: string | null } | undefined,
): Promise<SmsSettingsRow> {
  return t(db)
    .insertInto('sms_settings')
    .values({ ...s, workspace_id: workspaceId, auth_token_sealed: token?.sealed ?? null })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({
        ...s,
        ...(token ? { auth_token_sealed: token.sealed } : {}),
        updated_at: sql<Date>`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The message a provider id (Twilio's MessageSid) names in a workspace. */
export async function findMessageByProviderId(
  db: Exec,
  workspaceId: string,
  channel: string,
  providerId: string,
): Promise<MessageRow | undefined> {
  return t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('provider_message_id', '=', providerId)
    .where('channel', '=', channel)
    .executeTakeFirst();
}

/** The latest message of a channel sent to an address (a phone number), if any. */
export async function latestMessageTo(
  db: Exec,
  workspaceId: string,
  channel: string,
  to: string,
): Promise<MessageRow | undefined> {
  return t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('to_address', '=', to)
    .where('customer_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Moves a message from one of `from` statuses to `set.status`; false when it was not in one of them. */
export async function updateStatusFrom(
  db: Exec,
  workspaceId: string,
  id: string,
  from: MessageStatus[],
  set: MessageUpdate,
): Promise<boolean> {
  const r = await t(db)
    .updateTable('messages')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ── many at once (journeys) ──

/** Inserts messages whose idempotency keys are free; the rows inserted. */
export async function insertMessages(db: Exec, rows: MessageInsert[]): Promise<MessageRow[]> {
  if (!rows.length) return [];
  const out: MessageRow[] = [];
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000).map((m) => ({
      ...m,
      source: json(m.source) as unknown as Variant,
      data: json(m.data) as unknown as Record<string, unknown>,
      updated_at: m.created_at,
    }));
    out.push(
      ...(await t(db)
        .insertInto('messages')
        .values(chunk)
        .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
        .returningAll()
        .execute()),
    );
  }
  return out;
}

export async function findMessagesByKeys(db: Exec, workspaceId: string, keys: string[]): Promise<MessageRow[]> {
  if (!keys.length) return [];
  return t(db)
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', 'in', keys)
    .execute();
}

export async function insertEvents(db: Exec, rows: MessageEventsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000)
    await t(db)
      .insertInto('message_events')
      .values(rows.slice(i, i + 5000))
      .execute();
}

/** Per customer, marketing messages of a channel created since `since` that were not skipped (frequency caps). */
export async function countRecentMarketing(
  db: Exec,
  workspaceId: string,
  customerIds: string[],
  channel: string,
  since: Date,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const r = await sql<{ customer_id: string; n: number }>`
    select customer_id, count(*)::int as n from messages
    where workspace_id = ${workspaceId} and customer_id = any(${customerIds}::text[]) and channel = ${channel}
      and purpose = 'marketing' and created_at >= ${since} and status not in ('skipped', 'failed')
    group by customer_id`.execute(db);
  return new Map(r.rows.map((x) => [x.customer_id, Number(x.n)]));
}

/** Per status, with opens and clicks, the messages among `ids` (journey analytics). */
export async function summarizeMessages(db: Exec, workspaceId: string, ids: string[]) {
  if (!ids.length) return { total: 0, sent: 0, opened: 0, clicked: 0, skipped: 0, failed: 0, queued: 0 };
  const r = await sql<Record<string, number>>`
    select count(*)::int as total,
      count(*) filter (where sent_at is not null)::int as sent,
      count(*) filter (where opened_at is not null)::int as opened,
      count(*) filter (where clicked_at is not null)::int as clicked,
      count(*) filter (where status = 'skipped')::int as skipped,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'queued')::int as queued
    from messages where workspace_id = ${workspaceId} and id = any(${ids}::text[])`.execute(db);
  const row = r.rows[0] ?? {};
  return {
    total: Number(row.total ?? 0),
    sent: Number(row.sent ?? 0),
    opened: Number(row.opened ?? 0),
    clicked: Number(row.clicked ?? 0),
    skipped: Number(row.skipped ?? 0),
    failed: Number(row.failed ?? 0),
    queued: Number(row.queued ?? 0),
  };
}

// ── the suppression list ──

export interface SuppressionRow {
  workspace_id: string;
  address: string;
  reason: 'hard_bounce' | 'complaint' | 'manual';
  detail: string | null;
  message_id: string | null;
  created_at: Date;
}

export async function findSuppression(db: Exec, workspaceId: string, address: string) {
  const r = await sql<SuppressionRow>`select * from email_suppressions
    where workspace_id = ${workspaceId} and address = ${address.toLowerCase()}`.execute(db);
  return r.rows[0];
}

/** Adds an address (a later reason does not replace an earlier one, except a hard bounce, the strongest). */
export async function suppress(db: Exec, s: Omit<SuppressionRow, 'created_at'>) {
  const r = await sql<SuppressionRow>`insert into email_suppressions (workspace_id, address, reason, detail, message_id)
    values (${s.workspace_id}, ${s.address.toLowerCase()}, ${s.reason}, ${s.detail}, ${s.message_id})
    on conflict (workspace_id, address) do update set reason = excluded.reason, detail = excluded.detail,
      message_id = excluded.message_id, created_at = now()
    where excluded.reason = 'hard_bounce' and email_suppressions.reason <> 'hard_bounce'
    returning *`.execute(db);
  return r.rows[0] ?? (await findSuppression(db, s.workspace_id, s.address));
}

export async function listSuppressions(
  db: Exec,
  workspaceId: string,
  q: { limit: number; before?: Date; address?: string },
) {
  const r = await sql<SuppressionRow>`select * from email_suppressions where workspace_id = ${workspaceId}
      ${q.address ? sql`and address = ${q.address.toLowerCase()}` : sql``}
      ${q.before ? sql`and created_at < ${q.before}` : sql``}
    order by created_at desc, address limit ${q.limit}`.execute(db);
  return r.rows;
}

export async function unsuppress(db: Exec, workspaceId: string, address: string): Promise<boolean> {
  const r =
    await sql`delete from email_suppressions where workspace_id = ${workspaceId} and address = ${address.toLowerCase()}`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0) > 0;
}
