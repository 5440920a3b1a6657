import { Alert, Anchor, Group, Paper, Skeleton, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle, IconUsers } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { newSegmentLink, type SegmentRule } from '../segments/rules';
import { describeError } from '../ui/errors';
import { type Format, useFormat } from '../ui/format';
import type { KpiKey, KpiUnit } from './api';

/** A colour per channel, the same on every chart. */
const CHANNEL_COLORS: Record<string, string> = {
  web: 'blue',
  mobile: 'violet',
  store: 'orange',
  ecommerce: 'teal',
  marketplace: 'yellow',
  email: 'pink',
  sms: 'cyan',
  social: 'grape',
  phone: 'lime',
  direct_mail: 'red',
  partner: 'indigo',
  import: 'gray',
  unknown: 'gray',
};
export const channelColor = (channel: string) => `${CHANNEL_COLORS[channel] ?? 'dark'}.6`;

/** A KPI's value written for its unit (money in the workspace currency, percent from a fraction). */
export function formatKpi(
  f: Format,
  t: (key: 'analytics.daysValue', options: { count: number }) => string,
  unit: KpiUnit,
  value: number | null | undefined,
  currency?: string,
): string {
  if (value === null || value === undefined) return '—';
  switch (unit) {
    case 'money':
      return f.money(value, currency);
    case 'percent':
      return f.number(value, { style: 'percent', maximumFractionDigits: 1 });
    case 'count':
      return f.number(value, { maximumFractionDigits: 0 });
    case 'days':
      return t('analytics.daysValue', { count: Math.round(value) });
    default:
      return f.number(value, { maximumFractionDigits: 2 });
  }
}

/** `useFormat` plus KPI formatting. */
export function useKpiFormat() {
  const f = useFormat();
  const { t } = useTranslation();
  return {
    f,
    kpi: (unit: KpiUnit, value: number | null | undefined, currency?: string) => formatKpi(f, t, unit, value, currency),
    percent: (v: number | null | undefined, digits = 1) =>
      v === null || v === undefined ? '—' : f.number(v, { style: 'percent', maximumFractionDigits: digits }),
  };
}

/** The units of the KPIs (the server sends them too; goals need them before any answer). */
export const KPI_UNITS: Record<KpiKey, KpiUnit> = {
  customers: 'count',
  newCustomers: 'count',
  orders: 'count',
  netRevenue: 'money',
  aov: 'money',
  repeatPurchaseRate: 'percent',
  purchaseFrequency: 'number',
  clv: 'money',
  churnRate: 'percent',
  retentionRate: 'percent',
  cac: 'money',
  roi: 'percent',
  engagementScore: 'number',
};

/** "See these customers": opens the segment editor with a rule for the customers behind a number. */
export function CustomersLink({ rule, name, label }: { rule: SegmentRule | null; name: string; label?: string }) {
  const { t } = useTranslation();
  if (!rule) return null;
  return (
    <Anchor
      component={RouterLink}
      to={newSegmentLink(rule, name)}
      size="xs"
      aria-label={label ?? t('analytics.seeCustomersOf', { name })}
    >
      <Group gap={4} component="span" wrap="nowrap">
        <IconUsers size={12} aria-hidden />
        {t('analytics.seeCustomers')}
      </Group>
    </Anchor>
  );
}

/** A dashboard card: title, optional controls, and the body once its data is there. */
export function DashCard({
  title,
  description,
  controls,
  query,
  children,
  id,
  minHeight = 160,
}: {
  title: string;
  description?: ReactNode;
  controls?: ReactNode;
  query: { isPending: boolean; isError: boolean; error: unknown; refetch?: () => unknown };
  children: () => ReactNode;
  id: string;
  minHeight?: number;
}) {
  const { t } = useTranslation();
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={`${id}-title`} h="100%">
      <Stack gap="sm" h="100%">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2}>
            <Title order={2} size="h4" id={`${id}-title`}>
              {title}
            </Title>
            {description ? (
              <Text size="xs" c="dimmed">
                {description}
              </Text>
            ) : null}
          </Stack>
          {controls}
        </Group>
        {query.isPending ? (
          <Stack gap="xs" mih={minHeight} aria-busy="true">
            <VisuallyHidden role="status">{t('app.loading')}</VisuallyHidden>
            <Skeleton h={minHeight} radius="sm" />
          </Stack>
        ) : query.isError ? (
          <Alert color="red" icon={<IconAlertCircle aria-hidden />} p="xs">
            {describeError(t, query.error)}
          </Alert>
        ) : (
          children()
        )}
      </Stack>
    </Paper>
  );
}

/** A calendar month (`2025-03`) or day (`2025-03-01`) as the locale writes it, never shifted by time zones. */
export function periodLabel(locale: string, value: string, style: 'month' | 'day'): string {
  const d = new Date(`${value.length === 7 ? `${value}-01` : value.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(
    locale,
    style === 'month'
      ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', timeZone: 'UTC' },
  ).format(d);
}
