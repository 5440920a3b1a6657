import '@xyflow/react/dist/style.css';
import { Box, Group, Paper, Text, ThemeIcon, useComputedColorScheme } from '@mantine/core';
import {
  IconArrowsSplit,
  IconBolt,
  IconChecklist,
  IconClock,
  IconClockPause,
  IconDoorExit,
  IconGitBranch,
  IconListCheck,
  IconSend,
  IconTarget,
  IconUserEdit,
} from '@tabler/icons-react';
import {
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeChange,
  type NodeProps,
  Position,
  ReactFlow,
  type ReactFlowInstance,
} from '@xyflow/react';
import type { TFunction } from 'i18next';
import { type ComponentType, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StepStats } from './api';
import { autoLayout, type Definition, edgeId, exitsOf, type Issue, type Step, type StepType } from './definition';
import { useStepSummary, useTriggerSummary } from './summaries';

export const STEP_ICONS: Record<StepType, ComponentType<{ size?: number; stroke?: number }>> = {
  send: IconSend,
  wait: IconClock,
  wait_for_event: IconClockPause,
  condition: IconGitBranch,
  split: IconArrowsSplit,
  update_profile: IconUserEdit,
  add_to_list: IconListCheck,
  task: IconChecklist,
  goal: IconTarget,
  exit: IconDoorExit,
};

/** The trigger's node id: no step may have it (step ids are letters, digits, `_` and `-`). */
export const TRIGGER = '@trigger';
const NODE_WIDTH = 230;

interface StepData extends Record<string, unknown> {
  id: string;
  step: Step;
  issues: Issue[];
  stats: StepStats | undefined;
  onPath: boolean;
  chosen: boolean;
}
interface TriggerData extends Record<string, unknown> {
  definition: Definition;
}
type StepNode = Node<StepData, 'step'>;
type TriggerNode = Node<TriggerData, 'trigger'>;

const NODE_TYPES = { step: StepNodeView, trigger: TriggerNodeView };

/**
 * The journey as a graph (React Flow): the trigger on top, a node per step with its type, a summary,
 * its figures and its problems; an edge per exit, labelled. Dragging a handle onto a step connects
 * that exit; dragging a step moves it (`onMove` gets every position, to save as the layout).
 */
export function Builder({
  definition,
  issues,
  stats,
  path,
  pathEdges,
  selected,
  editable,
  onSelect,
  onConnect,
  onMove,
}: {
  definition: Definition;
  issues: Map<string, Issue[]>;
  stats: Map<string, StepStats>;
  path: Set<string>;
  pathEdges: Set<string>;
  selected: string | null;
  editable: boolean;
  /** A step selected (click, or Enter on a focused step); null: none (pane clicked, Escape). */
  onSelect: (id: string | null) => void;
  /** An exit (`field`) of `from` now leads to `to` (undefined: nowhere); `from` may be the trigger. */
  onConnect: (from: string, field: string, to: string | undefined) => void;
  onMove: (positions: Record<string, { x: number; y: number }>) => void;
}) {
  const { t } = useTranslation();
  const scheme = useComputedColorScheme('light');

  const built = useMemo(() => {
    const at = autoLayout(definition);
    const start = at[definition.start] ?? { x: 0, y: 0 };
    const nodes: (StepNode | TriggerNode)[] = [
      {
        id: TRIGGER,
        type: 'trigger',
        position: { x: start.x, y: start.y - 130 },
        data: { definition },
        draggable: false,
        selectable: false,
        deletable: false,
        ariaLabel: t('journeys.builder.trigger'),
      },
    ];
    for (const [id, step] of Object.entries(definition.nodes)) {
      nodes.push({
        id,
        type: 'step',
        position: at[id] ?? { x: 0, y: 0 },
        data: {
          id,
          step,
          issues: issues.get(id) ?? [],
          stats: stats.get(id),
          onPath: path.has(id),
          chosen: selected === id,
        },
        selected: selected === id,
        draggable: editable,
        connectable: editable,
        deletable: false,
        ariaLabel: `${t(`journeys.stepTypes.${step.type}`)}: ${step.label || id}`,
      });
    }
    const edges: Edge[] = [];
    if (definition.nodes[definition.start])
      edges.push({
        id: `${TRIGGER}:start`,
        source: TRIGGER,
        sourceHandle: 'start',
        target: definition.start,
        deletable: false,
        markerEnd: { type: MarkerType.ArrowClosed },
        animated: path.size > 0,
      });
    for (const [id, step] of Object.entries(definition.nodes)) {
      for (const e of exitsOf(step)) {
        if (!e.to || !definition.nodes[e.to]) continue;
        const key = edgeId(id, e.field);
        const highlighted = pathEdges.has(key);
        edges.push({
          id: key,
          source: id,
          sourceHandle: e.field,
          target: e.to,
          label: exitLabel(t, step, e.field),
          deletable: editable,
          animated: highlighted,
          markerEnd: { type: MarkerType.ArrowClosed },
          style: highlighted ? { stroke: 'var(--mantine-color-teal-6)', strokeWidth: 3 } : undefined,
          data: { from: id, field: e.field },
        });
      }
    }
    return { nodes, edges };
  }, [definition, issues, stats, path, pathEdges, selected, editable, t]);

  // Nodes are the component's state so dragging moves them smoothly; any new input rebuilds them.
  const [nodes, setNodes] = useState(built.nodes);
  useEffect(() => setNodes(built.nodes), [built.nodes]);

  // A step added or removed: fit the view again so a new step is not out of sight.
  const flow = useRef<ReactFlowInstance<StepNode | TriggerNode, Edge> | null>(null);
  const count = Object.keys(definition.nodes).length;
  const counted = useRef(count);
  useEffect(() => {
    if (counted.current === count) return;
    counted.current = count;
    // After React Flow has measured the new node.
    const timer = setTimeout(() => void flow.current?.fitView({ padding: 0.2, maxZoom: 1, duration: 200 }), 50);
    return () => clearTimeout(timer);
  }, [count]);

  const onNodesChange = (changes: NodeChange<StepNode | TriggerNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes, ns));
    // Selecting a node (click, or Enter on a focused node) opens its panel.
    const picked = changes.find((c) => c.type === 'select' && c.selected);
    if (picked && picked.type === 'select') onSelect(picked.id === TRIGGER ? null : picked.id);
  };

  const connectHandle = (c: Connection) => {
    if (!c.target || c.target === TRIGGER) return;
    onConnect(c.source, c.sourceHandle ?? 'next', c.target);
  };

  return (
    <Box
      h={620}
      role="region"
      aria-label={t('journeys.builder.label')}
      style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-md)' }}
      data-testid="journey-graph"
    >
      <ReactFlow<StepNode | TriggerNode>
        nodes={nodes}
        edges={built.edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onNodeDragStop={(_e, _node, moved) => {
          const positions: Record<string, { x: number; y: number }> = {};
          for (const n of nodes) if (n.id !== TRIGGER) positions[n.id] = n.position;
          for (const n of moved) positions[n.id] = n.position;
          onMove(positions);
        }}
        onConnect={connectHandle}
        onInit={(instance) => {
          flow.current = instance;
        }}
        onEdgesDelete={(deleted) => {
          for (const e of deleted) {
            const d = e.data as { from?: string; field?: string } | undefined;
            if (d?.from && d.field) onConnect(d.from, d.field, undefined);
          }
        }}
        onPaneClick={() => onSelect(null)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onSelect(null);
        }}
        nodesDraggable={editable}
        nodesConnectable={editable}
        deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
        colorMode={scheme}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{
          'node.a11yDescription.default': t('journeys.builder.a11y.node'),
          'node.a11yDescription.keyboardDisabled': t('journeys.builder.a11y.nodeNoKeys'),
          'edge.a11yDescription.default': t('journeys.builder.a11y.edge'),
          'controls.ariaLabel': t('journeys.builder.a11y.controls'),
          'controls.zoomIn.ariaLabel': t('journeys.builder.a11y.zoomIn'),
          'controls.zoomOut.ariaLabel': t('journeys.builder.a11y.zoomOut'),
          'controls.fitView.ariaLabel': t('journeys.builder.a11y.fitView'),
          'controls.interactive.ariaLabel': t('journeys.builder.a11y.interactive'),
          'handle.ariaLabel': t('journeys.builder.a11y.handle'),
        }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </Box>
  );
}

/** The label on an exit's edge: yes/no, event/timeout, a branch's share; none for a plain `next`. */
function exitLabel(t: TFunction, step: Step, field: string): string | undefined {
  if (field === 'yes') return t('journeys.builder.edges.yes');
  if (field === 'no') return t('journeys.builder.edges.no');
  if (step.type === 'wait_for_event')
    return field === 'timeoutNext' ? t('journeys.builder.edges.timeout') : t('journeys.builder.edges.event');
  const branch = /^branches\.(\d+)\.next$/.exec(field);
  if (branch && step.type === 'split') {
    const b = step.branches[Number(branch[1])];
    const share = t('journeys.builder.edges.branch', { percent: b?.percent ?? 0 });
    return b?.label ? `${b.label} · ${share}` : share;
  }
  return undefined;
}

function StepNodeView({ data }: NodeProps<StepNode>) {
  const { t } = useTranslation();
  const summary = useStepSummary();
  const { step, issues, stats, onPath, chosen } = data;
  const Icon = STEP_ICONS[step.type] ?? IconBolt;
  const exits = exitsOf(step);
  const border = issues.length
    ? '2px solid var(--mantine-color-red-6)'
    : chosen
      ? '2px solid var(--mantine-primary-color-filled)'
      : onPath
        ? '2px solid var(--mantine-color-teal-6)'
        : '1px solid var(--mantine-color-default-border)';
  return (
    <Paper
      p="xs"
      radius="md"
      w={NODE_WIDTH}
      shadow={chosen ? 'md' : 'xs'}
      style={{ border, background: onPath ? 'var(--mantine-color-teal-light)' : undefined }}
      data-testid="journey-node"
      data-node={data.id}
      data-type={step.type}
      data-issue={issues.length ? 'true' : 'false'}
      data-on-path={onPath ? 'true' : 'false'}
    >
      <Handle type="target" position={Position.Top} id="in" />
      <Group gap={6} wrap="nowrap">
        <ThemeIcon size="sm" variant="light" color={issues.length ? 'red' : 'blue'} aria-hidden>
          <Icon size={14} />
        </ThemeIcon>
        <Text size="xs" c="dimmed" truncate>
          {t(`journeys.stepTypes.${step.type}`)}
        </Text>
      </Group>
      <Text size="sm" fw={600} truncate mt={2}>
        {step.label || data.id}
      </Text>
      {summary(step) ? (
        <Text size="xs" truncate>
          {summary(step)}
        </Text>
      ) : null}
      {stats ? (
        <Text size="xs" c="dimmed" data-testid="node-stats">
          {t('journeys.builder.passed', { count: stats.passed })} ·{' '}
          {t('journeys.builder.waiting', { count: stats.waiting })}
          {stats.messages ? (
            <>
              <br />
              {t('journeys.builder.messages', {
                sent: stats.messages.sent,
                opened: stats.messages.opened,
                clicked: stats.messages.clicked,
              })}
            </>
          ) : null}
        </Text>
      ) : null}
      {issues.map((issue) => (
        <Text key={`${issue.path}:${issue.message}`} size="xs" c="red" role="note">
          {t('journeys.builder.issue', { message: issue.message })}
        </Text>
      ))}
      {exits.map((e, i) => (
        <Handle
          key={e.field}
          type="source"
          position={Position.Bottom}
          id={e.field}
          style={{ left: `${((i + 1) / (exits.length + 1)) * 100}%` }}
        />
      ))}
    </Paper>
  );
}

function TriggerNodeView({ data }: NodeProps<TriggerNode>) {
  const { t } = useTranslation();
  const summary = useTriggerSummary();
  return (
    <Paper
      p="xs"
      radius="xl"
      w={NODE_WIDTH}
      withBorder
      style={{ background: 'var(--mantine-primary-color-light)' }}
      data-testid="journey-trigger"
    >
      <Group gap={6} wrap="nowrap">
        <ThemeIcon size="sm" radius="xl" aria-hidden>
          <IconBolt size={14} />
        </ThemeIcon>
        <Text size="xs" fw={600}>
          {t('journeys.builder.trigger')}
        </Text>
      </Group>
      <Text size="sm" truncate mt={2}>
        {summary(data.definition.trigger)}
      </Text>
      <Handle type="source" position={Position.Bottom} id="start" />
    </Paper>
  );
}
