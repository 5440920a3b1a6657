import { Group, NativeSelect, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { CHANNELS, useChannelLabel } from '../customers/channels';
import { describeError } from '../ui/errors';
import { type Period, useChannels, useSaveSpend, useSpend } from './api';
import { monthsOf, ruleForChannel } from './model';
import { CustomersLink, DashCard, periodLabel, useKpiFormat } from './parts';

/** Marketing spend per channel per month (a small editable table), and CAC / ROI by acquisition channel. */
export function SpendCard({ period, currency }: { period: Period; currency: string }) {
  const { t } = useTranslation();
  const { f, percent } = useKpiFormat();
  const channelLabel = useChannelLabel();
  const canWrite = useCan('analytics', 'write');
  const spend = useSpend(period);
  const channels = useChannels(period);
  const [extra, setExtra] = useState<string[]>([]);
  const query = {
    isPending: spend.isPending || channels.isPending,
    isError: spend.isError || channels.isError,
    error: spend.error ?? channels.error,
  };
  return (
    <DashCard
      id="spend"
      title={t('analytics.spend.title')}
      description={t('analytics.spend.description')}
      query={query}
    >
      {() => {
        const items = spend.data ?? [];
        const metrics = channels.data?.items ?? [];
        const columns = [
          ...new Set([
            ...metrics.map((m) => m.channel).filter((c) => c !== 'unknown'),
            ...items.map((i) => i.channel),
            ...extra,
          ]),
        ];
        const months = monthsOf(period);
        const amount = (month: string, channel: string) =>
          items.find((i) => i.month === month && i.channel === channel)?.amount;
        const addable = CHANNELS.filter((c) => c !== 'import' && !columns.includes(c));
        return (
          <Stack gap="md">
            {columns.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('analytics.spend.noChannels')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={200 + columns.length * 130}>
                <Table verticalSpacing={4} aria-label={t('analytics.spend.tableLabel')} data-testid="spend-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('analytics.spend.month')}</Table.Th>
                      {columns.map((c) => (
                        <Table.Th key={c}>{channelLabel(c)}</Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {months.map((m) => (
                      <Table.Tr key={m}>
                        <Table.Th scope="row" fw={500} fz="sm" style={{ whiteSpace: 'nowrap' }}>
                          {periodLabel(f.locale, m, 'month')}
                        </Table.Th>
                        {columns.map((c) => (
                          <Table.Td key={c}>
                            {canWrite ? (
                              <SpendCell
                                month={m}
                                channel={c}
                                value={amount(m, c)}
                                label={t('analytics.spend.cellLabel', {
                                  channel: channelLabel(c),
                                  month: periodLabel(f.locale, m, 'month'),
                                })}
                                currency={currency}
                              />
                            ) : (
                              <Text size="sm">
                                {amount(m, c) === undefined ? '—' : f.money(amount(m, c), currency)}
                              </Text>
                            )}
                          </Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {canWrite && addable.length ? (
              <NativeSelect
                size="xs"
                label={t('analytics.spend.addChannel')}
                value=""
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  if (v) setExtra((x) => [...x, v]);
                }}
                data={[
                  { value: '', label: t('analytics.spend.chooseChannel') },
                  ...addable.map((c) => ({ value: c, label: channelLabel(c) })),
                ]}
                w={220}
              />
            ) : null}
            <Title order={3} size="h5">
              {t('analytics.spend.byChannel')}
            </Title>
            {metrics.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('analytics.spend.noMetrics')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={720}>
                <Table verticalSpacing={4} fz="sm" aria-label={t('analytics.spend.byChannel')} data-testid="cac-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('analytics.spend.channel')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.newCustomers')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.spend')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.cac')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.revenue')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.clv')}</Table.Th>
                      <Table.Th ta="right">{t('analytics.spend.roi')}</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {metrics.map((m) => (
                      <Table.Tr key={m.channel} data-channel={m.channel}>
                        <Table.Td>
                          {m.channel === 'unknown' ? t('analytics.unknownChannel') : channelLabel(m.channel)}
                        </Table.Td>
                        <Table.Td ta="right">{f.number(m.newCustomers)}</Table.Td>
                        <Table.Td ta="right">{f.money(m.spend, currency)}</Table.Td>
                        <Table.Td ta="right" data-testid={`cac-${m.channel}`}>
                          {f.money(m.cac, currency)}
                        </Table.Td>
                        <Table.Td ta="right">{f.money(m.revenue, currency)}</Table.Td>
                        <Table.Td ta="right">{f.money(m.clv, currency)}</Table.Td>
                        <Table.Td ta="right">{percent(m.roi)}</Table.Td>
                        <Table.Td ta="right">
                          {m.channel === 'unknown' ? null : (
                            <CustomersLink rule={ruleForChannel(m.channel, period)} name={channelLabel(m.channel)} />
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Stack>
        );
      }}
    </DashCard>
  );
}

/** One month × channel amount: saved when the field loses focus or on Enter. */
function SpendCell({
  month,
  channel,
  value,
  label,
  currency,
}: {
  month: string;
  channel: string;
  value: number | undefined;
  label: string;
  currency: string;
}) {
  const { t } = useTranslation();
  const save = useSaveSpend();
  const [draft, setDraft] = useState<number | ''>(value ?? '');
  const [error, setError] = useState<string | null>(null);
  const [seen, setSeen] = useState(value);
  // A fresh answer from the server replaces the draft (unless the person is typing something else).
  if (seen !== value) {
    setSeen(value);
    setDraft(value ?? '');
  }
  const commit = async () => {
    if (draft === '' || draft === value) return;
    setError(null);
    try {
      await save.mutateAsync({ month, channel, amount: Number(draft) });
    } catch (e) {
      setError(describeError(t, e));
    }
  };
  return (
    <Group gap={4} wrap="nowrap">
      <NumberInput
        size="xs"
        aria-label={label}
        value={draft}
        min={0}
        decimalScale={2}
        allowNegative={false}
        thousandSeparator={false}
        rightSection={
          <Text size="xs" c="dimmed">
            {currency}
          </Text>
        }
        rightSectionWidth={40}
        onChange={(v) => setDraft(v === '' ? '' : Number(v))}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void commit();
        }}
        error={error}
        disabled={save.isPending}
        w={120}
      />
    </Group>
  );
}
