/** `kith demo` end to end: a small demo business through the tracking API's storage path into profiles. */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupFirstOwner } from '../access/index.js';
import { processAllPending } from '../ingest/index.js';
import type { Database } from '../platform/db.js';
import { createTestDatabase } from '../testing/db.js';
import { ensureDemoSources, processDemo, type StoreResult, storeDemo } from './service.js';

const END = new Date('2026-11-23T00:00:00Z');
let database: Database;
let workspaceId: string;
let first: StoreResult;

beforeAll(async () => {
  database = await createTestDatabase();
  const { workspace } = await setupFirstOwner(database.db, {
    workspaceName: 'Corner Bakery',
    email: 'owner@example.com',
    password: 'correct horse battery',
    defaultCountry: 'ES',
    currency: 'EUR',
    timezone: 'Europe/Madrid',
  });
  workspaceId = workspace.id;
  first = await storeDemo(database.db, workspaceId, { customers: 200, seed: 'e2e', end: END });
});

describe('kith demo', () => {
  it('stores every generated event through the tracking API, none quarantined', async () => {
    expect(first.rejected, first.firstRejection ?? '').toBe(0);
    expect(first.duplicates).toBe(0);
    expect(first.accepted).toBe(first.stats.events);
    const r = await sql<{ channel: string; n: number }>`
      select channel, count(*)::int as n from events where workspace_id = ${workspaceId} group by channel order by channel`.execute(
      database.db,
    );
    expect(r.rows.map((x) => x.channel)).toEqual(['email', 'marketplace', 'social', 'store', 'web']);
    expect(r.rows.reduce((s, x) => s + x.n, 0)).toBe(first.stats.events);
  });

  it('builds exactly one profile per generated person: customers plus never-identified visitors', async () => {
    const processed = await processDemo(database.db, workspaceId);
    expect(processed).toBe(first.stats.events);
    expect(await processAllPending(database.db, workspaceId)).toBe(0);
    const live = await sql<{ n: number }>`
      select count(*)::int as n from customers where workspace_id = ${workspaceId} and merged_into is null`.execute(
      database.db,
    );
    expect(live.rows[0]?.n).toBe(first.stats.customers + first.stats.anonymousVisitors);
    // Nothing the processor had to warn about: no junk identifiers, no identity conflicts, no failures.
    const warned = await sql<{ warnings: unknown }>`
      select warnings from events where workspace_id = ${workspaceId} and warnings is not null limit 5`.execute(
      database.db,
    );
    expect(warned.rows).toEqual([]);
  });

  it('links each customer’s channels: phone, email, Instagram handle and marketplace buyer on one profile', async () => {
    const r = await sql<{ kinds: string[] }>`
      select array_agg(distinct kind order by kind) as kinds from customer_identifiers
      where workspace_id = ${workspaceId} group by customer_id`.execute(database.db);
    const kinds = r.rows.map((x) => x.kinds.join(' '));
    expect(kinds.some((k) => k.includes('email') && k.includes('phone'))).toBe(true);
    expect(kinds.some((k) => k.includes('email') && k.includes('external:instagram'))).toBe(true);
    expect(kinds.some((k) => k.includes('email') && k.includes('external:marketplace_buyer'))).toBe(true);
    const identified = kinds.filter((k) => k !== 'anonymous_id');
    expect(identified).toHaveLength(first.stats.customers);
  });

  it('storing the same seed again stores nothing new, and reuses the five sources', async () => {
    const before = await ensureDemoSources(database.db, workspaceId);
    const again = await storeDemo(database.db, workspaceId, { customers: 200, seed: 'e2e', end: END });
    expect(again.accepted).toBe(0);
    expect(again.duplicates).toBe(first.stats.events);
    const after = await ensureDemoSources(database.db, workspaceId);
    expect(Object.values(after).map((s) => s.id)).toEqual(Object.values(before).map((s) => s.id));
    const sources = await sql<{ n: number }>`
      select count(*)::int as n from sources where workspace_id = ${workspaceId}`.execute(database.db);
    expect(sources.rows[0]?.n).toBe(5);
  });
});
