import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconRoute } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { EmptyPanel, FormAlert, LoadError, QueryStates } from '../ui/states';
import { usePageTitle } from '../ui/use-page-title';
import {
  type Journey,
  type JourneyStatus,
  useCreateJourney,
  useInstallPlaybook,
  useJourneyStats,
  useJourneys,
  usePlaybooks,
} from './api';

export const STATUS_COLORS: Record<JourneyStatus, string> = {
  draft: 'gray',
  active: 'teal',
  paused: 'yellow',
  archived: 'dark',
};

/** A journey's status as a badge. */
export function StatusBadge({ status }: { status: JourneyStatus }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} data-testid="journey-status">
      {t(`journeys.statuses.${status}`)}
    </Badge>
  );
}

/** Journeys: every journey with its status and version, figures for the live ones, and the playbooks. */
export function JourneysPage() {
  const { t } = useTranslation();
  usePageTitle(t('journeys.list.title'));
  const canWrite = useCan('journeys', 'write');
  const journeys = useJourneys();
  const [creating, setCreating] = useState(false);

  const newButton = canWrite ? (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
      {t('journeys.list.new')}
    </Button>
  ) : null;

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} maw={680}>
          <Title order={1} size="h2">
            {t('journeys.list.title')}
          </Title>
          <Text c="dimmed">{t('journeys.list.intro')}</Text>
        </Stack>
        {journeys.data?.length ? newButton : null}
      </Group>
      <QueryStates
        query={journeys}
        loadErrorTitle={t('journeys.list.loadError')}
        empty={
          <EmptyPanel
            icon={<IconRoute size={28} stroke={1.5} aria-hidden />}
            title={t('journeys.list.emptyTitle')}
            description={canWrite ? t('journeys.list.emptyDescription') : t('journeys.list.emptyReadOnly')}
            action={newButton}
          />
        }
      >
        {(rows) => <JourneysTable rows={rows} />}
      </QueryStates>
      {canWrite ? <PlaybookGallery /> : null}
      <NewJourneyModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function JourneysTable({ rows }: { rows: Journey[] }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" highlightOnHover aria-label={t('journeys.list.table')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('journeys.list.columns.name')}</Table.Th>
              <Table.Th>{t('journeys.list.columns.status')}</Table.Th>
              <Table.Th>{t('journeys.list.columns.version')}</Table.Th>
              <Table.Th ta="end">{t('journeys.list.columns.entered')}</Table.Th>
              <Table.Th ta="end">{t('journeys.list.columns.converted')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((j) => (
              <Table.Tr key={j.id}>
                <Table.Td>
                  <Stack gap={2}>
                    <Anchor component={RouterLink} to={`/journeys/${j.id}`} fw={500}>
                      {j.name}
                    </Anchor>
                    {j.description ? (
                      <Text size="xs" c="dimmed" lineClamp={1} maw={520}>
                        {j.description}
                      </Text>
                    ) : null}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={j.status} />
                </Table.Td>
                <Table.Td>
                  {j.version > 0
                    ? t('journeys.editor.version', { version: j.version })
                    : t('journeys.list.notPublished')}
                </Table.Td>
                <LiveFigures journey={j} />
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** Entered and converted, for journeys that are on (a query per active journey: a small business has a few). */
function LiveFigures({ journey }: { journey: Journey }) {
  const f = useFormat();
  const live = journey.status === 'active' || journey.status === 'paused';
  const stats = useJourneyStats(journey.id, live);
  const cell = (value: number | undefined) => (live && value !== undefined ? f.number(value) : '—');
  return (
    <>
      <Table.Td ta="end">{cell(stats.data?.entered)}</Table.Td>
      <Table.Td ta="end">{cell(stats.data?.converted)}</Table.Td>
    </>
  );
}

/** The ready-made journeys; installing one opens its new draft. */
function PlaybookGallery() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const playbooks = usePlaybooks();
  const install = useInstallPlaybook();
  const [error, setError] = useState<string | null>(null);

  const onInstall = async (key: string) => {
    setError(null);
    try {
      const journey = await install.mutateAsync(key);
      notifications.show({ color: 'teal', message: t('journeys.playbooks.installed', { name: journey.name }) });
      navigate(`/journeys/${journey.id}`);
    } catch (e) {
      setError(describeError(t, e));
    }
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby="playbooks-title">
      <Stack gap={2}>
        <Title order={2} size="h3" id="playbooks-title">
          {t('journeys.playbooks.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('journeys.playbooks.intro')}
        </Text>
      </Stack>
      <FormAlert>{error}</FormAlert>
      {playbooks.isError ? (
        <LoadError
          title={t('journeys.playbooks.loadError')}
          error={playbooks.error}
          retry={() => void playbooks.refetch()}
        />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          {(playbooks.data ?? []).map((p) => (
            <Card key={p.key} withBorder radius="md" padding="md" data-testid={`playbook-${p.key}`}>
              <Stack gap="xs" h="100%" justify="space-between">
                <Stack gap={4}>
                  <Text fw={600}>{p.name}</Text>
                  <Text size="sm" c="dimmed">
                    {p.description}
                  </Text>
                  {p.templates.length ? (
                    <Text size="xs" c="dimmed">
                      {t('journeys.playbooks.templates', { count: p.templates.length })}
                    </Text>
                  ) : null}
                </Stack>
                <Group>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => void onInstall(p.key)}
                    loading={install.isPending && install.variables === p.key}
                    disabled={install.isPending && install.variables !== p.key}
                    aria-label={t('journeys.playbooks.install', { name: p.name })}
                  >
                    {t('journeys.playbooks.install', { name: p.name })}
                  </Button>
                </Group>
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function NewJourneyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateJourney();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async () => {
    if (!name.trim()) {
      setError(t('journeys.list.nameRequired'));
      return;
    }
    try {
      const journey = await create.mutateAsync({ name: name.trim() });
      onClose();
      navigate(`/journeys/${journey.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? describeError(t, e) : String(e));
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('journeys.list.newTitle')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void onSubmit();
        }}
      >
        <Stack gap="md">
          <TextInput
            label={t('journeys.list.name')}
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              setError(null);
            }}
            error={error}
            required
            data-autofocus
          />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending}>
              {t('journeys.list.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
