import {
  Alert,
  Anchor,
  Button,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconArrowLeft, IconCircleCheck, IconDownload, IconUpload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCanWrite } from '../shell/use-can';
import { describeError } from '../ui/errors';
import { useDateFormat } from '../ui/use-date-format';
import { usePageTitle } from '../ui/use-page-title';
import { type ImportView, isActive, useImport } from './api';
import { ImportStatusBadge } from './status-badge';

function percentOf(imp: ImportView): number {
  if (imp.status === 'completed') return 100;
  const { rowsTotal, rowsDone } = imp.progress;
  if (!rowsTotal) return 0;
  return Math.min(100, Math.floor((rowsDone / rowsTotal) * 100));
}

function Stat({ label, value, color }: { label: string; value: string; color?: string }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color}>
        {value}
      </Text>
    </Paper>
  );
}

/** One import: a live progress bar while it runs, then the report with the rejected rows. */
export function ImportPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const imp = useImport(id);
  const fmt = useDateFormat();
  const canWrite = useCanWrite('imports');
  usePageTitle(imp.data?.fileName ?? t('imports.title'));

  const back = (
    <Anchor component={RouterLink} to="/imports" size="sm" w="fit-content">
      <Group gap={4} wrap="nowrap">
        <IconArrowLeft size={14} aria-hidden />
        {t('imports.back')}
      </Group>
    </Anchor>
  );

  if (imp.isPending) {
    return (
      <Stack gap="lg" maw={1100} aria-busy="true" aria-label={t('app.loading')}>
        <Skeleton h={16} w={120} />
        <Skeleton h={32} w={280} />
        <Skeleton h={80} />
        <Skeleton h={160} />
      </Stack>
    );
  }
  if (imp.isError) {
    const notFound = imp.error instanceof ApiError && imp.error.status === 404;
    return (
      <Stack gap="md" maw={1100}>
        {back}
        <Alert color="red" icon={<IconAlertCircle />} title={notFound ? t('imports.notFound') : t('errors.title')}>
          {notFound ? null : describeError(t, imp.error)}
        </Alert>
      </Stack>
    );
  }
  const v = imp.data;
  const percent = percentOf(v);
  const { rowsTotal, rowsDone, rowsImported, rowsDuplicate, rowsRejected } = v.progress;
  const progressText =
    v.status === 'queued'
      ? t('imports.progress.waiting')
      : rowsTotal === null
        ? t('imports.progress.counting')
        : t('imports.progress.rows', { done: fmt.number(rowsDone), total: fmt.number(rowsTotal) });

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={6}>
        {back}
        <Group gap="sm">
          <Title order={1} size="h2">
            {v.fileName ?? v.id}
          </Title>
          <ImportStatusBadge status={v.status} />
        </Group>
        <Text c="dimmed">
          {t(`imports.kinds.${v.kind}`)} · {fmt.format(v.createdAt)}
        </Text>
      </Stack>

      <Paper withBorder radius="md" p="lg">
        <Stack gap="xs">
          <Group justify="space-between">
            <Text fw={500} id="import-progress-label">
              {t('imports.progress.label')}
            </Text>
            <Text size="sm" c="dimmed" data-testid="import-percent">
              {t('imports.progress.percent', { percent })}
            </Text>
          </Group>
          <Progress
            value={percent}
            size="lg"
            animated={isActive(v.status)}
            color={v.status === 'failed' ? 'red' : v.status === 'completed' ? 'teal' : undefined}
            aria-labelledby="import-progress-label"
            aria-valuetext={`${percent}% — ${progressText}`}
          />
          <Text size="sm" c="dimmed" aria-live="polite">
            {progressText}
          </Text>
        </Stack>
      </Paper>

      {v.status === 'failed' ? (
        <Alert color="red" icon={<IconAlertCircle />} title={t('errors.title')}>
          {t('imports.report.failed', { error: v.error ?? '' })}
        </Alert>
      ) : null}

      {v.status === 'completed' || v.status === 'failed' ? (
        <Paper withBorder radius="md" p="lg">
          <Stack gap="md">
            <Group justify="space-between">
              <Title order={2} size="h4">
                {t('imports.report.title')}
              </Title>
              {v.status === 'completed' ? (
                <Group gap={6} role="status">
                  <IconCircleCheck size={18} color="var(--mantine-color-teal-filled)" aria-hidden />
                  <Text size="sm">{t('imports.report.completed')}</Text>
                </Group>
              ) : null}
            </Group>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Stat label={t('imports.report.total')} value={fmt.number(rowsTotal ?? rowsDone)} />
              <Stat label={t('imports.report.imported')} value={fmt.number(rowsImported)} color="teal" />
              <Stat label={t('imports.report.duplicates')} value={fmt.number(rowsDuplicate)} />
              <Stat
                label={t('imports.report.rejected')}
                value={fmt.number(rowsRejected)}
                color={rowsRejected ? 'red' : undefined}
              />
            </SimpleGrid>
            {rowsRejected === 0 ? (
              <Text size="sm">{t('imports.report.noRejections')}</Text>
            ) : (
              <Stack gap="sm">
                <Group justify="space-between">
                  <Title order={3} size="h5">
                    {t('imports.report.rejectionsTitle')}
                  </Title>
                  <Button
                    component="a"
                    href={`/api/v1/imports/${v.id}/rejected.csv`}
                    download
                    variant="light"
                    leftSection={<IconDownload size={16} aria-hidden />}
                  >
                    {t('imports.report.download')}
                  </Button>
                </Group>
                <Table.ScrollContainer minWidth={480}>
                  <Table withTableBorder striped data-testid="rejections">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th w={80}>{t('imports.report.line')}</Table.Th>
                        <Table.Th w={160}>{t('imports.report.field')}</Table.Th>
                        <Table.Th>{t('imports.report.reason')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {v.rejections.slice(0, 100).map((r) => (
                        <Table.Tr key={`${r.line}-${r.field ?? ''}`}>
                          <Table.Td>{r.line}</Table.Td>
                          <Table.Td>
                            {r.field
                              ? t(`imports.fields.${r.field}` as 'imports.fields.email', { defaultValue: r.field })
                              : '—'}
                          </Table.Td>
                          <Table.Td>{r.reason}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {v.rejections.length > 100 || rowsRejected > v.rejections.length ? (
                  <Text size="sm" c="dimmed">
                    {t('imports.report.rejectionsMore', { count: Math.min(100, v.rejections.length) })}
                  </Text>
                ) : null}
              </Stack>
            )}
            {canWrite ? (
              <Group>
                <Button
                  component={RouterLink}
                  to="/imports/new"
                  variant="default"
                  leftSection={<IconUpload size={16} aria-hidden />}
                >
                  {t('imports.report.another')}
                </Button>
              </Group>
            ) : null}
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}
