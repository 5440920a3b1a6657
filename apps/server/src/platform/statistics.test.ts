/** Planner statistics after bulk loads (PGlite has no autovacuum). */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/db.js';
import { type Database, refreshStatistics, StatisticsKeeper } from './db.js';

describe('StatisticsKeeper', () => {
  it('asks for a refresh after at least minRows, then after a fifth of all rows written', () => {
    const k = new StatisticsKeeper(1000);
    expect(k.note(600)).toBe(false);
    expect(k.note(400)).toBe(true); // 1,000 since the start
    expect(k.note(999)).toBe(false);
    expect(k.note(1)).toBe(true); // 1,000 more (a fifth of 2,000 is 400)
    expect(k.note(9000)).toBe(true); // 11,000 written: 9,000 ≥ 2,200
    expect(k.note(2000)).toBe(false); // 13,000 written: 2,000 < 2,600
    expect(k.note(600)).toBe(false); // 13,600 written: 2,600 < 2,720
    expect(k.note(200)).toBe(true); // 13,800 written: 2,800 ≥ 2,760
  });
});

let t: Database;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.close();
});

describe('refreshStatistics', () => {
  it('analyses the tables that changed by more than a tenth, giving the planner row counts and column statistics', async () => {
    await sql`create table stats_probe (id int, kind text)`.execute(t.db);
    await sql`insert into stats_probe select g, case when g % 10 = 0 then 'rare' else 'common' end from generate_series(1, 5000) g`.execute(
      t.db,
    );
    expect(await refreshStatistics(t.db)).toContain('stats_probe');
    // Nothing changed since: nothing to analyse.
    expect(await refreshStatistics(t.db)).not.toContain('stats_probe');
    const rel = await sql<{
      n: number;
    }>`select reltuples::int as n from pg_class where relname = 'stats_probe'`.execute(t.db);
    expect(rel.rows[0]?.n).toBe(5000);
    const st = await sql<{
      vals: string;
    }>`select most_common_vals::text as vals from pg_stats where tablename = 'stats_probe' and attname = 'kind'`.execute(
      t.db,
    );
    expect(st.rows[0]?.vals).toBe('{common,rare}');
  });
});
