/**
 * A journey's definition (AUT-1): a trigger, entry and exit rules, an optional goal and holdout,
 * and a graph of steps (`nodes`, by id, from `start`). JSON, validated by zod for each node's own
 * fields and by `checkGraph` for what spans nodes (references, reachability, loops without a
 * wait), each problem named by the node and field at fault.
 */
import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { propertyFilter, segmentRuleSchema } from '../segments/index.js';
import { jm } from './messages.js';

const notEmpty = english(pm('not_empty'));
export const NODE_ID = /^[A-Za-z0-9_-]{1,40}$/;
export const MAX_NODES = 100;
const nodeId = z.string().regex(NODE_ID, { message: english(jm('node_id_format')) });
const name = z.string().trim().min(1, notEmpty).max(200);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: english(jm('time_of_day')) });
export const UNITS = { minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 } as const;
const duration = z.strictObject({
  amount: z.number().int().min(0).max(100_000),
  unit: z.enum(Object.keys(UNITS) as [keyof typeof UNITS, ...(keyof typeof UNITS)[]]),
});
export type Duration = z.infer<typeof duration>;
export const durationMs = (d: Duration) => d.amount * UNITS[d.unit] * 1000;

const eventTrigger = z.strictObject({
  type: z.literal('event'),
  event: name,
  where: z.array(propertyFilter).max(10).optional(),
});
const segmentTrigger = z.strictObject({
  type: z.literal('segment'),
  segmentId: z.string().min(1).max(60),
  on: z.enum(['entered', 'exited']),
});
export const DATE_FACTS = ['last_order_at', 'first_order_at', 'first_seen_at'] as const;
const dateTrigger = z
  .strictObject({
    type: z.literal('date'),
    /** A date trait (`birthday`, `signed_up_at`, …) or a fact of the profile. */
    trait: z.string().trim().min(1).max(100).optional(),
    fact: z.enum(DATE_FACTS).optional(),
    /** Days after the date (negative: before it), e.g. -3 for "three days before the birthday". */
    offsetDays: z.number().int().min(-366).max(3660).default(0),
    /** Every year on the date (birthdays, anniversaries), or once. */
    yearly: z.boolean().default(false),
    /** The customer's local time of day to enter. */
    at: clock.default('09:00'),
  })
  .refine((t) => !!t.trait !== !!t.fact, { message: english(jm('trait_or_fact')), path: ['trait'] });
const inactivityTrigger = z.strictObject({
  type: z.literal('inactivity'),
  /** No such event (any event when absent) for `days` days. */
  event: name.optional(),
  days: z.number().int().min(1).max(3650),
});
export const triggerSchema = z.discriminatedUnion('type', [
  eventTrigger,
  segmentTrigger,
  dateTrigger,
  inactivityTrigger,
]);
export type Trigger = z.infer<typeof triggerSchema>;

const next = nodeId.optional();
const waitNode = z
  .strictObject({
    type: z.literal('wait'),
    label: z.string().max(200).optional(),
    /** Wait this long… */
    for: duration.optional(),
    /**
     * Or: until the customer's usual time between two orders has passed since their last order
     * (their own average when they have ordered twice or more; the business's usual interval
     * otherwise), plus `for` if given.
     */
    reorderInterval: z.boolean().optional(),
    /** …then until this time of day in the customer's time zone (the next one, or today's if still ahead). */
    untilTime: clock.optional(),
    next,
  })
  .refine((n) => n.for || n.untilTime || n.reorderInterval, { message: english(jm('wait_needs')), path: ['for'] });
const waitEventNode = z.strictObject({
  type: z.literal('wait_for_event'),
  label: z.string().max(200).optional(),
  event: name,
  where: z.array(propertyFilter).max(10).optional(),
  timeout: duration,
  /** Where the customer goes when the event happens… */
  next,
  /** …and when the timeout passes first. */
  timeoutNext: next,
});
const conditionNode = z.strictObject({
  type: z.literal('condition'),
  label: z.string().max(200).optional(),
  rule: segmentRuleSchema,
  yes: next,
  no: next,
});
const splitNode = z
  .strictObject({
    type: z.literal('split'),
    label: z.string().max(200).optional(),
    branches: z
      .array(z.strictObject({ label: z.string().max(100).optional(), percent: z.number().int().min(0).max(100), next }))
      .min(2)
      .max(5),
  })
  .refine((n) => n.branches.reduce((s, b) => s + b.percent, 0) === 100, {
    message: english(jm('split_sum')),
    path: ['branches'],
  });
export const CHANNELS = ['email', 'sms', 'webhook'] as const;
const sendNode = z
  .strictObject({
    type: z.literal('send'),
    label: z.string().max(200).optional(),
    channel: z.enum(CHANNELS),
    purpose: z.enum(['marketing', 'transactional']).default('marketing'),
    /** A saved template (email, SMS) … */
    templateKey: z.string().trim().min(1).max(100).optional(),
    /** … or the content itself: email subject and HTML (Liquid), SMS body (Liquid). */
    subject: z.string().max(500).optional(),
    html: z.string().max(200_000).optional(),
    text: z.string().max(100_000).optional(),
    body: z.string().max(2000).optional(),
    /** Webhooks: the endpoint, and extra fields for the payload. */
    endpointId: z.string().min(1).max(60).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    next,
  })
  .superRefine((n, ctx) => {
    const need = (path: string, key: 'email_content' | 'sms_content' | 'webhook_endpoint') =>
      ctx.addIssue({ code: 'custom', message: english(jm(key)), path: [path] });
    if (n.channel === 'email' && !n.templateKey && !(n.subject && n.html)) need('templateKey', 'email_content');
    if (n.channel === 'sms' && !n.templateKey && !n.body) need('body', 'sms_content');
    if (n.channel === 'webhook' && !n.endpointId) need('endpointId', 'webhook_endpoint');
  });
const traitValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
const updateNode = z
  .strictObject({
    type: z.literal('update_profile'),
    label: z.string().max(200).optional(),
    setTraits: z.record(z.string().min(1).max(100), traitValue).optional(),
    addTags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
    removeTags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
    next,
  })
  .refine((n) => Object.keys(n.setTraits ?? {}).length || n.addTags?.length || n.removeTags?.length, {
    message: english(jm('update_needs')),
    path: ['setTraits'],
  });
const listNode = z.strictObject({
  type: z.literal('add_to_list'),
  label: z.string().max(200).optional(),
  segmentId: z.string().min(1).max(60),
  next,
});
const taskNode = z.strictObject({
  type: z.literal('task'),
  label: z.string().max(200).optional(),
  title: name,
  notes: z.string().max(2000).optional(),
  assigneeId: z.string().min(1).max(60).optional(),
  dueInDays: z.number().int().min(0).max(365).optional(),
  next,
});
const goalNode = z.strictObject({
  type: z.literal('goal'),
  label: z.string().max(200).optional(),
});
const exitNode = z.strictObject({ type: z.literal('exit'), label: z.string().max(200).optional() });

export const nodeSchema = z.discriminatedUnion('type', [
  waitNode,
  waitEventNode,
  conditionNode,
  splitNode,
  sendNode,
  updateNode,
  listNode,
  taskNode,
  goalNode,
  exitNode,
]);
export type JourneyNode = z.infer<typeof nodeSchema>;
export type NodeType = JourneyNode['type'];

export const goalSchema = z
  .strictObject({
    /** The goal is met when the customer does this event (while inside or within `withinDays` of entering)… */
    event: name.optional(),
    where: z.array(propertyFilter).max(10).optional(),
    /** …or matches this rule (checked before each step). */
    rule: segmentRuleSchema.optional(),
    /** How long after entering a conversion still counts (for the holdout too). */
    withinDays: z.number().int().min(1).max(365).default(30),
  })
  .refine((g) => g.event || g.rule, { message: english(jm('goal_needs')), path: ['event'] });

export const definitionSchema = z.strictObject({
  trigger: triggerSchema,
  entry: z
    .strictObject({
      /** once: never again; again_after: after `days` since the last entry; every_time: whenever triggered. */
      mode: z.enum(['once', 'again_after', 'every_time']).default('once'),
      days: z.number().int().min(1).max(3650).optional(),
    })
    .refine((e) => e.mode !== 'again_after' || e.days, { message: english(jm('entry_days')), path: ['days'] })
    .default({ mode: 'once' }),
  /** Customers leave as soon as they match this rule (checked before each step). */
  exit: segmentRuleSchema.optional(),
  goal: goalSchema.optional(),
  /** This share of entrants is held out: they get nothing, and their conversion is the baseline. */
  holdoutPercent: z.number().int().min(0).max(50).default(0),
  start: nodeId,
  nodes: z.record(z.string(), nodeSchema),
  /** Where the builder draws each node (ignored by the engine). */
  layout: z.record(z.string(), z.strictObject({ x: z.number(), y: z.number() })).optional(),
});
export type Definition = z.infer<typeof definitionSchema>;
export type DefinitionInput = z.input<typeof definitionSchema>;

/** The ids a node leads to, with the field naming each. */
export function exits(n: JourneyNode): { field: string; to: string | undefined }[] {
  switch (n.type) {
    case 'wait':
    case 'send':
    case 'update_profile':
    case 'add_to_list':
    case 'task':
      return [{ field: 'next', to: n.next }];
    case 'wait_for_event':
      return [
        { field: 'next', to: n.next },
        { field: 'timeoutNext', to: n.timeoutNext },
      ];
    case 'condition':
      return [
        { field: 'yes', to: n.yes },
        { field: 'no', to: n.no },
      ];
    case 'split':
      return n.branches.map((b, i) => ({ field: `branches.${i}.next`, to: b.next }));
    default:
      return [];
  }
}

/** Waits end a run of steps: a loop through one is fine; a loop without one would never stop. */
const waits = (n: JourneyNode) => n.type === 'wait' || n.type === 'wait_for_event';

export interface GraphIssue {
  path: (string | number)[];
  message: string;
  node?: string;
}

/** What zod cannot see: references, reachability, loops without a wait, node count. */
export function checkGraph(d: Definition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const ids = Object.keys(d.nodes);
  if (ids.length === 0) return [{ path: ['nodes'], message: english(jm('no_nodes')) }];
  if (ids.length > MAX_NODES)
    issues.push({ path: ['nodes'], message: english(jm('too_many_nodes', { max: MAX_NODES })) });
  for (const id of ids) {
    if (!NODE_ID.test(id)) issues.push({ path: ['nodes', id], node: id, message: english(jm('node_id_format')) });
  }
  if (!d.nodes[d.start]) issues.push({ path: ['start'], message: english(jm('unknown_node', { id: d.start })) });
  for (const [id, n] of Object.entries(d.nodes)) {
    for (const e of exits(n)) {
      if (e.to !== undefined && !d.nodes[e.to])
        issues.push({
          path: ['nodes', id, ...e.field.split('.')],
          node: id,
          message: english(jm('unknown_node', { id: e.to })),
        });
      if (e.to === id && !waits(n))
        issues.push({ path: ['nodes', id, ...e.field.split('.')], node: id, message: english(jm('self_loop')) });
    }
  }
  if (issues.length) return issues;
  // Reachable from the start.
  const seen = new Set<string>();
  const stack = [d.start];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of exits(d.nodes[id] as JourneyNode)) if (e.to) stack.push(e.to);
  }
  for (const id of ids)
    if (!seen.has(id)) issues.push({ path: ['nodes', id], node: id, message: english(jm('unreachable')) });
  // A cycle made only of steps that do not wait: depth-first search over non-wait nodes.
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, trail: string[]): void => {
    const n = d.nodes[id] as JourneyNode;
    if (waits(n)) return;
    const s = state.get(id);
    if (s === 2) return;
    if (s === 1) {
      const loop = trail.slice(trail.indexOf(id));
      issues.push({
        path: ['nodes', id],
        node: id,
        message: english(jm('loop_without_wait', { nodes: loop.join(' → ') })),
      });
      return;
    }
    state.set(id, 1);
    for (const e of exits(n)) if (e.to) visit(e.to, [...trail, id]);
    state.set(id, 2);
  };
  for (const id of ids) visit(id, []);
  return issues;
}

/** Parses and checks a definition: the definition, or every problem with its path and node. */
export function parseDefinition(
  input: unknown,
): { definition: Definition; issues: [] } | { definition: null; issues: GraphIssue[] } {
  const r = definitionSchema.safeParse(input);
  if (!r.success) {
    return {
      definition: null,
      issues: r.error.issues.map((i) => ({
        path: i.path as (string | number)[],
        message: i.message,
        ...(i.path[0] === 'nodes' && typeof i.path[1] === 'string' ? { node: i.path[1] } : {}),
      })),
    };
  }
  const issues = checkGraph(r.data);
  return issues.length ? { definition: null, issues } : { definition: r.data, issues: [] };
}
