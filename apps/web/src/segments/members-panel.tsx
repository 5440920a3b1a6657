import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Drawer,
  EmptyState,
  FileButton,
  Group,
  List,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconAlertCircle,
  IconFileUpload,
  IconHelpCircle,
  IconTrash,
  IconUserPlus,
  IconUsers,
} from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { customerName } from '../customers/people';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import {
  type Segment,
  useAddMembers,
  useCustomerSearch,
  useExplain,
  useMembers,
  useRemoveMembers,
  useUploadMembers,
} from './api';
import { ExplainTree } from './explain-tree';
import { segmentCustomerName } from './preview-panel';
import type { SentenceContext } from './sentence';

/** The members of a saved segment: a paged table, explain per row, and list editing for static segments. */
export function MembersPanel({
  segment,
  canWrite,
  sentence,
}: {
  segment: Segment;
  canWrite: boolean;
  sentence: SentenceContext;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const members = useMembers(segment.id);
  const rows = useMemo(() => members.data?.pages.flatMap((p) => p.items) ?? [], [members.data]);
  const remove = useRemoveMembers(segment.id);
  const [explainFor, setExplainFor] = useState<{ id: string; name: string } | null>(null);
  const editable = canWrite && segment.kind === 'static';

  const onRemove = async (id: string, name: string) => {
    try {
      await remove.mutateAsync({ customerIds: [id] });
      notifications.show({ message: t('segments.members.removed', { name }) });
    } catch (error) {
      notifications.show({ color: 'red', message: describeError(t, error) });
    }
  };

  return (
    <Stack gap="md" component="section" aria-labelledby="members-title">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Title order={2} size="h3" id="members-title">
            {t('segments.members.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('segments.members.count', { count: segment.memberCount, formatted: f.number(segment.memberCount) })}
          </Text>
        </Stack>
        <CustomerPicker
          label={t('segments.members.explainOther')}
          placeholder={t('segments.members.searchPlaceholder')}
          onPick={(c) => setExplainFor(c)}
        />
      </Group>

      {editable ? <StaticListTools segmentId={segment.id} /> : null}

      {members.isError ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('segments.members.loadError')}>
          {describeError(t, members.error)}
        </Alert>
      ) : null}

      <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
        <Table.ScrollContainer minWidth={640}>
          <Table
            striped
            highlightOnHover
            verticalSpacing="xs"
            aria-label={t('segments.members.table')}
            aria-busy={members.isFetching}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('segments.members.columns.name')}</Table.Th>
                <Table.Th>{t('segments.members.columns.email')}</Table.Th>
                <Table.Th>{t('segments.members.columns.lastSeen')}</Table.Th>
                <Table.Th ta="right">{t('segments.members.columns.orders')}</Table.Th>
                <Table.Th ta="right">{t('segments.members.columns.revenue')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('segments.members.columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.isPending ? (
                [0, 1, 2, 3].map((i) => (
                  <Table.Tr key={i} aria-hidden={i > 0}>
                    <Table.Td colSpan={6}>
                      {i === 0 ? <VisuallyHidden role="status">{t('app.loading')}</VisuallyHidden> : null}
                      <Skeleton h={14} w="60%" />
                    </Table.Td>
                  </Table.Tr>
                ))
              ) : rows.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <EmptyState variant="light" icon={<IconUsers size={28} stroke={1.5} aria-hidden />} py="lg">
                      <EmptyState.Title order={3}>{t('segments.members.emptyTitle')}</EmptyState.Title>
                      <EmptyState.Description>
                        {segment.kind === 'static'
                          ? editable
                            ? t('segments.members.emptyStatic')
                            : t('segments.members.emptyReadOnly')
                          : t('segments.members.emptyDynamic')}
                      </EmptyState.Description>
                    </EmptyState>
                  </Table.Td>
                </Table.Tr>
              ) : (
                rows.map((c) => {
                  const name = segmentCustomerName(t, c);
                  return (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <Anchor component={RouterLink} to={`/customers/${encodeURIComponent(c.id)}`} size="sm" fw={500}>
                          {name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" truncate="end" maw={240}>
                          {c.email ?? '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.date(c.lastSeenAt)}</Table.Td>
                      <Table.Td ta="right">{f.number(c.orderCount)}</Table.Td>
                      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                        {f.money(c.revenue, c.currency ?? undefined)}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label={t('segments.members.why')} openDelay={300}>
                            <ActionIcon
                              variant="subtle"
                              aria-label={t('segments.members.whyNamed', { name })}
                              onClick={() => setExplainFor({ id: c.id, name })}
                            >
                              <IconHelpCircle size={16} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                          {editable ? (
                            <Tooltip label={t('segments.members.remove')} openDelay={300}>
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                aria-label={t('segments.members.removeNamed', { name })}
                                onClick={() => void onRemove(c.id, name)}
                              >
                                <IconTrash size={16} aria-hidden />
                              </ActionIcon>
                            </Tooltip>
                          ) : null}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {rows.length > 0 ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" aria-live="polite">
            {t('segments.members.shown', { shown: f.number(rows.length), total: f.number(segment.memberCount) })}
          </Text>
          {members.hasNextPage ? (
            <Button variant="light" onClick={() => void members.fetchNextPage()} loading={members.isFetchingNextPage}>
              {t('segments.members.loadMore')}
            </Button>
          ) : null}
        </Group>
      ) : null}

      <Drawer
        opened={explainFor !== null}
        onClose={() => setExplainFor(null)}
        position="right"
        size="lg"
        title={explainFor ? t('segments.explain.title', { name: explainFor.name }) : ''}
      >
        {explainFor ? <ExplainPanel segment={segment} customerId={explainFor.id} sentence={sentence} /> : null}
      </Drawer>
    </Stack>
  );
}

function ExplainPanel({
  segment,
  customerId,
  sentence,
}: {
  segment: Segment;
  customerId: string;
  sentence: SentenceContext;
}) {
  const { t } = useTranslation();
  const explain = useExplain(segment.id, customerId);
  if (explain.isPending) {
    return (
      <Stack gap="xs" aria-busy="true">
        <VisuallyHidden role="status">{t('app.loading')}</VisuallyHidden>
        <Skeleton h={24} w="50%" />
        <Skeleton h={16} />
        <Skeleton h={16} />
      </Stack>
    );
  }
  if (explain.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />}>
        {describeError(t, explain.error)}
      </Alert>
    );
  }
  const { member, matches, explanation } = explain.data;
  return (
    <Stack gap="md" data-testid="explain-panel">
      <Group gap="xs">
        <Badge size="lg" color={member ? 'teal' : 'gray'} variant="light" data-testid="explain-member">
          {member ? t('segments.explain.member') : t('segments.explain.notMember')}
        </Badge>
      </Group>
      <Text size="sm">
        {segment.kind === 'static'
          ? member
            ? t('segments.explain.staticIn')
            : t('segments.explain.staticOut')
          : matches
            ? t('segments.explain.matches')
            : t('segments.explain.doesNotMatch')}
      </Text>
      {segment.kind === 'dynamic' && member !== matches ? (
        <Alert color="yellow" p="xs">
          {t('segments.explain.pending')}
        </Alert>
      ) : null}
      {explanation ? <ExplainTree node={explanation} sentence={sentence} /> : null}
    </Stack>
  );
}

/** A search box that finds a customer by name, email or phone. */
export function CustomerPicker({
  label,
  placeholder,
  onPick,
}: {
  label: string;
  placeholder: string;
  onPick: (c: { id: string; name: string }) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const found = useCustomerSearch(debounced);
  const data = (found.data ?? []).map((c) => ({ value: c.id, label: customerName(t, c) }));
  return (
    <Select
      label={label}
      placeholder={placeholder}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      data={data}
      filter={({ options }) => options}
      value={null}
      onChange={(id) => {
        const picked = data.find((d) => d.value === id);
        if (id && picked) onPick({ id, name: picked.label });
        setSearch('');
      }}
      nothingFoundMessage={
        debounced.trim().length >= 2 && !found.isFetching ? t('segments.members.noCustomer') : undefined
      }
      w={{ base: '100%', sm: 300 }}
    />
  );
}

/** Add by search, upload a CSV column of emails, phones or ids: the tools of a static list. */
function StaticListTools({ segmentId }: { segmentId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const add = useAddMembers(segmentId);
  const upload = useUploadMembers(segmentId);
  const [report, setReport] = useState<{ added: number; notFound: { line: number; value: string }[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onAdd = async (c: { id: string; name: string }) => {
    setError(null);
    try {
      await add.mutateAsync({ customerIds: [c.id] });
      notifications.show({ color: 'teal', message: t('segments.members.added', { name: c.name }) });
    } catch (e) {
      setError(describeError(t, e));
    }
  };
  const onFile = async (file: File | null) => {
    if (!file) return;
    setError(null);
    setReport(null);
    try {
      setReport(await upload.mutateAsync({ csv: await file.text() }));
    } catch (e) {
      setError(describeError(t, e));
    }
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group align="flex-end" gap="md" wrap="wrap">
          <CustomerPicker
            label={t('segments.members.add')}
            placeholder={t('segments.members.searchPlaceholder')}
            onPick={(c) => void onAdd(c)}
          />
          <FileButton onChange={(file) => void onFile(file)} accept=".csv,text/csv,text/plain">
            {(props) => (
              <Button
                {...props}
                variant="default"
                leftSection={<IconFileUpload size={16} aria-hidden />}
                loading={upload.isPending}
              >
                {t('segments.members.uploadCsv')}
              </Button>
            )}
          </FileButton>
          {add.isPending ? <IconUserPlus size={16} aria-label={t('segments.members.adding')} /> : null}
        </Group>
        <Text size="xs" c="dimmed">
          {t('segments.members.csvHint')}
        </Text>
        {error ? (
          <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert" p="xs">
            {error}
          </Alert>
        ) : null}
        {report ? (
          <Alert color={report.notFound.length ? 'yellow' : 'teal'} p="xs" role="status">
            <Text size="sm">
              {t('segments.members.csvAdded', { count: report.added, formatted: f.number(report.added) })}
            </Text>
            {report.notFound.length ? (
              <>
                <Text size="sm">{t('segments.members.csvNotFound', { count: report.notFound.length })}</Text>
                <List size="sm">
                  {report.notFound.slice(0, 20).map((n) => (
                    <List.Item key={n.line}>
                      {t('segments.members.csvLine', { line: n.line, value: n.value })}
                    </List.Item>
                  ))}
                </List>
              </>
            ) : null}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}
