/**
 * The supervised churn model: the feature pipeline (features.ts) and an L2-regularized logistic
 * regression (logistic.ts), its penalty chosen by seeded, stratified k-fold cross-validation on the
 * training rows only, then measured once on a held-out split. Pure functions, no database: the
 * model is plain JSON, to be stored and scored later.
 */

import {
  type FeatureRow,
  type FeatureSpec,
  type FeatureValue,
  type FittedPipeline,
  fitPipeline,
  type PipelineOptions,
  transformRow,
  transformRows,
} from './features.js';
import { contributions, fitLogistic, type LogisticModel, logOdds, sigmoid } from './logistic.js';
import {
  brier,
  type CalibrationBin,
  calibrationBins,
  type Label,
  logLoss,
  rocAuc,
  type Split,
  stratifiedFolds,
  stratifiedSplit,
} from './metrics.js';

export const CHURN_MODEL_FORMAT = 'kith.churn-logistic';
export const CHURN_MODEL_VERSION = 1;

/** The default penalty grid (on the sum-of-losses scale of fitLogistic). */
export const DEFAULT_L2_GRID = [0.01, 0.1, 0.3, 1, 3, 10, 30, 100, 300];

export interface TrainChurnOptions {
  /** Seed of the held-out split and of the folds; default 1. */
  seed?: number;
  /** Held-out share for the reported metrics; default 0.2 (stratified). */
  testFraction?: number;
  /** An explicit split (row indices) instead of the seeded one, e.g. splitByTime's. */
  split?: Split;
  /** Cross-validation folds; default 5. */
  folds?: number;
  /** Candidate penalties; default DEFAULT_L2_GRID. */
  l2Grid?: number[];
  maxIter?: number;
  tol?: number;
  pipeline?: PipelineOptions;
  /**
   * After measuring on the held-out rows, refit (same l2) on all rows; default false. The metrics
   * then describe the train-only model that preceded the stored one.
   */
  refitOnAll?: boolean;
}

export interface CvResult {
  l2: number;
  /** Mean over folds of the fold's held-out log loss and AUC. */
  logLoss: number;
  auc: number;
}

export interface ChurnModel {
  format: typeof CHURN_MODEL_FORMAT;
  version: typeof CHURN_MODEL_VERSION;
  spec: FeatureSpec[];
  pipeline: FittedPipeline;
  logistic: LogisticModel;
  l2: number;
  /** How many rows the stored model was fitted on. */
  fittedRows: number;
}

export interface ChurnMetrics {
  /** On the held-out rows. */
  auc: number;
  logLoss: number;
  brier: number;
  calibration: CalibrationBin[];
  trainRows: number;
  testRows: number;
  /** The positive share of all labelled rows. */
  positiveRate: number;
  /** The chosen penalty and every candidate's cross-validated figures. */
  l2: number;
  cv: CvResult[];
}

export interface TrainedChurnModel {
  model: ChurnModel;
  metrics: ChurnMetrics;
}

function fitOn(
  rows: readonly FeatureRow[],
  labels: readonly Label[],
  spec: readonly FeatureSpec[],
  l2: number,
  opts: TrainChurnOptions,
): { pipeline: FittedPipeline; logistic: LogisticModel } {
  const pipeline = fitPipeline(rows, spec, opts.pipeline);
  const X = transformRows(pipeline, rows);
  const logistic = fitLogistic(
    X,
    labels.map((l) => (l === true || l === 1 ? 1 : 0)),
    { l2, maxIter: opts.maxIter ?? 100, tol: opts.tol ?? 1e-8 },
  );
  return { pipeline, logistic };
}

function pick<T>(items: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => items[i] as T);
}

/** Cross-validated log loss and AUC of each penalty, on the given (training) rows. */
export function crossValidateL2(
  rows: readonly FeatureRow[],
  labels: readonly Label[],
  spec: readonly FeatureSpec[],
  opts: TrainChurnOptions = {},
): CvResult[] {
  const k = opts.folds ?? 5;
  const grid = opts.l2Grid ?? DEFAULT_L2_GRID;
  const fold = stratifiedFolds(labels, k, opts.seed ?? 1);
  const results = grid.map((l2) => ({ l2, logLoss: 0, auc: 0 }));
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const validIdx: number[] = [];
    fold.forEach((g, i) => {
      (g === f ? validIdx : trainIdx).push(i);
    });
    const trRows = pick(rows, trainIdx);
    const trLabels = pick(labels, trainIdx);
    const vaRows = pick(rows, validIdx);
    const vaLabels = pick(labels, validIdx);
    // The pipeline (levels, knots) is refitted inside each fold: the validation rows are unseen.
    const pipeline = fitPipeline(trRows, spec, opts.pipeline);
    const Xtr = transformRows(pipeline, trRows);
    const Xva = transformRows(pipeline, vaRows);
    const ytr = trLabels.map((l) => (l === true || l === 1 ? 1 : 0));
    for (const r of results) {
      const m = fitLogistic(Xtr, ytr, { l2: r.l2, maxIter: opts.maxIter ?? 100, tol: opts.tol ?? 1e-8 });
      const probs = Xva.map((x) => sigmoid(logOdds(m, x)));
      r.logLoss += logLoss(probs, vaLabels) / k;
      r.auc += rocAuc(probs, vaLabels) / k;
    }
  }
  return results;
}

/**
 * Trains the churn model: split (seeded, stratified, or `opts.split`), choose l2 by k-fold CV on
 * the training rows (lowest mean log loss; the larger penalty on a tie), fit on the training rows,
 * measure on the held-out rows.
 */
export function trainChurnModel(
  rows: readonly FeatureRow[],
  labels: readonly Label[],
  spec: readonly FeatureSpec[],
  opts: TrainChurnOptions = {},
): TrainedChurnModel {
  if (rows.length !== labels.length) throw new Error(`${rows.length} rows but ${labels.length} labels`);
  const split = opts.split ?? stratifiedSplit(labels, opts.testFraction ?? 0.2, opts.seed ?? 1);
  if (split.test.length === 0 || split.train.length === 0) throw new Error('the split leaves no training or test rows');
  const trRows = pick(rows, split.train);
  const trLabels = pick(labels, split.train);
  const teRows = pick(rows, split.test);
  const teLabels = pick(labels, split.test);

  const cv = crossValidateL2(trRows, trLabels, spec, opts);
  let best: CvResult | undefined;
  for (const r of [...cv].sort((a, b) => a.l2 - b.l2)) if (best === undefined || r.logLoss <= best.logLoss) best = r;
  if (!best) throw new Error('the l2 grid is empty');
  const l2 = best.l2;

  const fitted = fitOn(trRows, trLabels, spec, l2, opts);
  const model: ChurnModel = {
    format: CHURN_MODEL_FORMAT,
    version: CHURN_MODEL_VERSION,
    spec: spec.map((s) => ({ ...s })),
    pipeline: fitted.pipeline,
    logistic: fitted.logistic,
    l2,
    fittedRows: trRows.length,
  };
  const probs = teRows.map((r) => sigmoid(logOdds(model.logistic, transformRow(model.pipeline, r))));
  let positives = 0;
  for (const l of labels) if (l === true || l === 1) positives++;
  const metrics: ChurnMetrics = {
    auc: rocAuc(probs, teLabels),
    logLoss: logLoss(probs, teLabels),
    brier: brier(probs, teLabels),
    calibration: calibrationBins(probs, teLabels, 10),
    trainRows: trRows.length,
    testRows: teRows.length,
    positiveRate: labels.length ? positives / labels.length : Number.NaN,
    l2,
    cv,
  };
  if (opts.refitOnAll) {
    const all = fitOn(rows, labels, spec, l2, opts);
    model.pipeline = all.pipeline;
    model.logistic = all.logistic;
    model.fittedRows = rows.length;
  }
  return { model, metrics };
}

export interface ChurnReason {
  /** The source feature (the spec's name). */
  feature: string;
  direction: 'up' | 'down';
  /** Log-odds relative to a customer at the training mean (summed over the feature's columns). */
  impact: number;
  /** The row's raw value for the feature. */
  value: FeatureValue;
}

export interface ChurnScore {
  probability: number;
  /** Log-odds = baseline + Σ impacts (over all features, including those left out by `top`). */
  logOdds: number;
  /** The log-odds of a customer at the training mean. */
  baseline: number;
  /** Largest |impact| first; features with no effect are left out. */
  reasons: ChurnReason[];
}

/** Scores one customer: the churn probability and why, per source feature. */
export function scoreChurn(model: ChurnModel, row: FeatureRow, opts: { top?: number } = {}): ChurnScore {
  if (model.format !== CHURN_MODEL_FORMAT || model.version !== CHURN_MODEL_VERSION) {
    throw new Error(`not a ${CHURN_MODEL_FORMAT} v${CHURN_MODEL_VERSION} model`);
  }
  const x = transformRow(model.pipeline, row);
  const eta = logOdds(model.logistic, x);
  const byFeature = new Map<string, number>();
  for (const c of contributions(model.logistic, x)) {
    const source = (model.pipeline.columns[c.index] as { source: string }).source;
    byFeature.set(source, (byFeature.get(source) ?? 0) + c.contribution);
  }
  const reasons: ChurnReason[] = [];
  for (const [feature, impact] of byFeature) {
    if (impact === 0) continue;
    reasons.push({ feature, direction: impact > 0 ? 'up' : 'down', impact, value: row[feature] ?? null });
  }
  reasons.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact) || (a.feature < b.feature ? -1 : 1));
  return {
    probability: sigmoid(eta),
    logOdds: eta,
    baseline: model.logistic.intercept,
    reasons: opts.top === undefined ? reasons : reasons.slice(0, opts.top),
  };
}
