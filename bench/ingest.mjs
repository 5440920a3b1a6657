// Ingestion throughput of the Segment-compatible tracking API (`POST /v1/batch`), against COPY of
// the same rows into the same database in the same run (the fastest way PostgreSQL loads rows).
//
// 200,000 events over 20,000 customers (identify ~10 %, track ~50 % with orders, page ~40 %),
// generated from a fixed seed, sent in batches of 500 by 8 concurrent keep-alive clients to a
// `kith start` spawned for the run: once on embedded PGlite, once on a new PostgreSQL database
// created on KITH_BENCH_DATABASE_URL ?? KITH_TEST_DATABASE_URL ?? postgres://postgres@127.0.0.1:5432/test
// (and dropped afterwards; skipped with a note when unreachable).
//
// The run is bounded so the whole benchmark ends in about 7 minutes on 2 cores: sending stops
// taking new batches after KITH_BENCH_SEND_SECONDS (default 90) and the wait for background
// processing to catch up stops after KITH_BENCH_CATCHUP_SECONDS (default 90); the table says when
// either bound was hit. Other knobs: KITH_BENCH_EVENTS (200000), KITH_BENCH_CUSTOMERS (20000),
// KITH_BENCH_CLIENTS (8), KITH_BENCH_DATABASES (pglite,postgres), KITH_BENCH_CPU_PROF=DIR (profile
// the server with --cpu-prof into DIR and print where its time went to stderr; a profiled run is
// slower, so run it without rewriting docs/benchmarks.md:
// KITH_BENCH_CPU_PROF=/tmp/kith-prof node -e "import('./bench/ingest.mjs').then((m) => m.run())").
// Needs a build (npm run build) first.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kith = path.join(root, 'apps/server/bin/kith.js');
// pg and PGlite exactly as the server resolves them.
const serverRequire = createRequire(path.join(root, 'apps/server/package.json'));
const rootRequire = createRequire(path.join(root, 'package.json'));

const env = process.env;
const EVENTS = Number(env.KITH_BENCH_EVENTS ?? 200_000);
const CUSTOMERS = Number(env.KITH_BENCH_CUSTOMERS ?? 20_000);
const CLIENTS = Number(env.KITH_BENCH_CLIENTS ?? 8);
const BATCH = 500;
const SEND_S = Number(env.KITH_BENCH_SEND_SECONDS ?? 90);
const CATCHUP_S = Number(env.KITH_BENCH_CATCHUP_SECONDS ?? 90);
const DATABASES = (env.KITH_BENCH_DATABASES ?? 'pglite,postgres').split(',');
const CPU_PROF = env.KITH_BENCH_CPU_PROF ? path.resolve(env.KITH_BENCH_CPU_PROF) : null;
const SEED = 20_000;
const TARGET = { eventsPerSecond: 20_000, ratio: 0.15 };

const log = (msg) => process.stderr.write(`bench ingest: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ───────────────────────── data ─────────────────────────

/** mulberry32: small, fast, seeded. */
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

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'Felix',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Kate',
  'Luca',
  'Maria',
  'Noah',
  'Olivia',
  'Paul',
  'Rosa',
  'Sam',
  'Tara',
  'Yusuf',
];
const LAST = [
  'Martin',
  'Schmidt',
  'García',
  'Rossi',
  'Dubois',
  'Smith',
  'Novak',
  'Kowalski',
  'Jansen',
  'Silva',
  'Brown',
  'Müller',
  'Bianchi',
  'Moreau',
  'Nielsen',
  'Ward',
];
const CITIES = [
  ['London', 'GB', 'en-GB', 'Europe/London'],
  ['Manchester', 'GB', 'en-GB', 'Europe/London'],
  ['Berlin', 'DE', 'de-DE', 'Europe/Berlin'],
  ['Paris', 'FR', 'fr-FR', 'Europe/Paris'],
  ['Madrid', 'ES', 'es-ES', 'Europe/Madrid'],
  ['Milan', 'IT', 'it-IT', 'Europe/Rome'],
  ['Amsterdam', 'NL', 'nl-NL', 'Europe/Amsterdam'],
  ['Dublin', 'IE', 'en-IE', 'Europe/Dublin'],
];
const DOMAINS = ['example.com', 'mail.example', 'post.example.org', 'inbox.example.net'];
const AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/124.0 Mobile',
];
const PRODUCTS = Array.from({ length: 120 }, (_, i) => ({
  product_id: `prod_${String(i + 1).padStart(4, '0')}`,
  sku: `SKU-${1000 + i * 7}`,
  name: `${['Sourdough', 'Rye', 'Croissant', 'Baguette', 'Brioche', 'Cinnamon roll', 'Focaccia', 'Bagel'][i % 8]} ${['classic', 'large', 'seeded', 'wholemeal', 'mini'][i % 5]}`,
  category: ['Bread', 'Pastry', 'Cakes', 'Gifts'][i % 4],
  price: Math.round((1.5 + ((i * 37) % 90) / 4) * 100) / 100,
}));
const PAGES = [
  ['Home', '/'],
  ['Shop', '/shop'],
  ['Bread', '/shop/bread'],
  ['Pastry', '/shop/pastry'],
  ['Cakes', '/shop/cakes'],
  ['Opening hours', '/visit'],
  ['Our story', '/about'],
  ['Cart', '/cart'],
];
const REFERRERS = ['', 'https://www.google.com/', 'https://www.instagram.com/', 'https://news.example.com/letter'];
const TRACKS = [
  ['Product Viewed', 0.36],
  ['Product Added', 0.2],
  ['Products Searched', 0.12],
  ['Checkout Started', 0.1],
  ['Order Completed', 0.14],
  ['Newsletter Subscribed', 0.04],
  ['Cart Viewed', 0.04],
];

function hex(rand, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

/**
 * The events as an SDK sends them, in time order, plus one request body per batch of 500.
 * The same seed always gives the same events.
 */
export function generate(events = EVENTS, customers = CUSTOMERS, seed = SEED) {
  const rand = prng(seed);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const people = Array.from({ length: customers }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, country, locale, timezone] = pick(CITIES);
    return {
      userId: rand() < 0.7 ? `user_${(100_000 + i).toString(36)}` : null,
      anonymousId: `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`,
      traits: {
        email: `${first}.${last}${i}@${pick(DOMAINS)}`
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase(),
        firstName: first,
        lastName: last,
        phone: `+4477009${String(i).padStart(5, '0')}`,
        address: { city, country, postalCode: `${10_000 + Math.floor(rand() * 89_999)}` },
        createdAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 700) * 86_400_000).toISOString(),
      },
      ip: `${10 + (i % 200)}.${(i >> 8) % 256}.${i % 256}.${1 + Math.floor(rand() * 250)}`,
      userAgent: pick(AGENTS),
      locale,
      timezone,
    };
  });
  // Activity is uneven: a few customers are much more active than most.
  const who = () => people[Math.floor(customers * rand() ** 1.6)];
  const start = Date.UTC(2026, 0, 1);
  const span = 30 * 86_400_000;
  const list = [];
  for (let i = 0; i < events; i++) {
    const p = who();
    const ts = new Date(start + Math.floor((i / events) * span + rand() * 60_000)).toISOString();
    // Random UUIDs as SDKs make them (unique: the last group is the event's number).
    const messageId = `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-b${hex(rand, 3)}-${i.toString(16).padStart(12, '0')}`;
    const page = pick(PAGES);
    const context = {
      ip: p.ip,
      userAgent: p.userAgent,
      locale: p.locale,
      timezone: p.timezone,
      library: { name: 'analytics.js', version: '2.11.1' },
      page: { path: page[1], referrer: pick(REFERRERS) },
      ...(rand() < 0.1
        ? { campaign: { source: 'newsletter', medium: 'email', name: `week-${1 + Math.floor(rand() * 52)}` } }
        : {}),
    };
    const ids = {
      ...(p.userId && rand() < 0.8 ? { userId: p.userId } : {}),
      anonymousId: p.anonymousId,
    };
    const r = rand();
    let e;
    if (r < 0.1) {
      const { address, ...rest } = p.traits;
      e = { type: 'identify', ...ids, traits: rand() < 0.5 ? p.traits : rest };
    } else if (r < 0.6) {
      let x = rand();
      let name = TRACKS[0][0];
      for (const [n, w] of TRACKS) {
        x -= w;
        if (x < 0) {
          name = n;
          break;
        }
      }
      const prod = pick(PRODUCTS);
      let properties;
      if (name === 'Order Completed') {
        const products = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
          const q = pick(PRODUCTS);
          return {
            product_id: q.product_id,
            sku: q.sku,
            name: q.name,
            price: q.price,
            quantity: 1 + Math.floor(rand() * 3),
          };
        });
        const total = Math.round(products.reduce((s, q) => s + q.price * q.quantity, 0) * 100) / 100;
        properties = {
          order_id: `ord_${i.toString(36)}`,
          total,
          revenue: Math.round((total / 1.2) * 100) / 100,
          tax: Math.round((total - total / 1.2) * 100) / 100,
          currency: 'EUR',
          products,
        };
      } else if (name === 'Products Searched')
        properties = { query: pick(['rye', 'gluten free', 'birthday cake', 'croissant']) };
      else if (name === 'Newsletter Subscribed') properties = { list: 'weekly', email: p.traits.email };
      else if (name === 'Cart Viewed' || name === 'Checkout Started')
        properties = {
          cart_id: `cart_${hex(rand, 10)}`,
          value: prod.price,
          currency: 'EUR',
          products: [{ product_id: prod.product_id, price: prod.price, quantity: 1 }],
        };
      else
        properties = {
          ...prod,
          currency: 'EUR',
          quantity: name === 'Product Added' ? 1 + Math.floor(rand() * 2) : undefined,
        };
      e = { type: 'track', ...ids, event: name, properties };
    } else {
      e = {
        type: 'page',
        ...ids,
        name: page[0],
        properties: { title: `${page[0]} · Bakery`, path: page[1], url: `https://bakery.example${page[1]}` },
      };
    }
    list.push({ ...e, messageId, timestamp: ts, context });
  }
  const bodies = [];
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = list.slice(i, i + BATCH);
    const sentAt = new Date(Date.parse(batch[batch.length - 1].timestamp) + 2_000).toISOString();
    bodies.push({ json: JSON.stringify({ batch, sentAt }), n: batch.length, sentAt });
  }
  return { events: list, bodies };
}

// ───────────────────────── COPY rows ─────────────────────────

const COPY_COLUMNS = [
  'id',
  'workspace_id',
  'source_id',
  'channel',
  'message_id',
  'type',
  'event',
  'name',
  'user_id',
  'anonymous_id',
  'timestamp',
  'original_timestamp',
  'sent_at',
  'received_at',
  'properties',
  'traits',
  'context',
];
const csvField = (v) => (v === null || v === undefined ? '' : `"${String(v).replaceAll('"', '""')}"`);

/** The rows Kith stores for these events (as segment.ts reads them), as CSV lines. */
function csvLines({ events, bodies }, source) {
  const receivedAt = Date.now();
  const lines = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const sentAt = bodies[Math.floor(i / BATCH)].sentAt;
    const original = Date.parse(e.timestamp);
    const ts = new Date(receivedAt - (Date.parse(sentAt) - original)).toISOString();
    lines.push(
      [
        `evt_bench${String(i).padStart(10, '0')}`,
        source.workspaceId,
        source.id,
        source.channel,
        e.messageId,
        e.type,
        e.event ?? null,
        e.name ?? null,
        e.userId ?? null,
        e.anonymousId ?? null,
        ts,
        e.timestamp,
        sentAt,
        new Date(receivedAt).toISOString(),
        e.properties ? JSON.stringify(e.properties) : null,
        e.traits ? JSON.stringify(e.traits) : null,
        JSON.stringify(e.context),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines;
}

// ───────────────────────── server ─────────────────────────

const live = new Set();
/** Undone when the benchmark is interrupted (temporary folders, the PostgreSQL database). */
const cleanups = new Set();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
/** Interrupted: stop the servers (SIGINT, SIGKILL after 10 s), clean up, then exit. */
async function onSignal(signal) {
  log(`${signal}: stopping the server`);
  await Promise.all([...live].map((child) => stopServer({ child })));
  for (const f of [...cleanups].reverse()) await Promise.resolve(f()).catch(() => {});
  process.exit(130);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function procStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024,
      hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024,
    };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // clock ticks, 100 Hz on Linux
  } catch {
    return 0;
  }
}

/** CPU seconds used on the whole machine (all cores), from /proc/stat. */
function machineCpuSeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
}

/**
 * CPU seconds of the PostgreSQL backends serving the benchmark's database (when PostgreSQL runs
 * on this machine): `pids()` lists them; call the result again at the end for the difference.
 */
async function backendCpu(pids) {
  if (!pids) return async () => 0;
  const before = new Map((await pids()).map((pid) => [pid, cpuSeconds(pid)]));
  return async () => {
    let total = 0;
    for (const pid of await pids()) total += cpuSeconds(pid) - (before.get(pid) ?? 0);
    return total;
  };
}

async function startServer(extraEnv) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-bench-ingest-'));
  const removeDir = () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    cleanups.delete(removeDir);
  };
  cleanups.add(removeDir);
  const childEnv = {
    ...env,
    KITH_PORT: String(port),
    KITH_DATA_DIR: dataDir,
    KITH_LOG_LEVEL: 'warn',
    KITH_INGEST_RATE_LIMIT: '100000',
    ...extraEnv,
  };
  if (!extraEnv.DATABASE_URL) delete childEnv.DATABASE_URL;
  // (--cpu-prof is not allowed in NODE_OPTIONS: it goes on the command line.)
  if (CPU_PROF) fs.mkdirSync(CPU_PROF, { recursive: true });
  const prof = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, kith, 'start'], {
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  const server = { child, port, dataDir, removeDir, base: `http://127.0.0.1:${port}`, stderr: () => err };
  const t0 = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode) throw new Error(`kith start exited early: ${err}`);
      try {
        if ((await fetch(`${server.base}/healthz`)).status === 200) return server;
      } catch {}
      if (Date.now() - t0 > 60_000) throw new Error(`kith start not healthy in 60 s: ${err}`);
      await sleep(50);
    }
  } catch (e) {
    await stopServer(server);
    removeDir();
    throw e;
  }
}

/** SIGINT, then SIGKILL after 10 s. */
async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const t = setTimeout(() => {
    log('server did not stop in 10 s after SIGINT: SIGKILL');
    child.kill('SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(t);
}

/** First-run setup and one web source; returns the session and the source. */
async function setUp(server) {
  const r = await fetch(`${server.base}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      workspaceName: 'Bench bakery',
      email: 'owner@bench.example',
      password: 'bench-password-123',
    }),
  });
  if (r.status !== 201) throw new Error(`setup: ${r.status} ${await r.text()}`);
  const session = await r.json();
  const cookie = (r.headers.getSetCookie?.() ?? [r.headers.get('set-cookie')])
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('kith_session='));
  const headers = { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
  const s = await fetch(`${server.base}/api/v1/sources`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Website', channel: 'web' }),
  });
  if (s.status !== 201) throw new Error(`create source: ${s.status} ${await s.text()}`);
  const source = await s.json();
  return { headers: { cookie }, source };
}

// ───────────────────────── sending ─────────────────────────

async function send(server, writeKey, bodies, backendPids) {
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const latencies = [];
  const totals = { accepted: 0, duplicates: 0, rejected: 0, retries: 0 };
  let next = 0;
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, procStatus(server.child.pid).rss);
  }, 200);
  const cpu0 = cpuSeconds(server.child.pid);
  const pgCpu = await backendCpu(backendPids);
  const machine0 = machineCpuSeconds();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  let capped = false;
  async function client() {
    for (;;) {
      if (performance.now() - t0 > SEND_S * 1000) {
        capped = true;
        return;
      }
      const i = next++;
      if (i >= bodies.length) return;
      for (let attempt = 0; ; attempt++) {
        const s = performance.now();
        let res;
        let text = '';
        try {
          res = await fetch(`${server.base}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: bodies[i].json,
          });
          text = await res.text();
        } catch (err) {
          res = { status: 0 };
          text = String(err);
        }
        if (res.status === 200) {
          latencies.push(performance.now() - s);
          const j = JSON.parse(text);
          totals.accepted += j.accepted;
          totals.duplicates += j.duplicates;
          totals.rejected += j.rejected;
          break;
        }
        if (attempt >= 5 || (res.status >= 400 && res.status < 500 && res.status !== 429))
          throw new Error(`batch ${i}: ${res.status} ${text.slice(0, 300)}`);
        totals.retries++;
        await sleep(res.status === 429 ? 1000 * Number(res.headers.get('retry-after') ?? 1) : 500);
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: CLIENTS }, client));
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const st = procStatus(server.child.pid);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  return {
    ...totals,
    capped,
    batches: latencies.length,
    seconds,
    eventsPerSecond: totals.accepted / seconds,
    p50: q(0.5),
    p99: q(0.99),
    maxLatency: latencies[latencies.length - 1],
    rssMax: Math.max(rssMax, st.rss),
    rssPeak: st.hwm, // VmHWM: the kernel's own peak, since the server started
    serverCpu: cpuSeconds(server.child.pid) - cpu0,
    postgresCpu: await pgCpu(),
    machineCpu: machineCpuSeconds() - machine0,
    clientCpu: (self.user + self.system) / 1e6,
  };
}

// ───────────────────────── background processing ─────────────────────────

/** Waits for the backlog to reach 0, at most CATCHUP_S; `count()` returns the pending events. */
async function catchUp(count, first) {
  const t0 = performance.now();
  let left = first;
  while (left > 0 && performance.now() - t0 < CATCHUP_S * 1000) {
    await sleep(1000);
    left = await count();
  }
  const seconds = (performance.now() - t0) / 1000;
  const rate = left > 0 ? (first - left) / seconds : first / Math.max(seconds, 0.001);
  return { done: left === 0, seconds, left, rate };
}

/** An SSE probe of the live debugger: whether the event with this seq is processed (PGlite, where the server owns the database). */
async function processedAtSeq(server, auth, sourceId, seq) {
  const ac = new AbortController();
  const res = await fetch(`${server.base}/api/v1/sources/${sourceId}/events/live?after=${seq - 1}&maxSeconds=30`, {
    headers: auth.headers,
    signal: ac.signal,
  });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('live stream ended without an event');
      buf += dec.decode(value, { stream: true });
      const m = /event: event\ndata: (.*)\n\n/.exec(buf);
      if (m) return JSON.parse(m[1]).processedAt !== null;
    }
  } finally {
    ac.abort();
  }
}

async function newestEvent(server, auth, sourceId) {
  const r = await fetch(`${server.base}/api/v1/sources/${sourceId}/events?limit=1`, { headers: auth.headers });
  if (r.status !== 200) throw new Error(`events: ${r.status} ${await r.text()}`);
  return (await r.json()).data[0];
}

/** Pending events on PGlite through the API: processing goes in seq order, so binary-search the first unprocessed seq. */
async function pglitePending(server, auth, sourceId) {
  const newest = await newestEvent(server, auth, sourceId);
  if (!newest || newest.processedAt) return 0;
  let lo = 1; // processed below lo… (seq starts at 1 in a new database)
  let hi = newest.seq; // …and hi is unprocessed
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await processedAtSeq(server, auth, sourceId, mid)) lo = mid + 1;
    else hi = mid;
  }
  return newest.seq - hi + 1;
}

// ───────────────────────── CPU profile ─────────────────────────

/** Where the server's time went, from its --cpu-prof profile: by component, top self time, and Kith functions inclusive. */
function summariseProfiles(before, kind) {
  if (!CPU_PROF) return;
  const files = fs.readdirSync(CPU_PROF).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  const component = (cf) => {
    const u = cf.url;
    if (['(garbage collector)', '(idle)', '(program)'].includes(cf.functionName)) return cf.functionName;
    if (u.startsWith('wasm://')) return 'PGlite engine (wasm)';
    if (u.includes('@electric-sql/pglite')) return 'PGlite JS';
    if (u.includes('apps/server/dist')) return 'Kith';
    if (u.includes('node_modules/')) return u.split('node_modules/').pop().split('/')[0];
    if (u.startsWith('node:')) return 'Node.js';
    return u ? 'other' : `native ${cf.functionName}`;
  };
  const label = (cf) =>
    `${cf.functionName || '(anonymous)'} ${
      cf.url
        ? `${cf.url
            .replace(/^file:\/\//, '')
            .replace(`${root}/`, '')
            .replace(/^.*node_modules\//, '')}:${cf.lineNumber + 1}`
        : ''
    }`.trim();
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  const self = new Map();
  const byComponent = new Map();
  const inclusive = new Map();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(fs.readFileSync(path.join(CPU_PROF, f), 'utf8'));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    prof.samples.forEach((id, i) => {
      const dt = (prof.timeDeltas[i] ?? 0) / 1000;
      const n = byId.get(id);
      total += dt;
      add(self, label(n.callFrame), dt);
      add(byComponent, component(n.callFrame), dt);
      const seen = new Set();
      for (let up = id; up !== undefined; up = parent.get(up)) {
        const cf = byId.get(up).callFrame;
        const k = label(cf);
        if (cf.url.includes('apps/server/dist') && !seen.has(k)) {
          seen.add(k);
          add(inclusive, k, dt);
        }
      }
    });
  }
  const top = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => `  ${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  log(
    `${kind}: server CPU profile (${files.join(', ')}), ${(total / 1000).toFixed(0)} s sampled\n` +
      `by component (self time):\n${top(byComponent, 12)}\n` +
      `top self time (without idle):\n${top(new Map([...self].filter(([k]) => k !== '(idle)')), 20)}\n` +
      `Kith functions, inclusive (synchronous stacks only: awaited database time is not included):\n${top(inclusive, 20)}`,
  );
}

// ───────────────────────── one database ─────────────────────────

async function benchOne(kind, data, pgUrl) {
  const out = { kind };
  const profBefore = new Set(CPU_PROF && fs.existsSync(CPU_PROF) ? fs.readdirSync(CPU_PROF) : []);
  const server = await startServer(kind === 'postgres' ? { DATABASE_URL: pgUrl } : {});
  let pg;
  try {
    const auth = await setUp(server);
    const source = auth.source;
    let backendPids;
    if (kind === 'postgres') {
      const { Client } = serverRequire('pg');
      pg = new Client({ connectionString: pgUrl });
      pg.on('error', () => {}); // (dropping the database at the end, or on Ctrl-C, ends this connection)
      await pg.connect();
      backendPids = async () =>
        (
          await pg.query(
            'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
          )
        ).rows.map((r) => r.pid);
    }
    log(`${kind}: sending ${EVENTS} events in ${data.bodies.length} batches with ${CLIENTS} clients…`);
    out.send = await send(server, source.writeKey, data.bodies, backendPids);
    log(
      `${kind}: ${out.send.accepted} accepted in ${out.send.seconds.toFixed(1)} s = ${out.send.eventsPerSecond.toFixed(0)} events/s; p50 ${out.send.p50.toFixed(0)} ms p99 ${out.send.p99.toFixed(0)} ms`,
    );
    let count;
    if (kind === 'postgres') {
      count = async () =>
        Number((await pg.query('select count(*) as n from events where processed_at is null')).rows[0].n);
      const settings = await pg.query(
        `select current_setting('server_version') as v, current_setting('shared_buffers') as sb,
                current_setting('synchronous_commit') as sc, current_setting('fsync') as fs`,
      );
      const x = settings.rows[0];
      out.settings = `PostgreSQL ${x.v}: shared_buffers ${x.sb}, synchronous_commit ${x.sc}, fsync ${x.fs}`;
    } else {
      count = () => pglitePending(server, auth, source.id);
    }
    const p0 = performance.now();
    out.backlog = await count();
    out.backlogProbeSeconds = (performance.now() - p0) / 1000;
    log(`${kind}: backlog when sending stopped: ${out.backlog}; waiting up to ${CATCHUP_S} s for processing…`);
    out.catchUp = await catchUp(
      kind === 'postgres' ? count : async () => ((await newestEvent(server, auth, source.id)).processedAt ? 0 : 1),
      out.backlog,
    );
    out.rssAfter = procStatus(server.child.pid).hwm;
    await stopServer(server);
    if (kind === 'pglite') {
      // The server is stopped: open its database here, count exactly and COPY into it.
      const { PGlite } = serverRequire('@electric-sql/pglite');
      const { pg_trgm } = serverRequire('@electric-sql/pglite/contrib/pg_trgm');
      const opts = await import(pathToFileURL(path.join(root, 'apps/server/dist/src/platform/pglite-options.js')).href);
      const db = new PGlite(path.join(server.dataDir, 'pgdata'), {
        extensions: { pg_trgm },
        initialMemory: opts.PGLITE_MEMORY,
        postgresqlconf: opts.PGLITE_CONF,
      });
      await db.waitReady;
      try {
        const left = Number(
          (await db.query('select count(*)::int as n from events where processed_at is null')).rows[0].n,
        );
        if (!out.catchUp.done) out.catchUp = { ...out.catchUp, left, rate: (out.backlog - left) / out.catchUp.seconds };
        out.copy = await copyPglite(db, data, source);
      } finally {
        await db.close();
      }
    } else {
      if (!out.catchUp.done) out.catchUp.left = await count();
      out.copy = await copyPostgres(pg, data, source);
    }
    summariseProfiles(profBefore, kind);
    return out;
  } finally {
    await stopServer(server);
    await pg?.end().catch(() => {});
    server.removeDir();
  }
}

async function workspaceIdOf(source, query) {
  return (await query('select workspace_id from sources where id = $1', [source.id])).rows[0].workspace_id;
}

const copyTables = [
  // The reference: a table like Kith's events table, with its keys and indexes.
  ['indexed', 'create table bench_events_copy (like events including all)'],
  // And a bare heap (defaults and identity only): the fastest PostgreSQL stores these rows at all.
  ['bare', 'create table bench_events_bare (like events including defaults including identity)'],
];

async function copyPostgres(pg, data, source) {
  const { from } = rootRequire('pg-copy-streams');
  const ws = await workspaceIdOf(source, (q, p) => pg.query(q, p));
  const lines = csvLines(data, { ...source, workspaceId: ws });
  const result = {};
  for (const [name, ddl] of copyTables) {
    await pg.query(ddl);
    const table = ddl.split(' ')[2];
    const t0 = performance.now();
    const stream = pg.query(from(`copy ${table} (${COPY_COLUMNS.join(', ')}) from stdin with (format csv)`));
    await pipeline(
      (function* () {
        for (let i = 0; i < lines.length; i += 1000) yield `${lines.slice(i, i + 1000).join('\n')}\n`;
      })(),
      stream,
    );
    const seconds = (performance.now() - t0) / 1000;
    const n = Number((await pg.query(`select count(*) as n from ${table}`)).rows[0].n);
    if (n !== lines.length) throw new Error(`COPY stored ${n} rows, not ${lines.length}`);
    result[name] = { seconds, eventsPerSecond: n / seconds };
    log(`postgres: COPY ${name}: ${n} rows in ${seconds.toFixed(1)} s`);
  }
  return result;
}

async function copyPglite(db, data, source) {
  const ws = await workspaceIdOf(source, (q, p) => db.query(q, p));
  const lines = csvLines(data, { ...source, workspaceId: ws });
  const blob = new Blob([`${lines.join('\n')}\n`]);
  const result = {};
  for (const [name, ddl] of copyTables) {
    await db.query(ddl);
    const table = ddl.split(' ')[2];
    const t0 = performance.now();
    await db.query(`copy ${table} (${COPY_COLUMNS.join(', ')}) from '/dev/blob' with (format csv)`, [], { blob });
    const seconds = (performance.now() - t0) / 1000;
    const n = Number((await db.query(`select count(*)::int as n from ${table}`)).rows[0].n);
    if (n !== lines.length) throw new Error(`COPY stored ${n} rows, not ${lines.length}`);
    result[name] = { seconds, eventsPerSecond: n / seconds };
    log(`pglite: COPY ${name}: ${n} rows in ${seconds.toFixed(1)} s`);
  }
  return result;
}

// ───────────────────────── PostgreSQL database for the run ─────────────────────────

async function withBenchDatabase(fn) {
  const adminUrl =
    env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const { Client } = serverRequire('pg');
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  admin.on('error', (e) => log(`PostgreSQL: ${e.message}`));
  try {
    await admin.connect();
  } catch (err) {
    return { skipped: `PostgreSQL at ${redact(adminUrl)} unreachable (${err.message})` };
  }
  const name = `kith_bench_ingest_${process.pid}_${Date.now()}`;
  const drop = async () => {
    await admin
      .query(`drop database if exists ${name} with (force)`)
      .catch((e) => log(`could not drop ${name}: ${e.message}`));
    await admin.end().catch(() => {});
  };
  cleanups.add(drop);
  try {
    await admin.query(`create database ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return await fn(u.toString());
  } finally {
    cleanups.delete(drop);
    await drop();
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

// ───────────────────────── report ─────────────────────────

const int = (x) => Math.round(x).toLocaleString('en-US');

function table(results) {
  const cols = results.filter((r) => !r.skipped);
  const row = (what, f) => `| ${what} | ${cols.map((r) => f(r)).join(' | ')} |\n`;
  const ratio = (r, k) => r.send.eventsPerSecond / r.copy[k].eventsPerSecond;
  const sent = (r) =>
    r.send.capped
      ? `${int(r.send.accepted)} of ${int(EVENTS)} in ${r.send.seconds.toFixed(1)} s: sending stopped at the ${SEND_S} s bound`
      : `${int(r.send.accepted)} in ${r.send.seconds.toFixed(1)} s`;
  const catchUp = (r) =>
    r.backlog === 0
      ? 'nothing to catch up'
      : r.catchUp.done
        ? `caught up in ${r.catchUp.seconds.toFixed(0)} s (${int(r.catchUp.rate)} events/s)`
        : `**not caught up after ${r.catchUp.seconds.toFixed(0)} s**: ${int(r.catchUp.left)} left; ${int(r.catchUp.rate)} events/s, so about ${int(r.catchUp.left / Math.max(r.catchUp.rate, 1) / 60)} min more`;
  const cpu = (r) => {
    const c = (x) => (x / r.send.seconds).toFixed(2);
    const pg = r.kind === 'postgres' ? r.send.postgresCpu : 0;
    const other = Math.max(0, r.send.machineCpu - r.send.serverCpu - pg - r.send.clientCpu);
    return `${c(r.send.serverCpu)} / ${r.kind === 'postgres' ? c(pg) : '(in the server)'} / ${c(r.send.clientCpu)} / ${c(other)}`;
  };
  const met = (r) => {
    const rate = r.send.eventsPerSecond >= TARGET.eventsPerSecond;
    const rel = ratio(r, 'indexed') >= TARGET.ratio;
    const say = (ok) => (r.kind === 'postgres' ? (ok ? '**met**' : '**not met**') : ok ? 'met' : 'not met');
    return `events/s ${say(rate)}, ratio ${say(rel)}${r.kind === 'postgres' ? '' : ' (the target is for PostgreSQL)'}`;
  };
  return (
    `| | ${cols.map((r) => (r.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite')).join(' | ')} |\n` +
    `| --- | ${cols.map(() => '---').join(' | ')} |\n` +
    row('**Kith `POST /v1/batch`, events/s sustained**', (r) => `**${int(r.send.eventsPerSecond)}** (${sent(r)})`) +
    row('reference: `COPY`, events/s (into a copy of `events` with its keys and indexes)', (r) =>
      int(r.copy.indexed.eventsPerSecond),
    ) +
    row('**ratio Kith ÷ COPY**', (r) => `**${ratio(r, 'indexed').toFixed(3)}**`) +
    row(
      '`COPY` into a bare heap (no indexes), events/s; ratio',
      (r) => `${int(r.copy.bare.eventsPerSecond)}; ${ratio(r, 'bare').toFixed(3)}`,
    ) +
    row(
      '500-event batch latency p50 / p99 / max',
      (r) => `${int(r.send.p50)} / ${int(r.send.p99)} / ${int(r.send.maxLatency)} ms`,
    ) +
    row(
      'server RSS while sending, max sampled (kernel peak)',
      (r) => `${r.send.rssMax.toFixed(0)} MB (${r.send.rssPeak.toFixed(0)} MB)`,
    ) +
    row(
      `CPU while sending, cores of ${os.cpus().length}: Kith server / PostgreSQL backends of its database / benchmark clients / everything else on the machine`,
      cpu,
    ) +
    row('retries (429, 5xx, network)', (r) => String(r.send.retries)) +
    row(
      'processing backlog when sending stopped',
      (r) => `${int(r.backlog)} events (${((r.backlog / r.send.accepted) * 100).toFixed(0)} % of those sent)`,
    ) +
    row('background processing afterwards', catchUp) +
    row(`target: ≥ ${int(TARGET.eventsPerSecond)} events/s and ≥ ${TARGET.ratio} of COPY`, met)
  );
}

export async function run() {
  const t0 = performance.now();
  log(`generating ${EVENTS} events over ${CUSTOMERS} customers…`);
  const data = generate();
  const bytes = data.events.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0);
  const mix = {};
  for (const e of data.events) {
    const k = e.event === 'Order Completed' ? 'order' : e.type;
    mix[k] = (mix[k] ?? 0) + 1;
  }
  const maxBody = Math.max(...data.bodies.map((b) => Buffer.byteLength(b.json)));
  log(`${(bytes / EVENTS).toFixed(0)} bytes per event on average; largest request ${(maxBody / 1024).toFixed(0)} KB`);

  const results = [];
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (DATABASES.includes('pglite')) results.push(await benchOne('pglite', data));
    if (DATABASES.includes('postgres')) {
      const r = await withBenchDatabase((url) => benchOne('postgres', data, url));
      results.push(r.skipped ? { kind: 'postgres', skipped: r.skipped } : r);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const skipped = results
    .filter((r) => r.skipped)
    .map((r) => `PostgreSQL skipped: ${r.skipped}.\n\n`)
    .join('');
  const pct = (k) => ((mix[k] ?? 0) / EVENTS) * 100;
  const body =
    `${int(EVENTS)} events over ${int(CUSTOMERS)} customers, generated from a fixed seed: identify ${pct('identify').toFixed(0)} %, ` +
    `track ${(pct('track') + pct('order')).toFixed(0)} % (of which \`Order Completed\` with 1–3 products ${pct('order').toFixed(0)} %), page ${pct('page').toFixed(0)} %; ` +
    `${(bytes / EVENTS).toFixed(0)} bytes of JSON per event on average, each with a unique messageId and an analytics.js-like context. ` +
    `Sent as batches of ${BATCH} to \`POST /v1/batch\` by ${CLIENTS} concurrent keep-alive clients (Node fetch) on the same machine, ` +
    'to a `kith start` with a new data folder (PGlite) or a new database (PostgreSQL on this machine). ' +
    'Events/s is accepted events ÷ wall time from the first request to the last response; "200" means committed. ' +
    'Reference, same run, same database, after the server stopped: the same rows, as Kith stores them, loaded by one `COPY … FROM STDIN (FORMAT csv)` ' +
    "(PostgreSQL, through `pg-copy-streams`) or `COPY … FROM '/dev/blob'` (PGlite, in the benchmark process, same PGlite and settings as the server). " +
    'Background processing (identity resolution into profiles) runs while events arrive; the backlog is what is still unprocessed when the last batch is acknowledged. ' +
    `To keep the run to minutes, clients stop taking new batches after ${SEND_S} s and the wait for processing stops after ${CATCHUP_S} s; the table says when either bound was hit. ` +
    'Whatever else runs on the machine at the time competes for its cores: the CPU row shows how much it took.\n\n' +
    `Target (issue 3), on PostgreSQL on this 2-core machine: ≥ ${int(TARGET.eventsPerSecond)} events/s sustained and ≥ ${TARGET.ratio} of COPY. ` +
    'For comparison, RudderStack publishes 1,700 events/s for a 2-core node.\n\n' +
    skipped +
    table(results) +
    results
      .filter((r) => r.settings)
      .map((r) => `\n${r.settings}.\n`)
      .join('');
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return {
    title: 'Ingestion throughput (Segment tracking API)',
    body,
    figures: Object.fromEntries(
      results
        .filter((r) => !r.skipped)
        .map((r) => [
          r.kind,
          {
            eventsPerSecond: r.send.eventsPerSecond,
            copyEventsPerSecond: r.copy.indexed.eventsPerSecond,
            ratio: r.send.eventsPerSecond / r.copy.indexed.eventsPerSecond,
            bareCopyEventsPerSecond: r.copy.bare.eventsPerSecond,
            p50: r.send.p50,
            p99: r.send.p99,
            rssMaxMb: r.send.rssMax,
            backlog: r.backlog,
            catchUp: r.catchUp,
          },
        ]),
    ),
  };
}
