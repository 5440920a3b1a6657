import {
  ActionIcon,
  Alert,
  Button,
  Divider,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconMailForward, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { useSession } from '../api/session';
import { currentLanguage } from '../i18n';
import { useSegments } from '../segments/api';
import { RuleBuilder } from '../segments/rule-builder';
import { asRootGroup, cleanRule, incompleteFields, type SegmentRule } from '../segments/rules';
import { useSentenceContext } from '../segments/use-sentence';
import { describeError } from '../ui/errors';
import { useTestSend } from './api';
import {
  type Duration,
  exitsOf,
  type Issue,
  STEP_TYPES,
  type Step,
  type StepType,
  UNITS,
  type Unit,
} from './definition';
import { parseJsonField, parseList } from './fields';

/**
 * The side panel of the selected step: a form for its fields (Enter saves, Escape closes), adding a
 * step after it on one of its exits, and deleting it.
 */
export function StepPanel({
  id,
  step,
  issues,
  editable,
  onSave,
  onAddAfter,
  onDelete,
  onClose,
  canDelete,
}: {
  id: string;
  step: Step;
  issues: Issue[];
  editable: boolean;
  onSave: (step: Step) => void;
  onAddAfter: (field: string, type: StepType) => void;
  onDelete: () => void;
  onClose: () => void;
  canDelete: boolean;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Step>(step);
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const [ruleErrors, setRuleErrors] = useState<Map<string, string>>(new Map());
  // Free-text fields whose value is parsed on save (JSON, lists).
  const [texts, setTexts] = useState<Record<string, string>>(() => initialTexts(step));
  const exits = exitsOf(step);
  const [addOn, setAddOn] = useState(exits[0]?.field ?? '');
  const [addType, setAddType] = useState<StepType>('send');

  const patch = (fields: Partial<Step>) => setDraft((d) => ({ ...d, ...fields }) as Step);
  const text = (key: string) => ({
    value: texts[key] ?? '',
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      const value = e.currentTarget.value;
      setTexts((x) => ({ ...x, [key]: value }));
      setJsonErrors((x) => ({ ...x, [key]: '' }));
    },
    error: jsonErrors[key] || undefined,
    disabled: !editable,
  });

  const onSubmit = () => {
    const errors: Record<string, string> = {};
    let next: Step = draft;
    let ruleProblems = new Map<string, string>();
    if (draft.type === 'condition') {
      // The rule as the segments editor builds it: every condition complete, then cleaned.
      const group = asRootGroup(draft.rule as SegmentRule);
      ruleProblems = new Map(
        incompleteFields(group).map((i) => [i.path.join('.'), t(`segments.incomplete.${i.reason}`)]),
      );
      if (ruleProblems.size === 0) next = { ...draft, rule: cleanRule(group) };
      else errors.rule = t('journeys.step.ruleIncomplete');
    }
    setRuleErrors(ruleProblems);
    if (draft.type === 'update_profile') {
      const traits = parseJsonField(texts.setTraits ?? '');
      if (traits instanceof Error || (traits !== undefined && (typeof traits !== 'object' || Array.isArray(traits))))
        errors.setTraits = t('journeys.setup.invalidJson');
      else
        next = withoutEmpty({
          ...draft,
          setTraits: traits as Record<string, string | number | boolean | null> | undefined,
          addTags: parseList(texts.addTags ?? ''),
          removeTags: parseList(texts.removeTags ?? ''),
        });
    }
    setJsonErrors(errors);
    if (Object.keys(errors).length === 0) onSave(withoutEmpty(next));
  };

  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="aside"
      aria-labelledby="step-panel-title"
      data-testid="step-panel"
      onKeyDown={(e) => {
        // Escape closes the panel, unless it closes an open list inside it first.
        if (e.key !== 'Escape' || (e.target as HTMLElement).getAttribute('aria-expanded') === 'true') return;
        e.stopPropagation();
        onClose();
      }}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0}>
            <Text size="xs" c="dimmed">
              {t(`journeys.stepTypes.${step.type}`)}
            </Text>
            <Title order={2} size="h4" id="step-panel-title">
              {t('journeys.step.title', { id })}
            </Title>
          </Stack>
          <ActionIcon variant="subtle" onClick={onClose} aria-label={t('journeys.step.close')} data-autofocus>
            <IconX size={16} aria-hidden />
          </ActionIcon>
        </Group>
        {issues.length ? (
          <Alert color="red" p="xs">
            <Stack gap={2}>
              {issues.map((i) => (
                <Text key={`${i.path}:${i.message}`} size="sm">
                  {i.message}
                </Text>
              ))}
            </Stack>
          </Alert>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          <Stack gap="sm">
            <TextInput
              label={t('journeys.step.label')}
              value={draft.label ?? ''}
              onChange={(e) => patch({ label: e.currentTarget.value })}
              disabled={!editable}
            />
            <StepFields step={draft} patch={patch} text={text} editable={editable} ruleErrors={ruleErrors} />
            {jsonErrors.rule ? (
              <Text size="sm" c="red" role="alert">
                {jsonErrors.rule}
              </Text>
            ) : null}
            {editable ? (
              <Group>
                <Button type="submit">{t('journeys.step.save')}</Button>
              </Group>
            ) : null}
          </Stack>
        </form>
        {step.type === 'send' && step.channel === 'email' ? <TestSend step={step} /> : null}
        {editable && exits.length ? (
          <>
            <Divider />
            <form
              onSubmit={(e) => {
                e.preventDefault();
                onAddAfter(addOn, addType);
              }}
              aria-label={t('journeys.step.addAfter')}
            >
              <Stack gap="xs">
                <Text size="sm" fw={600}>
                  {t('journeys.step.addAfter')}
                </Text>
                <Group gap="xs" align="flex-end" wrap="wrap">
                  {exits.length > 1 ? (
                    <NativeSelect
                      label={t('journeys.step.addOn')}
                      value={addOn}
                      onChange={(e) => setAddOn(e.currentTarget.value)}
                      data={exits.map((e) => ({ value: e.field, label: exitName(t, step, e.field) }))}
                    />
                  ) : null}
                  <NativeSelect
                    label={t('journeys.step.addType')}
                    value={addType}
                    onChange={(e) => setAddType(e.currentTarget.value as StepType)}
                    data={STEP_TYPES.map((type) => ({ value: type, label: t(`journeys.stepTypes.${type}`) }))}
                  />
                  <Button type="submit" variant="light" leftSection={<IconPlus size={14} aria-hidden />}>
                    {t('journeys.step.add')}
                  </Button>
                </Group>
              </Stack>
            </form>
          </>
        ) : null}
        {editable ? (
          <>
            <Divider />
            <Group>
              <Button
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={14} aria-hidden />}
                onClick={onDelete}
                disabled={!canDelete}
              >
                {t('journeys.step.delete')}
              </Button>
              {!canDelete ? (
                <Text size="xs" c="dimmed">
                  {t('journeys.step.cannotDelete')}
                </Text>
              ) : null}
            </Group>
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** "Send a test to me": the saved step (its template, or its subject and HTML), to the signed-in person. */
function TestSend({ step }: { step: Step & { type: 'send' } }) {
  const { t } = useTranslation();
  const { data: session } = useSession();
  const canSend = useCan('messages', 'write');
  const send = useTestSend();
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const to = session?.user.email;
  const ready = !!step.templateKey || !!(step.subject && step.html);
  if (!canSend || !to) return null;
  const onSend = async () => {
    setResult(null);
    const locale = currentLanguage();
    try {
      const sent = await send.mutateAsync({
        to,
        locale,
        purpose: step.purpose ?? 'marketing',
        ...(step.templateKey
          ? { key: step.templateKey }
          : { variants: { [locale]: { subject: step.subject ?? '', html: step.html ?? '' } } }),
      });
      setResult({ ok: true, text: t('journeys.step.testSent', { to: sent.to }) });
    } catch (e) {
      setResult({ ok: false, text: describeError(t, e) });
    }
  };
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconMailForward size={14} aria-hidden />}
          onClick={() => void onSend()}
          loading={send.isPending}
          disabled={!ready}
        >
          {t('journeys.step.testSend')}
        </Button>
      </Group>
      <Text size="xs" c={result ? (result.ok ? 'teal' : 'red') : 'dimmed'} role={result ? 'status' : undefined}>
        {result ? result.text : t('journeys.step.testSendHint', { to })}
      </Text>
    </Stack>
  );
}

function exitName(t: TFunction, step: Step, field: string) {
  if (field === 'yes') return t('journeys.builder.edges.yes');
  if (field === 'no') return t('journeys.builder.edges.no');
  if (field === 'timeoutNext') return t('journeys.builder.edges.timeout');
  if (step.type === 'wait_for_event') return t('journeys.builder.edges.event');
  const branch = /^branches\.(\d+)\.next$/.exec(field);
  if (branch && step.type === 'split') {
    const b = step.branches[Number(branch[1])];
    return b?.label || t('journeys.builder.edges.branch', { percent: b?.percent ?? 0 });
  }
  return t('journeys.builder.edges.next');
}

function initialTexts(step: Step): Record<string, string> {
  if (step.type === 'update_profile')
    return {
      setTraits: step.setTraits && Object.keys(step.setTraits).length ? JSON.stringify(step.setTraits, null, 2) : '',
      addTags: (step.addTags ?? []).join(', '),
      removeTags: (step.removeTags ?? []).join(', '),
    };
  return {};
}

/** Drops empty strings, empty lists and undefined fields (the server refuses an empty subject, for one). */
function withoutEmpty<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

type TextProps = (key: string) => {
  value: string;
  onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  error: string | undefined;
  disabled: boolean;
};

function DurationFields({
  value,
  onChange,
  legend,
  optional,
  editable,
}: {
  value: Duration | undefined;
  onChange: (d: Duration | undefined) => void;
  legend: string;
  optional?: boolean;
  editable: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap" role="group" aria-label={legend}>
      <NumberInput
        label={`${legend}: ${t('journeys.step.amount')}`}
        value={value?.amount ?? ''}
        min={0}
        allowDecimal={false}
        onChange={(v) =>
          onChange(v === '' && optional ? undefined : { amount: Number(v) || 0, unit: value?.unit ?? ('days' as Unit) })
        }
        disabled={!editable}
        w={140}
      />
      <NativeSelect
        label={t('journeys.step.unit')}
        value={value?.unit ?? 'days'}
        onChange={(e) => onChange({ amount: value?.amount ?? 1, unit: e.currentTarget.value as Unit })}
        data={UNITS.map((u) => ({ value: u, label: t(`journeys.units.${u}`) }))}
        disabled={!editable}
      />
    </Group>
  );
}

function StepFields({
  step,
  patch,
  text,
  editable,
  ruleErrors,
}: {
  step: Step;
  patch: (fields: Partial<Step>) => void;
  text: TextProps;
  editable: boolean;
  ruleErrors: Map<string, string>;
}): ReactNode {
  const { t } = useTranslation();
  const segments = useSegments();
  const sentence = useSentenceContext(segments.data);
  const off = !editable;
  switch (step.type) {
    case 'wait':
      return (
        <>
          <DurationFields
            legend={t('journeys.stepTypes.wait')}
            value={step.for}
            onChange={(d) => patch({ for: d } as Partial<Step>)}
            optional
            editable={editable}
          />
          <TextInput
            label={t('journeys.step.untilTime')}
            placeholder="09:00"
            value={step.untilTime ?? ''}
            onChange={(e) => patch({ untilTime: e.currentTarget.value || undefined } as Partial<Step>)}
            disabled={off}
          />
        </>
      );
    case 'wait_for_event':
      return (
        <>
          <TextInput
            label={t('journeys.step.event')}
            value={step.event}
            onChange={(e) => patch({ event: e.currentTarget.value } as Partial<Step>)}
            disabled={off}
          />
          <DurationFields
            legend={t('journeys.step.timeout')}
            value={step.timeout}
            onChange={(d) => patch({ timeout: d ?? { amount: 1, unit: 'days' } } as Partial<Step>)}
            editable={editable}
          />
        </>
      );
    case 'send':
      return (
        <>
          <Group gap="xs" grow>
            <NativeSelect
              label={t('journeys.step.channel')}
              value={step.channel}
              onChange={(e) => patch({ channel: e.currentTarget.value } as Partial<Step>)}
              data={(['email', 'sms', 'webhook'] as const).map((c) => ({
                value: c,
                label: t(`journeys.step.channels.${c}`),
              }))}
              disabled={off}
            />
            <NativeSelect
              label={t('journeys.step.purpose')}
              value={step.purpose ?? 'marketing'}
              onChange={(e) => patch({ purpose: e.currentTarget.value } as Partial<Step>)}
              data={(['marketing', 'transactional'] as const).map((p) => ({
                value: p,
                label: t(`journeys.step.purposes.${p}`),
              }))}
              disabled={off}
            />
          </Group>
          {step.channel === 'webhook' ? (
            <TextInput
              label={t('journeys.step.endpointId')}
              value={step.endpointId ?? ''}
              onChange={(e) => patch({ endpointId: e.currentTarget.value } as Partial<Step>)}
              disabled={off}
            />
          ) : (
            <TextInput
              label={t('journeys.step.templateKey')}
              value={step.templateKey ?? ''}
              onChange={(e) => patch({ templateKey: e.currentTarget.value } as Partial<Step>)}
              disabled={off}
            />
          )}
          {step.channel === 'email' ? (
            <>
              <TextInput
                label={t('journeys.step.subject')}
                value={step.subject ?? ''}
                onChange={(e) => patch({ subject: e.currentTarget.value } as Partial<Step>)}
                disabled={off}
              />
              <Textarea
                label={t('journeys.step.html')}
                value={step.html ?? ''}
                onChange={(e) => patch({ html: e.currentTarget.value } as Partial<Step>)}
                autosize
                minRows={3}
                maxRows={10}
                disabled={off}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              />
            </>
          ) : null}
          {step.channel === 'sms' ? (
            <Textarea
              label={t('journeys.step.body')}
              value={step.body ?? ''}
              onChange={(e) => patch({ body: e.currentTarget.value } as Partial<Step>)}
              autosize
              minRows={2}
              disabled={off}
            />
          ) : null}
        </>
      );
    case 'condition':
      return (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('journeys.step.rule')}
          </Text>
          <RuleBuilder
            rule={asRootGroup(step.rule as SegmentRule)}
            onChange={(rule) => patch({ rule } as Partial<Step>)}
            errors={ruleErrors}
            segments={segments.data ?? []}
            sentence={sentence}
            readOnly={!editable}
          />
        </Stack>
      );
    case 'split': {
      const sum = step.branches.reduce((s, b) => s + (Number(b.percent) || 0), 0);
      const setBranch = (i: number, fields: Partial<(typeof step.branches)[number]>) =>
        patch({ branches: step.branches.map((b, k) => (k === i ? { ...b, ...fields } : b)) } as Partial<Step>);
      return (
        <Stack gap="xs" role="group" aria-label={t('journeys.step.branches')}>
          <Text size="sm" fw={500}>
            {t('journeys.step.branches')}
          </Text>
          {step.branches.map((b, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a branch is its position (its exit is `branches.i.next`)
            <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
              <TextInput
                label={t('journeys.step.branchLabel', { n: i + 1 })}
                value={b.label ?? ''}
                onChange={(e) => setBranch(i, { label: e.currentTarget.value || undefined })}
                disabled={off}
              />
              <NumberInput
                label={t('journeys.step.branchPercent', { n: i + 1 })}
                value={b.percent}
                min={0}
                max={100}
                allowDecimal={false}
                onChange={(v) => setBranch(i, { percent: Number(v) || 0 })}
                disabled={off}
                w={110}
              />
            </Group>
          ))}
          <Group justify="space-between">
            <Text size="sm" c={sum === 100 ? 'dimmed' : 'red'}>
              {t('journeys.step.sum', { sum })}
            </Text>
            {editable && step.branches.length < 5 ? (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => patch({ branches: [...step.branches, { percent: 0 }] } as Partial<Step>)}
              >
                {t('journeys.step.addBranch')}
              </Button>
            ) : null}
          </Group>
        </Stack>
      );
    }
    case 'update_profile':
      return (
        <>
          <TextInput label={t('journeys.step.addTags')} {...text('addTags')} />
          <TextInput label={t('journeys.step.removeTags')} {...text('removeTags')} />
          <Textarea
            label={t('journeys.step.setTraits')}
            placeholder='{"plan": "gold"}'
            autosize
            minRows={2}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            {...text('setTraits')}
          />
        </>
      );
    case 'add_to_list':
      return (
        <NativeSelect
          label={t('journeys.step.segmentId')}
          value={step.segmentId}
          onChange={(e) => patch({ segmentId: e.currentTarget.value } as Partial<Step>)}
          data={[
            { value: '', label: '—' },
            ...(segments.data ?? []).filter((s) => s.kind === 'static').map((s) => ({ value: s.id, label: s.name })),
          ]}
          disabled={off}
        />
      );
    case 'task':
      return (
        <>
          <TextInput
            label={t('journeys.step.taskTitle')}
            value={step.title}
            onChange={(e) => patch({ title: e.currentTarget.value } as Partial<Step>)}
            disabled={off}
          />
          <Textarea
            label={t('journeys.step.notes')}
            value={step.notes ?? ''}
            onChange={(e) => patch({ notes: e.currentTarget.value } as Partial<Step>)}
            autosize
            minRows={2}
            disabled={off}
          />
          <NumberInput
            label={t('journeys.step.dueInDays')}
            value={step.dueInDays ?? ''}
            min={0}
            max={365}
            allowDecimal={false}
            onChange={(v) => patch({ dueInDays: v === '' ? undefined : Number(v) } as Partial<Step>)}
            disabled={off}
          />
        </>
      );
    case 'goal':
      return (
        <Text size="sm" c="dimmed">
          {t('journeys.step.goalHint')}
        </Text>
      );
    case 'exit':
      return (
        <Text size="sm" c="dimmed">
          {t('journeys.step.exitHint')}
        </Text>
      );
    default:
      return null;
  }
}
