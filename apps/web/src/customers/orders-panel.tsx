import { Alert, Badge, Skeleton, Stack, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';
import { type Order, useCustomerOrders, useOrder } from './api';
import { ChannelIcon } from './channels';
import { useFormat } from './format';
import { DetailsRow, ExpandToggle, LoadMore, Panel, PanelStates } from './panel';

const STATUSES = ['completed', 'updated', 'refunded', 'partially_refunded', 'cancelled'] as const;
const STATUS_COLORS: Record<string, string> = {
  completed: 'green',
  updated: 'blue',
  refunded: 'gray',
  partially_refunded: 'yellow',
  cancelled: 'red',
};

const orderLabel = (o: Order) => o.number ?? `#${o.externalId}`;

/** The customer's orders, newest first; each opens to show its line items. */
export function OrdersPanel({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const orders = useCustomerOrders(customerId);
  const [open, setOpen] = useState<string | null>(null);
  const rows = orders.data?.pages.flatMap((p) => p.data) ?? [];
  const status = (s: string) =>
    (STATUSES as readonly string[]).includes(s) ? t(`customers.orders.statuses.${s as (typeof STATUSES)[number]}`) : s;

  return (
    <Panel title={t('customers.orders.title')}>
      <PanelStates query={orders} lines={3} isEmpty={rows.length === 0} empty={t('customers.orders.none')}>
        {() => (
          <Stack gap="xs">
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing="xs" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={36} aria-hidden />
                    <Table.Th>{t('customers.orders.number')}</Table.Th>
                    <Table.Th>{t('customers.orders.placedAt')}</Table.Th>
                    <Table.Th>{t('customers.orders.channel')}</Table.Th>
                    <Table.Th>{t('customers.orders.status')}</Table.Th>
                    <Table.Th ta="right">{t('customers.orders.total')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((o) => {
                    const expanded = open === o.id;
                    const label = orderLabel(o);
                    return (
                      <Fragment key={o.id}>
                        <Table.Tr>
                          <Table.Td>
                            <ExpandToggle
                              expanded={expanded}
                              controls={`order-${o.id}`}
                              label={
                                expanded
                                  ? t('customers.orders.hideItems', { order: label })
                                  : t('customers.orders.showItems', { order: label })
                              }
                              onToggle={() => setOpen(expanded ? null : o.id)}
                            />
                          </Table.Td>
                          <Table.Td fw={500}>{label}</Table.Td>
                          <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(o.placedAt)}</Table.Td>
                          <Table.Td>
                            <ChannelIcon channel={o.channel} size="sm" />
                          </Table.Td>
                          <Table.Td>
                            <Badge variant="light" color={STATUS_COLORS[o.status] ?? 'gray'} tt="none">
                              {status(o.status)}
                            </Badge>
                          </Table.Td>
                          <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                            <Text size="sm" fw={500}>
                              {format.money(o.total, o.currency)}
                            </Text>
                            {o.refundedAmount > 0 ? (
                              <Text size="xs" c="dimmed">
                                {t('customers.orders.refunded', { amount: format.money(o.refundedAmount, o.currency) })}
                              </Text>
                            ) : null}
                          </Table.Td>
                        </Table.Tr>
                        {expanded ? (
                          <DetailsRow id={`order-${o.id}`} colSpan={5}>
                            <OrderItems orderId={o.id} />
                          </DetailsRow>
                        ) : null}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore query={orders} label={t('customers.orders.loadMore')} />
          </Stack>
        )}
      </PanelStates>
    </Panel>
  );
}

function OrderItems({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const order = useOrder(orderId);
  if (order.isPending) return <Skeleton h={40} role="status" aria-label={t('app.loading')} />;
  if (order.isError)
    return (
      <Alert color="red" role="alert">
        {describeError(t, order.error)}
      </Alert>
    );
  if (order.data.items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('customers.orders.noItems')}
      </Text>
    );
  return (
    <Table fz="sm" verticalSpacing={4} aria-label={t('customers.orders.items')}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('customers.orders.product')}</Table.Th>
          <Table.Th ta="right">{t('customers.orders.quantity')}</Table.Th>
          <Table.Th ta="right">{t('customers.orders.unitPrice')}</Table.Th>
          <Table.Th ta="right">{t('customers.orders.lineTotal')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {order.data.items.map((i) => (
          <Table.Tr key={i.position}>
            <Table.Td>{i.name ?? i.sku ?? i.productId ?? '—'}</Table.Td>
            <Table.Td ta="right">{format.number(i.quantity)}</Table.Td>
            <Table.Td ta="right">{format.money(i.unitPrice, i.currency)}</Table.Td>
            <Table.Td ta="right">{format.money(i.total, i.currency)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
