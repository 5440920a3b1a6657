import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  EmptyState,
  Group,
  Indicator,
  Loader,
  Paper,
  Pill,
  Popover,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  IconAlertCircle,
  IconDownload,
  IconFileUpload,
  IconFilter,
  IconLayoutColumns,
  IconPlugConnected,
  IconSearch,
  IconTags,
  IconTerminal2,
  IconUsers,
} from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import type { Role } from '../api/session';
import { useCurrentSession } from '../shell/guards';
import { describeError } from '../ui/errors';
import { usePageTitle } from '../ui/use-page-title';
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_SORTS,
  type CustomerColumn,
  type CustomerFilters,
  type CustomerSummary,
  cleanFilters,
  exportUrl,
  FILTER_KEYS,
  type SavedView,
  useCustomerList,
  useSavedViews,
} from './api';
import { BulkTagModal } from './bulk-tag-modal';
import { ChannelIcons, useChannelLabel } from './channels';
import { FiltersDrawer } from './filters-drawer';
import { type Formatters, useFormat } from './format';
import { activeFilterCount, type ListState, readListState, stateOfView, writeListState } from './list-state';
import { canWriteCustomers, customerName } from './people';
import { ViewsMenu } from './views-menu';

/** The customers list: search, filters, sort, saved views, columns, CSV export and bulk tags. */
export function CustomersPage() {
  const { t } = useTranslation();
  usePageTitle(t('customers.list.title'));
  const session = useCurrentSession();
  const canWrite = canWriteCustomers(session.role);
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => readListState(params), [params]);
  const views = useSavedViews();

  const setState = (next: Partial<ListState>, replace = false) =>
    setParams(writeListState({ ...state, ...next }), { replace });

  // The search box answers as one types, a moment after the last key.
  const [search, setSearch] = useState(state.filters.q ?? '');
  const [debounced] = useDebouncedValue(search, 300);
  const written = useRef(state.filters.q);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the debounced text changes
  useEffect(() => {
    const q = debounced.trim() || undefined;
    if (q !== state.filters.q) {
      written.current = q;
      setState({ filters: { ...state.filters, q } }, true);
    }
  }, [debounced]);
  // Back/forward and opening a view change the address: the box follows (not while it is the one writing).
  useEffect(() => {
    if (state.filters.q !== written.current) {
      written.current = state.filters.q;
      setSearch(state.filters.q ?? '');
    }
  }, [state.filters.q]);

  const list = useCustomerList(state.filters, state.sort);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [bulkOpen, setBulkOpen] = useState(false);

  // A new search or filter starts a new selection.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the query changes
  useEffect(() => setSelected(new Set()), [params]);

  const error = list.error;
  const fieldError =
    error instanceof ApiError && error.field && error.code === 'invalid_request'
      ? { field: error.field, message: error.message.replace(/^[\w.]+: /, '') }
      : null;
  const filterCount = activeFilterCount(state.filters);
  const hasQuery = Object.keys(cleanFilters(state.filters)).length > 0;

  const openView = (view: SavedView | null) =>
    setParams(
      writeListState(
        view ? stateOfView(view) : { filters: {}, sort: '-createdAt', columns: state.columns, viewId: null },
      ),
    );

  const toggleAll = (checked: boolean) => setSelected(checked ? new Set(rows.map((r) => r.id)) : new Set());
  const toggle = (id: string, checked: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (checked) next.add(id);
      else next.delete(id);
      return next;
    });

  // A saved view the address names but the workspace no longer has: show the list without it.
  const viewMissing = state.viewId && views.data && !views.data.some((v) => v.id === state.viewId);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the view disappears
  useEffect(() => {
    if (viewMissing) setState({ viewId: null }, true);
  }, [viewMissing]);

  const isEmptyWorkspace = !list.isPending && !error && rows.length === 0 && !hasQuery;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Title order={1} size="h2">
            {t('customers.list.title')}
          </Title>
          <Text c="dimmed" size="sm">
            {t('customers.list.subtitle')}
          </Text>
        </Stack>
        <ViewsMenu state={state} canWrite={canWrite} onOpen={openView} />
      </Group>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label={t('customers.list.search')}
          placeholder={t('customers.list.searchPlaceholder')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          type="search"
          w={{ base: '100%', sm: 320 }}
          error={fieldError?.field === 'q' ? fieldError.message : undefined}
          rightSection={list.isFetching && !list.isFetchingNextPage ? <Loader size={14} aria-hidden /> : null}
        />
        <Select
          label={t('customers.list.sort')}
          data={CUSTOMER_SORTS.map((s) => ({ value: s, label: t(`customers.sorts.${s}`) }))}
          value={state.sort}
          onChange={(v) => v && setState({ sort: v as ListState['sort'] })}
          allowDeselect={false}
          w={{ base: '100%', sm: 220 }}
        />
        <Indicator label={filterCount} size={18} disabled={filterCount === 0} offset={4}>
          <Button
            variant="default"
            leftSection={<IconFilter size={16} aria-hidden />}
            onClick={() => setFiltersOpen(true)}
            aria-label={
              filterCount ? t('customers.list.filtersCount', { count: filterCount }) : t('customers.list.filters')
            }
          >
            {t('customers.list.filters')}
          </Button>
        </Indicator>
        <ColumnsMenu columns={state.columns} onChange={(columns) => setState({ columns })} />
        <Button
          component="a"
          href={exportUrl(state.filters, state.sort)}
          download
          variant="default"
          leftSection={<IconDownload size={16} aria-hidden />}
          title={t('customers.list.exportHint')}
        >
          {t('customers.list.export')}
        </Button>
      </Group>

      <ActiveFilters
        filters={state.filters}
        onChange={(filters) => setState({ filters })}
        invalid={fieldError?.field}
      />

      {error ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('errors.title')} role="alert">
          {fieldError && fieldError.field !== 'q'
            ? t('customers.list.invalidFilter', {
                filter: filterLabel(t, fieldError.field),
                message: fieldError.message,
              })
            : describeError(t, error)}
        </Alert>
      ) : null}

      {!canWrite ? (
        <Text size="sm" c="dimmed">
          {t('customers.readOnly')}
        </Text>
      ) : null}

      {canWrite && selected.size > 0 ? (
        <Paper
          withBorder
          p="xs"
          radius="md"
          role="region"
          aria-label={t('customers.list.selected', { count: selected.size })}
        >
          <Group justify="space-between">
            <Text size="sm" fw={500} aria-live="polite">
              {t('customers.list.selected', { count: selected.size })}
            </Text>
            <Group gap="xs">
              <Button size="xs" leftSection={<IconTags size={14} aria-hidden />} onClick={() => setBulkOpen(true)}>
                {t('customers.list.tagSelected')}
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
                {t('customers.list.clearSelection')}
              </Button>
            </Group>
          </Group>
        </Paper>
      ) : null}

      {isEmptyWorkspace ? (
        <FirstCustomerEmptyState role={session.role} />
      ) : (
        <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
          <Table.ScrollContainer minWidth={720}>
            <Table
              striped
              highlightOnHover
              verticalSpacing="xs"
              aria-label={t('customers.list.table')}
              aria-busy={list.isFetching}
            >
              <Table.Thead>
                <Table.Tr>
                  {canWrite ? (
                    <Table.Th w={40}>
                      <Checkbox
                        aria-label={t('customers.list.selectAll')}
                        checked={rows.length > 0 && selected.size === rows.length}
                        indeterminate={selected.size > 0 && selected.size < rows.length}
                        onChange={(e) => toggleAll(e.currentTarget.checked)}
                        disabled={rows.length === 0}
                      />
                    </Table.Th>
                  ) : null}
                  {state.columns.map((c) => (
                    <Table.Th key={c} style={numeric(c) ? { textAlign: 'right' } : undefined}>
                      {t(`customers.columns.${c}`)}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.isPending ? (
                  <SkeletonRows columns={state.columns.length + (canWrite ? 1 : 0)} />
                ) : rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={state.columns.length + (canWrite ? 1 : 0)}>
                      {error ? null : (
                        <EmptyState variant="light" icon={<IconUsers size={28} stroke={1.5} aria-hidden />} py="xl">
                          <EmptyState.Title order={2}>{t('customers.empty.noMatchTitle')}</EmptyState.Title>
                          <EmptyState.Description>{t('customers.empty.noMatchDescription')}</EmptyState.Description>
                          <EmptyState.Actions>
                            <Button variant="light" onClick={() => setState({ filters: {} })}>
                              {t('customers.list.clearFilters')}
                            </Button>
                          </EmptyState.Actions>
                        </EmptyState>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  rows.map((c) => (
                    <CustomerRow
                      key={c.id}
                      customer={c}
                      columns={state.columns}
                      selectable={canWrite}
                      selected={selected.has(c.id)}
                      onSelect={(checked) => toggle(c.id, checked)}
                    />
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}

      {!isEmptyWorkspace && rows.length > 0 ? (
        <Group justify="space-between">
          <Text size="sm" c="dimmed" aria-live="polite">
            {list.isFetching && !list.isFetchingNextPage
              ? t('customers.list.updating')
              : t('customers.list.shown', { count: rows.length })}
            {!list.hasNextPage && !list.isFetching ? ` · ${t('customers.list.allShown')}` : ''}
          </Text>
          {list.hasNextPage ? (
            <Button variant="light" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t('customers.list.loadMore')}
            </Button>
          ) : null}
        </Group>
      ) : null}

      <FiltersDrawer
        opened={filtersOpen}
        onClose={() => setFiltersOpen(false)}
        filters={state.filters}
        onApply={(filters) => setState({ filters })}
        fieldError={fieldError}
      />
      <BulkTagModal
        ids={[...selected]}
        opened={bulkOpen}
        onClose={() => setBulkOpen(false)}
        onDone={() => setSelected(new Set())}
      />
    </Stack>
  );
}

const numeric = (c: CustomerColumn) => c === 'orders' || c === 'revenue';

function filterLabel(t: TFunction, key: string): string {
  return (FILTER_KEYS as readonly string[]).includes(key)
    ? t(`customers.filterNames.${key as (typeof FILTER_KEYS)[number]}`)
    : key;
}

/** Pills for the filters in force, each removable. */
function ActiveFilters({
  filters,
  onChange,
  invalid,
}: {
  filters: CustomerFilters;
  onChange: (f: CustomerFilters) => void;
  invalid?: string;
}) {
  const { t } = useTranslation();
  const channelLabel = useChannelLabel();
  const format = useFormat();
  const entries = Object.entries(cleanFilters(filters)).filter(([k]) => k !== 'q') as [keyof CustomerFilters, string][];
  if (entries.length === 0) return null;
  const shown = (key: keyof CustomerFilters, value: string) => {
    if (key === 'channel') return channelLabel(value);
    if (key.endsWith('From') || key.endsWith('To')) return format.date(value);
    if (key === 'minRevenue' || key === 'maxRevenue') return format.money(Number(value));
    return value;
  };
  return (
    <Group gap="xs" aria-label={t('customers.list.filters')} role="group">
      {entries.map(([key, value]) => {
        const label = `${filterLabel(t, key)}: ${shown(key, value)}`;
        return (
          <Pill
            key={key}
            size="md"
            withRemoveButton
            onRemove={() => onChange({ ...filters, [key]: undefined })}
            removeButtonProps={{ 'aria-label': t('customers.list.removeFilter', { filter: label }) }}
            style={invalid === key ? { outline: '2px solid var(--mantine-color-red-6)' } : undefined}
          >
            {label}
          </Pill>
        );
      })}
      <Anchor component="button" type="button" size="sm" onClick={() => onChange({ q: filters.q })}>
        {t('customers.list.clearFilters')}
      </Anchor>
    </Group>
  );
}

function ColumnsMenu({ columns, onChange }: { columns: CustomerColumn[]; onChange: (c: CustomerColumn[]) => void }) {
  const { t } = useTranslation();
  const toggle = (c: CustomerColumn, on: boolean) => {
    const next = on ? CUSTOMER_COLUMNS.filter((x) => x === c || columns.includes(x)) : columns.filter((x) => x !== c);
    if (next.length > 0) onChange(next);
  };
  return (
    <Popover position="bottom-end" withinPortal trapFocus shadow="md">
      <Popover.Target>
        <Button variant="default" leftSection={<IconLayoutColumns size={16} aria-hidden />}>
          {t('customers.list.columnsMenu')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" role="group" aria-label={t('customers.list.columnsHint')}>
          <Text size="xs" c="dimmed" fw={600}>
            {t('customers.list.columnsHint')}
          </Text>
          {CUSTOMER_COLUMNS.map((c) => {
            const on = columns.includes(c);
            return (
              <Checkbox
                key={c}
                label={t(`customers.columns.${c}`)}
                checked={on}
                disabled={on && columns.length === 1}
                onChange={(e) => toggle(c, e.currentTarget.checked)}
              />
            );
          })}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function CustomerRow({
  customer: c,
  columns,
  selectable,
  selected,
  onSelect,
}: {
  customer: CustomerSummary;
  columns: CustomerColumn[];
  selectable: boolean;
  selected: boolean;
  onSelect: (checked: boolean) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const name = customerName(t, c);
  return (
    <Table.Tr bg={selected ? 'var(--mantine-primary-color-light)' : undefined}>
      {selectable ? (
        <Table.Td>
          <Checkbox
            aria-label={t('customers.list.selectRow', { name })}
            checked={selected}
            onChange={(e) => onSelect(e.currentTarget.checked)}
          />
        </Table.Td>
      ) : null}
      {columns.map((col) => (
        <Table.Td key={col} style={numeric(col) ? { textAlign: 'right', whiteSpace: 'nowrap' } : undefined}>
          {cell(col, c, name, format)}
        </Table.Td>
      ))}
    </Table.Tr>
  );
}

function cell(col: CustomerColumn, c: CustomerSummary, name: string, format: Formatters) {
  switch (col) {
    case 'name':
      return (
        <Anchor component={RouterLink} to={`/customers/${encodeURIComponent(c.id)}`} fw={500} size="sm">
          {name}
        </Anchor>
      );
    case 'email':
    case 'phone':
    case 'userId':
      return (
        <Text size="sm" truncate="end" maw={260}>
          {c[col] ?? '—'}
        </Text>
      );
    case 'channels':
      return <ChannelIcons channels={c.channels} size="sm" />;
    case 'tags':
      return (
        <Group gap={4}>
          {c.tags.slice(0, 4).map((tag) => (
            <Badge key={tag} size="sm" variant="light" tt="none">
              {tag}
            </Badge>
          ))}
          {c.tags.length > 4 ? (
            <Text size="xs" c="dimmed">
              +{c.tags.length - 4}
            </Text>
          ) : null}
        </Group>
      );
    case 'orders':
      return format.number(c.orders);
    case 'revenue':
      return format.money(c.revenue, c.currency);
    case 'firstSeenAt':
    case 'lastSeenAt':
    case 'lastOrderAt':
    case 'createdAt':
      return (
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {format.date(c[col])}
        </Text>
      );
  }
}

function SkeletonRows({ columns }: { columns: number }) {
  const { t } = useTranslation();
  return (
    <>
      {Array.from({ length: 8 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <Table.Tr key={i} aria-hidden={i > 0}>
          {Array.from({ length: columns }, (_, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <Table.Td key={j}>
              {i === 0 && j === 0 ? (
                <VisuallyHidden role="status">{t('customers.list.loadingRows')}</VisuallyHidden>
              ) : null}
              <Skeleton h={14} radius="sm" w={j === 0 ? '70%' : '50%'} />
            </Table.Td>
          ))}
        </Table.Tr>
      ))}
    </>
  );
}

/** No customers at all yet: the three ways to get the first ones. */
function FirstCustomerEmptyState({ role }: { role: Role | null }) {
  const { t } = useTranslation();
  // Who may create sources and imports (access/permissions.ts): the others only see the demo hint.
  const canConnect = role === 'owner' || role === 'admin';
  const canImport = canConnect || role === 'marketer';
  return (
    <Paper withBorder radius="md" p="xl">
      <EmptyState variant="light" icon={<IconUsers size={28} stroke={1.5} aria-hidden />}>
        <EmptyState.Title order={2}>{t('customers.empty.title')}</EmptyState.Title>
        <EmptyState.Description>{t('customers.empty.description')}</EmptyState.Description>
        <Stack gap="md" mt="md" maw={560} mx="auto">
          {canConnect ? (
            <Group wrap="nowrap" align="flex-start">
              <Button
                component={RouterLink}
                to="/sources"
                leftSection={<IconPlugConnected size={16} aria-hidden />}
                miw={200}
              >
                {t('customers.empty.connect')}
              </Button>
              <Text size="sm" c="dimmed" ta="left">
                {t('customers.empty.connectHint')}
              </Text>
            </Group>
          ) : null}
          {canImport ? (
            <Group wrap="nowrap" align="flex-start">
              <Button
                component={RouterLink}
                to="/imports"
                variant="light"
                leftSection={<IconFileUpload size={16} aria-hidden />}
                miw={200}
              >
                {t('customers.empty.import')}
              </Button>
              <Text size="sm" c="dimmed" ta="left">
                {t('customers.empty.importHint')}
              </Text>
            </Group>
          ) : null}
          <Stack gap={4}>
            <Group gap="xs">
              <IconTerminal2 size={16} aria-hidden />
              <Text size="sm" fw={500}>
                {t('customers.empty.demo')}
              </Text>
            </Group>
            <Text size="sm" c="dimmed" ta="left">
              {t('customers.empty.demoHint')}
            </Text>
            <Code block>npx kith demo</Code>
          </Stack>
        </Stack>
      </EmptyState>
    </Paper>
  );
}
