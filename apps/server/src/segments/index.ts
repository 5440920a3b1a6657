/** Segments: rule-based and static customer segments, kept current, with entries and exits on the timeline (SEG-1). */
import { onOrderWrites } from '../commerce/index.js';
import { onCustomersMerged, registerTimelineSource, type TimelineItem } from '../customers/index.js';
import { onBatchProcessed } from '../ingest/index.js';
import type { Db, Tx } from '../platform/db.js';
import { onPredictionsScored } from '../predict/index.js';
import { onConsentChanged } from '../privacy/index.js';
import { scheduleIncremental } from './jobs.js';
import * as repo from './repository.js';
import { moveMembershipsOnMerge, refreshWorkspace as refreshAll } from './service.js';

export { INCREMENTAL_QUEUE, REFRESH_QUEUE, registerSegmentJobs, scheduleHourlyRefresh } from './jobs.js';
export { segmentsRoutes } from './routes.js';
export {
  type Condition,
  checkRule,
  type PropertyFilter,
  propertyFilter,
  referencedSegments,
  type SegmentRule,
  segmentRuleSchema,
} from './rules.js';
export {
  addStaticMembers,
  createSegment,
  customersMatching,
  explainMembership,
  getSegmentOrThrow,
  listSegments,
  previewRule,
  refreshMarked,
  refreshSegment,
  refreshWorkspace,
} from './service.js';

/** One entry or exit, in the order they happened (`seq`): what journeys trigger on. */
export interface MembershipChange {
  seq: number;
  segmentId: string;
  segmentName: string;
  customerId: string;
  event: 'Segment Entered' | 'Segment Exited';
  at: Date;
}

/** Entries and exits of a workspace after `afterSeq`, oldest first. */
export async function membershipChangesAfter(
  db: Db | Tx,
  workspaceId: string,
  afterSeq: number,
  limit = 500,
): Promise<MembershipChange[]> {
  return (await repo.logAfter(db, workspaceId, afterSeq, limit)).map((r) => ({
    seq: r.seq,
    segmentId: r.segment_id,
    segmentName: r.segment_name,
    customerId: r.customer_id,
    event: r.change === 'entered' ? 'Segment Entered' : 'Segment Exited',
    at: r.at,
  }));
}

// Customers that processed events touched are re-evaluated by the incremental job; the marks are
// written in the processing transaction, so none is lost.
onBatchProcessed('segments', (tx, workspaceId, customerIds) => markForRefresh(tx, workspaceId, customerIds));

// So are customers whose orders changed outside processing (an import, a webhook, a refund by API),
// and whose consent changed (the API, the app): re-evaluated within seconds, not at the hourly refresh.
onOrderWrites('segments', (tx, workspaceId, w) => markForRefresh(tx, workspaceId, w.customerIds));
onConsentChanged('segments', (tx, c) => markForRefresh(tx, c.workspaceId, [c.customerId]));

/**
 * Marks customers for the incremental job in the writing transaction (so no mark is lost), when the
 * workspace has dynamic segments; whether it has any is read once per transaction (a processing
 * batch writes many orders and consents). Marks and the job's schedule are idempotent.
 */
const hasDynamic = new WeakMap<Db | Tx, boolean>();
async function markForRefresh(tx: Db | Tx, workspaceId: string, customerIds: string[]) {
  if (!customerIds.length) return;
  let dynamic = tx.isTransaction ? hasDynamic.get(tx) : undefined;
  if (dynamic === undefined) {
    dynamic = await repo.hasDynamicSegments(tx, workspaceId);
    if (tx.isTransaction) hasDynamic.set(tx, dynamic);
  }
  if (!dynamic) return;
  await repo.markDirty(tx, workspaceId, customerIds);
  await scheduleIncremental(tx, workspaceId);
}

// A merged profile's memberships (and their history) belong to the survivor.
onCustomersMerged('segments', moveMembershipsOnMerge);

const EVENTS = { entered: 'Segment Entered', exited: 'Segment Exited' } as const;

// Entries and exits on the timeline, as the track events `Segment Entered` / `Segment Exited`.
registerTimelineSource('segments', async (db, q) => {
  if (q.channels?.length) return [];
  const changes = (['entered', 'exited'] as const).filter(
    (c) =>
      !q.types?.length || q.types.some((t) => `track:${EVENTS[c]}` === t || `track:${EVENTS[c]}`.startsWith(`${t}:`)),
  );
  if (!changes.length) return [];
  const rows = await repo.customerLog(db, { ...q, changes });
  return rows.map(
    (r): TimelineItem => ({
      id: r.id,
      kind: 'event',
      type: `track:${EVENTS[r.change]}`,
      at: r.at,
      channel: null,
      sourceId: null,
      title: EVENTS[r.change],
      data: { properties: { segment_id: r.segment_id, segment_name: r.segment_name } },
    }),
  );
});

// New scores move customers across score rules ("churn risk > 0.7"): re-evaluate the dynamic segments.
onPredictionsScored('segments', async (db, workspaceId) => {
  await refreshAll(db, workspaceId);
});
