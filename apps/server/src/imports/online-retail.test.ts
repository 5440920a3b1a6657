import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp, setupOwner } from '../testing/app.js';
import { runImport, storeImport } from './index.js';

// The UCI Online Retail data set (541,909 lines), when present next to the repository.
const FILE = path.resolve(import.meta.dirname, '../../../../../shared/datasets/online-retail/online_retail.csv.gz');
const present = existsSync(FILE);
// The full import runs on PGlite only: the postgres project skips it to keep CI time bounded.
const onPostgres = process.env.KITH_TEST_DB === 'postgres';

describe.skipIf(!present || onPostgres)(
  `the full UCI Online Retail import (${present ? (onPostgres ? 'skipped on postgres: PGlite only' : FILE) : `skipped: ${FILE} is absent`})`,
  () => {
    it('matches the customer, order and revenue totals of an independent computation over the CSV', async () => {
      const content = gunzipSync(readFileSync(FILE));
      // Independent: every non-cancelled invoice with a CustomerID, straight from the CSV.
      const rows = parse(content, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
      const customers = new Set<string>();
      const invoices = new Set<string>();
      let revenueCents = 0;
      for (const r of rows) {
        if (!r.CustomerID || r.InvoiceNo?.startsWith('C')) continue;
        customers.add(r.CustomerID);
        invoices.add(r.InvoiceNo as string);
        revenueCents += Number(r.Quantity) * Number(r.UnitPrice) * 100;
      }
      const expected = { customers: customers.size, orders: invoices.size, revenue: Math.round(revenueCents) / 100 };

      const t = await createTestApp();
      const { workspaceId } = await setupOwner(t, 'Online Retail');
      const imp = await storeImport(t.ctx.db, workspaceId, null, {
        kind: 'orders',
        preset: 'online-retail',
        file: { name: 'online_retail.csv', content },
      });
      const t0 = performance.now();
      const result = await runImport({ db: t.ctx.db, reportProgress: async () => {} }, imp.id);
      const seconds = (performance.now() - t0) / 1000;

      const facts = (
        await sql<{ customers: number; orders: number; revenue: string }>`
          select count(*)::int as customers, sum(order_count)::int as orders, sum(revenue)::text as revenue
          from customers where workspace_id = ${workspaceId} and merged_into is null and order_count > 0`.execute(
          t.ctx.db,
        )
      ).rows[0];
      const ours = { customers: facts?.customers, orders: facts?.orders, revenue: Number(facts?.revenue) };
      console.log(
        `online retail: full import ${seconds.toFixed(1)} s; ours ${JSON.stringify(ours)}; independent ${JSON.stringify(expected)}`,
      );
      expect(result).toMatchObject({ rows: rows.length, imported: rows.length, rejected: 0 });
      expect(ours.customers).toBe(expected.customers);
      expect(ours.orders).toBe(expected.orders);
      // Order totals are rounded to cents per order; the independent sum is rounded once.
      expect(Math.abs(ours.revenue - expected.revenue)).toBeLessThan(1);
    }, 1_800_000);
  },
);
