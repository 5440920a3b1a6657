/**
 * How well a fitted BG/NBD predicts: calibration versus holdout by calibration frequency (the
 * check of FHL 2005, fig. 3), the cumulative repeat-transaction tracking curve (fig. 2), and
 * warnings a user can act on. Warning codes are stable identifiers for translation; `params`
 * carries the numbers to show.
 */
import { type BgNbdParams, bgNbdConditionalExpected, bgNbdUnconditionalExpected, compressRfm } from './bgnbd.js';

export type WarningCode =
  | 'too_few_customers'
  | 'too_few_repeat_customers'
  | 'not_converged'
  | 'starts_disagree'
  | 'no_holdout'
  | 'holdout_too_short'
  | 'large_prediction_gap';

export interface DiagnosticWarning {
  code: WarningCode;
  params: Record<string, number | string>;
}

export interface FrequencyBucket {
  /** Calibration repeat purchases: '0' … '6', '7+'. */
  frequency: string;
  customers: number;
  /** Mean predicted repeat purchases in the holdout. */
  predicted: number;
  /** Mean actual repeat purchases in the holdout. */
  actual: number;
}

export interface TrackingPoint {
  /** Weeks since the earliest first purchase. */
  period: number;
  /** Cumulative repeat transactions observed by the end of this week. */
  actual: number;
  /** Cumulative repeat transactions the model expects (Σ over customers of E[X(t)]). */
  predicted: number;
}

export interface DiagnosticsInput {
  params: BgNbdParams;
  /** The optimiser's report. */
  fit?: { converged: boolean; starts: number; startsAgreeing: number };
  summary: { x: Float64Array; tx: Float64Array; T: Float64Array };
  /** Actual repeat purchases of each customer in the holdout, and the holdout's length (model time unit). */
  holdoutX?: Float64Array;
  holdoutDuration?: number;
  /** For the tracking curve: first purchase days and all repeat purchase days (UTC day numbers). */
  tracking?: {
    firstPurchaseDay: Float64Array;
    repeatPurchaseDays: Float64Array;
    /** Last day of the data (the holdout end, or the calibration end). */
    lastDay: number;
    /** Days per model time unit (1 or 7). */
    unitDays: number;
  };
}

export interface Diagnostics {
  customers: number;
  repeatCustomers: number;
  buckets: FrequencyBucket[] | null;
  totals: { predicted: number; actual: number } | null;
  /**
   * Σ_b n_b |predicted_b − actual_b| / Σ_b n_b actual_b over the frequency buckets (a weighted
   * absolute percentage error of the bucket means), and the relative error of the total.
   */
  error: { bucketWape: number; totalRelative: number } | null;
  fitQuality: 'good' | 'fair' | 'poor';
  warnings: DiagnosticWarning[];
  tracking: TrackingPoint[] | null;
}

const BUCKETS = ['0', '1', '2', '3', '4', '5', '6', '7+'];

export function diagnoseBgNbd(input: DiagnosticsInput): Diagnostics {
  const { params, summary } = input;
  const n = summary.x.length;
  let repeatCustomers = 0;
  let maxT = 0;
  for (let i = 0; i < n; i++) {
    if (summary.x[i]! > 0) repeatCustomers++;
    if (summary.T[i]! > maxT) maxT = summary.T[i]!;
  }
  const warnings: DiagnosticWarning[] = [];
  let quality: 0 | 1 | 2 = 2; // 2 good, 1 fair, 0 poor
  const cap = (q: 0 | 1) => {
    if (quality > q) quality = q;
  };
  if (n < 100) {
    warnings.push({ code: 'too_few_customers', params: { customers: n, minimum: 100 } });
    cap(1);
  }
  if (repeatCustomers < 30) {
    warnings.push({ code: 'too_few_repeat_customers', params: { repeatCustomers, minimum: 30 } });
    cap(repeatCustomers < 10 ? 0 : 1);
  }
  if (input.fit && !input.fit.converged) {
    warnings.push({ code: 'not_converged', params: {} });
    cap(0);
  }
  if (input.fit && input.fit.startsAgreeing < input.fit.starts) {
    warnings.push({
      code: 'starts_disagree',
      params: { starts: input.fit.starts, agreeing: input.fit.startsAgreeing },
    });
    cap(input.fit.startsAgreeing >= 2 ? 1 : 0);
  }

  let buckets: FrequencyBucket[] | null = null;
  let totals: Diagnostics['totals'] = null;
  let error: Diagnostics['error'] = null;
  const h = input.holdoutDuration;
  if (input.holdoutX && h !== undefined && h > 0) {
    if (input.holdoutX.length !== n) throw new Error('holdoutX must have one value per customer');
    const count = new Float64Array(8);
    const pred = new Float64Array(8);
    const act = new Float64Array(8);
    // Customers with the same (x, t_x, T) share one prediction.
    const d = compressRfm(summary);
    const perRow = new Float64Array(d.x.length);
    for (let k = 0; k < d.x.length; k++) perRow[k] = bgNbdConditionalExpected(params, h, d.x[k]!, d.tx[k]!, d.T[k]!);
    for (let i = 0; i < n; i++) {
      const b = Math.min(7, Math.floor(summary.x[i]!));
      count[b]!++;
      pred[b]! += perRow[d.rowIndex[i]!]!;
      act[b]! += input.holdoutX[i]!;
    }
    buckets = BUCKETS.map((frequency, b) => ({
      frequency,
      customers: count[b]!,
      predicted: count[b]! > 0 ? pred[b]! / count[b]! : 0,
      actual: count[b]! > 0 ? act[b]! / count[b]! : 0,
    }));
    const tp = pred.reduce((s, v) => s + v, 0);
    const ta = act.reduce((s, v) => s + v, 0);
    totals = { predicted: tp, actual: ta };
    let absErr = 0;
    for (let b = 0; b < 8; b++) absErr += Math.abs(pred[b]! - act[b]!);
    const bucketWape = ta > 0 ? absErr / ta : Number.POSITIVE_INFINITY;
    const totalRelative = ta > 0 ? (tp - ta) / ta : Number.POSITIVE_INFINITY;
    error = { bucketWape, totalRelative };
    if (h < Math.max(0.25 * maxT, 28 / (input.tracking?.unitDays ?? 1))) {
      warnings.push({ code: 'holdout_too_short', params: { holdout: h, calibration: maxT } });
      cap(1);
    }
    if (Math.abs(totalRelative) > 0.2 || bucketWape > 0.3) {
      warnings.push({
        code: 'large_prediction_gap',
        params: { predicted: tp, actual: ta, bucketWape },
      });
      cap(Math.abs(totalRelative) > 0.5 || bucketWape > 0.6 ? 0 : 1);
    } else if (Math.abs(totalRelative) > 0.1 || bucketWape > 0.15) cap(1);
  } else {
    warnings.push({ code: 'no_holdout', params: {} });
    cap(1);
  }

  let tracking: TrackingPoint[] | null = null;
  if (input.tracking) tracking = trackingCurve(params, input.tracking);

  return {
    customers: n,
    repeatCustomers,
    buckets,
    totals,
    error,
    fitQuality: (['poor', 'fair', 'good'] as const)[quality],
    warnings,
    tracking,
  };
}

/**
 * Weekly cumulative repeat transactions, actual against Σᵢ E[X(tᵢ)] where tᵢ is the time from
 * customer i's first purchase to the end of the week (customers grouped by first purchase day).
 */
export function trackingCurve(params: BgNbdParams, t: NonNullable<DiagnosticsInput['tracking']>): TrackingPoint[] {
  const cohorts = new Map<number, number>();
  let origin = Number.POSITIVE_INFINITY;
  for (const d of t.firstPurchaseDay) {
    cohorts.set(d, (cohorts.get(d) ?? 0) + 1);
    if (d < origin) origin = d;
  }
  if (!Number.isFinite(origin)) return [];
  const weeks = Math.ceil((t.lastDay + 1 - origin) / 7);
  // Repeat purchases per week since the origin.
  const perWeek = new Float64Array(weeks + 1);
  for (const d of t.repeatPurchaseDays) {
    const w = Math.floor((d - origin) / 7);
    if (w >= 0 && w < weeks) perWeek[w]!++;
  }
  const out: TrackingPoint[] = [];
  let actual = 0;
  for (let w = 1; w <= weeks; w++) {
    actual += perWeek[w - 1]!;
    const end = origin + 7 * w; // the first day after week w
    let predicted = 0;
    for (const [day, count] of cohorts) {
      if (day < end) predicted += count * bgNbdUnconditionalExpected(params, (end - day - 1) / t.unitDays);
    }
    out.push({ period: w, actual, predicted });
  }
  return out;
}
