// What the API benchmarks share (customers-api, analytics-api): a database filled by `kith demo`
// (created and dropped by the run, or reused), `kith` commands and a `kith start` server as child
// processes, sequential timing with p50/p95, PostgreSQL settled as autovacuum would leave it, and
// the reference SQL run from this process after the server stopped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kith = path.join(root, 'apps/server/bin/kith.js');
// pg and PGlite exactly as the server resolves them.
export const serverRequire = createRequire(path.join(root, 'apps/server/package.json'));

const env = process.env;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let prefix = 'bench';
/** Progress on stderr, prefixed with the benchmark's name. */
export const log = (msg) => process.stderr.write(`${prefix}: ${msg}\n`);
export function setLogPrefix(p) {
  prefix = p;
}

/** mulberry32: small, fast, seeded (the same fragments and ids on every run of the same data). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(xs, rand) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// ───────────────────────── processes ─────────────────────────

export const live = new Set();
/** Undone when the benchmark is interrupted (temporary folders, the database it created). */
export const cleanups = new Set();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
export async function onSignal(signal) {
  log(`${signal}: stopping`);
  await Promise.all([...live].map((child) => stop(child)));
  for (const f of [...cleanups].reverse()) await Promise.resolve(f()).catch(() => {});
  process.exit(130);
}

/** The environment of a `kith` command on this database (PGlite: no DATABASE_URL at all). */
export function kithEnv(target) {
  const e = { ...env, KITH_LOG_LEVEL: 'warn', KITH_DATA_DIR: target.dataDir };
  if (target.url) e.DATABASE_URL = target.url;
  else delete e.DATABASE_URL;
  return e;
}

export function runKith(args, target) {
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

export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(target) {
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
export async function stop(child) {
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

// ───────────────────────── measuring ─────────────────────────

/** Nearest-rank quantile of sorted numbers. */
export const quantile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
export function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1], n: s.length };
}

/**
 * Times `one(param)` for each parameter, sequentially, after `warm` untimed calls; `one` throws
 * when the answer is wrong (not 200, or empty). Returns the times in ms, in parameter order.
 */
export async function timeAll(params, warm, one, label) {
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
export async function apiGet(server, key, pathAndQuery) {
  const res = await fetch(`${server.base}${pathAndQuery}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery}: ${res.status} ${text.slice(0, 500)}`);
  if (!text) throw new Error(`GET ${pathAndQuery}: empty body`);
  return text;
}

// ───────────────────────── PostgreSQL after the fill ─────────────────────────

const AUTOVACUUMED = ['customers', 'customer_identifiers', 'events', 'orders', 'order_items', 'order_refunds'];

/**
 * Brings the tables the API reads to where autovacuum leaves them after the fill, so that the
 * timings neither compete with a vacuum of the events table (2 cores) nor use a planner without
 * statistics. With autovacuum on: waits (at most settleSeconds) until no autovacuum worker runs on
 * this database and every table is under autovacuum's own thresholds. With autovacuum off (as in
 * CI's PostgreSQL): runs `VACUUM (ANALYZE)` itself on the tables over those thresholds, as
 * autovacuum would have; KITH_BENCH_API_ANALYZE=0 measures them as they are instead.
 */
export async function settle(url, settleSeconds = Number(env.KITH_BENCH_API_SETTLE_SECONDS ?? 1800)) {
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
      if (s > settleSeconds) {
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

export const seconds = (s) =>
  s >= 3600
    ? `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, '0')} s`
      : `${s.toFixed(1)} s`;
export const int = (n) => Math.round(n).toLocaleString('en-US');
export const ms = (x) => (x < 10 ? x.toFixed(1) : int(x));
export const mb = (bytes) => `${int(bytes / 2 ** 20)} MB`;
export const dbName = (k) => (k === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite');

/** An API call with the API key; the time includes reading the whole body. Fails loudly unless 2xx with a body. */
export async function apiCall(server, key, method, pathAndQuery, body) {
  const res = await fetch(`${server.base}${pathAndQuery}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${pathAndQuery}: ${res.status} ${text.slice(0, 500)}`);
  if (!text) throw new Error(`${method} ${pathAndQuery}: empty body`);
  return JSON.parse(text);
}

/**
 * The database of one run: on PostgreSQL a new database on `baseUrl` (dropped by `dispose`), or
 * `reuseUrl` as it is; on PGlite a temporary data folder. Unless reused, `kith init` and
 * `kith demo --customers N` fill it; `fill` says how long that took.
 */
export async function prepareTarget(kind, { reuseUrl, baseUrl, customers, dbPrefix }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${dbPrefix}-`));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  cleanups.add(removeDir);
  const target = { kind, dataDir, url: null, reused: false, fill: null };
  let admin;
  let dropDb;
  target.dispose = async () => {
    if (dropDb) await dropDb();
    await admin?.end().catch(() => undefined);
    removeDir();
    cleanups.delete(removeDir);
  };
  try {
    if (kind === 'postgres') {
      if (reuseUrl) {
        target.url = reuseUrl;
        target.reused = true;
      } else {
        const dbName = `${dbPrefix.replaceAll('-', '_')}_${process.pid}`;
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
      log(`${kind}: kith demo --customers ${customers}…`);
      const demo = await runKith(['demo', '--customers', String(customers)], target);
      const text = demo.out + demo.err;
      const grab = (re) => Number((re.exec(text)?.[1] ?? 'NaN').replace(/,/g, ''));
      target.fill = {
        seconds: init.seconds + demo.seconds,
        demoSeconds: demo.seconds,
        events: grab(/events\s+([\d,]+)/),
        storing: /storing ([^,)]+)/.exec(text)?.[1] ?? '?',
        building: /building profiles ([^)]+)\)/.exec(text)?.[1] ?? '?',
      };
      log(`${kind}: filled in ${seconds(target.fill.seconds)}`);
    }
    return target;
  } catch (e) {
    await target.dispose();
    throw e;
  }
}

/** `kith api-key create` on the target: the key and its id. */
export async function createApiKey(target, scopes) {
  const created = await runKith(['api-key', 'create', '--name', 'bench', '--scopes', scopes], target);
  const key = /^(kith_\S+)$/m.exec(created.out)?.[1] ?? created.out.trim().split('\n').pop();
  const keyId = /\(([^)\s]+)\) for /.exec(created.err)?.[1];
  if (!key || !keyId) throw new Error(`kith api-key create: no key in its output:\n${created.out}${created.err}`);
  return { key, keyId };
}

/**
 * Runs `f(query)` on the target's database from this process (the server must be stopped on
 * PGlite, which it owned): `pg` on PostgreSQL, PGlite with the server's settings otherwise.
 */
export async function withDb(target, f) {
  if (target.kind === 'postgres') {
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
  const db = new PGlite(path.join(target.dataDir, 'pgdata'), {
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
}

/** Runs `fn` with SIGINT/SIGTERM undoing what the run made (servers, databases, folders). */
export async function withSignals(fn) {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
