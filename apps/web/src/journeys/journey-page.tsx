import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  List,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconAlertCircle,
  IconArchive,
  IconArrowLeft,
  IconPlayerPause,
  IconPlayerPlay,
  IconPlus,
  IconRocket,
  IconTrash,
  IconX,
} from '@tabler/icons-react';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { CustomerPicker } from '../segments/members-panel';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { usePageTitle } from '../ui/use-page-title';
import {
  type Journey,
  type JourneyAction,
  type JourneyStats,
  publishIssues,
  type Simulation,
  type StepStats,
  useDeleteJourney,
  useJourney,
  useJourneyAction,
  useJourneyStats,
  useSimulate,
  useUpdateJourney,
  useValidation,
} from './api';
import { Builder, TRIGGER } from './builder';
import {
  addStep,
  asDefinition,
  connect,
  type Definition,
  deleteStep,
  groupIssues,
  type Issue,
  pathEdges,
  replaceStep,
  type StepType,
  withLayout,
} from './definition';
import { StatusBadge } from './journeys-page';
import { SetupPanel } from './setup-panel';
import { StepPanel } from './step-panel';

/** `/journeys/:id`: the journey's header and actions, its rules, the builder with analytics, simulation. */
export function JourneyPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const journey = useJourney(id);
  if (journey.isPending)
    return (
      <Stack gap="md" aria-busy="true">
        <Skeleton h={28} w={240} />
        <Skeleton h={120} />
        <Skeleton h={480} />
      </Stack>
    );
  if (journey.isError) {
    const missing = journey.error instanceof ApiError && journey.error.status === 404;
    return (
      <Stack gap="md">
        <Title order={1} size="h2">
          {missing ? t('journeys.editor.notFound') : t('journeys.editor.loadError')}
        </Title>
        <Alert color="red" icon={<IconAlertCircle aria-hidden />}>
          {missing ? t('journeys.editor.notFoundHint') : describeError(t, journey.error)}
        </Alert>
        <Anchor component={RouterLink} to="/journeys">
          {t('journeys.editor.back')}
        </Anchor>
      </Stack>
    );
  }
  return <JourneyEditor key={journey.data.id} journey={journey.data} />;
}

/**
 * Saves drafts one after another, skipping any a newer edit replaced before its turn; `settled`
 * resolves once everything committed so far is saved (publishing and simulating wait for it).
 */
function useDraftSaver(journeyId: string) {
  const update = useUpdateJourney(journeyId);
  const latest = useRef<Definition | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [error, setError] = useState<unknown>(null);
  const save = (definition: Definition) => {
    latest.current = definition;
    queue.current = queue.current.then(async () => {
      if (latest.current !== definition) return;
      try {
        await update.mutateAsync({ definition });
        setError(null);
      } catch (e) {
        setError(e);
      }
    });
  };
  return { save, settled: () => queue.current, saving: update.isPending, error };
}

function JourneyEditor({ journey }: { journey: Journey }) {
  const { t } = useTranslation();
  const f = useFormat();
  const navigate = useNavigate();
  usePageTitle(journey.name);
  const canWrite = useCan('journeys', 'write');
  const editable = canWrite && journey.status !== 'archived';
  const [draft, setDraft] = useState<Definition>(() => asDefinition(journey.draft));
  const [selected, setSelected] = useState<string | null>(null);
  const [refused, setRefused] = useState<Issue[] | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [simulation, setSimulation] = useState<{ name: string; result: Simulation } | null>(null);
  const saver = useDraftSaver(journey.id);
  const action = useJourneyAction(journey.id);
  const remove = useDeleteJourney();
  const live = journey.version > 0;
  const stats = useJourneyStats(journey.id, live, journey.status === 'active' ? 30_000 : false);

  // Every problem (the server's references too), a moment after the last edit.
  const [checked] = useDebouncedValue(draft, 500);
  const validation = useValidation(checked);
  const issues = refused ?? validation.data?.issues ?? journey.issues;
  const grouped = useMemo(() => groupIssues(issues), [issues]);
  const statsByNode = useMemo(
    () => new Map<string, StepStats>((stats.data?.steps ?? []).map((s) => [s.node, s])),
    [stats.data],
  );
  const onPath = useMemo(() => new Set(simulation?.result.path.map((p) => p.node) ?? []), [simulation]);
  const onPathEdges = useMemo(
    () => (simulation ? pathEdges(draft, simulation.result.path) : new Set<string>()),
    [draft, simulation],
  );

  const commit = (next: Definition) => {
    setDraft(next);
    // What a refused publish said is about the draft before this edit.
    setRefused(null);
    setActionError(null);
    setSimulation(null);
    saver.save(next);
  };

  const run = async (which: JourneyAction) => {
    setActionError(null);
    if (which === 'archive' && !window.confirm(t('journeys.editor.archiveConfirm', { name: journey.name }))) return;
    try {
      await saver.settled();
      const after = await action.mutateAsync(which);
      setRefused(null);
      notifications.show({ color: 'teal', message: t(`journeys.editor.done.${which}`, { version: after.version }) });
    } catch (e) {
      const listed = publishIssues(e);
      if (listed) {
        setRefused(listed);
        setActionError(t('journeys.editor.refused', { count: listed.length }));
      } else setActionError(describeError(t, e));
    }
  };

  const onDelete = async () => {
    if (!window.confirm(t('journeys.editor.deleteConfirm', { name: journey.name }))) return;
    try {
      await remove.mutateAsync(journey.id);
      notifications.show({ message: t('journeys.editor.deleted', { name: journey.name }) });
      navigate('/journeys');
    } catch (e) {
      setActionError(describeError(t, e));
    }
  };

  const selectedStep = selected ? draft.nodes[selected] : undefined;
  // A condition's rule builder needs room.
  const wide = selectedStep?.type === 'condition';
  const busy = action.isPending;
  const button = (which: JourneyAction, icon: ReactNode, variant = 'default') => (
    <Button
      variant={variant}
      leftSection={icon}
      onClick={() => void run(which)}
      loading={busy && action.variables === which}
      disabled={busy && action.variables !== which}
    >
      {t(`journeys.editor.${which}`)}
    </Button>
  );

  return (
    <Stack gap="md">
      <Anchor component={RouterLink} to="/journeys" size="sm" w="fit-content">
        <Group gap={4} component="span">
          <IconArrowLeft size={14} aria-hidden />
          {t('journeys.editor.back')}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={4}>
          <Group gap="sm" align="center">
            <Title order={1} size="h2">
              {journey.name}
            </Title>
            <StatusBadge status={journey.status} />
            <Text c="dimmed" size="sm" data-testid="journey-version">
              {live ? t('journeys.editor.version', { version: journey.version }) : t('journeys.editor.neverPublished')}
            </Text>
          </Group>
          <Text size="sm" c="dimmed" aria-live="polite">
            {saver.saving
              ? t('journeys.editor.saving')
              : t('journeys.editor.savedAt', { time: f.dateTime(journey.draftUpdatedAt) })}
          </Text>
        </Stack>
        {canWrite && journey.status !== 'archived' ? (
          <Group gap="xs">
            {button('publish', <IconRocket size={16} aria-hidden />, 'filled')}
            {journey.status === 'active' ? button('pause', <IconPlayerPause size={16} aria-hidden />) : null}
            {journey.status === 'paused' ? button('resume', <IconPlayerPlay size={16} aria-hidden />) : null}
            {live ? button('archive', <IconArchive size={16} aria-hidden />, 'subtle') : null}
            {!live ? (
              <Button
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={16} aria-hidden />}
                onClick={() => void onDelete()}
                loading={remove.isPending}
              >
                {t('journeys.editor.delete')}
              </Button>
            ) : null}
          </Group>
        ) : null}
      </Group>
      {!canWrite ? (
        <Text size="sm" c="dimmed">
          {t('journeys.readOnly')}
        </Text>
      ) : journey.status === 'archived' ? (
        <Text size="sm" c="dimmed">
          {t('journeys.editor.archivedNote')}
        </Text>
      ) : (
        <Text size="sm" c="dimmed">
          {t('journeys.editor.draftNote')}
        </Text>
      )}
      {actionError ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert">
          {actionError}
        </Alert>
      ) : null}
      {saver.error ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert">
          {t('journeys.editor.saveError', { message: describeError(t, saver.error) })}
        </Alert>
      ) : null}
      <IssuesList issues={issues} general={grouped.general} refused={refused !== null} />

      <SetupPanel
        key={JSON.stringify([draft.trigger, draft.entry, draft.goal, draft.holdoutPercent, draft.exit])}
        definition={draft}
        editable={editable}
        onApply={commit}
      />

      {live ? <StatsSummary stats={stats} /> : null}

      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: selectedStep ? (wide ? 6 : 8) : 12 }}>
          <Stack gap="xs">
            <Group justify="space-between" align="flex-end" wrap="wrap">
              <Title order={2} size="h4">
                {t('journeys.editor.builder')}
              </Title>
              <SimulatePanel
                journeyId={journey.id}
                simulation={simulation}
                beforeRun={saver.settled}
                onResult={setSimulation}
                onClear={() => setSimulation(null)}
              />
              {editable ? (
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconPlus size={14} aria-hidden />}
                  onClick={() => {
                    const { definition, id } = addStep(draft, null, 'send');
                    commit(definition);
                    setSelected(id);
                  }}
                >
                  {t('journeys.builder.addFirst')}
                </Button>
              ) : null}
            </Group>
            <Builder
              definition={draft}
              issues={grouped.byNode}
              stats={statsByNode}
              path={onPath}
              pathEdges={onPathEdges}
              selected={selected}
              editable={editable}
              onSelect={setSelected}
              onConnect={(from, field, to) => {
                if (from === TRIGGER) {
                  if (to) commit({ ...draft, start: to });
                } else commit(connect(draft, from, field, to));
              }}
              onMove={(positions) => commit(withLayout(draft, positions))}
            />
          </Stack>
        </Grid.Col>
        {selected && selectedStep ? (
          <Grid.Col span={{ base: 12, lg: wide ? 6 : 4 }}>
            <StepPanel
              key={`${selected}:${JSON.stringify(selectedStep)}`}
              id={selected}
              step={selectedStep}
              issues={grouped.byNode.get(selected) ?? []}
              editable={editable}
              canDelete={Object.keys(draft.nodes).length > 1}
              onSave={(step) => commit(replaceStep(draft, selected, step))}
              onAddAfter={(field, type: StepType) => {
                const { definition, id } = addStep(draft, { id: selected, field }, type);
                commit(definition);
                setSelected(id);
              }}
              onDelete={() => {
                const next = deleteStep(draft, selected);
                if (next) {
                  commit(next);
                  setSelected(null);
                }
              }}
              onClose={() => setSelected(null)}
            />
          </Grid.Col>
        ) : null}
      </Grid>
    </Stack>
  );
}

/** Problems not tied to one step (trigger, goal…); a step's own are on its node. */
function IssuesList({ issues, general, refused }: { issues: Issue[]; general: Issue[]; refused: boolean }) {
  const { t } = useTranslation();
  if (issues.length === 0)
    return (
      <Text size="sm" c="teal" data-testid="journey-ready">
        {t('journeys.editor.ready')}
      </Text>
    );
  return (
    <Alert
      color={refused ? 'red' : 'yellow'}
      icon={<IconAlertCircle aria-hidden />}
      title={t('journeys.editor.issuesTitle')}
      data-testid="journey-issues"
    >
      <List size="sm" spacing={2}>
        {issues.map((i) => (
          <List.Item key={`${i.path}:${i.message}`}>
            {general.includes(i) ? i.path.replace(/^definition\./, '') : (i.node ?? i.path)}: {i.message}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function StatsSummary({ stats }: { stats: { data?: JourneyStats; isPending: boolean; isError: boolean } }) {
  const { t } = useTranslation();
  const f = useFormat();
  const s = stats.data;
  const pct = (v: number | null | undefined) =>
    v === null || v === undefined ? '—' : f.number(v, { style: 'percent', maximumFractionDigits: 1 });
  const lift = (v: number | null | undefined) =>
    v === null || v === undefined
      ? '—'
      : f.number(v, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const tiles: [string, string][] = [
    [t('journeys.summary.entered'), s ? f.number(s.entered) : '—'],
    [t('journeys.summary.inside'), s ? f.number(s.active) : '—'],
    [t('journeys.summary.completed'), s ? f.number(s.completed) : '—'],
    [t('journeys.summary.converted'), s ? f.number(s.converted) : '—'],
    [t('journeys.summary.conversionRate'), pct(s?.conversionRate)],
    [t('journeys.summary.holdoutRate'), pct(s?.holdout.conversionRate)],
    [t('journeys.summary.lift'), lift(s?.lift)],
  ];
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={t('journeys.summary.title')}>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} spacing="md" component="dl" style={{ margin: 0 }}>
        {tiles.map(([label, value]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
              {label}
            </Text>
            <Text component="dd" size="lg" fw={600} m={0}>
              {stats.isPending ? <Skeleton h={20} w={48} /> : value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

function SimulatePanel({
  journeyId,
  simulation,
  beforeRun,
  onResult,
  onClear,
}: {
  journeyId: string;
  simulation: { name: string; result: Simulation } | null;
  beforeRun: () => Promise<void>;
  onResult: (s: { name: string; result: Simulation }) => void;
  onClear: () => void;
}) {
  const { t } = useTranslation();
  const simulate = useSimulate(journeyId);
  const [error, setError] = useState<string | null>(null);
  const onPick = async (c: { id: string; name: string }) => {
    setError(null);
    try {
      await beforeRun();
      onResult({ name: c.name, result: await simulate.mutateAsync(c.id) });
    } catch (e) {
      setError(t('journeys.simulate.error', { message: describeError(t, e) }));
    }
  };
  const r = simulation?.result;
  return (
    <Stack gap={4} style={{ flex: 1, minWidth: 260 }} component="section" aria-label={t('journeys.simulate.title')}>
      <Group align="flex-end" gap="md" wrap="wrap">
        <CustomerPicker
          label={t('journeys.simulate.title')}
          placeholder={t('journeys.simulate.placeholder')}
          onPick={(c) => void onPick(c)}
        />
        {simulation && r ? (
          <Group gap={4} wrap="nowrap" data-testid="simulation-result">
            <Text size="sm">
              {r.holdout
                ? t('journeys.simulate.holdout', { name: simulation.name })
                : t('journeys.simulate.result', {
                    name: simulation.name,
                    count: r.path.length,
                    end: t(`journeys.simulate.ends.${r.end as 'completed'}`, { defaultValue: r.end }),
                  })}
            </Text>
            <ActionIcon variant="subtle" onClick={onClear} aria-label={t('journeys.simulate.clear')}>
              <IconX size={14} aria-hidden />
            </ActionIcon>
          </Group>
        ) : null}
      </Group>
      {error ? (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}
