// `kith demo` end to end: a new data folder (PGlite) or database (PostgreSQL), `kith init`, then
// `kith demo --customers N` (KITH_BENCH_DEMO_CUSTOMERS, default 5000), timed as a person would
// time it. Reference, same run, same database, afterwards: the rows the demo left (events,
// profiles, identifiers, orders, line items, refunds) copied by `INSERT … SELECT` into empty
// tables made `LIKE` theirs `INCLUDING ALL` (same indexes): the cost of writing the result
// with no logic at all. Databases: KITH_BENCH_DATABASES (pglite,postgres); PostgreSQL on
// KITH_BENCH_DATABASE_URL ?? KITH_TEST_DATABASE_URL ?? postgres://postgres@127.0.0.1:5432/test,
// where a database of its own is created and dropped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kith = path.join(root, 'apps/server/bin/kith.js');
const serverRequire = createRequire(path.join(root, 'apps/server/package.json'));
const env = process.env;
const CUSTOMERS = Number(env.KITH_BENCH_DEMO_CUSTOMERS ?? 5000);
const DATABASES = (env.KITH_BENCH_DATABASES ?? 'pglite,postgres').split(',');
const baseUrl = env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLES = ['events', 'customers', 'customer_identifiers', 'orders', 'order_items', 'order_refunds'];

function runKith(args, extraEnv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [kith, ...args], {
      env: { ...process.env, KITH_LOG_LEVEL: 'warn', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ out, seconds });
      else reject(new Error(`kith ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

const seconds = (s) =>
  s >= 60 ? `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, '0')} s` : `${s.toFixed(1)} s`;
const int = (n) => Math.round(n).toLocaleString('en-US');

/** The reference: the demo's final rows written again, without logic, into same-shaped tables. */
async function reference(query) {
  let rows = 0;
  const t0 = performance.now();
  for (const t of TABLES) {
    await query(`create table bench_${t} (like ${t} including all)`);
    const r = await query(`insert into bench_${t} overriding system value select * from ${t}`);
    rows += r.affectedRows ?? r.rowCount ?? 0;
  }
  const s = (performance.now() - t0) / 1000;
  for (const t of TABLES) await query(`drop table bench_${t}`);
  return { seconds: s, rows };
}

async function one(kind) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-bench-demo-'));
  const dbName = `kith_bench_demo_${process.pid}`;
  const extraEnv = { KITH_DATA_DIR: dataDir };
  let admin;
  if (kind === 'postgres') {
    const pg = serverRequire('pg');
    admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName}`);
    await admin.query(`create database ${dbName}`);
    const url = new URL(baseUrl);
    url.pathname = `/${dbName}`;
    extraEnv.DATABASE_URL = url.toString();
  }
  try {
    await runKith(
      ['init', '--workspace', 'Bench Bakery', '--email', 'owner@bench.example', '--password', 'bench-password-42'],
      extraEnv,
    );
    const demo = await runKith(['demo', '--customers', String(CUSTOMERS)], extraEnv);
    const grab = (re) => Number((re.exec(demo.out)?.[1] ?? 'NaN').replace(/,/g, ''));
    const events = grab(/events\s+([\d,]+)/);
    const orders = grab(/orders\s+([\d,]+)/);
    const storing = /storing ([^,]+),/.exec(demo.out)?.[1] ?? '?';
    const building = /building profiles ([^)]+)\)/.exec(demo.out)?.[1] ?? '?';
    let ref;
    if (kind === 'postgres') {
      const pg = serverRequire('pg');
      const c = new pg.Client({ connectionString: extraEnv.DATABASE_URL });
      await c.connect();
      try {
        ref = await reference((q) => c.query(q));
      } finally {
        await c.end();
      }
    } else {
      const { PGlite } = serverRequire('@electric-sql/pglite');
      const { pg_trgm } = serverRequire('@electric-sql/pglite/contrib/pg_trgm');
      const opts = await import(pathToFileURL(path.join(root, 'apps/server/dist/src/platform/pglite-options.js')).href);
      const db = new PGlite(path.join(dataDir, 'pgdata'), {
        extensions: { pg_trgm },
        initialMemory: opts.PGLITE_MEMORY,
        postgresqlconf: opts.PGLITE_CONF,
      });
      await db.waitReady;
      try {
        ref = await reference((q) => db.query(q));
      } finally {
        await db.close();
      }
    }
    return { kind, wall: demo.seconds, events, orders, storing, building, ref };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (admin) {
      await admin.query(`drop database if exists ${dbName}`).catch(() => undefined);
      await admin.end();
    }
  }
}

export async function run() {
  const results = [];
  for (const kind of DATABASES) results.push(await one(kind));
  const name = (k) => (k === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite');
  const row = (label, f) => `| ${label} | ${results.map(f).join(' | ')} |`;
  const body = [
    `\`npx kith demo --customers ${CUSTOMERS}\` on a new data folder (PGlite) or a new database (PostgreSQL on this machine), after \`kith init\`: the whole command, timed from spawning the process to its exit (generating the business, storing its events through the tracking API's storage path, building the profiles and orders). Reference, same run, same database, afterwards: the rows the demo left (${TABLES.join(', ')}) written again by \`INSERT … SELECT\` into empty tables with the same columns and indexes, i.e. writing the result with no logic. Target (issue 3): the default 5,000 customers in under a minute.`,
    '',
    `| | ${results.map((r) => name(r.kind)).join(' | ')} |`,
    `| --- | ${results.map(() => '---').join(' | ')} |`,
    row('**`kith demo`, whole command**', (r) => `**${seconds(r.wall)}**`),
    row('of which storing events / building profiles', (r) => `${r.storing} / ${r.building}`),
    row('events; orders', (r) => `${int(r.events)}; ${int(r.orders)}`),
    row('events/s end to end', (r) => int(r.events / r.wall)),
    row(
      'reference: writing the final rows with no logic',
      (r) => `${seconds(r.ref.seconds)} (${int(r.ref.rows)} rows)`,
    ),
    row('**ratio demo ÷ reference**', (r) => `**${(r.wall / r.ref.seconds).toFixed(1)}×**`),
    row('target: under 1 minute', (r) => (r.wall < 60 ? '**met**' : 'not met')),
  ].join('\n');
  return { title: 'Demo data (`kith demo`)', body };
}
