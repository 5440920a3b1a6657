import { Alert, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
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
