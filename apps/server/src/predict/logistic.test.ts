import { describe, expect, it } from 'vitest';
import { contributions, fitLogistic, logOdds, predictLogistic, rawCoefficients, sigmoid } from './logistic.js';
import { seededRandom } from './metrics.js';

/** A standard normal draw (Box–Muller) from a seeded uniform source. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function simulate(n: number, intercept: number, beta: number[], seed: number) {
  const rand = seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    // Features on different scales and offsets, so the standardization matters.
    const x = [normal(rand) * 3 + 10, normal(rand), rand() < 0.3 ? 1 : 0];
    const eta = x.reduce((a, v, j) => a + v * beta[j]!, intercept);
    X.push(x);
    y.push(rand() < sigmoid(eta) ? 1 : 0);
  }
  return { X, y };
}

describe('fitLogistic', () => {
  it('recovers the coefficients of data simulated from a known model', () => {
    const beta = [0.4, -1.2, 0.8];
    const { X, y } = simulate(40_000, -4, beta, 17);
    const m = fitLogistic(X, y, { l2: 0 });
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThan(15);
    const raw = rawCoefficients(m);
    // Standard errors at n = 40,000 (from the information matrix) are about 0.05 for the intercept
    // and 0.004, 0.013 and 0.03 for the coefficients: allow three of them.
    expect(Math.abs(raw.intercept + 4)).toBeLessThan(0.15);
    const allowed = [0.015, 0.04, 0.09];
    raw.coefficients.forEach((b, j) => {
      expect(Math.abs(b - beta[j]!)).toBeLessThan(allowed[j]!);
    });
    // The signs and the order of magnitude, beyond doubt.
    expect(raw.coefficients.map(Math.sign)).toEqual([1, -1, 1]);
  });

  it('matches a gradient check at its optimum (l2 > 0, weighted)', () => {
    const { X, y } = simulate(500, 0.5, [0.2, 1, -0.5], 3);
    const weights = X.map((_, i) => 1 + (i % 3));
    const l2 = 5;
    const m = fitLogistic(X, y, { l2, weights });
    expect(m.converged).toBe(true);
    // ∂/∂β_j of Σ w·loss + l2/2·|β|² is Σ w·(p − y)·z_j + l2·β_j = 0 at the optimum (not for the intercept).
    const grad = [0, 0, 0, 0];
    X.forEach((x, i) => {
      const r = weights[i]! * (predictLogistic(m, x) - y[i]!);
      grad[0]! += r;
      x.forEach((v, j) => {
        grad[j + 1]! += (r * (v - m.means[j]!)) / m.sds[j]!;
      });
    });
    expect(Math.abs(grad[0]!)).toBeLessThan(1e-8);
    m.coefficients.forEach((c, j) => {
      expect(Math.abs(grad[j + 1]! + l2 * c)).toBeLessThan(1e-8);
    });
  });

  it('shrinks toward 0 as l2 grows, and is deterministic', () => {
    const { X, y } = simulate(800, 0, [0.3, 1, 1], 8);
    const norms = [0, 10, 100, 1000].map((l2) => Math.hypot(...fitLogistic(X, y, { l2 }).coefficients));
    for (let i = 1; i < norms.length; i++) expect(norms[i]!).toBeLessThan(norms[i - 1]!);
    expect(fitLogistic(X, y, { l2: 1 })).toEqual(fitLogistic(X, y, { l2: 1 }));
  });

  it('copes with a constant column and with exactly collinear columns at l2 = 0', () => {
    const { X, y } = simulate(1000, 0, [0.2, 1, 0], 4);
    // Column 3 is constant; column 4 duplicates column 1 (a singular Hessian without damping).
    const wide = X.map((x) => Float64Array.from([...x, 7, x[1]!]));
    const m = fitLogistic(wide, y, { l2: 0 });
    expect(m.converged).toBe(true);
    expect(m.coefficients[3]).toBe(0);
    const narrow = fitLogistic(X, y, { l2: 0 });
    // Same predictions as the model without the redundant columns.
    for (let i = 0; i < 20; i++) {
      expect(predictLogistic(m, wide[i]!)).toBeCloseTo(predictLogistic(narrow, X[i]!), 6);
    }
  });

  it('reports no convergence on separable data without a penalty, and converges with one', () => {
    const X = [[-2], [-1], [-0.5], [0.5], [1], [2]];
    const y = [0, 0, 0, 1, 1, 1];
    expect(fitLogistic(X, y, { l2: 0, maxIter: 25 }).converged).toBe(false);
    expect(fitLogistic(X, y, { l2: 0.1, maxIter: 25 }).converged).toBe(true);
  });

  it('refuses bad input', () => {
    expect(() => fitLogistic([], [])).toThrow(/no rows/);
    expect(() => fitLogistic([[1], [2]], [1])).toThrow(/labels/);
    expect(() => fitLogistic([[1], [Number.NaN]], [1, 0])).toThrow(/not finite/);
    expect(() => fitLogistic([[1], [2, 3]], [1, 0])).toThrow(/columns/);
  });
});

describe('contributions', () => {
  it('sum, with the intercept, to the log-odds', () => {
    const { X, y } = simulate(2000, -1, [0.5, -1, 2], 21);
    const m = fitLogistic(X, y, { l2: 1 });
    for (const x of X.slice(0, 50)) {
      const c = contributions(m, x);
      expect(c.map((e) => e.index)).toEqual([0, 1, 2]);
      const sum = c.reduce((a, e) => a + e.contribution, m.intercept);
      expect(sum).toBeCloseTo(logOdds(m, x), 12);
      expect(predictLogistic(m, x)).toBeCloseTo(sigmoid(sum), 12);
    }
    // A customer exactly at the training mean has no contributions: the intercept alone.
    const atMean = contributions(m, m.means);
    expect(atMean.every((e) => Math.abs(e.contribution) < 1e-12)).toBe(true);
    // A higher value of a positively weighted feature contributes upward.
    const up = [...m.means];
    up[2] = m.means[2]! + 1;
    expect(contributions(m, up)[2]!.contribution).toBeGreaterThan(0);
  });
});
