import { Alert, Anchor, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertCircle, IconUsers } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { ApiError } from '../api/client';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import type { Preview, SegmentCustomer } from './api';

/** What to call a customer in a segment list: name, else email, phone, else "Anonymous visitor". */
export function segmentCustomerName(t: (key: 'customers.anonymous') => string, c: SegmentCustomer): string {
  return c.name?.trim() || c.email || c.phone || t('customers.anonymous');
}

/** The live count and a sample of who matches the rule being edited. */
export function PreviewPanel({
  preview,
  incomplete,
  empty,
  tooBig,
  settling,
  hasFieldError,
}: {
  preview: UseQueryResult<Preview>;
  incomplete: number;
  empty: boolean;
  tooBig: boolean;
  settling: boolean;
  hasFieldError: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const waiting = empty || incomplete > 0 || tooBig;
  const busy = !waiting && (settling || preview.isFetching);
  let body: React.ReactNode;
  if (empty)
    body = (
      <Text size="sm" c="dimmed">
        {t('segments.preview.empty')}
      </Text>
    );
  else if (tooBig)
    body = (
      <Text size="sm" c="red">
        {t('segments.preview.tooBig')}
      </Text>
    );
  else if (incomplete > 0)
    body = (
      <Text size="sm" c="dimmed">
        {t('segments.preview.incomplete', { count: incomplete })}
      </Text>
    );
  else if (preview.isError && !settling) {
    const ruleError = preview.error instanceof ApiError && preview.error.field?.startsWith('rule');
    body = (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} p="xs">
        {ruleError && hasFieldError ? t('segments.preview.fixFields') : describeError(t, preview.error)}
      </Alert>
    );
  } else if (preview.data) {
    const data = preview.data;
    body = (
      <Stack gap="xs" style={{ opacity: busy ? 0.6 : 1 }}>
        <Text size="xs" c="dimmed">
          {t('segments.preview.took', { ms: f.number(data.tookMs) })}
        </Text>
        {data.sample.length > 0 ? (
          <>
            <Text size="sm" fw={500}>
              {t('segments.preview.sample')}
            </Text>
            <Stack
              gap={4}
              component="ul"
              p={0}
              m={0}
              style={{ listStyle: 'none' }}
              aria-label={t('segments.preview.sample')}
            >
              {data.sample.map((c) => (
                <li key={c.id}>
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Anchor
                      component={RouterLink}
                      to={`/customers/${encodeURIComponent(c.id)}`}
                      size="sm"
                      truncate="end"
                    >
                      {segmentCustomerName(t, c)}
                    </Anchor>
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {t('segments.preview.orders', { count: c.orderCount, formatted: f.number(c.orderCount) })}
                    </Text>
                  </Group>
                </li>
              ))}
            </Stack>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {t('segments.preview.nobody')}
          </Text>
        )}
      </Stack>
    );
  } else body = <Loader size="sm" aria-hidden />;

  const count = !waiting && preview.data && !(preview.isError && !settling) ? preview.data.count : null;
  return (
    <Paper withBorder radius="md" p="md" pos="sticky" top={72} component="section" aria-labelledby="preview-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5" id="preview-title">
            {t('segments.preview.title')}
          </Title>
          {busy ? <Loader size="xs" aria-label={t('segments.preview.counting')} /> : null}
        </Group>
        <Group gap="xs" align="baseline">
          <IconUsers size={20} aria-hidden />
          <Text fz={32} fw={700} lh={1} data-testid="live-count" aria-live="polite" aria-busy={busy}>
            {count === null ? '—' : f.number(count)}
          </Text>
          <Text size="sm" c="dimmed">
            {t('segments.preview.customers', { count: count ?? 0 })}
          </Text>
        </Group>
        {body}
      </Stack>
    </Paper>
  );
}
