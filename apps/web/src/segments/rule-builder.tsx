import {
  ActionIcon,
  Autocomplete,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconCircleOff, IconFolderPlus, IconPlus, IconTrash } from '@tabler/icons-react';
import { createContext, type ReactNode, useContext } from 'react';
import { useTranslation } from 'react-i18next';
import type { LifecycleStage, RfmCell } from '../analytics/api';
import { CHANNELS } from '../customers/channels';
import {
  addChild,
  type BoughtCondition,
  CONDITION_TYPES,
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  COUNT_OPS,
  type Condition,
  type ConditionType,
  consentStatuses,
  DATE_FACTS,
  defaultCondition,
  defaultFact,
  type EventCondition,
  FACT_DATE_OPS,
  FACTS,
  type Fact,
  type FactCondition,
  type GroupOp,
  type Group as GroupRule,
  groupChildren,
  groupOp,
  isGroup,
  isNot,
  isProbabilityScore,
  LAST_ORDER_OPS,
  type LastOrderCondition,
  LIFECYCLE_STAGES,
  MAX_RULE_DEPTH,
  moveChild,
  NUMBER_OPS,
  ORDER_METRICS,
  type OrdersCondition,
  PREDICTION_OPS,
  PREDICTION_SCORES,
  PROPERTY_OPS,
  type PredictionCondition,
  type PropertyFilter,
  type PropertyOp,
  RFM_CELLS,
  type RulePath,
  type RuleWindow,
  removeAt,
  type SegmentRule,
  setGroupOp,
  TRAIT_OPS,
  type TraitCondition,
  toggleNot,
  updateAt,
} from './rules';
import { describeCondition, type SentenceContext } from './sentence';

/** Events most shops send (Segment's e-commerce spec): offered as suggestions, any name is accepted. */
const COMMON_EVENTS = [
  'Order Completed',
  'Product Viewed',
  'Product Added',
  'Checkout Started',
  'Cart Viewed',
  'Page Viewed',
  'Signed Up',
  'Newsletter Subscribed',
  'Order Refunded',
  'Segment Entered',
  'Segment Exited',
];
const COMMON_TRAITS = ['email', 'firstName', 'lastName', 'phone', 'birthday', 'city', 'country', 'plan', 'createdAt'];

interface BuilderContextValue {
  rule: GroupRule;
  onChange: (rule: GroupRule) => void;
  /** Messages for fields, keyed by the path of the field (`all.0.value`). */
  errors: Map<string, string>;
  segments: { id: string; name: string }[];
  sentence: SentenceContext;
  readOnly: boolean;
}

const BuilderContext = createContext<BuilderContextValue | null>(null);
function useBuilder(): BuilderContextValue {
  const value = useContext(BuilderContext);
  if (!value) throw new Error('useBuilder outside RuleBuilder');
  return value;
}

const key = (path: RulePath) => path.join('.');
/** "2.1": the position of a node in the tree, for labels that stay unique across groups. */
const numberOf = (path: RulePath) =>
  path
    .filter((s): s is number => typeof s === 'number')
    .map((n) => n + 1)
    .join('.');

/** The change helpers a node uses: replace itself, or edit the whole rule. */
function useNode(path: RulePath) {
  const { rule, onChange, errors } = useBuilder();
  const apply = (next: SegmentRule) => onChange(next as GroupRule);
  return {
    set: (node: SegmentRule) => apply(updateAt(rule, path, () => node)),
    edit: (fn: (rule: SegmentRule) => SegmentRule) => apply(fn(rule)),
    error: (field: string) => errors.get(key([...path, field])),
  };
}

/**
 * The visual rule builder: nested "all of / any of / none of" groups of conditions, every control
 * labelled and reachable by keyboard; each condition reads back as a sentence below its fields.
 */
export function RuleBuilder({
  rule,
  onChange,
  errors,
  segments,
  sentence,
  readOnly = false,
}: Omit<BuilderContextValue, 'readOnly'> & { readOnly?: boolean }) {
  return (
    <BuilderContext.Provider value={{ rule, onChange, errors, segments, sentence, readOnly }}>
      <GroupNode node={rule} path={[]} depth={1} />
    </BuilderContext.Provider>
  );
}

function NodeView({
  node,
  path,
  depth,
  position,
}: {
  node: SegmentRule;
  path: RulePath;
  depth: number;
  position: Position;
}) {
  if (isGroup(node)) return <GroupNode node={node} path={path} depth={depth} position={position} />;
  if (isNot(node)) return <NotNode node={node.not} path={path} depth={depth} position={position} />;
  return <ConditionNode condition={node} path={path} position={position} />;
}

interface Position {
  index: number;
  count: number;
  /** The path of the node as a child of its group (a `not` around it included). */
  childPath: RulePath;
  /** Set for the inside of a negated group: the `not` around it carries the actions. */
  inert?: boolean;
}

/** Move up / move down / negate / remove, for a child of a group. */
function NodeActions({ position, label, negated }: { position: Position; label: string; negated: boolean }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { edit } = useNode(position.childPath);
  if (readOnly || position.inert) return null;
  const p = position.childPath;
  return (
    <Group gap={2} wrap="nowrap">
      <Tooltip label={t('segments.builder.moveUp')} openDelay={300}>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={t('segments.builder.moveUpNamed', { name: label })}
          disabled={position.index === 0}
          onClick={() => edit((r) => moveChild(r, p, -1))}
        >
          <IconArrowUp size={16} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={t('segments.builder.moveDown')} openDelay={300}>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={t('segments.builder.moveDownNamed', { name: label })}
          disabled={position.index === position.count - 1}
          onClick={() => edit((r) => moveChild(r, p, 1))}
        >
          <IconArrowDown size={16} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={negated ? t('segments.builder.unnegate') : t('segments.builder.negate')} openDelay={300}>
        <ActionIcon
          variant={negated ? 'light' : 'subtle'}
          color={negated ? 'orange' : 'gray'}
          aria-label={
            negated
              ? t('segments.builder.unnegateNamed', { name: label })
              : t('segments.builder.negateNamed', { name: label })
          }
          aria-pressed={negated}
          onClick={() => edit((r) => toggleNot(r, p))}
        >
          <IconCircleOff size={16} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={t('segments.builder.remove')} openDelay={300}>
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t('segments.builder.removeNamed', { name: label })}
          onClick={() => edit((r) => removeAt(r, p))}
        >
          <IconTrash size={16} aria-hidden />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

function GroupNode({
  node,
  path,
  depth,
  position,
}: {
  node: GroupRule;
  path: RulePath;
  depth: number;
  position?: Position;
}) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { edit, error } = useNode(path);
  const op = groupOp(node);
  const children = groupChildren(node);
  const label = position
    ? t('segments.builder.groupNumber', { number: numberOf(position.childPath) })
    : t('segments.builder.rootGroup');
  const emptyError = error(op);
  const canNest = depth < MAX_RULE_DEPTH - 1;
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      component="fieldset"
      aria-label={label}
      data-testid={`group-${key(path) || 'root'}`}
      style={{
        borderLeft: `4px solid var(--mantine-color-${op === 'all' ? 'blue' : 'grape'}-light-color)`,
        margin: 0,
        minWidth: 0,
      }}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={500} id={`group-label-${key(path)}`}>
              {t('segments.builder.match')}
            </Text>
            <SegmentedControl
              size="xs"
              value={op}
              disabled={readOnly}
              onChange={(v) => edit((r) => setGroupOp(r, path, v as GroupOp))}
              data={[
                { value: 'all', label: t('segments.builder.allOf') },
                { value: 'any', label: t('segments.builder.anyOf') },
              ]}
              aria-labelledby={`group-label-${key(path)}`}
            />
            <Text size="sm" c="dimmed">
              {t('segments.builder.theseConditions')}
            </Text>
          </Group>
          {position ? <NodeActions position={position} label={label} negated={false} /> : null}
        </Group>
        {children.length === 0 ? (
          <Text size="sm" c={emptyError ? 'red' : 'dimmed'} role={emptyError ? 'alert' : undefined}>
            {emptyError ?? (path.length === 0 ? t('segments.builder.emptyRoot') : t('segments.builder.emptyGroup'))}
          </Text>
        ) : null}
        {children.map((child, index) => {
          const childPath = [...path, op, index];
          return (
            <Box key={`${key(childPath)}:${childKind(child)}`}>
              {index > 0 ? (
                <Badge size="xs" variant="light" color={op === 'all' ? 'blue' : 'grape'} mb={6} aria-hidden>
                  {op === 'all' ? t('segments.builder.and') : t('segments.builder.or')}
                </Badge>
              ) : null}
              <NodeView
                node={child}
                path={childPath}
                depth={depth + 1}
                position={{ index, count: children.length, childPath }}
              />
            </Box>
          );
        })}
        {readOnly ? null : (
          <Group gap="xs">
            <AddConditionMenu
              onAdd={(type) => edit((r) => addChild(r, path, defaultCondition(type)))}
              groupLabel={label}
            />
            {canNest ? (
              <Button
                size="xs"
                variant="subtle"
                leftSection={<IconFolderPlus size={14} aria-hidden />}
                onClick={() => edit((r) => addChild(r, path, { any: [defaultCondition('trait')] }))}
                aria-label={t('segments.builder.addGroupTo', { group: label })}
              >
                {t('segments.builder.addGroup')}
              </Button>
            ) : null}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

const childKind = (r: SegmentRule) => (isGroup(r) ? 'g' : isNot(r) ? 'n' : r.type);

function AddConditionMenu({ onAdd, groupLabel }: { onAdd: (type: ConditionType) => void; groupLabel: string }) {
  const { t } = useTranslation();
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} aria-hidden />}
          aria-label={t('segments.builder.addConditionTo', { group: groupLabel })}
        >
          {t('segments.builder.addCondition')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {CONDITION_TYPES.map((type) => (
          <Menu.Item key={type} onClick={() => onAdd(type)}>
            <Text size="sm">{t(`segments.types.${type}`)}</Text>
            <Text size="xs" c="dimmed">
              {t(`segments.typeHints.${type}`)}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function NotNode({
  node,
  path,
  depth,
  position,
}: {
  node: SegmentRule;
  path: RulePath;
  depth: number;
  position: Position;
}) {
  const { t } = useTranslation();
  const innerPath = [...path, 'not'];
  const label = t('segments.builder.notNumber', { number: numberOf(path) });
  if (isGroup(node) || isNot(node)) {
    return (
      <Paper withBorder radius="md" p="sm" aria-label={label} role="group" bg="var(--mantine-color-orange-light)">
        <Stack gap="xs">
          <Group justify="space-between">
            <Badge color="orange" variant="filled">
              {t('segments.sentence.group.not')}
            </Badge>
            <NodeActions position={position} label={label} negated />
          </Group>
          <NodeView node={node} path={innerPath} depth={depth + 1} position={{ ...position, inert: true }} />
        </Stack>
      </Paper>
    );
  }
  // A negated condition: the condition itself, marked as negated.
  return <ConditionNode condition={node} path={innerPath} position={position} negated />;
}

function ConditionNode({
  condition,
  path,
  position,
  negated = false,
}: {
  condition: Condition;
  path: RulePath;
  position: Position;
  negated?: boolean;
}) {
  const { t } = useTranslation();
  const { sentence, readOnly } = useBuilder();
  const { set } = useNode(path);
  const label = t('segments.builder.conditionNumber', { number: numberOf(position.childPath) });
  const text = describeCondition(sentence, condition);
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      role="group"
      aria-label={label}
      data-testid={`condition-${key(path)}`}
      bg={negated ? 'var(--mantine-color-orange-light)' : undefined}
    >
      <Stack gap="xs">
        <Group justify="space-between" align="flex-end" wrap="nowrap" gap="xs">
          <Group gap="xs" align="flex-end" wrap="wrap" style={{ flex: 1 }}>
            {negated ? (
              <Badge color="orange" variant="filled" mb={8}>
                {t('segments.builder.notBadge')}
              </Badge>
            ) : null}
            <NativeSelect
              size="xs"
              label={t('segments.builder.conditionType')}
              value={condition.type}
              disabled={readOnly}
              onChange={(e) => set(defaultCondition(e.currentTarget.value as ConditionType))}
              data={CONDITION_TYPES.map((type) => ({ value: type, label: t(`segments.types.${type}`) }))}
              w={170}
            />
            <ConditionFields condition={condition} path={path} />
          </Group>
          <NodeActions position={position} label={label} negated={negated} />
        </Group>
        <Text size="sm" c="dimmed" data-testid="condition-sentence">
          {negated ? t('segments.sentence.notRule', { rule: text }) : text}
        </Text>
      </Stack>
    </Paper>
  );
}

function ConditionFields({ condition, path }: { condition: Condition; path: RulePath }) {
  switch (condition.type) {
    case 'trait':
      return <TraitFields c={condition} path={path} />;
    case 'tag':
      return <TagFields c={condition} path={path} />;
    case 'event':
      return <EventFields c={condition} path={path} />;
    case 'orders':
      return <OrdersFields c={condition} path={path} />;
    case 'last_order':
      return <LastOrderFields c={condition} path={path} />;
    case 'bought':
      return <BoughtFields c={condition} path={path} />;
    case 'fact':
      return <FactFields c={condition} path={path} />;
    case 'segment':
      return <SegmentFields c={condition} path={path} />;
    case 'rfm':
      return <RfmFields c={condition} path={path} />;
    case 'lifecycle':
      return <LifecycleFields c={condition} path={path} />;
    case 'consent':
      return <ConsentFields c={condition} path={path} />;
    case 'prediction':
      return <PredictionFields c={condition} path={path} />;
  }
}

// ── small inputs ──

const numberOrUndefined = (v: string | number) => (typeof v === 'number' ? v : v === '' ? undefined : Number(v));

function DaysInput({
  value,
  onChange,
  error,
  label,
}: {
  value: number | undefined;
  onChange: (days: number | undefined) => void;
  error?: string;
  label?: string;
}) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  return (
    <NumberInput
      size="xs"
      label={label ?? t('segments.builder.days')}
      value={value ?? ''}
      min={1}
      max={36500}
      allowDecimal={false}
      allowNegative={false}
      onChange={(v) => onChange(numberOrUndefined(v))}
      error={error}
      disabled={readOnly}
      w={90}
    />
  );
}

function DateField({
  value,
  onChange,
  error,
  label,
}: {
  value: string | undefined;
  onChange: (v: string) => void;
  error?: string;
  label: string;
}) {
  const { readOnly } = useBuilder();
  return (
    <TextInput
      size="xs"
      type="date"
      label={label}
      value={(value ?? '').slice(0, 10)}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
      disabled={readOnly}
      w={150}
    />
  );
}

function OpSelect<T extends string>({
  value,
  options,
  labelKey,
  onChange,
  label,
  w = 190,
}: {
  value: T;
  options: readonly T[];
  labelKey: (op: T) => string;
  onChange: (op: T) => void;
  label?: string;
  w?: number;
}) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  return (
    <NativeSelect
      size="xs"
      label={label ?? t('segments.builder.operator')}
      value={value}
      disabled={readOnly}
      onChange={(e) => onChange(e.currentTarget.value as T)}
      data={options.map((op) => ({ value: op, label: labelKey(op) }))}
      w={w}
    />
  );
}

/** Any time / in the last N days / between two dates. */
function WindowFields({
  within,
  onChange,
  path,
}: {
  within: RuleWindow | undefined;
  onChange: (w: RuleWindow | undefined) => void;
  path: RulePath;
}) {
  const { t } = useTranslation();
  const { errors, readOnly } = useBuilder();
  const mode = !within ? 'ever' : 'lastDays' in within ? 'lastDays' : 'between';
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <NativeSelect
        size="xs"
        label={t('segments.builder.when')}
        value={mode}
        disabled={readOnly}
        onChange={(e) => {
          const m = e.currentTarget.value;
          onChange(
            m === 'ever'
              ? undefined
              : m === 'lastDays'
                ? { lastDays: 30 }
                : { from: `${today.slice(0, 4)}-01-01`, to: today },
          );
        }}
        data={[
          { value: 'ever', label: t('segments.builder.window.ever') },
          { value: 'lastDays', label: t('segments.builder.window.lastDays') },
          { value: 'between', label: t('segments.builder.window.between') },
        ]}
        w={170}
      />
      {within && 'lastDays' in within ? (
        <DaysInput
          value={within.lastDays}
          onChange={(d) => onChange({ lastDays: d as number })}
          error={errors.get(key([...path, 'within', 'lastDays']))}
        />
      ) : null}
      {within && 'from' in within ? (
        <>
          <DateField
            label={t('segments.builder.from')}
            value={within.from}
            onChange={(from) => onChange({ ...within, from })}
            error={errors.get(key([...path, 'within', 'from']))}
          />
          <DateField
            label={t('segments.builder.to')}
            value={within.to}
            onChange={(to) => onChange({ ...within, to })}
            error={errors.get(key([...path, 'within', 'to']))}
          />
        </>
      ) : null}
    </>
  );
}

// ── one set of fields per condition type ──

function TraitFields({ c, path }: { c: TraitCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  const setOp = (op: TraitCondition['op']) => {
    const next: TraitCondition = { type: 'trait', trait: c.trait, op };
    if (op === 'within_last_days' || op === 'birthday_in_next_days') next.days = c.days ?? 30;
    else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte')
      next.value = typeof c.value === 'number' ? c.value : undefined;
    else if (op === 'in')
      next.value = typeof c.value === 'string' && c.value ? [c.value] : Array.isArray(c.value) ? c.value : [];
    else if (op !== 'set' && op !== 'unset') next.value = typeof c.value === 'string' ? c.value : '';
    set(next);
  };
  let valueInput: ReactNode = null;
  if (c.op === 'within_last_days' || c.op === 'birthday_in_next_days') {
    valueInput = <DaysInput value={c.days} onChange={(days) => set({ ...c, days })} error={error('days')} />;
  } else if (c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte') {
    valueInput = (
      <NumberInput
        size="xs"
        label={t('segments.builder.value')}
        value={typeof c.value === 'number' ? c.value : ''}
        onChange={(v) => set({ ...c, value: numberOrUndefined(v) })}
        error={error('value')}
        disabled={readOnly}
        w={120}
      />
    );
  } else if (c.op === 'before' || c.op === 'after') {
    valueInput = (
      <DateField
        label={t('segments.builder.date')}
        value={typeof c.value === 'string' ? c.value : ''}
        onChange={(value) => set({ ...c, value })}
        error={error('value')}
      />
    );
  } else if (c.op === 'in') {
    valueInput = (
      <TagsInput
        size="xs"
        label={t('segments.builder.values')}
        description={t('segments.builder.valuesHint')}
        value={Array.isArray(c.value) ? c.value : []}
        onChange={(value) => set({ ...c, value })}
        error={error('value')}
        disabled={readOnly}
        w={240}
      />
    );
  } else if (c.op !== 'set' && c.op !== 'unset') {
    valueInput = (
      <TextInput
        size="xs"
        label={t('segments.builder.value')}
        value={typeof c.value === 'string' ? c.value : c.value === undefined ? '' : String(c.value)}
        onChange={(e) => set({ ...c, value: e.currentTarget.value })}
        error={error('value')}
        disabled={readOnly}
        w={180}
      />
    );
  }
  return (
    <>
      <Autocomplete
        size="xs"
        label={t('segments.builder.trait')}
        placeholder={t('segments.builder.traitPlaceholder')}
        data={COMMON_TRAITS}
        value={c.trait}
        onChange={(trait) => set({ ...c, trait })}
        error={error('trait')}
        disabled={readOnly}
        w={160}
      />
      <OpSelect value={c.op} options={TRAIT_OPS} labelKey={(op) => t(`segments.ops.trait.${op}`)} onChange={setOp} />
      {valueInput}
    </>
  );
}

function TagFields({ c, path }: { c: Condition & { type: 'tag' }; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <>
      <OpSelect
        value={c.op}
        options={['has', 'has_not'] as const}
        labelKey={(op) => t(`segments.ops.tag.${op}`)}
        onChange={(op) => set({ ...c, op })}
      />
      <TextInput
        size="xs"
        label={t('segments.builder.tag')}
        value={c.tag}
        onChange={(e) => set({ ...c, tag: e.currentTarget.value })}
        error={error('tag')}
        disabled={readOnly}
        w={180}
      />
    </>
  );
}

function EventFields({ c, path }: { c: EventCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly, errors } = useBuilder();
  const { set, error } = useNode(path);
  const where = c.where ?? [];
  const setWhere = (next: PropertyFilter[]) => set({ ...c, where: next.length ? next : undefined });
  return (
    <>
      <NativeSelect
        size="xs"
        label={t('segments.builder.did')}
        value={c.did ? 'did' : 'didNot'}
        disabled={readOnly}
        onChange={(e) => {
          const did = e.currentTarget.value === 'did';
          set(did ? { ...c, did } : { ...c, did, count: undefined });
        }}
        data={[
          { value: 'did', label: t('segments.ops.event.did') },
          { value: 'didNot', label: t('segments.ops.event.didNot') },
        ]}
        w={140}
      />
      <Autocomplete
        size="xs"
        label={t('segments.builder.event')}
        placeholder={t('segments.builder.eventPlaceholder')}
        data={COMMON_EVENTS}
        value={c.event}
        onChange={(event) => set({ ...c, event })}
        error={error('event')}
        disabled={readOnly}
        w={200}
      />
      {c.did ? (
        <>
          <NativeSelect
            size="xs"
            label={t('segments.builder.howOften')}
            value={c.count?.op ?? 'any'}
            disabled={readOnly}
            onChange={(e) => {
              const v = e.currentTarget.value;
              set({
                ...c,
                count: v === 'any' ? undefined : { op: v as (typeof COUNT_OPS)[number], value: c.count?.value ?? 1 },
              });
            }}
            data={[
              { value: 'any', label: t('segments.ops.count.any') },
              ...COUNT_OPS.map((op) => ({ value: op, label: t(`segments.ops.count.${op}`) })),
            ]}
            w={150}
          />
          {c.count ? (
            <NumberInput
              size="xs"
              label={t('segments.builder.times')}
              value={c.count.value}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              onChange={(v) =>
                set({ ...c, count: { op: c.count?.op ?? 'at_least', value: numberOrUndefined(v) as number } })
              }
              error={errors.get(key([...path, 'count', 'value']))}
              disabled={readOnly}
              w={90}
            />
          ) : null}
        </>
      ) : null}
      <WindowFields within={c.within} onChange={(within) => set({ ...c, within })} path={path} />
      <Box w="100%">
        <Stack gap={6}>
          {where.map((f, i) => (
            <PropertyFilterRow
              // biome-ignore lint/suspicious/noArrayIndexKey: filters have no identity of their own
              key={i}
              filter={f}
              index={i}
              path={[...path, 'where', i]}
              onChange={(next) => setWhere(where.map((w, j) => (j === i ? next : w)))}
              onRemove={() => setWhere(where.filter((_, j) => j !== i))}
            />
          ))}
          {readOnly || where.length >= 10 ? null : (
            <Button
              size="compact-xs"
              variant="subtle"
              w="fit-content"
              leftSection={<IconPlus size={12} aria-hidden />}
              onClick={() => setWhere([...where, { property: '', op: 'equals', value: '' }])}
            >
              {t('segments.builder.addProperty')}
            </Button>
          )}
        </Stack>
      </Box>
    </>
  );
}

function PropertyFilterRow({
  filter,
  index,
  path,
  onChange,
  onRemove,
}: {
  filter: PropertyFilter;
  index: number;
  path: RulePath;
  onChange: (f: PropertyFilter) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const { errors, readOnly } = useBuilder();
  const numeric = filter.op === 'gt' || filter.op === 'lt';
  const setOp = (op: PropertyOp) => {
    let value = filter.value;
    if (op === 'gt' || op === 'lt') value = typeof value === 'number' ? value : Number(value) || 0;
    else if (op === 'in') value = Array.isArray(value) ? value : value === '' ? [] : [String(value)];
    else value = Array.isArray(value) ? value.join(', ') : value;
    onChange({ ...filter, op, value });
  };
  const label = t('segments.builder.propertyNumber', { number: index + 1 });
  return (
    <Group gap="xs" align="flex-end" role="group" aria-label={label} pl="md">
      <Text size="xs" c="dimmed" mb={6}>
        {index === 0 ? t('segments.builder.whereLabel') : t('segments.builder.and')}
      </Text>
      <TextInput
        size="xs"
        label={t('segments.builder.property')}
        placeholder={t('segments.builder.propertyPlaceholder')}
        value={filter.property}
        onChange={(e) => onChange({ ...filter, property: e.currentTarget.value })}
        error={errors.get(key([...path, 'property']))}
        disabled={readOnly}
        w={150}
      />
      <OpSelect
        value={filter.op}
        options={PROPERTY_OPS}
        labelKey={(op) => t(`segments.ops.property.${op}`)}
        onChange={setOp}
        w={150}
      />
      {numeric ? (
        <NumberInput
          size="xs"
          label={t('segments.builder.value')}
          value={typeof filter.value === 'number' ? filter.value : ''}
          onChange={(v) => onChange({ ...filter, value: numberOrUndefined(v) ?? '' })}
          error={errors.get(key([...path, 'value']))}
          disabled={readOnly}
          w={110}
        />
      ) : filter.op === 'in' ? (
        <TagsInput
          size="xs"
          label={t('segments.builder.values')}
          value={Array.isArray(filter.value) ? filter.value.map(String) : []}
          onChange={(value) => onChange({ ...filter, value })}
          error={errors.get(key([...path, 'value']))}
          disabled={readOnly}
          w={200}
        />
      ) : (
        <TextInput
          size="xs"
          label={t('segments.builder.value')}
          value={String(filter.value)}
          onChange={(e) => onChange({ ...filter, value: e.currentTarget.value })}
          error={errors.get(key([...path, 'value']))}
          disabled={readOnly}
          w={150}
        />
      )}
      {readOnly ? null : (
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t('segments.builder.removeNamed', { name: label })}
          onClick={onRemove}
          mb={2}
        >
          <IconTrash size={14} aria-hidden />
        </ActionIcon>
      )}
    </Group>
  );
}

function OrdersFields({ c, path }: { c: OrdersCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  const money = c.metric !== 'count';
  const numberProps = {
    size: 'xs' as const,
    min: 0,
    allowNegative: false,
    allowDecimal: money,
    decimalScale: money ? 2 : 0,
    disabled: readOnly,
    w: 110,
  };
  return (
    <>
      <OpSelect
        label={t('segments.builder.metric')}
        value={c.metric}
        options={ORDER_METRICS}
        labelKey={(m) => t(`segments.sentence.metric.${m}`)}
        onChange={(metric) => set({ ...c, metric })}
        w={170}
      />
      <OpSelect
        value={c.op}
        options={NUMBER_OPS}
        labelKey={(op) => t(`segments.ops.number.${op}`)}
        onChange={(op) =>
          set(op === 'between' ? { ...c, op, value2: c.value2 ?? c.value } : { ...c, op, value2: undefined })
        }
        w={150}
      />
      <NumberInput
        {...numberProps}
        label={c.op === 'between' ? t('segments.builder.from') : t('segments.builder.value')}
        value={Number.isFinite(c.value) ? c.value : ''}
        onChange={(v) => set({ ...c, value: numberOrUndefined(v) as number })}
        error={error('value')}
      />
      {c.op === 'between' ? (
        <NumberInput
          {...numberProps}
          label={t('segments.builder.to')}
          value={c.value2 ?? ''}
          onChange={(v) => set({ ...c, value2: numberOrUndefined(v) })}
          error={error('value2')}
        />
      ) : null}
      <WindowFields within={c.within} onChange={(within) => set({ ...c, within })} path={path} />
    </>
  );
}

function LastOrderFields({ c, path }: { c: LastOrderCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { set, error } = useNode(path);
  return (
    <>
      <OpSelect
        value={c.op}
        options={LAST_ORDER_OPS}
        labelKey={(op) => t(`segments.ops.lastOrder.${op}`)}
        onChange={(op) =>
          set(
            op === 'none'
              ? { type: 'last_order', op }
              : op === 'before' || op === 'after'
                ? { type: 'last_order', op, value: c.value ?? '' }
                : { type: 'last_order', op, days: c.days ?? 30 },
          )
        }
        w={210}
      />
      {c.op === 'before' || c.op === 'after' ? (
        <DateField
          label={t('segments.builder.date')}
          value={c.value}
          onChange={(value) => set({ ...c, value })}
          error={error('value')}
        />
      ) : c.op === 'none' ? null : (
        <DaysInput value={c.days} onChange={(days) => set({ ...c, days })} error={error('days')} />
      )}
    </>
  );
}

function BoughtFields({ c, path }: { c: BoughtCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <>
      <TextInput
        size="xs"
        label={t('segments.builder.product')}
        description={t('segments.builder.productHint')}
        value={c.product ?? ''}
        onChange={(e) => set({ ...c, product: e.currentTarget.value })}
        error={error('product')}
        disabled={readOnly}
        w={190}
      />
      <TextInput
        size="xs"
        label={t('segments.builder.category')}
        description={t('segments.builder.optional')}
        value={c.category ?? ''}
        onChange={(e) => set({ ...c, category: e.currentTarget.value })}
        error={error('category')}
        disabled={readOnly}
        w={160}
      />
      <WindowFields within={c.within} onChange={(within) => set({ ...c, within })} path={path} />
    </>
  );
}

function FactFields({ c, path }: { c: FactCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly, sentence } = useBuilder();
  const { set, error } = useNode(path);
  const channelData = CHANNELS.map((ch) => ({ value: ch, label: sentence.channel(ch) }));
  let rest: ReactNode;
  if (c.fact === 'channels') {
    rest = (
      <>
        <OpSelect
          value={c.op}
          options={['includes', 'excludes'] as const}
          labelKey={(op) => t(`segments.ops.channels.${op}`)}
          onChange={(op) => set({ ...c, op })}
          w={160}
        />
        <NativeSelect
          size="xs"
          label={t('segments.builder.channel')}
          value={c.value}
          disabled={readOnly}
          onChange={(e) => set({ ...c, value: e.currentTarget.value })}
          data={[{ value: '', label: t('segments.builder.chooseChannel') }, ...channelData]}
          error={error('value')}
          w={170}
        />
      </>
    );
  } else if (c.fact === 'acquisition_channel') {
    rest = (
      <>
        <OpSelect
          value={c.op}
          options={['equals', 'not_equals', 'in'] as const}
          labelKey={(op) => t(`segments.ops.acquisition.${op}`)}
          onChange={(op) =>
            set({
              ...c,
              op,
              value:
                op === 'in'
                  ? Array.isArray(c.value)
                    ? c.value
                    : c.value
                      ? [c.value]
                      : []
                  : Array.isArray(c.value)
                    ? (c.value[0] ?? '')
                    : c.value,
            })
          }
          w={170}
        />
        {c.op === 'in' ? (
          <MultiSelect
            size="xs"
            label={t('segments.builder.channels')}
            data={channelData}
            value={Array.isArray(c.value) ? c.value : []}
            onChange={(value) => set({ ...c, value })}
            error={error('value')}
            disabled={readOnly}
            w={260}
          />
        ) : (
          <NativeSelect
            size="xs"
            label={t('segments.builder.channel')}
            value={Array.isArray(c.value) ? (c.value[0] ?? '') : c.value}
            disabled={readOnly}
            onChange={(e) => set({ ...c, value: e.currentTarget.value })}
            data={[{ value: '', label: t('segments.builder.chooseChannel') }, ...channelData]}
            error={error('value')}
            w={170}
          />
        )}
      </>
    );
  } else {
    rest = (
      <>
        <OpSelect
          value={c.op}
          options={FACT_DATE_OPS}
          labelKey={(op) => t(`segments.ops.factDate.${op}`)}
          onChange={(op) =>
            set(
              op === 'before' || op === 'after'
                ? { type: 'fact', fact: c.fact, op, value: c.value ?? '' }
                : { type: 'fact', fact: c.fact, op, days: c.days ?? 30 },
            )
          }
          w={200}
        />
        {c.op === 'before' || c.op === 'after' ? (
          <DateField
            label={t('segments.builder.date')}
            value={c.value}
            onChange={(value) => set({ ...c, value })}
            error={error('value')}
          />
        ) : (
          <DaysInput value={c.days} onChange={(days) => set({ ...c, days })} error={error('days')} />
        )}
      </>
    );
  }
  return (
    <>
      <OpSelect
        label={t('segments.builder.fact')}
        value={c.fact}
        options={FACTS}
        labelKey={(f) => t(`segments.facts.${f}`)}
        onChange={(fact: Fact) => {
          // Switching between the two date facts keeps the operator and value.
          if ((DATE_FACTS as readonly string[]).includes(fact) && (DATE_FACTS as readonly string[]).includes(c.fact))
            set({ ...(c as FactCondition & { fact: 'first_seen_at' }), fact: fact as 'first_seen_at' });
          else set(defaultFact(fact));
        }}
        w={170}
      />
      {rest}
    </>
  );
}

function SegmentFields({ c, path }: { c: Condition & { type: 'segment' }; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly, segments } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <>
      <OpSelect
        value={c.op}
        options={['in', 'not_in'] as const}
        labelKey={(op) => t(`segments.ops.segment.${op}`)}
        onChange={(op) => set({ ...c, op })}
        w={150}
      />
      <NativeSelect
        size="xs"
        label={t('segments.builder.segment')}
        value={c.segmentId}
        disabled={readOnly}
        onChange={(e) => set({ ...c, segmentId: e.currentTarget.value })}
        data={[
          {
            value: '',
            label: segments.length ? t('segments.builder.chooseSegment') : t('segments.builder.noOtherSegments'),
          },
          ...segments.map((s) => ({ value: s.id, label: s.name })),
        ]}
        error={error('segmentId')}
        w={220}
      />
    </>
  );
}

function RfmFields({ c, path }: { c: Condition & { type: 'rfm' }; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <MultiSelect
      size="xs"
      label={t('segments.builder.rfmCells')}
      data={RFM_CELLS.map((cell) => ({ value: cell, label: t(`analytics.rfm.cells.${cell}.name`) }))}
      value={c.cells}
      onChange={(cells) => set({ ...c, cells: cells as RfmCell[] })}
      error={error('cells')}
      disabled={readOnly}
      w={320}
    />
  );
}

function LifecycleFields({ c, path }: { c: Condition & { type: 'lifecycle' }; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <MultiSelect
      size="xs"
      label={t('segments.builder.lifecycleStages')}
      data={LIFECYCLE_STAGES.map((stage) => ({ value: stage, label: t(`analytics.lifecycle.stages.${stage}`) }))}
      value={c.stages}
      onChange={(stages) => set({ ...c, stages: stages as LifecycleStage[] })}
      error={error('stages')}
      disabled={readOnly}
      w={320}
    />
  );
}

function ConsentFields({ c, path }: { c: Condition & { type: 'consent' }; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  return (
    <>
      <NativeSelect
        size="xs"
        label={t('segments.builder.consentChannel')}
        value={c.channel}
        disabled={readOnly}
        onChange={(e) => set({ ...c, channel: e.currentTarget.value as typeof c.channel })}
        data={CONSENT_CHANNELS.map((ch) => ({ value: ch, label: t(`customers.consent.channels.${ch}`) }))}
        error={error('channel')}
        w={170}
      />
      <NativeSelect
        size="xs"
        label={t('segments.builder.consentPurpose')}
        value={c.purpose}
        disabled={readOnly}
        onChange={(e) => set({ ...c, purpose: e.currentTarget.value as typeof c.purpose })}
        data={CONSENT_PURPOSES.map((p) => ({ value: p, label: t(`customers.consent.purposes.${p}`) }))}
        error={error('purpose')}
        w={150}
      />
      <MultiSelect
        size="xs"
        label={t('segments.builder.consentStatuses')}
        data={CONSENT_STATUSES.map((s) => ({ value: s, label: t(`customers.consent.statuses.${s}`) }))}
        value={consentStatuses(c)}
        onChange={(statuses) => set({ ...c, status: statuses as (typeof CONSENT_STATUSES)[number][] })}
        error={error('status')}
        disabled={readOnly}
        w={260}
      />
    </>
  );
}

/** A predicted score against a number: probabilities from 0 to 1, lifetime value in money, purchases as a count. */
function PredictionFields({ c, path }: { c: PredictionCondition; path: RulePath }) {
  const { t } = useTranslation();
  const { readOnly } = useBuilder();
  const { set, error } = useNode(path);
  const probability = isProbabilityScore(c.score);
  const numberProps = {
    size: 'xs' as const,
    min: 0,
    max: probability ? 1 : undefined,
    step: probability ? 0.05 : 1,
    decimalScale: 2,
    allowNegative: false,
    description: probability ? t('segments.builder.probabilityHint') : undefined,
    disabled: readOnly,
    w: 120,
  };
  return (
    <>
      <OpSelect
        label={t('segments.builder.score')}
        value={c.score}
        options={PREDICTION_SCORES}
        labelKey={(score) => t(`segments.scores.${score}`)}
        onChange={(score) => set({ ...c, score })}
        w={230}
      />
      <OpSelect
        value={c.op}
        options={PREDICTION_OPS}
        labelKey={(op) => t(`segments.ops.prediction.${op}`)}
        onChange={(op) =>
          set(op === 'between' ? { ...c, op, value2: c.value2 ?? c.value } : { ...c, op, value2: undefined })
        }
        w={130}
      />
      <NumberInput
        {...numberProps}
        label={c.op === 'between' ? t('segments.builder.from') : t('segments.builder.value')}
        value={Number.isFinite(c.value) ? c.value : ''}
        onChange={(v) => set({ ...c, value: numberOrUndefined(v) as number })}
        error={error('value')}
      />
      {c.op === 'between' ? (
        <NumberInput
          {...numberProps}
          label={t('segments.builder.to')}
          value={c.value2 ?? ''}
          onChange={(v) => set({ ...c, value2: numberOrUndefined(v) })}
          error={error('value2')}
        />
      ) : null}
    </>
  );
}
