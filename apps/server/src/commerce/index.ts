/** Commerce: orders with line items and refunds, the product catalogue, Shopify webhooks (DATA-6). */
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { onBatchProcessed, onEventProcessed } from '../ingest/index.js';
import { applyCommerceEvent, refreshDeferredFacts } from './events.js';
import * as repo from './repository.js';
import { moveOrders } from './service.js';

export { type OrderWrites, onOrderWrites } from './repository.js';
export { commerceRoutes } from './routes.js';
export {
  type CancelInput,
  cancelOrder,
  getOrderOrThrow,
  listCustomerOrders,
  type OrderInput,
  type OrderItemInput,
  type OrderStatus,
  onOrdersChanged,
  type ProductInput,
  type RefundInput,
  recommendedProducts,
  refreshOrderFacts,
  refundOrder,
  upsertOrder,
  upsertOrders,
  upsertProducts,
} from './service.js';

// Orders and the catalogue from e-commerce events, in the transaction that processes each event.
onEventProcessed('commerce', applyCommerceEvent);
// The order facts of the customers a batch touched, once per customer at the end of the batch.
onBatchProcessed('commerce', refreshDeferredFacts);

// A merged profile's orders belong to the survivor, and count in its facts.
onCustomersMerged('commerce', moveOrders);

const amount = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
const label = (o: { number: string | null; external_id: string }) => o.number ?? `#${o.external_id}`;
const wants = (types: string[] | undefined, type: string) =>
  !types?.length || types.some((t) => type === t || type.startsWith(`${t}:`));

// Orders on the customer timeline: each order when placed, each refund, each cancellation.
registerTimelineSource('orders', async (db, q) => {
  const w = {
    workspaceId: q.workspaceId,
    customerId: q.customerId,
    before: q.before,
    limit: q.limit,
    channels: q.channels,
  };
  const items: TimelineItem[] = [];
  if (wants(q.types, 'order.completed')) {
    for (const o of await repo.timelineOrders(db, w)) {
      items.push({
        id: o.id,
        kind: 'order',
        type: 'order.completed',
        at: o.placed_at,
        channel: o.channel,
        sourceId: o.source_id,
        title: `Order ${label(o)}: ${amount(o.total)?.toFixed(2)} ${o.currency}`,
        data: {
          orderId: o.id,
          externalId: o.external_id,
          number: o.number,
          status: o.status,
          total: amount(o.total),
          refundedAmount: amount(o.refunded_amount),
          currency: o.currency,
        },
      });
    }
  }
  if (wants(q.types, 'order.refunded')) {
    for (const r of await repo.timelineRefunds(db, w)) {
      const value = amount(r.amount);
      items.push({
        id: r.id,
        kind: 'order',
        type: 'order.refunded',
        at: r.refunded_at,
        channel: r.channel,
        sourceId: r.source_id,
        title:
          value === null
            ? `Order ${label(r)} refunded`
            : `Refund of ${value.toFixed(2)} ${r.currency} on order ${label(r)}`,
        data: {
          orderId: r.order_id,
          externalId: r.external_id,
          number: r.number,
          amount: value,
          currency: r.currency,
          reason: r.reason,
        },
      });
    }
  }
  if (wants(q.types, 'order.cancelled')) {
    for (const o of await repo.timelineCancellations(db, w)) {
      items.push({
        id: `${o.id}:cancelled`,
        kind: 'order',
        type: 'order.cancelled',
        at: o.cancelled_at as Date,
        channel: o.channel,
        sourceId: o.source_id,
        title: `Order ${label(o)} cancelled`,
        data: {
          orderId: o.id,
          externalId: o.external_id,
          number: o.number,
          total: amount(o.total),
          currency: o.currency,
        },
      });
    }
  }
  return items
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, q.limit);
});
