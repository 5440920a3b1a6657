import { BarChart, LineChart } from '@mantine/charts';
import {
  Alert,
  Badge,
  Box,
  Button,
  Group,
  List,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { todayIn } from '../analytics/model';
import { useChannelLabel } from '../customers/channels';
import { useCurrentSession } from '../shell/guards';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import {
  type ChurnModel,
  type ClvModel,
  type FairnessGroup,
  type FairnessModel,
  type ModelWarning,
  type TimeUnit,
  useFairness,
  useFitClv,
} from './api';
import {
  aucLevel,
  bucketRows,
  CLV_PARAMETERS,
  calibrationEndIssue,
  compareWithBaseline,
  FIT_COLORS,
  fairnessRows,
  flaggedCount,
  isKnownWarning,
  readClv,
  topFeatures,
  trackingRows,
} from './model';

/** A titled section of the predictions page. */
function Card({
  id,
  title,
  description,
  badges,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  badges?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={`${id}-title`}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2} maw={760}>
            <Title order={2} size="h4" id={`${id}-title`}>
              {title}
            </Title>
            {description ? (
              <Text size="sm" c="dimmed">
                {description}
              </Text>
            ) : null}
          </Stack>
          {badges ? <Group gap="xs">{badges}</Group> : null}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="lg" fw={600} m={0} mt={2} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/** A model's warnings, in plain words. */
function Warnings({ warnings, testId }: { warnings: ModelWarning[]; testId: string }) {
  const { t } = useTranslation();
  if (warnings.length === 0) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={t('predictions.warnings.title')}
      data-testid={testId}
    >
      <List size="sm" spacing={4}>
        {warnings.map((w, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a code may repeat with other params
          <List.Item key={`${w.code}-${i}`}>
            {isKnownWarning(w)
              ? t(`predictions.warnings.${w.code}`, w.params ?? {})
              : t('predictions.warnings.unknown', { code: w.code })}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

// ── CLV ──

export function ClvCard({ clv }: { clv: ClvModel | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!clv)
    return (
      <Card id="clv" title={t('predictions.clv.title')} description={t('predictions.clv.description')}>
        <Text size="sm" c="dimmed">
          {t('predictions.notFitted')}
        </Text>
      </Card>
    );
  const day = (d: string) => f.date(d.length === 10 ? `${d}T12:00:00Z` : d);
  const percent = (v: number, digits = 0) => f.number(v, { style: 'percent', maximumFractionDigits: digits });
  const money = (v: number) => f.money(v, clv.currency);
  const sig = (v: number) => f.number(v, { maximumSignificantDigits: 4 });
  const reading = readClv(clv);
  const unit = t(`predictions.clv.units.${clv.timeUnit}`);
  const d = clv.diagnostics;
  return (
    <Card
      id="clv"
      title={t('predictions.clv.title')}
      description={t('predictions.clv.description')}
      badges={
        <>
          <Badge color={FIT_COLORS[d.fitQuality]} variant="light" data-testid="clv-fit-quality">
            {t(`predictions.clv.fit.${d.fitQuality}`)}
          </Badge>
          <Badge color={clv.converged ? 'gray' : 'orange'} variant="outline" tt="none">
            {clv.converged ? t('predictions.clv.converged') : t('predictions.clv.notConverged')}
          </Badge>
        </>
      }
    >
      <Text size="sm" c="dimmed">
        {t('predictions.version', { version: clv.version, date: f.dateTime(clv.fittedAt) })} ·{' '}
        {clv.holdoutEnd
          ? t('predictions.clv.periodHoldout', {
              from: day(clv.calibrationStart),
              to: day(clv.calibrationEnd),
              holdoutEnd: day(clv.holdoutEnd),
            })
          : t('predictions.clv.periodNoHoldout', { from: day(clv.calibrationStart), to: day(clv.calibrationEnd) })}
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="md" component="dl" m={0}>
        <Figure label={t('predictions.clv.customers')} value={f.number(clv.customers)} />
        <Figure label={t('predictions.clv.repeatCustomers')} value={f.number(clv.repeatCustomers)} />
        <Figure label={t('predictions.clv.meanClv')} value={money(clv.summary.meanClv)} testId="clv-mean" />
        <Figure label={t('predictions.clv.totalClv')} value={money(clv.summary.totalClv)} testId="clv-total" />
        <Figure label={t('predictions.clv.meanPAlive')} value={percent(clv.summary.meanPAlive)} />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('predictions.clv.horizon', {
          count: clv.horizonMonths,
          rate: percent(clv.discountRateMonthly, 2),
        })}
        {d.error !== null ? ` · ${t('predictions.clv.fitError', { error: sig(d.error) })}` : ''}
      </Text>
      <Warnings warnings={d.warnings} testId="clv-warnings" />

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <BucketsChart clv={clv} />
        <TrackingChart clv={clv} unit={unit} />
      </SimpleGrid>

      <Stack gap="xs">
        <Title order={3} size="h5">
          {t('predictions.clv.parameters')}
        </Title>
        <List size="sm" spacing={2} data-testid="clv-reading">
          {reading.purchaseRate !== null ? (
            <List.Item>
              {t('predictions.clv.reading.rate', {
                rate: f.number(reading.purchaseRate, { maximumFractionDigits: 3 }),
                unit,
              })}
            </List.Item>
          ) : null}
          {reading.dropout !== null ? (
            <List.Item>{t('predictions.clv.reading.dropout', { percent: percent(reading.dropout) })}</List.Item>
          ) : null}
          {reading.orderValue !== null ? (
            <List.Item>{t('predictions.clv.reading.orderValue', { money: money(reading.orderValue) })}</List.Item>
          ) : null}
        </List>
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" data-testid="clv-parameters">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={90}>{t('predictions.clv.parameter')}</Table.Th>
                <Table.Th w={120} ta="right">
                  {t('predictions.clv.value')}
                </Table.Th>
                <Table.Th>{t('predictions.clv.meaning')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {CLV_PARAMETERS.map((p) => {
                const value = clv[p];
                return (
                  <Table.Tr key={p}>
                    <Table.Th scope="row" fw={600} ff="monospace">
                      {PARAMETER_SYMBOLS[p]}
                    </Table.Th>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {value === null ? '—' : sig(value)}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t(`predictions.clv.params.${p}`)}</Text>
                      {value === null ? (
                        <Text size="xs" c="dimmed">
                          {t('predictions.clv.notEstimated')}
                        </Text>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              <Table.Tr>
                <Table.Th scope="row" colSpan={1}>
                  <Tooltip label={t('predictions.clv.logLikelihoodHint')} multiline w={280}>
                    <Group gap={4} wrap="nowrap" component="span" tabIndex={0}>
                      {t('predictions.clv.logLikelihood')}
                      <IconInfoCircle size={14} aria-hidden />
                    </Group>
                  </Tooltip>
                </Table.Th>
                <Table.Td ta="right" data-testid="clv-log-likelihood">
                  {sig(clv.logLikelihood)}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {t('predictions.clv.logLikelihoodHint')}
                  </Text>
                </Table.Td>
              </Table.Tr>
              {clv.gammaGammaLogLikelihood !== null ? (
                <Table.Tr>
                  <Table.Th scope="row">{t('predictions.clv.spendLogLikelihood')}</Table.Th>
                  <Table.Td ta="right">{sig(clv.gammaGammaLogLikelihood)}</Table.Td>
                  <Table.Td />
                </Table.Tr>
              ) : null}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  );
}

const PARAMETER_SYMBOLS = { r: 'r', alpha: 'α', a: 'a', b: 'b', p: 'p', q: 'q', gamma: 'γ' } as const;

function BucketsChart({ clv }: { clv: ClvModel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const rows = bucketRows(clv.diagnostics.buckets);
  const value = (v: number) => f.number(v, { maximumFractionDigits: 1 });
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        {t('predictions.clv.buckets.title')}
      </Title>
      <Text size="xs" c="dimmed">
        {t('predictions.clv.buckets.description')}
      </Text>
      {rows.length === 0 || !clv.holdoutEnd ? (
        <Text size="sm" c="dimmed">
          {t('predictions.clv.buckets.none')}
        </Text>
      ) : (
        <Box
          role="img"
          aria-label={t('predictions.clv.buckets.chartLabel', { count: rows.length })}
          data-testid="clv-buckets-chart"
        >
          <BarChart
            h={240}
            data={rows}
            dataKey="frequency"
            series={[
              { name: 'predicted', label: t('predictions.clv.buckets.predicted'), color: 'blue.6' },
              { name: 'actual', label: t('predictions.clv.buckets.actual'), color: 'gray.6' },
            ]}
            valueFormatter={value}
            withLegend
            tickLine="y"
            gridAxis="y"
            xAxisLabel={t('predictions.clv.buckets.frequency')}
          />
        </Box>
      )}
    </Stack>
  );
}

function TrackingChart({ clv, unit }: { clv: ClvModel; unit: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const rows = trackingRows(clv.diagnostics.tracking);
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        {t('predictions.clv.tracking.title')}
      </Title>
      <Text size="xs" c="dimmed">
        {t('predictions.clv.tracking.description', { unit })}
      </Text>
      {rows.length < 2 ? (
        <Text size="sm" c="dimmed">
          {t('predictions.clv.tracking.none')}
        </Text>
      ) : (
        <Box
          role="img"
          aria-label={t('predictions.clv.tracking.chartLabel', { count: rows.length })}
          data-testid="clv-tracking-chart"
        >
          <LineChart
            h={240}
            data={rows}
            dataKey="period"
            series={[
              { name: 'actual', label: t('predictions.clv.tracking.actual'), color: 'gray.7' },
              {
                name: 'predicted',
                label: t('predictions.clv.tracking.predicted'),
                color: 'blue.6',
                strokeDasharray: '6 4',
              },
            ]}
            valueFormatter={(v) => f.number(v, { maximumFractionDigits: 0 })}
            withLegend
            withDots={false}
            curveType="linear"
            gridAxis="y"
            xAxisLabel={t('predictions.clv.tracking.period')}
          />
        </Box>
      )}
    </Stack>
  );
}

// ── churn ──

export function ChurnCard({ churn }: { churn: ChurnModel | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!churn)
    return (
      <Card id="churn" title={t('predictions.churn.title')}>
        <Text size="sm" c="dimmed">
          {t('predictions.notFitted')}
        </Text>
      </Card>
    );
  const auc = (v: number | null) =>
    v === null ? '—' : f.number(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const comparison = compareWithBaseline(churn.auc, churn.baselineAuc);
  const level = aucLevel(churn.auc);
  const features = topFeatures(churn.features, 10);
  return (
    <Card
      id="churn"
      title={t('predictions.churn.title')}
      description={t('predictions.churn.description', { count: churn.horizonDays })}
      badges={
        level ? (
          <Badge
            color={level === 'strong' || level === 'useful' ? 'green' : level === 'weak' ? 'yellow' : 'red'}
            variant="light"
          >
            {t(`predictions.churn.levels.${level}`)}
          </Badge>
        ) : null
      }
    >
      <Text size="sm" c="dimmed">
        {t('predictions.version', { version: churn.version, date: f.dateTime(churn.fittedAt) })} ·{' '}
        {t(`predictions.churn.kinds.${churn.kind}`)}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" component="dl" m={0} maw={520}>
        <Figure label={t('predictions.churn.auc')} value={auc(churn.auc)} testId="churn-auc" />
        <Figure label={t('predictions.churn.baseline')} value={auc(churn.baselineAuc)} testId="churn-baseline" />
      </SimpleGrid>
      <Stack gap={2}>
        {comparison ? (
          <Text size="sm" data-testid="churn-comparison">
            {t(`predictions.churn.${comparison.verdict}`, {
              difference: f.number(Math.abs(comparison.difference), { maximumFractionDigits: 2 }),
            })}
          </Text>
        ) : null}
        <Text size="xs" c="dimmed">
          {t('predictions.churn.aucHint')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('predictions.churn.tested', {
            train: f.number(churn.trainCustomers),
            test: f.number(churn.testCustomers),
          })}
          {churn.churnRate !== null
            ? ` · ${t('predictions.churn.churnRate', {
                rate: f.number(churn.churnRate, { style: 'percent', maximumFractionDigits: 1 }),
              })}`
            : ''}
        </Text>
      </Stack>
      <Warnings warnings={churn.warnings} testId="churn-warnings" />
      <Stack gap="xs">
        <Title order={3} size="h5">
          {t('predictions.churn.features')}
        </Title>
        {features.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('predictions.churn.noFeatures')}
          </Text>
        ) : (
          <>
            <Text size="xs" c="dimmed">
              {t('predictions.churn.featuresDescription')}
            </Text>
            <Box
              role="img"
              aria-label={t('predictions.churn.featuresChartLabel', { count: features.length })}
              data-testid="churn-features-chart"
            >
              <BarChart
                h={Math.max(160, features.length * 32)}
                data={features.map((x) => ({ label: x.label, weight: x.weight }))}
                dataKey="label"
                orientation="vertical"
                series={[{ name: 'weight', label: t('predictions.churn.weight'), color: 'blue.6' }]}
                getBarColor={(v) => (v > 0 ? 'red.6' : 'teal.6')}
                valueFormatter={(v) => f.number(v, { maximumFractionDigits: 3 })}
                yAxisProps={{ width: 200 }}
                gridAxis="x"
              />
            </Box>
            <VisuallyHidden component="ul" aria-label={t('predictions.churn.features')}>
              {features.map((x) => (
                <li key={x.key}>
                  {x.label}: {f.number(x.weight, { maximumFractionDigits: 3 })}
                </li>
              ))}
            </VisuallyHidden>
          </>
        )}
      </Stack>
    </Card>
  );
}

// ── fairness ──

export function FairnessCard() {
  const { t } = useTranslation();
  const fairness = useFairness();
  const models = fairness.data?.models ?? [];
  const flagged = flaggedCount(models);
  return (
    <Card
      id="fairness"
      title={t('predictions.fairness.title')}
      description={t('predictions.fairness.description')}
      badges={
        flagged > 0 ? (
          <Badge color="red" variant="light" tt="none">
            {t('predictions.fairness.flagged', { count: flagged })}
          </Badge>
        ) : null
      }
    >
      {fairness.isPending ? (
        <Text size="sm" c="dimmed" role="status">
          {t('app.loading')}
        </Text>
      ) : fairness.isError ? (
        <Alert color="red" role="alert">
          {describeError(t, fairness.error)}
        </Alert>
      ) : models.every((m) => m.groups.length === 0) ? (
        <Text size="sm" c="dimmed">
          {t('predictions.fairness.none')}
        </Text>
      ) : (
        models.map((m) => <FairnessTable key={`${m.model}-${m.metric}`} model={m} />)
      )}
    </Card>
  );
}

function FairnessTable({ model }: { model: FairnessModel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const channelLabel = useChannelLabel();
  const regionNames = safeRegionNames(f.locale);
  const rows = fairnessRows(model);
  const name = t(`predictions.fairness.models.${model.model}`);
  const isAuc = model.metric === 'auc';
  const auc = (v: number | null) =>
    v === null ? '—' : f.number(v, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Churn compares rates (percent); CLV compares amounts or purchases.
  const amount = (v: number) =>
    model.model === 'churn'
      ? f.number(v, { style: 'percent', maximumFractionDigits: 1 })
      : f.number(v, { maximumFractionDigits: 2 });
  const valueLabel = (g: FairnessGroup) => {
    if (!g.value || g.value === 'unknown') return t('predictions.fairness.unknownValue');
    if (g.dimension === 'acquisition_channel') return channelLabel(g.value);
    if (g.dimension === 'country') return regionNames?.of(g.value.toUpperCase()) ?? g.value;
    return g.value;
  };
  if (rows.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {name} · {t(`predictions.fairness.metrics.${model.metric}`)}
      </Text>
      <Table.ScrollContainer minWidth={720}>
        <Table
          verticalSpacing="xs"
          aria-label={t('predictions.fairness.tableLabel', { model: name })}
          data-testid={`fairness-${model.model}`}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('predictions.fairness.dimension')}</Table.Th>
              <Table.Th>{t('predictions.fairness.group')}</Table.Th>
              <Table.Th ta="right">{t('predictions.fairness.customers')}</Table.Th>
              {isAuc ? <Table.Th ta="right">{t('predictions.fairness.auc')}</Table.Th> : null}
              <Table.Th ta="right">{t('predictions.fairness.predicted')}</Table.Th>
              <Table.Th ta="right">{t('predictions.fairness.actual')}</Table.Th>
              <Table.Th ta="right">{t('predictions.fairness.ratio')}</Table.Th>
              <Table.Th>{t('predictions.fairness.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <Table.Tr fw={600}>
              <Table.Td colSpan={3}>{t('predictions.fairness.overall')}</Table.Td>
              {isAuc ? <Table.Td ta="right">{auc(model.overall.auc)}</Table.Td> : null}
              <Table.Td ta="right">{amount(model.overall.predicted)}</Table.Td>
              <Table.Td ta="right">{amount(model.overall.actual)}</Table.Td>
              <Table.Td />
              <Table.Td />
            </Table.Tr>
            {rows.map((g) => (
              <Table.Tr
                key={`${g.dimension}:${g.value}`}
                data-flagged={g.flagged ? 'true' : undefined}
                bg={g.flagged ? 'var(--mantine-color-red-light)' : undefined}
              >
                <Table.Td>{t(`predictions.fairness.dimensions.${g.dimension}`)}</Table.Td>
                <Table.Td>{valueLabel(g)}</Table.Td>
                <Table.Td ta="right">{f.number(g.customers)}</Table.Td>
                {isAuc ? <Table.Td ta="right">{auc(g.auc)}</Table.Td> : null}
                <Table.Td ta="right">{amount(g.predicted)}</Table.Td>
                <Table.Td ta="right">{amount(g.actual)}</Table.Td>
                <Table.Td ta="right">
                  {g.ratio === null ? '—' : f.number(g.ratio, { maximumFractionDigits: 2 })}
                </Table.Td>
                <Table.Td>
                  {g.reason ? (
                    <Badge color={g.flagged ? 'red' : 'gray'} variant="light" tt="none">
                      {t(`predictions.fairness.reasons.${g.reason}`)}
                    </Badge>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('predictions.fairness.ok')}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function safeRegionNames(locale: string): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' });
  } catch {
    return null;
  }
}

// ── fit CLV by hand ──

const TIME_UNITS: TimeUnit[] = ['weeks', 'days'];

/** Fits the CLV model now, with a chosen end of the learning period and time unit. */
export function ClvFitForm() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const today = todayIn(session.workspace?.timezone ?? 'UTC');
  const fit = useFitClv();
  const [calibrationEnd, setCalibrationEnd] = useState('');
  const [timeUnit, setTimeUnit] = useState<TimeUnit>('weeks');
  const [touched, setTouched] = useState(false);
  const issue = calibrationEndIssue(calibrationEnd, today);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (issue) return;
    fit.mutate(
      { ...(calibrationEnd ? { calibrationEnd } : {}), timeUnit },
      {
        onSuccess: (clv) =>
          notifications.show({ color: 'teal', message: t('predictions.fit.done', { version: clv.version }) }),
      },
    );
  };

  return (
    <Card id="clv-fit" title={t('predictions.fit.title')} description={t('predictions.fit.description')}>
      <form onSubmit={submit} noValidate aria-labelledby="clv-fit-title">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            type="date"
            label={t('predictions.fit.calibrationEnd')}
            description={t('predictions.fit.calibrationEndHint')}
            value={calibrationEnd}
            max={today}
            onChange={(e) => setCalibrationEnd(e.currentTarget.value)}
            onBlur={() => setTouched(true)}
            error={touched && issue ? t(`predictions.fit.issues.${issue}`) : undefined}
            w={240}
          />
          <NativeSelect
            label={t('predictions.fit.timeUnit')}
            value={timeUnit}
            onChange={(e) => setTimeUnit(e.currentTarget.value as TimeUnit)}
            data={TIME_UNITS.map((u) => ({ value: u, label: t(`predictions.fit.timeUnits.${u}`) }))}
            w={160}
          />
          <Button type="submit" loading={fit.isPending}>
            {t('predictions.fit.submit')}
          </Button>
        </Group>
        {fit.isError ? (
          <Alert color="red" role="alert" mt="sm">
            {describeError(t, fit.error)}
          </Alert>
        ) : null}
      </form>
    </Card>
  );
}
