import { BarChart } from '@mantine/charts';
import {
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Popover,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  TagsInput,
  Text,
  Tooltip,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { useChannelLabel } from '../customers/channels';
import { newSegmentLink } from '../segments/rules';
import { describeError } from '../ui/errors';
import {
  ATTRIBUTION_MODELS,
  type AttributionModel,
  LIFECYCLE_STAGES,
  type Period,
  RFM_CELLS,
  type RfmCell,
  useAttribution,
  useCohorts,
  useFunnel,
  useLifecycle,
  useRevenue,
  useRfm,
  useSetThresholds,
  useValueTiers,
  VALUE_TIERS,
} from './api';
import {
  heatColors,
  heatLegend,
  heatLevel,
  intervalFor,
  rfmCellOf,
  ruleForChannel,
  ruleForCohortCell,
  ruleForFunnelStep,
  ruleForKpi,
  ruleForRfmCell,
  ruleForStage,
  ruleForTier,
} from './model';
import { CustomersLink, channelColor, DashCard, periodLabel, useKpiFormat } from './parts';

// ── revenue by channel over time ──

export function RevenueCard({ period }: { period: Period }) {
  const { t } = useTranslation();
  const { f } = useKpiFormat();
  const channelLabel = useChannelLabel();
  const interval = intervalFor(period);
  const revenue = useRevenue(period, interval);
  return (
    <DashCard
      id="revenue"
      title={t('analytics.revenue.title')}
      description={t(`analytics.revenue.by.${interval}`)}
      query={revenue}
      minHeight={260}
      controls={<CustomersLink rule={ruleForKpi('customers', period, null, 0)} name={t('analytics.revenue.title')} />}
    >
      {() => {
        const data = revenue.data;
        if (!data) return null;
        const channels = [...new Set(data.series.map((s) => s.channel))];
        const periods = [...new Set(data.series.map((s) => s.period))].sort();
        const rows = periods.map((p) => {
          const row: Record<string, string | number> = {
            label: periodLabel(
              f.locale,
              interval === 'month' ? p.slice(0, 7) : p,
              interval === 'month' ? 'month' : 'day',
            ),
          };
          for (const ch of channels) row[ch] = 0;
          for (const s of data.series) if (s.period === p) row[s.channel] = (Number(row[s.channel]) || 0) + s.revenue;
          return row;
        });
        const totals = channels
          .map((ch) => ({ ch, total: data.series.filter((s) => s.channel === ch).reduce((n, s) => n + s.revenue, 0) }))
          .sort((a, b) => b.total - a.total);
        if (rows.length === 0)
          return (
            <Text size="sm" c="dimmed">
              {t('analytics.revenue.none')}
            </Text>
          );
        const money = (v: number) => f.money(v, data.currency);
        return (
          <Stack gap="xs">
            <Box
              role="img"
              aria-label={t('analytics.revenue.chartLabel', { total: money(totals.reduce((n, x) => n + x.total, 0)) })}
            >
              <BarChart
                h={260}
                data={rows}
                dataKey="label"
                type="stacked"
                series={channels.map((ch) => ({ name: ch, label: channelLabel(ch), color: channelColor(ch) }))}
                valueFormatter={money}
                withLegend={false}
                tickLine="y"
                gridAxis="y"
                yAxisProps={{ width: 80 }}
              />
            </Box>
            <Group gap="md" role="list" aria-label={t('analytics.revenue.legend')}>
              {totals.map(({ ch, total }) => (
                <Group gap={6} key={ch} role="listitem" wrap="nowrap">
                  <Box
                    w={10}
                    h={10}
                    style={{
                      borderRadius: 2,
                      background: `var(--mantine-color-${channelColor(ch).replace('.', '-')})`,
                    }}
                  />
                  <Text size="xs">
                    {channelLabel(ch)}: <b>{money(total)}</b>
                  </Text>
                </Group>
              ))}
            </Group>
          </Stack>
        );
      }}
    </DashCard>
  );
}

// ── cohorts ──

export function CohortCard({ period, channel }: { period: Period; channel: string | null }) {
  const { t } = useTranslation();
  const { f, percent } = useKpiFormat();
  const cohorts = useCohorts(period, channel);
  return (
    <DashCard
      id="cohorts"
      title={t('analytics.cohorts.title')}
      description={t('analytics.cohorts.description')}
      query={cohorts}
      minHeight={220}
    >
      {() => {
        const data = cohorts.data;
        if (!data || data.cohorts.length === 0)
          return (
            <Text size="sm" c="dimmed">
              {t('analytics.cohorts.none')}
            </Text>
          );
        const maxOffset = Math.max(0, ...data.cohorts.flatMap((c) => c.periods.map((p) => p.offset)));
        const offsets = Array.from({ length: maxOffset + 1 }, (_, i) => i);
        return (
          <Stack gap="sm">
            <Table.ScrollContainer minWidth={Math.min(1200, 160 + offsets.length * 56)}>
              <Table
                withRowBorders={false}
                verticalSpacing={2}
                horizontalSpacing={2}
                aria-label={t('analytics.cohorts.tableLabel')}
                data-testid="cohort-table"
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('analytics.cohorts.cohort')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.cohorts.size')}</Table.Th>
                    {offsets.map((o) => (
                      <Table.Th key={o} ta="center" fz="xs">
                        {t('analytics.cohorts.month', { count: o })}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.cohorts.map((c) => {
                    const label = periodLabel(f.locale, c.cohort, 'month');
                    return (
                      <Table.Tr key={c.cohort}>
                        <Table.Th scope="row" fz="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
                          {label}
                        </Table.Th>
                        <Table.Td ta="right" fz="sm">
                          {f.number(c.size)}
                        </Table.Td>
                        {offsets.map((o) => {
                          const cell = c.periods.find((p) => p.offset === o);
                          if (!cell) return <Table.Td key={o} />;
                          const colors = heatColors(heatLevel(cell.retention));
                          const text = percent(cell.retention, 0);
                          const description = t('analytics.cohorts.cell', {
                            cohort: label,
                            count: o,
                            retention: text,
                            customers: f.number(cell.customers),
                            size: f.number(c.size),
                            revenue: f.money(cell.revenue, data.currency),
                          });
                          return (
                            <Table.Td key={o} p={0}>
                              <Tooltip label={description} openDelay={200} multiline w={240}>
                                <Anchor
                                  component={RouterLink}
                                  to={newSegmentLink(ruleForCohortCell(c.cohort, o, channel), description)}
                                  aria-label={description}
                                  underline="never"
                                  display="block"
                                  ta="center"
                                  fz="xs"
                                  fw={500}
                                  py={6}
                                  miw={48}
                                  style={{ ...colors, borderRadius: 4 }}
                                >
                                  {text}
                                </Anchor>
                              </Tooltip>
                            </Table.Td>
                          );
                        })}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group gap={4} align="center" aria-label={t('analytics.cohorts.legend')} role="group">
              <Text size="xs" c="dimmed" mr={4}>
                {t('analytics.cohorts.legend')}
              </Text>
              {heatLegend().map((b) => (
                <Group key={b.level} gap={4} wrap="nowrap" mr={6}>
                  <Box
                    w={18}
                    h={12}
                    style={{
                      ...heatColors(b.level),
                      borderRadius: 2,
                      border: '1px solid var(--mantine-color-default-border)',
                    }}
                  />
                  <Text size="xs">
                    {b.to === null
                      ? t('analytics.cohorts.atLeast', { value: percent(b.from, 0) })
                      : t('analytics.cohorts.range', { from: percent(b.from, 0), to: percent(b.to, 0) })}
                  </Text>
                </Group>
              ))}
            </Group>
          </Stack>
        );
      }}
    </DashCard>
  );
}

// ── funnel ──

const DEFAULT_STEPS = ['Product Viewed', 'Product Added', 'Order Completed'];

export function FunnelCard({ period }: { period: Period }) {
  const { t } = useTranslation();
  const { f, percent } = useKpiFormat();
  const [steps, setSteps] = useState<string[]>(DEFAULT_STEPS);
  const [windowDays, setWindowDays] = useState<number>(7);
  const funnel = useFunnel(period, steps, windowDays);
  const tooFew = steps.length < 2;
  return (
    <DashCard
      id="funnel"
      title={t('analytics.funnel.title')}
      description={t('analytics.funnel.description')}
      query={tooFew ? { isPending: false, isError: false, error: null } : funnel}
      controls={
        <Group gap="xs" align="flex-end">
          <TagsInput
            size="xs"
            label={t('analytics.funnel.steps')}
            description={t('analytics.funnel.stepsHint')}
            value={steps}
            onChange={(v) => setSteps(v.slice(0, 10))}
            data={[
              'Page Viewed',
              'Product Viewed',
              'Product Added',
              'Checkout Started',
              'Order Completed',
              'Signed Up',
            ]}
            w={320}
          />
          <NumberInput
            size="xs"
            label={t('analytics.funnel.window')}
            value={windowDays}
            min={1}
            max={365}
            allowDecimal={false}
            onChange={(v) => typeof v === 'number' && v >= 1 && setWindowDays(v)}
            w={110}
          />
        </Group>
      }
    >
      {() => {
        if (tooFew)
          return (
            <Text size="sm" c="dimmed">
              {t('analytics.funnel.tooFew')}
            </Text>
          );
        const data = funnel.data;
        if (!data) return null;
        const first = data.steps[0]?.customers ?? 0;
        return (
          <Stack
            gap="sm"
            component="ol"
            p={0}
            m={0}
            style={{ listStyle: 'none' }}
            aria-label={t('analytics.funnel.title')}
          >
            {data.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a funnel may repeat an event; steps are positional
              <li key={`${s.event}-${i}`} data-testid="funnel-step">
                <Group justify="space-between" gap="xs" wrap="nowrap">
                  <Text size="sm" fw={500} truncate="end">
                    {i + 1}. {s.event}
                  </Text>
                  <Group gap="sm" wrap="nowrap">
                    <Text size="sm" fw={600}>
                      {t('analytics.funnel.customers', { count: s.customers, formatted: f.number(s.customers) })}
                    </Text>
                    <CustomersLink rule={ruleForFunnelStep(steps, i, period)} name={s.event} />
                  </Group>
                </Group>
                <Progress
                  value={first > 0 ? (s.customers / first) * 100 : 0}
                  size="lg"
                  radius="sm"
                  mt={4}
                  aria-label={t('analytics.funnel.barLabel', { step: s.event, value: percent(s.fromStart) })}
                />
                {i > 0 ? (
                  <Text size="xs" c="dimmed" mt={2}>
                    {t('analytics.funnel.conversion', {
                      fromPrevious: percent(s.fromPrevious),
                      fromStart: percent(s.fromStart),
                    })}
                  </Text>
                ) : null}
              </li>
            ))}
          </Stack>
        );
      }}
    </DashCard>
  );
}

// ── attribution ──

export function AttributionCard({ period }: { period: Period }) {
  const { t } = useTranslation();
  const { f, percent } = useKpiFormat();
  const channelLabel = useChannelLabel();
  const [model, setModel] = useState<AttributionModel>('last_touch');
  const [lookback, setLookback] = useState(30);
  const attribution = useAttribution(period, model, lookback);
  return (
    <DashCard
      id="attribution"
      title={t('analytics.attribution.title')}
      description={t(`analytics.attribution.models.${model}.hint`)}
      query={attribution}
      minHeight={200}
      controls={
        <Group gap="xs" align="flex-end">
          <NativeSelect
            size="xs"
            label={t('analytics.attribution.model')}
            value={model}
            onChange={(e) => setModel(e.currentTarget.value as AttributionModel)}
            data={ATTRIBUTION_MODELS.map((m) => ({ value: m, label: t(`analytics.attribution.models.${m}.name`) }))}
            w={170}
          />
          <NumberInput
            size="xs"
            label={t('analytics.attribution.lookback')}
            value={lookback}
            min={1}
            max={365}
            allowDecimal={false}
            onChange={(v) => typeof v === 'number' && v >= 1 && setLookback(v)}
            w={110}
          />
        </Group>
      }
    >
      {() => {
        const data = attribution.data;
        if (!data) return null;
        if (data.channels.length === 0)
          return (
            <Text size="sm" c="dimmed">
              {t('analytics.attribution.none')}
            </Text>
          );
        const money = (v: number) => f.money(v, data.currency);
        return (
          <Stack gap="xs">
            <Text size="sm">
              {t('analytics.attribution.summary', {
                attributed: money(data.attributedRevenue),
                total: money(data.orderRevenue),
              })}
            </Text>
            <Box role="img" aria-label={t('analytics.attribution.chartLabel')}>
              <BarChart
                h={Math.max(120, data.channels.length * 36)}
                data={data.channels.map((c) => ({ channel: channelLabel(c.channel), revenue: c.revenue }))}
                dataKey="channel"
                orientation="vertical"
                series={[{ name: 'revenue', label: t('analytics.attribution.revenue'), color: 'blue.6' }]}
                valueFormatter={money}
                yAxisProps={{ width: 110 }}
                gridAxis="x"
              />
            </Box>
            <Table verticalSpacing={4} fz="sm" aria-label={t('analytics.attribution.tableLabel')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('analytics.attribution.channel')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.attribution.revenue')}</Table.Th>
                  <Table.Th ta="right">{t('analytics.attribution.share')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.channels.map((c) => (
                  <Table.Tr key={c.channel}>
                    <Table.Td>{channelLabel(c.channel)}</Table.Td>
                    <Table.Td ta="right">{money(c.revenue)}</Table.Td>
                    <Table.Td ta="right">{percent(c.share)}</Table.Td>
                    <Table.Td ta="right">
                      <CustomersLink rule={ruleForChannel(c.channel, period)} name={channelLabel(c.channel)} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        );
      }}
    </DashCard>
  );
}

// ── RFM ──

/** A colour per named RFM cell (Mantine's light variants follow the colour scheme). */
const RFM_COLORS: Record<RfmCell, string> = {
  champions: 'teal',
  loyal: 'green',
  potential_loyalists: 'lime',
  new: 'cyan',
  promising: 'blue',
  need_attention: 'yellow',
  about_to_sleep: 'orange',
  at_risk: 'red',
  cant_lose: 'pink',
  hibernating: 'gray',
  lost: 'dark',
};
const rfmStyle = (cell: RfmCell) => ({
  background: `var(--mantine-color-${RFM_COLORS[cell]}-light)`,
  color: `var(--mantine-color-${RFM_COLORS[cell]}-light-color)`,
});

export function RfmCard() {
  const { t } = useTranslation();
  const { f } = useKpiFormat();
  const rfm = useRfm();
  return (
    <DashCard
      id="rfm"
      title={t('analytics.rfm.title')}
      description={t('analytics.rfm.description')}
      query={rfm}
      minHeight={240}
    >
      {() => {
        const data = rfm.data;
        if (!data) return null;
        const byCell = new Map(data.cells.map((c) => [c.key, c]));
        const count = (r: number, fr: number) => data.grid.find((g) => g.r === r && g.f === fr)?.customers ?? 0;
        return (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <Stack gap={4}>
              <Table
                withRowBorders={false}
                verticalSpacing={2}
                horizontalSpacing={2}
                aria-label={t('analytics.rfm.gridLabel')}
                data-testid="rfm-grid"
                style={{ borderCollapse: 'separate', borderSpacing: 3 }}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th fz="xs" c="dimmed" ta="center">
                      {t('analytics.rfm.rf')}
                    </Table.Th>
                    {[1, 2, 3, 4, 5].map((fr) => (
                      <Table.Th key={fr} fz="xs" c="dimmed" ta="center">
                        {t('analytics.rfm.f', { score: fr })}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[5, 4, 3, 2, 1].map((r) => (
                    <Table.Tr key={r}>
                      <Table.Th scope="row" fz="xs" c="dimmed">
                        {t('analytics.rfm.r', { score: r })}
                      </Table.Th>
                      {[1, 2, 3, 4, 5].map((fr) => {
                        const cell = rfmCellOf(r, fr);
                        const n = count(r, fr);
                        const name = t(`analytics.rfm.cells.${cell}.name`);
                        const label = t('analytics.rfm.cellLabel', {
                          r,
                          f: fr,
                          cell: name,
                          count: n,
                          formatted: f.number(n),
                        });
                        // The link names the cell: its customers are the whole cell's (R, F alone is not a rule).
                        return (
                          <Table.Td key={fr} p={0} style={{ ...rfmStyle(cell), borderRadius: 4 }}>
                            <Anchor
                              component={RouterLink}
                              to={newSegmentLink(ruleForRfmCell(cell), name)}
                              title={label}
                              aria-label={label}
                              underline="never"
                              display="block"
                              ta="center"
                              py={8}
                              c="inherit"
                              data-testid={`rfm-cell-${r}-${fr}`}
                              style={{ fontSize: 12, fontWeight: 600 }}
                            >
                              {f.number(n)}
                              <VisuallyHidden> {name}</VisuallyHidden>
                            </Anchor>
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed">
                {t('analytics.rfm.axes')}
              </Text>
            </Stack>
            <Stack
              gap={4}
              component="ul"
              p={0}
              m={0}
              style={{ listStyle: 'none' }}
              aria-label={t('analytics.rfm.cellsLabel')}
            >
              {RFM_CELLS.map((key) => {
                const c = byCell.get(key);
                return (
                  <li key={key}>
                    <Group justify="space-between" gap="xs" wrap="nowrap">
                      <Tooltip label={t(`analytics.rfm.cells.${key}.hint`)} multiline w={260} openDelay={300}>
                        <Badge variant="light" color={RFM_COLORS[key]} tt="none" tabIndex={0}>
                          {t(`analytics.rfm.cells.${key}.name`)}
                        </Badge>
                      </Tooltip>
                      <Group gap="xs" wrap="nowrap" justify="flex-end">
                        <Text size="xs" ta="right">
                          {t('analytics.rfm.cellSummary', {
                            customers: f.number(c?.customers ?? 0),
                            revenue: f.money(c?.revenue ?? 0, data.currency),
                          })}
                        </Text>
                        <CustomersLink rule={ruleForRfmCell(key)} name={t(`analytics.rfm.cells.${key}.name`)} />
                      </Group>
                    </Group>
                  </li>
                );
              })}
            </Stack>
          </SimpleGrid>
        );
      }}
    </DashCard>
  );
}

// ── lifecycle ──

export function LifecycleCard() {
  const { t } = useTranslation();
  const { f } = useKpiFormat();
  const lifecycle = useLifecycle();
  const canWrite = useCan('analytics', 'write');
  return (
    <DashCard
      id="lifecycle"
      title={t('analytics.lifecycle.title')}
      description={
        lifecycle.data
          ? t(lifecycle.data.thresholds.derived ? 'analytics.lifecycle.derived' : 'analytics.lifecycle.manual', {
              active: lifecycle.data.thresholds.activeDays,
              atRisk: lifecycle.data.thresholds.atRiskDays,
              lapsed: lifecycle.data.thresholds.lapsedDays,
            })
          : undefined
      }
      controls={canWrite && lifecycle.data ? <ThresholdsEditor thresholds={lifecycle.data.thresholds} /> : null}
      query={lifecycle}
    >
      {() => {
        const data = lifecycle.data;
        if (!data) return null;
        const total = data.stages.reduce((n, s) => n + s.customers, 0);
        const flow = LIFECYCLE_STAGES.filter((s) => s !== 'won_back');
        const stageBox = (stage: (typeof LIFECYCLE_STAGES)[number]): ReactNode => {
          const n = data.stages.find((s) => s.stage === stage)?.customers ?? 0;
          return (
            <UnstyledButton
              component={RouterLink}
              to={newSegmentLink(ruleForStage(stage), t(`analytics.lifecycle.stages.${stage}`))}
              aria-label={t('analytics.lifecycle.stageLabel', {
                stage: t(`analytics.lifecycle.stages.${stage}`),
                count: n,
                formatted: f.number(n),
              })}
              p="xs"
              style={{
                border: '1px solid var(--mantine-color-default-border)',
                borderRadius: 8,
                minWidth: 96,
                flex: 1,
              }}
              data-testid={`stage-${stage}`}
            >
              <Text size="xs" c="dimmed">
                {t(`analytics.lifecycle.stages.${stage}`)}
              </Text>
              <Text fw={700} fz="lg">
                {f.number(n)}
              </Text>
              <Text size="xs" c="dimmed">
                {total > 0 ? f.number(n / total, { style: 'percent', maximumFractionDigits: 0 }) : '—'}
              </Text>
            </UnstyledButton>
          );
        };
        return (
          <Stack gap="xs">
            <Group gap={4} wrap="wrap" align="center">
              {flow.map((stage, i) => (
                <Group key={stage} gap={4} wrap="nowrap" style={{ flex: 1 }}>
                  {stageBox(stage)}
                  {i < flow.length - 1 ? <IconArrowRight size={14} aria-hidden /> : null}
                </Group>
              ))}
            </Group>
            <Group gap={4} wrap="nowrap" maw={260}>
              {stageBox('won_back')}
              <Text size="xs" c="dimmed">
                {t('analytics.lifecycle.wonBackHint')}
              </Text>
            </Group>
          </Stack>
        );
      }}
    </DashCard>
  );
}

function ThresholdsEditor({
  thresholds,
}: {
  thresholds: { activeDays: number; atRiskDays: number; lapsedDays: number; derived: boolean };
}) {
  const { t } = useTranslation();
  const save = useSetThresholds();
  const [opened, setOpened] = useState(false);
  const [values, setValues] = useState(thresholds);
  const [error, setError] = useState<string | null>(null);
  const submit = async (body: Parameters<typeof save.mutateAsync>[0]) => {
    setError(null);
    try {
      await save.mutateAsync(body);
      setOpened(false);
    } catch (e) {
      setError(describeError(t, e));
    }
  };
  const field = (k: 'activeDays' | 'atRiskDays' | 'lapsedDays') => (
    <NumberInput
      size="xs"
      label={t(`analytics.lifecycle.thresholds.${k}`)}
      value={values[k]}
      min={1}
      max={3650}
      allowDecimal={false}
      onChange={(v) => typeof v === 'number' && setValues({ ...values, [k]: v })}
    />
  );
  return (
    <Popover opened={opened} onChange={setOpened} trapFocus position="bottom-end" withinPortal shadow="md">
      <Popover.Target>
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            setValues(thresholds);
            setOpened((o) => !o);
          }}
        >
          {t('analytics.lifecycle.adjust')}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={240}>
          {field('activeDays')}
          {field('atRiskDays')}
          {field('lapsedDays')}
          {error ? (
            <Text size="xs" c="red" role="alert">
              {error}
            </Text>
          ) : null}
          <Group gap="xs">
            <Button
              size="xs"
              loading={save.isPending}
              onClick={() =>
                void submit({
                  activeDays: values.activeDays,
                  atRiskDays: values.atRiskDays,
                  lapsedDays: values.lapsedDays,
                })
              }
            >
              {t('analytics.lifecycle.save')}
            </Button>
            <Button size="xs" variant="subtle" onClick={() => void submit({ derived: true })}>
              {t('analytics.lifecycle.derive')}
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

// ── value tiers ──

export function ValueTiersCard() {
  const { t } = useTranslation();
  const { f, percent } = useKpiFormat();
  const tiers = useValueTiers();
  return (
    <DashCard
      id="tiers"
      title={t('analytics.tiers.title')}
      description={t('analytics.tiers.description')}
      query={tiers}
    >
      {() => {
        const data = tiers.data;
        if (!data) return null;
        const total = data.tiers.reduce((n, x) => n + x.revenue, 0);
        return (
          <Table verticalSpacing={6} fz="sm" aria-label={t('analytics.tiers.title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('analytics.tiers.tier')}</Table.Th>
                <Table.Th ta="right">{t('analytics.tiers.customers')}</Table.Th>
                <Table.Th ta="right">{t('analytics.tiers.revenue')}</Table.Th>
                <Table.Th>{t('analytics.tiers.share')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {VALUE_TIERS.map((tier) => {
                const x = data.tiers.find((y) => y.tier === tier);
                const share = total > 0 && x ? x.revenue / total : 0;
                return (
                  <Table.Tr key={tier}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {t(`analytics.tiers.names.${tier}`)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {x?.minRevenue !== null && x?.minRevenue !== undefined
                          ? t('analytics.tiers.from', { value: f.money(x.minRevenue, data.currency) })
                          : t(`analytics.tiers.hints.${tier}`)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">{f.number(x?.customers ?? 0)}</Table.Td>
                    <Table.Td ta="right">{f.money(x?.revenue ?? 0, data.currency)}</Table.Td>
                    <Table.Td miw={100}>
                      <Progress
                        value={share * 100}
                        size="sm"
                        aria-label={t('analytics.tiers.shareLabel', { value: percent(share) })}
                      />
                      <Text size="xs" c="dimmed">
                        {percent(share)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <CustomersLink rule={ruleForTier(tier, data.tiers)} name={t(`analytics.tiers.names.${tier}`)} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        );
      }}
    </DashCard>
  );
}
