import { type Kysely, sql } from 'kysely';

// Indexes for the customers API (DATA-1, DATA-5): keyset pagination under every sort of the list,
// an index for every filter (tags, traits, first seen; the others reuse the sort indexes), a
// profile's merged tombstones, the companies list. The expressions must
// stay identical to those in customers/repository.ts (CUSTOMER_SORTS), or the planner cannot use them.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Profiles never seen (no events yet) sort as the oldest: a non-null key keeps the keyset a
  // plain row comparison, which the NULLS LAST index of 0003 cannot serve.
  await sql`drop index if exists customers_ws_last_seen_idx`.execute(db);
  await sql`create index customers_ws_last_seen_key_idx on customers (workspace_id, (coalesce(last_seen_at, '-infinity'::timestamptz)) desc, id desc) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_ws_first_seen_idx on customers (workspace_id, first_seen_at) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_ws_orders_idx on customers (workspace_id, order_count desc, id desc) where merged_into is null`.execute(
    db,
  );
  // Named profiles alphabetically, then the unnamed ones (anonymous visitors) after them. The
  // first 100 characters only: a btree entry has a size limit, and names come from public forms.
  await sql`create index customers_ws_name_idx on customers (workspace_id, (first_name is null and last_name is null), (lower(left(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), 100))), id) where merged_into is null`.execute(
    db,
  );
  await sql`create index customers_tags_idx on customers using gin (tags)`.execute(db);
  await sql`create index customers_traits_idx on customers using gin (traits)`.execute(db);
  // The tombstones pointing at a survivor (merge history, and repointing on the next merge).
  await sql`create index customers_merged_into_idx on customers (workspace_id, merged_into) where merged_into is not null`.execute(
    db,
  );
  await sql`create index companies_ws_created_idx on companies (workspace_id, created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of [
    'companies_ws_created_idx',
    'customers_merged_into_idx',
    'customers_traits_idx',
    'customers_tags_idx',
    'customers_ws_name_idx',
    'customers_ws_orders_idx',
    'customers_ws_first_seen_idx',
    'customers_ws_last_seen_key_idx',
  ]) {
    await sql`drop index if exists ${sql.id(i)}`.execute(db);
  }
  await sql`create index customers_ws_last_seen_idx on customers (workspace_id, last_seen_at desc nulls last, id desc) where merged_into is null`.execute(
    db,
  );
}
