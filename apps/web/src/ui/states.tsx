/** How a page looks while its data loads, when the load fails, when there is nothing yet, and when a form is refused. */
import { Alert, Button, EmptyState, Paper, Skeleton, Stack, Table, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from './errors';

/** Grey bars where a table's rows will appear. */
export function TableSkeleton({ rows = 3, heading = true }: { rows?: number; heading?: boolean }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" role="status" aria-busy="true" aria-label={t('app.loading')}>
      {heading ? <Skeleton height={28} width="40%" /> : null}
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <Skeleton key={i} height={44} radius="sm" />
      ))}
    </Stack>
  );
}

/** A failed load, with the reason and a way to try again. */
export function LoadError({ title, error, retry }: { title?: string; error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={title ?? t('errors.title')} role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{describeError(t, error)}</Text>
        <Button size="xs" variant="light" color="red" onClick={retry}>
          {t('errors.retry')}
        </Button>
      </Stack>
    </Alert>
  );
}

/** Nothing here yet: what this place is for, and the next step (when the person may take it). */
export function EmptyPanel({
  icon,
  title,
  description,
  action,
}: {
  icon: ReactNode;
  title: string;
  description: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Paper withBorder radius="md" p="xl">
      <EmptyState variant="light" icon={icon}>
        <EmptyState.Title order={2}>{title}</EmptyState.Title>
        <EmptyState.Description>{description}</EmptyState.Description>
        {action ? <EmptyState.Actions>{action}</EmptyState.Actions> : null}
      </EmptyState>
    </Paper>
  );
}

/** What the server said about a refused form, above its fields (field errors go next to their field). */
export function FormAlert({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  if (!children) return null;
  return (
    <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('errors.title')}>
      {children}
    </Alert>
  );
}

/**
 * A list's four states from its query: skeleton while loading, the error with a retry, `empty`
 * when there are no rows, else `children(rows)`.
 */
export function QueryStates<T>({
  query,
  loadErrorTitle,
  empty,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: T[] | undefined; refetch: () => unknown };
  loadErrorTitle?: string;
  empty: ReactNode;
  children: (rows: T[]) => ReactNode;
}) {
  if (query.isPending) return <TableSkeleton heading={false} />;
  if (query.isError || !query.data)
    return <LoadError title={loadErrorTitle} error={query.error} retry={() => void query.refetch()} />;
  if (query.data.length === 0) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** A bordered, horizontally scrolling table with its column headings. */
export function DataTable({
  minWidth,
  columns,
  children,
}: {
  minWidth: number;
  columns: { label: string; end?: boolean }[];
  children: ReactNode;
}) {
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={minWidth}>
        <Table verticalSpacing="sm" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.label} ta={c.end ? 'end' : undefined}>
                  {c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{children}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
