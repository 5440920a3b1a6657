// Speed of segments and the dashboard's KPIs (issue 5) on `kith demo` data, through the API of
// `kith start` with an API key, against hand-written SQL over the same tables in the same run:
// - a segment preview with three conditions (a trait, an event count in the last 30 days, revenue
//   above an amount): `POST /api/v1/segments/preview`; reference: one hand-written count query;
// - a full membership refresh of that segment, saved: `POST /api/v1/segments/{id}/refresh`;
//   reference: the same set difference (who enters, who leaves) by hand, without the writes;
// - the dashboard's KPI set, `GET /api/v1/metrics/kpis`, from the KPI rollup (ADR 0010; the run
//   waits until it is built): any period (12 months ending on different days, other lengths) and
//   acquisition channel, and the default period again; reference: hand-written queries for the
//   same figures over orders, profiles and events;
// - the dashboard's other requests (channels, cohorts, revenue over time): timings only.
// Every answer is checked against its reference (the preview's count, the refresh's member count,
// the KPI's orders, customers and net revenue), so a fast wrong answer fails the run.
//
// KITH_BENCH_API_CUSTOMERS (default 1000000) customers filled by `kith init` + `kith demo` in a new
// database, or KITH_BENCH_API_DATABASE_URL: a database filled earlier by `kith demo`, used as it is
// (the segment and API key the run creates there are deleted / revoked at the end).
// KITH_BENCH_DATABASES: postgres (default), pglite or both. Needs a build (npm run build) first.
import {
  apiCall,
  createApiKey,
  dbName,
  int,
  log,
  ms,
  prepareTarget,
  seconds,
  setLogPrefix,
  settle,
  startServer,
  stats,
  stop,
  timeAll,
  withDb,
  withSignals,
} from './lib/kith-bench.mjs';

setLogPrefix('bench analytics-api');
const env = process.env;
const CUSTOMERS = Number(env.KITH_BENCH_API_CUSTOMERS ?? 1_000_000);
const DATABASES = (env.KITH_BENCH_DATABASES ?? 'postgres').split(',').map((s) => s.trim());
const baseUrl = env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REUSE_URL = env.KITH_BENCH_API_DATABASE_URL || null;
const PREVIEWS = Number(env.KITH_BENCH_PREVIEWS ?? 50);
const REFRESHES = Number(env.KITH_BENCH_REFRESHES ?? 10);
const KPI_LIVE = Number(env.KITH_BENCH_KPI_LIVE ?? 20);
const KPI_SNAPSHOT = 50;
const DASHBOARD = 20;
const CHANNELS = ['web', 'store', 'email', 'social', 'marketplace'];

/** Polls the rollup's state until it is ready; how long since the server started, and its size. */
async function waitForRollup(call) {
  const t0 = performance.now();
  let last = -1;
  for (;;) {
    const x = await call('GET', '/api/v1/metrics/rollup');
    if (x.ready && x.pending === 0) return { ...x, waitedSeconds: (performance.now() - t0) / 1000 };
    if (x.pending !== last) log(`rollup: ${int(x.pending)} customers and guest orders to roll up…`);
    last = x.pending;
    await new Promise((res) => setTimeout(res, 5000));
  }
}
const WARMUP = 2;
const TARGETS = { preview: 1000, kpis: 500 };

// The segment: Spanish-speaking customers who opened an email in the last 30 days and
// spent more than 100 in all (the demo's bakery: a newsletter, two years of orders).
const TRAIT = { key: 'locale', value: 'es' };
const EVENT = { name: 'Email Opened', atLeast: 1, days: 30 };
const REVENUE_OVER = 100;
const RULE = {
  all: [
    { type: 'trait', trait: TRAIT.key, op: 'equals', value: TRAIT.value },
    {
      type: 'event',
      event: EVENT.name,
      did: true,
      count: { op: 'at_least', value: EVENT.atLeast },
      within: { lastDays: EVENT.days },
    },
    { type: 'orders', metric: 'revenue', op: 'gt', value: REVENUE_OVER },
  ],
};

// ───────────────────────── the API ─────────────────────────

async function measureApi(server, key) {
  const r = {};
  const call = (method, p, body) => apiCall(server, key, method, p, body);
  const counts = new Set();
  r.preview = await timeAll(
    Array.from({ length: PREVIEWS }, () => null),
    Array.from({ length: WARMUP }, () => null),
    async () => {
      const p = await call('POST', '/api/v1/segments/preview', { rule: RULE });
      if (typeof p.count !== 'number') throw new Error(`preview: no count in ${JSON.stringify(p).slice(0, 300)}`);
      counts.add(p.count);
    },
    'API preview',
  );
  r.previewCount = [...counts];

  const name = `Bench segment ${process.pid}`;
  const segment = await call('POST', '/api/v1/segments', { name, kind: 'dynamic', rule: RULE });
  r.segmentId = segment.id;
  try {
    const members = new Set();
    r.refresh = await timeAll(
      Array.from({ length: REFRESHES }, () => null),
      Array.from({ length: WARMUP }, () => null),
      async () => {
        const x = await call('POST', `/api/v1/segments/${segment.id}/refresh`);
        if (typeof x.memberCount !== 'number') throw new Error(`refresh: ${JSON.stringify(x).slice(0, 300)}`);
        members.add(x.memberCount);
      },
      'API refresh',
    );
    r.memberCount = [...members];
  } catch (e) {
    await call('DELETE', `/api/v1/segments/${segment.id}`).catch(() => {});
    throw e;
  }

  // The KPI rollup (ADR 0010) must be built before its reads are timed: how long that took.
  r.rollup = await waitForRollup(call);

  // Any period: 12 months ending 0, 1, 2 … days ago, and every few requests another length
  // (a quarter, 30 days, a calendar month, 18 months) or one acquisition channel.
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  const periods = Array.from({ length: KPI_LIVE + WARMUP }, (_, i) => {
    const to = new Date(today.getTime() - i * 86_400_000);
    const from = new Date(to);
    const shape = i % 5;
    if (shape === 1) from.setUTCDate(from.getUTCDate() - 89);
    else if (shape === 2) from.setUTCDate(from.getUTCDate() - 29);
    else if (shape === 3) {
      from.setUTCDate(1);
      from.setUTCMonth(from.getUTCMonth() - 2);
      to.setTime(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 0));
    } else if (shape === 4) {
      from.setUTCMonth(from.getUTCMonth() - 18);
      from.setUTCDate(from.getUTCDate() + 1);
    } else {
      from.setUTCFullYear(from.getUTCFullYear() - 1);
      from.setUTCDate(from.getUTCDate() + 1);
    }
    const p = { from: iso(from), to: iso(to) };
    return i % 3 === 2 ? { ...p, channel: CHANNELS[i % CHANNELS.length] } : p;
  });
  r.kpiAnswers = [];
  const sources = new Set();
  r.kpisLive = await timeAll(
    periods.slice(WARMUP),
    periods.slice(0, WARMUP),
    async (p) => {
      const k = await call('GET', `/api/v1/metrics/kpis?${new URLSearchParams(p)}`);
      if (!k.kpis?.orders) throw new Error(`kpis: ${JSON.stringify(k).slice(0, 300)}`);
      sources.add(k.source);
      r.kpiAnswers.push(k);
    },
    'API KPIs computed',
  );
  r.kpiSources = [...sources];
  // The dashboard's other requests for the default period (no hand-written reference: timings only).
  r.dashboard = {};
  for (const [name, path] of [
    ['channels', '/api/v1/metrics/channels'],
    ['cohorts', '/api/v1/metrics/cohorts'],
    ['revenue', '/api/v1/metrics/revenue?interval=month'],
  ]) {
    r.dashboard[name] = await timeAll(
      Array.from({ length: DASHBOARD }, () => null),
      [null],
      async () => {
        const x = await call('GET', path);
        if (!x || typeof x !== 'object') throw new Error(`${path}: ${JSON.stringify(x).slice(0, 300)}`);
      },
      `API ${name}`,
    );
  }
  r.kpisSnapshot = await timeAll(
    Array.from({ length: KPI_SNAPSHOT }, () => null),
    [null],
    async () => {
      const k = await call('GET', '/api/v1/metrics/kpis');
      if (!k.kpis?.orders) throw new Error(`kpis: ${JSON.stringify(k).slice(0, 300)}`);
      r.kpiDefault = k;
    },
    'API KPIs default',
  );
  return r;
}

// ───────────────────────── the reference: hand-written SQL ─────────────────────────

const LIVE = 'c.workspace_id = $1 and c.merged_into is null';
const SQL = {
  // $1 workspace, $2 trait value, $3 event, $4 at least, $5 days, $6 revenue.
  preview: `
    with recent as (
      select customer_id from events
      where workspace_id = $1 and type = 'track' and event = $3
        and timestamp >= now() - make_interval(days => $5) and timestamp <= now()
      group by customer_id having count(*) >= $4
    )
    select count(*)::int as n from customers c join recent r on r.customer_id = c.id
    where ${LIVE} and c.traits->>'${TRAIT.key}' = $2 and c.revenue > $6`,
  // + $7 segment id: who would enter, who would leave.
  refresh: `
    with recent as (
      select customer_id from events
      where workspace_id = $1 and type = 'track' and event = $3
        and timestamp >= now() - make_interval(days => $5) and timestamp <= now()
      group by customer_id having count(*) >= $4
    ), m as (
      select c.id from customers c join recent r on r.customer_id = c.id
      where ${LIVE} and c.traits->>'${TRAIT.key}' = $2 and c.revenue > $6
    )
    select (select count(*) from m)::int as members,
           (select count(*) from m where not exists (
              select 1 from segment_members s where s.segment_id = $7 and s.customer_id = m.id))::int as entering,
           (select count(*) from segment_members s where s.segment_id = $7 and s.workspace_id = $1
              and not exists (select 1 from m where m.id = s.customer_id))::int as leaving`,
};

/**
 * The KPI set by hand for one period and the one before it (same length), local dates in the
 * workspace's time zone: orders, customers, repeaters, net revenue and AOV in one pass over the
 * orders; new customers from the profiles; retention over the customers active at the start; the
 * engagement inputs over the last 30 days. Returns the figures and the time of all five queries.
 */
async function kpisBySql(query, ws, p) {
  const t0 = performance.now();
  // With a channel: only customers acquired through it, and their orders (guests drop out).
  const chan = (alias) =>
    p.channel
      ? `join customers cc on cc.id = ${alias}.customer_id and cc.workspace_id = $1 and coalesce(cc.acquisition_channel, 'unknown') = '${p.channel.replaceAll("'", "''")}'`
      : '';
  const chanC = p.channel
    ? `and coalesce(c.acquisition_channel, 'unknown') = '${p.channel.replaceAll("'", "''")}'`
    : '';
  const setting = (
    await query(`select coalesce(w.timezone, 'UTC') as tz, w.currency from workspaces w where w.id = $1`, [ws])
  ).rows[0];
  const bounds = `
    (($2::date)::timestamp at time zone $5) as cur_from, (($3::date + 1)::timestamp at time zone $5) as cur_to,
    (($6::date)::timestamp at time zone $5) as prev_from, $4::text as home_currency`;
  const orders = await query(
    `with b as (select ${bounds}),
     o as (
       select case when o.placed_at >= b.cur_from then 'cur' else 'prev' end as p, o.customer_id,
              o.currency = $4 as home, o.total - o.refunded_amount as net
       from orders o ${chan('o')}, b
       where o.workspace_id = $1 and o.cancelled_at is null and o.placed_at >= b.prev_from and o.placed_at < b.cur_to
     ), per as (select p, customer_id, count(*) as n from o where customer_id is not null group by 1, 2)
     select o.p, count(*)::int as orders, coalesce(sum(net) filter (where home), 0)::float8 as revenue,
            count(*) filter (where home)::int as home_orders,
            (select count(*) from per where per.p = o.p)::int as customers,
            (select count(*) from per where per.p = o.p and n >= 2)::int as repeaters
     from o group by o.p`,
    [ws, p.from, p.to, setting.currency, setting.tz, p.previousFrom],
  );
  const news = await query(
    `with b as (select ${bounds})
     select count(*) filter (where c.first_order_at >= b.cur_from and c.first_order_at < b.cur_to)::int as cur,
            count(*) filter (where c.first_order_at >= b.prev_from and c.first_order_at < b.cur_from)::int as prev
     from customers c, b where ${LIVE} and c.first_order_at >= b.prev_from and c.first_order_at < b.cur_to ${chanC}`,
    [ws, p.from, p.to, setting.currency, setting.tz, p.previousFrom],
  );
  const retention = await query(
    `with b as (select ${bounds}),
     active as (
       select distinct o.customer_id from orders o ${chan('o')}, b
       where o.workspace_id = $1 and o.cancelled_at is null and o.customer_id is not null
         and o.placed_at >= (($2::date - $7::int)::timestamp at time zone $5) and o.placed_at < b.cur_from
     )
     select count(*)::int as active, count(*) filter (where exists (
       select 1 from orders o, b where o.workspace_id = $1 and o.customer_id = a.customer_id and o.cancelled_at is null
         and o.placed_at >= b.cur_from and o.placed_at < b.cur_to))::int as retained
     from active a`,
    [ws, p.from, p.to, setting.currency, setting.tz, p.previousFrom, p.lapsedDays],
  );
  const engagement = await query(
    `with b as (select ${bounds})
     select count(distinct e.customer_id)::int as active, count(*)::int as events,
            count(distinct (e.customer_id, (e.timestamp at time zone $5)::date))::int as days
     from events e ${chan('e')}, b
     where e.workspace_id = $1 and e.customer_id is not null
       and e.timestamp >= (($3::date - 29)::timestamp at time zone $5) and e.timestamp < b.cur_to`,
    [ws, p.from, p.to, setting.currency, setting.tz, p.previousFrom],
  );
  const ms_ = performance.now() - t0;
  const cur = orders.rows.find((r) => r.p === 'cur') ?? { orders: 0, revenue: 0, customers: 0, repeaters: 0 };
  return {
    ms: ms_,
    figures: {
      orders: cur.orders,
      customers: cur.customers,
      netRevenue: Math.round(cur.revenue * 100) / 100,
      repeatPurchaseRate: cur.customers ? cur.repeaters / cur.customers : null,
      newCustomers: news.rows[0].cur,
      retentionRate: retention.rows[0].active ? retention.rows[0].retained / retention.rows[0].active : null,
    },
    engagement: engagement.rows[0],
  };
}

async function measureSql(query, ws, api) {
  const r = {};
  const previewParams = [ws, TRAIT.value, EVENT.name, EVENT.atLeast, EVENT.days, REVENUE_OVER];
  const counts = new Set();
  r.preview = await timeAll(
    Array.from({ length: PREVIEWS }, () => null),
    Array.from({ length: WARMUP }, () => null),
    async () => {
      counts.add((await query(SQL.preview, previewParams)).rows[0].n);
    },
    'SQL preview',
  );
  r.previewCount = [...counts];
  const diffs = [];
  r.refresh = await timeAll(
    Array.from({ length: REFRESHES }, () => null),
    Array.from({ length: WARMUP }, () => null),
    async () => {
      diffs.push((await query(SQL.refresh, [...previewParams, api.segmentId])).rows[0]);
    },
    'SQL refresh',
  );
  r.refreshDiff = diffs[diffs.length - 1];
  r.kpis = [];
  r.kpiFigures = [];
  for (const k of api.kpiAnswers.slice(0, KPI_LIVE)) {
    const x = await kpisBySql(query, ws, {
      from: k.from,
      to: k.to,
      previousFrom: k.previousFrom,
      lapsedDays: k.churnThresholdDays,
      channel: k.channel ?? undefined,
    });
    r.kpis.push(x.ms);
    r.kpiFigures.push({ api: k, sql: x.figures });
  }
  return r;
}

/** The API's answers must be the hand-written ones. */
function check(r) {
  const problems = [];
  if (r.api.previewCount.length !== 1 || r.api.previewCount[0] !== r.sql.previewCount[0])
    problems.push(`preview count ${r.api.previewCount} ≠ SQL ${r.sql.previewCount}`);
  if (r.api.memberCount.at(-1) !== r.sql.refreshDiff.members)
    problems.push(`refresh member count ${r.api.memberCount} ≠ SQL ${r.sql.refreshDiff.members}`);
  if (r.sql.refreshDiff.entering || r.sql.refreshDiff.leaving)
    problems.push(`after the refreshes the members differ from the rule: ${JSON.stringify(r.sql.refreshDiff)}`);
  for (const { api, sql } of r.sql.kpiFigures) {
    for (const key of ['orders', 'customers', 'newCustomers']) {
      if (api.kpis[key].value !== sql[key])
        problems.push(`${api.from}…${api.to} ${key}: API ${api.kpis[key].value} ≠ SQL ${sql[key]}`);
    }
    if (Math.abs(api.kpis.netRevenue.value - sql.netRevenue) > 0.01)
      problems.push(`${api.from}…${api.to} netRevenue: API ${api.kpis.netRevenue.value} ≠ SQL ${sql.netRevenue}`);
    for (const key of ['repeatPurchaseRate', 'retentionRate']) {
      const a = api.kpis[key].value;
      const b = sql[key];
      if ((a === null) !== (b === null) || (a !== null && Math.abs(a - b) > 1e-9))
        problems.push(`${api.from}…${api.to} ${key}: API ${a} ≠ SQL ${b}`);
    }
  }
  if (problems.length)
    throw new Error(`answers differ from the hand-written SQL:\n- ${problems.slice(0, 20).join('\n- ')}`);
}

// ───────────────────────── one database ─────────────────────────

async function benchOne(kind) {
  const target = await prepareTarget(kind, {
    reuseUrl: REUSE_URL,
    baseUrl,
    customers: CUSTOMERS,
    dbPrefix: 'kith-bench-analytics',
  });
  const out = { kind, fill: target.fill };
  try {
    const { key, keyId } = await createApiKey(target, 'read,write');
    if (kind === 'postgres') out.settle = await settle(target.url);
    log(`${kind}: kith start…`);
    const server = await startServer(target);
    try {
      out.api = await measureApi(server, key);
    } finally {
      await stop(server.child);
    }
    await withDb(target, async (query) => {
      const ws = (await query('select workspace_id from api_keys where id = $1', [keyId])).rows[0]?.workspace_id;
      if (!ws) throw new Error(`API key ${keyId} not found in the database`);
      try {
        out.sql = await measureSql(query, ws, out.api);
        out.facts = {
          customers: (
            await query('select count(*)::int as n from customers where workspace_id = $1 and merged_into is null', [
              ws,
            ])
          ).rows[0].n,
          orders: (await query('select count(*)::int as n from orders where workspace_id = $1', [ws])).rows[0].n,
          events: Number((await query('select count(*) as n from events where workspace_id = $1', [ws])).rows[0].n),
        };
        const size = await query(
          `select relname, reltuples::bigint as rows, pg_total_relation_size(oid) as bytes from pg_class
           where relname in ('analytics_rollup_days', 'analytics_rollup_pairs', 'analytics_rollup_subjects') order by relname`,
        ).catch(() => null);
        if (size)
          out.rollupSize = size.rows
            .map((x) => `${x.relname} ${int(Number(x.rows))} rows, ${int(Math.round(Number(x.bytes) / 1048576))} MB`)
            .join('; ');
      } finally {
        if (target.reused) {
          // Leave the database as it was: the run's segment gone, its key revoked.
          for (const t of ['segment_members', 'segment_membership_log'])
            await query(`delete from ${t} where segment_id = $1`, [out.api.segmentId]).catch(() => {});
          await query('delete from segments where id = $1', [out.api.segmentId]).catch(() => {});
          await query('update api_keys set revoked_at = now() where id = $1', [keyId]);
        }
      }
    });
    check(out);
    return out;
  } finally {
    await target.dispose();
  }
}

// ───────────────────────── report ─────────────────────────

function table(r) {
  const rows = [
    [
      `segment preview, 3 conditions (${PREVIEWS} requests)`,
      r.api.preview,
      r.sql.preview,
      'one count over customers joined to the grouped events of the window',
      TARGETS.preview,
    ],
    [
      `full membership refresh of that segment (${REFRESHES} requests)`,
      r.api.refresh,
      r.sql.refresh,
      'the same set difference (entering, leaving) by hand, without the writes',
      null,
    ],
    [
      `dashboard KPI set, any period or channel (${KPI_LIVE} different questions: 12 months ending on different days, a quarter, 30 days, a calendar month, 18 months, a third of them for one acquisition channel)`,
      r.api.kpisLive,
      r.sql.kpis,
      'hand-written queries for the same period and channel: orders pass, new customers, retention, engagement, settings',
      TARGETS.kpis,
    ],
    [
      `dashboard KPI set, default period (last 12 months) again (${KPI_SNAPSHOT} requests)`,
      r.api.kpisSnapshot,
      r.sql.kpis,
      'as above',
      TARGETS.kpis,
    ],
  ];
  const lines = [
    '| request | API p50 | **API p95** | reference: hand-written SQL | SQL p50 | SQL p95 | **ratio API p95 ÷ SQL p95** | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [label, api, sql, ref, target] of rows) {
    const a = stats(api);
    const s = stats(sql);
    const ratio = a.p95 / s.p95;
    const verdict =
      target === null
        ? `within 2×: ${ratio <= 2 ? 'met' : 'not met'}`
        : `p95 < ${target} ms: ${a.p95 < target ? 'met' : 'not met'}; within 2×: ${ratio <= 2 ? 'met' : 'not met'}`;
    lines.push(
      `| ${label} | ${ms(a.p50)} ms | **${ms(a.p95)} ms** | ${ref} | ${ms(s.p50)} ms | ${ms(s.p95)} ms | **${ratio.toFixed(2)}×** | ${r.kind === 'postgres' ? verdict : `${verdict} (targets are for PostgreSQL)`} |`,
    );
  }
  lines.push(
    '',
    `The dashboard's other requests, default period (${DASHBOARD} each, timings only):`,
    '',
    '| request | API p50 | **API p95** |',
    '| --- | --- | --- |',
  );
  for (const [name, path] of [
    ['channels', '`GET /api/v1/metrics/channels` (the acquisition-channel table)'],
    ['cohorts', '`GET /api/v1/metrics/cohorts` (the cohort heat map)'],
    ['revenue', '`GET /api/v1/metrics/revenue?interval=month` (revenue by order channel over time)'],
  ]) {
    const a = stats(r.api.dashboard[name]);
    lines.push(`| ${path} | ${ms(a.p50)} ms | **${ms(a.p95)} ms** |`);
  }
  return lines.join('\n');
}

function details(r) {
  const f = r.facts;
  const k = r.api.kpiDefault.kpis;
  const st = r.settle;
  return [
    `- Workspace: **${int(f.customers)} live customer profiles**, ${int(f.orders)} orders, ${int(f.events)} events.`,
    r.fill
      ? `- Fill: \`kith init\` + \`kith demo --customers ${int(CUSTOMERS)}\` took ${seconds(r.fill.seconds)}; not part of the timings.`
      : '- Fill: a database filled earlier by `kith demo` (KITH_BENCH_API_DATABASE_URL), used as it was.',
    `- KPI rollup (ADR 0010): ${r.api.rollup.builtAt ? `built at ${r.api.rollup.builtAt}` : 'ready'}; this run waited ${seconds(r.api.rollup.waitedSeconds)} after the server started for it to be ready (a reused database already had it unless its build was still running). Its tables: ${r.rollupSize ?? '?'}.`,
    `- The segment: \`${JSON.stringify(RULE)}\` — ${int(r.api.previewCount[0])} customers, the same count from the API and the hand-written query; after the refreshes its members were exactly those the hand-written query names (entering ${r.sql.refreshDiff.entering}, leaving ${r.sql.refreshDiff.leaving}).`,
    `- KPIs, default period ${r.api.kpiDefault.from} … ${r.api.kpiDefault.to}: ${int(k.orders.value)} orders, ${int(k.customers.value)} customers, net revenue ${k.netRevenue.value} ${r.api.kpiDefault.currency}, AOV ${k.aov.value}, repeat purchase rate ${(k.repeatPurchaseRate.value * 100).toFixed(1)}%, retention ${(k.retentionRate.value * 100).toFixed(1)}%. For each of the ${KPI_LIVE} periods (and channels), orders, customers, new customers, net revenue, repeat purchase rate and retention equal the hand-written queries' (checked by the run). Sources of the answers: ${r.api.kpiSources.join(', ')}.`,
    st
      ? `- PostgreSQL settled first: ${st.autovacuum ? (st.done ? `autovacuum caught up (${seconds(st.seconds)})` : 'autovacuum was still busy') : `autovacuum is off, so the run did \`VACUUM (ANALYZE)\` of ${st.tables?.join(', ') || 'nothing'} (${seconds(st.seconds ?? 0)})`}.`
      : '- PGlite: measured as the fill left it (Kith refreshes statistics after bulk loads).',
    `- The reference SQL ran from this process over one connection after the server stopped, with the same parameters; the KPI reference is the sum of its queries' times for each period.`,
  ].join('\n');
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
    `Segments and the dashboard's KPIs on ${size}, served by \`kith start\` and called with an API key by one sequential client; each figure beside the same question answered by hand-written SQL on the same tables in the same run. Targets (issue 5), with 1,000,000 demo customers on PostgreSQL: preview < ${TARGETS.preview} ms, dashboard < ${TARGETS.kpis} ms, each within 2× of the hand-written reference.`,
    ...results.flatMap((r) => [
      '',
      results.length > 1 ? `**${dbName(r.kind)}**\n` : `Database: ${dbName(r.kind)}.\n`,
      table(r),
      '',
      details(r),
    ]),
  ].join('\n');
  return { title: 'Segments and KPI speed (preview, refresh, dashboard)', body };
}
