/**
 * Scoring metrics for binary predictions, and the deterministic splitting helpers the models are
 * trained and evaluated with. Pure functions, no database.
 *
 * Labels are 0/1 (numbers or booleans); scores are probabilities (or any ranking score, for AUC).
 */

export type Label = number | boolean;

function label01(v: Label): 0 | 1 {
  return v === true || v === 1 ? 1 : 0;
}

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<Label>): void {
  if (scores.length !== labels.length) {
    throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
}

/**
 * ROC AUC from ranks (the Mann–Whitney U statistic divided by n₊·n₋): the probability that a
 * random positive scores above a random negative, a tie counting one half (tied scores get their
 * average rank). NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<Label>): number {
  checkLengths(scores, labels);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const s = scores[order[i] as number] as number;
    while (j + 1 < n && scores[order[j + 1] as number] === s) j++;
    // Ranks i+1 .. j+1 are tied: each gets their average.
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (label01(labels[order[k] as number] as Label) === 1) {
        positives++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy (natural log); probabilities are clipped to [eps, 1 − eps]. */
export function logLoss(probs: ArrayLike<number>, labels: ArrayLike<Label>, eps = 1e-15): number {
  checkLengths(probs, labels);
  if (probs.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i] as number));
    sum -= label01(labels[i] as Label) === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probs.length;
}

/** Brier score: the mean squared difference between probability and outcome. */
export function brier(probs: ArrayLike<number>, labels: ArrayLike<Label>): number {
  checkLengths(probs, labels);
  if (probs.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const d = (probs[i] as number) - label01(labels[i] as Label);
    sum += d * d;
  }
  return sum / probs.length;
}

export interface CalibrationBin {
  /** The bin's score range [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  n: number;
  /** Mean predicted probability in the bin (null when empty). */
  meanScore: number | null;
  /** Observed positive rate in the bin (null when empty). */
  observedRate: number | null;
}

/** Equal-width bins over [0, 1]: mean prediction against the observed rate, for a reliability plot. */
export function calibrationBins(scores: ArrayLike<number>, labels: ArrayLike<Label>, bins = 10): CalibrationBin[] {
  checkLengths(scores, labels);
  if (!Number.isInteger(bins) || bins < 1) throw new Error('bins must be a positive integer');
  const n = new Array<number>(bins).fill(0);
  const sumScore = new Array<number>(bins).fill(0);
  const sumPos = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s * bins)));
    n[b] = (n[b] as number) + 1;
    sumScore[b] = (sumScore[b] as number) + s;
    sumPos[b] = (sumPos[b] as number) + label01(labels[i] as Label);
  }
  return n.map((count, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    n: count,
    meanScore: count ? (sumScore[b] as number) / count : null,
    observedRate: count ? (sumPos[b] as number) / count : null,
  }));
}

/** mulberry32: a small, fast, deterministic 32-bit PRNG; returns numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates), the same for the same seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rand = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}

export interface Split {
  /** Row indices, ascending. */
  train: number[];
  test: number[];
}

/**
 * The most recent `testFraction` of rows (by time) for testing, the rest for training: the honest
 * split when the model will score the future. Ties in time are broken by row index.
 */
export function splitByTime(times: ArrayLike<number | Date>, testFraction: number): Split {
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error('testFraction must be in [0, 1)');
  const t = Array.from({ length: times.length }, (_, i) => {
    const v = times[i] as number | Date;
    return typeof v === 'number' ? v : v.getTime();
  });
  const order = t.map((_, i) => i).sort((a, b) => (t[a] as number) - (t[b] as number) || a - b);
  const nTest = Math.round(order.length * testFraction);
  const cut = order.length - nTest;
  return {
    train: order.slice(0, cut).sort((a, b) => a - b),
    test: order.slice(cut).sort((a, b) => a - b),
  };
}

/** A seeded random split that keeps each class's share (`testFraction` of each class is held out). */
export function stratifiedSplit(labels: ArrayLike<Label>, testFraction: number, seed: number): Split {
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error('testFraction must be in [0, 1)');
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (label01(labels[i] as Label) === cls) idx.push(i);
    const shuffled = seededShuffle(idx, seed + cls * 7919);
    const nTest = Math.round(shuffled.length * testFraction);
    test.push(...shuffled.slice(0, nTest));
    train.push(...shuffled.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * Seeded, stratified k-fold assignment: fold[i] ∈ [0, k) for each row, each class dealt round-robin
 * over the folds after a shuffle, so every fold has (almost) the same class balance.
 */
export function stratifiedFolds(labels: ArrayLike<Label>, k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error('k must be an integer ≥ 2');
  const fold = new Array<number>(labels.length).fill(0);
  let offset = 0;
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (label01(labels[i] as Label) === cls) idx.push(i);
    const shuffled = seededShuffle(idx, seed + 104729 + cls * 7919);
    shuffled.forEach((row, j) => {
      fold[row] = (j + offset) % k;
    });
    // Continue the deal where the first class stopped, so fold sizes stay balanced overall.
    offset = (offset + shuffled.length) % k;
  }
  return fold;
}
