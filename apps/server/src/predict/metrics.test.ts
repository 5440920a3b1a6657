import { describe, expect, it } from 'vitest';
import {
  brier,
  calibrationBins,
  logLoss,
  rocAuc,
  seededRandom,
  seededShuffle,
  splitByTime,
  stratifiedFolds,
  stratifiedSplit,
} from './metrics.js';

/** AUC by definition: over every (positive, negative) pair, 1 if ranked right, ½ if tied. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      sum += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return sum / pairs;
}

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, and 0.5 when every score ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts a tied positive–negative pair as one half', () => {
    // Pairs (pos, neg): (0.4 vs 0.1) 1, (0.4 vs 0.4) ½, (0.7 vs 0.1) 1, (0.7 vs 0.4) 1 → 3.5 / 4.
    expect(rocAuc([0.1, 0.4, 0.4, 0.7], [0, 0, 1, 1])).toBe(0.875);
    // A hand case: 3 positives, 2 negatives, 6 pairs, 4 right and 1 tie.
    expect(rocAuc([0.9, 0.3, 0.5, 0.3, 0.1], [1, 1, 1, 0, 0])).toBeCloseTo(5.5 / 6, 15);
  });

  it('agrees with the pairwise definition on random data with many ties', () => {
    const rand = seededRandom(5);
    const scores = Array.from({ length: 300 }, () => Math.round(rand() * 10) / 10);
    const labels = scores.map((s) => (rand() < s ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    expect(
      rocAuc(
        scores,
        labels.map((l) => l === 1),
      ),
    ).toBe(rocAuc(scores, labels));
  });

  it('is NaN with one class only, and refuses mismatched lengths', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/differ in length/);
  });
});

describe('logLoss, brier and calibrationBins', () => {
  it('compute the textbook values', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
    // Certain and wrong: clipped, so large but finite (−log 1e−15 ≈ 34.5).
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(1e-15), 2);
    expect(brier([0.8, 0.3, 0.5], [1, 0, 1])).toBeCloseTo((0.04 + 0.09 + 0.25) / 3, 15);
  });

  it('bins scores by value and reports the observed rate per bin', () => {
    const bins = calibrationBins([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1], 10);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ n: 1, meanScore: 0.05, observedRate: 0 });
    expect(bins[1]?.n).toBe(2);
    expect(bins[1]?.meanScore).toBeCloseTo(0.135, 15);
    expect(bins[1]?.observedRate).toBe(0.5);
    expect(bins[5]).toMatchObject({ n: 0, meanScore: null, observedRate: null });
    expect(bins[9]).toMatchObject({ n: 2, meanScore: 0.975, observedRate: 1 });
  });
});

describe('splits', () => {
  it('seededShuffle is a deterministic permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = seededShuffle(items, 42);
    expect(seededShuffle(items, 42)).toEqual(a);
    expect(seededShuffle(items, 43)).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
  });

  it('splitByTime holds out the latest rows', () => {
    const times = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
    const s = splitByTime(times, 0.3);
    expect(s.test).toEqual([2, 6, 9]); // times 9, 8, 10
    expect(s.train).toEqual([0, 1, 3, 4, 5, 7, 8]);
    const dates = splitByTime([new Date('2024-03-01'), new Date('2024-01-01')], 0.5);
    expect(dates.test).toEqual([0]);
  });

  it('stratifiedSplit keeps the class balance and is seeded', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = stratifiedSplit(labels, 0.2, 9);
    expect(s.test).toHaveLength(200);
    expect(s.test.filter((i) => labels[i] === 1)).toHaveLength(50);
    expect(new Set([...s.train, ...s.test]).size).toBe(1000);
    expect(stratifiedSplit(labels, 0.2, 9)).toEqual(s);
    expect(stratifiedSplit(labels, 0.2, 10)).not.toEqual(s);
  });

  it('stratifiedFolds deals each class evenly over the folds', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const fold = stratifiedFolds(labels, 5, 1);
    for (let f = 0; f < 5; f++) {
      const members = fold.map((g, i) => (g === f ? i : -1)).filter((i) => i >= 0);
      expect(members.length).toBeGreaterThanOrEqual(20);
      expect(members.length).toBeLessThanOrEqual(21);
      const pos = members.filter((i) => labels[i] === 1).length;
      expect(pos).toBeGreaterThanOrEqual(6);
      expect(pos).toBeLessThanOrEqual(7);
    }
    expect(stratifiedFolds(labels, 5, 1)).toEqual(fold);
  });
});
