/** Analytics: KPIs, channels, cohorts, attribution, funnels, RFM, lifecycle, value tiers, spend, goals (ANL-1 … ANL-4, SEG-2). */
import { registerAuditTargetLabels } from '../access/index.js';
import { onOrdersChanged, onOrderWrites } from '../commerce/index.js';
import { onCustomersMerged } from '../customers/index.js';
import { onBatchProcessed } from '../ingest/index.js';
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
// and rolled up by the `analytics.rollup` job.
async function mark(tx: Db | Tx, workspaceId: string, subjects: string[]) {
  if (!subjects.length) return;
  await markDirty(tx, workspaceId, subjects);
  await scheduleRollup(tx, workspaceId);
}
onOrderWrites('analytics', (tx, workspaceId, w) =>
  mark(tx, workspaceId, [...w.customerIds, ...w.guestOrderIds.map((id) => GUEST + id)]),
);
onBatchProcessed('analytics', async (tx, workspaceId, customerIds) => {
  await bumpDataVersion(tx, workspaceId);
  await mark(tx, workspaceId, customerIds);
});
// A merge moves events and orders to the survivor (and may change its acquisition channel).
onCustomersMerged('analytics', (tx, e) => mark(tx, e.workspaceId, [e.mergedId, e.survivorId]));

// Goals by name in the audit log.
registerAuditTargetLabels('goal', 'gol', async (db, workspaceId, ids) => {
  return new Map((await goalNames(db, workspaceId, ids)).map((g) => [g.id, g.name]));
});
