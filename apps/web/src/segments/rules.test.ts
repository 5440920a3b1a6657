import { describe, expect, it } from 'vitest';
import {
  addChild,
  asRootGroup,
  cleanRule,
  defaultCondition,
  errorPath,
  incompleteFields,
  moveChild,
  newSegmentLink,
  nodeAt,
  parseRuleParam,
  removeAt,
  ruleSize,
  type SegmentRule,
  setGroupOp,
  toggleNot,
  updateAt,
} from './rules';

const tag = (name: string): SegmentRule => ({ type: 'tag', tag: name, op: 'has' });

describe('builder transforms', () => {
  const rule: SegmentRule = { all: [tag('a'), { any: [tag('b'), tag('c')] }, { not: tag('d') }] };

  it('reads and replaces the node at a path without touching the rest', () => {
    expect(nodeAt(rule, ['all', 1, 'any', 0])).toEqual(tag('b'));
    expect(nodeAt(rule, ['all', 2, 'not'])).toEqual(tag('d'));
    const next = updateAt(rule, ['all', 1, 'any', 1], () => tag('z'));
    expect(nodeAt(next, ['all', 1, 'any', 1])).toEqual(tag('z'));
    expect(nodeAt(rule, ['all', 1, 'any', 1])).toEqual(tag('c')); // the original is unchanged
    expect(updateAt(rule, ['all', 9], () => tag('x'))).toBe(rule); // a path leading nowhere changes nothing
  });

  it('adds a child at the end of a nested group', () => {
    const next = addChild(rule, ['all', 1], tag('e'));
    expect(nodeAt(next, ['all', 1])).toEqual({ any: [tag('b'), tag('c'), tag('e')] });
  });

  it('removes a condition, and a `not` together with what it negates', () => {
    expect(removeAt(rule, ['all', 0])).toEqual({ all: [{ any: [tag('b'), tag('c')] }, { not: tag('d') }] });
    expect(removeAt(rule, ['all', 2, 'not'])).toEqual({ all: [tag('a'), { any: [tag('b'), tag('c')] }] });
    expect(removeAt(rule, [])).toEqual({ all: [] });
  });

  it('moves children up and down within their group, not past its ends', () => {
    expect(moveChild(rule, ['all', 1, 'any', 1], -1)).toEqual({
      all: [tag('a'), { any: [tag('c'), tag('b')] }, { not: tag('d') }],
    });
    expect(moveChild(rule, ['all', 0], -1)).toEqual(rule);
    expect(moveChild(rule, ['all', 2], 1)).toEqual(rule);
  });

  it('switches all/any keeping the children, and wraps or unwraps a `not`', () => {
    expect(setGroupOp(rule, ['all', 1], 'all')).toEqual({
      all: [tag('a'), { all: [tag('b'), tag('c')] }, { not: tag('d') }],
    });
    expect(setGroupOp(rule, [], 'any')).toEqual({ any: rule.all });
    expect(nodeAt(toggleNot(rule, ['all', 0]), ['all', 0])).toEqual({ not: tag('a') });
    expect(nodeAt(toggleNot(rule, ['all', 2]), ['all', 2])).toEqual(tag('d'));
  });

  it('shows a lone condition inside a root group, and counts nodes and depth', () => {
    expect(asRootGroup(tag('a'))).toEqual({ all: [tag('a')] });
    expect(asRootGroup(null)).toEqual({ all: [] });
    expect(ruleSize(rule)).toEqual({ nodes: 7, depth: 2 });
  });
});

describe('unfinished rules', () => {
  it('names each field still to fill in, by its path', () => {
    const rule: SegmentRule = {
      all: [
        defaultCondition('trait'),
        {
          type: 'event',
          event: 'Order Completed',
          did: true,
          count: { op: 'at_least', value: 2 },
          within: { lastDays: 0 },
        },
        { any: [] },
        { type: 'orders', metric: 'revenue', op: 'between', value: 100, value2: 50 },
        { type: 'bought' },
        { not: { type: 'last_order', op: 'before', value: '' } },
      ],
    };
    expect(incompleteFields(rule)).toEqual([
      { path: ['all', 0, 'trait'], reason: 'required' },
      { path: ['all', 1, 'within', 'lastDays'], reason: 'number' },
      { path: ['all', 2, 'any'], reason: 'emptyGroup' },
      { path: ['all', 3, 'value2'], reason: 'range' },
      { path: ['all', 4, 'product'], reason: 'required' },
      { path: ['all', 5, 'not', 'value'], reason: 'date' },
    ]);
  });

  it('has nothing to say about a finished rule', () => {
    const rule: SegmentRule = {
      all: [
        { type: 'trait', trait: 'city', op: 'in', value: ['Madrid', 'Lima'] },
        { type: 'trait', trait: 'birthday', op: 'birthday_in_next_days', days: 7 },
        { type: 'fact', fact: 'acquisition_channel', op: 'equals', value: 'web' },
        { type: 'event', event: 'Product Viewed', did: false, within: { from: '2025-01-01', to: '2025-02-01' } },
      ],
    };
    expect(incompleteFields(rule)).toEqual([]);
  });
});

describe('the rule sent to the server', () => {
  it('trims text, drops fields the operator does not use and blank property filters', () => {
    const rule: SegmentRule = {
      all: [
        { type: 'trait', trait: ' city ', op: 'set', value: 'left over' },
        { type: 'trait', trait: 'plan', op: 'in', value: ' gold, silver ,' as unknown as string[] },
        {
          type: 'event',
          event: ' Order Completed ',
          did: true,
          where: [
            { property: 'total', op: 'gt', value: 10 },
            { property: '', op: 'equals', value: '' },
          ],
        },
        { type: 'orders', metric: 'count', op: 'gte', value: 2, value2: 9 },
        { type: 'last_order', op: 'none', days: 30 },
        { type: 'bought', product: ' SKU-1 ', category: '  ' },
      ],
    };
    expect(cleanRule(rule)).toEqual({
      all: [
        { type: 'trait', trait: 'city', op: 'set' },
        { type: 'trait', trait: 'plan', op: 'in', value: ['gold', 'silver'] },
        { type: 'event', event: 'Order Completed', did: true, where: [{ property: 'total', op: 'gt', value: 10 }] },
        { type: 'orders', metric: 'count', op: 'gte', value: 2 },
        { type: 'last_order', op: 'none' },
        { type: 'bought', product: 'SKU-1' },
      ],
    });
  });
});

describe('the consent condition', () => {
  it('starts as email marketing subscribed, needs a status, and sends one status or a list', () => {
    const c = defaultCondition('consent');
    expect(c).toEqual({ type: 'consent', channel: 'email', purpose: 'marketing', status: ['subscribed'] });
    expect(incompleteFields({ ...c, status: [] } as SegmentRule)).toEqual([{ path: ['status'], reason: 'required' }]);
    expect(cleanRule(c)).toEqual({ type: 'consent', channel: 'email', purpose: 'marketing', status: 'subscribed' });
    expect(cleanRule({ ...c, status: ['pending', 'unknown', 'pending'] } as SegmentRule)).toMatchObject({
      status: ['pending', 'unknown'],
    });
  });
});

describe('the prediction condition', () => {
  it('starts as “churn risk above 0.7” and sends only the values its operator uses', () => {
    const c = defaultCondition('prediction');
    expect(c).toEqual({ type: 'prediction', score: 'churn_risk', op: 'gt', value: 0.7 });
    expect(incompleteFields(c)).toEqual([]);
    expect(cleanRule({ ...c, value2: 0.9 } as SegmentRule)).toEqual(c);
    expect(cleanRule({ ...c, op: 'between', value2: 0.9 } as SegmentRule)).toEqual({
      ...c,
      op: 'between',
      value2: 0.9,
    });
  });

  it('keeps probabilities between 0 and 1, other scores at 0 or more, and a range in order', () => {
    const churn = defaultCondition('prediction');
    expect(incompleteFields({ ...churn, value: 1.5 } as SegmentRule)).toEqual([
      { path: ['value'], reason: 'probability' },
    ]);
    expect(incompleteFields({ ...churn, value: undefined } as unknown as SegmentRule)).toEqual([
      { path: ['value'], reason: 'probability' },
    ]);
    const clv: SegmentRule = { type: 'prediction', score: 'clv', op: 'gt', value: 1500 };
    expect(incompleteFields(clv)).toEqual([]);
    expect(incompleteFields({ ...clv, value: -1 } as SegmentRule)).toEqual([{ path: ['value'], reason: 'amount' }]);
    expect(incompleteFields({ type: 'prediction', score: 'p_alive', op: 'between', value: 0.6, value2: 0.2 })).toEqual([
      { path: ['value2'], reason: 'range' },
    ]);
    expect(
      incompleteFields({ type: 'prediction', score: 'expected_purchases_90', op: 'between', value: 1, value2: 3 }),
    ).toEqual([]);
  });

  it('is a rule the editor accepts from a page address', () => {
    const rule: SegmentRule = { all: [{ type: 'prediction', score: 'churn_risk', op: 'gte', value: 0.7 }] };
    expect(parseRuleParam(JSON.stringify(rule))).toEqual(rule);
  });
});

describe('rules in page addresses', () => {
  it('round-trips a rule through the editor link', () => {
    const rule: SegmentRule = { all: [{ type: 'orders', metric: 'count', op: 'gte', value: 2 }] };
    const link = newSegmentLink(rule, 'Repeat customers');
    const params = new URL(link, 'http://x').searchParams;
    expect(new URL(link, 'http://x').pathname).toBe('/segments/new');
    expect(params.get('name')).toBe('Repeat customers');
    expect(parseRuleParam(params.get('rule'))).toEqual(rule);
  });

  it('ignores what is not a rule', () => {
    expect(parseRuleParam(null)).toBeNull();
    expect(parseRuleParam('{not json')).toBeNull();
    expect(parseRuleParam('[1,2]')).toBeNull();
    expect(parseRuleParam('{"type":"nope"}')).toBeNull();
    expect(parseRuleParam('{"all":[{"type":"tag","tag":"x","op":"has"},{"foo":1}]}')).toBeNull();
  });
});

describe('server errors inside a rule', () => {
  it('splits the field path into the node and the field within it', () => {
    expect(errorPath('rule.all.1.count.value')).toEqual({ node: ['all', 1], field: 'count.value' });
    expect(errorPath('rule.all.0.not.any.2.event')).toEqual({ node: ['all', 0, 'not', 'any', 2], field: 'event' });
    // An empty group: the field is the group's own key, where the builder shows the message.
    expect(errorPath('rule.all')).toEqual({ node: [], field: 'all' });
    expect(errorPath('rule')).toEqual({ node: [], field: null });
    expect(errorPath('name')).toBeNull();
    expect(errorPath(null)).toBeNull();
  });
});
