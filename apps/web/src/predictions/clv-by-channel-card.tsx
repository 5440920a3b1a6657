import { BarChart } from '@mantine/charts';
import { Anchor, Box, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { channelColor, DashCard } from '../analytics/parts';
import { useChannelLabel } from '../customers/channels';
import { useFormat } from '../ui/format';
import { useClvByChannel } from './api';

/** Dashboard card: the average predicted CLV of the customers each acquisition channel brought. */
export function ClvByChannelCard() {
  const { t } = useTranslation();
  const f = useFormat();
  const channelLabel = useChannelLabel();
  const byChannel = useClvByChannel();
  return (
    <DashCard
      id="clv-by-channel"
      title={t('predictions.channelCard.title')}
      description={t('predictions.channelCard.description')}
      query={byChannel}
      minHeight={220}
    >
      {() => {
        const data = byChannel.data;
        if (!data)
          return (
            <Stack gap="xs" align="flex-start">
              <Text size="sm" c="dimmed">
                {t('predictions.channelCard.empty')}
              </Text>
              <Anchor component={RouterLink} to="/predictions" size="sm">
                {t('predictions.channelCard.open')}
              </Anchor>
            </Stack>
          );
        const rows = [...data.rows].sort((x, y) => y.avgClv - x.avgClv);
        if (rows.length === 0)
          return (
            <Text size="sm" c="dimmed">
              {t('predictions.channelCard.none')}
            </Text>
          );
        const money = (v: number) => f.money(v, data.currency);
        return (
          <Stack gap="xs">
            <Box
              role="img"
              aria-label={t('predictions.channelCard.chartLabel', { count: rows.length })}
              data-testid="clv-by-channel-chart"
            >
              <BarChart
                h={Math.max(180, rows.length * 40)}
                data={rows.map((r) => ({
                  label: channelLabel(r.channel),
                  avgClv: r.avgClv,
                  color: channelColor(r.channel),
                }))}
                dataKey="label"
                orientation="vertical"
                series={[{ name: 'avgClv', label: t('predictions.channelCard.avgClv'), color: 'blue.6' }]}
                valueFormatter={money}
                yAxisProps={{ width: 120 }}
                gridAxis="x"
              />
            </Box>
            <VisuallyHidden component="ul">
              {rows.map((r) => (
                <li key={r.channel}>
                  {t('predictions.channelCard.row', {
                    channel: channelLabel(r.channel),
                    avg: money(r.avgClv),
                    total: money(r.totalClv),
                    customers: f.number(r.customers),
                  })}
                </li>
              ))}
            </VisuallyHidden>
          </Stack>
        );
      }}
    </DashCard>
  );
}
