/**
 * The KPI rollup (ADR 0010) answers exactly what the KPI engine computes from orders and events:
 * the pair arithmetic against brute force, then a demo bakery's KPIs for many periods and every
 * channel from the rollup against the live computation, before and after refunds, cancellations,
 * guest and other-currency orders, a guest order gaining its customer, a merge and a time zone change.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupFirstOwner } from '../access/index.js';
import { cancelOrder, refundOrder, upsertOrder } from '../commerce/index.js';
import { lockWorkspaceIdentity, mergeCustomers } from '../customers/index.js';
import { ensureDemoSources, processDemo, storeDemo } from '../demo/service.js';
import type { Database } from '../platform/db.js';
import { createTestDatabase } from '../testing/db.js';
import { DAY_MS, Deltas, Grain, monthOf, PairKind, pairRects, rectDs, type SubjectFacts } from './rollup.js';
import { countDirty, markDirty } from './rollup-repository.js';
import { drain, drainChunk, rollupSettings, rollupStatus } from './rollup-service.js';
import { getChannels, getCohorts, getKpis, getRevenueSeries, scopeOf } from './service.js';
// Its hooks: order writes, processed events and merges mark what the rollup must redo.
import './index.js';

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('rollup arithmetic', () => {
  it('the rectangles of "d ≥ lo and n ≤ hi" count every pair once, at any lo and hi', () => {
    const r = rng(7);
    const base = Date.UTC(2024, 0, 1) / DAY_MS;
    const pairs: [number, number][] = [];
    const deltas = new Deltas();
    for (let i = 0; i < 3000; i++) {
      const d = base + Math.floor(r() * 800);
      const n = d + Math.floor(r() ** 3 * 400);
      pairs.push([d, n]);
      deltas.pair(PairKind.next1, d, n, 'web', 1, 0);
    }
    const cells = [...deltas.pairs.values()];
    // Every grain holds every pair once.
    for (const g of Object.values(Grain)) {
      expect(cells.filter((c) => c.grain === g).reduce((s, c) => s + c.count, 0)).toBe(3000);
    }
    expect(cells.filter((c) => c.grain === Grain.mm).every((c) => c.d === monthOf(c.d) && c.n === monthOf(c.n))).toBe(
      true,
    );
    // As the read does it: each value of d the rectangle names, n in its range.
    const ask = (lo: number, hi: number) =>
      pairRects(lo, hi).reduce(
        (s, q) =>
          s +
          rectDs(q).reduce(
            (t, d) =>
              t +
              cells
                .filter((c) => c.grain === q.grain && c.d === d && c.n >= q.nLo && c.n <= q.nHi)
                .reduce((u, c) => u + c.count, 0),
            0,
          ),
        0,
      );
    const cases: [number, number][] = [
      [base, base + 1200],
      [base + 31, base + 59], // one whole month
      [base + 40, base + 41],
      [base + 45, base + 45],
      [base + 60, base + 30], // empty
    ];
    for (let i = 0; i < 300; i++) {
      const lo = base + Math.floor(r() * 900) - 50;
      cases.push([lo, lo + Math.floor(r() * 500)]);
    }
    for (const [lo, hi] of cases) {
      expect(ask(lo, hi), `${lo}..${hi}`).toBe(pairs.filter(([d, n]) => d >= lo && n <= hi).length);
    }
  });

  it('customers, repeat customers and retention from per-day sums and pair counts equal counting customers', () => {
    const r = rng(11);
    const base = Date.UTC(2025, 0, 1) / DAY_MS;
    const people: number[][] = [];
    const deltas = new Deltas();
    for (let i = 0; i < 400; i++) {
      const days: number[] = [];
      let d = base + Math.floor(r() * 300);
      const k = 1 + Math.floor(r() * 8);
      for (let j = 0; j < k && d < base + 700; j++) {
        days.push(d);
        d += Math.floor(r() * 90); // same-day repeats too
      }
      people.push(days);
      const facts: SubjectFacts = { c: 'web', o: days.map((x) => [x, 1, 1000, null, 'web']), a: [] };
      deltas.add(facts, 1);
    }
    const { days: dayCells, pairs } = deltas.changed();
    const D = (kind: number, lo: number, hi: number) =>
      dayCells.filter((c) => c.kind === kind && c.day >= lo && c.day <= hi).reduce((s, c) => s + c.n, 0);
    const P = (kind: number, lo: number, hi: number) =>
      pairRects(lo, hi).reduce(
        (s, q) =>
          s +
          pairs
            .filter(
              (c) =>
                c.kind === kind && c.grain === q.grain && c.d >= q.dLo && c.d <= q.dHi && c.n >= q.nLo && c.n <= q.nHi,
            )
            .reduce((t, c) => t + c.count, 0),
        0,
      );
    for (let i = 0; i < 200; i++) {
      const a = base + Math.floor(r() * 700);
      const b = a + Math.floor(r() * 200);
      const L = 1 + Math.floor(r() * 120);
      const inRange = people.map((p) => p.filter((d) => d >= a && d <= b).length);
      const before = people.map((p) => p.some((d) => d >= a - L && d < a));
      expect(D(3, a, b) - P(PairKind.next1, a, b)).toBe(inRange.filter((k) => k >= 1).length);
      expect(P(PairKind.next1, a, b) - P(PairKind.next2, a, b)).toBe(inRange.filter((k) => k >= 2).length);
      expect(D(3, a - L, a - 1) - P(PairKind.next1, a - L, a - 1)).toBe(before.filter(Boolean).length);
      expect(P(PairKind.next1, a - L, b) - P(PairKind.next1, a - L, a - 1) - P(PairKind.next1, a, b)).toBe(
        people.filter((_p, j) => before[j] && (inRange[j] as number) > 0).length,
      );
    }
  });
});

describe('rollup against the KPI engine on a demo bakery', () => {
  let database: Database;
  let ws: string;
  const END = new Date('2026-11-23T00:00:00Z');
  const CHANNELS = [undefined, 'web', 'store', 'email', 'social', 'marketplace', 'unknown'];
  const periods: { from: string; to: string }[] = [
    { from: '2025-11-23', to: '2026-11-22' },
    { from: '2026-03-01', to: '2026-03-31' }, // one month, across the spring DST change
    { from: '2026-03-29', to: '2026-03-29' },
    { from: '2025-12-15', to: '2026-02-10' },
    { from: '2024-11-01', to: '2026-11-30' },
    { from: '2026-10-25', to: '2026-11-23' },
  ];
  const r = rng(3);
  const date = (d: number) => new Date(d * DAY_MS).toISOString().slice(0, 10);
  for (let i = 0; i < 3; i++) {
    const from = Date.UTC(2024, 10, 20) / DAY_MS + Math.floor(r() * 700);
    periods.push({ from: date(from), to: date(from + Math.floor(r() * 400)) });
  }

  /** Every KPI and the other-currency orders of every period and channel: rollup and live equal. */
  async function expectSameAsLive(label: string) {
    const s = await scopeOf(database.db, ws);
    expect(await rollupStatus(database.db, s)).toEqual({ ready: true, pending: 0 });
    let compared = 0;
    for (const p of periods) {
      for (const channel of CHANNELS) {
        const q = { ...p, channel };
        const rolled = await getKpis(database.db, ws, q, END);
        const live = await getKpis(database.db, ws, q, END, { fresh: true, live: true });
        expect(rolled.source, label).toBe('rollup');
        expect(live.source).toBe('live');
        expect({ kpis: rolled.kpis, other: rolled.otherCurrency }, `${label}: ${JSON.stringify(q)}`).toEqual({
          kpis: live.kpis,
          other: live.otherCurrency,
        });
        compared++;
        // Cohorts (with and without a channel) and, once per period, the channel table and the revenue series.
        if (channel === undefined || channel === 'store') {
          expect(await getCohorts(database.db, ws, q, END), `${label}: cohorts ${JSON.stringify(q)}`).toEqual(
            await getCohorts(database.db, ws, q, END, { live: true }),
          );
        }
      }
      expect(await getChannels(database.db, ws, p, END), `${label}: channels ${JSON.stringify(p)}`).toEqual(
        await getChannels(database.db, ws, p, END, { live: true }),
      );
      for (const interval of ['day', 'week', 'month'] as const) {
        const q = { ...p, interval };
        expect(await getRevenueSeries(database.db, ws, q, END), `${label}: revenue ${JSON.stringify(q)}`).toEqual(
          await getRevenueSeries(database.db, ws, q, END, { live: true }),
        );
      }
    }
    return compared;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const { workspace } = await setupFirstOwner(database.db, {
      workspaceName: 'Rollup Bakery',
      email: 'owner@example.com',
      password: 'correct horse battery',
      defaultCountry: 'ES',
      currency: 'EUR',
      timezone: 'Europe/Madrid',
    });
    ws = workspace.id;
    await storeDemo(database.db, ws, { customers: 150, seed: 'rollup', end: END });
    await processDemo(database.db, ws);
  }, 240_000);
  afterAll(async () => {
    await database?.close();
  });

  it('is built from scratch for a workspace, then equals the live computation for every period and channel', async () => {
    const s = await scopeOf(database.db, ws);
    // The first read starts the workspace's rollup; the job (here: drain) rolls up what is left.
    await rollupStatus(database.db, s);
    await drain(database.db, s);
    expect(await countDirty(database.db, ws, 0)).toBe(0);
    const orders = await sql<{ n: number }>`select count(*)::int as n from orders where workspace_id = ${ws}`.execute(
      database.db,
    );
    expect(orders.rows[0]?.n).toBeGreaterThan(300);
    expect(await expectSameAsLive('built')).toBe(periods.length * CHANNELS.length);
  }, 240_000);

  it('stays equal after refunds, cancellations, guest and other-currency orders, a guest order claimed, and a merge', async () => {
    const db = database.db;
    const sourceId = (Object.values(await ensureDemoSources(db, ws))[0] as { id: string }).id;
    const some = await sql<{ external_id: string; customer_id: string; channel: string; source_id: string }>`
      select external_id, customer_id, channel, source_id from orders
      where workspace_id = ${ws} and customer_id is not null and cancelled_at is null
      order by placed_at desc, id limit 6`.execute(db);
    const [o1, o2, o3] = some.rows as {
      external_id: string;
      customer_id: string;
      channel: string;
      source_id: string;
    }[];
    const people = await sql<{ id: string }>`
      select id from customers where workspace_id = ${ws} and merged_into is null and order_count >= 2
      order by id limit 2`.execute(db);
    const [p1, p2] = people.rows.map((x) => x.id) as [string, string];
    await db.transaction().execute(async (tx) => {
      await refundOrder(tx, ws, {
        sourceId: o1?.source_id as string,
        channel: o1?.channel as string,
        externalId: o1?.external_id as string,
        refundKey: 'test-refund',
        amount: 1.5,
        at: new Date('2026-11-20T10:00:00Z'),
        customerId: null,
      });
      await cancelOrder(tx, ws, {
        sourceId: o2?.source_id as string,
        channel: o2?.channel as string,
        externalId: o2?.external_id as string,
        at: new Date('2026-11-21T10:00:00Z'),
        customerId: null,
      });
      await refundOrder(tx, ws, {
        sourceId: o3?.source_id as string,
        channel: o3?.channel as string,
        externalId: o3?.external_id as string,
        refundKey: 'test-refund-all',
        amount: null,
        at: new Date('2026-11-21T11:00:00Z'),
        customerId: null,
      });
      const base = { sourceId, channel: 'web', placedAt: new Date('2026-06-30T22:30:00Z') };
      // A guest order; one in another currency by a customer; a guest order that later gains its customer.
      await upsertOrder(tx, ws, { ...base, externalId: 'T-guest', customerId: null, currency: 'EUR', total: 40 });
      await upsertOrder(tx, ws, { ...base, externalId: 'T-usd', customerId: p1, currency: 'USD', total: 25 });
      await upsertOrder(tx, ws, { ...base, externalId: 'T-claim', customerId: null, currency: 'EUR', total: 19.9 });
    });
    await expectSameAsLive('after order writes');
    await db.transaction().execute(async (tx) => {
      await upsertOrder(tx, ws, {
        sourceId,
        channel: 'web',
        externalId: 'T-claim',
        customerId: p2,
        currency: 'EUR',
        total: 19.9,
        placedAt: new Date('2026-06-30T22:30:00Z'),
      });
    });
    await expectSameAsLive('after a guest order gained its customer');
    await db.transaction().execute(async (tx) => {
      await lockWorkspaceIdentity(tx, ws);
      await mergeCustomers(tx, ws, p1, p2, { reason: 'test', actor: { type: 'system', id: null } });
    });
    await expectSameAsLive('after a merge');
  }, 240_000);

  it('loses no write made while a drain runs on another connection (PostgreSQL)', async () => {
    // PGlite runs one transaction at a time: the race needs two connections.
    if (database.kind !== 'postgres') return;
    const db = database.db;
    const s = await scopeOf(db, ws);
    const sourceId = (Object.values(await ensureDemoSources(db, ws))[0] as { id: string }).id;
    const person = (
      await sql<{ id: string }>`select id from customers where workspace_id = ${ws} and merged_into is null
        order by id limit 1 offset 7`.execute(db)
    ).rows[0]?.id as string;
    // A mark already waits for the person (an earlier write not rolled up yet) …
    await markDirty(db, ws, [person]);
    await db.transaction().execute(async (tx) => {
      await upsertOrder(tx, ws, {
        sourceId,
        channel: 'web',
        externalId: 'T-race',
        customerId: person,
        currency: 'EUR',
        total: 33,
        placedAt: new Date('2026-11-01T10:00:00Z'),
      });
      // … and a drain runs while this write is still open: it must leave the person's mark alone.
      await drainChunk(db, s);
    });
    await expectSameAsLive('after a write made while a drain ran');
  }, 240_000);

  it('is rebuilt in the new time zone when the workspace moves', async () => {
    await sql`update workspaces set timezone = 'America/New_York' where id = ${ws}`.execute(database.db);
    const s = await scopeOf(database.db, ws);
    expect(s.tz).toBe('America/New_York');
    const pages = async () =>
      (
        await sql<{
          n: number;
        }>`select relpages::int as n from pg_class where relname = 'analytics_rollup_pairs'`.execute(database.db)
      ).rows[0]?.n ?? 0;
    expect(await pages()).toBe(0); // never analysed: the first build was small
    const saved = rollupSettings.statsAfterBuild;
    rollupSettings.statsAfterBuild = 1;
    try {
      // The first read restarts it; a read rolls up at most a chunk inline, the job the rest.
      await rollupStatus(database.db, s);
      await drain(database.db, s);
    } finally {
      rollupSettings.statsAfterBuild = saved;
    }
    // The build's end refreshed the planner's statistics of the cells it wrote.
    expect(await pages()).toBeGreaterThan(0);
    await expectSameAsLive('after a time zone change');
  }, 240_000);
});
