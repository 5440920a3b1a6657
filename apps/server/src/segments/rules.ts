/**
 * The segment rule language (SEG-1): nested `all` / `any` / `not` over conditions on traits,
 * tags, events, orders, facts and other segments. JSON, validated here; compiled to SQL by
 * compiler.ts. Validation walks the tree itself (instead of a zod union) so that an error names
 * the exact path at fault, e.g. `rule.all.1.count.value`.
 */
import { z } from 'zod';
import { LIFECYCLE_STAGES, RFM_CELLS } from '../analytics/index.js';
import { english, pm } from '../platform/messages.js';
import { PREDICTION_SCORES, type PredictionScore } from '../predict/index.js';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES } from '../privacy/index.js';
import { sm } from './messages.js';

/** Deepest nesting of all/any/not (the root is depth 1). */
export const MAX_RULE_DEPTH = 6;
/** Most nodes (groups and conditions) in one rule. */
export const MAX_RULE_NODES = 60;
/** Most children of one all/any group. */
export const MAX_GROUP_CHILDREN = 30;
const MAX_DAYS = 36_500;

const isoDate = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: english(sm('date_or_time')),
  });
const notEmpty = english(pm('not_empty'));
const days = z.number().int().min(1).max(MAX_DAYS);
const name = z.string().trim().min(1, notEmpty).max(200);
const amount = z.number().min(0).max(1e15);

/** A time window: the last N days (up to the evaluation time) or between two dates (`to` exclusive). */
export const windowSchema = z.union([
  z.strictObject({ lastDays: days }),
  z
    .strictObject({ from: isoDate, to: isoDate })
    .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: english(sm('to_after_from')), path: ['to'] }),
]);
export type RuleWindow = z.infer<typeof windowSchema>;

export const TRAIT_OPS = [
  'equals',
  'not_equals',
  'contains',
  'in',
  'set',
  'unset',
  'gt',
  'gte',
  'lt',
  'lte',
  'before',
  'after',
  'within_last_days',
  'birthday_in_next_days',
] as const;
export type TraitOp = (typeof TRAIT_OPS)[number];

const traitCondition = z
  .strictObject({
    type: z.literal('trait'),
    trait: z.string().trim().min(1, notEmpty).max(100),
    op: z.enum(TRAIT_OPS),
    value: z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.string().max(500)).max(200)]).optional(),
    days: z.number().int().min(1).max(366).optional(),
  })
  .superRefine((c, ctx) => {
    const need = (field: 'value' | 'days', message: string) => ctx.addIssue({ code: 'custom', message, path: [field] });
    switch (c.op) {
      case 'set':
      case 'unset':
        return;
      case 'within_last_days':
      case 'birthday_in_next_days':
        if (c.days === undefined) need('days', english(sm('required_with_op', { op: c.op })));
        return;
      case 'in':
        if (!Array.isArray(c.value) || c.value.length === 0) need('value', english(sm('non_empty_list_with_in')));
        return;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (typeof c.value !== 'number') need('value', english(sm('number_with_op', { op: c.op })));
        return;
      case 'before':
      case 'after':
        if (!isoDate.safeParse(c.value).success) need('value', english(sm('date')));
        return;
      default:
        if (c.value === undefined || Array.isArray(c.value)) need('value', english(sm('scalar_with_op', { op: c.op })));
    }
  });

const tagCondition = z.strictObject({
  type: z.literal('tag'),
  tag: z.string().trim().min(1, notEmpty).max(60),
  op: z.enum(['has', 'has_not']),
});

/** A condition on one property of an event (`where` of event conditions; journeys' event triggers reuse it). */
export const propertyFilter = z.strictObject({
  property: z.string().trim().min(1, notEmpty).max(100),
  op: z.enum(['equals', 'not_equals', 'contains', 'gt', 'lt', 'in']),
  value: z.union([
    z.string().max(500),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string().max(500), z.number()])).max(200),
  ]),
});

export const COUNT_OPS = ['at_least', 'at_most', 'exactly'] as const;
const eventCondition = z.strictObject({
  type: z.literal('event'),
  event: name,
  did: z.boolean(),
  count: z.strictObject({ op: z.enum(COUNT_OPS), value: z.number().int().min(0).max(1_000_000) }).optional(),
  within: windowSchema.optional(),
  where: z.array(propertyFilter).max(10).optional(),
});

export const NUMBER_OPS = ['gt', 'gte', 'lt', 'lte', 'equals', 'between'] as const;
const ordersCondition = z
  .strictObject({
    type: z.literal('orders'),
    metric: z.enum(['count', 'revenue', 'aov']),
    op: z.enum(NUMBER_OPS),
    value: amount,
    value2: amount.optional(),
    within: windowSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.op === 'between' && (c.value2 === undefined || c.value2 < c.value)) {
      ctx.addIssue({ code: 'custom', message: english(sm('value2_with_between')), path: ['value2'] });
    }
  });

const lastOrderCondition = z
  .strictObject({
    type: z.literal('last_order'),
    op: z.enum(['before', 'after', 'within_last_days', 'not_within_last_days', 'none']),
    value: isoDate.optional(),
    days: days.optional(),
  })
  .superRefine((c, ctx) => dateOpCheck(c, ctx));

const boughtCondition = z
  .strictObject({
    type: z.literal('bought'),
    product: name.optional(),
    category: name.optional(),
    within: windowSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.product && !c.category) {
      ctx.addIssue({ code: 'custom', message: english(sm('product_or_category')), path: ['product'] });
    }
  });

function dateOpCheck(c: { op: string; value?: string; days?: number }, ctx: z.RefinementCtx) {
  if ((c.op === 'before' || c.op === 'after') && c.value === undefined) {
    ctx.addIssue({ code: 'custom', message: english(sm('required_with_op', { op: c.op })), path: ['value'] });
  }
  if (c.op.endsWith('within_last_days') && c.days === undefined) {
    ctx.addIssue({ code: 'custom', message: english(sm('required_with_op', { op: c.op })), path: ['days'] });
  }
}

const factDateCondition = z
  .strictObject({
    type: z.literal('fact'),
    fact: z.enum(['first_seen_at', 'last_seen_at']),
    op: z.enum(['before', 'after', 'within_last_days', 'not_within_last_days']),
    value: isoDate.optional(),
    days: days.optional(),
  })
  .superRefine((c, ctx) => dateOpCheck(c, ctx));
const factChannelsCondition = z.strictObject({
  type: z.literal('fact'),
  fact: z.literal('channels'),
  op: z.enum(['includes', 'excludes']),
  value: z.string().trim().min(1, notEmpty).max(40),
});
const factAcquisitionCondition = z
  .strictObject({
    type: z.literal('fact'),
    fact: z.literal('acquisition_channel'),
    op: z.enum(['equals', 'not_equals', 'in']),
    value: z.union([z.string().trim().min(1).max(40), z.array(z.string().trim().min(1).max(40)).min(1).max(50)]),
  })
  .superRefine((c, ctx) => {
    if ((c.op === 'in') !== Array.isArray(c.value)) {
      ctx.addIssue({
        code: 'custom',
        message: english(c.op === 'in' ? sm('list_with_in') : sm('one_channel_with_op', { op: c.op })),
        path: ['value'],
      });
    }
  });

const segmentCondition = z.strictObject({
  type: z.literal('segment'),
  segmentId: z.string().trim().min(1, notEmpty).max(100),
  op: z.enum(['in', 'not_in']),
});

/** The customer is in one of these named RFM cells (analytics' RFM, docs/metrics.md). */
const rfmCondition = z.strictObject({
  type: z.literal('rfm'),
  cells: z.array(z.enum(RFM_CELLS)).min(1).max(RFM_CELLS.length),
});

/** The customer is in one of these lifecycle stages now (analytics' lifecycle, with the workspace's thresholds). */
const lifecycleCondition = z.strictObject({
  type: z.literal('lifecycle'),
  stages: z.array(z.enum(LIFECYCLE_STAGES)).min(1).max(LIFECYCLE_STAGES.length),
});

/**
 * The customer's consent for a channel and purpose is this status (or one of these); a customer
 * with nothing recorded is `unknown` (privacy's consents).
 */
const consentCondition = z.strictObject({
  type: z.literal('consent'),
  channel: z.enum(CONSENT_CHANNELS),
  purpose: z.enum(CONSENT_PURPOSES),
  status: z.union([z.enum(CONSENT_STATUSES), z.array(z.enum(CONSENT_STATUSES)).min(1).max(CONSENT_STATUSES.length)]),
});

/**
 * A prediction score compares so (predict's scores: churn risk, P(alive), CLV, expected purchases
 * in 90 days, probability of ordering in 30 days). Customers who asked for no personalization
 * never match one.
 */
const predictionCondition = z
  .strictObject({
    type: z.literal('prediction'),
    score: z.enum(Object.keys(PREDICTION_SCORES) as [PredictionScore, ...PredictionScore[]]),
    op: z.enum(NUMBER_OPS),
    value: z.number().min(-1e15).max(1e15),
    value2: z.number().min(-1e15).max(1e15).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.op === 'between' && (c.value2 === undefined || c.value2 < c.value)) {
      ctx.addIssue({ code: 'custom', message: english(sm('value2_with_between')), path: ['value2'] });
    }
  });

const factCondition = z.discriminatedUnion('fact', [
  factDateCondition,
  factChannelsCondition,
  factAcquisitionCondition,
]);

/** One condition, discriminated by `type` (and `fact` for facts). */
export const conditionSchema = z.discriminatedUnion('type', [
  traitCondition,
  tagCondition,
  eventCondition,
  ordersCondition,
  lastOrderCondition,
  boughtCondition,
  factCondition,
  segmentCondition,
  rfmCondition,
  lifecycleCondition,
  consentCondition,
  predictionCondition,
]);
export type Condition = z.infer<typeof conditionSchema>;
export type TraitCondition = z.infer<typeof traitCondition>;
export type EventCondition = z.infer<typeof eventCondition>;
export type OrdersCondition = z.infer<typeof ordersCondition>;
export type PropertyFilter = z.infer<typeof propertyFilter>;
export type LifecycleCondition = z.infer<typeof lifecycleCondition>;
export type ConsentCondition = z.infer<typeof consentCondition>;
export type PredictionCondition = z.infer<typeof predictionCondition>;

export type SegmentRule = { all: SegmentRule[] } | { any: SegmentRule[] } | { not: SegmentRule } | Condition;

export interface RuleIssue {
  path: (string | number)[];
  message: string;
  /** zod's own issue, when `message` is zod's default text (so the error mapping can translate it). */
  zod?: z.core.$ZodIssue;
}

/**
 * Checks a rule; returns the normalised rule or the issues, each with its path inside the rule.
 * Enforces the depth and size limits.
 */
export function checkRule(input: unknown): { rule: SegmentRule; issues: [] } | { rule: null; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  let nodes = 0;
  const walk = (v: unknown, path: (string | number)[], depth: number): SegmentRule | null => {
    nodes++;
    if (nodes > MAX_RULE_NODES) {
      issues.push({ path, message: english(sm('too_many_nodes', { max: MAX_RULE_NODES })) });
      return null;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      issues.push({ path, message: english(sm('not_a_node', { groups: '{all:[…]} | {any:[…]} | {not:…}' })) });
      return null;
    }
    const o = v as Record<string, unknown>;
    const group = (['all', 'any', 'not'] as const).find((k) => k in o);
    if (group) {
      const extra = Object.keys(o).filter((k) => k !== group);
      if (extra.length) {
        issues.push({
          path: [...path, extra[0] as string],
          message: english(
            sm(extra.length > 1 ? 'unknown_group_fields' : 'unknown_group_field', { keys: extra.join(', ') }),
          ),
        });
        return null;
      }
      if (depth >= MAX_RULE_DEPTH) {
        issues.push({ path: [...path, group], message: english(sm('too_deep', { levels: MAX_RULE_DEPTH - 1 })) });
        return null;
      }
      if (group === 'not') {
        const inner = walk(o.not, [...path, 'not'], depth + 1);
        return inner ? { not: inner } : null;
      }
      const list = o[group];
      if (!Array.isArray(list) || list.length === 0) {
        issues.push({ path: [...path, group], message: english(sm('empty_group')) });
        return null;
      }
      if (list.length > MAX_GROUP_CHILDREN) {
        issues.push({ path: [...path, group], message: english(sm('too_many_children', { max: MAX_GROUP_CHILDREN })) });
        return null;
      }
      const children = list.map((c, i) => walk(c, [...path, group, i], depth + 1));
      if (children.some((c) => c === null)) return null;
      return group === 'all' ? { all: children as SegmentRule[] } : { any: children as SegmentRule[] };
    }
    const r = conditionSchema.safeParse(v);
    if (!r.success) {
      for (const i of r.error.issues) {
        let message = i.message;
        let zod: z.core.$ZodIssue | undefined = i.code === 'custom' ? undefined : i;
        if (i.code === 'unrecognized_keys') {
          zod = undefined;
          message = english(pm(i.keys.length > 1 ? 'unknown_fields' : 'unknown_field', { keys: i.keys.join(', ') }));
        }
        if (i.code === 'invalid_union' && (i.path.at(-1) === 'type' || i.path.at(-1) === 'fact' || !i.path.length)) {
          message = i.path.at(-1) === 'fact' ? english(sm('fact_one_of')) : english(sm('type_one_of'));
          zod = undefined;
        }
        const at = [...path, ...(i.path as (string | number)[])];
        issues.push(zod ? { path: at, message, zod } : { path: at, message });
      }
      return null;
    }
    return r.data;
  };
  const rule = walk(input, [], 1);
  if (!rule || issues.length)
    return { rule: null, issues: issues.length ? issues : [{ path: [], message: english(pm('is_invalid')) }] };
  return { rule, issues: [] };
}

/** A rule in a request body: checked by `checkRule`, every issue reported with its path. */
export const segmentRuleSchema = z.unknown().transform((v, ctx): SegmentRule => {
  const r = checkRule(v);
  if (r.rule) return r.rule;
  for (const i of r.issues) {
    // zod's own issues keep their code and fields, for the error mapping to render them in Spanish.
    ctx.addIssue(
      i.zod
        ? ({ ...i.zod, path: i.path } as z.core.$ZodRawIssue)
        : { code: 'custom', message: i.message, path: i.path },
    );
  }
  return z.NEVER;
});
// For the OpenAPI document: the shape of a rule (groups recurse into any rule).
const conditionJsonSchema = z.toJSONSchema(conditionSchema, { io: 'input', unrepresentable: 'any' });
delete (conditionJsonSchema as Record<string, unknown>).$schema;
(segmentRuleSchema as unknown as { _zod: { toJSONSchema: () => object } })._zod.toJSONSchema = () => ({
  description:
    'A segment rule: {"all": [rule, …]} | {"any": [rule, …]} | {"not": rule} | a condition. ' +
    `At most ${MAX_RULE_DEPTH - 1} levels of groups and ${MAX_RULE_NODES} nodes.`,
  anyOf: [
    { type: 'object', properties: { all: { type: 'array', items: { type: 'object' } } }, required: ['all'] },
    { type: 'object', properties: { any: { type: 'array', items: { type: 'object' } } }, required: ['any'] },
    { type: 'object', properties: { not: { type: 'object' } }, required: ['not'] },
    conditionJsonSchema,
  ],
});

/** Every segment a rule refers to, with the path of the condition. */
export function referencedSegments(
  rule: SegmentRule,
  path: (string | number)[] = [],
): { id: string; path: (string | number)[] }[] {
  if ('all' in rule) return rule.all.flatMap((r, i) => referencedSegments(r, [...path, 'all', i]));
  if ('any' in rule) return rule.any.flatMap((r, i) => referencedSegments(r, [...path, 'any', i]));
  if ('not' in rule) return referencedSegments(rule.not, [...path, 'not']);
  return rule.type === 'segment' ? [{ id: rule.segmentId, path }] : [];
}

/** True when the rule's truth can change with time alone (a window of the last N days, a birthday, …). */
export function isTimeBased(rule: SegmentRule): boolean {
  if ('all' in rule) return rule.all.some(isTimeBased);
  if ('any' in rule) return rule.any.some(isTimeBased);
  if ('not' in rule) return isTimeBased(rule.not);
  // Lifecycle stages move with time; RFM scores are ranks over the whole workspace.
  if (rule.type === 'lifecycle' || rule.type === 'rfm') return true;
  if ('within' in rule && rule.within && 'lastDays' in rule.within) return true;
  return (
    'op' in rule &&
    (rule.op === 'within_last_days' || rule.op === 'not_within_last_days' || rule.op === 'birthday_in_next_days')
  );
}
