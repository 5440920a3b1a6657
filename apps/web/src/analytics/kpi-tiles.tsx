import { Group, Paper, SimpleGrid, Skeleton, Stack, Text, Tooltip } from '@mantine/core';
import { IconArrowDownRight, IconArrowUpRight, IconMinus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { KPI_KEYS, type KpiKey, type KpiSet, type Period } from './api';
import { ruleForKpi, trendOf } from './model';
import { CustomersLink, useKpiFormat } from './parts';

/** One tile per KPI: the value, the change against the previous period, and the customers behind it. */
export function KpiTiles({
  data,
  loading,
  period,
  channel,
}: {
  data: KpiSet | undefined;
  loading: boolean;
  period: Period;
  channel: string | null;
}) {
  const { t } = useTranslation();
  return (
    <SimpleGrid
      component="ul"
      cols={{ base: 1, xs: 2, md: 3, lg: 4 }}
      spacing="sm"
      aria-label={t('analytics.kpis.title')}
      p={0}
      m={0}
      style={{ listStyle: 'none' }}
    >
      {KPI_KEYS.map((key) => (
        <li key={key}>
          {data && !loading ? (
            <KpiTile kpiKey={key} data={data} period={period} channel={channel} />
          ) : (
            <Paper withBorder radius="md" p="md" h={128} aria-hidden>
              <Skeleton h={12} w="50%" mb="sm" />
              <Skeleton h={26} w="70%" mb="sm" />
              <Skeleton h={10} w="40%" />
            </Paper>
          )}
        </li>
      ))}
    </SimpleGrid>
  );
}

function KpiTile({
  kpiKey,
  data,
  period,
  channel,
}: {
  kpiKey: KpiKey;
  data: KpiSet;
  period: Period;
  channel: string | null;
}) {
  const { t } = useTranslation();
  const { f, kpi } = useKpiFormat();
  const item = data.kpis[kpiKey];
  if (!item) return null;
  const label = t(`analytics.kpis.names.${kpiKey}`);
  const value = kpi(item.unit, item.value, data.currency);
  const { trend, good } = trendOf(kpiKey, item.change);
  // Teal for good news, red for bad (a darker shade in light mode, a lighter one in dark: 4.5:1 both).
  const tone = good === null ? 'kith-neutral' : good ? 'kith-good' : 'kith-bad';
  const Icon = trend === 'up' ? IconArrowUpRight : trend === 'down' ? IconArrowDownRight : IconMinus;
  const change =
    item.change === null ? null : f.number(Math.abs(item.change), { style: 'percent', maximumFractionDigits: 1 });
  const changeText =
    trend === 'none'
      ? t('analytics.kpis.noPrevious')
      : trend === 'flat'
        ? t('analytics.kpis.flat')
        : t(`analytics.kpis.${trend}`, { change });
  const lapsed = data.churnThresholdDays ?? 180;
  return (
    <Paper withBorder radius="md" p="md" h="100%" data-testid={`kpi-${kpiKey}`}>
      <Stack gap={4}>
        <Tooltip label={t(`analytics.kpis.hints.${kpiKey}`)} multiline w={260} openDelay={300}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600} w="fit-content" tabIndex={0}>
            {label}
          </Text>
        </Tooltip>
        <Text fz={26} fw={700} lh={1.2} data-testid="kpi-value">
          {value}
        </Text>
        <Group gap={4} wrap="nowrap">
          {trend === 'none' ? null : <Icon size={16} className={tone} aria-hidden />}
          <Text size="xs" className={tone} fw={500} data-testid="kpi-change" data-tone={tone}>
            {changeText}
          </Text>
        </Group>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed">
            {t('analytics.kpis.previous', { value: kpi(item.unit, item.previous, data.currency) })}
          </Text>
          <CustomersLink rule={ruleForKpi(kpiKey, period, channel, lapsed)} name={label} />
        </Group>
      </Stack>
    </Paper>
  );
}
