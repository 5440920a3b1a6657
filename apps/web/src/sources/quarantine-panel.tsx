import {
  Alert,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconChevronDown, IconChevronUp, IconRefresh, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';
import { useDateFormat } from '../ui/use-date-format';
import { type QuarantinedEvent, type QuarantineStatus, useQuarantine, useResolveQuarantined } from './api';

const STATUSES: QuarantineStatus[] = ['quarantined', 'replayed', 'discarded'];

function QuarantineEntry({
  entry,
  sourceId,
  canWrite,
}: {
  entry: QuarantinedEvent;
  sourceId: string;
  canWrite: boolean;
}) {
  const { t } = useTranslation();
  const dates = useDateFormat();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resolve = useResolveQuarantined(sourceId);
  const when = dates.format(entry.receivedAt);
  const act = (action: 'replay' | 'discard') => {
    setError(null);
    resolve.mutate(
      { entry, action },
      {
        onSuccess: () =>
          notifications.show({
            color: 'green',
            message: action === 'replay' ? t('sources.quarantine.replayed') : t('sources.quarantine.discarded'),
          }),
        onError: (e) => {
          setError(describeError(t, e));
          notifications.show({ color: 'red', title: t('errors.title'), message: describeError(t, e) });
        },
      },
    );
  };
  const panelId = `quarantine-${entry.id}`;

  return (
    <Paper withBorder radius="md" p="md" data-testid="quarantine-entry">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2} miw={0}>
            <Text size="sm" fw={500}>
              {entry.reason}
            </Text>
            <Group gap="xs">
              {entry.field ? (
                <Badge variant="light" color="orange" size="sm" tt="none">
                  {t('sources.quarantine.field')}: {entry.field}
                </Badge>
              ) : null}
              <Text size="xs" c="dimmed">
                {t('sources.quarantine.received')}: {when}
              </Text>
            </Group>
          </Stack>
          {canWrite && entry.status === 'quarantined' ? (
            <Group gap="xs" wrap="nowrap">
              <Button
                size="xs"
                leftSection={<IconRefresh size={14} aria-hidden />}
                onClick={() => act('replay')}
                loading={resolve.isPending && resolve.variables?.action === 'replay'}
                aria-label={t('sources.quarantine.replayLabel', { time: when })}
              >
                {t('sources.quarantine.replay')}
              </Button>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconX size={14} aria-hidden />}
                onClick={() => act('discard')}
                loading={resolve.isPending && resolve.variables?.action === 'discard'}
                aria-label={t('sources.quarantine.discardLabel', { time: when })}
              >
                {t('sources.quarantine.discard')}
              </Button>
            </Group>
          ) : null}
        </Group>
        {error ? (
          <Text size="sm" c="red" role="alert">
            {error}
          </Text>
        ) : null}
        <Button
          variant="subtle"
          size="xs"
          w="fit-content"
          px={4}
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          aria-controls={panelId}
          leftSection={open ? <IconChevronUp size={14} aria-hidden /> : <IconChevronDown size={14} aria-hidden />}
        >
          {t('sources.quarantine.showPayload')}
        </Button>
        <Collapse expanded={open} id={panelId}>
          <Code block style={{ whiteSpace: 'pre', overflowX: 'auto', maxHeight: 300 }} tabIndex={0}>
            {JSON.stringify(entry.payload, null, 2)}
          </Code>
        </Collapse>
      </Stack>
    </Paper>
  );
}

/** Refused events with their reason; replay (store it now) or discard, for those allowed to. */
export function QuarantinePanel({ sourceId, canWrite }: { sourceId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<QuarantineStatus>('quarantined');
  const list = useQuarantine(sourceId, status);

  return (
    <Paper withBorder radius="md" p="lg">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Group gap="xs">
              <Title order={2} size="h4">
                {t('sources.quarantine.title')}
              </Title>
              {list.data ? (
                <Badge color={list.data.quarantined ? 'orange' : 'gray'} variant="light">
                  {t('sources.quarantine.waiting', { count: list.data.quarantined })}
                </Badge>
              ) : null}
            </Group>
            <Text size="sm" c="dimmed">
              {t('sources.quarantine.description')}
            </Text>
          </Stack>
          <SegmentedControl
            aria-label={t('sources.quarantine.status')}
            value={status}
            onChange={(v) => setStatus(v as QuarantineStatus)}
            data={STATUSES.map((s) => ({ value: s, label: t(`sources.quarantine.statuses.${s}`) }))}
          />
        </Group>
        {list.isPending ? (
          <Stack gap="xs" aria-busy="true" aria-label={t('app.loading')}>
            <Skeleton h={72} />
            <Skeleton h={72} />
          </Stack>
        ) : list.isError ? (
          <Alert color="red" icon={<IconAlertCircle />}>
            {describeError(t, list.error)}
          </Alert>
        ) : list.data.data.length === 0 ? (
          <Text size="sm" c="dimmed" ta="center" py="lg">
            {t('sources.quarantine.empty')}
          </Text>
        ) : (
          <Stack gap="sm">
            {list.data.data.map((entry) => (
              <QuarantineEntry key={entry.id} entry={entry} sourceId={sourceId} canWrite={canWrite} />
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
