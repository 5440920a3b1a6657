import { Anchor, Button, Group, List, Paper, Progress, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconCheck, IconCircleDashed } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/client';
import { can } from '../api/permissions';
import type { Role } from '../api/session';
import { type ImportView, useImports } from '../imports/api';
import { useJourneys } from '../journeys/api';
import { useSegments } from '../segments/api';
import { useCurrentSession } from '../shell/guards';
import { canWrite } from '../shell/use-can';
import { type Source, useSources } from '../sources/api';

/** How often the checklist looks again while a step is open, so it ticks itself. */
const POLL_MS = 4000;

interface OnboardingData {
  sources: Source[] | undefined;
  imports: ImportView[] | undefined;
  firstCustomer: { id: string }[] | undefined;
  segments: { id: string }[] | undefined;
  journeys: { status: string }[] | undefined;
}

/** Everything the steps look at, fetched once (and again every few seconds while a step is open). */
function useOnboardingData(poll: number | false): OnboardingData {
  const sources = useSources({ refetchInterval: poll });
  const imports = useImports();
  const customers = useQuery({
    queryKey: ['customers', 'first'],
    queryFn: () => api<{ data: { id: string }[] }>('GET', '/api/v1/customers', { query: { limit: 1 } }),
    refetchInterval: poll,
  });
  const segments = useSegments({ refetchInterval: poll });
  const journeys = useJourneys({ refetchInterval: poll });
  return {
    sources: sources.data,
    imports: imports.data,
    firstCustomer: customers.data?.data,
    segments: segments.data,
    journeys: journeys.data,
  };
}

interface Step {
  id: 'connect' | 'data' | 'customer' | 'segment' | 'journey';
  /** Done, not done, or undefined while the data is loading. */
  isDone: (data: OnboardingData) => boolean | undefined;
  /** What to do next, shown on the first open step. */
  Action: (props: { data: OnboardingData; role: Role | null }) => ReactNode;
}

function ActionLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Button component={RouterLink} to={to} size="xs" variant="light">
      {children}
    </Button>
  );
}

const channelSources = (data: OnboardingData) => data.sources?.filter((s) => s.channel !== 'import');

/**
 * The steps, in order. Later features add theirs here (first segment, first journey): a step
 * derives "done" from data its feature already has, so nothing is stored for the checklist.
 */
const STEPS: Step[] = [
  {
    id: 'connect',
    isDone: (data) => (data.sources ? (channelSources(data)?.length ?? 0) > 0 : undefined),
    Action: ({ role }) => {
      const { t } = useTranslation();
      return canWrite(role, 'sources') ? (
        <ActionLink to="/sources">{t('home.checklist.connect.action')}</ActionLink>
      ) : null;
    },
  },
  {
    id: 'data',
    isDone: ({ sources, imports }) =>
      sources && imports
        ? sources.some((s) => s.lastEventAt !== null) ||
          imports.some((i) => i.status === 'completed' && i.progress.rowsImported > 0)
        : undefined,
    Action: ({ data, role }) => {
      const { t } = useTranslation();
      const first = channelSources(data)?.[0];
      return (
        <Group gap="xs">
          {canWrite(role, 'imports') ? (
            <ActionLink to="/imports/new">{t('home.checklist.data.action')}</ActionLink>
          ) : null}
          {first ? <ActionLink to={`/sources/${first.id}`}>{t('home.checklist.data.actionAlt')}</ActionLink> : null}
        </Group>
      );
    },
  },
  {
    id: 'customer',
    isDone: (data) => (data.firstCustomer ? data.firstCustomer.length > 0 : undefined),
    Action: () => {
      const { t } = useTranslation();
      return (
        <Text size="xs" c="dimmed">
          {t('home.checklist.customer.waiting')}
        </Text>
      );
    },
  },
  {
    id: 'segment',
    isDone: (data) => (data.segments ? data.segments.length > 0 : undefined),
    Action: ({ role }) => {
      const { t } = useTranslation();
      return can(role, 'segments', 'write') ? (
        <ActionLink to="/segments/new">{t('home.checklist.segment.action')}</ActionLink>
      ) : null;
    },
  },
  {
    id: 'journey',
    // A playbook (or any journey) switched on: published and active.
    isDone: (data) => (data.journeys ? data.journeys.some((j) => j.status === 'active') : undefined),
    Action: ({ role }) => {
      const { t } = useTranslation();
      return can(role, 'journeys', 'write') ? (
        <ActionLink to="/journeys">{t('home.checklist.journey.action')}</ActionLink>
      ) : null;
    },
  },
];

/** The getting-started checklist on the home page; each step ticks itself from the workspace's data. */
export function OnboardingChecklist() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const [finished, setFinished] = useState(false);
  const data = useOnboardingData(finished ? false : POLL_MS);
  const states = STEPS.map((step) => ({ step, done: step.isDone(data) }));
  const known = states.every(({ done }) => done !== undefined);
  const doneCount = states.filter(({ done }) => done).length;
  const allDone = known && doneCount === STEPS.length;
  if (allDone !== finished) setFinished(allDone);
  const firstOpen = states.find(({ done }) => done === false)?.step;

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="checklist-title">
      <Stack gap="md">
        <Group justify="space-between" align="baseline">
          <Title order={2} size="h3" id="checklist-title">
            {t('home.checklist.title')}
          </Title>
          <Text size="sm" c="dimmed" data-testid="checklist-progress">
            {t('home.checklist.progress', { done: doneCount, total: STEPS.length })}
          </Text>
        </Group>
        <Progress value={(doneCount / STEPS.length) * 100} size="sm" aria-hidden />
        {allDone ? <Text size="sm">{t('home.checklist.allDone')}</Text> : null}
        <List spacing="md" listStyleType="none" styles={{ itemWrapper: { width: '100%' } }}>
          {states.map(({ step, done }) => (
            <List.Item
              key={step.id}
              data-testid={`checklist-${step.id}`}
              data-done={done ? 'true' : 'false'}
              icon={
                done === undefined ? (
                  <Skeleton circle h={24} w={24} />
                ) : done ? (
                  <ThemeIcon color="teal" size={24} radius="xl" aria-hidden>
                    <IconCheck size={16} />
                  </ThemeIcon>
                ) : (
                  <ThemeIcon color="gray" variant="light" size={24} radius="xl" aria-hidden>
                    <IconCircleDashed size={16} />
                  </ThemeIcon>
                )
              }
            >
              <Stack gap={4}>
                <Group gap="xs">
                  <Text fw={500} td={done ? 'line-through' : undefined}>
                    {t(`home.checklist.${step.id}.title`)}
                  </Text>
                  <Text size="xs" c={done ? 'teal' : 'dimmed'}>
                    {done === undefined ? '' : done ? t('home.checklist.done') : t('home.checklist.todo')}
                  </Text>
                </Group>
                {!done ? (
                  <Text size="sm" c="dimmed">
                    {t(`home.checklist.${step.id}.description`)}
                  </Text>
                ) : null}
                {done === false && step === firstOpen ? (
                  <div>
                    <step.Action data={data} role={session.role} />
                  </div>
                ) : null}
              </Stack>
            </List.Item>
          ))}
        </List>
        <Anchor href="/api/docs" size="sm" w="fit-content">
          {t('home.apiDocs')}
        </Anchor>
      </Stack>
    </Paper>
  );
}
