import { type Generated, type Selectable, sql } from 'kysely';
import { type Db, type Tx, tables } from '../platform/db.js';
import type { Identifier } from './identifiers.js';

interface CustomersTable {
  id: string;
  workspace_id: string;
  merged_into: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  user_id: string | null;
  traits: Generated<Record<string, unknown>>;
  trait_times: Generated<Record<string, string>>;
  tags: Generated<string[]>;
  notes: string | null;
  owner_user_id: string | null;
  channels: Generated<string[]>;
  first_seen_at: Date | null;
  last_seen_at: Date | null;
  order_count: Generated<number>;
  revenue: Generated<string>;
  currency: string | null;
  first_order_at: Date | null;
  last_order_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface IdentifiersTable {
  workspace_id: string;
  kind: string;
  value: string;
  customer_id: string;
  source_id: string | null;
  first_seen_at: Generated<Date>;
}
interface MergesTable {
  id: string;
  workspace_id: string;
  survivor_id: string;
  merged_id: string;
  reason: string;
  event_id: string | null;
  actor_type: string;
  actor_id: string | null;
  snapshot: unknown;
  created_at: Generated<Date>;
}
interface ConflictsTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  other_customer_id: string;
  reason: string;
  details: unknown;
  event_id: string | null;
  status: Generated<'open' | 'merged' | 'dismissed'>;
  created_at: Generated<Date>;
  resolved_at: Date | null;
}
interface CompaniesTable {
  id: string;
  workspace_id: string;
  group_id: string;
  name: string | null;
  traits: Generated<Record<string, unknown>>;
  trait_times: Generated<Record<string, string>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface CustomerCompaniesTable {
  workspace_id: string;
  customer_id: string;
  company_id: string;
  created_at: Generated<Date>;
}

export interface CustomerTables {
  customers: CustomersTable;
  customer_identifiers: IdentifiersTable;
  customer_merges: MergesTable;
  identity_conflicts: ConflictsTable;
  companies: CompaniesTable;
  customer_companies: CustomerCompaniesTable;
}

export type CustomerRow = Selectable<CustomersTable>;
export type CompanyRow = Selectable<CompaniesTable>;
export type MergeRow = Selectable<MergesTable>;
export type ConflictRow = Selectable<ConflictsTable>;

const t = (db: Db | Tx) => tables<CustomerTables>(db);
const json = (v: unknown) => JSON.stringify(v) as unknown as Record<string, never>;

/** Serialises identity changes in a workspace for the rest of the transaction. */
export async function lockWorkspaceIdentity(tx: Tx, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`identity:${workspaceId}`}))`.execute(tx);
}

/** Like lockWorkspaceIdentity, but returns false at once when another transaction holds it. */
export async function tryLockWorkspaceIdentity(tx: Tx, workspaceId: string): Promise<boolean> {
  const r = await sql<{
    ok: boolean;
  }>`select pg_try_advisory_xact_lock(hashtext(${`identity:${workspaceId}`})) as ok`.execute(tx);
  return r.rows[0]?.ok === true;
}

export async function findOwners(db: Db | Tx, workspaceId: string, ids: Identifier[]) {
  if (ids.length === 0) return [];
  return t(db)
    .selectFrom('customer_identifiers')
    .select(['kind', 'value', 'customer_id'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or(ids.map((i) => eb.and([eb('kind', '=', i.kind), eb('value', '=', i.value)]))))
    .execute();
}

export async function insertIdentifiers(
  db: Db | Tx,
  workspaceId: string,
  customerId: string,
  ids: Identifier[],
  sourceId: string | null,
  seenAt: Date,
) {
  if (ids.length === 0) return;
  await t(db)
    .insertInto('customer_identifiers')
    .values(
      ids.map((i) => ({
        workspace_id: workspaceId,
        kind: i.kind,
        value: i.value,
        customer_id: customerId,
        source_id: sourceId,
        first_seen_at: seenAt,
      })),
    )
    .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
    .execute();
}

export async function listIdentifiers(db: Db | Tx, workspaceId: string, customerIds: string[]) {
  if (customerIds.length === 0) return [];
  return t(db)
    .selectFrom('customer_identifiers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', customerIds)
    .orderBy('first_seen_at')
    .execute();
}

export async function insertCustomer(
  db: Db | Tx,
  row: { id: string; workspace_id: string; first_seen_at: Date | null; last_seen_at: Date | null; channels: string[] },
) {
  return t(db).insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCustomers(db: Db | Tx, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return t(db)
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

export async function findCustomer(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export type CustomerPatch = Partial<
  Pick<
    CustomersTable,
    | 'first_name'
    | 'last_name'
    | 'email'
    | 'phone'
    | 'user_id'
    | 'notes'
    | 'owner_user_id'
    | 'currency'
    | 'first_seen_at'
    | 'last_seen_at'
    | 'first_order_at'
    | 'last_order_at'
    | 'merged_into'
  > & {
    traits: Record<string, unknown>;
    trait_times: Record<string, string>;
    tags: string[];
    channels: string[];
    order_count: number;
    revenue: string;
  }
>;

export async function updateCustomer(db: Db | Tx, workspaceId: string, id: string, patch: CustomerPatch) {
  const { traits, trait_times, ...rest } = patch;
  return t(db)
    .updateTable('customers')
    .set({
      ...rest,
      ...(traits ? { traits: json(traits) } : {}),
      ...(trait_times ? { trait_times: json(trait_times) } : {}),
      updated_at: new Date(),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Widens first/last seen and adds a channel, in one statement (the hot path of event processing). */
export async function touchCustomer(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  seenAt: Date,
  channel: string | null,
) {
  await sql`
    update customers set
      first_seen_at = least(coalesce(first_seen_at, ${seenAt}), ${seenAt}),
      last_seen_at = greatest(coalesce(last_seen_at, ${seenAt}), ${seenAt}),
      channels = case when ${channel}::text is null or ${channel}::text = any(channels) then channels else array_append(channels, ${channel}::text) end,
      updated_at = now()
    where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
}

export async function repointMergedInto(db: Db | Tx, workspaceId: string, fromId: string, toId: string) {
  await t(db)
    .updateTable('customers')
    .set({ merged_into: toId })
    .where('workspace_id', '=', workspaceId)
    .where('merged_into', '=', fromId)
    .execute();
}

/** Sets the display identifiers where the profile has none yet. */
export async function fillIdentityColumns(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  v: { user_id: string | null; email: string | null; phone: string | null },
) {
  await sql`
    update customers set
      user_id = coalesce(user_id, ${v.user_id}::text),
      email = coalesce(email, ${v.email}::text),
      phone = coalesce(phone, ${v.phone}::text)
    where workspace_id = ${workspaceId} and id = ${id}`.execute(db);
}

export async function repointIdentifiers(db: Db | Tx, workspaceId: string, fromId: string, toId: string) {
  await t(db)
    .updateTable('customer_identifiers')
    .set({ customer_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', fromId)
    .execute();
}

export async function repointCompanies(db: Db | Tx, workspaceId: string, fromId: string, toId: string) {
  await sql`
    insert into customer_companies (workspace_id, customer_id, company_id, created_at)
    select workspace_id, ${toId}, company_id, created_at from customer_companies where workspace_id = ${workspaceId} and customer_id = ${fromId}
    on conflict do nothing`.execute(db);
  await t(db)
    .deleteFrom('customer_companies')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', fromId)
    .execute();
}

export async function repointConflicts(db: Db | Tx, workspaceId: string, fromId: string, toId: string) {
  await t(db)
    .updateTable('identity_conflicts')
    .set({ customer_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', fromId)
    .execute();
  await t(db)
    .updateTable('identity_conflicts')
    .set({ other_customer_id: toId })
    .where('workspace_id', '=', workspaceId)
    .where('other_customer_id', '=', fromId)
    .execute();
  // A conflict between a profile and itself is settled by the merge.
  await t(db)
    .updateTable('identity_conflicts')
    .set({ status: 'merged', resolved_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .whereRef('customer_id', '=', 'other_customer_id')
    .execute();
}

export async function insertMerge(db: Db | Tx, row: Omit<Selectable<MergesTable>, 'created_at'>) {
  await t(db)
    .insertInto('customer_merges')
    .values({ ...row, snapshot: JSON.stringify(row.snapshot) })
    .execute();
}

export async function listMerges(db: Db | Tx, workspaceId: string, customerId: string) {
  return t(db)
    .selectFrom('customer_merges')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('survivor_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function findOpenConflict(db: Db | Tx, workspaceId: string, a: string, b: string) {
  return t(db)
    .selectFrom('identity_conflicts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb.and([eb('customer_id', '=', a), eb('other_customer_id', '=', b)]),
        eb.and([eb('customer_id', '=', b), eb('other_customer_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
}

export async function insertConflict(
  db: Db | Tx,
  row: Pick<
    ConflictRow,
    'id' | 'workspace_id' | 'customer_id' | 'other_customer_id' | 'reason' | 'details' | 'event_id'
  >,
) {
  await t(db)
    .insertInto('identity_conflicts')
    .values({ ...row, details: JSON.stringify(row.details) })
    .execute();
}

export async function listOpenConflicts(db: Db | Tx, workspaceId: string, customerId: string) {
  return t(db)
    .selectFrom('identity_conflicts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('other_customer_id', '=', customerId)]))
    .orderBy('created_at', 'desc')
    .execute();
}

export async function resolveConflictsBetween(
  db: Db | Tx,
  workspaceId: string,
  a: string,
  b: string,
  status: 'merged' | 'dismissed',
) {
  await t(db)
    .updateTable('identity_conflicts')
    .set({ status, resolved_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb.and([eb('customer_id', '=', a), eb('other_customer_id', '=', b)]),
        eb.and([eb('customer_id', '=', b), eb('other_customer_id', '=', a)]),
      ]),
    )
    .execute();
}

// ── companies ──

export async function findCompanyByGroup(db: Db | Tx, workspaceId: string, groupId: string) {
  return t(db)
    .selectFrom('companies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
}

export async function insertCompany(db: Db | Tx, row: { id: string; workspace_id: string; group_id: string }) {
  await t(db)
    .insertInto('companies')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'group_id']).doNothing())
    .execute();
  return findCompanyByGroup(db, row.workspace_id, row.group_id) as Promise<CompanyRow>;
}

export async function updateCompany(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  patch: { name: string | null; traits: Record<string, unknown>; trait_times: Record<string, string> },
) {
  await t(db)
    .updateTable('companies')
    .set({ name: patch.name, traits: json(patch.traits), trait_times: json(patch.trait_times), updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function linkCompany(db: Db | Tx, workspaceId: string, customerId: string, companyId: string) {
  await t(db)
    .insertInto('customer_companies')
    .values({ workspace_id: workspaceId, customer_id: customerId, company_id: companyId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function listCompaniesOf(db: Db | Tx, workspaceId: string, customerId: string) {
  return t(db)
    .selectFrom('customer_companies as cc')
    .innerJoin('companies as c', 'c.id', 'cc.company_id')
    .selectAll('c')
    .where('cc.workspace_id', '=', workspaceId)
    .where('cc.customer_id', '=', customerId)
    .execute();
}
