// Speed of the customers API (issue 4) on `kith demo` data: the list's first page, a search by
// an email fragment, a filter by channel, and the customer 360, each timed over 200 sequential
// requests (one keep-alive client, Node fetch) after 20 warm-up requests, p50 / p95 / max.
// Reference, same run, same database, after the server stopped: the nearest raw SQL of each
// (same parameters, through `pg` or PGlite in this process), and the ratio API p95 ÷ SQL p95.
//
// KITH_BENCH_API_CUSTOMERS (default 1000000): `kith init` then `kith demo --customers N` fill a
// new database of its own, created on KITH_BENCH_DATABASE_URL ?? KITH_TEST_DATABASE_URL ??
// postgres://postgres@127.0.0.1:5432/test and dropped afterwards (PGlite: a temporary data
// folder). 1,000,000 takes about 2 hours (the demo stores about 3,000 events/s), so the fill can
// be done once and the benchmark re-run on it: KITH_BENCH_API_DATABASE_URL names a database
// already filled by `kith demo`, used as it is (no init, no demo, not dropped; the API key the
// run creates there is revoked at the end). KITH_BENCH_DATABASES: postgres (default), pglite, or
// both comma-separated. On PostgreSQL the timings start once autovacuum has caught up with the
// fill (at most KITH_BENCH_API_SETTLE_SECONDS, default 1800), or, where autovacuum is off, after
// the run did its work itself (see settle()). Needs a build (npm run build) first.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kith = path.join(root, 'apps/server/bin/kith.js');
// pg and PGlite exactly as the server resolves them.
const serverRequire = createRequire(path.join(root, 'apps/server/package.json'));

const env = process.env;
const CUSTOMERS = Number(env.KITH_BENCH_API_CUSTOMERS ?? 1_000_000);
const DATABASES = (env.KITH_BENCH_DATABASES ?? 'postgres').split(',').map((s) => s.trim());
const baseUrl = env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REUSE_URL = env.KITH_BENCH_API_DATABASE_URL || null;
const REQUESTS = 200;
const WARMUP = 20;
const LIMIT = 50;
const TARGET_MS = 150;
const SEED = 4;
const SETTLE_S = Number(env.KITH_BENCH_API_SETTLE_SECONDS ?? 1800);

const log = (msg) => process.stderr.write(`bench customers-api: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: small, fast, seeded (the same fragments and ids on every run of the same data). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ───────────────────────── processes ─────────────────────────

const live = new Set();
/** Undone when the benchmark is interrupted (temporary folders, the database it created). */
const cleanups = new Set();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
async function onSignal(signal) {
  log(`${signal}: stopping`);
  await Promise.all([...live].map((child) => stop(child)));
  for (const f of [...cleanups].reverse()) await Promise.resolve(f()).catch(() => {});
  process.exit(130);
}

/** The environment of a `kith` command on this database (PGlite: no DATABASE_URL at all). */
function kithEnv(target) {
  const e = { ...env, KITH_LOG_LEVEL: 'warn', KITH_DATA_DIR: target.dataDir };
  if (target.url) e.DATABASE_URL = target.url;
  else delete e.DATABASE_URL;
  return e;
}

function runKith(args, target) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [kith, ...args], {
      env: kithEnv(target),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      live.delete(child);
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ out, err, seconds });
      else reject(new Error(`kith ${args.join(' ')} exited ${code ?? signal}:\n${(out + err).slice(-2000)}`));
    });
  });
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(target) {
  const port = await freePort();
  const child = spawn(process.execPath, [kith, 'start'], {
    env: { ...kithEnv(target), KITH_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`kith start exited early: ${err}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) return { child, base, stderr: () => err };
    } catch {}
    if (Date.now() - t0 > 120_000) {
      await stop(child);
      throw new Error(`kith start not healthy in 120 s: ${err}`);
    }
    await sleep(50);
  }
}

/** SIGINT, then SIGKILL after 10 s. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

// ───────────────────────── measuring ─────────────────────────

/** Nearest-rank quantile of sorted numbers. */
const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1], n: s.length };
}

/**
 * Times `one(param)` for each parameter, sequentially, after `warm` untimed calls; `one` throws
 * when the answer is wrong (not 200, or empty). Returns the times in ms, in parameter order.
 */
async function timeAll(params, warm, one, label) {
  for (const p of warm) await one(p);
  const times = [];
  const start = performance.now();
  for (const p of params) {
    const t0 = performance.now();
    await one(p);
    times.push(performance.now() - t0);
  }
  if (label) {
    // Where the slowest went (stderr only): the parameter and when, from the first timed request.
    const slow = times
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t - a.t)
      .slice(0, 3)
      .map(({ t, i }) => `${t.toFixed(0)} ms (#${i} ${JSON.stringify(params[i])})`);
    log(`${label}: ${((performance.now() - start) / 1000).toFixed(1)} s; slowest ${slow.join(', ')}`);
  }
  return times;
}

/** A GET with the API key; the time includes reading the whole body. Fails loudly unless 200 with JSON. */
async function apiGet(server, key, pathAndQuery) {
  const res = await fetch(`${server.base}${pathAndQuery}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery}: ${res.status} ${text.slice(0, 500)}`);
  if (!text) throw new Error(`GET ${pathAndQuery}: empty body`);
  return text;
}

const listPath = (q) => `/api/v1/customers?${new URLSearchParams({ ...q, limit: String(LIMIT) })}`;

/** A list request that must return at least one profile. */
async function listNonEmpty(server, key, q) {
  const p = listPath(q);
  const body = JSON.parse(await apiGet(server, key, p));
  if (!Array.isArray(body.data) || body.data.length === 0) throw new Error(`GET ${p}: no customers in the answer`);
  return body;
}

// ───────────────────────── parameters ─────────────────────────

/**
 * Customers to draw parameters from, read through the API: the first 200 of several sorts (newest,
 * oldest, top revenue, most orders, by name, last seen), so that they come from all over the list.
 */
async function sampleCustomers(server, key) {
  const byId = new Map();
  for (const sort of ['-createdAt', 'createdAt', '-revenue', '-orders', 'name', '-lastSeenAt']) {
    const body = JSON.parse(
      await apiGet(server, key, `/api/v1/customers?${new URLSearchParams({ sort, limit: '200' })}`),
    );
    for (const c of body.data) byId.set(c.id, c);
  }
  if (byId.size === 0) throw new Error('the workspace has no customers: did `kith demo` run?');
  return [...byId.values()];
}

function shuffled(xs, rand) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * WARMUP + REQUESTS parameters of each kind (the warm-up ones first, different from the timed
 * ones when the sample allows): email fragments of 4–6 characters from the part before the @
 * of real customers' emails (a domain fragment would match everyone), the channels customers
 * have, and customer ids.
 */
function parameters(sample) {
  const rand = prng(SEED);
  const n = WARMUP + REQUESTS;
  const cycle = (xs) => Array.from({ length: n }, (_, i) => xs[i % xs.length]);
  const emails = shuffled(sample.map((c) => c.email).filter(Boolean), rand);
  if (emails.length === 0) throw new Error('no customer with an email in the sample');
  const fragments = cycle(emails).map((email) => {
    const local = email.split('@')[0];
    const len = Math.min(local.length, 4 + Math.floor(rand() * 3));
    const at = Math.floor(rand() * (local.length - len + 1));
    return local.slice(at, at + len);
  });
  const channels = [...new Set(sample.flatMap((c) => c.channels))].sort();
  if (channels.length === 0) throw new Error('no customer with a channel in the sample');
  const ids = cycle(shuffled(sample, rand).map((c) => c.id));
  const split = (xs) => ({ warm: xs.slice(0, WARMUP), timed: xs.slice(WARMUP) });
  return {
    fragments: split(fragments),
    channels: split(cycle(channels)),
    channelList: channels,
    ids: split(ids),
    distinctIds: Math.min(sample.length, n),
  };
}

// ───────────────────────── the API ─────────────────────────

async function measureApi(server, key, params) {
  const r = {};
  r.firstPage = await timeAll(
    Array.from({ length: REQUESTS }, () => ({})),
    Array.from({ length: WARMUP }, () => ({})),
    (q) => listNonEmpty(server, key, q),
    'API first page',
  );
  r.search = await timeAll(
    params.fragments.timed.map((q) => ({ q })),
    params.fragments.warm.map((q) => ({ q })),
    (q) => listNonEmpty(server, key, q),
    'API search',
  );
  r.channel = await timeAll(
    params.channels.timed.map((channel) => ({ channel })),
    params.channels.warm.map((channel) => ({ channel })),
    (q) => listNonEmpty(server, key, q),
    'API channel',
  );
  r.c360 = await timeAll(
    params.ids.timed,
    params.ids.warm,
    async (id) => {
      const c = JSON.parse(await apiGet(server, key, `/api/v1/customers/${encodeURIComponent(id)}`));
      if (c.id !== id && c.mergedFrom !== id) throw new Error(`GET /api/v1/customers/${id}: answered ${c.id}`);
    },
    'API 360',
  );
  return r;
}

// ───────────────────────── the reference: raw SQL ─────────────────────────

const SUMMARY =
  'id, first_name, last_name, email, phone, user_id, channels, tags, first_seen_at, last_seen_at, order_count, revenue, currency, last_order_at, created_at';
// The expression of the trigram index (migration 0003), as the API searches it.
const SEARCH_TEXT = `(coalesce(first_name,'') || ' ' || coalesce(last_name,'') || ' ' || coalesce(email,'') || ' ' || coalesce(phone,'') || ' ' || coalesce(user_id,''))`;
const LIVE = 'workspace_id = $1 and merged_into is null';
// The list's default sort (-createdAt) and its index, customers_ws_created_idx.
const ORDER = 'order by created_at desc, id desc';
const SQL = {
  firstPage: `select ${SUMMARY} from customers where ${LIVE} ${ORDER} limit ${LIMIT}`,
  search: `select ${SUMMARY} from customers where ${LIVE} and ${SEARCH_TEXT} ilike $2 ${ORDER} limit ${LIMIT}`,
  channel: `select ${SUMMARY} from customers where ${LIVE} and channels @> array[$2]::text[] ${ORDER} limit ${LIMIT}`,
  c360: 'select * from customers where workspace_id = $1 and id = $2',
  // Not a ratio: the biggest of the 360's statements, its timeline's newest events.
  events: 'select * from events where workspace_id = $1 and customer_id = $2 order by timestamp desc, id desc limit 21',
};
const likePattern = (s) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function measureSql(query, ws, params) {
  const run = (text, extra, nonEmpty) => async (p) => {
    const res = await query(text, extra === undefined ? [ws] : [ws, extra(p)]);
    if (nonEmpty && res.rows.length === 0) throw new Error(`no rows: ${text} with ${extra?.(p)}`);
  };
  const same = (n) => Array.from({ length: n }, () => null);
  const r = {};
  r.firstPage = await timeAll(same(REQUESTS), same(WARMUP), run(SQL.firstPage, undefined, true), 'SQL first page');
  r.search = await timeAll(
    params.fragments.timed,
    params.fragments.warm,
    run(SQL.search, likePattern, true),
    'SQL search',
  );
  r.channel = await timeAll(
    params.channels.timed,
    params.channels.warm,
    run(SQL.channel, (c) => c, true),
    'SQL channel',
  );
  r.c360 = await timeAll(
    params.ids.timed,
    params.ids.warm,
    run(SQL.c360, (id) => id, true),
    'SQL 360 row',
  );
  r.events = await timeAll(
    params.ids.timed,
    params.ids.warm,
    run(SQL.events, (id) => id, false),
    'SQL 360 events',
  );
  return r;
}

/** Facts about the database, read after the timings. */
async function facts(query, ws, kind) {
  const one = async (text, p = [ws]) => (await query(text, p)).rows[0];
  const f = {};
  const c = await one(
    `select count(*)::int as live, count(email)::int as emails from customers where workspace_id = $1 and merged_into is null`,
  );
  f.customers = c.live;
  f.withEmail = c.emails;
  const sizes = await one(
    `select pg_total_relation_size('customers')::bigint as customers, pg_total_relation_size('events')::bigint as events,
            (select count(*) from events where workspace_id = $1)::bigint as events_count`,
  );
  f.sizes = { customers: Number(sizes.customers), events: Number(sizes.events) };
  f.events = Number(sizes.events_count);
  if (kind === 'postgres') {
    const s = await one(
      `select current_setting('server_version') as v, current_setting('shared_buffers') as sb,
              current_setting('work_mem') as wm, current_setting('effective_cache_size') as ecs`,
      [],
    );
    f.settings = `PostgreSQL ${s.v}: shared_buffers ${s.sb}, work_mem ${s.wm}, effective_cache_size ${s.ecs}`;
  }
  // Planner statistics (pg_statistic survives restarts, unlike pg_stat_user_tables on PGlite).
  f.analysed = (await one(`select exists (select 1 from pg_stats where tablename = 'customers') as x`, [])).x;
  return f;
}

// ───────────────────────── PostgreSQL after the fill ─────────────────────────

const AUTOVACUUMED = ['customers', 'customer_identifiers', 'events', 'orders', 'order_items', 'order_refunds'];

/**
 * Brings the tables the API reads to where autovacuum leaves them after the fill, so that the
 * timings neither compete with a vacuum of the events table (2 cores) nor use a planner without
 * statistics. With autovacuum on: waits (at most SETTLE_S) until no autovacuum worker runs on
 * this database and every table is under autovacuum's own thresholds. With autovacuum off (as in
 * CI's PostgreSQL): runs `VACUUM (ANALYZE)` itself on the tables over those thresholds, as
 * autovacuum would have; KITH_BENCH_API_ANALYZE=0 measures them as they are instead.
 */
async function settle(url) {
  const pg = serverRequire('pg');
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {}); // (dropping the database on Ctrl-C ends this connection)
  await c.connect();
  const t0 = performance.now();
  const setting = async (name) => (await c.query('select current_setting($1) as v', [name])).rows[0].v;
  const pendingTables = async () =>
    (
      await c.query(
        `select relname from pg_stat_user_tables
          where relname = any($1)
            and (n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
                   + current_setting('autovacuum_analyze_scale_factor')::float8 * n_live_tup
              or n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8
                   + current_setting('autovacuum_vacuum_scale_factor')::float8 * n_live_tup
              or current_setting('autovacuum_vacuum_insert_threshold')::float8 >= 0
                and n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8
                   + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * n_live_tup)
          order by relname`,
        [AUTOVACUUMED],
      )
    ).rows.map((r) => r.relname);
  try {
    if ((await setting('autovacuum')) === 'off') {
      const tables = await pendingTables();
      if (env.KITH_BENCH_API_ANALYZE === '0') return { autovacuum: false, skipped: tables };
      for (const t of tables) {
        log(`autovacuum is off: vacuum (analyze) ${t}…`);
        await c.query(`vacuum (analyze) ${t}`);
      }
      return { autovacuum: false, tables, seconds: (performance.now() - t0) / 1000 };
    }
    let said = -Infinity;
    for (;;) {
      const workers = Number(
        (
          await c.query(
            `select count(*) as n from pg_stat_activity where datname = current_database() and backend_type = 'autovacuum worker'`,
          )
        ).rows[0].n,
      );
      const pending = await pendingTables();
      const s = (performance.now() - t0) / 1000;
      if (workers === 0 && pending.length === 0) return { autovacuum: true, done: true, seconds: s };
      if (s > SETTLE_S) {
        log(
          `autovacuum still busy after ${s.toFixed(0)} s (${workers} workers; pending: ${pending.join(', ')}): measuring anyway`,
        );
        return { autovacuum: true, done: false, seconds: s, pending };
      }
      if (s - said >= 30) {
        log(`waiting for autovacuum (${workers} workers; pending: ${pending.join(', ') || 'none'})…`);
        said = s;
      }
      await sleep(2000);
    }
  } finally {
    await c.end();
  }
}

// ───────────────────────── one database ─────────────────────────

async function benchOne(kind) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-bench-api-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  cleanups.add(removeDir);
  const target = { dataDir, url: null, reused: false };
  const out = { kind };
  let admin;
  let dropDb;
  try {
    if (kind === 'postgres') {
      if (REUSE_URL) {
        target.url = REUSE_URL;
        target.reused = true;
      } else {
        const dbName = `kith_bench_api_${process.pid}`;
        const pg = serverRequire('pg');
        admin = new pg.Client({ connectionString: baseUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName}`);
        await admin.query(`create database ${dbName}`);
        // Once, whoever asks first (the run ending, or Ctrl-C while it ends): both wait for it.
        let dropping;
        dropDb = () => {
          dropping ??= admin
            .query(`drop database if exists ${dbName} with (force)`)
            .catch((e) => log(`could not drop ${dbName}: ${e.message}`))
            .finally(() => cleanups.delete(dropDb));
          return dropping;
        };
        cleanups.add(dropDb);
        const url = new URL(baseUrl);
        url.pathname = `/${dbName}`;
        target.url = url.toString();
      }
    } else if (kind !== 'pglite') {
      throw new Error(`KITH_BENCH_DATABASES: unknown database ${kind} (postgres or pglite)`);
    }

    if (!target.reused) {
      log(`${kind}: kith init…`);
      const init = await runKith(
        ['init', '--workspace', 'Bench Bakery', '--email', 'owner@bench.example', '--password', 'bench-password-42'],
        target,
      );
      log(`${kind}: kith demo --customers ${CUSTOMERS}…`);
      const demo = await runKith(['demo', '--customers', String(CUSTOMERS)], target);
      const text = demo.out + demo.err;
      const grab = (re) => Number((re.exec(text)?.[1] ?? 'NaN').replace(/,/g, ''));
      out.fill = {
        seconds: init.seconds + demo.seconds,
        demoSeconds: demo.seconds,
        events: grab(/events\s+([\d,]+)/),
        storing: /storing ([^,)]+)/.exec(text)?.[1] ?? '?',
        building: /building profiles ([^)]+)\)/.exec(text)?.[1] ?? '?',
      };
      log(`${kind}: filled in ${seconds(out.fill.seconds)}`);
    }

    const created = await runKith(['api-key', 'create', '--name', 'bench', '--scopes', 'read'], target);
    const key = /^(kith_\S+)$/m.exec(created.out)?.[1] ?? created.out.trim().split('\n').pop();
    const keyId = /\(([^)\s]+)\) for /.exec(created.err)?.[1];
    if (!key || !keyId) throw new Error(`kith api-key create: no key in its output:\n${created.out}${created.err}`);

    if (kind === 'postgres') out.settle = await settle(target.url);

    log(`${kind}: kith start…`);
    const server = await startServer(target);
    try {
      const sample = await sampleCustomers(server, key);
      out.params = parameters(sample);
      out.api = await measureApi(server, key, out.params);
    } finally {
      await stop(server.child);
    }

    // The server is stopped (on PGlite it owned the database): the reference, and the facts.
    const withDb = async (f) => {
      if (kind === 'postgres') {
        const pg = serverRequire('pg');
        const c = new pg.Client({ connectionString: target.url });
        c.on('error', () => {}); // (dropping the database on Ctrl-C ends this connection)
        await c.connect();
        try {
          return await f((text, p) => c.query(text, p));
        } finally {
          await c.end();
        }
      }
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
        return await f((text, p) => db.query(text, p));
      } finally {
        await db.close();
      }
    };
    await withDb(async (query) => {
      const ws = (await query('select workspace_id from api_keys where id = $1', [keyId])).rows[0]?.workspace_id;
      if (!ws) throw new Error(`API key ${keyId} not found in the database`);
      out.sql = await measureSql(query, ws, out.params);
      out.facts = await facts(query, ws, kind);
      // On a database it did not create, the run leaves its key revoked.
      if (target.reused) await query('update api_keys set revoked_at = now() where id = $1', [keyId]);
    });
    return out;
  } finally {
    if (dropDb) await dropDb();
    await admin?.end().catch(() => undefined);
    removeDir();
    cleanups.delete(removeDir);
  }
}

// ───────────────────────── report ─────────────────────────

const seconds = (s) =>
  s >= 3600
    ? `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, '0')} s`
      : `${s.toFixed(1)} s`;
const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (x) => (x < 10 ? x.toFixed(1) : int(x));
const mb = (bytes) => `${int(bytes / 2 ** 20)} MB`;
const dbName = (k) => (k === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite');

const KINDS = [
  ['firstPage', `first page: \`GET /api/v1/customers?limit=${LIMIT}\``, 'the same page by the sort’s index'],
  [
    'search',
    `search by email fragment: \`?q=<4–6 characters>&limit=${LIMIT}\``,
    'one `ILIKE` over the trigram index’s expression',
  ],
  ['channel', `filter by channel: \`?channel=<channel>&limit=${LIMIT}\``, '`channels @> array[$2]`, same order'],
  ['c360', 'customer 360: `GET /api/v1/customers/{id}`', 'read of the profile’s row by primary key'],
];

function table(r) {
  const lines = [
    `| request (${REQUESTS} each, one client, after ${WARMUP} warm-up) | API p50 | **API p95** | API max | reference: raw SQL | SQL p50 | SQL p95 | **ratio API p95 ÷ SQL p95** | target p95 < ${TARGET_MS} ms |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [k, label, ref] of KINDS) {
    const a = stats(r.api[k]);
    const s = stats(r.sql[k]);
    const met = a.p95 < TARGET_MS;
    const verdict =
      r.kind === 'postgres'
        ? met
          ? '**met**'
          : '**not met**'
        : `${met ? 'met' : 'not met'} (target is for PostgreSQL)`;
    lines.push(
      `| ${label} | ${ms(a.p50)} ms | **${ms(a.p95)} ms** | ${ms(a.max)} ms | ${ref} | ${ms(s.p50)} ms | ${ms(s.p95)} ms | **${(a.p95 / s.p95).toFixed(1)}×** | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

function details(r) {
  const f = r.facts;
  const byChannel = r.params.channelList
    .map((c) => {
      const t = r.api.channel.filter((_, i) => r.params.channels.timed[i] === c);
      return t.length ? `${c} ${ms(stats(t).p95)} ms` : null;
    })
    .filter(Boolean)
    .join(', ');
  const ev = stats(r.sql.events);
  const lines = [
    `- Workspace: **${int(f.customers)} live customer profiles** (${int(f.withEmail)} with an email); ${int(f.events)} events; table sizes with indexes: customers ${mb(f.sizes.customers)}, events ${mb(f.sizes.events)}.`,
    r.fill
      ? `- Fill: \`kith init\` + \`kith demo --customers ${int(CUSTOMERS)}\` took **${seconds(r.fill.seconds)}** (storing ${int(r.fill.events)} events ${r.fill.storing}, building profiles ${r.fill.building}); not part of the timings above.`
      : '- Fill: a database filled earlier by `kith demo` (KITH_BENCH_API_DATABASE_URL), used as it was.',
    `- Parameters: search fragments are ${REQUESTS} substrings of 4–6 characters of the part before the @ of real customers’ emails (seeded, read through the API from the first 200 customers of six sorts); channels cycle through ${r.params.channelList.map((c) => `\`${c}\``).join(', ')}; the 360 reads ${Math.min(REQUESTS, r.params.distinctIds)} different customers from that sample. Every answer was checked: 200 and at least one customer.`,
    `- Filter by channel, API p95 by channel: ${byChannel}.`,
    `- The 360 runs about ten statements (profile, identifiers, merges, conflicts, companies, and the timeline’s profile, events, orders, refunds and cancellations); its largest alone, the 21 newest events of the customer by \`events_customer_idx\`, takes p50 ${ms(ev.p50)} / p95 ${ms(ev.p95)} ms in raw SQL.`,
    `- Reference SQL, run from this process over one connection after the server stopped (${r.kind === 'postgres' ? '`pg`' : 'PGlite in this process, same settings as the server'}), with the same ${REQUESTS} parameters and ${WARMUP} warm-up: \`select <the list's columns> from customers where workspace_id = $1 and merged_into is null [and <filter>] order by created_at desc, id desc limit ${LIMIT}\` (the list's default sort), the filter being \`${SEARCH_TEXT} ilike '%fragment%'\` or \`channels @> array[channel]\`; for the 360, \`select * from customers where workspace_id = $1 and id = $2\`.`,
  ];
  if (f.settings) {
    const st = r.settle;
    const waited = !st
      ? ''
      : st.autovacuum
        ? st.done
          ? `the timings started once autovacuum had caught up with the fill (waited ${seconds(st.seconds)})`
          : `autovacuum had not caught up after ${seconds(st.seconds)} (pending: ${st.pending.join(', ')}) and ran during the timings`
        : st.skipped
          ? `autovacuum is off on this server and the tables were measured as the fill left them (KITH_BENCH_API_ANALYZE=0; over autovacuum's thresholds: ${st.skipped.join(', ') || 'none'})`
          : `autovacuum is off on this server, so the run did what it would have done before timing: \`VACUUM (ANALYZE)\` of ${st.tables.join(', ') || 'no table (none over its thresholds)'} (${seconds(st.seconds)})`;
    lines.push(`- ${f.settings}; ${waited}.`);
  } else {
    lines.push(
      '- PGlite runs no autovacuum, and Kith does not analyse: the tables were measured as the fill left them.',
    );
  }
  lines.push(
    `- The customers table ${f.analysed ? 'had' : '**had no**'} planner statistics (\`pg_stats\`) during the timings${f.analysed ? '' : ': the planner guessed every selectivity'}.`,
  );
  return lines.join('\n');
}

export async function run() {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results = [];
  try {
    for (const kind of DATABASES) results.push(await benchOne(kind));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const size =
    REUSE_URL && !DATABASES.includes('pglite') ? 'an existing demo database' : `${int(CUSTOMERS)} demo customers`;
  const body = [
    `The customers API on ${size}, served by \`kith start\` on the same machine and called with an API key (scope \`read\`) by one sequential keep-alive client (Node fetch): ${REQUESTS} timed requests of each kind after ${WARMUP} warm-up requests, wall time from sending to the last byte of the answer. Reference, same run, same database, after the server stopped: the nearest raw SQL of each request with the same parameters. Target (issue 4), with 1,000,000 demo customers on PostgreSQL: p95 < ${TARGET_MS} ms for each.`,
    ...results.flatMap((r) => [
      '',
      results.length > 1 ? `**${dbName(r.kind)}**\n` : `Database: ${dbName(r.kind)}.\n`,
      table(r),
      '',
      details(r),
    ]),
  ].join('\n');
  return { title: 'Customers API speed (list, search, filter, 360)', body };
}
