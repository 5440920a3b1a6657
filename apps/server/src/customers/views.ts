/** How the customers API shows rows: camelCase, ISO times, money as numbers. */
import type { CompanyRow, ConflictRow, CustomerSummaryRow, MergeRow } from './repository.js';
import type { TimelineItem } from './timeline.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const money = (v: string | number) => Math.round(Number(v) * 100) / 100;

export function customerSummaryView(c: CustomerSummaryRow) {
  return {
    id: c.id,
    firstName: c.first_name,
    lastName: c.last_name,
    email: c.email,
    phone: c.phone,
    userId: c.user_id,
    channels: c.channels,
    acquisitionChannel: c.acquisition_channel,
    tags: c.tags,
    firstSeenAt: iso(c.first_seen_at),
    lastSeenAt: iso(c.last_seen_at),
    orders: c.order_count,
    revenue: money(c.revenue),
    currency: c.currency,
    lastOrderAt: iso(c.last_order_at),
    createdAt: c.created_at.toISOString(),
  };
}

export function timelineItemView(i: TimelineItem) {
  return { ...i, at: i.at.toISOString() };
}

export function companyView(c: CompanyRow) {
  return {
    id: c.id,
    groupId: c.group_id,
    name: c.name,
    traits: c.traits,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

export function mergeView(m: MergeRow) {
  return {
    id: m.id,
    mergedId: m.merged_id,
    survivorId: m.survivor_id,
    reason: m.reason,
    eventId: m.event_id,
    actor: { type: m.actor_type, id: m.actor_id },
    at: m.created_at.toISOString(),
    snapshot: m.snapshot,
  };
}

export function conflictView(c: ConflictRow) {
  return {
    id: c.id,
    customerId: c.customer_id,
    otherCustomerId: c.other_customer_id,
    reason: c.reason,
    status: c.status,
    details: c.details,
    eventId: c.event_id,
    createdAt: c.created_at.toISOString(),
    resolvedAt: iso(c.resolved_at),
  };
}

export { money };
