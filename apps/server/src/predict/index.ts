/**
 * Predictions (PRD-1 … PRD-5, SRV-6): probabilistic CLV (BG/NBD + Gamma-Gamma), churn risk
 * with its reasons, next purchase, item-to-item recommendations, fairness by group, and the
 * customer's right to no personalization.
 */
import { onCustomersMerged } from '../customers/index.js';
import { moveOnMerge } from './repository.js';

export { enqueueRun, RUN_QUEUE, registerPredictJobs, SCORE_QUEUE } from './jobs.js';
export { templateRecommendations } from './recommend-service.js';
export { scoreMembersSql, scoreValuesSql } from './repository.js';
export { predictRoutes } from './routes.js';
export {
  fitClv,
  onPredictionsScored,
  personalizationAllowed,
  runPredictions,
  scoreWorkspace,
} from './service.js';

/** The prediction scores a segment rule may use, and their columns. */
export const PREDICTION_SCORES = {
  churn_risk: 'churn_risk',
  p_alive: 'p_alive',
  clv: 'clv',
  expected_purchases_90: 'expected_90',
  purchase_probability_30: 'purchase_probability_30',
} as const;
export type PredictionScore = keyof typeof PREDICTION_SCORES;

// A merged-away profile's opt-out holds for the survivor; its scores go (the survivor is rescored).
onCustomersMerged('predict', (tx, e) => moveOnMerge(tx, e.workspaceId, e.survivorId, e.mergedId));
