import {
  Alert,
  Button,
  EmptyState,
  Group,
  Loader,
  NativeSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle, IconChartBar, IconFileUpload, IconPlugConnected } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { useChannelLabel } from '../customers/channels';
import { ClvByChannelCard } from '../predictions/clv-by-channel-card';
import { useCurrentSession } from '../shell/guards';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { usePageTitle } from '../ui/use-page-title';
import { analyticsKeys, useChannels, useKpis, useValueTiers } from './api';
import { AttributionCard, CohortCard, FunnelCard, LifecycleCard, RevenueCard, RfmCard, ValueTiersCard } from './charts';
import { GoalsCard } from './goals-card';
import { KpiTiles } from './kpi-tiles';
import { isDay, PRESETS, type Preset, periodOf, todayIn } from './model';
import { SpendCard } from './spend-card';

/** The dashboard: KPIs against the previous period, revenue, cohorts, funnel, attribution, RFM, lifecycle, goals, spend. */
export function DashboardPage() {
  const { t } = useTranslation();
  usePageTitle(t('analytics.title'));
  const session = useCurrentSession();
  const f = useFormat();
  const channelLabel = useChannelLabel();
  const timeZone = session.workspace?.timezone ?? 'UTC';
  const currency = session.workspace?.currency ?? 'USD';
  const [params, setParams] = useSearchParams();
  const preset: Preset = (PRESETS as readonly string[]).includes(params.get('period') ?? '')
    ? (params.get('period') as Preset)
    : '12m';
  const today = todayIn(timeZone);
  const period = useMemo(
    () => periodOf(preset, today, { from: params.get('from'), to: params.get('to') }),
    [preset, today, params],
  );
  const channel = params.get('channel') || null;
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };

  const kpis = useKpis(period, channel);
  const queryClient = useQueryClient();
  const computedAt = kpis.data?.computedAt;
  // Goals read the same snapshot: when new figures arrive, their progress is new too.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the figures change
  useEffect(() => {
    if (computedAt) void queryClient.invalidateQueries({ queryKey: analyticsKeys.goals });
  }, [computedAt]);
  const channels = useChannels(period);
  const tiers = useValueTiers();
  const noOrdersYet = tiers.data
    ? tiers.data.tiers.every((x) => x.customers === 0) && kpis.data?.kpis.orders.value === 0
    : false;
  const lapsedDays = kpis.data?.churnThresholdDays ?? 180;
  const canImport = useCan('imports', 'write');
  const canConnect = useCan('sources', 'write');

  const customFrom = params.get('from') ?? period.from;
  const customTo = params.get('to') ?? period.to;
  const customInvalid = preset === 'custom' && (!isDay(customFrom) || !isDay(customTo) || customFrom > customTo);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="md">
        <Stack gap={4}>
          <Title order={1} size="h2">
            {t('analytics.title')}
          </Title>
          <Text c="dimmed" size="sm" data-testid="dashboard-period">
            {t('analytics.periodSummary', {
              from: f.date(`${period.from}T12:00:00Z`),
              to: f.date(`${period.to}T12:00:00Z`),
            })}
            {kpis.data
              ? ` · ${t('analytics.comparedWith', {
                  from: f.date(`${kpis.data.previousFrom}T12:00:00Z`),
                  to: f.date(`${kpis.data.previousTo}T12:00:00Z`),
                })}`
              : ''}
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Stack gap={4}>
            <Text size="sm" fw={500} id="period-label">
              {t('analytics.period')}
            </Text>
            <SegmentedControl
              aria-labelledby="period-label"
              value={preset}
              onChange={(v) =>
                set(
                  v === 'custom'
                    ? { period: v, from: period.from, to: period.to }
                    : { period: v, from: null, to: null },
                )
              }
              data={PRESETS.map((p) => ({ value: p, label: t(`analytics.presets.${p}`) }))}
            />
          </Stack>
          {preset === 'custom' ? (
            <>
              <TextInput
                type="date"
                label={t('analytics.from')}
                value={customFrom}
                onChange={(e) => set({ from: e.currentTarget.value })}
                error={customInvalid ? t('analytics.invalidPeriod') : undefined}
                w={160}
              />
              <TextInput
                type="date"
                label={t('analytics.to')}
                value={customTo}
                onChange={(e) => set({ to: e.currentTarget.value })}
                w={160}
              />
            </>
          ) : null}
          <NativeSelect
            label={t('analytics.channel')}
            value={channel ?? ''}
            onChange={(e) => set({ channel: e.currentTarget.value || null })}
            data={[
              { value: '', label: t('analytics.allChannels') },
              ...(channels.data?.items ?? []).map((c) => ({
                value: c.channel,
                label: c.channel === 'unknown' ? t('analytics.unknownChannel') : channelLabel(c.channel),
              })),
              ...(channel && !(channels.data?.items ?? []).some((c) => c.channel === channel)
                ? [{ value: channel, label: channelLabel(channel) }]
                : []),
            ]}
            w={200}
          />
        </Group>
      </Group>

      {kpis.data?.current === false ? (
        <Group gap="xs" role="status" data-testid="kpis-updating">
          <Loader size="xs" aria-hidden />
          <Text size="sm" c="dimmed">
            {kpis.data.source === 'rollup'
              ? t('analytics.updatingRollup', { count: kpis.data.pending ?? 0 })
              : t('analytics.updating', { time: f.dateTime(kpis.data.computedAt) })}
          </Text>
        </Group>
      ) : null}
      {kpis.isError ? (
        <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('analytics.loadError')}>
          {describeError(t, kpis.error)}
        </Alert>
      ) : null}
      {kpis.data?.otherCurrency && kpis.data.otherCurrency.orders > 0 ? (
        <Alert color="yellow" p="xs">
          {t('analytics.otherCurrency', {
            count: kpis.data.otherCurrency.orders,
            currencies: kpis.data.otherCurrency.currencies.join(', '),
            currency: kpis.data.currency,
          })}
        </Alert>
      ) : null}

      {noOrdersYet ? (
        <Paper withBorder radius="md" p="xl">
          <EmptyState variant="light" icon={<IconChartBar size={28} stroke={1.5} aria-hidden />}>
            <EmptyState.Title order={2}>{t('analytics.empty.title')}</EmptyState.Title>
            <EmptyState.Description>{t('analytics.empty.description')}</EmptyState.Description>
            <EmptyState.Actions>
              <Group gap="sm" justify="center">
                {canImport ? (
                  <Button
                    component={RouterLink}
                    to="/imports/new"
                    leftSection={<IconFileUpload size={16} aria-hidden />}
                  >
                    {t('analytics.empty.import')}
                  </Button>
                ) : null}
                {canConnect ? (
                  <Button
                    component={RouterLink}
                    to="/sources"
                    variant="light"
                    leftSection={<IconPlugConnected size={16} aria-hidden />}
                  >
                    {t('analytics.empty.connect')}
                  </Button>
                ) : null}
              </Group>
            </EmptyState.Actions>
          </EmptyState>
        </Paper>
      ) : null}

      <KpiTiles data={kpis.data} loading={kpis.isPending} period={period} channel={channel} />

      {noOrdersYet ? null : (
        <>
          <RevenueCard period={period} />
          <CohortCard period={period} channel={channel} />
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <FunnelCard period={period} />
            <AttributionCard period={period} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <RfmCard />
            <Stack gap="md">
              <LifecycleCard />
              <ValueTiersCard />
            </Stack>
          </SimpleGrid>
          <ClvByChannelCard />
        </>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <GoalsCard currency={kpis.data?.currency ?? currency} timeZone={timeZone} lapsedDays={lapsedDays} />
        <SpendCard period={period} currency={kpis.data?.currency ?? currency} />
      </SimpleGrid>
    </Stack>
  );
}
