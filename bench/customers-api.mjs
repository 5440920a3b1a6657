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
import {
  apiGet,
  createApiKey,
  dbName,
  int,
  log,
  mb,
  ms,
  prepareTarget,
  prng,
  seconds,
  setLogPrefix,
  settle,
  shuffled,
  startServer,
  stats,
  stop,
  timeAll,
  withDb,
  withSignals,
} from './lib/kith-bench.mjs';

setLogPrefix('bench customers-api');
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

// ───────────────────────── one database ─────────────────────────

async function benchOne(kind) {
  const target = await prepareTarget(kind, {
    reuseUrl: REUSE_URL,
    baseUrl,
    customers: CUSTOMERS,
    dbPrefix: 'kith-bench-api',
  });
  const out = { kind, fill: target.fill };
  try {
    const { key, keyId } = await createApiKey(target, 'read');
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
    await withDb(target, async (query) => {
      const ws = (await query('select workspace_id from api_keys where id = $1', [keyId])).rows[0]?.workspace_id;
      if (!ws) throw new Error(`API key ${keyId} not found in the database`);
      out.sql = await measureSql(query, ws, out.params);
      out.facts = await facts(query, ws, kind);
      // On a database it did not create, the run leaves its key revoked.
      if (target.reused) await query('update api_keys set revoked_at = now() where id = $1', [keyId]);
    });
    return out;
  } finally {
    await target.dispose();
  }
}

// ───────────────────────── report ─────────────────────────

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
  const results = await withSignals(async () => {
    const rs = [];
    for (const kind of DATABASES) rs.push(await benchOne(kind));
    return rs;
  });
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
