/**
 * A model's fairness report: how it ranks and how well it is calibrated within each group of a
 * dimension (country, acquisition channel, age band, …), against the whole population. Pure.
 *
 * For a classifier, calibration compares the mean score with the observed positive rate; for a
 * regression-like model (e.g. predicted spend), `predicted` and `actual` give the two means. A
 * group of at least `minGroupSize` rows is flagged when its AUC differs from the overall AUC by more
 * than `aucGap` (`auc_gap`), or its calibration ratio (mean predicted ÷ mean observed) is off 1 by
 * more than `calibrationGap` (`calibration_gap`). Smaller groups are reported with status
 * `too_small` and never flagged: their figures are noise.
 */

import { type Label, rocAuc } from './metrics.js';

export interface FairnessInput {
  /** One entry per dimension; `values[i]` is row i's group (null: unknown). */
  groups: { dimension: string; values: readonly (string | null)[] }[];
  /** The model's scores (probabilities for a classifier), one per row. */
  scores: ArrayLike<number>;
  /** Observed outcomes (0/1), for AUC, positive rates and a classifier's calibration. */
  labels?: ArrayLike<Label>;
  /** A regression-like model's predictions and the actual values, for calibration (instead of scores/labels). */
  predicted?: ArrayLike<number>;
  actual?: ArrayLike<number>;
  minGroupSize?: number;
  aucGap?: number;
  calibrationGap?: number;
}

export type FairnessReason = 'auc_gap' | 'calibration_gap';

export interface GroupFigures {
  n: number;
  /** Observed positive share (null without labels). */
  positiveRate: number | null;
  meanScore: number;
  /** Null without labels, or when the group has only one class. */
  auc: number | null;
  /** The means that calibration compares (null when not available). */
  meanPredicted: number | null;
  meanActual: number | null;
  /** meanPredicted ÷ meanActual; null when not available or meanActual is 0. */
  calibrationRatio: number | null;
}

export interface GroupReport extends GroupFigures {
  value: string | null;
  status: 'ok' | 'flagged' | 'too_small';
  flagged: boolean;
  reasons: FairnessReason[];
}

export interface DimensionReport {
  dimension: string;
  /** Largest group first; the unknown (null) group last. */
  groups: GroupReport[];
  flaggedGroups: number;
}

export interface FairnessReport {
  overall: GroupFigures;
  dimensions: DimensionReport[];
  flaggedGroups: number;
  thresholds: { minGroupSize: number; aucGap: number; calibrationGap: number };
}

function label01(v: Label): 0 | 1 {
  return v === true || v === 1 ? 1 : 0;
}

function figures(idx: readonly number[], input: FairnessInput): GroupFigures {
  const n = idx.length;
  const { scores, labels } = input;
  let sumScore = 0;
  for (const i of idx) sumScore += scores[i] as number;
  let positiveRate: number | null = null;
  let auc: number | null = null;
  if (labels) {
    let pos = 0;
    for (const i of idx) pos += label01(labels[i] as Label);
    positiveRate = n ? pos / n : null;
    const a = rocAuc(
      idx.map((i) => scores[i] as number),
      idx.map((i) => labels[i] as Label),
    );
    auc = Number.isNaN(a) ? null : a;
  }
  let meanPredicted: number | null = null;
  let meanActual: number | null = null;
  if (n && input.predicted && input.actual) {
    let sp = 0;
    let sa = 0;
    for (const i of idx) {
      sp += input.predicted[i] as number;
      sa += input.actual[i] as number;
    }
    meanPredicted = sp / n;
    meanActual = sa / n;
  } else if (n && labels) {
    meanPredicted = sumScore / n;
    meanActual = positiveRate;
  }
  const calibrationRatio =
    meanPredicted !== null && meanActual !== null && meanActual !== 0 ? meanPredicted / meanActual : null;
  return {
    n,
    positiveRate,
    meanScore: n ? sumScore / n : Number.NaN,
    auc,
    meanPredicted,
    meanActual,
    calibrationRatio,
  };
}

export function fairnessReport(input: FairnessInput): FairnessReport {
  const n = input.scores.length;
  const minGroupSize = input.minGroupSize ?? 30;
  const aucGap = input.aucGap ?? 0.1;
  const calibrationGap = input.calibrationGap ?? 0.25;
  const check = (what: string, a: { length: number } | undefined) => {
    if (a && a.length !== n) throw new Error(`fairnessReport: ${what} has ${a.length} entries, scores ${n}`);
  };
  check('labels', input.labels);
  check('predicted', input.predicted);
  check('actual', input.actual);
  if ((input.predicted === undefined) !== (input.actual === undefined)) {
    throw new Error('fairnessReport: give both predicted and actual, or neither');
  }
  for (const g of input.groups) check(`dimension ${g.dimension}`, g.values);

  const all = Array.from({ length: n }, (_, i) => i);
  const overall = figures(all, input);
  let totalFlagged = 0;
  const dimensions = input.groups.map((dim): DimensionReport => {
    const members = new Map<string | null, number[]>();
    dim.values.forEach((v, i) => {
      const key = v ?? null;
      const list = members.get(key);
      if (list) list.push(i);
      else members.set(key, [i]);
    });
    const groups = [...members.entries()].map(([value, idx]): GroupReport => {
      const f = figures(idx, input);
      const reasons: FairnessReason[] = [];
      const tooSmall = f.n < minGroupSize;
      if (!tooSmall) {
        if (f.auc !== null && overall.auc !== null && Math.abs(f.auc - overall.auc) > aucGap) reasons.push('auc_gap');
        if (f.calibrationRatio !== null && Math.abs(f.calibrationRatio - 1) > calibrationGap) {
          reasons.push('calibration_gap');
        }
      }
      const flagged = reasons.length > 0;
      return { value, ...f, status: tooSmall ? 'too_small' : flagged ? 'flagged' : 'ok', flagged, reasons };
    });
    groups.sort((a, b) => {
      if ((a.value === null) !== (b.value === null)) return a.value === null ? 1 : -1;
      return b.n - a.n || ((a.value ?? '') < (b.value ?? '') ? -1 : 1);
    });
    const flaggedGroups = groups.filter((g) => g.flagged).length;
    totalFlagged += flaggedGroups;
    return { dimension: dim.dimension, groups, flaggedGroups };
  });
  return { overall, dimensions, flaggedGroups: totalFlagged, thresholds: { minGroupSize, aucGap, calibrationGap } };
}

export type AgeBand = '18-24' | '25-34' | '35-44' | '45-54' | '55-64' | '65+';

/**
 * The age band of a birthdate on `now` (full years, UTC calendar dates); null when the birthdate is
 * missing, invalid, in the future or under 18.
 */
export function ageBand(birthdate: Date | string | null | undefined, now: Date = new Date()): AgeBand | null {
  if (birthdate === null || birthdate === undefined || birthdate === '') return null;
  const b = birthdate instanceof Date ? birthdate : new Date(birthdate);
  if (Number.isNaN(b.getTime()) || Number.isNaN(now.getTime())) return null;
  let age = now.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < b.getUTCMonth() || (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate());
  if (beforeBirthday) age--;
  if (age < 18) return null;
  if (age <= 24) return '18-24';
  if (age <= 34) return '25-34';
  if (age <= 44) return '35-44';
  if (age <= 54) return '45-54';
  if (age <= 64) return '55-64';
  return '65+';
}
