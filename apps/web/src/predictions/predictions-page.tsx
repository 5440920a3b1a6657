import { Alert, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCrystalBall, IconFileUpload, IconPlugConnected, IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { EmptyPanel, LoadError, TableSkeleton } from '../ui/states';
import { usePageTitle } from '../ui/use-page-title';
import {
  jobActive,
  type PredictionJob,
  type PredictionsOverview,
  predictionsKeys,
  usePredictions,
  useRunPredictions,
} from './api';
import { jobFinished, jobPercent } from './model';
import { ChurnCard, ClvCard, ClvFitForm, FairnessCard } from './model-cards';

/** Predictions: how the CLV and churn models fit, how fair they are by group, and a refit button. */
export function PredictionsPage() {
  const { t } = useTranslation();
  usePageTitle(t('predictions.title'));
  const overview = usePredictions();
  const canManage = useCan('predictions', 'write');
  const data = overview.data ?? null;
  const nothingFitted = !data || (!data.clv && !data.churn && !data.recommendations);
  const running = jobActive(data?.job);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="md">
        <Stack gap={4} maw={760}>
          <Title order={1} size="h2">
            {t('predictions.title')}
          </Title>
          <Text c="dimmed" size="sm">
            {t('predictions.intro')}
          </Text>
          {!canManage ? (
            <Text size="sm" c="dimmed">
              {t('predictions.readOnly')}
            </Text>
          ) : null}
        </Stack>
        {canManage && !(nothingFitted && !running) ? <RunButton running={running} /> : null}
      </Group>

      {overview.isPending ? (
        <TableSkeleton rows={4} />
      ) : overview.isError ? (
        <LoadError title={t('predictions.loadError')} error={overview.error} retry={() => void overview.refetch()} />
      ) : (
        <>
          <JobStatus job={data?.job ?? null} />
          {nothingFitted && !running ? (
            <EmptyPredictions canManage={canManage} />
          ) : data && !nothingFitted ? (
            <Fitted data={data} />
          ) : null}
          {canManage && !running ? <ClvFitForm /> : null}
        </>
      )}
    </Stack>
  );
}

function Fitted({ data }: { data: PredictionsOverview }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" component="dl" aria-label={t('predictions.stats.label')} m={0}>
        <Stat label={t('predictions.stats.scored')} value={f.number(data.scoredCustomers)} testId="stat-scored" />
        <Stat label={t('predictions.stats.optOuts')} value={f.number(data.personalizationOptOuts)} />
        <Stat
          label={t('predictions.stats.recommendations')}
          value={
            data.recommendations
              ? t('predictions.stats.recommendationsValue', {
                  pairs: f.number(data.recommendations.pairs),
                  products: f.number(data.recommendations.products),
                })
              : t('predictions.notFitted')
          }
        />
      </SimpleGrid>
      <ClvCard clv={data.clv} />
      <ChurnCard churn={data.churn} />
      {data.clv || data.churn ? <FairnessCard /> : null}
    </Stack>
  );
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="lg" fw={600} m={0} mt={4} data-testid={testId}>
        {value}
      </Text>
    </Paper>
  );
}

function RunButton({ running }: { running: boolean }) {
  const { t } = useTranslation();
  const run = useRunPredictions();
  return (
    <Stack gap={4} align="flex-end">
      <Button
        leftSection={<IconRefresh size={16} aria-hidden />}
        loading={run.isPending}
        disabled={running}
        onClick={() => run.mutate()}
      >
        {t('predictions.run.button')}
      </Button>
      {run.isError ? (
        <Text size="sm" c="red" role="alert">
          {describeError(t, run.error)}
        </Text>
      ) : null}
    </Stack>
  );
}

/**
 * The refit in progress (a progress bar, polled by usePredictions), or how the last one ended.
 * When a run ends, every predictions query is fetched again and a note says so.
 */
function JobStatus({ job }: { job: PredictionJob | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const previous = useRef<PredictionJob['status'] | undefined>(job?.status);
  useEffect(() => {
    const before = previous.current;
    previous.current = job?.status;
    if (!jobFinished(before, job?.status)) return;
    void queryClient.invalidateQueries({ queryKey: predictionsKeys.all });
    if (job?.status === 'completed') notifications.show({ color: 'teal', message: t('predictions.run.done') });
  }, [job?.status, queryClient, t]);

  if (!job) return null;
  if (job.status === 'failed')
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert" data-testid="predictions-job-failed">
        {job.error ? t('predictions.run.failed', { error: job.error }) : t('predictions.run.failedNoReason')}
      </Alert>
    );
  if (!jobActive(job)) return null;
  const percent = jobPercent(job);
  return (
    <Paper withBorder radius="md" p="md" data-testid="predictions-job">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text size="sm" role="status">
            {job.status === 'queued' ? t('predictions.run.queued') : t('predictions.run.running')}
          </Text>
          <Text size="sm" fw={600} aria-hidden>
            {percent}%
          </Text>
        </Group>
        {/* A sliver shows from 0 %: the run has started even before its first step ends. */}
        <Progress
          value={percent}
          animated
          striped
          styles={{ section: { minWidth: 8 } }}
          aria-label={t('predictions.run.progressLabel')}
        />
      </Stack>
    </Paper>
  );
}

function EmptyPredictions({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const canImport = useCan('imports', 'write');
  const canConnect = useCan('sources', 'write');
  const run = useRunPredictions();
  return (
    <Stack gap="xs">
      <EmptyPanel
        icon={<IconCrystalBall size={28} stroke={1.5} aria-hidden />}
        title={t('predictions.empty.title')}
        description={t('predictions.empty.description')}
        action={
          <Group gap="sm" justify="center">
            {canImport ? (
              <Button
                component={RouterLink}
                to="/imports/new"
                variant="light"
                leftSection={<IconFileUpload size={16} aria-hidden />}
              >
                {t('predictions.empty.import')}
              </Button>
            ) : null}
            {canConnect ? (
              <Button
                component={RouterLink}
                to="/sources"
                variant="light"
                leftSection={<IconPlugConnected size={16} aria-hidden />}
              >
                {t('predictions.empty.connect')}
              </Button>
            ) : null}
            {canManage ? (
              <Button
                leftSection={<IconRefresh size={16} aria-hidden />}
                loading={run.isPending}
                onClick={() => run.mutate()}
              >
                {t('predictions.empty.run')}
              </Button>
            ) : null}
          </Group>
        }
      />
      {run.isError ? (
        <Alert color="red" role="alert">
          {describeError(t, run.error)}
        </Alert>
      ) : null}
    </Stack>
  );
}
