import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { type ChurnModel, scoreChurn, trainChurnModel } from './churn-model.js';
import { type FeatureRow, type FeatureSpec, fitPipeline, transformRow, transformRows } from './features.js';
import { fitLogistic, predictLogistic } from './logistic.js';
import { rocAuc, seededRandom, stratifiedSplit } from './metrics.js';

// The IBM Telco Customer Churn data set (7,043 customers), when present next to the repository.
const FILE = path.resolve(import.meta.dirname, '../../../../../shared/datasets/telco-churn/Telco-Customer-Churn.csv');
const present = existsSync(FILE);

const SERVICES = [
  'OnlineSecurity',
  'OnlineBackup',
  'DeviceProtection',
  'TechSupport',
  'StreamingTV',
  'StreamingMovies',
];
const CATEGORICAL = ['gender', 'MultipleLines', 'InternetService', ...SERVICES, 'Contract', 'PaymentMethod'];
const YES_NO = ['SeniorCitizen', 'Partner', 'Dependents', 'PhoneService', 'PaperlessBilling'];

/** Ours, fixed before looking at any result: splines on the three numbers, charges on a log scale. */
const OUR_SPEC: FeatureSpec[] = [
  ...CATEGORICAL.map((name): FeatureSpec => ({ name, kind: 'categorical' })),
  ...YES_NO.map((name): FeatureSpec => ({ name, kind: 'boolean' })),
  { name: 'tenure', kind: 'numeric', knots: 5 },
  { name: 'MonthlyCharges', kind: 'numeric', knots: 4 },
  { name: 'TotalCharges', kind: 'numeric', transform: 'log1p', knots: 4 },
];

/** The baseline: the raw columns, numbers as they are, every text column one-hot. */
const BASELINE_SPEC: FeatureSpec[] = [
  ...[...CATEGORICAL, 'Partner', 'Dependents', 'PhoneService', 'PaperlessBilling'].map(
    (name): FeatureSpec => ({ name, kind: 'categorical' }),
  ),
  { name: 'SeniorCitizen', kind: 'numeric' },
  { name: 'tenure', kind: 'numeric' },
  { name: 'MonthlyCharges', kind: 'numeric' },
  { name: 'TotalCharges', kind: 'numeric' },
];

describe.skipIf(!present)(
  `the churn model on IBM Telco Customer Churn (${present ? FILE : `skipped: ${FILE} is absent`})`,
  () => {
    it('beats (or matches) a plain logistic regression on a held-out 20%, with l2 chosen by CV on the 80%', () => {
      const records = parse(readFileSync(FILE), { columns: true, bom: true, skip_empty_lines: true }) as Record<
        string,
        string
      >[];
      expect(records).toHaveLength(7043);
      const labels = records.map((r) => (r.Churn === 'Yes' ? 1 : 0));
      // TotalCharges is a single space for the 11 customers with tenure 0: missing, not 0.
      const rows: FeatureRow[] = records.map((r) => {
        const { customerID: _id, Churn: _churn, ...rest } = r;
        return rest;
      });
      expect(rows.filter((r) => String(r.TotalCharges).trim() === '')).toHaveLength(11);

      const split = stratifiedSplit(labels, 0.2, 20240601);
      expect(split.test.length).toBe(1409);

      const t0 = performance.now();
      const { model, metrics } = trainChurnModel(rows, labels, OUR_SPEC, { split, seed: 7, folds: 5 });
      const seconds = (performance.now() - t0) / 1000;

      // The baseline on the same 80%: no expansions, no penalty.
      const trainRows = split.train.map((i) => rows[i] as FeatureRow);
      const trainLabels = split.train.map((i) => labels[i] as number);
      const basePipe = fitPipeline(trainRows, BASELINE_SPEC);
      const base = fitLogistic(transformRows(basePipe, trainRows), trainLabels, { l2: 0, maxIter: 200 });
      expect(base.converged).toBe(true);
      const testLabels = split.test.map((i) => labels[i] as number);
      const baseAuc = rocAuc(
        split.test.map((i) => predictLogistic(base, transformRow(basePipe, rows[i] as FeatureRow))),
        testLabels,
      );

      // The reported AUC is the AUC of scoreChurn's probabilities on the held-out rows.
      const ours = split.test.map((i) => scoreChurn(model, rows[i] as FeatureRow).probability);
      const oursAuc = rocAuc(ours, testLabels);
      expect(oursAuc).toBeCloseTo(metrics.auc, 12);
      expect(model.logistic.converged).toBe(true);

      console.log(
        [
          `Telco churn, held-out 20% (${metrics.testRows} of ${metrics.trainRows + metrics.testRows} customers):`,
          `  ours      AUC ${oursAuc.toFixed(4)}  log loss ${metrics.logLoss.toFixed(4)}  Brier ${metrics.brier.toFixed(4)}  (${model.pipeline.columns.length} columns, l2 = ${metrics.l2} by 5-fold CV, trained in ${seconds.toFixed(1)} s)`,
          `  baseline  AUC ${baseAuc.toFixed(4)}  (${basePipe.columns.length} columns, l2 = 0)`,
          `  CV: ${metrics.cv.map((c) => `l2=${c.l2}: logloss ${c.logLoss.toFixed(4)} AUC ${c.auc.toFixed(4)}`).join('; ')}`,
        ].join('\n'),
      );
      expect(oursAuc).toBeGreaterThan(0.8);
      expect(oursAuc).toBeGreaterThanOrEqual(baseAuc);
      expect(metrics.positiveRate).toBeCloseTo(1869 / 7043, 10);

      // Deterministic: the same inputs give the same model, byte for byte.
      const again = trainChurnModel(rows, labels, OUR_SPEC, { split, seed: 7, folds: 5 });
      expect(JSON.stringify(again.model)).toBe(JSON.stringify(model));

      // Reasons a month-to-month, fibre, electronic-check newcomer churns: contract and tenure lead.
      const newcomer = rows.find(
        (r) =>
          r.Contract === 'Month-to-month' &&
          r.InternetService === 'Fiber optic' &&
          r.PaymentMethod === 'Electronic check' &&
          r.tenure === '1',
      ) as FeatureRow;
      const s = scoreChurn(model, newcomer, { top: 3 });
      expect(s.probability).toBeGreaterThan(0.5);
      expect(s.reasons).toHaveLength(3);
      expect(s.reasons.every((r) => r.direction === 'up')).toBe(true);
      expect(s.reasons.map((r) => r.feature)).toContain('Contract');
    }, 300_000);
  },
);

describe('trainChurnModel and scoreChurn', () => {
  // Simulated customers: churn falls with tenure (non-linearly), rises on a monthly plan.
  function simulate(n: number, seed: number) {
    const rand = seededRandom(seed);
    const rows: FeatureRow[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const tenure = Math.floor(rand() * 72);
      const plan = rand() < 0.5 ? 'monthly' : rand() < 0.5 ? 'yearly' : 'two-year';
      const paperless = rand() < 0.5;
      const eta = -1 + 2.5 * Math.exp(-tenure / 10) + (plan === 'monthly' ? 1.2 : plan === 'yearly' ? 0 : -1);
      labels.push(rand() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
      rows.push({ tenure: i % 50 === 0 ? null : tenure, plan, paperless });
    }
    return { rows, labels };
  }
  const spec: FeatureSpec[] = [
    { name: 'tenure', kind: 'numeric', knots: 4 },
    { name: 'plan', kind: 'categorical' },
    { name: 'paperless', kind: 'boolean' },
  ];

  it('scores with reasons that add up to the log-odds, and survives JSON', () => {
    const { rows, labels } = simulate(3000, 11);
    const { model, metrics } = trainChurnModel(rows, labels, spec, { seed: 3, l2Grid: [0.1, 1, 10, 100] });
    expect(metrics.trainRows + metrics.testRows).toBe(3000);
    expect(metrics.testRows).toBe(600);
    expect(metrics.cv.map((c) => c.l2)).toEqual([0.1, 1, 10, 100]);
    expect(metrics.auc).toBeGreaterThan(0.7);
    expect(metrics.calibration.reduce((a, b) => a + b.n, 0)).toBe(600);

    const stored = JSON.parse(JSON.stringify(model)) as ChurnModel;
    const row = { tenure: 2, plan: 'monthly', paperless: true };
    const s = scoreChurn(stored, row);
    expect(s).toEqual(scoreChurn(model, row));
    const sum = s.reasons.reduce((a, r) => a + r.impact, s.baseline);
    expect(sum).toBeCloseTo(s.logOdds, 10);
    expect(s.probability).toBeCloseTo(1 / (1 + Math.exp(-s.logOdds)), 12);
    // Short tenure and the monthly plan push churn up; they lead the reasons.
    expect(
      s.reasons
        .slice(0, 2)
        .map((r) => r.feature)
        .sort(),
    ).toEqual(['plan', 'tenure']);
    expect(s.reasons[0]?.direction).toBe('up');
    expect(s.reasons.find((r) => r.feature === 'tenure')?.value).toBe(2);
    for (let i = 1; i < s.reasons.length; i++) {
      expect(Math.abs(s.reasons[i - 1]!.impact)).toBeGreaterThanOrEqual(Math.abs(s.reasons[i]!.impact));
    }
    // A loyal two-year customer: the same features pull churn down.
    const loyal = scoreChurn(stored, { tenure: 60, plan: 'two-year', paperless: false });
    expect(loyal.probability).toBeLessThan(s.probability);
    expect(loyal.reasons.find((r) => r.feature === 'plan')?.direction).toBe('down');
    expect(scoreChurn(stored, row, { top: 1 }).reasons).toHaveLength(1);
  });

  it('refuses something that is not a churn model', () => {
    expect(() => scoreChurn({ format: 'other' } as unknown as ChurnModel, {})).toThrow(/not a kith.churn-logistic/);
  });
});
