/** Analytics: KPIs, channels, cohorts, attribution, funnels, RFM, lifecycle, value tiers, spend, goals (ANL-1 … ANL-4, SEG-2). */
import { registerAuditTargetLabels } from '../access/index.js';
import { onOrdersChanged } from '../commerce/index.js';
import { onBatchProcessed } from '../ingest/index.js';
import { bumpDataVersion, goalNames } from './repository.js';

export { KPI_QUEUE, registerAnalyticsJobs, requestKpiSnapshot } from './jobs.js';
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
onBatchProcessed('analytics', bumpDataVersion);

// Goals by name in the audit log.
registerAuditTargetLabels('goal', 'gol', async (db, workspaceId, ids) => {
  return new Map((await goalNames(db, workspaceId, ids)).map((g) => [g.id, g.name]));
});
