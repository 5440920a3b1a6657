import { ActionIcon, Alert, Button, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';

/** A titled card of the 360 page. */
export function Panel({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={2} size="h4">
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}

/**
 * What a 360 panel shows of its query: skeleton lines while it loads, the error, `empty` (dimmed)
 * when `isEmpty`, else what `children` renders.
 */
export function PanelStates({
  query,
  lines = 2,
  loadingLabel,
  isEmpty = false,
  empty,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown };
  lines?: number;
  loadingLabel?: string;
  isEmpty?: boolean;
  empty?: string;
  children: () => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending)
    return (
      <Stack gap="xs" role="status" aria-label={loadingLabel ?? t('app.loading')}>
        {Array.from({ length: lines }, (_, i) => `line-${i}`).map((key) => (
          <Skeleton key={key} h={14} />
        ))}
      </Stack>
    );
  if (query.isError)
    return (
      <Alert color="red" role="alert">
        {describeError(t, query.error)}
      </Alert>
    );
  if (isEmpty)
    return (
      <Text size="sm" c="dimmed">
        {empty}
      </Text>
    );
  return <>{children()}</>;
}

/** The chevron that opens and closes a row's details (`controls`: the id of the details row). */
export function ExpandToggle({
  expanded,
  controls,
  label,
  onToggle,
}: {
  expanded: boolean;
  controls: string;
  label: string;
  onToggle: () => void;
}) {
  return (
    <ActionIcon
      variant="subtle"
      size="sm"
      aria-expanded={expanded}
      aria-controls={controls}
      aria-label={label}
      onClick={onToggle}
    >
      {expanded ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />}
    </ActionIcon>
  );
}

/** A row's details under it, beside the toggle column. */
export function DetailsRow({ id, colSpan, children }: { id: string; colSpan: number; children: ReactNode }) {
  return (
    <Table.Tr id={id}>
      <Table.Td />
      <Table.Td colSpan={colSpan}>{children}</Table.Td>
    </Table.Tr>
  );
}

/** "Show more" under a paged list, while there is a next page. */
export function LoadMore({
  query,
  label,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  label: string;
}) {
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center">
      <Button variant="subtle" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
        {label}
      </Button>
    </Group>
  );
}
