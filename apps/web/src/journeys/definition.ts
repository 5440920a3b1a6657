/**
 * A journey's definition as the builder edits it (docs/journeys.md; the server's
 * apps/server/src/journeys/definition.ts validates it): types, the exits of each step, an automatic
 * layout, and pure edit helpers (add, delete, connect, move) that return a new definition.
 */

export const STEP_TYPES = [
  'send',
  'wait',
  'wait_for_event',
  'condition',
  'split',
  'update_profile',
  'add_to_list',
  'task',
  'goal',
  'exit',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
export type Unit = (typeof UNITS)[number];
export interface Duration {
  amount: number;
  unit: Unit;
}

interface Base {
  label?: string;
}
export interface WaitStep extends Base {
  type: 'wait';
  for?: Duration;
  untilTime?: string;
  next?: string;
}
export interface WaitForEventStep extends Base {
  type: 'wait_for_event';
  event: string;
  where?: unknown[];
  timeout: Duration;
  next?: string;
  timeoutNext?: string;
}
export interface ConditionStep extends Base {
  type: 'condition';
  rule: unknown;
  yes?: string;
  no?: string;
}
export interface SplitStep extends Base {
  type: 'split';
  branches: { label?: string; percent: number; next?: string }[];
}
export interface SendStep extends Base {
  type: 'send';
  channel: 'email' | 'sms' | 'webhook';
  purpose?: 'marketing' | 'transactional';
  templateKey?: string;
  subject?: string;
  html?: string;
  text?: string;
  body?: string;
  endpointId?: string;
  payload?: Record<string, unknown>;
  next?: string;
}
export interface UpdateProfileStep extends Base {
  type: 'update_profile';
  setTraits?: Record<string, string | number | boolean | null>;
  addTags?: string[];
  removeTags?: string[];
  next?: string;
}
export interface AddToListStep extends Base {
  type: 'add_to_list';
  segmentId: string;
  next?: string;
}
export interface TaskStep extends Base {
  type: 'task';
  title: string;
  notes?: string;
  assigneeId?: string;
  dueInDays?: number;
  next?: string;
}
export interface GoalStep extends Base {
  type: 'goal';
}
export interface ExitStep extends Base {
  type: 'exit';
}
export type Step =
  | WaitStep
  | WaitForEventStep
  | ConditionStep
  | SplitStep
  | SendStep
  | UpdateProfileStep
  | AddToListStep
  | TaskStep
  | GoalStep
  | ExitStep;

export type Trigger =
  | { type: 'event'; event: string; where?: unknown[] }
  | { type: 'segment'; segmentId: string; on: 'entered' | 'exited' }
  | {
      type: 'date';
      trait?: string;
      fact?: 'last_order_at' | 'first_order_at' | 'first_seen_at';
      offsetDays?: number;
      yearly?: boolean;
      at?: string;
    }
  | { type: 'inactivity'; event?: string; days: number };
export type TriggerType = Trigger['type'];

export interface Position {
  x: number;
  y: number;
}

export interface Definition {
  trigger: Trigger;
  entry?: { mode: 'once' | 'again_after' | 'every_time'; days?: number };
  exit?: unknown;
  goal?: { event?: string; where?: unknown[]; rule?: unknown; withinDays?: number };
  holdoutPercent?: number;
  start: string;
  nodes: Record<string, Step>;
  layout?: Record<string, Position>;
}

/** A way out of a step: the field holding the next step's id (`next`, `yes`, `branches.1.next`…). */
export interface Exit {
  field: string;
  to: string | undefined;
}

/** The ways out of a step, in the order they are drawn (left to right). */
export function exitsOf(step: Step): Exit[] {
  switch (step.type) {
    case 'wait':
    case 'send':
    case 'update_profile':
    case 'add_to_list':
    case 'task':
      return [{ field: 'next', to: step.next }];
    case 'wait_for_event':
      return [
        { field: 'next', to: step.next },
        { field: 'timeoutNext', to: step.timeoutNext },
      ];
    case 'condition':
      return [
        { field: 'yes', to: step.yes },
        { field: 'no', to: step.no },
      ];
    case 'split':
      return step.branches.map((b, i) => ({ field: `branches.${i}.next`, to: b.next }));
    default:
      return [];
  }
}

/** The step with its `field` exit pointing at `to` (cleared when `to` is undefined). */
export function withExit(step: Step, field: string, to: string | undefined): Step {
  const branch = /^branches\.(\d+)\.next$/.exec(field);
  if (branch && step.type === 'split') {
    const i = Number(branch[1]);
    return {
      ...step,
      branches: step.branches.map((b, k) => (k === i ? withoutUndefined({ ...b, next: to }) : b)),
    };
  }
  if (!exitsOf(step).some((e) => e.field === field)) return step;
  return withoutUndefined({ ...step, [field]: to }) as Step;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A reasonable new step of each type, valid where it can be without the user's input. */
export function newStep(type: StepType): Step {
  switch (type) {
    case 'send':
      return { type, channel: 'email', purpose: 'marketing', subject: '', html: '' };
    case 'wait':
      return { type, for: { amount: 1, unit: 'days' } };
    case 'wait_for_event':
      return { type, event: 'Order Completed', timeout: { amount: 1, unit: 'days' } };
    case 'condition':
      return { type, rule: { all: [] } };
    case 'split':
      return {
        type,
        branches: [
          { label: 'A', percent: 50 },
          { label: 'B', percent: 50 },
        ],
      };
    case 'update_profile':
      return { type, addTags: [] };
    case 'add_to_list':
      return { type, segmentId: '' };
    case 'task':
      return { type, title: '', dueInDays: 1 };
    default:
      return { type };
  }
}

/** A new step id from its type, not already used: `send`, `send_2`, … */
export function newStepId(d: Definition, type: StepType): string {
  if (!d.nodes[type]) return type;
  for (let i = 2; ; i++) if (!d.nodes[`${type}_${i}`]) return `${type}_${i}`;
}

/**
 * Adds a step of `type` on the `field` exit of `after` (or before the start when `after` is null):
 * the new step takes over where that exit led, on its first exit. Returns the definition and the new id.
 */
export function addStep(
  d: Definition,
  after: { id: string; field: string } | null,
  type: StepType,
): { definition: Definition; id: string } {
  const id = newStepId(d, type);
  const previous = after ? exitsOf(d.nodes[after.id] as Step).find((e) => e.field === after.field)?.to : d.start;
  let step = newStep(type);
  const firstExit = exitsOf(step)[0];
  if (previous && firstExit) step = withExit(step, firstExit.field, previous);
  const nodes = { ...d.nodes, [id]: step };
  if (after) nodes[after.id] = withExit(nodes[after.id] as Step, after.field, id);
  const definition: Definition = { ...d, nodes, ...(after ? {} : { start: id }) };
  // A saved layout gets a place for the new step: below the step it follows (or above the old start).
  if (d.layout) {
    const anchor = after ? d.layout[after.id] : previous ? d.layout[previous] : undefined;
    definition.layout = {
      ...d.layout,
      [id]: anchor ? { x: anchor.x, y: anchor.y + (after ? ROW : -ROW) } : { x: 0, y: 0 },
    };
  }
  return { definition, id };
}

/**
 * Removes a step. Whatever led to it now leads where it led (its first exit that goes somewhere);
 * the start moves on the same way. The last step cannot be removed (a journey needs one): returns null.
 */
export function deleteStep(d: Definition, id: string): Definition | null {
  const step = d.nodes[id];
  if (!step || Object.keys(d.nodes).length <= 1) return null;
  const successor = exitsOf(step).find((e) => e.to && e.to !== id)?.to;
  const nodes: Record<string, Step> = {};
  for (const [other, s] of Object.entries(d.nodes)) {
    if (other === id) continue;
    let next = s;
    for (const e of exitsOf(s)) if (e.to === id) next = withExit(next, e.field, successor);
    nodes[other] = next;
  }
  let start = d.start;
  if (start === id) start = successor ?? (Object.keys(nodes)[0] as string);
  const definition: Definition = { ...d, start, nodes };
  if (d.layout) {
    const { [id]: _removed, ...layout } = d.layout;
    definition.layout = layout;
  }
  return definition;
}

/** Points the `field` exit of `from` at `to` (a connection dragged in the builder). */
export function connect(d: Definition, from: string, field: string, to: string | undefined): Definition {
  const step = d.nodes[from];
  if (!step) return d;
  return { ...d, nodes: { ...d.nodes, [from]: withExit(step, field, to) } };
}

/** Replaces a step's fields from its form; its exits (edited on the graph) stay as they were. */
export function replaceStep(d: Definition, id: string, step: Step): Definition {
  const before = d.nodes[id];
  if (!before) return d;
  let next = step;
  // Exits are edited on the graph, not in the form: keep them unless the step's shape changed.
  for (const e of exitsOf(before))
    if (exitsOf(next).some((x) => x.field === e.field)) next = withExit(next, e.field, e.to);
  return { ...d, nodes: { ...d.nodes, [id]: next } };
}

export const COLUMN = 280;
export const ROW = 150;

/**
 * Positions for every step: top to bottom in levels from the start (breadth first), each level
 * centred; steps not reachable from the start go in a row below. Saved positions (`layout`) win.
 */
export function autoLayout(d: Definition): Record<string, Position> {
  const level = new Map<string, number>();
  const order: string[] = [];
  if (d.nodes[d.start]) {
    level.set(d.start, 0);
    const queue = [d.start];
    while (queue.length) {
      const id = queue.shift() as string;
      order.push(id);
      for (const e of exitsOf(d.nodes[id] as Step)) {
        if (e.to && d.nodes[e.to] && !level.has(e.to)) {
          level.set(e.to, (level.get(id) as number) + 1);
          queue.push(e.to);
        }
      }
    }
  }
  const deepest = order.length ? Math.max(...level.values()) : -1;
  for (const id of Object.keys(d.nodes)) {
    if (!level.has(id)) {
      level.set(id, deepest + 1);
      order.push(id);
    }
  }
  const rows = new Map<number, string[]>();
  for (const id of order) {
    const l = level.get(id) as number;
    rows.set(l, [...(rows.get(l) ?? []), id]);
  }
  const out: Record<string, Position> = {};
  for (const [l, ids] of rows) {
    ids.forEach((id, i) => {
      out[id] = d.layout?.[id] ?? { x: (i - (ids.length - 1) / 2) * COLUMN, y: l * ROW };
    });
  }
  return out;
}

/** The definition with `positions` saved as its layout (only for steps that exist). */
export function withLayout(d: Definition, positions: Record<string, Position>): Definition {
  const layout: Record<string, Position> = {};
  for (const id of Object.keys(d.nodes)) {
    const p = positions[id];
    if (p) layout[id] = { x: Math.round(p.x), y: Math.round(p.y) };
  }
  return { ...d, layout };
}

/** An issue as the server words it: `path` (`nodes.email1.templateKey`, maybe prefixed `definition.`). */
export interface Issue {
  path: string;
  node: string | null;
  message: string;
}

/** Issues by the step they are about, and those about the journey as a whole. */
export function groupIssues(issues: readonly Issue[]): { byNode: Map<string, Issue[]>; general: Issue[] } {
  const byNode = new Map<string, Issue[]>();
  const general: Issue[] = [];
  for (const issue of issues) {
    const node = issue.node ?? /^(?:definition\.)?nodes\.([^.]+)/.exec(issue.path)?.[1] ?? null;
    if (node) byNode.set(node, [...(byNode.get(node) ?? []), issue]);
    else general.push(issue);
  }
  return { byNode, general };
}

/** The steps and exits a simulated path goes through, to highlight them. */
export function pathEdges(d: Definition, path: readonly { node: string }[]): Set<string> {
  const edges = new Set<string>();
  for (let i = 0; i + 1 < path.length; i++) {
    const from = path[i]?.node as string;
    const to = path[i + 1]?.node as string;
    const step = d.nodes[from];
    if (!step) continue;
    for (const e of exitsOf(step)) if (e.to === to) edges.add(edgeId(from, e.field));
  }
  return edges;
}

/** The id of the edge drawn for a step's exit. */
export const edgeId = (from: string, field: string) => `${from}:${field}`;

/** Reads a definition from the server's loose JSON (a draft may be anything the API accepted). */
export function asDefinition(draft: Record<string, unknown>): Definition {
  const nodes = draft.nodes && typeof draft.nodes === 'object' ? (draft.nodes as Record<string, Step>) : {};
  const trigger =
    draft.trigger && typeof draft.trigger === 'object' ? (draft.trigger as Trigger) : { type: 'event', event: '' };
  const start = typeof draft.start === 'string' ? draft.start : (Object.keys(nodes)[0] ?? '');
  return { ...(draft as object), trigger, start, nodes } as Definition;
}
