/** Analytics: KPIs, channels, cohorts, attribution, funnels, RFM, lifecycle, value tiers, spend, goals (ANL-1 … ANL-4, SEG-2). */
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
  RFM_CELLS,
  type RfmCell,
  rfmCellOf,
  type Thresholds,
} from './service.js';
