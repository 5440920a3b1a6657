import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Code,
  EmptyState,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconFileSearch, IconHistory, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useFormat } from '../ui/format';
import { type AuditEntry, type AuditFilters, useApiKeys, useAuditActions, useAuditLog, useMembers } from './api';
import { LoadError, SectionHeader, TableSkeleton } from './parts';

const FILTERS = ['actorId', 'action', 'from', 'to'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The audit log: who changed what and when, filtered by person or key, action and days (kept in the address). */
export function AuditTab() {
  const { t } = useTranslation();
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const [details, setDetails] = useState<AuditEntry | null>(null);
  const filters: AuditFilters = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (v && ((k !== 'from' && k !== 'to') || DAY.test(v))) filters[k] = v;
  }
  const badRange = !!filters.from && !!filters.to && filters.from > filters.to;
  const log = useAuditLog(filters);
  const members = useMembers();
  const keys = useApiKeys();
  const actions = useAuditActions();

  const set = (key: (typeof FILTERS)[number], value: string | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const filtered = FILTERS.some((k) => filters[k]);

  const actorOptions = [
    {
      group: t('settings.audit.people'),
      items: (members.data ?? []).map((m) => ({ value: m.id, label: m.name ? `${m.name} (${m.email})` : m.email })),
    },
    { group: t('settings.audit.keys'), items: (keys.data ?? []).map((k) => ({ value: k.id, label: k.name })) },
  ].filter((g) => g.items.length > 0);

  const entries = log.data?.pages.flat() ?? [];

  return (
    <Stack gap="lg">
      <SectionHeader title={t('settings.tabs.audit')} intro={t('settings.audit.intro')} />
      <Paper withBorder radius="md" p="md" component="section" aria-label={t('settings.audit.filters')}>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
          <Select
            label={t('settings.audit.actor')}
            placeholder={t('settings.audit.anyone')}
            data={actorOptions}
            value={filters.actorId ?? null}
            onChange={(v) => set('actorId', v)}
            searchable
            clearable
            nothingFoundMessage={t('fields.nothingFound')}
          />
          <Select
            label={t('settings.audit.action')}
            placeholder={t('settings.audit.anyAction')}
            data={actions.data ?? []}
            value={filters.action ?? null}
            onChange={(v) => set('action', v)}
            searchable
            clearable
            nothingFoundMessage={t('fields.nothingFound')}
          />
          <TextInput
            type="date"
            label={t('settings.audit.from')}
            value={filters.from ?? ''}
            max={filters.to}
            onChange={(e) => set('from', e.currentTarget.value || null)}
          />
          <TextInput
            type="date"
            label={t('settings.audit.to')}
            value={filters.to ?? ''}
            min={filters.from}
            error={badRange ? t('settings.audit.badRange') : undefined}
            onChange={(e) => set('to', e.currentTarget.value || null)}
          />
        </SimpleGrid>
        {filtered ? (
          <Group justify="flex-end" mt="sm">
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconX size={14} aria-hidden />}
              onClick={() => setParams(new URLSearchParams(), { replace: true })}
            >
              {t('settings.audit.clear')}
            </Button>
          </Group>
        ) : null}
      </Paper>

      {log.isPending ? (
        <TableSkeleton rows={6} />
      ) : log.isError ? (
        <LoadError error={log.error} retry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <Paper withBorder radius="md" p="xl">
          <EmptyState variant="light" icon={<IconHistory size={28} stroke={1.5} aria-hidden />}>
            <EmptyState.Title order={3}>
              {filtered ? t('settings.audit.noMatchTitle') : t('settings.audit.emptyTitle')}
            </EmptyState.Title>
            <EmptyState.Description>
              {filtered ? t('settings.audit.noMatchBody') : t('settings.audit.emptyBody')}
            </EmptyState.Description>
            {filtered ? (
              <EmptyState.Actions>
                <Button variant="light" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
                  {t('settings.audit.clear')}
                </Button>
              </EmptyState.Actions>
            ) : null}
          </EmptyState>
        </Paper>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="xs" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('settings.audit.when')}</Table.Th>
                  <Table.Th>{t('settings.audit.actor')}</Table.Th>
                  <Table.Th>{t('settings.audit.action')}</Table.Th>
                  <Table.Th>{t('settings.audit.target')}</Table.Th>
                  <Table.Th>{t('settings.audit.ip')}</Table.Th>
                  <Table.Th w={60}>{t('settings.audit.details')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                        {f.dateTime(e.createdAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <ActorCell entry={e} />
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" tt="none" radius="sm">
                        {e.action}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <TargetCell entry={e} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {e.ip}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={t('settings.audit.detailsOf', { action: e.action })} withArrow>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={t('settings.audit.detailsOf', { action: e.action })}
                          onClick={() => setDetails(e)}
                        >
                          <IconFileSearch size={18} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {log.hasNextPage ? (
            <Group justify="center">
              <Button variant="default" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
                {t('settings.audit.loadMore')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      )}
      <Modal
        opened={!!details}
        onClose={() => setDetails(null)}
        size="lg"
        title={details ? t('settings.audit.detailsOf', { action: details.action }) : ''}
      >
        {details ? (
          <Stack gap="sm">
            <Text size="sm">
              {f.dateTime(details.createdAt)} · {details.actorLabel ?? t('settings.audit.system')}
            </Text>
            {details.requestId ? (
              <Text size="xs" c="dimmed">
                {t('settings.audit.request')}: <Code>{details.requestId}</Code>
              </Text>
            ) : null}
            <Code block>{JSON.stringify(details.details, null, 2)}</Code>
          </Stack>
        ) : null}
      </Modal>
    </Stack>
  );
}

/** The page of a target, where it has one. */
function targetPath(kind: string | null, id: string): string | null {
  switch (kind) {
    case 'customer':
      return `/customers/${encodeURIComponent(id)}`;
    case 'source':
      return `/sources/${encodeURIComponent(id)}`;
    case 'import':
      return `/imports/${encodeURIComponent(id)}`;
    case 'member':
      return '/settings/members';
    case 'invitation':
      return '/settings/invitations';
    case 'api_key':
      return '/settings/api-keys';
    case 'workspace':
      return '/settings/profile';
    default:
      return null;
  }
}

/** The target by name, linked to its page; its id beneath when the name is not the id. */
function TargetCell({ entry }: { entry: AuditEntry }) {
  const id = entry.targetId;
  if (!id) return null;
  const label = entry.targetLabel ?? id;
  const named = label !== id;
  const path = targetPath(entry.targetKind, id);
  return (
    <Stack gap={0}>
      {path ? (
        <Anchor component={Link} to={path} size="sm" ff={named ? undefined : 'monospace'}>
          {label}
        </Anchor>
      ) : (
        <Text size="sm" ff={named ? undefined : 'monospace'}>
          {label}
        </Text>
      )}
      {named ? (
        <Text size="xs" c="dimmed" ff="monospace">
          {id}
        </Text>
      ) : null}
    </Stack>
  );
}

function ActorCell({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const type = entry.actorType;
  const kind = type === 'user' || type === 'api_key' || type === 'cli' ? t(`settings.audit.actorKinds.${type}`) : type;
  return (
    <Stack gap={0}>
      <Text size="sm">{entry.actorLabel ?? t('settings.audit.system')}</Text>
      <Text size="xs" c="dimmed">
        {kind}
      </Text>
    </Stack>
  );
}
