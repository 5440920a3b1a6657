import { describe, expect, it } from 'vitest';
import type { FairnessModel } from './api';
import {
  aucLevel,
  bucketRows,
  calibrationEndIssue,
  compareWithBaseline,
  fairnessRows,
  flaggedCount,
  isKnownWarning,
  jobFinished,
  jobPercent,
  readClv,
  topFeatures,
  trackingRows,
} from './model';

describe('reading the CLV parameters', () => {
  it('turns r, α, a, b, p, q, γ into a purchase rate, a dropout chance and an order value', () => {
    const reading = readClv({ r: 0.25, alpha: 5, a: 0.8, b: 2.4, p: 6, q: 4, gamma: 15 });
    expect(reading.purchaseRate).toBeCloseTo(0.05);
    expect(reading.dropout).toBeCloseTo(0.25);
    expect(reading.orderValue).toBeCloseTo(30); // 6 · 15 / (4 − 1)
  });

  it('says nothing it cannot: no spend model, or q ≤ 1 (no finite mean)', () => {
    expect(readClv({ r: 1, alpha: 2, a: 1, b: 1, p: null, q: null, gamma: null }).orderValue).toBeNull();
    expect(readClv({ r: 1, alpha: 2, a: 1, b: 1, p: 2, q: 1, gamma: 3 }).orderValue).toBeNull();
    expect(readClv({ r: 1, alpha: 0, a: 0, b: 1, p: null, q: null, gamma: null })).toEqual({
      purchaseRate: null,
      dropout: null,
      orderValue: null,
    });
  });
});

describe('chart rows', () => {
  it('orders the frequency buckets 0…6 then 7+, and the tracking curve by period', () => {
    const buckets = ['7+', '10', '2', '0', '1'].map((frequency) => ({
      frequency,
      customers: 1,
      predicted: 1,
      actual: 1,
    }));
    expect(bucketRows(buckets).map((b) => b.frequency)).toEqual(['0', '1', '2', '7+', '10']);
    expect(
      trackingRows([
        { period: 3, actual: 9, predicted: 8 },
        { period: 1, actual: 2, predicted: 3 },
      ]).map((r) => r.period),
    ).toEqual([1, 3]);
  });

  it('keeps the churn factors that weigh most either way', () => {
    const features = [
      { key: 'a', label: 'A', weight: 0.1 },
      { key: 'b', label: 'B', weight: -0.9 },
      { key: 'c', label: 'C', weight: 0.5 },
    ];
    expect(topFeatures(features, 2).map((f) => f.key)).toEqual(['b', 'c']);
  });
});

describe('churn model against its baseline', () => {
  it('calls a difference of a hundredth or more better or worse, anything less the same', () => {
    expect(compareWithBaseline(0.78, 0.7)).toEqual({ verdict: 'better', difference: expect.closeTo(0.08) });
    expect(compareWithBaseline(0.7, 0.705)?.verdict).toBe('same');
    expect(compareWithBaseline(0.6, 0.7)?.verdict).toBe('worse');
    expect(compareWithBaseline(null, 0.7)).toBeNull();
  });

  it('puts an AUC in words', () => {
    expect([0.85, 0.72, 0.61, 0.5, null].map(aucLevel)).toEqual(['strong', 'useful', 'weak', 'random', null]);
  });
});

describe('fairness', () => {
  const model: FairnessModel = {
    model: 'churn',
    metric: 'auc',
    overall: { auc: 0.8, predicted: 0.3, actual: 0.3 },
    groups: [
      {
        dimension: 'country',
        value: 'ES',
        customers: 50,
        auc: 0.8,
        predicted: 0.3,
        actual: 0.3,
        ratio: 1,
        flagged: false,
        reason: null,
      },
      {
        dimension: 'age_band',
        value: '25-34',
        customers: 10,
        auc: null,
        predicted: 0.2,
        actual: 0.1,
        ratio: 2,
        flagged: true,
        reason: 'too_small',
      },
      {
        dimension: 'country',
        value: 'FR',
        customers: 20,
        auc: 0.6,
        predicted: 0.3,
        actual: 0.5,
        ratio: 0.6,
        flagged: true,
        reason: 'auc_gap',
      },
      {
        dimension: 'acquisition_channel',
        value: 'web',
        customers: 70,
        auc: 0.8,
        predicted: 0.3,
        actual: 0.3,
        ratio: 1,
        flagged: false,
        reason: null,
      },
    ],
  };
  it('lists groups by dimension, flagged ones first', () => {
    expect(fairnessRows(model).map((g) => g.value)).toEqual(['web', 'FR', 'ES', '25-34']);
    expect(flaggedCount([model, { ...model, groups: [] }])).toBe(2);
  });
});

describe('the refit job and the fit form', () => {
  it('shows progress as a whole percent and notices when a run ends', () => {
    expect(jobPercent({ progress: 0.456 })).toBe(46);
    expect(jobPercent({ progress: 3 })).toBe(100);
    expect(jobPercent(null)).toBe(0);
    expect(jobFinished('running', 'completed')).toBe(true);
    expect(jobFinished('queued', 'failed')).toBe(true);
    expect(jobFinished(undefined, 'completed')).toBe(false);
    expect(jobFinished('completed', 'completed')).toBe(false);
  });

  it('accepts an empty end of calibration or a day before today', () => {
    expect(calibrationEndIssue('', '2025-06-01')).toBeNull();
    expect(calibrationEndIssue('2025-03-31', '2025-06-01')).toBeNull();
    expect(calibrationEndIssue('2025-06-01', '2025-06-01')).toBe('future');
    expect(calibrationEndIssue('31/03/2025', '2025-06-01')).toBe('date');
  });

  it('knows the warning codes it can explain', () => {
    expect(isKnownWarning({ code: 'short_holdout' })).toBe(true);
    expect(isKnownWarning({ code: 'weak_model' })).toBe(true);
    expect(isKnownWarning({ code: 'something_new' })).toBe(false);
  });
});
