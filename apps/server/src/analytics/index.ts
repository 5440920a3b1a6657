/** Analytics: KPIs, channels, cohorts, attribution, funnels, RFM, lifecycle, value tiers, spend, goals (ANL-1 … ANL-4, SEG-2). */
import { registerAuditTargetLabels } from '../access/index.js';
import { onOrdersChanged, onOrderWrites } from '../commerce/index.js';
import { onCustomersMerged } from '../customers/index.js';
import { isProcessingBatch, onBatchFlush, onBatchProcessed } from '../ingest/index.js';
import type { Db, Tx } from '../platform/db.js';
import { scheduleRollup } from './jobs.js';
import { bumpDataVersion, goalNames } from './repository.js';
import { GUEST, markDirty } from './rollup-repository.js';

export { KPI_QUEUE, ROLLUP_QUEUE, registerAnalyticsJobs, requestKpiSnapshot } from './jobs.js';
export { analyticsRoutes } from './routes.js';
export {
  DEFAULT_THRESHOLDS,
  getAttribution,
  getChannels,
  getCohorts,
  getFunnel,
  getKpis,
  getLifecycle,
  getRevenueSeries,
  getRfm,
  getThresholds,
  getValueTiers,
  KPI_KEYS,
  type KpiKey,
  LIFECYCLE_STAGES,
  type LifecycleStage,
  lifecycleMembersSql,
  RFM_CELLS,
  type RfmCell,
  refreshKpiSnapshot,
  rfmCellOf,
  rfmMembersSql,
  type Thresholds,
} from './service.js';

// KPI snapshots are out of date once orders or processed events change (ADR 0009).
onOrdersChanged('analytics', bumpDataVersion);

// The KPI rollup (ADR 0010): whoever's orders or events changed is marked in the same transaction
// and rolled up by the `analytics.rollup` job. While events are processed, the marks of order writes
// and merges are gathered and written once, when the batch is flushed (after every batch handler,
// before the commit): one statement per batch instead of one per order (a mark is only "look again", so one the
// batch wrote and a savepoint took back costs a recomputation, never a wrong figure).
async function mark(tx: Db | Tx, workspaceId: string, subjects: string[]) {
  if (!subjects.length) return;
  await markDirty(tx, workspaceId, subjects);
  await scheduleRollup(tx, workspaceId);
}
const gathered = new WeakMap<Db | Tx, Set<string>>();
function markSoon(tx: Db | Tx, workspaceId: string, subjects: string[]) {
  if (!subjects.length) return;
  if (!isProcessingBatch(tx)) return mark(tx, workspaceId, subjects);
  let set = gathered.get(tx);
  if (!set) {
    set = new Set();
    gathered.set(tx, set);
  }
  for (const s of subjects) set.add(s);
}
onOrderWrites('analytics', async (tx, workspaceId, w) =>
  markSoon(tx, workspaceId, [...w.customerIds, ...w.guestOrderIds.map((id) => GUEST + id)]),
);
onBatchProcessed('analytics', async (tx, workspaceId, customerIds) => {
  await bumpDataVersion(tx, workspaceId);
  markSoon(tx, workspaceId, customerIds);
});
onBatchFlush('analytics', async (tx, workspaceId) => {
  const subjects = gathered.get(tx);
  gathered.delete(tx);
  if (subjects) await mark(tx, workspaceId, [...subjects]);
});
// A merge moves events and orders to the survivor (and may change its acquisition channel).
onCustomersMerged('analytics', async (tx, e) => markSoon(tx, e.workspaceId, [e.mergedId, e.survivorId]));

// Goals by name in the audit log.
registerAuditTargetLabels('goal', 'gol', async (db, workspaceId, ids) => {
  return new Map((await goalNames(db, workspaceId, ids)).map((g) => [g.id, g.name]));
});
