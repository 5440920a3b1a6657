import {
  Alert,
  Anchor,
  Badge,
  Button,
  EmptyState,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconAlertCircle, IconChartPie, IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { usePageTitle } from '../ui/use-page-title';
import { useSegments } from './api';
import { newSegmentLink, type SegmentRule } from './rules';
import { describeRule } from './sentence';
import { useSentenceContext } from './use-sentence';

/** Ready-made starting points offered when there is no segment yet. */
const STARTERS = [
  { key: 'repeat', rule: { all: [{ type: 'orders', metric: 'count', op: 'gte', value: 2 }] } },
  { key: 'lapsed', rule: { all: [{ type: 'last_order', op: 'not_within_last_days', days: 90 }] } },
  { key: 'newsletter', rule: { all: [{ type: 'event', event: 'Newsletter Subscribed', did: true }] } },
] as const satisfies readonly { key: string; rule: SegmentRule }[];

/** Segments: every saved group of customers with its kind, size and last refresh. */
export function SegmentsPage() {
  const { t } = useTranslation();
  usePageTitle(t('segments.list.title'));
  const canWrite = useCan('segments', 'write');
  const segments = useSegments();
  const f = useFormat();
  const sentence = useSentenceContext(segments.data);

  const newButton = canWrite ? (
    <Button component={RouterLink} to="/segments/new" leftSection={<IconPlus size={16} aria-hidden />}>
      {t('segments.list.new')}
    </Button>
  ) : null;

  let body: React.ReactNode;
  if (segments.isPending) {
    body = (
      <Stack gap="xs" aria-busy="true">
        <VisuallyHidden role="status">{t('app.loading')}</VisuallyHidden>
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} h={44} radius="sm" />
        ))}
      </Stack>
    );
  } else if (segments.isError) {
    body = (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('segments.list.loadError')}>
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{describeError(t, segments.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void segments.refetch()}>
            {t('errors.retry')}
          </Button>
        </Stack>
      </Alert>
    );
  } else if (segments.data.length === 0) {
    body = (
      <Paper withBorder radius="md" p="xl">
        <EmptyState variant="light" icon={<IconChartPie size={28} stroke={1.5} aria-hidden />}>
          <EmptyState.Title order={2}>{t('segments.list.emptyTitle')}</EmptyState.Title>
          <EmptyState.Description>
            {canWrite ? t('segments.list.emptyDescription') : t('segments.list.emptyReadOnly')}
          </EmptyState.Description>
          {canWrite ? (
            <EmptyState.Actions>
              <Stack gap="sm" align="center">
                {newButton}
                <Text size="sm" c="dimmed">
                  {t('segments.list.startersTitle')}
                </Text>
                <Group gap="xs" justify="center">
                  {STARTERS.map((s) => (
                    <Button
                      key={s.key}
                      component={RouterLink}
                      to={newSegmentLink(s.rule as SegmentRule, t(`segments.list.starters.${s.key}`))}
                      variant="light"
                      size="xs"
                    >
                      {t(`segments.list.starters.${s.key}`)}
                    </Button>
                  ))}
                </Group>
              </Stack>
            </EmptyState.Actions>
          ) : null}
        </EmptyState>
      </Paper>
    );
  } else {
    body = (
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover aria-label={t('segments.list.table')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('segments.list.columns.name')}</Table.Th>
                <Table.Th>{t('segments.list.columns.kind')}</Table.Th>
                <Table.Th ta="end">{t('segments.list.columns.members')}</Table.Th>
                <Table.Th>{t('segments.list.columns.refreshed')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {segments.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Stack gap={2}>
                      <Anchor component={RouterLink} to={`/segments/${s.id}`} fw={500}>
                        {s.name}
                      </Anchor>
                      <Text size="xs" c="dimmed" lineClamp={1} maw={520}>
                        {s.description || (s.rule ? describeRule(sentence, s.rule) : t('segments.list.handPicked'))}
                      </Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={s.kind === 'dynamic' ? 'blue' : 'gray'}>
                      {t(`segments.kinds.${s.kind}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="end">{f.number(s.memberCount)}</Table.Td>
                  <Table.Td>
                    {/* A static list changes when people are added: its last edit is its update. */}
                    {s.refreshedAt || s.kind === 'static'
                      ? f.dateTime(s.refreshedAt ?? s.updatedAt)
                      : t('segments.list.never')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    );
  }

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} maw={680}>
          <Title order={1} size="h2">
            {t('segments.list.title')}
          </Title>
          <Text c="dimmed">{t('segments.list.intro')}</Text>
        </Stack>
        {segments.data?.length ? newButton : null}
      </Group>
      {body}
    </Stack>
  );
}
