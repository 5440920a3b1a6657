/** Pure helpers of the predictions screens: what the charts plot, what the numbers mean, which words to use. */
import type { ChurnModel, ClvModel, FairnessGroup, FairnessModel, ModelWarning, PredictionJob } from './api';

/** Warnings the server explains (any other code is shown as "the model reported a problem"). */
export const WARNING_CODES = [
  'few_customers',
  'few_repeat_customers',
  'not_converged',
  'starts_disagree',
  'short_holdout',
  'no_holdout',
  'poor_fit',
  'no_orders',
  'too_little_history',
  'one_class',
  'weak_model',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export const isKnownWarning = (w: ModelWarning): w is ModelWarning & { code: WarningCode } =>
  (WARNING_CODES as readonly string[]).includes(w.code);

/** The CLV model's parameters in the order the page explains them; spend ones are null without enough repeat buyers. */
export const CLV_PARAMETERS = ['r', 'alpha', 'a', 'b', 'p', 'q', 'gamma'] as const;
export type ClvParameter = (typeof CLV_PARAMETERS)[number];

/** What the parameters say together, in numbers a person can read. */
export interface ClvReading {
  /** Purchases per time unit of an average customer while still active: r / α. */
  purchaseRate: number | null;
  /** The average chance that a customer stops buying after a purchase: a / (a + b). */
  dropout: number | null;
  /** The average order value the spend model expects: p·γ / (q − 1), when q > 1. */
  orderValue: number | null;
}

const positive = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function readClv(m: Pick<ClvModel, 'r' | 'alpha' | 'a' | 'b' | 'p' | 'q' | 'gamma'>): ClvReading {
  return {
    purchaseRate: positive(m.r) && positive(m.alpha) ? m.r / m.alpha : null,
    dropout: positive(m.a) && positive(m.b) ? m.a / (m.a + m.b) : null,
    orderValue: positive(m.p) && positive(m.gamma) && positive(m.q) && m.q > 1 ? (m.p * m.gamma) / (m.q - 1) : null,
  };
}

/** A bucket label's order: '0' … '6', then '7+' (anything unreadable last, as sent). */
const bucketOrder = (frequency: string) => {
  const n = Number.parseInt(frequency, 10);
  return Number.isNaN(n) ? Number.POSITIVE_INFINITY : n + (frequency.endsWith('+') ? 0.5 : 0);
};

/** Rows of the predicted-against-actual bar chart, by calibration frequency. */
export function bucketRows(buckets: ClvModel['diagnostics']['buckets']) {
  return [...buckets]
    .sort((x, y) => bucketOrder(x.frequency) - bucketOrder(y.frequency))
    .map((b) => ({ frequency: b.frequency, customers: b.customers, predicted: b.predicted, actual: b.actual }));
}

/** Rows of the tracking line chart, in period order. */
export function trackingRows(tracking: ClvModel['diagnostics']['tracking']) {
  return [...tracking].sort((x, y) => x.period - y.period);
}

/** The `count` features that weigh most either way, heaviest first. */
export function topFeatures(features: ChurnModel['features'], count = 10) {
  return [...features].sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight)).slice(0, count);
}

/** How the churn model compares with the plain 1 − P(alive) baseline on the same customers. */
export function compareWithBaseline(
  auc: number | null,
  baseline: number | null,
): { verdict: 'better' | 'same' | 'worse'; difference: number } | null {
  if (auc === null || baseline === null || !Number.isFinite(auc) || !Number.isFinite(baseline)) return null;
  const difference = auc - baseline;
  // Differences under a hundredth of AUC are noise on test sets of a few hundred customers.
  const verdict = difference >= 0.01 ? 'better' : difference <= -0.01 ? 'worse' : 'same';
  return { verdict, difference };
}

/** An AUC in words: 0.5 is a coin toss. */
export function aucLevel(auc: number | null): 'strong' | 'useful' | 'weak' | 'random' | null {
  if (auc === null || !Number.isFinite(auc)) return null;
  if (auc >= 0.8) return 'strong';
  if (auc >= 0.7) return 'useful';
  if (auc >= 0.6) return 'weak';
  return 'random';
}

const DIMENSION_ORDER = ['acquisition_channel', 'country', 'age_band'] as const;

/** A fairness table's rows: by dimension, flagged groups first, then the largest. */
export function fairnessRows(model: FairnessModel): FairnessGroup[] {
  const dim = (d: string) => {
    const i = (DIMENSION_ORDER as readonly string[]).indexOf(d);
    return i === -1 ? DIMENSION_ORDER.length : i;
  };
  return [...model.groups].sort(
    (x, y) =>
      dim(x.dimension) - dim(y.dimension) ||
      Number(y.flagged) - Number(x.flagged) ||
      y.customers - x.customers ||
      x.value.localeCompare(y.value),
  );
}

/** How many groups of all models are flagged. */
export const flaggedCount = (models: FairnessModel[]) =>
  models.reduce((n, m) => n + m.groups.filter((g) => g.flagged).length, 0);

/** A job's progress as a whole percent, 0…100. */
export function jobPercent(job: Pick<PredictionJob, 'progress'> | null | undefined): number {
  const p = job?.progress;
  if (typeof p !== 'number' || !Number.isFinite(p)) return 0;
  return Math.round(Math.min(1, Math.max(0, p)) * 100);
}

/** Whether the job just ended: it was queued or running before, and is completed or failed now. */
export function jobFinished(before: PredictionJob['status'] | undefined, now: PredictionJob['status'] | undefined) {
  return (before === 'queued' || before === 'running') && (now === 'completed' || now === 'failed');
}

/** The colour of a churn band and of a fit quality. */
export const BAND_COLORS = { low: 'green', medium: 'yellow', high: 'red' } as const;
export const FIT_COLORS = { good: 'green', fair: 'yellow', poor: 'red' } as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the CLV fit form's end of calibration: empty (the server chooses) or a day before `today`. */
export function calibrationEndIssue(value: string, today: string): 'date' | 'future' | null {
  if (!value) return null;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return 'date';
  return value >= today ? 'future' : null;
}
