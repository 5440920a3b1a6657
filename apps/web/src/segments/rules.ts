/**
 * The segment rule language as the web app edits it: types mirroring the server's
 * (apps/server/src/segments/rules.ts), and the pure transforms the visual builder applies to a
 * rule tree. A rule is edited in place as JSON; a path (`['all', 1, 'not']`, as the server names
 * errors) points at one node.
 */

import { LIFECYCLE_STAGES, type LifecycleStage, RFM_CELLS, type RfmCell } from '../analytics/api';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentStatus,
} from '../customers/api';

export { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES, LIFECYCLE_STAGES, RFM_CELLS };
export type RuleWindow = { lastDays: number } | { from: string; to: string };

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
export const COUNT_OPS = ['at_least', 'at_most', 'exactly'] as const;
export type CountOp = (typeof COUNT_OPS)[number];
export const PROPERTY_OPS = ['equals', 'not_equals', 'contains', 'gt', 'lt', 'in'] as const;
export type PropertyOp = (typeof PROPERTY_OPS)[number];
export const NUMBER_OPS = ['gt', 'gte', 'lt', 'lte', 'equals', 'between'] as const;
export type NumberOp = (typeof NUMBER_OPS)[number];
export const ORDER_METRICS = ['count', 'revenue', 'aov'] as const;
export type OrderMetric = (typeof ORDER_METRICS)[number];
export const LAST_ORDER_OPS = ['within_last_days', 'not_within_last_days', 'before', 'after', 'none'] as const;
export type LastOrderOp = (typeof LAST_ORDER_OPS)[number];
export const DATE_FACTS = ['first_seen_at', 'last_seen_at'] as const;
export type DateFact = (typeof DATE_FACTS)[number];
export const FACT_DATE_OPS = ['within_last_days', 'not_within_last_days', 'before', 'after'] as const;
export type FactDateOp = (typeof FACT_DATE_OPS)[number];
export const FACTS = ['first_seen_at', 'last_seen_at', 'channels', 'acquisition_channel'] as const;
export type Fact = (typeof FACTS)[number];
/** Scores the predictions give every customer (docs: the predictions API). */
export const PREDICTION_SCORES = [
  'churn_risk',
  'p_alive',
  'clv',
  'expected_purchases_90',
  'purchase_probability_30',
] as const;
export type PredictionScore = (typeof PREDICTION_SCORES)[number];
/** Scores that are probabilities, from 0 to 1 (the others are money or a number of purchases). */
export const PROBABILITY_SCORES: readonly PredictionScore[] = ['churn_risk', 'p_alive', 'purchase_probability_30'];
export const isProbabilityScore = (score: PredictionScore) => PROBABILITY_SCORES.includes(score);
export const PREDICTION_OPS = ['gt', 'gte', 'lt', 'lte', 'between'] as const;
export type PredictionOp = (typeof PREDICTION_OPS)[number];

export type PropertyValue = string | number | boolean | (string | number)[];
export interface PropertyFilter {
  property: string;
  op: PropertyOp;
  value: PropertyValue;
}

export interface TraitCondition {
  type: 'trait';
  trait: string;
  op: TraitOp;
  value?: string | number | boolean | string[];
  days?: number;
}
export interface TagCondition {
  type: 'tag';
  tag: string;
  op: 'has' | 'has_not';
}
export interface EventCondition {
  type: 'event';
  event: string;
  did: boolean;
  count?: { op: CountOp; value: number };
  within?: RuleWindow;
  where?: PropertyFilter[];
}
export interface OrdersCondition {
  type: 'orders';
  metric: OrderMetric;
  op: NumberOp;
  value: number;
  value2?: number;
  within?: RuleWindow;
}
export interface LastOrderCondition {
  type: 'last_order';
  op: LastOrderOp;
  value?: string;
  days?: number;
}
export interface BoughtCondition {
  type: 'bought';
  product?: string;
  category?: string;
  within?: RuleWindow;
}
export interface FactDateCondition {
  type: 'fact';
  fact: DateFact;
  op: FactDateOp;
  value?: string;
  days?: number;
}
export interface FactChannelsCondition {
  type: 'fact';
  fact: 'channels';
  op: 'includes' | 'excludes';
  value: string;
}
export interface FactAcquisitionCondition {
  type: 'fact';
  fact: 'acquisition_channel';
  op: 'equals' | 'not_equals' | 'in';
  value: string | string[];
}
export type FactCondition = FactDateCondition | FactChannelsCondition | FactAcquisitionCondition;
export interface SegmentCondition {
  type: 'segment';
  segmentId: string;
  op: 'in' | 'not_in';
}

/** In one of analytics' named RFM cells. */
export interface RfmCondition {
  type: 'rfm';
  cells: RfmCell[];
}
/** In one of analytics' lifecycle stages, today. */
export interface LifecycleCondition {
  type: 'lifecycle';
  stages: LifecycleStage[];
}

/** The customer's consent for a channel and purpose is one of these statuses (`unknown`: nothing recorded). */
export interface ConsentCondition {
  type: 'consent';
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus | ConsentStatus[];
}

/** A predicted score compares with a number: "Churn risk is above 0.7". */
export interface PredictionCondition {
  type: 'prediction';
  score: PredictionScore;
  op: PredictionOp;
  value: number;
  value2?: number;
}

export type Condition =
  | TraitCondition
  | TagCondition
  | EventCondition
  | OrdersCondition
  | LastOrderCondition
  | BoughtCondition
  | FactCondition
  | SegmentCondition
  | RfmCondition
  | LifecycleCondition
  | ConsentCondition
  | PredictionCondition;
export type ConditionType = Condition['type'];
export const CONDITION_TYPES = [
  'trait',
  'tag',
  'event',
  'orders',
  'last_order',
  'bought',
  'fact',
  'segment',
  'rfm',
  'lifecycle',
  'consent',
  'prediction',
] as const satisfies readonly ConditionType[];

export type GroupOp = 'all' | 'any';
export type Group = { all: SegmentRule[] } | { any: SegmentRule[] };
export type Not = { not: SegmentRule };
export type SegmentRule = Group | Not | Condition;
export type RulePath = (string | number)[];

/** Deepest nesting of groups the server accepts (the root is depth 1), and the most nodes. */
export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_NODES = 60;

export const isGroup = (r: SegmentRule): r is Group => 'all' in r || 'any' in r;
export const isNot = (r: SegmentRule): r is Not => 'not' in r;
export const isCondition = (r: SegmentRule): r is Condition => 'type' in r;
export const groupOp = (g: Group): GroupOp => ('all' in g ? 'all' : 'any');
export const groupChildren = (g: Group): SegmentRule[] => ('all' in g ? g.all : g.any);
const makeGroup = (op: GroupOp, children: SegmentRule[]): Group =>
  op === 'all' ? { all: children } : { any: children };

/** A new condition of a type, with sensible defaults the person then edits. */
export function defaultCondition(type: ConditionType): Condition {
  switch (type) {
    case 'trait':
      return { type, trait: '', op: 'equals', value: '' };
    case 'tag':
      return { type, tag: '', op: 'has' };
    case 'event':
      return { type, event: '', did: true, within: { lastDays: 30 } };
    case 'orders':
      return { type, metric: 'count', op: 'gte', value: 1 };
    case 'last_order':
      return { type, op: 'within_last_days', days: 30 };
    case 'bought':
      return { type, product: '' };
    case 'fact':
      return { type, fact: 'last_seen_at', op: 'within_last_days', days: 30 };
    case 'segment':
      return { type, segmentId: '', op: 'in' };
    case 'rfm':
      return { type, cells: [] };
    case 'lifecycle':
      return { type, stages: [] };
    case 'consent':
      return { type, channel: 'email', purpose: 'marketing', status: ['subscribed'] };
    case 'prediction':
      return { type, score: 'churn_risk', op: 'gt', value: 0.7 };
  }
}

/** A consent condition's statuses as a list (the API takes one or a list). */
export const consentStatuses = (c: ConsentCondition): ConsentStatus[] =>
  Array.isArray(c.status) ? c.status : [c.status];

/** A new condition for one of the facts, with its own operators. */
export function defaultFact(fact: Fact): FactCondition {
  if (fact === 'channels') return { type: 'fact', fact, op: 'includes', value: '' };
  if (fact === 'acquisition_channel') return { type: 'fact', fact, op: 'equals', value: '' };
  return { type: 'fact', fact, op: 'within_last_days', days: 30 };
}

/** The empty rule a new segment starts from. */
export const emptyRule = (): Group => ({ all: [] });

/** The node at a path, or undefined when the path leads nowhere. */
export function nodeAt(rule: SegmentRule, path: RulePath): SegmentRule | undefined {
  let node: unknown = rule;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node as SegmentRule | undefined;
}

/** A copy of the rule with the node at `path` replaced by what `update` returns. */
export function updateAt(rule: SegmentRule, path: RulePath, update: (node: SegmentRule) => SegmentRule): SegmentRule {
  if (path.length === 0) return update(rule);
  const [step, ...rest] = path;
  if (Array.isArray(rule)) throw new Error('a rule is never an array');
  if ((step === 'all' || step === 'any') && step in rule) {
    const list = (rule as Record<string, SegmentRule[]>)[step] as SegmentRule[];
    const [index, ...after] = rest;
    if (typeof index !== 'number' || index < 0 || index >= list.length) return rule;
    const next = list.slice();
    next[index] = updateAt(list[index] as SegmentRule, after, update);
    return makeGroup(step, next);
  }
  if (step === 'not' && 'not' in rule) return { not: updateAt(rule.not, rest, update) };
  return rule;
}

/** Adds a child (a condition or a group) at the end of the group at `path`. */
export function addChild(rule: SegmentRule, path: RulePath, child: SegmentRule): SegmentRule {
  return updateAt(rule, path, (node) =>
    isGroup(node) ? makeGroup(groupOp(node), [...groupChildren(node), child]) : node,
  );
}

/**
 * Removes the node at `path`. A `not` whose inner node is removed goes with it; the root is
 * never removed (it becomes an empty group).
 */
export function removeAt(rule: SegmentRule, path: RulePath): SegmentRule {
  if (path.length === 0) return emptyRule();
  const last = path[path.length - 1];
  if (last === 'not') return removeAt(rule, path.slice(0, -1));
  const parentPath = path.slice(0, -2);
  const index = last as number;
  return updateAt(rule, parentPath, (node) =>
    isGroup(node)
      ? makeGroup(
          groupOp(node),
          groupChildren(node).filter((_, i) => i !== index),
        )
      : node,
  );
}

/** Moves a child of a group one place up (-1) or down (+1). */
export function moveChild(rule: SegmentRule, path: RulePath, delta: -1 | 1): SegmentRule {
  const parentPath = path.slice(0, -2);
  const index = path[path.length - 1] as number;
  return updateAt(rule, parentPath, (node) => {
    if (!isGroup(node)) return node;
    const list = groupChildren(node).slice();
    const target = index + delta;
    if (target < 0 || target >= list.length) return node;
    [list[index], list[target]] = [list[target] as SegmentRule, list[index] as SegmentRule];
    return makeGroup(groupOp(node), list);
  });
}

/** Switches a group between "all of" and "any of", keeping its children. */
export function setGroupOp(rule: SegmentRule, path: RulePath, op: GroupOp): SegmentRule {
  return updateAt(rule, path, (node) => (isGroup(node) ? makeGroup(op, groupChildren(node)) : node));
}

/** Wraps the node at `path` in a `not`, or unwraps it when it already is one. */
export function toggleNot(rule: SegmentRule, path: RulePath): SegmentRule {
  return updateAt(rule, path, (node) => (isNot(node) ? node.not : { not: node }));
}

/** A rule as the builder shows it: always a group at the root (a lone condition is wrapped). */
export function asRootGroup(rule: SegmentRule | null | undefined): Group {
  if (!rule) return emptyRule();
  return isGroup(rule) ? rule : { all: [rule] };
}

/** Counts groups and conditions (the server allows MAX_RULE_NODES) and the deepest nesting. */
export function ruleSize(rule: SegmentRule): { nodes: number; depth: number } {
  if (isGroup(rule)) {
    const kids = groupChildren(rule).map(ruleSize);
    return {
      nodes: 1 + kids.reduce((n, k) => n + k.nodes, 0),
      depth: 1 + Math.max(0, ...kids.map((k) => k.depth)),
    };
  }
  if (isNot(rule)) {
    const inner = ruleSize(rule.not);
    return { nodes: 1 + inner.nodes, depth: 1 + inner.depth };
  }
  return { nodes: 1, depth: 0 };
}

/** Why a node cannot be sent yet: the field at fault (relative to the node) and a reason key. */
export interface Incomplete {
  path: RulePath;
  reason: 'emptyGroup' | 'required' | 'number' | 'date' | 'range' | 'probability' | 'amount';
}

const blank = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
const isDay = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;

function windowIssues(w: RuleWindow | undefined, path: RulePath): Incomplete[] {
  if (!w) return [];
  if ('lastDays' in w)
    return positiveInt(w.lastDays) ? [] : [{ path: [...path, 'within', 'lastDays'], reason: 'number' }];
  if (!isDay(w.from)) return [{ path: [...path, 'within', 'from'], reason: 'date' }];
  if (!isDay(w.to)) return [{ path: [...path, 'within', 'to'], reason: 'date' }];
  return Date.parse(w.from) < Date.parse(w.to) ? [] : [{ path: [...path, 'within', 'to'], reason: 'range' }];
}

function dateOpIssues(c: { op: string; value?: string; days?: number }, path: RulePath): Incomplete[] {
  if (c.op === 'before' || c.op === 'after')
    return isDay(c.value) ? [] : [{ path: [...path, 'value'], reason: 'date' }];
  if (c.op.endsWith('within_last_days'))
    return positiveInt(c.days) ? [] : [{ path: [...path, 'days'], reason: 'number' }];
  return [];
}

/** The fields a person still has to fill in before the rule can be previewed or saved (none: ready). */
export function incompleteFields(rule: SegmentRule, path: RulePath = []): Incomplete[] {
  if (isGroup(rule)) {
    const op = groupOp(rule);
    const kids = groupChildren(rule);
    if (kids.length === 0) return [{ path: [...path, op], reason: 'emptyGroup' }];
    return kids.flatMap((k, i) => incompleteFields(k, [...path, op, i]));
  }
  if (isNot(rule)) return incompleteFields(rule.not, [...path, 'not']);
  const c = rule;
  switch (c.type) {
    case 'trait': {
      if (blank(c.trait)) return [{ path: [...path, 'trait'], reason: 'required' }];
      if (c.op === 'set' || c.op === 'unset') return [];
      if (c.op === 'within_last_days' || c.op === 'birthday_in_next_days')
        return positiveInt(c.days) ? [] : [{ path: [...path, 'days'], reason: 'number' }];
      if (c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte')
        return typeof c.value === 'number' && Number.isFinite(c.value)
          ? []
          : [{ path: [...path, 'value'], reason: 'number' }];
      if (c.op === 'before' || c.op === 'after')
        return isDay(c.value) ? [] : [{ path: [...path, 'value'], reason: 'date' }];
      return blank(c.value) ? [{ path: [...path, 'value'], reason: 'required' }] : [];
    }
    case 'tag':
      return blank(c.tag) ? [{ path: [...path, 'tag'], reason: 'required' }] : [];
    case 'event': {
      const out: Incomplete[] = [];
      if (blank(c.event)) out.push({ path: [...path, 'event'], reason: 'required' });
      if (c.count && !(Number.isInteger(c.count.value) && c.count.value >= 0))
        out.push({ path: [...path, 'count', 'value'], reason: 'number' });
      out.push(...windowIssues(c.within, path));
      (c.where ?? []).forEach((w, i) => {
        if (blank(w.property)) out.push({ path: [...path, 'where', i, 'property'], reason: 'required' });
        else if (blank(w.value)) out.push({ path: [...path, 'where', i, 'value'], reason: 'required' });
        else if ((w.op === 'gt' || w.op === 'lt') && typeof w.value !== 'number')
          out.push({ path: [...path, 'where', i, 'value'], reason: 'number' });
      });
      return out;
    }
    case 'orders': {
      const out: Incomplete[] = [];
      if (!(typeof c.value === 'number' && Number.isFinite(c.value) && c.value >= 0))
        out.push({ path: [...path, 'value'], reason: 'number' });
      if (c.op === 'between') {
        if (!(typeof c.value2 === 'number' && Number.isFinite(c.value2)))
          out.push({ path: [...path, 'value2'], reason: 'number' });
        else if (c.value2 < c.value) out.push({ path: [...path, 'value2'], reason: 'range' });
      }
      out.push(...windowIssues(c.within, path));
      return out;
    }
    case 'last_order':
      return dateOpIssues(c, path);
    case 'bought': {
      const out: Incomplete[] =
        blank(c.product) && blank(c.category) ? [{ path: [...path, 'product'], reason: 'required' }] : [];
      return [...out, ...windowIssues(c.within, path)];
    }
    case 'fact':
      if (c.fact === 'first_seen_at' || c.fact === 'last_seen_at') return dateOpIssues(c, path);
      return blank(c.value) ? [{ path: [...path, 'value'], reason: 'required' }] : [];
    case 'segment':
      return blank(c.segmentId) ? [{ path: [...path, 'segmentId'], reason: 'required' }] : [];
    case 'rfm':
      return c.cells.length ? [] : [{ path: [...path, 'cells'], reason: 'required' }];
    case 'lifecycle':
      return c.stages.length ? [] : [{ path: [...path, 'stages'], reason: 'required' }];
    case 'consent':
      return consentStatuses(c).length ? [] : [{ path: [...path, 'status'], reason: 'required' }];
    case 'prediction': {
      const probability = isProbabilityScore(c.score);
      const check = (v: unknown): Incomplete['reason'] | null =>
        typeof v !== 'number' || !Number.isFinite(v) || v < 0
          ? probability
            ? 'probability'
            : 'amount'
          : probability && v > 1
            ? 'probability'
            : null;
      const out: Incomplete[] = [];
      const first = check(c.value);
      if (first) out.push({ path: [...path, 'value'], reason: first });
      if (c.op === 'between') {
        const second = check(c.value2);
        if (second) out.push({ path: [...path, 'value2'], reason: second });
        else if (!first && (c.value2 as number) < c.value) out.push({ path: [...path, 'value2'], reason: 'range' });
      }
      return out;
    }
  }
}

/**
 * The rule as sent to the server: text trimmed, empty optional fields and property filters
 * dropped. (The builder keeps blanks while someone types; the server refuses them.)
 */
export function cleanRule(rule: SegmentRule): SegmentRule {
  if (isGroup(rule)) return makeGroup(groupOp(rule), groupChildren(rule).map(cleanRule));
  if (isNot(rule)) return { not: cleanRule(rule.not) };
  const trim = (v: string | undefined) => (v === undefined ? undefined : v.trim());
  const c = rule;
  switch (c.type) {
    case 'trait': {
      const out: TraitCondition = { type: 'trait', trait: c.trait.trim(), op: c.op };
      if (c.op === 'set' || c.op === 'unset') return out;
      if (c.op === 'within_last_days' || c.op === 'birthday_in_next_days') return { ...out, days: c.days };
      if (c.op === 'in') {
        const list = Array.isArray(c.value) ? c.value : typeof c.value === 'string' ? c.value.split(',') : [];
        return { ...out, value: list.map((v) => v.trim()).filter(Boolean) };
      }
      return { ...out, value: typeof c.value === 'string' ? c.value.trim() : c.value };
    }
    case 'tag':
      return { ...c, tag: c.tag.trim() };
    case 'event': {
      const out: EventCondition = { type: 'event', event: c.event.trim(), did: c.did };
      if (c.count) out.count = c.count;
      if (c.within) out.within = c.within;
      const where = (c.where ?? []).filter((w) => !blank(w.property) && !blank(w.value));
      if (where.length) out.where = where.map((w) => ({ ...w, property: w.property.trim() }));
      return out;
    }
    case 'orders': {
      const { value2, ...rest } = c;
      return c.op === 'between' ? { ...rest, value2 } : rest;
    }
    case 'last_order': {
      const out: LastOrderCondition = { type: 'last_order', op: c.op };
      if (c.op === 'before' || c.op === 'after') out.value = c.value;
      if (c.op === 'within_last_days' || c.op === 'not_within_last_days') out.days = c.days;
      return out;
    }
    case 'bought': {
      const out: BoughtCondition = { type: 'bought' };
      if (!blank(c.product)) out.product = trim(c.product);
      if (!blank(c.category)) out.category = trim(c.category);
      if (c.within) out.within = c.within;
      return out;
    }
    case 'fact': {
      if (c.fact === 'first_seen_at' || c.fact === 'last_seen_at') {
        const out: FactDateCondition = { type: 'fact', fact: c.fact, op: c.op };
        if (c.op === 'before' || c.op === 'after') out.value = c.value;
        else out.days = c.days;
        return out;
      }
      return c;
    }
    case 'segment':
      return c;
    case 'rfm':
      return { type: 'rfm', cells: [...c.cells] };
    case 'lifecycle':
      return { type: 'lifecycle', stages: [...c.stages] };
    case 'consent': {
      const statuses = [...new Set(consentStatuses(c))];
      return { ...c, status: statuses.length === 1 ? (statuses[0] as ConsentStatus) : statuses };
    }
    case 'prediction': {
      const { value2, ...rest } = c;
      return c.op === 'between' ? { ...rest, value2 } : rest;
    }
  }
}

/**
 * Reads a rule from a page address parameter (`/segments/new?rule=<url-encoded JSON>`, the
 * dashboard's links). Anything that is not a rule-shaped object gives null; the server checks
 * the details when the rule is previewed.
 */
export function parseRuleParam(param: string | null): SegmentRule | null {
  if (!param) return null;
  let value: unknown;
  try {
    value = JSON.parse(param);
  } catch {
    return null;
  }
  return looksLikeRule(value, 0) ? (value as SegmentRule) : null;
}

function looksLikeRule(v: unknown, depth: number): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v) || depth > MAX_RULE_DEPTH) return false;
  const o = v as Record<string, unknown>;
  if ('all' in o || 'any' in o) {
    const list = o.all ?? o.any;
    return Array.isArray(list) && list.every((c) => looksLikeRule(c, depth + 1));
  }
  if ('not' in o) return looksLikeRule(o.not, depth + 1);
  return typeof o.type === 'string' && (CONDITION_TYPES as readonly string[]).includes(o.type);
}

/** The address of the segment editor opened with a rule (and a suggested name). */
export function newSegmentLink(rule: SegmentRule, name?: string): string {
  const params = new URLSearchParams({ rule: JSON.stringify(rule) });
  if (name) params.set('name', name);
  return `/segments/new?${params.toString()}`;
}

/**
 * Where an API error about `rule.…` points inside the rule: the server names fields by their path
 * (`rule.all.1.count.value`). Returns the path of the node (the deepest group or condition) and the
 * field within it.
 */
export function errorPath(field: string | null | undefined): { node: RulePath; field: string | null } | null {
  if (!field || !(field === 'rule' || field.startsWith('rule.'))) return null;
  const steps: RulePath = field
    .split('.')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const node: RulePath = [];
  let i = 0;
  while (i < steps.length) {
    const s = steps[i];
    if ((s === 'all' || s === 'any') && typeof steps[i + 1] === 'number') {
      node.push(s, steps[i + 1] as number);
      i += 2;
    } else if (s === 'not') {
      node.push(s);
      i += 1;
    } else break;
  }
  const rest = steps.slice(i);
  return { node, field: rest.length ? rest.join('.') : null };
}

export const samePath = (a: RulePath, b: RulePath) => a.length === b.length && a.every((s, i) => s === b[i]);
