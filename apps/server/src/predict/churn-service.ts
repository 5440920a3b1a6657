/**
 * Churn risk (PRD-2): a supervised model trained on the workspace's own history, checked on a
 * later period than it learned from. A snapshot of every customer's behaviour is taken at two
 * past moments: the model learns from the older one (did they order in the 90 days after?),
 * and is scored on the newer one — the AUC the owner sees — next to 1 − P(alive) on the same
 * customers. The model kept is then refitted on the newer snapshot and applied to today.
 */
import { scoreChurn, trainChurnModel } from './churn-model.js';
import type { FeatureSpec } from './features.js';
import { rocAuc, seededShuffle } from './metrics.js';
import type { ChurnSnapshotRow } from './repository.js';
import { DAY_MS } from './time.js';

export const CHURN_HORIZON_DAYS = 90;
/** Fewer customers than this in a snapshot, or fewer of either outcome, and there is nothing to learn. */
const MIN_ROWS = 200;
const MIN_CLASS = 20;

/** The features, in the order the model sees them (labels: messages.ts `f_<name>`). */
export const CHURN_FEATURES: FeatureSpec[] = [
  { name: 'days_since_last_order', kind: 'numeric', transform: 'log1p', knots: 4 },
  { name: 'orders', kind: 'numeric', transform: 'log1p' },
  { name: 'tenure_days', kind: 'numeric', transform: 'log1p', knots: 4 },
  { name: 'avg_order_value', kind: 'numeric', transform: 'log1p' },
  { name: 'avg_gap_days', kind: 'numeric', transform: 'log1p' },
  { name: 'overdue_ratio', kind: 'numeric', transform: 'log1p' },
  { name: 'refund_share', kind: 'numeric' },
  { name: 'channels', kind: 'numeric' },
  { name: 'events_90d', kind: 'numeric', transform: 'log1p' },
  { name: 'days_since_last_event', kind: 'numeric', transform: 'log1p' },
  { name: 'p_alive', kind: 'numeric' },
  { name: 'acquisition_channel', kind: 'categorical' },
];

export type FeatureRow = Record<string, number | string | null>;

/** One customer's features as of `at`. */
export function churnFeatures(
  r: ChurnSnapshotRow,
  at: Date,
  pAlive: number | null,
  acquisitionChannel: string | null,
): FeatureRow {
  const days = (d: Date) => Math.max(0, (at.getTime() - d.getTime()) / DAY_MS);
  const since = days(r.last_order_at);
  const tenure = days(r.first_order_at);
  const gap = r.orders > 1 ? (r.last_order_at.getTime() - r.first_order_at.getTime()) / DAY_MS / (r.orders - 1) : null;
  const gross = r.revenue + r.refunded;
  return {
    days_since_last_order: since,
    orders: r.orders,
    tenure_days: tenure,
    avg_order_value: r.orders > 0 ? Math.max(0, r.revenue / r.orders) : 0,
    avg_gap_days: gap,
    overdue_ratio: gap && gap > 0 ? since / gap : null,
    refund_share: gross > 0 ? Math.min(1, Math.max(0, r.refunded / gross)) : 0,
    channels: r.channels,
    events_90d: r.events_90d,
    days_since_last_event: r.last_event_at ? days(r.last_event_at) : null,
    p_alive: pAlive,
    acquisition_channel: acquisitionChannel ?? 'unknown',
  };
}

export interface ChurnTraining {
  train: { rows: FeatureRow[]; churned: number[] };
  test: { rows: FeatureRow[]; churned: number[]; pAlive: number[]; ids: string[] };
}

export interface ChurnFit {
  kind: 'supervised' | 'p_alive';
  model: ReturnType<typeof trainChurnModel>['model'] | null;
  auc: number | null;
  baselineAuc: number | null;
  trainCustomers: number;
  testCustomers: number;
  churnRate: number | null;
  /** Test-set churn probabilities (for the fairness report), aligned with `test.ids`. */
  testScores: number[];
  /** Mean absolute contribution (log-odds) of each feature over the test customers, largest first. */
  importance: { feature: string; weight: number }[];
  warnings: { code: string; params?: Record<string, string | number> }[];
}

/** Training beyond this many customers adds little and costs linear time: a seeded sample is used. */
const MAX_TRAIN_ROWS = 50_000;

function capped(rows: FeatureRow[], churned: number[]) {
  if (rows.length <= MAX_TRAIN_ROWS) return { rows, churned };
  const order = seededShuffle(
    rows.map((_, i) => i),
    11,
  ).slice(0, MAX_TRAIN_ROWS);
  return { rows: order.map((i) => rows[i] as FeatureRow), churned: order.map((i) => churned[i] as number) };
}

const enough = (churned: number[]) => {
  const pos = churned.reduce((a, b) => a + b, 0);
  return churned.length >= MIN_ROWS && pos >= MIN_CLASS && churned.length - pos >= MIN_CLASS;
};

/**
 * Trains on the older snapshot, measures on the newer one against 1 − P(alive), then refits on
 * the newer one. Without enough history for either, churn risk falls back to 1 − P(alive).
 */
export function fitChurn(t: ChurnTraining): ChurnFit {
  const warnings: ChurnFit['warnings'] = [];
  const testChurned = t.test.churned;
  const churnRate = testChurned.length ? testChurned.reduce((a, b) => a + b, 0) / testChurned.length : null;
  const baselineAuc =
    enough(testChurned) || (testChurned.length >= 30 && churnRate !== null && churnRate > 0 && churnRate < 1)
      ? rocAuc(
          t.test.pAlive.map((p) => 1 - p),
          testChurned,
        )
      : null;
  if (!enough(t.train.churned) || !enough(testChurned)) {
    const oneClass = churnRate === 0 || churnRate === 1;
    warnings.push(
      oneClass
        ? { code: 'one_class' }
        : { code: 'too_little_history', params: { needed: MIN_ROWS, days: 2 * CHURN_HORIZON_DAYS } },
    );
    return {
      kind: 'p_alive',
      model: null,
      auc: baselineAuc,
      baselineAuc,
      trainCustomers: t.train.rows.length,
      testCustomers: t.test.rows.length,
      churnRate,
      testScores: t.test.pAlive.map((p) => 1 - p),
      importance: [],
      warnings,
    };
  }
  const train = capped(t.train.rows, t.train.churned);
  const checked = trainChurnModel(train.rows, train.churned, CHURN_FEATURES, { seed: 7, refitOnAll: true });
  const scored = t.test.rows.map((r) => scoreChurn(checked.model, r));
  const testScores = scored.map((s) => s.probability);
  const sums = new Map<string, number>();
  for (const s of scored)
    for (const r of s.reasons) sums.set(r.feature, (sums.get(r.feature) ?? 0) + Math.abs(r.impact));
  const importance = [...sums]
    .map(([feature, total]) => ({ feature, weight: Math.round((total / scored.length) * 1000) / 1000 }))
    .sort((a, b) => b.weight - a.weight);
  const auc = rocAuc(testScores, testChurned);
  if (auc < 0.6 || (baselineAuc !== null && auc < baselineAuc - 0.02)) {
    warnings.push({ code: 'weak_model', params: { auc: Math.round(auc * 1000) / 1000 } });
  }
  const latest = capped(t.test.rows, testChurned);
  const final = trainChurnModel(latest.rows, latest.churned, CHURN_FEATURES, { seed: 7, refitOnAll: true });
  return {
    kind: 'supervised',
    model: final.model,
    auc,
    baselineAuc,
    trainCustomers: t.train.rows.length,
    testCustomers: t.test.rows.length,
    churnRate,
    testScores,
    importance,
    warnings,
  };
}

export interface ChurnReason {
  feature: string;
  direction: 'up' | 'down';
  impact: number;
  value: string | number | null;
}

/** A customer's churn risk now, with the factors pushing it up or down (top 4). */
export function churnRisk(
  fit: { kind: string; model: unknown },
  row: FeatureRow,
): { risk: number; reasons: ChurnReason[] } {
  if (fit.kind === 'supervised' && fit.model) {
    const s = scoreChurn(fit.model as ReturnType<typeof trainChurnModel>['model'], row);
    return {
      risk: s.probability,
      reasons: s.reasons.slice(0, 4).map((r) => ({
        feature: r.feature,
        direction: r.direction,
        impact: Math.round(r.impact * 1000) / 1000,
        value: row[r.feature] ?? null,
      })),
    };
  }
  // Without a trained model: 1 − P(alive), explained by what it rests on — how long since the
  // last order, against the customer's own usual gap when they have one.
  const pAlive = typeof row.p_alive === 'number' ? row.p_alive : 0.5;
  const reasons: ChurnReason[] = [
    {
      feature: 'p_alive',
      direction: pAlive < 0.5 ? 'up' : 'down',
      impact: Math.round((0.5 - pAlive) * 1000) / 1000,
      value: Math.round(pAlive * 1000) / 1000,
    },
  ];
  const overdue = row.overdue_ratio;
  if (typeof overdue === 'number') {
    reasons.push({
      feature: 'overdue_ratio',
      direction: overdue > 1 ? 'up' : 'down',
      impact: Math.round(Math.log(Math.max(overdue, 1e-3)) * 1000) / 1000,
      value: Math.round(overdue * 100) / 100,
    });
  }
  return { risk: 1 - pAlive, reasons };
}
