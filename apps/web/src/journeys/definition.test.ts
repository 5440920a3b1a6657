import { describe, expect, it } from 'vitest';
import {
  addStep,
  autoLayout,
  COLUMN,
  connect,
  type Definition,
  deleteStep,
  exitsOf,
  groupIssues,
  pathEdges,
  ROW,
  replaceStep,
  withLayout,
} from './definition';

/** The welcome playbook's shape: three emails with two waits. */
const welcome = (): Definition => ({
  trigger: { type: 'event', event: '$identify' },
  entry: { mode: 'once' },
  start: 'email1',
  nodes: {
    email1: { type: 'send', channel: 'email', templateKey: 'welcome-1', next: 'wait1' },
    wait1: { type: 'wait', for: { amount: 2, unit: 'days' }, next: 'email2' },
    email2: { type: 'send', channel: 'email', templateKey: 'welcome-2' },
  },
});

/** A branch: a condition whose yes and no lead to two sends that meet again at an exit. */
const branching = (): Definition => ({
  trigger: { type: 'event', event: 'Checkout Started' },
  start: 'check',
  nodes: {
    check: { type: 'condition', rule: { all: [] }, yes: 'a', no: 'b' },
    a: { type: 'send', channel: 'email', templateKey: 'x', next: 'done' },
    b: { type: 'send', channel: 'sms', body: 'hi', next: 'done' },
    done: { type: 'exit' },
    lost: { type: 'goal' },
  },
});

describe('autoLayout', () => {
  it('puts a chain in one column, a row per step, from the start', () => {
    expect(autoLayout(welcome())).toEqual({
      email1: { x: 0, y: 0 },
      wait1: { x: 0, y: ROW },
      email2: { x: 0, y: 2 * ROW },
    });
  });

  it('centres the branches of a level, keeps a shared step at its first level, and puts unreachable steps last', () => {
    const at = autoLayout(branching());
    expect(at.check).toEqual({ x: 0, y: 0 });
    expect(at.a).toEqual({ x: -COLUMN / 2, y: ROW });
    expect(at.b).toEqual({ x: COLUMN / 2, y: ROW });
    expect(at.done).toEqual({ x: 0, y: 2 * ROW });
    expect(at.lost).toEqual({ x: 0, y: 3 * ROW });
  });

  it('uses saved positions where there are some', () => {
    const d = { ...welcome(), layout: { wait1: { x: 400, y: 90 } } };
    const at = autoLayout(d);
    expect(at.wait1).toEqual({ x: 400, y: 90 });
    expect(at.email2).toEqual({ x: 0, y: 2 * ROW });
  });

  it('lays out a definition whose start is missing without failing', () => {
    const d = { ...welcome(), start: 'nowhere' };
    expect(Object.keys(autoLayout(d)).sort()).toEqual(['email1', 'email2', 'wait1']);
  });
});

describe('edits', () => {
  it('adds a step after another: it takes over where that exit led', () => {
    const { definition, id } = addStep(welcome(), { id: 'email1', field: 'next' }, 'task');
    expect(id).toBe('task');
    expect(definition.nodes.email1).toMatchObject({ next: 'task' });
    expect(definition.nodes.task).toMatchObject({ type: 'task', next: 'wait1' });
  });

  it('adds a step before the start, and numbers ids already taken', () => {
    const { definition, id } = addStep(welcome(), null, 'wait');
    expect(id).toBe('wait');
    expect(definition.start).toBe('wait');
    expect(definition.nodes.wait).toMatchObject({ next: 'email1' });
    expect(addStep(definition, null, 'wait').id).toBe('wait_2');
  });

  it('puts the old target on the first branch of a new condition, and places it below in a saved layout', () => {
    const d = { ...welcome(), layout: { email1: { x: 10, y: 20 } } };
    const { definition, id } = addStep(d, { id: 'email1', field: 'next' }, 'condition');
    expect(definition.nodes[id]).toMatchObject({ type: 'condition', yes: 'wait1' });
    expect(definition.nodes[id]).not.toHaveProperty('no');
    expect(definition.layout?.[id]).toEqual({ x: 10, y: 20 + ROW });
  });

  it('adds on one exit of a step with several, leaving the others', () => {
    const { definition } = addStep(branching(), { id: 'check', field: 'no' }, 'wait');
    expect(definition.nodes.check).toMatchObject({ yes: 'a', no: 'wait' });
    expect(definition.nodes.wait).toMatchObject({ next: 'b' });
  });

  it('deletes a step: what led to it leads where it led, and its layout entry goes', () => {
    const d = deleteStep({ ...welcome(), layout: { wait1: { x: 0, y: 0 } } }, 'wait1');
    expect(d?.nodes).not.toHaveProperty('wait1');
    expect(d?.nodes.email1).toMatchObject({ next: 'email2' });
    expect(d?.layout).toEqual({});
  });

  it('deletes the start (the next step starts) and a step with no way out (exits to it are cleared)', () => {
    expect(deleteStep(welcome(), 'email1')?.start).toBe('wait1');
    const d = deleteStep(branching(), 'done');
    expect(d?.nodes.a).not.toHaveProperty('next');
    expect(d?.nodes.b).not.toHaveProperty('next');
  });

  it('does not delete the last step', () => {
    const one: Definition = { trigger: { type: 'event', event: 'x' }, start: 'end', nodes: { end: { type: 'exit' } } };
    expect(deleteStep(one, 'end')).toBeNull();
  });

  it('connects and disconnects exits, including a split branch', () => {
    let d = connect(branching(), 'check', 'yes', 'lost');
    expect(d.nodes.check).toMatchObject({ yes: 'lost', no: 'b' });
    d = connect(d, 'check', 'yes', undefined);
    expect(d.nodes.check).not.toHaveProperty('yes');
    const split: Definition = {
      trigger: { type: 'event', event: 'x' },
      start: 's',
      nodes: {
        s: { type: 'split', branches: [{ percent: 50 }, { percent: 50 }] },
        e: { type: 'exit' },
      },
    };
    const linked = connect(split, 's', 'branches.1.next', 'e');
    expect(exitsOf(linked.nodes.s as never).map((x) => x.to)).toEqual([undefined, 'e']);
  });

  it('replaces a step from its form but keeps its exits', () => {
    const d = replaceStep(welcome(), 'wait1', { type: 'wait', for: { amount: 3, unit: 'hours' } });
    expect(d.nodes.wait1).toEqual({ type: 'wait', for: { amount: 3, unit: 'hours' }, next: 'email2' });
  });

  it('saves rounded positions of existing steps only', () => {
    const d = withLayout(welcome(), { email1: { x: 1.4, y: 2.6 }, ghost: { x: 0, y: 0 } });
    expect(d.layout).toEqual({ email1: { x: 1, y: 3 } });
  });
});

describe('issues and paths', () => {
  it('groups issues by step, reading the step from the path when the server gives none', () => {
    const { byNode, general } = groupIssues([
      { path: 'definition.nodes.email1.templateKey', node: 'email1', message: 'no such template' },
      { path: 'nodes.wait1.for', node: null, message: 'needs a duration' },
      { path: 'trigger.event', node: null, message: 'required' },
    ]);
    expect([...byNode.keys()]).toEqual(['email1', 'wait1']);
    expect(general.map((i) => i.path)).toEqual(['trigger.event']);
  });

  it('finds the edges a simulated path follows', () => {
    const edges = pathEdges(branching(), [{ node: 'check' }, { node: 'b' }, { node: 'done' }]);
    expect([...edges]).toEqual(['check:no', 'b:next']);
  });
});
