// Speed of CLV in the product (issue 7): fit BG/NBD + Gamma-Gamma on a workspace's orders and
// score every customer, through the same service functions the API and the nightly job call —
// reading the orders with SQL, fitting, and writing one row of scores per customer — on
// KITH_BENCH_PREDICT_CUSTOMERS (default 1,000,000) customers in PostgreSQL.
// The customers and their orders are written straight into the tables with SQL (a
// buy-'til-you-die process: heterogeneous purchase rates, drop-out after a purchase, two years),
// which takes a few minutes instead of the hours `kith demo` needs for a million profiles.
// Reference, in the same run: the hand-written SQL that reads the same per-customer summary
// (one aggregate over the orders), which every way of scoring must pay at least once.
// KITH_BENCH_DATABASE_URL (default the test database's server) names the server; a database
// `kith_bench_predict_<pid>` is created and dropped — or KITH_BENCH_PREDICT_DATABASE_URL names one
// an earlier run kept (KITH_BENCH_PREDICT_KEEP=1), used as it is. Needs a build first.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { int, log, root, serverRequire, setLogPrefix } from './lib/kith-bench.mjs';

setLogPrefix('bench predict-db');
const env = process.env;
const CUSTOMERS = Number(env.KITH_BENCH_PREDICT_CUSTOMERS ?? 1_000_000);
const baseUrl = env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dist = (p) => import(pathToFileURL(path.join(root, 'apps/server/dist/src', p)).href);

export async function run() {
  const pg = serverRequire('pg');
  const reuse = env.KITH_BENCH_PREDICT_DATABASE_URL || null;
  const keep = !!reuse || env.KITH_BENCH_PREDICT_KEEP === '1';
  const name = `kith_bench_predict_${process.pid}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  if (!reuse) await admin.query(`create database ${name}`);
  const url = reuse ?? `${baseUrl.replace(/\/[^/]*$/, '')}/${name}`;
  const { openDatabase } = await dist('platform/db.js');
  const { migrateToLatest } = await dist('platform/migrations.js');
  const predict = await dist('predict/service.js');
  const { sql } = serverRequire('kysely');
  const database = await openDatabase({ url, poolSize: 4 });
  const db = database.db;
  try {
    await migrateToLatest(db);
    const ws = 'wsp_bench';
    const now = new Date('2026-11-01T12:00:00Z');
    if (!reuse) await fill(db, sql, ws, now);
    const orders = (await sql`select count(*)::int as n from orders`.execute(db)).rows[0].n;
    const customers = (await sql`select count(*)::int as n from customers`.execute(db)).rows[0].n;

    // As autovacuum would leave the tables between two nightly runs (it is off on the CI machines).
    await sql`vacuum (analyze) customer_predictions`.execute(db);
    await sql`vacuum (analyze) orders`.execute(db);
    // Reference: the per-customer summary by hand (one aggregate over the orders).
    const r0 = performance.now();
    const ref = await sql`
      select customer_id, count(distinct placed_at::date) as days, min(placed_at) as first, max(placed_at) as last,
        sum(total) as spend from orders where workspace_id = ${ws} group by customer_id`.execute(db);
    const refSeconds = (performance.now() - r0) / 1000;

    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const t0 = performance.now();
    const { view: model, current } = await predict.fitClvWithSummary(db, ws, {}, now);
    const fitSeconds = (performance.now() - t0) / 1000;
    const s0 = performance.now();
    const { scored } = await predict.scoreWorkspace(db, ws, now, undefined, current);
    const scoreSeconds = (performance.now() - s0) / 1000;
    clearInterval(sampler);
    // The next night: the same run again, now over last night's rows of scores (updated in place).
    const n0 = performance.now();
    const again = await predict.fitClvWithSummary(db, ws, {}, new Date(now.getTime() + 86_400_000));
    const nextFitSeconds = (performance.now() - n0) / 1000;
    const n1 = performance.now();
    await predict.scoreWorkspace(db, ws, new Date(now.getTime() + 86_400_000), undefined, again.current);
    const nextScoreSeconds = (performance.now() - n1) / 1000;
    const nextTotal = nextFitSeconds + nextScoreSeconds;
    // The orders pass on its own (what the fit spends reading), after the run.
    const { purchaseDaySummariesBoth } = await dist('predict/repository.js');
    const p0 = performance.now();
    const pass = await purchaseDaySummariesBoth(db, ws, {
      timezone: 'UTC',
      calEndDay: Math.floor(now.getTime() / 86_400_000) - 365,
      holdoutEnd: new Date(now.getTime() + 1),
    });
    const passSeconds = (performance.now() - p0) / 1000;
    const passRows = pass.rows.length;
    if (scored !== ref.rows.length) throw new Error(`scored ${scored} customers, the reference has ${ref.rows.length}`);
    const total = fitSeconds + scoreSeconds;
    log(`fit ${fitSeconds.toFixed(1)} s, scoring ${scoreSeconds.toFixed(1)} s; next night ${nextTotal.toFixed(1)} s`);
    const body = [
      `${int(customers)} customers with ${int(orders)} orders in PostgreSQL (filled with SQL: two years, heterogeneous rates, drop-out; stored in the order they were placed, as a shop's table fills).`,
      '',
      '| step | time | note |',
      '| --- | --- | --- |',
      `| fit (\`fitClvWithSummary\`, as the nightly run does: one pass over the orders for the calibration and current summaries and the tracking curve's repeat days, with customer attributes read alongside; BG/NBD + Gamma-Gamma on the calibration period, then refitted on everything from there; holdout diagnostics, tracking curve, fairness by group) | ${fitSeconds.toFixed(1)} s | converged: ${model.converged}; r = ${model.r.toFixed(4)}, α = ${model.alpha.toFixed(3)}, a = ${model.a.toFixed(4)}, b = ${model.b.toFixed(4)}; fit quality ${model.diagnostics.fitQuality} |`,
      `| score every customer (\`scoreWorkspace\` on that summary: P(alive), 30/90/365-day expectations, P(order in 30 d), AOV, CLV, churn risk with reasons, next purchase; ${int(scored)} rows upserted in one transaction) | ${scoreSeconds.toFixed(1)} s | ${int(Math.round(scored / scoreSeconds))} customers/s |`,
      `| **fit + score** | **${total.toFixed(1)} s** | target < 60 s: ${total < 60 ? 'met' : 'not met'} |`,
      `| the next night: fit + score again, the scores now updating last night's rows | ${nextTotal.toFixed(1)} s | fit ${nextFitSeconds.toFixed(1)} s + scoring ${nextScoreSeconds.toFixed(1)} s; target < 60 s: ${nextTotal < 60 ? 'met' : 'not met'} |`,
      `| of the fit: the one pass over the orders on its own (\`purchaseDaySummariesBoth\`, rows read into the process) | ${passSeconds.toFixed(1)} s | ${int(passRows)} customers |`,
      `| reference: the per-customer summary by hand (one aggregate) | ${refSeconds.toFixed(1)} s | fit + score = ${(total / refSeconds).toFixed(1)}× this one query |`,
      '',
      `Peak memory (RSS) of the process during fit + score: ${(peak / 2 ** 20).toFixed(0)} MiB.`,
    ].join('\n');
    return { title: 'Predictions in the product: fit and score 1,000,000 customers on PostgreSQL', body };
  } finally {
    await database.close();
    if (!keep) await admin.query(`drop database if exists ${name}`);
    else if (!reuse) log(`kept ${url}`);
    await admin.end();
  }
}

/** Customers and their orders straight into the tables. */
async function fill(db, sql, ws, now) {
  await sql`insert into workspaces (id, name, currency, timezone) values (${ws}, 'Bench', 'EUR', 'UTC')`.execute(db);
  await sql`insert into sources (id, workspace_id, name, channel, write_key) values ('src_bench', ${ws}, 'Shop', 'ecommerce', 'wk_bench')`.execute(
    db,
  );
  log(`filling ${int(CUSTOMERS)} customers and their orders…`);
  const f0 = performance.now();
  await sql`
      insert into customers (id, workspace_id, email, acquisition_channel, order_count, traits)
      select 'cus_' || g, ${ws}, 'c' || g || '@example.com',
        (array['web','store','email','social','marketplace'])[1 + (g % 5)], 1,
        jsonb_build_object('country', (array['ES','PT','FR','US'])[1 + (g % 4)])
      from generate_series(1, ${CUSTOMERS}) g`.execute(db);
  // Per customer: a first purchase in the two years before now, a purchase rate (gamma-like,
  // mean one every 60 days), a drop-out chance after each purchase; orders until drop-out or now.
  await sql`
      insert into orders (id, workspace_id, source_id, channel, external_id, customer_id, status, currency, total, placed_at, snapshot_at)
      select 'ord_' || c.g || '_' || k, ${ws}, 'src_bench', 'ecommerce', c.g || '-' || k, 'cus_' || c.g, 'completed', 'EUR',
        round((8 + 60 * random() * random())::numeric, 2), c.first + (k * c.gap) * interval '1 day',
        c.first + (k * c.gap) * interval '1 day'
      from (
        select g, ${now}::timestamptz - (30 + random() * 700) * interval '1 day' as first,
          60 * (0.2 + random() * random() * 3) as gap, least(30, floor(ln(1 - random()) / ln(0.55 + random() * 0.4)))::int as n
        from generate_series(1, ${CUSTOMERS}) g
      ) c, generate_series(0, c.n) k
      where c.first + (k * c.gap) * interval '1 day' < ${now}
      order by 10`.execute(db);
  await sql`analyze`.execute(db);
  log(`filled in ${((performance.now() - f0) / 1000).toFixed(0)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  process.stdout.write(`${r.body}\n`);
}
