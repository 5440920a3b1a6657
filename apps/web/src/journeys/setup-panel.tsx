import {
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSegments } from '../segments/api';
import type { Definition, Trigger, TriggerType } from './definition';
import { parseJsonField } from './fields';

const TRIGGER_TYPES: TriggerType[] = ['event', 'segment', 'date', 'inactivity'];
const FACTS = ['last_order_at', 'first_order_at', 'first_seen_at'] as const;
const TRAIT = 'trait';

/** A new trigger of a type, keeping what carries over (the event name). */
function triggerOf(type: TriggerType, before: Trigger): Trigger {
  const event = 'event' in before ? before.event : undefined;
  switch (type) {
    case 'event':
      return { type, event: event ?? '' };
    case 'segment':
      return { type, segmentId: '', on: 'entered' };
    case 'date':
      return { type, trait: 'birthday', offsetDays: 0, yearly: true, at: '09:00' };
    default:
      return { type: 'inactivity', days: 30, ...(event ? { event } : {}) };
  }
}

/**
 * The journey's trigger, entry rule, goal, holdout and exit rule: a form above the graph, applied
 * to the draft (and saved) with Apply or Enter.
 */
export function SetupPanel({
  definition,
  editable,
  onApply,
}: {
  definition: Definition;
  editable: boolean;
  onApply: (next: Definition) => void;
}) {
  const { t } = useTranslation();
  const segments = useSegments();
  const [trigger, setTrigger] = useState<Trigger>(definition.trigger);
  const [entry, setEntry] = useState(definition.entry ?? { mode: 'once' as const });
  const [goalEvent, setGoalEvent] = useState(definition.goal?.event ?? '');
  const [goalDays, setGoalDays] = useState<number | ''>(definition.goal?.withinDays ?? 30);
  const [holdout, setHoldout] = useState<number | ''>(definition.holdoutPercent ?? 0);
  const [exitText, setExitText] = useState(definition.exit ? JSON.stringify(definition.exit) : '');
  const [exitError, setExitError] = useState<string | null>(null);
  const off = !editable;

  const onSubmit = () => {
    const exit = parseJsonField(exitText);
    if (exit instanceof Error) {
      setExitError(t('journeys.setup.invalidJson'));
      return;
    }
    const { exit: _exit, goal: oldGoal, ...rest } = definition;
    // A goal given as a rule (through the API) is kept: this form edits the goal event.
    const goal =
      goalEvent.trim() || oldGoal?.rule
        ? {
            ...(oldGoal?.rule ? { rule: oldGoal.rule } : {}),
            ...(oldGoal?.where && goalEvent.trim() === oldGoal.event ? { where: oldGoal.where } : {}),
            ...(goalEvent.trim() ? { event: goalEvent.trim() } : {}),
            withinDays: goalDays === '' ? 30 : goalDays,
          }
        : undefined;
    onApply({
      ...rest,
      trigger,
      entry: entry.mode === 'again_after' ? entry : { mode: entry.mode },
      holdoutPercent: holdout === '' ? 0 : holdout,
      ...(goal ? { goal } : {}),
      ...(exit !== undefined ? { exit } : {}),
    });
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="journey-setup-title">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4" id="journey-setup-title">
            {t('journeys.setup.title')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
            <NativeSelect
              label={t('journeys.setup.triggerType')}
              value={trigger.type}
              onChange={(e) => setTrigger(triggerOf(e.currentTarget.value as TriggerType, trigger))}
              data={TRIGGER_TYPES.map((type) => ({ value: type, label: t(`journeys.triggerTypes.${type}`) }))}
              disabled={off}
            />
            {trigger.type === 'event' ? (
              <TextInput
                label={t('journeys.setup.event')}
                description={t('journeys.setup.eventHint')}
                value={trigger.event}
                onChange={(e) => setTrigger({ ...trigger, event: e.currentTarget.value })}
                disabled={off}
              />
            ) : null}
            {trigger.type === 'segment' ? (
              <>
                <NativeSelect
                  label={t('journeys.setup.segment')}
                  value={trigger.segmentId}
                  onChange={(e) => setTrigger({ ...trigger, segmentId: e.currentTarget.value })}
                  data={[
                    { value: '', label: '—' },
                    ...(segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
                  ]}
                  disabled={off}
                />
                <NativeSelect
                  label={t('journeys.setup.segmentOn')}
                  value={trigger.on}
                  onChange={(e) => setTrigger({ ...trigger, on: e.currentTarget.value as 'entered' | 'exited' })}
                  data={(['entered', 'exited'] as const).map((on) => ({
                    value: on,
                    label: t(`journeys.setup.on.${on}`),
                  }))}
                  disabled={off}
                />
              </>
            ) : null}
            {trigger.type === 'date' ? (
              <>
                <NativeSelect
                  label={t('journeys.setup.dateSource')}
                  value={trigger.fact ?? TRAIT}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    const { fact: _f, trait: _t, ...base } = trigger;
                    setTrigger(
                      v === TRAIT
                        ? { ...base, trait: trigger.trait ?? 'birthday' }
                        : { ...base, fact: v as (typeof FACTS)[number] },
                    );
                  }}
                  data={[
                    { value: TRAIT, label: t('journeys.setup.traitOption') },
                    ...FACTS.map((f) => ({ value: f, label: t(`journeys.setup.fact.${f}`) })),
                  ]}
                  disabled={off}
                />
                {trigger.fact ? null : (
                  <TextInput
                    label={t('journeys.setup.trait')}
                    value={trigger.trait ?? ''}
                    onChange={(e) => setTrigger({ ...trigger, trait: e.currentTarget.value })}
                    disabled={off}
                  />
                )}
                <NumberInput
                  label={t('journeys.setup.offsetDays')}
                  value={trigger.offsetDays ?? 0}
                  allowDecimal={false}
                  onChange={(v) => setTrigger({ ...trigger, offsetDays: Number(v) || 0 })}
                  disabled={off}
                />
                <TextInput
                  label={t('journeys.setup.at')}
                  value={trigger.at ?? '09:00'}
                  onChange={(e) => setTrigger({ ...trigger, at: e.currentTarget.value })}
                  disabled={off}
                />
                <Checkbox
                  label={t('journeys.setup.yearly')}
                  checked={trigger.yearly ?? false}
                  onChange={(e) => setTrigger({ ...trigger, yearly: e.currentTarget.checked })}
                  disabled={off}
                  mt="lg"
                />
              </>
            ) : null}
            {trigger.type === 'inactivity' ? (
              <>
                <TextInput
                  label={t('journeys.setup.inactivityEvent')}
                  value={trigger.event ?? ''}
                  onChange={(e) => {
                    const { event: _e, ...base } = trigger;
                    const event = e.currentTarget.value;
                    setTrigger(event ? { ...base, event } : base);
                  }}
                  disabled={off}
                />
                <NumberInput
                  label={t('journeys.setup.days')}
                  value={trigger.days}
                  min={1}
                  allowDecimal={false}
                  onChange={(v) => setTrigger({ ...trigger, days: Number(v) || 1 })}
                  disabled={off}
                />
              </>
            ) : null}
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
            <NativeSelect
              label={t('journeys.setup.entry')}
              value={entry.mode}
              onChange={(e) =>
                setEntry({ mode: e.currentTarget.value as 'once' | 'again_after' | 'every_time', days: entry.days })
              }
              data={(['once', 'again_after', 'every_time'] as const).map((m) => ({
                value: m,
                label: t(`journeys.setup.entryModes.${m}`),
              }))}
              disabled={off}
            />
            {entry.mode === 'again_after' ? (
              <NumberInput
                label={t('journeys.setup.entryDays')}
                value={entry.days ?? 30}
                min={1}
                allowDecimal={false}
                onChange={(v) => setEntry({ ...entry, days: Number(v) || 1 })}
                disabled={off}
              />
            ) : null}
            <TextInput
              label={t('journeys.setup.goalEvent')}
              value={goalEvent}
              onChange={(e) => setGoalEvent(e.currentTarget.value)}
              disabled={off}
            />
            <NumberInput
              label={t('journeys.setup.goalWithin')}
              value={goalDays}
              min={1}
              max={365}
              allowDecimal={false}
              onChange={(v) => setGoalDays(v === '' ? '' : Number(v))}
              disabled={off}
            />
            <NumberInput
              label={t('journeys.setup.holdout')}
              value={holdout}
              min={0}
              max={50}
              allowDecimal={false}
              onChange={(v) => setHoldout(v === '' ? '' : Number(v))}
              disabled={off}
            />
          </SimpleGrid>
          <Textarea
            label={t('journeys.setup.exitRule')}
            value={exitText}
            onChange={(e) => {
              setExitText(e.currentTarget.value);
              setExitError(null);
            }}
            error={exitError}
            autosize
            minRows={1}
            maxRows={6}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            disabled={off}
          />
          {editable ? (
            <Group>
              <Button type="submit" variant="light">
                {t('journeys.setup.apply')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Paper>
  );
}
