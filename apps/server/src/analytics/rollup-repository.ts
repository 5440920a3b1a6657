/**
 * The SQL of the KPI rollup (ADR 0010): its five tables, the facts of a subject read from
 * commerce's `orders`, customers' `customers` and ingest's `events`, and the rectangle sums the
 * KPIs are read from. Every statement filters by workspace.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../platform/db.js';
import { type DayDelta, type PairDelta, type Rect, rectDs, type SubjectFacts } from './rollup.js';

type Exec = Db | Tx;
export const GUEST = 'guest:';

export interface RollupState {
  workspace_id: string;
  timezone: string;
  currency: string;
  ready: boolean;
  requested_at: Date;
  built_at: Date | null;
}

/**
 * The workspace's rollup state; `update` locks it against drains (a restart), `share` against a
 * restart (a drain).
 */
export async function findState(
  db: Exec,
  workspaceId: string,
  lock?: 'update' | 'share',
): Promise<RollupState | undefined> {
  const r = await sql<RollupState>`select * from analytics_rollup_state where workspace_id = ${workspaceId}
    ${lock === 'update' ? sql`for update` : lock === 'share' ? sql`for share` : sql``}`.execute(db);
  return r.rows[0];
}

/** Serializes the first creation of a workspace's rollup state (there is no row to lock yet). */
export async function lockWorkspace(tx: Tx, workspaceId: string) {
  await sql`select 1 from workspaces where id = ${workspaceId} for update`.execute(tx);
}

/** Starts (or restarts) the workspace's rollup in this time zone and currency: empty, every subject marked. */
export async function resetRollup(tx: Tx, workspaceId: string, tz: string, currency: string) {
  for (const t of ['analytics_rollup_days', 'analytics_rollup_pairs', 'analytics_rollup_subjects'])
    await sql`delete from ${sql.table(t)} where workspace_id = ${workspaceId}`.execute(tx);
  await sql`insert into analytics_rollup_state (workspace_id, timezone, currency, ready, requested_at, built_at)
    values (${workspaceId}, ${tz}, ${currency}, false, now(), null)
    on conflict (workspace_id) do update set timezone = excluded.timezone, currency = excluded.currency,
      ready = false, requested_at = now(), built_at = null`.execute(tx);
  await sql`insert into analytics_rollup_dirty (workspace_id, subject)
    select ${workspaceId}, id from customers where workspace_id = ${workspaceId}
    union all
    select ${workspaceId}, ${GUEST} || id from orders where workspace_id = ${workspaceId} and customer_id is null
    on conflict do nothing`.execute(tx);
}

export async function markReady(db: Exec, workspaceId: string) {
  await sql`update analytics_rollup_state set ready = true, built_at = now()
    where workspace_id = ${workspaceId} and not ready`.execute(db);
}

/**
 * Marks subjects in the writing transaction. An existing mark is locked (a no-op update), not
 * skipped: a drain claims marks with SKIP LOCKED, so it cannot take this one before the write
 * commits and roll the subject up without it (with DO NOTHING it could, and the write was lost).
 */
export async function markDirty(tx: Exec, workspaceId: string, subjects: string[]) {
  if (!subjects.length) return;
  await sql`insert into analytics_rollup_dirty (workspace_id, subject)
    select ${workspaceId}, x from unnest(${[...new Set(subjects)].sort()}::text[]) as x
    on conflict (workspace_id, subject) do update set marked_at = analytics_rollup_dirty.marked_at`.execute(tx);
}

/** Up to `limit` marked subjects, without the ones another transaction holds; `limit + 1` tells "more". */
export async function countDirty(db: Exec, workspaceId: string, limit: number): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from (
    select 1 from analytics_rollup_dirty where workspace_id = ${workspaceId} limit ${limit + 1}) x`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function countAllDirty(db: Exec, workspaceId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from analytics_rollup_dirty where workspace_id = ${workspaceId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Takes up to `limit` marked subjects (deleted: the transaction that rolls them up commits both). */
export async function claimDirty(tx: Tx, workspaceId: string, limit: number): Promise<string[]> {
  const r = await sql<{ subject: string }>`
    delete from analytics_rollup_dirty d
    where d.workspace_id = ${workspaceId} and d.subject in (
      select subject from analytics_rollup_dirty where workspace_id = ${workspaceId}
      order by marked_at limit ${limit} for update skip locked)
    returning d.subject`.execute(tx);
  return r.rows.map((x) => x.subject).sort();
}

export async function workspacesWithDirty(db: Exec): Promise<string[]> {
  const r = await sql<{ workspace_id: string }>`select distinct workspace_id from analytics_rollup_dirty`.execute(db);
  return r.rows.map((x) => x.workspace_id);
}

/** What the subjects contributed until now (locked: one transaction rolls a subject up at a time). */
export async function storedFacts(tx: Tx, workspaceId: string, subjects: string[]) {
  const r = await sql<{ subject: string; facts: SubjectFacts }>`
    select subject, facts from analytics_rollup_subjects
    where workspace_id = ${workspaceId} and subject = any(${subjects}::text[]) for update`.execute(tx);
  return new Map(r.rows.map((x) => [x.subject, x.facts]));
}

const localDay = (col: string, tz: string) =>
  sql<number>`((${sql.ref(col)} at time zone ${tz})::date - date '1970-01-01')`;

/** The facts of these subjects now, from orders, profiles and events, in the rollup's time zone and currency. */
export async function currentFacts(
  db: Exec,
  workspaceId: string,
  tz: string,
  currency: string,
  subjects: string[],
): Promise<Map<string, SubjectFacts>> {
  const customers = subjects.filter((x) => !x.startsWith(GUEST));
  const guests = subjects.filter((x) => x.startsWith(GUEST)).map((x) => x.slice(GUEST.length));
  const out = new Map<string, SubjectFacts>();
  const row = (x: { day: number; currency: string; net: string; channel: string }): SubjectFacts['o'][number] =>
    x.currency === currency
      ? [Number(x.day), 1, Number(x.net), null, x.channel]
      : [Number(x.day), 0, Number(x.net), x.currency, x.channel];
  if (customers.length) {
    const [profiles, orders, events] = await Promise.all([
      sql<{ id: string; channel: string }>`
        select id, coalesce(acquisition_channel, 'unknown') as channel from customers
        where workspace_id = ${workspaceId} and id = any(${customers}::text[]) and merged_into is null`.execute(db),
      sql<{ customer_id: string; day: number; currency: string; net: string; channel: string }>`
        select customer_id, ${localDay('placed_at', tz)} as day, currency, channel,
               round((total - refunded_amount) * 100)::bigint::text as net
        from orders
        where workspace_id = ${workspaceId} and customer_id = any(${customers}::text[]) and cancelled_at is null
        order by customer_id, placed_at, id`.execute(db),
      sql<{ customer_id: string; day: number; n: number }>`
        select customer_id, ${localDay('timestamp', tz)} as day, count(*)::int as n
        from events
        where workspace_id = ${workspaceId} and customer_id = any(${customers}::text[])
        group by 1, 2 order by 1, 2`.execute(db),
    ]);
    for (const p of profiles.rows) out.set(p.id, { c: p.channel, o: [], a: [] });
    for (const o of orders.rows) out.get(o.customer_id)?.o.push(row(o));
    for (const e of events.rows) out.get(e.customer_id)?.a.push([Number(e.day), Number(e.n)]);
  }
  if (guests.length) {
    const r = await sql<{ id: string; day: number; currency: string; net: string; channel: string }>`
      select id, ${localDay('placed_at', tz)} as day, currency, channel, round((total - refunded_amount) * 100)::bigint::text as net
      from orders
      where workspace_id = ${workspaceId} and id = any(${guests}::text[]) and customer_id is null and cancelled_at is null`.execute(
      db,
    );
    for (const o of r.rows) out.set(GUEST + o.id, { c: '', g: 1, o: [row(o)], a: [] });
  }
  return out;
}

/** Keeps what each subject contributes now (none: forgotten). */
export async function saveFacts(tx: Tx, workspaceId: string, facts: Map<string, SubjectFacts | null>) {
  const gone = [...facts].filter(([, f]) => !f).map(([s]) => s);
  const kept = [...facts].filter((e): e is [string, SubjectFacts] => !!e[1]);
  if (gone.length)
    await sql`delete from analytics_rollup_subjects where workspace_id = ${workspaceId} and subject = any(${gone}::text[])`.execute(
      tx,
    );
  for (let i = 0; i < kept.length; i += 2000) {
    const chunk = kept.slice(i, i + 2000);
    await sql`insert into analytics_rollup_subjects (workspace_id, subject, facts)
      select ${workspaceId}, s, f from unnest(${chunk.map((x) => x[0])}::text[], ${chunk.map((x) => JSON.stringify(x[1]))}::jsonb[]) as t(s, f)
      on conflict (workspace_id, subject) do update set facts = excluded.facts`.execute(tx);
  }
}

/** Adds the deltas to the cells (in the order given: sorted by the caller). */
export async function applyDeltas(tx: Tx, workspaceId: string, days: DayDelta[], pairs: PairDelta[]) {
  for (let i = 0; i < pairs.length; i += 5000) {
    const c = pairs.slice(i, i + 5000);
    await sql`insert into analytics_rollup_pairs as t (workspace_id, kind, grain, d, n, channel, count, amount_cents)
      select ${workspaceId}, * from unnest(${c.map((x) => x.kind)}::int2[], ${c.map((x) => x.grain)}::int2[],
        ${c.map((x) => x.d)}::int4[], ${c.map((x) => x.n)}::int4[], ${c.map((x) => x.channel)}::text[],
        ${c.map((x) => x.count)}::int8[], ${c.map((x) => x.amount)}::int8[])
      on conflict (workspace_id, kind, grain, d, n, channel)
      do update set count = t.count + excluded.count, amount_cents = t.amount_cents + excluded.amount_cents`.execute(
      tx,
    );
  }
  for (let i = 0; i < days.length; i += 5000) {
    const c = days.slice(i, i + 5000);
    await sql`insert into analytics_rollup_days as t (workspace_id, kind, day, key, channel, n, amount_cents)
      select ${workspaceId}, * from unnest(${c.map((x) => x.kind)}::int2[], ${c.map((x) => x.day)}::int4[],
        ${c.map((x) => x.key)}::text[], ${c.map((x) => x.channel)}::text[],
        ${c.map((x) => x.n)}::int8[], ${c.map((x) => x.amount)}::int8[])
      on conflict (workspace_id, kind, day, key, channel)
      do update set n = t.n + excluded.n, amount_cents = t.amount_cents + excluded.amount_cents`.execute(tx);
  }
}

/** A question to the day sums: kind over [lo, hi]; `id` names the answer. */
export interface DaySpan {
  id: string;
  kind: number;
  lo: number;
  hi: number;
}
/** A question to the pair counts: the rectangles of `pairRects`, summed under `id`. */
export interface PairSpan {
  id: string;
  kind: number;
  rects: Rect[];
}
export interface SumRow {
  id: string;
  channel: string;
  key: string;
  n: number;
  amount: number;
}

/**
 * Answers many sums in two statements: per question id, channel (when `byChannel`) and key,
 * the summed count and amount (cents). `channel` restricts to one acquisition channel.
 */
export async function sums(
  db: Exec,
  workspaceId: string,
  days: DaySpan[],
  pairs: PairSpan[],
  opts: { channel?: string; byChannel?: boolean },
): Promise<SumRow[]> {
  const chan = opts.channel === undefined ? sql`` : sql`and c.channel = ${opts.channel}`;
  const groupCh = opts.byChannel ? sql`c.channel` : sql`''`;
  const out: SumRow[] = [];
  const rows = (r: { rows: { id: string; channel: string; key: string; n: string; amount: string }[] }) => {
    for (const x of r.rows)
      out.push({ id: x.id, channel: x.channel, key: x.key, n: Number(x.n), amount: Number(x.amount) });
  };
  if (days.length) {
    rows(
      await sql<{ id: string; channel: string; key: string; n: string; amount: string }>`
        select q.id, ${groupCh} as channel, c.key, sum(c.n)::text as n, sum(c.amount_cents)::text as amount
        from unnest(${days.map((x) => x.id)}::text[], ${days.map((x) => x.kind)}::int2[],
                    ${days.map((x) => x.lo)}::int4[], ${days.map((x) => x.hi)}::int4[]) as q(id, kind, lo, hi)
        join analytics_rollup_days c on c.workspace_id = ${workspaceId} and c.kind = q.kind
          and c.day between q.lo and q.hi ${chan}
        group by 1, 2, 3`.execute(db),
    );
  }
  // One index seek per value of d (a day, or a month's first day), with n as a range.
  const seeks = pairs.flatMap((p) =>
    p.rects.flatMap((r) =>
      rectDs(r).map((d) => ({ id: p.id, kind: p.kind, grain: r.grain, d, nLo: r.nLo, nHi: r.nHi })),
    ),
  );
  if (seeks.length) {
    rows(
      await sql<{ id: string; channel: string; key: string; n: string; amount: string }>`
        select q.id, ${groupCh} as channel, '' as key, sum(c.count)::text as n, sum(c.amount_cents)::text as amount
        from unnest(${seeks.map((x) => x.id)}::text[], ${seeks.map((x) => x.kind)}::int2[], ${seeks.map((x) => x.grain)}::int2[],
                    ${seeks.map((x) => x.d)}::int4[], ${seeks.map((x) => x.nLo)}::int4[], ${seeks.map((x) => x.nHi)}::int4[])
               as q(id, kind, grain, d, nlo, nhi)
        join analytics_rollup_pairs c on c.workspace_id = ${workspaceId} and c.kind = q.kind and c.grain = q.grain
          and c.d = q.d and c.n between q.nlo and q.nhi ${chan}
        group by 1, 2`.execute(db),
    );
  }
  return out;
}

/** Revenue (workspace currency) and orders per day, week or month and order channel, guests included. */
export async function seriesSums(
  db: Exec,
  workspaceId: string,
  lo: number,
  hi: number,
  interval: 'day' | 'week' | 'month',
  kind: number,
) {
  const r = await sql<{ period: string; channel: string; revenue: string; orders: string }>`
    select to_char(date_trunc(${interval}, date '1970-01-01' + day), 'YYYY-MM-DD') as period, key as channel,
           sum(amount_cents)::text as revenue, sum(n)::text as orders
    from analytics_rollup_days
    where workspace_id = ${workspaceId} and kind = ${kind} and day between ${lo} and ${hi}
    group by 1, 2 having sum(n) <> 0 or sum(amount_cents) <> 0 order by 1, 2`.execute(db);
  return r.rows.map((x) => ({
    period: x.period,
    channel: x.channel,
    revenue: Number(x.revenue) / 100,
    orders: Number(x.orders),
  }));
}

/**
 * Cohorts by month of first order: per cohort month and month of order up to `hi`, the members
 * whose first order of that month is at most `hi`, and the value of the orders up to `hi`.
 */
export async function cohortSums(
  db: Exec,
  workspaceId: string,
  cohortLo: number,
  hi: number,
  kinds: { members: number; revenue: number },
  channel?: string,
) {
  const chan = channel === undefined ? sql`` : sql`and channel = ${channel}`;
  const r = await sql<{ cohort: string; offset: number; customers: string; revenue: string }>`
    select to_char(date '1970-01-01' + d, 'YYYY-MM') as cohort,
           ((extract(year from date '1970-01-01' + n) - extract(year from date '1970-01-01' + d)) * 12
             + extract(month from date '1970-01-01' + n) - extract(month from date '1970-01-01' + d))::int as offset,
           coalesce(sum(count) filter (where kind = ${kinds.members}), 0)::text as customers,
           coalesce(sum(amount_cents) filter (where kind = ${kinds.revenue}), 0)::text as revenue
    from analytics_rollup_pairs
    where workspace_id = ${workspaceId} and kind in (${kinds.members}, ${kinds.revenue}) and grain = 0
      and d between ${cohortLo} and ${hi} and n <= ${hi} ${chan}
    group by 1, 2 having sum(count) filter (where kind = ${kinds.members}) > 0 order by 1, 2`.execute(db);
  return r.rows.map((x) => ({
    cohort: x.cohort,
    offset: Number(x.offset),
    customers: Number(x.customers),
    revenue: Number(x.revenue) / 100,
  }));
}
