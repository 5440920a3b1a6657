import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Progress,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconAlertCircle, IconPencil, IconPlus, IconTarget, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { type Goal, KPI_KEYS, type KpiKey, useCreateGoal, useDeleteGoal, useGoals, useUpdateGoal } from './api';
import { addMonths, isDay, periodOf, ruleForKpi, todayIn } from './model';
import { CustomersLink, DashCard, KPI_UNITS, useKpiFormat } from './parts';

/** Goals (ANL-4): a target on a KPI with a deadline, and the progress towards it. */
export function GoalsCard({
  currency,
  timeZone,
  lapsedDays,
}: {
  currency: string;
  timeZone: string;
  lapsedDays: number;
}) {
  const { t } = useTranslation();
  const { f, kpi } = useKpiFormat();
  const goals = useGoals();
  const canWrite = useCan('analytics', 'write');
  const remove = useDeleteGoal();
  const [editing, setEditing] = useState<Goal | 'new' | null>(null);
  const defaultPeriod = periodOf('12m', todayIn(timeZone));

  return (
    <DashCard
      id="goals"
      title={t('analytics.goals.title')}
      description={t('analytics.goals.description')}
      query={goals}
      controls={
        canWrite ? (
          <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setEditing('new')}>
            {t('analytics.goals.new')}
          </Button>
        ) : null
      }
    >
      {() => {
        const items = goals.data ?? [];
        return (
          <>
            {items.length === 0 ? (
              <Stack align="center" gap={4} py="md">
                <IconTarget size={28} stroke={1.5} aria-hidden />
                <Text size="sm" fw={500}>
                  {t('analytics.goals.emptyTitle')}
                </Text>
                <Text size="sm" c="dimmed" ta="center" maw={420}>
                  {canWrite ? t('analytics.goals.empty') : t('analytics.goals.emptyReadOnly')}
                </Text>
              </Stack>
            ) : (
              <Stack
                gap="md"
                component="ul"
                p={0}
                m={0}
                style={{ listStyle: 'none' }}
                aria-label={t('analytics.goals.title')}
              >
                {items.map((g) => {
                  const unit = KPI_UNITS[g.kpi];
                  const deadlinePassed = g.deadline < todayIn(timeZone);
                  const status =
                    g.progress >= 1 ? 'reached' : g.onTrack ? 'onTrack' : deadlinePassed ? 'missed' : 'behind';
                  const color =
                    status === 'reached' || status === 'onTrack' ? 'teal' : status === 'behind' ? 'yellow' : 'red';
                  return (
                    <li key={g.id} data-testid="goal">
                      <Stack gap={4}>
                        <Group justify="space-between" wrap="nowrap" gap="xs">
                          <Stack gap={0}>
                            <Text size="sm" fw={600}>
                              {g.name}
                            </Text>
                            <Text size="xs" c="dimmed">
                              {t('analytics.goals.line', {
                                kpi: t(`analytics.kpis.names.${g.kpi}`),
                                target: kpi(unit, g.target, currency),
                                deadline: f.date(`${g.deadline}T12:00:00Z`),
                              })}
                            </Text>
                          </Stack>
                          <Group gap={4} wrap="nowrap">
                            <Badge color={color} variant="light">
                              {t(`analytics.goals.status.${status}`)}
                            </Badge>
                            {canWrite ? (
                              <>
                                <Tooltip label={t('analytics.goals.edit')} openDelay={300}>
                                  <ActionIcon
                                    variant="subtle"
                                    aria-label={t('analytics.goals.editNamed', { name: g.name })}
                                    onClick={() => setEditing(g)}
                                  >
                                    <IconPencil size={16} aria-hidden />
                                  </ActionIcon>
                                </Tooltip>
                                <Tooltip label={t('analytics.goals.delete')} openDelay={300}>
                                  <ActionIcon
                                    variant="subtle"
                                    color="red"
                                    aria-label={t('analytics.goals.deleteNamed', { name: g.name })}
                                    onClick={() => {
                                      if (window.confirm(t('analytics.goals.deleteConfirm', { name: g.name })))
                                        remove.mutate(g.id);
                                    }}
                                  >
                                    <IconTrash size={16} aria-hidden />
                                  </ActionIcon>
                                </Tooltip>
                              </>
                            ) : null}
                          </Group>
                        </Group>
                        <Progress
                          value={g.progress * 100}
                          color={color}
                          size="md"
                          aria-label={t('analytics.goals.progressLabel', {
                            name: g.name,
                            value: f.number(g.progress, { style: 'percent', maximumFractionDigits: 0 }),
                          })}
                        />
                        <Group justify="space-between" gap="xs">
                          <Text size="xs" c="dimmed" data-testid="goal-progress">
                            {t('analytics.goals.progress', {
                              current: kpi(unit, g.current, currency),
                              baseline: kpi(unit, g.baseline, currency),
                              progress: f.number(g.progress, { style: 'percent', maximumFractionDigits: 0 }),
                            })}
                          </Text>
                          <CustomersLink rule={ruleForKpi(g.kpi, defaultPeriod, null, lapsedDays)} name={g.name} />
                        </Group>
                      </Stack>
                    </li>
                  );
                })}
              </Stack>
            )}
            {remove.isError ? (
              <Text size="xs" c="red" role="alert">
                {describeError(t, remove.error)}
              </Text>
            ) : null}
            <GoalModal goal={editing} onClose={() => setEditing(null)} timeZone={timeZone} currency={currency} />
          </>
        );
      }}
    </DashCard>
  );
}

/** Create or edit a goal. Percent KPIs are entered as percentages (40 for 40 %). */
function GoalModal({
  goal,
  onClose,
  timeZone,
  currency,
}: {
  goal: Goal | 'new' | null;
  onClose: () => void;
  timeZone: string;
  currency: string;
}) {
  const { t } = useTranslation();
  const opened = goal !== null;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={goal === 'new' ? t('analytics.goals.new') : t('analytics.goals.edit')}
    >
      {opened ? (
        <GoalForm
          key={goal === 'new' ? 'new' : goal.id}
          goal={goal === 'new' ? null : goal}
          onDone={onClose}
          timeZone={timeZone}
          currency={currency}
        />
      ) : null}
    </Modal>
  );
}

function GoalForm({
  goal,
  onDone,
  timeZone,
  currency,
}: {
  goal: Goal | null;
  onDone: () => void;
  timeZone: string;
  currency: string;
}) {
  const { t } = useTranslation();
  const { kpi } = useKpiFormat();
  const create = useCreateGoal();
  const update = useUpdateGoal();
  const [kpiKey, setKpiKey] = useState<KpiKey>(goal?.kpi ?? 'repeatPurchaseRate');
  const percent = KPI_UNITS[kpiKey] === 'percent';
  const [target, setTarget] = useState<number | ''>(goal ? (percent ? round(goal.target * 100) : goal.target) : '');
  const [deadline, setDeadline] = useState(goal?.deadline ?? addMonths(todayIn(timeZone), 3));
  const [name, setName] = useState(goal?.name ?? '');
  const [errors, setErrors] = useState<Partial<Record<'target' | 'deadline' | 'name' | 'kpi', string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async () => {
    const next: typeof errors = {};
    if (target === '') next.target = t('analytics.goals.targetRequired');
    if (!isDay(deadline)) next.deadline = t('analytics.goals.deadlineRequired');
    setErrors(next);
    setFormError(null);
    if (Object.keys(next).length) return;
    const value = percent ? Number(target) / 100 : Number(target);
    // Without a name, the goal is called by its key figure and target, in the person's language.
    const named = name.trim() || `${t(`analytics.kpis.names.${kpiKey}`)} ${kpi(KPI_UNITS[kpiKey], value, currency)}`;
    try {
      if (goal)
        await update.mutateAsync({
          id: goal.id,
          target: value,
          deadline,
          ...(name.trim() ? { name: name.trim() } : {}),
        });
      else
        await create.mutateAsync({
          kpi: kpiKey,
          target: value,
          deadline,
          name: named,
        });
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.field && ['target', 'deadline', 'name', 'kpi'].includes(e.field))
        setErrors({ [e.field]: e.message.replace(/^[\w.]+: /, '') });
      else setFormError(describeError(t, e));
    }
  };

  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <NativeSelect
        label={t('analytics.goals.kpi')}
        value={kpiKey}
        disabled={goal !== null}
        onChange={(e) => setKpiKey(e.currentTarget.value as KpiKey)}
        data={KPI_KEYS.map((k) => ({ value: k, label: t(`analytics.kpis.names.${k}`) }))}
        error={errors.kpi}
      />
      <NumberInput
        label={percent ? t('analytics.goals.targetPercent') : t('analytics.goals.target')}
        value={target}
        onChange={(v) => setTarget(v === '' ? '' : Number(v))}
        error={errors.target}
        suffix={percent ? ' %' : undefined}
        decimalScale={2}
        required
        data-autofocus
      />
      <TextInput
        type="date"
        label={t('analytics.goals.deadline')}
        value={deadline}
        onChange={(e) => setDeadline(e.currentTarget.value)}
        error={errors.deadline}
        required
      />
      <TextInput
        label={t('analytics.goals.name')}
        description={t('analytics.goals.nameHint')}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
      />
      {formError ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} p="xs">
          {formError}
        </Alert>
      ) : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          {t('analytics.goals.cancel')}
        </Button>
        <Button type="submit" loading={create.isPending || update.isPending}>
          {goal ? t('analytics.goals.save') : t('analytics.goals.create')}
        </Button>
      </Group>
    </Stack>
  );
}

const round = (v: number) => Math.round(v * 100) / 100;
