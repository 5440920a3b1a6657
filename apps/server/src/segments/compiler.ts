/**
 * Compiles a segment rule to ONE SQL query over the workspace's live profiles (`customers`,
 * `merged_into is null`). Conditions on events, orders and other segments become subqueries
 * naming customers: `c.id in (…)` where the condition must hold (a semi-join), or LEFT JOINed
 * once with a null test under OR / NOT. Every user value is a bound parameter. This module reads other domains' tables
 * (privacy's `consents` too) — see docs/adr/0008-segment-compiler-reads-tables.md.
 */
import { type RawBuilder, sql } from 'kysely';
import { lifecycleMembersSql, rfmMembersSql } from '../analytics/index.js';
import type { Db, Tx } from '../platform/db.js';
import { PREDICTION_SCORES, scoreMembersSql, scoreValuesSql } from '../predict/index.js';
import type {
  Condition,
  ConsentCondition,
  EventCondition,
  LifecycleCondition,
  OrdersCondition,
  PropertyFilter,
  RuleWindow,
  SegmentRule,
  TraitCondition,
} from './rules.js';

type Sql = RawBuilder<unknown>;

export interface CompileContext {
  workspaceId: string;
  /** The evaluation time: "the last N days" end here. Injected by tests. */
  now: Date;
  /** Evaluate only these customers (incremental refresh, explain); every subquery is restricted too. */
  scope?: string[];
  /**
   * Keep each subquery's per-customer value (an event count, a revenue) for explain. Otherwise a
   * count condition is decided inside its subquery (HAVING), which then holds only the customers
   * it names: a smaller hash, and an inner join when the condition stands at the top level.
   */
  explain?: boolean;
  /**
   * The subqueries of lifecycle conditions' members, by `lifecycleKey(stages)`: they need the
   * workspace's thresholds, read beforehand by `resolveRule`.
   */
  lifecycle?: Map<string, RawBuilder<{ id: string }>>;
}

/** The key of a lifecycle condition's stages in `CompileContext.lifecycle`. */
export const lifecycleKey = (stages: readonly string[]) => [...stages].sort().join(',');

/** The context with what compiling the rule needs from the database (lifecycle thresholds). */
export async function resolveRule(db: Db | Tx, rule: SegmentRule, ctx: CompileContext): Promise<CompileContext> {
  const wanted: LifecycleCondition['stages'][] = [];
  const walk = (r: SegmentRule): void => {
    if ('all' in r) r.all.forEach(walk);
    else if ('any' in r) r.any.forEach(walk);
    else if ('not' in r) walk(r.not);
    else if (r.type === 'lifecycle') wanted.push(r.stages);
  };
  walk(rule);
  if (!wanted.length) return ctx;
  const lifecycle = new Map(ctx.lifecycle);
  for (const stages of wanted) {
    const key = lifecycleKey(stages);
    if (!lifecycle.has(key)) lifecycle.set(key, await lifecycleMembersSql(db, ctx.workspaceId, stages, ctx.now));
  }
  return { ...ctx, lifecycle };
}

/** One node of the rule, compiled: its truth (and, for a condition, the value it looked at). */
export interface CompiledNode {
  rule: SegmentRule;
  matched: Sql;
  actual?: Sql;
  children: number[];
}

const DAY_MS = 86_400_000;
const NUMERIC_RE = '^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$';
const DATE_RE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
const isDateOnly = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/**
 * The month-days ("MM-DD") from today to `days` days ahead, in UTC. A 29 February birthday is
 * celebrated on 28 February in a year without one.
 */
export function birthdayWindow(now: Date, days: number): string[] {
  const out = new Set<string>();
  for (let i = 0; i <= days; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + i));
    const md = isoDay(d).slice(5);
    out.add(md);
    const y = d.getUTCFullYear();
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (md === '02-28' && !leap) out.add('02-29');
  }
  return [...out];
}

/** `expr <op> value` for the orders metrics' operators. */
function numberCompare(expr: Sql, op: OrdersCondition['op'], value: number, value2?: number): Sql {
  switch (op) {
    case 'gt':
      return sql`${expr} > ${value}::numeric`;
    case 'gte':
      return sql`${expr} >= ${value}::numeric`;
    case 'lt':
      return sql`${expr} < ${value}::numeric`;
    case 'lte':
      return sql`${expr} <= ${value}::numeric`;
    case 'equals':
      return sql`${expr} = ${value}::numeric`;
    case 'between':
      return sql`${expr} between ${value}::numeric and ${value2 ?? value}::numeric`;
  }
}

function numberHolds(n: number, op: OrdersCondition['op'], value: number, value2?: number): boolean {
  switch (op) {
    case 'gt':
      return n > value;
    case 'gte':
      return n >= value;
    case 'lt':
      return n < value;
    case 'lte':
      return n <= value;
    case 'equals':
      return n === value;
    case 'between':
      return n >= value && n <= (value2 ?? value);
  }
}

/** Before / after a date (a date alone means the whole day), within / not within the last N days. */
function timeCompare(col: Sql, op: string, now: Date, value?: string, days?: number): Sql {
  if (op === 'before' || op === 'after') {
    const v = value as string;
    const start = new Date(Date.parse(v));
    if (op === 'before') return sql`${col} < ${start}::timestamptz`;
    const end = isDateOnly(v) ? new Date(start.getTime() + DAY_MS) : start;
    return isDateOnly(v) ? sql`${col} >= ${end}::timestamptz` : sql`${col} > ${end}::timestamptz`;
  }
  const since = daysBefore(now, days as number);
  if (op === 'within_last_days') return sql`(${col} >= ${since}::timestamptz and ${col} <= ${now}::timestamptz)`;
  // not within: there is a time, and it is older (customers without one are not "not within").
  return sql`${col} < ${since}::timestamptz`;
}

export class RuleCompiler {
  readonly joins: Sql[] = [];
  readonly nodes: CompiledNode[] = [];
  #n = 0;

  constructor(readonly ctx: CompileContext) {}

  /** The boolean SQL of a rule (never null); nodes are recorded in pre-order for explain. */
  compile(rule: SegmentRule): Sql {
    return this.#node(rule, true, false).matched;
  }

  /** `top`: reached from the root through `all` groups only (the condition must hold for a match). */
  #top = true;

  #node(rule: SegmentRule, top: boolean, underNot: boolean): CompiledNode {
    const index = this.nodes.length;
    const node: CompiledNode = { rule, matched: sql`true`, children: [] };
    this.nodes.push(node);
    if ('all' in rule || 'any' in rule) {
      const list = 'all' in rule ? rule.all : rule.any;
      const parts = list.map((r) => {
        node.children.push(this.nodes.length);
        return this.#node(r, top && 'all' in rule, underNot).matched;
      });
      node.matched = sql`(${sql.join(parts, 'all' in rule ? sql` and ` : sql` or `)})`;
    } else if ('not' in rule) {
      node.children.push(this.nodes.length);
      node.matched = sql`(not ${this.#node(rule.not, false, true).matched})`;
    } else {
      this.#top = top;
      const { matched, actual, notNull } = this.#condition(rule);
      // A condition that can be null (a missing trait) counts as false. Only NOT needs that
      // spelled out (WHERE, AND and OR treat null as false already); left bare, the planner can
      // use its statistics on the column. Explain reads every node's value: always spelled out.
      node.matched = notNull || !(underNot || this.ctx.explain) ? sql`(${matched})` : sql`coalesce(${matched}, false)`;
      node.actual = actual;
    }
    this.nodes[index] = node;
    return node;
  }

  #alias(prefix: string) {
    this.#n++;
    return sql.raw(`${prefix}${this.#n}`);
  }

  #scope(col: Sql): Sql {
    return this.ctx.scope ? sql` and ${col} = any(${this.ctx.scope}::text[])` : sql``;
  }

  #window(col: Sql, w?: RuleWindow): Sql {
    if (!w) return sql``;
    if ('lastDays' in w) {
      return sql` and ${col} >= ${daysBefore(this.ctx.now, w.lastDays)}::timestamptz and ${col} <= ${this.ctx.now}::timestamptz`;
    }
    return sql` and ${col} >= ${new Date(Date.parse(w.from))}::timestamptz and ${col} < ${new Date(Date.parse(w.to))}::timestamptz`;
  }

  /** LEFT JOINs a per-customer subquery (columns customer_id and n) and returns its alias. */
  #join(subquery: Sql, prefix: string): Sql {
    const a = this.#alias(prefix);
    this.joins.push(sql` left join (${subquery}) ${a} on ${a}.customer_id = c.id`);
    return a;
  }

  /**
   * A condition that holds for the customers a subquery names (`customer_id`). At the top level
   * it is `c.id in (…)`, which the planner may run as a semi-join; elsewhere (under OR / NOT) the
   * subquery is LEFT JOINed once and the condition is a null test.
   */
  #inSet(subquery: Sql, prefix: string, inSet: boolean): { matched: Sql; notNull: true } {
    if (this.#top && inSet) return { matched: sql`c.id in (${subquery})`, notNull: true };
    const a = this.#join(sql`select distinct s.customer_id from (${subquery}) s`, prefix);
    return { matched: inSet ? sql`${a}.customer_id is not null` : sql`${a}.customer_id is null`, notNull: true };
  }

  /**
   * A per-customer aggregate condition: `pred(agg)` over the rows of `base` (`from … where …`)
   * grouped by customer, negated when `negate`. The subquery names the customers for whom `pred`
   * is true — or, when it holds for a customer with no rows at all, those for whom it is false —
   * so customers without rows need no row. In explain mode the value itself is joined instead.
   */
  #aggregate(a: {
    base: Sql;
    agg: Sql;
    pred: (v: Sql) => Sql;
    holdsAtZero: boolean;
    negate?: boolean;
    /** The condition is "at least one row": no grouping needed. */
    atLeastOne?: boolean;
    prefix: string;
    zeroValue: Sql;
  }): { matched: Sql; actual?: Sql; notNull?: boolean } {
    if (this.ctx.explain) {
      const j = this.#join(sql`select x.customer_id, ${a.agg} as v ${a.base} group by x.customer_id`, a.prefix);
      const value = sql`coalesce(${j}.v, ${a.zeroValue})`;
      const matched = a.pred(value);
      return { matched: a.negate ? sql`not coalesce(${matched}, false)` : matched, actual: value };
    }
    const subquery =
      a.atLeastOne && !a.holdsAtZero
        ? sql`select x.customer_id ${a.base}`
        : sql`select x.customer_id ${a.base} group by x.customer_id
              having ${a.holdsAtZero ? sql`not coalesce(${a.pred(a.agg)}, false)` : a.pred(a.agg)}`;
    return this.#inSet(subquery, a.prefix, a.holdsAtZero === !!a.negate);
  }

  #condition(c: Condition): { matched: Sql; actual?: Sql; notNull?: boolean } {
    const ws = this.ctx.workspaceId;
    switch (c.type) {
      case 'trait':
        return this.#trait(c);
      case 'tag': {
        const has = sql`c.tags @> array[${c.tag}::text]`;
        return { matched: c.op === 'has' ? has : sql`not (${has})`, actual: sql`c.tags` };
      }
      case 'event':
        return this.#event(c);
      case 'orders':
        return this.#orders(c);
      case 'last_order':
        return {
          matched:
            c.op === 'none'
              ? sql`c.last_order_at is null`
              : timeCompare(sql`c.last_order_at`, c.op, this.ctx.now, c.value, c.days),
          actual: sql`c.last_order_at`,
        };
      case 'bought': {
        const productMatch = c.product
          ? sql` and (p.external_id = ${c.product} or p.sku = ${c.product} or i.sku = ${c.product}
                 or lower(p.name) = lower(${c.product}) or lower(i.name) = lower(${c.product}))`
          : sql``;
        const categoryMatch = c.category ? sql` and lower(p.category) = lower(${c.category})` : sql``;
        const from = sql`from orders o
              join order_items i on i.order_id = o.id and i.workspace_id = ${ws}
              left join products p on p.workspace_id = ${ws} and p.id = i.product_id
              where o.workspace_id = ${ws} and o.cancelled_at is null
              ${this.#window(sql`o.placed_at`, c.within)}${this.#scope(sql`o.customer_id`)}${productMatch}${categoryMatch}`;
        if (!this.ctx.explain) return this.#inSet(sql`select o.customer_id ${from}`, 'b', true);
        const a = this.#join(sql`select o.customer_id, count(distinct o.id) as n ${from} group by o.customer_id`, 'b');
        return { matched: sql`${a}.n is not null`, actual: sql`coalesce(${a}.n, 0)`, notNull: true };
      }
      case 'fact': {
        if (c.fact === 'channels') {
          const has = sql`c.channels @> array[${c.value}::text]`;
          return { matched: c.op === 'includes' ? has : sql`not (${has})`, actual: sql`c.channels` };
        }
        if (c.fact === 'acquisition_channel') {
          const col = sql`c.acquisition_channel`;
          const matched =
            c.op === 'in'
              ? sql`${col} = any(${c.value as string[]}::text[])`
              : c.op === 'equals'
                ? sql`${col} = ${c.value as string}`
                : sql`${col} is distinct from ${c.value as string}`;
          return { matched, actual: col };
        }
        const col = c.fact === 'first_seen_at' ? sql`c.first_seen_at` : sql`c.last_seen_at`;
        return { matched: timeCompare(col, c.op, this.ctx.now, c.value, c.days), actual: col };
      }
      case 'segment': {
        const members = sql`select m.customer_id from segment_members m
              where m.workspace_id = ${ws} and m.segment_id = ${c.segmentId}${this.#scope(sql`m.customer_id`)}`;
        if (!this.ctx.explain) return this.#inSet(members, 's', c.op === 'in');
        const a = this.#join(sql`select s.customer_id, 1 as n from (${members}) s`, 's');
        const member = sql`${a}.n is not null`;
        return { matched: c.op === 'in' ? member : sql`not (${member})`, actual: member, notNull: true };
      }
      case 'consent':
        return this.#consent(c);
      case 'prediction': {
        // predict's scores (the last run's), without the customers who asked for no personalization.
        const members = scoreMembersSql(ws, PREDICTION_SCORES[c.score], c.op, c.value, c.value2);
        if (!this.ctx.explain) return this.#inSet(members, 'p', true);
        const a = this.#join(scoreValuesSql(ws, PREDICTION_SCORES[c.score]), 'p');
        return { matched: sql`${a}.customer_id in (${members})`, actual: sql`${a}.value`, notNull: true };
      }
      case 'rfm':
      case 'lifecycle': {
        // Analytics' own definitions, embedded. The cells / stages are ranks and thresholds over the
        // whole workspace, so the subquery is never restricted to the scope; the outer query is.
        let members: Sql;
        if (c.type === 'rfm') members = rfmMembersSql(ws, c.cells);
        else {
          const resolved = this.ctx.lifecycle?.get(lifecycleKey(c.stages));
          if (!resolved) throw new Error('lifecycle condition compiled without resolveRule');
          members = resolved;
        }
        const prefix = c.type === 'rfm' ? 'r' : 'l';
        if (!this.ctx.explain) return this.#inSet(sql`select x.id as customer_id from (${members}) x`, prefix, true);
        const a = this.#join(sql`select x.id as customer_id from (${members}) x`, prefix);
        // The customer's own cell / stage would cost a scan per cell: explain reports membership, as for segments.
        const member = sql`${a}.customer_id is not null`;
        return { matched: member, actual: member, notNull: true };
      }
    }
  }

  /**
   * The status of one channel and purpose, `unknown` without a row. Without `unknown` among the
   * wanted statuses, the customers whose row has one of them; with it, everyone but those whose
   * row has another.
   */
  #consent(c: ConsentCondition): { matched: Sql; actual?: Sql; notNull?: boolean } {
    const ws = this.ctx.workspaceId;
    const wanted = Array.isArray(c.status) ? [...new Set(c.status)] : [c.status];
    const rows = sql`from consents k where k.workspace_id = ${ws} and k.channel = ${c.channel}
          and k.purpose = ${c.purpose}${this.#scope(sql`k.customer_id`)}`;
    if (this.ctx.explain) {
      const a = this.#join(sql`select k.customer_id, k.status ${rows}`, 'k');
      const status = sql`coalesce(${a}.status, 'unknown')`;
      return { matched: sql`${status} = any(${wanted}::text[])`, actual: status, notNull: true };
    }
    if (!wanted.includes('unknown')) {
      return this.#inSet(sql`select k.customer_id ${rows} and k.status = any(${wanted}::text[])`, 'k', true);
    }
    return this.#inSet(sql`select k.customer_id ${rows} and k.status <> all(${wanted}::text[])`, 'k', false);
  }

  #trait(c: TraitCondition): { matched: Sql; actual: Sql } {
    const j = sql`(c.traits -> ${c.trait}::text)`;
    const x = sql`(c.traits ->> ${c.trait}::text)`;
    const text = (v: unknown) => String(v);
    const num = sql`(case when ${x} ~ ${NUMERIC_RE} then (${x})::numeric end)`;
    // Dates are ISO strings: compared by calendar day as written, so a junk value never fails a cast.
    const day = sql`(case when ${x} ~ ${DATE_RE} then left(${x}, 10) end)`;
    const set = sql`(jsonb_typeof(${j}) <> 'null' and ${x} <> '')`;
    let matched: Sql;
    switch (c.op) {
      case 'equals':
        matched = sql`lower(${x}) = lower(${text(c.value)})`;
        break;
      case 'not_equals':
        matched = sql`coalesce(lower(${x}) <> lower(${text(c.value)}), true)`;
        break;
      case 'contains':
        matched = sql`strpos(lower(${x}), lower(${text(c.value)})) > 0`;
        break;
      case 'in':
        matched = sql`lower(${x}) = any(${(c.value as string[]).map((v) => v.toLowerCase())}::text[])`;
        break;
      case 'set':
        matched = set;
        break;
      case 'unset':
        matched = sql`not coalesce(${set}, false)`;
        break;
      case 'gt':
        matched = sql`${num} > ${c.value as number}::numeric`;
        break;
      case 'gte':
        matched = sql`${num} >= ${c.value as number}::numeric`;
        break;
      case 'lt':
        matched = sql`${num} < ${c.value as number}::numeric`;
        break;
      case 'lte':
        matched = sql`${num} <= ${c.value as number}::numeric`;
        break;
      case 'before':
        matched = sql`${day} < ${String(c.value).slice(0, 10)}`;
        break;
      case 'after':
        matched = sql`${day} > ${String(c.value).slice(0, 10)}`;
        break;
      case 'within_last_days':
        matched = sql`${day} between ${isoDay(daysBefore(this.ctx.now, c.days as number))} and ${isoDay(this.ctx.now)}`;
        break;
      case 'birthday_in_next_days':
        matched = sql`(case when ${x} ~ ${DATE_RE} then substr(${x}, 6, 5) end) = any(${birthdayWindow(this.ctx.now, c.days as number)}::text[])`;
        break;
    }
    return { matched, actual: j };
  }

  #property(f: PropertyFilter): Sql {
    const x = sql`(x.properties ->> ${f.property}::text)`;
    const v = f.value;
    switch (f.op) {
      case 'equals':
        return sql`${x} = ${String(v)}`;
      case 'not_equals':
        return sql`${x} is distinct from ${String(v)}`;
      case 'contains':
        return sql`strpos(lower(${x}), lower(${String(v)})) > 0`;
      case 'in':
        return sql`${x} = any(${(Array.isArray(v) ? v : [v]).map(String)}::text[])`;
      case 'gt':
      case 'lt': {
        const n = typeof v === 'number' ? v : Number(v);
        const num = sql`(case when ${x} ~ ${NUMERIC_RE} then (${x})::numeric end)`;
        return f.op === 'gt'
          ? sql`${num} > ${Number.isFinite(n) ? n : 0}::numeric`
          : sql`${num} < ${Number.isFinite(n) ? n : 0}::numeric`;
      }
    }
  }

  #event(c: EventCondition): { matched: Sql; actual?: Sql; notNull?: boolean } {
    const ws = this.ctx.workspaceId;
    const where = (c.where ?? []).map((f) => sql` and coalesce(${this.#property(f)}, false)`);
    const count = c.count ?? { op: 'at_least' as const, value: 1 };
    const pred = (n: Sql) =>
      count.op === 'at_least'
        ? sql`${n} >= ${count.value}::bigint`
        : count.op === 'at_most'
          ? sql`${n} <= ${count.value}::bigint`
          : sql`${n} = ${count.value}::bigint`;
    const holdsAtZero = count.op === 'at_most' || count.value === 0;
    return this.#aggregate({
      base: sql`from events x
          where x.workspace_id = ${ws} and x.type = 'track' and x.event = ${c.event}
          ${this.#window(sql`x.timestamp`, c.within)}${this.#scope(sql`x.customer_id`)}${sql.join(where, sql``)}`,
      agg: sql`count(*)`,
      pred,
      holdsAtZero,
      negate: !c.did,
      atLeastOne: count.op === 'at_least' && count.value === 1,
      prefix: 'e',
      zeroValue: sql`0`,
    });
  }

  #orders(c: OrdersCondition): { matched: Sql; actual?: Sql; notNull?: boolean } {
    if (!c.within) {
      // The profile's order facts: non-cancelled orders, net revenue (total − refunds) in its main currency.
      const value =
        c.metric === 'count'
          ? sql`c.order_count`
          : c.metric === 'revenue'
            ? sql`c.revenue`
            : sql`(c.revenue / nullif(c.order_count, 0))`;
      return { matched: numberCompare(value, c.op, c.value, c.value2), actual: value };
    }
    const ws = this.ctx.workspaceId;
    const agg =
      c.metric === 'count'
        ? sql`count(*)`
        : c.metric === 'revenue'
          ? sql`sum(x.total - x.refunded_amount)`
          : sql`(sum(x.total - x.refunded_amount) / count(*))`;
    // No orders in the window: count and revenue are 0, AOV undefined (never matches).
    const holdsAtZero = c.metric !== 'aov' && numberHolds(0, c.op, c.value, c.value2);
    return this.#aggregate({
      base: sql`from orders x
          where x.workspace_id = ${ws} and x.cancelled_at is null
          ${this.#window(sql`x.placed_at`, c.within)}${this.#scope(sql`x.customer_id`)}`,
      agg,
      pred: (v) => numberCompare(v, c.op, c.value, c.value2),
      holdsAtZero,
      prefix: 'o',
      zeroValue: c.metric === 'aov' ? sql`null::numeric` : sql`0`,
    });
  }
}

/** The FROM … WHERE of the customers matching a rule (alias `c`). */
export function matchingFrom(rule: SegmentRule, ctx: CompileContext): { from: Sql; compiler: RuleCompiler } {
  const compiler = new RuleCompiler(ctx);
  const where = compiler.compile(rule);
  const scope = ctx.scope ? sql` and c.id = any(${ctx.scope}::text[])` : sql``;
  const from = sql`from customers c${compiler.joins.length ? sql.join(compiler.joins, sql``) : sql``}
    where c.workspace_id = ${ctx.workspaceId} and c.merged_into is null${scope} and ${where}`;
  return { from, compiler };
}

/** `select c.id …`: the ids of the customers matching the rule. */
export function matchingIdsQuery(rule: SegmentRule, ctx: CompileContext): Sql {
  return sql`select c.id ${matchingFrom(rule, ctx).from}`;
}
