import { Alert, Anchor, Badge, Divider, Group, List, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconExternalLink, IconInfoCircle, IconTrendingDown, IconTrendingUp } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Panel, PanelStates } from '../customers/panel';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import {
  type CustomerPredictions,
  type Recommendation,
  useCustomerPredictions,
  useCustomerRecommendations,
  useSetPersonalization,
} from './api';
import { BAND_COLORS } from './model';

/**
 * The customer's predictions on the 360: chance still active, lifetime value, churn risk and why,
 * expected purchases, recommendations; and the switch for a customer who asked not to be profiled
 * (their scores are then hidden and not used).
 */
export function CustomerPredictionsPanel({ customerId, canWrite }: { customerId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const predictions = useCustomerPredictions(customerId);
  const data = predictions.data ?? null;
  const personalization = data?.personalization ?? true;
  return (
    <Panel title={t('predictions.customer.title')}>
      <PanelStates query={predictions} lines={4}>
        {() => (
          <Stack gap="md" data-testid="customer-predictions">
            <PersonalizationSwitch customerId={customerId} enabled={personalization} canWrite={canWrite} />
            {!personalization ? (
              <Alert
                color="gray"
                variant="light"
                icon={<IconInfoCircle aria-hidden />}
                data-testid="personalization-off"
              >
                {t('predictions.customer.personalizationOff')}
              </Alert>
            ) : !data?.scores ? (
              <Text size="sm" c="dimmed">
                {t('predictions.customer.notScored')}
              </Text>
            ) : (
              <>
                <Scores data={data} />
                <Recommendations customerId={customerId} />
              </>
            )}
          </Stack>
        )}
      </PanelStates>
    </Panel>
  );
}

function PersonalizationSwitch({
  customerId,
  enabled,
  canWrite,
}: {
  customerId: string;
  enabled: boolean;
  canWrite: boolean;
}) {
  const { t } = useTranslation();
  const set = useSetPersonalization(customerId);
  const checked = set.isPending && set.variables !== undefined ? set.variables : enabled;
  return (
    <Stack gap={4}>
      <Switch
        label={t('predictions.customer.personalization')}
        description={t('predictions.customer.personalizationHint')}
        checked={checked}
        disabled={!canWrite || set.isPending}
        onChange={(e) => {
          const next = e.currentTarget.checked;
          set.mutate(next, {
            onSuccess: (r) =>
              notifications.show({
                message: r.personalization
                  ? t('predictions.customer.personalizationOn')
                  : t('predictions.customer.personalizationStopped'),
              }),
          });
        }}
      />
      {set.isError ? (
        <Text size="sm" c="red" role="alert">
          {describeError(t, set.error)}
        </Text>
      ) : null}
    </Stack>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="sm" fw={500} m={0} mt={2} data-testid={testId}>
        {children}
      </Text>
    </div>
  );
}

function Scores({ data }: { data: CustomerPredictions }) {
  const { t } = useTranslation();
  const f = useFormat();
  const s = data.scores;
  if (!s) return null;
  const percent = (v: number) => f.number(v, { style: 'percent', maximumFractionDigits: 0 });
  const count = (v: number) => f.number(v, { maximumFractionDigits: 1 });
  const valueText = (v: string | number | null) =>
    v === null ? null : typeof v === 'number' ? f.number(v, { maximumFractionDigits: 2 }) : v;
  const version = (v: number | null) => (v === null ? t('predictions.customer.noModelVersion') : String(v));
  return (
    <Stack gap="md">
      <SimpleGrid cols={2} spacing="sm" component="dl" m={0}>
        <Fact label={t('predictions.customer.churnRisk')} testId="prediction-churn">
          <Group gap={6} component="span" wrap="nowrap">
            <span>{percent(s.churnRisk)}</span>
            <Badge color={BAND_COLORS[s.churnBand]} variant="light" size="sm">
              {t(`predictions.customer.bands.${s.churnBand}`)}
            </Badge>
          </Group>
        </Fact>
        <Fact label={t('predictions.customer.pAlive')} testId="prediction-p-alive">
          {percent(s.pAlive)}
        </Fact>
        <Fact label={t('predictions.customer.clv')} testId="prediction-clv">
          {f.money(s.clv, data.currency)}
        </Fact>
        <Fact label={t('predictions.customer.expectedAov')}>{f.money(s.expectedAov, data.currency)}</Fact>
        <Fact label={t('predictions.customer.purchaseProbability30')} testId="prediction-p30">
          {percent(s.purchaseProbability30)}
        </Fact>
        <Fact label={t('predictions.customer.nextPurchase')} testId="prediction-next">
          {s.nextPurchaseAt ? f.date(s.nextPurchaseAt) : t('predictions.customer.nextPurchaseUnknown')}
        </Fact>
      </SimpleGrid>
      <Stack gap={2}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          {t('predictions.customer.expected')}
        </Text>
        <Group gap="md" data-testid="prediction-expected">
          <Text size="sm">
            {t('predictions.customer.expected30')}: <b>{count(s.expected30)}</b>
          </Text>
          <Text size="sm">
            {t('predictions.customer.expected90')}: <b>{count(s.expected90)}</b>
          </Text>
          <Text size="sm">
            {t('predictions.customer.expected365')}: <b>{count(s.expected365)}</b>
          </Text>
        </Group>
      </Stack>
      {s.confidence !== 'ok' ? (
        <Text size="sm" c="dimmed" data-testid="prediction-confidence">
          {t(`predictions.customer.confidence.${s.confidence}`)}
        </Text>
      ) : null}

      <Stack gap={4}>
        <Title order={3} size="h6">
          {t('predictions.customer.why')}
        </Title>
        {data.why.churn.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('predictions.customer.noWhy')}
          </Text>
        ) : (
          <List size="sm" spacing={4} listStyleType="none" data-testid="prediction-why">
            {data.why.churn.map((r) => {
              const value = valueText(r.value);
              return (
                <List.Item
                  key={r.feature}
                  icon={
                    r.direction === 'up' ? (
                      <IconTrendingUp size={16} color="var(--mantine-color-red-7)" aria-hidden />
                    ) : (
                      <IconTrendingDown size={16} color="var(--mantine-color-teal-7)" aria-hidden />
                    )
                  }
                >
                  {value === null ? r.label : t('predictions.customer.factor', { label: r.label, value })}{' '}
                  <Text span size="sm" c="dimmed">
                    ({r.direction === 'up' ? t('predictions.customer.up') : t('predictions.customer.down')})
                  </Text>
                </List.Item>
              );
            })}
          </List>
        )}
      </Stack>
      {data.why.clv.length > 0 ? (
        <Stack gap={4}>
          <Title order={3} size="h6">
            {t('predictions.customer.whyClv')}
          </Title>
          <List size="sm" spacing={2}>
            {data.why.clv.map((r) => {
              const value = valueText(r.value);
              return (
                <List.Item key={r.feature}>
                  {value === null ? r.label : t('predictions.customer.factor', { label: r.label, value })}
                </List.Item>
              );
            })}
          </List>
        </Stack>
      ) : null}
      <Text size="xs" c="dimmed" data-testid="prediction-models">
        {t('predictions.customer.models', { churn: version(data.models.churn), clv: version(data.models.clv) })}
        {data.scoredAt ? ` · ${t('predictions.customer.scoredAt', { date: f.dateTime(data.scoredAt) })}` : ''}
      </Text>
    </Stack>
  );
}

function Recommendations({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const recs = useCustomerRecommendations(customerId, 5);
  const items = recs.data?.personalization === false ? [] : (recs.data?.items ?? []);
  return (
    <Stack gap={4}>
      <Divider />
      <Title order={3} size="h6">
        {t('predictions.customer.recommendations')}
      </Title>
      <PanelStates query={recs} isEmpty={items.length === 0} empty={t('predictions.customer.noRecommendations')}>
        {() => (
          <Stack gap="xs">
            <Stack gap="xs" component="ul" m={0} p={0} style={{ listStyle: 'none' }} data-testid="recommendations">
              {items.map((item) => (
                <RecommendationItem key={item.productId} item={item} />
              ))}
            </Stack>
            {recs.data?.modelVersion != null ? (
              <Text size="xs" c="dimmed">
                {t('predictions.customer.recommendationsModel', { version: recs.data.modelVersion })}
              </Text>
            ) : null}
          </Stack>
        )}
      </PanelStates>
    </Stack>
  );
}

function RecommendationItem({ item }: { item: Recommendation }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const name = item.name ?? t('predictions.customer.unnamedProduct', { id: item.productId });
  const because = item.because.map((b) => b.name ?? b.productId);
  const list = (() => {
    try {
      return new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(because);
    } catch {
      return because.join(', ');
    }
  })();
  return (
    <li>
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <Stack gap={0} style={{ minWidth: 0 }}>
          {item.url ? (
            <Anchor
              href={item.url}
              target="_blank"
              rel="noopener noreferrer"
              size="sm"
              fw={500}
              aria-label={t('predictions.customer.openProduct', { name })}
            >
              <Group gap={4} component="span" wrap="nowrap">
                {name}
                <IconExternalLink size={12} aria-hidden />
              </Group>
            </Anchor>
          ) : (
            <Text size="sm" fw={500}>
              {name}
            </Text>
          )}
          {because.length > 0 ? (
            <Text size="xs" c="dimmed">
              {t('predictions.customer.because', { products: list })}
            </Text>
          ) : null}
          <Badge variant="light" size="xs" tt="none" mt={2} style={{ alignSelf: 'flex-start' }}>
            {t(`predictions.customer.reasons.${item.reason}`)}
          </Badge>
        </Stack>
        {item.price !== null ? (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {f.money(item.price, item.currency ?? undefined)}
          </Text>
        ) : null}
      </Group>
    </li>
  );
}
