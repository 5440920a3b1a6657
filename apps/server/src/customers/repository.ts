import { type Generated, type RawBuilder, type Selectable, sql } from 'kysely';
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
  /** The channel of the customer's earliest event (null: none yet). */
  acquisition_channel: string | null;
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
interface CustomerViewsTable {
  id: string;
  workspace_id: string;
  name: string;
  filters: Record<string, string | number>;
  sort: string;
  columns: string[];
  created_by: string | null;
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
  customer_views: CustomerViewsTable;
}

export type CustomerRow = Selectable<CustomersTable>;
export type CompanyRow = Selectable<CompaniesTable>;
export type MergeRow = Selectable<MergesTable>;
export type ConflictRow = Selectable<ConflictsTable>;
export type CustomerViewRow = Selectable<CustomerViewsTable>;

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

/** Inserts new profiles in one statement per 1,000. */
export async function insertCustomers(
  db: Db | Tx,
  rows: {
    id: string;
    workspace_id: string;
    first_seen_at: Date | null;
    last_seen_at: Date | null;
    channels: string[];
    created_at: Date;
  }[],
) {
  for (let i = 0; i < rows.length; i += 1000) {
    await t(db)
      .insertInto('customers')
      .values(rows.slice(i, i + 1000))
      .execute();
  }
}

/** Inserts identifiers of many profiles (an identifier already owned stays with its owner), 1,000 a statement. */
export async function insertIdentifiersBulk(
  db: Db | Tx,
  workspaceId: string,
  rows: { customerId: string; identifier: Identifier; sourceId: string | null; seenAt: Date }[],
) {
  for (let i = 0; i < rows.length; i += 1000) {
    await t(db)
      .insertInto('customer_identifiers')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          workspace_id: workspaceId,
          kind: r.identifier.kind,
          value: r.identifier.value,
          customer_id: r.customerId,
          source_id: r.sourceId,
          first_seen_at: r.seenAt,
        })),
      )
      .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
      .execute();
  }
}

/** The traits of profiles and what identity resolution keeps beside them. */
export async function findTraitStates(db: Db | Tx, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return t(db)
    .selectFrom('customers')
    .select(['id', 'traits', 'trait_times', 'email', 'phone'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
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
    | 'acquisition_channel'
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

/** Sets order facts (count, revenue, currency, first and last order) of many profiles in one statement. */
export async function setOrderFacts(
  db: Db | Tx,
  workspaceId: string,
  facts: {
    customerId: string;
    orderCount: number;
    revenue: string;
    currency: string | null;
    firstOrderAt: Date | null;
    lastOrderAt: Date | null;
  }[],
) {
  if (facts.length === 0) return;
  await sql`
    update customers c set
      order_count = v.n, revenue = v.revenue::numeric, currency = v.currency,
      first_order_at = v.first, last_order_at = v.last, updated_at = now()
    from unnest(
      ${facts.map((f) => f.customerId)}::text[], ${facts.map((f) => f.orderCount)}::int[],
      ${facts.map((f) => f.revenue)}::text[], ${facts.map((f) => f.currency)}::text[],
      ${facts.map((f) => f.firstOrderAt?.toISOString() ?? null)}::timestamptz[],
      ${facts.map((f) => f.lastOrderAt?.toISOString() ?? null)}::timestamptz[]
    ) as v(id, n, revenue, currency, first, last)
    where c.workspace_id = ${workspaceId} and c.id = v.id`.execute(db);
}

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

/** Of these profiles, the merged ones and the profile each was merged into. */
export async function survivorsOf(db: Db | Tx, workspaceId: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const r = await sql<{ id: string; merged_into: string }>`
    select id, merged_into from customers
    where workspace_id = ${workspaceId} and id = any(${ids}::text[]) and merged_into is not null`.execute(db);
  return new Map(r.rows.map((x) => [x.id, x.merged_into]));
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

// ── the customers API: list and search, 360, edits, companies ──

const LAST_SEEN_KEY = sql`coalesce(last_seen_at, '-infinity'::timestamptz)`;

type SortKeyType = 'timestamptz' | 'numeric' | 'int' | 'boolean' | 'text';
interface SortKey {
  expr: RawBuilder<unknown>;
  type: SortKeyType;
}

/**
 * The sort keys of the customer list, each followed by `id` to break ties. Each is an indexed
 * expression (0003 and 0005, partial on `merged_into is null`), never null, so a page after a
 * cursor is one row comparison the index answers: keyset pagination at any depth.
 */
export const CUSTOMER_SORT_KEYS: Record<'createdAt' | 'lastSeenAt' | 'revenue' | 'orders' | 'name', SortKey[]> = {
  createdAt: [{ expr: sql`created_at`, type: 'timestamptz' }],
  lastSeenAt: [{ expr: LAST_SEEN_KEY, type: 'timestamptz' }],
  revenue: [{ expr: sql`revenue`, type: 'numeric' }],
  orders: [{ expr: sql`order_count`, type: 'int' }],
  name: [
    { expr: sql`(first_name is null and last_name is null)`, type: 'boolean' },
    { expr: sql`lower(left(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), 100))`, type: 'text' },
  ],
};
export type CustomerSortKey = keyof typeof CUSTOMER_SORT_KEYS;

/** The expression of 0003's trigram index: a search must use exactly this to be served by it. */
const SEARCH_TEXT = sql`(coalesce(first_name,'') || ' ' || coalesce(last_name,'') || ' ' || coalesce(email,'') || ' ' || coalesce(phone,'') || ' ' || coalesce(user_id,''))`;

export interface CustomerFilter {
  /** A LIKE pattern (already escaped, with its % wildcards) over name, email, phone and userId. */
  searchPattern?: string;
  channel?: string;
  tag?: string;
  traitKey?: string;
  /** Any of these values of `traitKey` (a string, and its number/boolean reading). */
  traitValues?: unknown[];
  firstSeenFrom?: Date;
  firstSeenTo?: Date;
  lastSeenFrom?: Date;
  lastSeenTo?: Date;
  minOrders?: number;
  maxOrders?: number;
  minRevenue?: number;
  maxRevenue?: number;
}

export interface CustomerPage {
  sort: CustomerSortKey;
  desc: boolean;
  /** The sort key values (as PostgreSQL prints them) and id of the last row of the previous page. */
  after?: { keys: string[]; id: string };
  limit: number;
}

const SUMMARY = [
  'id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'user_id',
  'channels',
  'acquisition_channel',
  'tags',
  'first_seen_at',
  'last_seen_at',
  'order_count',
  'revenue',
  'currency',
  'last_order_at',
  'created_at',
] as const;
const SUMMARY_COLUMNS = sql.raw(SUMMARY.join(', '));
const SUMMARY_IN_C = sql.raw(SUMMARY.map((c) => `c.${c}`).join(', '));
export type CustomerSummaryRow = Pick<CustomerRow, (typeof SUMMARY)[number]>;

function filterConditions(f: CustomerFilter): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [];
  if (f.searchPattern) c.push(sql`${SEARCH_TEXT} ilike ${f.searchPattern}`);
  if (f.channel) c.push(sql`channels @> array[${f.channel}]::text[]`);
  if (f.tag) c.push(sql`tags @> array[${f.tag}]::text[]`);
  if (f.traitKey !== undefined) {
    const key = f.traitKey;
    if (f.traitValues?.length) {
      const alts = f.traitValues.map((v) => sql`traits @> ${JSON.stringify({ [key]: v })}::jsonb`);
      c.push(sql`(${sql.join(alts, sql` or `)})`);
    } else {
      c.push(sql`traits ? ${key}`);
    }
  }
  if (f.firstSeenFrom) c.push(sql`first_seen_at >= ${f.firstSeenFrom}`);
  if (f.firstSeenTo) c.push(sql`first_seen_at < ${f.firstSeenTo}`);
  // Over the sort key's expression, so that its index serves these ranges too.
  if (f.lastSeenFrom) c.push(sql`${LAST_SEEN_KEY} >= ${f.lastSeenFrom}`);
  if (f.lastSeenTo) c.push(sql`${LAST_SEEN_KEY} < ${f.lastSeenTo} and last_seen_at is not null`);
  if (f.minOrders !== undefined) c.push(sql`order_count >= ${f.minOrders}`);
  if (f.maxOrders !== undefined) c.push(sql`order_count <= ${f.maxOrders}`);
  if (f.minRevenue !== undefined) c.push(sql`revenue >= ${f.minRevenue}`);
  if (f.maxRevenue !== undefined) c.push(sql`revenue <= ${f.maxRevenue}`);
  return c;
}

/**
 * How a page is found. `index` walks the sort's index (no filters: the first rows are the page).
 * `bounded` walks at most `scan` rows of it, filtering as it goes: cheap whatever the filters, and
 * complete when it fills the page. `filtered` finds every match through the filters' own indexes
 * (trigram, GIN, ranges), then sorts them: fast when matches are few, which is when `bounded`
 * came up short. Together they stay fast whether a filter matches most profiles or almost none,
 * and whatever the planner believes about how filters correlate with the sort.
 */
export type ListStrategy = { kind: 'index' } | { kind: 'bounded'; scan: number } | { kind: 'filtered' };

/** One page of a workspace's live (non-merged) profiles: filtered, sorted, after a keyset cursor. */
export function customerListQuery(workspaceId: string, f: CustomerFilter, page: CustomerPage, strategy: ListStrategy) {
  const keys = CUSTOMER_SORT_KEYS[page.sort];
  const base = [sql`workspace_id = ${workspaceId}`, sql`merged_into is null`];
  if (page.after) {
    const after = page.after;
    const left = sql.join([...keys.map((k) => k.expr), sql`id`]);
    const right = sql.join([...keys.map((k, i) => sql`${after.keys[i]}::${sql.raw(k.type)}`), sql`${after.id}`]);
    base.push(page.desc ? sql`(${left}) < (${right})` : sql`(${left}) > (${right})`);
  }
  const filters = filterConditions(f);
  const dir = sql.raw(page.desc ? 'desc' : 'asc');
  const order = sql.join([...keys.map((k) => sql`${k.expr} ${dir}`), sql`id ${dir}`]);
  const keyColumns = sql.join(keys.map((k, i) => sql`(${k.expr})::text as ${sql.id(`sort_key_${i}`)}`));
  const and = (c: RawBuilder<unknown>[]) => (c.length ? sql.join(c, sql` and `) : sql`true`);
  type Row = CustomerSummaryRow & Record<`sort_key_${number}`, string>;
  if (strategy.kind === 'bounded') {
    return sql<Row>`
      select ${SUMMARY_COLUMNS}, ${keyColumns}
      from (select * from customers where ${and(base)} order by ${order} limit ${strategy.scan}) as walked
      where ${and(filters)}
      order by ${order}
      limit ${page.limit}`;
  }
  if (strategy.kind === 'filtered') {
    // Only ids and sort keys are materialised and sorted; the page's rows are read afterwards.
    const vals = keys.map((_, i) => sql.id(`sort_val_${i}`));
    const keyed = sql.join(keys.map((k, i) => sql`${k.expr} as ${vals[i]}`));
    const pageOrder = sql.join([...vals.map((v) => sql`page.${v} ${dir}`), sql`page.id ${dir}`]);
    return sql<Row>`
      with matches as materialized (
        select id, ${keyed} from customers where ${and([...base, ...filters])}
      ),
      page as (
        select * from matches order by ${sql.join([...vals.map((v) => sql`${v} ${dir}`), sql`id ${dir}`])} limit ${page.limit}
      )
      select ${SUMMARY_IN_C}, ${sql.join(vals.map((v, i) => sql`page.${v}::text as ${sql.id(`sort_key_${i}`)}`))}
      from page join customers c on c.id = page.id
      order by ${pageOrder}`;
  }
  return sql<Row>`
    select ${SUMMARY_COLUMNS}, ${keyColumns}
    from customers
    where ${and([...base, ...filters])}
    order by ${order}
    limit ${page.limit}`;
}

/** One page of profiles with each row's sort key values (for the next cursor); see ListStrategy. */
export async function listCustomerPage(db: Db | Tx, workspaceId: string, f: CustomerFilter, page: CustomerPage) {
  const run = async (strategy: ListStrategy) =>
    (await customerListQuery(workspaceId, f, page, strategy).execute(db)).rows;
  let rows: Awaited<ReturnType<typeof run>>;
  if (filterConditions(f).length === 0) rows = await run({ kind: 'index' });
  else {
    rows = await run({ kind: 'bounded', scan: Math.max(10_000, page.limit * 20) });
    if (rows.length < page.limit) rows = await run({ kind: 'filtered' });
  }
  const n = CUSTOMER_SORT_KEYS[page.sort].length;
  return rows.map((r) => ({ row: r, keys: Array.from({ length: n }, (_, i) => r[`sort_key_${i}`] as string) }));
}

export async function findCustomerSummaries(db: Db | Tx, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const r = await sql<CustomerSummaryRow>`
    select ${SUMMARY_COLUMNS} from customers where workspace_id = ${workspaceId} and id = any(${ids}::text[])`.execute(
    db,
  );
  return r.rows;
}

/** The profile that owns an identifier (identifiers always point at a live profile). */
export async function findIdentifierOwner(db: Db | Tx, workspaceId: string, kind: string, value: string) {
  const r = await t(db)
    .selectFrom('customer_identifiers')
    .select('customer_id')
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .executeTakeFirst();
  return r?.customer_id;
}

/** Merges into a profile, including those into profiles that were later merged into it. */
export async function listMergeHistory(db: Db | Tx, workspaceId: string, customerId: string) {
  // `= any(array(…))`, not `or … in (…)`: one index probe per survivor instead of a scan of every merge.
  const r = await sql<MergeRow>`
    select * from customer_merges
    where workspace_id = ${workspaceId}
      and survivor_id = any(array(
        select id from customers where workspace_id = ${workspaceId} and merged_into = ${customerId}
      ) || ${customerId}::text)
    order by created_at desc, id desc`.execute(db);
  return r.rows;
}

export async function findConflict(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('identity_conflicts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function setConflictStatus(db: Db | Tx, workspaceId: string, id: string, status: 'merged' | 'dismissed') {
  return t(db)
    .updateTable('identity_conflicts')
    .set({ status, resolved_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds and removes tags on many live profiles in one statement; returns the ids changed. */
export async function bulkTag(db: Db | Tx, workspaceId: string, ids: string[], add: string[], remove: string[]) {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string }>`
    update customers set
      tags = array(
        select tag from unnest(tags || ${add}::text[]) with ordinality as u(tag, n)
        where tag <> all(${remove}::text[])
        group by tag order by min(n)),
      updated_at = now()
    where workspace_id = ${workspaceId} and id = any(${ids}::text[]) and merged_into is null
    returning id`.execute(db);
  return r.rows.map((x) => x.id);
}

// ── companies ──

export interface CompanyListRow extends CompanyRow {
  people_count: number;
}

const peopleCount = sql<number>`(select count(*)::int from customer_companies cc where cc.workspace_id = companies.workspace_id and cc.company_id = companies.id)`;

/** One page of companies, newest first, optionally by a name or group id fragment. */
export async function listCompanies(
  db: Db | Tx,
  workspaceId: string,
  opts: { searchPattern?: string; after?: { createdAt: string; id: string }; limit: number },
) {
  const where = [sql`workspace_id = ${workspaceId}`];
  if (opts.searchPattern)
    where.push(sql`(coalesce(name, '') ilike ${opts.searchPattern} or group_id ilike ${opts.searchPattern})`);
  if (opts.after) where.push(sql`(created_at, id) < (${opts.after.createdAt}::timestamptz, ${opts.after.id})`);
  const r = await sql<CompanyListRow & { sort_key: string }>`
    select *, ${peopleCount} as people_count, created_at::text as sort_key
    from companies
    where ${sql.join(where, sql` and `)}
    order by created_at desc, id desc
    limit ${opts.limit}`.execute(db);
  return r.rows;
}

export async function findCompany(db: Db | Tx, workspaceId: string, id: string) {
  const r = await sql<CompanyListRow>`
    select *, ${peopleCount} as people_count from companies where workspace_id = ${workspaceId} and id = ${id}`.execute(
    db,
  );
  return r.rows[0];
}

/** The people of a company, most recently linked first. */
export async function listCompanyPeople(db: Db | Tx, workspaceId: string, companyId: string, limit: number) {
  const r = await sql<CustomerSummaryRow>`
    select ${SUMMARY_IN_C}
    from customer_companies cc join customers c on c.id = cc.customer_id and c.workspace_id = cc.workspace_id
    where cc.workspace_id = ${workspaceId} and cc.company_id = ${companyId} and c.merged_into is null
    order by cc.created_at desc, c.id desc
    limit ${limit}`.execute(db);
  return r.rows;
}

// ── batch identity resolution (resolver.ts) ──

/** Owners of many identifiers in one query (arrays, not a long VALUES list: PGlite's stack is small). */
export async function findOwnersBulk(db: Db | Tx, workspaceId: string, ids: Identifier[]) {
  if (ids.length === 0) return [];
  const kinds = ids.map((i) => i.kind);
  const values = ids.map((i) => i.value);
  const r = await sql<{ kind: string; value: string; customer_id: string }>`
    select ci.kind, ci.value, ci.customer_id
    from unnest(${kinds}::text[], ${values}::text[]) as q(kind, value)
    join customer_identifiers ci on ci.workspace_id = ${workspaceId} and ci.kind = q.kind and ci.value = q.value`.execute(
    db,
  );
  return r.rows;
}

/** Creation time and userIds of profiles, for merge decisions. */
export async function findOwnerInfo(db: Db | Tx, workspaceId: string, customerIds: string[]) {
  if (customerIds.length === 0) return [];
  const r = await sql<{ id: string; created_at: Date; merged_into: string | null; user_ids: string[] | null }>`
    select c.id, c.created_at, c.merged_into,
      (select array_agg(i.value) from customer_identifiers i where i.workspace_id = c.workspace_id and i.customer_id = c.id and i.kind = 'user_id') as user_ids
    from customers c where c.workspace_id = ${workspaceId} and c.id in (${sql.join(customerIds)})`.execute(db);
  return r.rows;
}

/** First/last seen, acquisition channel, channels and display identifiers of many profiles in one statement. */
export async function applyTouches(
  db: Db | Tx,
  workspaceId: string,
  rows: {
    id: string;
    first: Date;
    last: Date;
    channels: string[];
    /** The channel of the earliest of these events. */
    firstChannel: string | null;
    userId: string | null;
    email: string | null;
    phone: string | null;
  }[],
) {
  if (rows.length === 0) return;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await sql`
    update customers c set
      acquisition_channel = case
        when c.acquisition_channel is null or v.first < c.first_seen_at then coalesce(v.first_channel, c.acquisition_channel)
        else c.acquisition_channel end,
      first_seen_at = least(coalesce(c.first_seen_at, v.first), v.first),
      last_seen_at = greatest(coalesce(c.last_seen_at, v.last), v.last),
      channels = (select coalesce(array_agg(distinct ch order by ch), '{}') from unnest(c.channels || string_to_array(v.channels, ',')) as ch where ch <> ''),
      user_id = coalesce(c.user_id, v.user_id),
      email = coalesce(c.email, v.email),
      phone = coalesce(c.phone, v.phone),
      updated_at = now()
    from unnest(
      ${col((r) => r.id)}::text[], ${col((r) => r.first.toISOString())}::timestamptz[], ${col((r) => r.last.toISOString())}::timestamptz[],
      ${col((r) => r.channels.join(','))}::text[], ${col((r) => r.firstChannel)}::text[], ${col((r) => r.userId)}::text[],
      ${col((r) => r.email)}::text[], ${col((r) => r.phone)}::text[]
    ) as v(id, first, last, channels, first_channel, user_id, email, phone)
    where c.workspace_id = ${workspaceId} and c.id = v.id`.execute(db);
}

/** Traits and the columns derived from them, for many profiles in one statement. */
export async function applyTraitStates(
  db: Db | Tx,
  workspaceId: string,
  rows: {
    id: string;
    traits: Record<string, unknown>;
    times: Record<string, string>;
    email: string | null;
    phone: string | null;
    first_name: string | null;
    last_name: string | null;
  }[],
) {
  if (rows.length === 0) return;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await sql`
    update customers c set
      traits = v.traits::jsonb, trait_times = v.times::jsonb,
      email = coalesce(v.email, c.email), phone = coalesce(v.phone, c.phone),
      first_name = v.first_name, last_name = v.last_name, updated_at = now()
    from unnest(
      ${col((r) => r.id)}::text[], ${col((r) => JSON.stringify(r.traits))}::text[], ${col((r) => JSON.stringify(r.times))}::text[],
      ${col((r) => r.email)}::text[], ${col((r) => r.phone)}::text[], ${col((r) => r.first_name)}::text[], ${col((r) => r.last_name)}::text[]
    ) as v(id, traits, times, email, phone, first_name, last_name)
    where c.workspace_id = ${workspaceId} and c.id = v.id`.execute(db);
}

/** An open or dismissed conflict between two profiles: a dismissed one is not raised again. */
export async function findUnmergedConflict(db: Db | Tx, workspaceId: string, a: string, b: string) {
  return t(db)
    .selectFrom('identity_conflicts')
    .select(['id', 'status'])
    .where('workspace_id', '=', workspaceId)
    .where('status', 'in', ['open', 'dismissed'])
    .where((eb) =>
      eb.or([
        eb.and([eb('customer_id', '=', a), eb('other_customer_id', '=', b)]),
        eb.and([eb('customer_id', '=', b), eb('other_customer_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
}

// ── saved views ──

// A list stored as a JSON array (the driver would send a JS array as a PostgreSQL array).
const jsonList = (v: string[]) => sql<string[]>`${JSON.stringify(v)}::jsonb`;

/** Every saved view of a workspace, by name. */
export async function listViews(db: Db | Tx, workspaceId: string) {
  return t(db)
    .selectFrom('customer_views')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .execute();
}

export async function countViews(db: Db | Tx, workspaceId: string) {
  const r = await t(db)
    .selectFrom('customer_views')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findView(db: Db | Tx, workspaceId: string, id: string) {
  return t(db)
    .selectFrom('customer_views')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertView(
  db: Db | Tx,
  v: Pick<CustomerViewRow, 'id' | 'workspace_id' | 'name' | 'filters' | 'sort' | 'columns' | 'created_by'>,
) {
  return t(db)
    .insertInto('customer_views')
    .values({ ...v, filters: json(v.filters), columns: jsonList(v.columns) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateView(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  patch: Partial<Pick<CustomerViewRow, 'name' | 'filters' | 'sort' | 'columns'>>,
) {
  return t(db)
    .updateTable('customer_views')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.filters !== undefined ? { filters: json(patch.filters) } : {}),
      ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
      ...(patch.columns !== undefined ? { columns: jsonList(patch.columns) } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteView(db: Db | Tx, workspaceId: string, id: string) {
  const r = await t(db)
    .deleteFrom('customer_views')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ── names of audit targets ────────────────────────────────────────────

/** Profiles of the workspace among `ids`: what a person calls them. */
export async function customerNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('customers')
    .select(['id', 'first_name', 'last_name', 'email', 'phone'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

export async function viewNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('customer_views')
    .select(['id', 'name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}

// ── for journeys: date triggers ──

/**
 * Live customers whose date (a date trait, or a fact column) falls on one of `dates`
 * (YYYY-MM-DD, in `timezone` for the fact columns), or on their month and day when `yearly`.
 * Trait dates are read as written (the first 10 characters: a birthday has no time zone).
 */
export async function customersOnDates(
  db: Db | Tx,
  workspaceId: string,
  q: {
    trait?: string;
    fact?: 'last_order_at' | 'first_order_at' | 'first_seen_at';
    dates: string[];
    yearly: boolean;
    timezone: string;
  },
): Promise<{ id: string; date: string }[]> {
  if (!q.dates.length) return [];
  const value = q.fact
    ? sql`to_char(c.${sql.ref(q.fact)} at time zone ${q.timezone}, 'YYYY-MM-DD')`
    : sql`left(c.traits->>${q.trait ?? ''}, 10)`;
  const keys = q.yearly ? q.dates.map((d) => d.slice(5)) : q.dates;
  const compared = q.yearly ? sql`substr(${value}, 6, 5)` : value;
  const r = await sql<{ id: string; date: string }>`
    select c.id, ${value} as date from customers c
    where c.workspace_id = ${workspaceId} and c.merged_into is null
      and ${compared} = any(${keys}::text[])`.execute(db);
  return r.rows;
}
