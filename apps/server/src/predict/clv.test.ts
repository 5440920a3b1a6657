// The CLV engine against published results on CDNOW (Fader, Hardie & Lee 2005; Fader &
// Hardie note 025) and against data simulated from known parameters. Pure: no database.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type BgNbdParams,
  bgNbdConditionalExpected,
  bgNbdLogLikelihood,
  bgNbdLogLikelihoodGradient,
  bgNbdPAlive,
  bgNbdProbabilityNoPurchase,
  bgNbdUnconditionalExpected,
  compressRfm,
  fitBgNbd,
  scoreBgNbd,
} from './bgnbd.js';
import { runClvCommand } from './clv-cli.js';
import { diagnoseBgNbd } from './diagnostics.js';
import {
  conditionalExpectedAov,
  conditionalExpectedAovs,
  customerLifetimeValue,
  customerLifetimeValues,
  fitGammaGamma,
  GAMMA_GAMMA_MAX_Q,
  gammaGammaGradient,
  gammaGammaLogLikelihood,
} from './gamma-gamma.js';
import { bfgs, multiStart, nelderMead } from './optimize.js';
import {
  dayNumber,
  parseCdnow,
  parseSummaryCsv,
  parseTransactionsCsv,
  parseTransactionsFile,
  summarizeTransactions,
} from './rfm-summary.js';
import { simulateBgNbd } from './simulate.js';
import {
  digamma,
  digammaDiff,
  hyp2f1,
  lgamma,
  lgammaDiff,
  log1mExp,
  log1pExp,
  logHyp2f1Euler,
  logSumExp,
  logSumExp2,
} from './special.js';

// The shared data sets live next to the repository: <repo>/../shared/datasets.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CDNOW = path.resolve(repo, '../shared/datasets/cdnow');
const hasCdnow = fs.existsSync(path.join(CDNOW, 'CDNOW_sample.txt'));
if (!hasCdnow) console.warn(`clv.test: CDNOW data not found at ${CDNOW}: the published-results tests are skipped`);
const file = (name: string) => path.join(CDNOW, name);

// Published: FHL (2005), CDNOW sample, 39-week calibration, weeks.
const FHL = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, ll: -9582.4 };
// Published: Fader & Hardie note 025, the 946 repeat customers.
const GG = { p: 6.25, q: 3.74, gamma: 15.44 };

/** An analytic gradient against central differences of f at v (relative tolerance `tol`). */
function expectGradient(grad: number[], f: (v: number[]) => number, v: number[], tol: number, names: string[]) {
  for (let k = 0; k < v.length; k++) {
    const up = v.slice();
    const down = v.slice();
    up[k]! += 1e-5;
    down[k]! -= 1e-5;
    const numeric = (f(up) - f(down)) / 2e-5;
    expect(Math.abs(grad[k]! - numeric), `∂/∂ln ${names[k]} at ${v}`).toBeLessThan(
      tol * Math.max(1, Math.abs(numeric)),
    );
  }
}

const near = (actual: number, expected: number, decimals: number) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);

describe('special functions', () => {
  it('lgamma matches known values to ~1e-14', () => {
    const cases: [number, number][] = [
      [0.5, 0.5 * Math.log(Math.PI)],
      [1, 0],
      [2, 0],
      [3, Math.log(2)],
      [2.5, Math.log(1.329340388179137)],
      [10, Math.log(362880)],
      [100, 359.1342053695754],
      [1e-5, 11.512919692895828],
      [0.25, Math.log(3.625609908221908)], // Γ(1/4)
      [1 / 3, Math.log(2.678938534707748)], // Γ(1/3)
    ];
    for (const [x, v] of cases) expect(Math.abs(lgamma(x) - v)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(v)));
    // Large x: Stirling's series (error below 1e-25 relative at these x).
    for (const x of [1e4, 1e6]) {
      const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
      expect(Math.abs(lgamma(x) / stirling - 1)).toBeLessThan(1e-14);
    }
    // Recurrence ln Γ(x+1) = ln Γ(x) + ln x across scales.
    for (const x of [0.01, 0.3, 1.7, 7.25, 42.5, 1234.5])
      expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x))).toBeLessThan(1e-12 * Math.max(1, lgamma(x + 1)));
    expect(lgamma(0)).toBeNaN();
    expect(lgamma(-1)).toBeNaN();
  });

  it('lgammaDiff: ln Γ(q+a) − ln Γ(q) without cancellation, for any q', () => {
    for (const q of [0.5, 3.7, 99, 100, 150, 1e3])
      for (const a of [0.01, 1, 3.5, 40, 900]) {
        const direct = lgamma(q + a) - lgamma(q);
        expect(Math.abs(lgammaDiff(q, a) - direct), `q ${q}, a ${a}`).toBeLessThan(
          1e-11 * Math.max(1, Math.abs(direct)),
        );
      }
    // For huge q it tends to a·ln q + a(a−1)/(2q); the plain difference has lost most digits there.
    for (const q of [1e12, 1e20]) {
      const a = 3.5;
      expect(Math.abs(lgammaDiff(q, a) - (a * Math.log(q) + (a * (a - 1)) / (2 * q)))).toBeLessThan(1e-13);
    }
  });

  it('digamma matches known values and the derivative of lgamma', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 12);
    for (const x of [0.03, 0.7, 2.5, 7, 40, 1e4]) {
      const h = 1e-5 * x;
      expect(digamma(x)).toBeCloseTo((lgamma(x + h) - lgamma(x - h)) / (2 * h), 5);
    }
  });

  it('digammaDiff: ψ(q+a) − ψ(q) for any q', () => {
    for (const q of [0.5, 3, 99, 100, 500, 1e3])
      for (const a of [0.01, 2, 30, 700])
        expect(Math.abs(digammaDiff(q, a) - (digamma(q + a) - digamma(q))), `q ${q}, a ${a}`).toBeLessThan(1e-11);
    // For huge q it tends to a/q.
    expect(digammaDiff(1e12, 3) * 1e12).toBeCloseTo(3, 9);
  });

  it('logSumExp and friends do not overflow', () => {
    expect(logSumExp2(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp2(-1000, Number.NEGATIVE_INFINITY)).toBe(-1000);
    expect(logSumExp([1, 2, 3])).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3), 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
    expect(log1pExp(800)).toBeCloseTo(800, 12);
    expect(log1pExp(-40)).toBeCloseTo(Math.exp(-40), 25);
    expect(log1mExp(-1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(log1mExp(-50)).toBeCloseTo(-Math.exp(-50), 30);
  });

  it('hyp2f1: closed forms, and Euler’s transformation agrees with the direct series', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 12); // ₂F₁(1,1;2;z)
      expect(hyp2f1(0.5, 1, 1, z)).toBeCloseTo((1 - z) ** -0.5, 10); // ₂F₁(a,b;b;z) = (1−z)^−a
    }
    for (const [a, b, c, z] of [
      [2.243, 4.426, 4.219, 0.47],
      [0.243, 2.426, 2.219, 0.8],
      [12.2, 14.4, 14.2, 0.3],
    ] as const)
      expect(logHyp2f1Euler(a, b, c, z)).toBeCloseTo(Math.log(hyp2f1(a, b, c, z)), 10);
  });
});

describe('Nelder–Mead', () => {
  it('minimises the Rosenbrock function from several starts, and they agree', () => {
    const f = (v: number[]) => 100 * (v[1]! - v[0]! ** 2) ** 2 + (1 - v[0]!) ** 2;
    const one = nelderMead(f, [-1.2, 1]);
    expect(one.converged).toBe(true);
    expect(one.x[0]).toBeCloseTo(1, 6);
    expect(one.x[1]).toBeCloseTo(1, 6);
    const many = multiStart(f, [
      [-1.2, 1],
      [2, 2],
      [0, -1],
    ]);
    expect(many.fx).toBeLessThan(1e-14);
    expect(many.starts).toBe(3);
    expect(many.startsAgreeing).toBe(3);
  });

  it('BFGS (the full-data polish) reaches the optimum in few evaluations, from near it', () => {
    const rosen = (v: number[]) => 100 * ((v[1] as number) - (v[0] as number) ** 2) ** 2 + (1 - (v[0] as number)) ** 2;
    const r = bfgs(rosen, [0.8, 0.6]);
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.evaluations).toBeLessThan(1000);
  });

  it('reports non-convergence when out of iterations', () => {
    const f = (v: number[]) => v.reduce((s, x, i) => s + (i + 1) * (x - i) ** 2, 0);
    const r = nelderMead(f, [10, 10, 10, 10, 10], { maxIterations: 5 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBeLessThanOrEqual(5);
  });
});

describe('BG/NBD and Gamma-Gamma formulas', () => {
  const p: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

  it('the FHL example customer (x = 2, t_x = 30.43, T = 38.86) expects 1.226 purchases in 39 weeks', () => {
    near(bgNbdConditionalExpected(p, 39, 2, 30.43, 38.86), 1.226, 3);
    // P(alive) from its closed form, computed by hand.
    const pa = 1 / (1 + (0.793 / (2.426 + 1)) * ((4.414 + 38.86) / (4.414 + 30.43)) ** (0.243 + 2));
    expect(bgNbdPAlive(p, 2, 30.43, 38.86)).toBeCloseTo(pa, 14);
    expect(bgNbdPAlive(p, 0, 0, 38.86)).toBe(1);
  });

  it('the conditional expectation equals FHL eq. 10 with the direct series, for small and large x', () => {
    for (const [x, tx, T, t] of [
      [2, 30.43, 38.86, 39],
      [0, 0, 20, 52],
      [7, 35, 38, 10],
      [40, 38, 39, 39],
    ] as const) {
      const z = t / (p.alpha + T + t);
      const direct =
        ((p.a + p.b + x - 1) / (p.a - 1)) *
        (1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp2f1(p.r + x, p.b + x, p.a + p.b + x - 1, z)) *
        bgNbdPAlive(p, x, tx, T);
      expect(bgNbdConditionalExpected(p, t, x, tx, T)).toBeCloseTo(direct, 9);
    }
    // E[X(t)] (eq. 9) is the conditional expectation of a customer just acquired.
    expect(bgNbdUnconditionalExpected(p, 39)).toBeCloseTo(bgNbdConditionalExpected(p, 39, 0, 0, 0), 14);
    // …and grows with t, from 0.
    expect(bgNbdUnconditionalExpected(p, 0)).toBe(0);
    expect(bgNbdUnconditionalExpected(p, 78)).toBeGreaterThan(bgNbdUnconditionalExpected(p, 39));
  });

  it('when a and b are huge (everyone drops out at the same rate) the expectation is the limit, not NaN', () => {
    // What a fit on a small, regular shop returns: the Beta of drop-out collapses to a point.
    const flat: BgNbdParams = { r: 1.63, alpha: 13.6, a: 8.6e6, b: 2.24e7 };
    const q = (x: number) => flat.a / (flat.a + flat.b + x);
    const limit = (t: number, x: number, T: number) =>
      (1 - ((flat.alpha + T) / (flat.alpha + T + q(x) * t)) ** (flat.r + x)) / q(x);
    for (const [x, tx, T, t] of [
      [0, 0, 20, 4],
      [3, 30, 50, 13],
      [5, 70, 72, 52],
    ] as const) {
      const e = bgNbdConditionalExpected(flat, t, x, tx, T);
      expect(Number.isFinite(e)).toBe(true);
      expect(e).toBeCloseTo(limit(t, x, T) * bgNbdPAlive(flat, x, tx, T), 12);
    }
    const scored = scoreBgNbd(
      flat,
      { x: Float64Array.of(2), tx: Float64Array.of(10), T: Float64Array.of(30) },
      [4, 52],
    );
    expect(scored.expected.every((a) => Number.isFinite(a[0] as number))).toBe(true);
    // The limit is the closed form's: at a + b = 20,000 (where the series still converges) they agree to 0.1%.
    const wide: BgNbdParams = { r: 1.63, alpha: 13.6, a: 6000, b: 14000 };
    const closed = bgNbdConditionalExpected(wide, 13, 3, 30, 50);
    const qw = wide.a / (wide.a + wide.b + 3);
    const lim =
      ((1 - ((wide.alpha + 50) / (wide.alpha + 50 + qw * 13)) ** (wide.r + 3)) / qw) * bgNbdPAlive(wide, 3, 30, 50);
    expect(Math.abs(closed - lim) / lim).toBeLessThan(1e-3);
  });

  it('the unconditional expectation matches a simulation from the same parameters', () => {
    const sim = simulateBgNbd(p, { customers: 100_000, seed: 7, minT: 52, maxT: 52 });
    const mean = sim.x.reduce((s, v) => s + v, 0) / sim.x.length;
    // Standard error of the mean of x is below 0.01 here.
    expect(Math.abs(mean - bgNbdUnconditionalExpected(p, 52))).toBeLessThan(0.03);
  });

  it('P(no purchase) is (1 − P(alive)) + P(alive)·((α+T)/(α+T+t))^(r+x), and scoring agrees with the scalar functions', () => {
    const x = Float64Array.from([0, 2, 2, 5, 0]);
    const tx = Float64Array.from([0, 30.43, 30.43, 20, 0]);
    const T = Float64Array.from([38.86, 38.86, 38.86, 38, 10]);
    const s = scoreBgNbd(p, { x, tx, T }, [4, 39]);
    for (let i = 0; i < x.length; i++) {
      const pa = bgNbdPAlive(p, x[i]!, tx[i]!, T[i]!);
      expect(s.pAlive[i]).toBeCloseTo(pa, 14);
      for (const [h, t] of [4, 39].entries()) {
        expect(s.expected[h]![i]).toBeCloseTo(bgNbdConditionalExpected(p, t, x[i]!, tx[i]!, T[i]!), 14);
        const none = bgNbdProbabilityNoPurchase(p, t, x[i]!, tx[i]!, T[i]!);
        expect(none).toBeCloseTo(1 - pa + pa * ((p.alpha + T[i]!) / (p.alpha + T[i]! + t)) ** (p.r + x[i]!), 14);
        expect(s.probabilityAny[h]![i]).toBeCloseTo(1 - none, 14);
      }
    }
    // Longer horizons: more purchases expected, a purchase more likely.
    expect(s.expected[1]![1]).toBeGreaterThan(s.expected[0]![1]!);
    expect(s.probabilityAny[1]![1]).toBeGreaterThan(s.probabilityAny[0]![1]!);
  });

  it('the BG/NBD gradient (for the full-data polish) equals central differences of the log-likelihood', () => {
    const sim = simulateBgNbd({ r: 0.3, alpha: 5, a: 0.8, b: 2.5 }, { customers: 3000, seed: 4, minT: 20, maxT: 40 });
    const d = compressRfm(sim);
    for (const p of [
      { r: 0.3, alpha: 5, a: 0.8, b: 2.5 },
      { r: 2, alpha: 40, a: 5, b: 30 },
    ]) {
      const { ll, grad } = bgNbdLogLikelihoodGradient(p, d);
      expect(ll).toBeCloseTo(bgNbdLogLikelihood(p, d), 8);
      const at = (v: number[]) =>
        bgNbdLogLikelihood({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) }, d);
      const v = [p.r, p.alpha, p.a, p.b].map(Math.log);
      expectGradient(grad, at, v, 1e-5, ['r', 'α', 'a', 'b']);
    }
  });

  it('compressing identical rows leaves the log-likelihood unchanged', () => {
    const sim = simulateBgNbd(p, { customers: 5000, seed: 3, minT: 27, maxT: 39, resolution: 1 / 7 });
    const c = compressRfm(sim);
    expect(c.x.length).toBeLessThan(sim.x.length / 2);
    expect(c.customers).toBe(5000);
    // One row per customer, no caches shared: the plain sum.
    let plain = 0;
    for (let i = 0; i < sim.x.length; i++) {
      const one = compressRfm({
        x: sim.x.subarray(i, i + 1),
        tx: sim.tx.subarray(i, i + 1),
        T: sim.T.subarray(i, i + 1),
      });
      plain += bgNbdLogLikelihood(p, one);
    }
    expect(bgNbdLogLikelihood(p, c)).toBeCloseTo(plain, 6);
  });

  it('Gamma-Gamma: expected spend shrinks the customer mean towards the population mean', () => {
    const g = { p: 6.25, q: 3.74, gamma: 15.44 };
    const population = (g.p * g.gamma) / (g.q - 1);
    expect(conditionalExpectedAov(g, 0, 0)).toBeCloseTo(population, 12);
    const one = conditionalExpectedAov(g, 1, 100);
    const ten = conditionalExpectedAov(g, 10, 100);
    expect(one).toBeGreaterThan(population);
    expect(ten).toBeGreaterThan(one);
    expect(ten).toBeLessThan(100);
    const w = (g.p * 10) / (g.p * 10 + g.q - 1);
    expect(ten).toBeCloseTo(w * 100 + (1 - w) * population, 12);
    expect(
      Array.from(conditionalExpectedAovs(g, { x: Float64Array.of(0, 10), zbar: Float64Array.of(0, 100) })),
    ).toEqual([conditionalExpectedAov(g, 0, 0), ten]);
  });

  it('CLV: without discounting it telescopes to E[Y(months·m)] × expected spend; vectorised = scalar', () => {
    const g = { p: 6.25, q: 3.74, gamma: 15.44 };
    const c = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };
    const opts = { months: 12, discountRatePerMonth: 0, periodsPerMonth: 4.345 };
    expect(customerLifetimeValue(p, g, c, opts)).toBeCloseTo(
      bgNbdConditionalExpected(p, 12 * 4.345, c.x, c.tx, c.T) * conditionalExpectedAov(g, c.x, c.zbar),
      10,
    );
    const discounted = { ...opts, discountRatePerMonth: 0.01 };
    const v = customerLifetimeValue(p, g, c, discounted);
    expect(v).toBeLessThan(customerLifetimeValue(p, g, c, opts));
    expect(v).toBeGreaterThan(customerLifetimeValue(p, g, c, opts) / 1.01 ** 12);
    const all = customerLifetimeValues(
      p,
      g,
      {
        x: Float64Array.of(2, 0, 2),
        tx: Float64Array.of(30.43, 0, 30.43),
        T: Float64Array.of(38.86, 20, 38.86),
        zbar: Float64Array.of(22.35, 0, 50),
      },
      discounted,
    );
    expect(all[0]).toBeCloseTo(v, 12);
    expect(all[1]).toBeCloseTo(customerLifetimeValue(p, g, { x: 0, tx: 0, T: 20, zbar: 0 }, discounted), 12);
    expect(all[2]).toBeCloseTo(customerLifetimeValue(p, g, { ...c, zbar: 50 }, discounted), 12);
  });
});

describe('fits on simulated data recover the parameters', () => {
  it('BG/NBD: 50,000 customers from known parameters', () => {
    const truth: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const sim = simulateBgNbd(truth, { customers: 50_000, seed: 42, minT: 27, maxT: 39 });
    const fit = fitBgNbd(sim);
    expect(fit.converged).toBe(true);
    expect(fit.startsAgreeing).toBe(fit.starts);
    // Likelihood-ratio test: 2(ℓ̂ − ℓ(truth)) ~ χ²₄ under the truth; 18.47 is its 99.9 % quantile.
    const llTruth = bgNbdLogLikelihood(truth, compressRfm(sim));
    const lr = 2 * (fit.logLikelihood - llTruth);
    expect(lr).toBeGreaterThanOrEqual(-1e-6);
    expect(lr).toBeLessThan(18.47);
    for (const k of ['r', 'alpha', 'a', 'b'] as const)
      expect(Math.abs(fit.params[k] / truth[k] - 1), k).toBeLessThan(0.15);
  });

  it('Gamma-Gamma: 20,000 repeat customers from known parameters', () => {
    const truth = { p: 6.25, q: 3.74, gamma: 15.44 };
    const sim = simulateBgNbd(
      { r: 1, alpha: 2, a: 0.5, b: 3 },
      { customers: 30_000, seed: 9, minT: 30, maxT: 40, spend: truth },
    );
    const fit = fitGammaGamma({ x: sim.x, zbar: sim.zbar! });
    expect(fit.customers).toBeGreaterThan(15_000);
    expect(fit.converged).toBe(true);
    // p·γ/(q−1), the mean spend, is what the data pins down best.
    const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(Math.abs(mean / ((truth.p * truth.gamma) / (truth.q - 1)) - 1)).toBeLessThan(0.03);
    for (const k of ['p', 'q', 'gamma'] as const) expect(Math.abs(fit.params[k] / truth[k] - 1), k).toBeLessThan(0.2);
  });
});

describe('Gamma-Gamma when customers spend alike, and on large data', () => {
  // Every customer's spend rate the same: the model's limit q, γ → ∞ with q/γ = μ fixed, where
  // z̄ ~ Gamma(px, xμ). Before the likelihood was written to stay exact along that ridge, a fit of
  // such data walked up it for minutes (lgamma(px+q) − lgamma(q) cancelling) and did not converge.
  const p = 4;
  const mu = 0.2; // mean spend p/μ = 20
  const sim = simulateBgNbd(
    { r: 1, alpha: 2, a: 0.5, b: 3 },
    { customers: 12_000, seed: 21, minT: 30, maxT: 40, spend: { p, q: 1e14, gamma: 1e14 / mu } },
  );
  const limitLogLikelihood = (pp: number, m: number) => {
    let ll = 0;
    for (let i = 0; i < sim.x.length; i++) {
      const x = sim.x[i]!;
      const z = sim.zbar![i]!;
      if (!(x > 0 && z > 0)) continue;
      ll += pp * x * Math.log(x * m) - lgamma(pp * x) + (pp * x - 1) * Math.log(z) - x * m * z;
    }
    return ll;
  };

  it('the likelihood at huge q equals the limit’s, to the last digits', () => {
    const data = { x: sim.x, zbar: sim.zbar! };
    const q = 1e13;
    const ll = gammaGammaLogLikelihood({ p, q, gamma: q / mu }, data);
    expect(Math.abs(ll / limitLogLikelihood(p, mu) - 1)).toBeLessThan(1e-10);
  });

  it('fits the limit quickly, converged, with the right mean and shape', () => {
    const fit = fitGammaGamma({ x: sim.x, zbar: sim.zbar! });
    expect(fit.converged).toBe(true);
    // A finite sample can show a little spread, so q is large (a CV of spend rates under 5 %) or capped.
    expect(fit.params.q).toBeGreaterThan(400);
    expect(fit.params.q).toBeLessThanOrEqual(GAMMA_GAMMA_MAX_Q);
    expect(Math.abs(fit.params.p / p - 1)).toBeLessThan(0.1);
    const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(Math.abs(mean / (p / mu) - 1)).toBeLessThan(0.02);
    // No parameter set does better than the limit's own maximum (found here by a 2-D search).
    const best = multiStart((v) => -limitLogLikelihood(Math.exp(v[0]!), Math.exp(v[1]!)), [[0, -1]]);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(-best.fx - 1e-6);
  });

  it('the Gamma-Gamma gradient (for the polish) equals central differences, on and off the ridge', () => {
    const data = { x: sim.x, zbar: sim.zbar! };
    for (const t of [
      { p: 4, q: 3.7, gamma: 15 },
      { p: 3, q: 400, gamma: 2000 },
      { p: 4, q: 1e9, gamma: 1e9 / mu },
    ]) {
      const grad = gammaGammaGradient(t, data);
      const at = (v: number[]) =>
        gammaGammaLogLikelihood({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[1]! - v[2]!) }, data);
      const v = [Math.log(t.p), Math.log(t.q), Math.log(t.q / t.gamma)];
      expectGradient(grad, at, v, 1e-4, ['p', 'q', 'μ']);
    }
  });

  it('the subsample search, then the polish on everyone, finds the full-data optimum', () => {
    const spendSim = simulateBgNbd(
      { r: 1, alpha: 2, a: 0.5, b: 3 },
      { customers: 12_000, seed: 5, minT: 30, maxT: 40, spend: { p: 6.25, q: 3.74, gamma: 15.44 } },
    );
    const data = { x: spendSim.x, zbar: spendSim.zbar! };
    const everyone = fitGammaGamma(data, { searchRows: Number.POSITIVE_INFINITY });
    for (const searchRows of [500, 2000]) {
      const sampled = fitGammaGamma(data, { searchRows });
      expect(sampled.converged).toBe(true);
      expect(Math.abs(sampled.logLikelihood - everyone.logLikelihood)).toBeLessThan(1e-4);
      for (const k of ['p', 'q', 'gamma'] as const)
        expect(Math.abs(sampled.params[k] / everyone.params[k] - 1), k).toBeLessThan(1e-3);
    }
  });
});

describe('transactions and file formats', () => {
  it('summarises transactions the lifetimes way (same-day purchases once, amounts summed)', () => {
    const s = summarizeTransactions(
      [
        { customerId: 'a', at: '2024-01-01', amount: 10 },
        { customerId: 'a', at: '2024-01-01T18:00:00Z', amount: 5 }, // same day: one purchase of 15
        { customerId: 'a', at: '2024-01-08', amount: 20 },
        { customerId: 'a', at: '20240115', amount: 30 },
        { customerId: 'a', at: new Date('2024-02-01T10:00:00Z'), amount: 99 }, // holdout
        { customerId: 'b', at: '2024-01-29', amount: 7 },
        { customerId: 'c', at: '2024-02-02', amount: 1 }, // first seen in the holdout: left out
        { customerId: 'a', at: '2024-03-01', amount: 1 }, // after the holdout
      ],
      { calibrationEnd: '2024-01-29', holdoutEnd: '2024-02-05', timeUnit: 'weeks' },
    );
    expect(s.customerIds).toEqual(['a', 'b']);
    expect(Array.from(s.x)).toEqual([2, 0]);
    expect(Array.from(s.tx)).toEqual([2, 0]);
    expect(Array.from(s.T)).toEqual([4, 0]);
    expect(Array.from(s.zbar)).toEqual([25, 0]);
    expect(Array.from(s.holdoutX!)).toEqual([1, 0]);
    expect(s.holdoutDuration).toBe(1);
    expect(Array.from(s.repeatPurchaseDays)).toEqual(
      ['2024-01-08', '2024-01-15', '2024-02-01'].map((d) => dayNumber(d)),
    );
    const days = summarizeTransactions([{ customerId: 'a', at: '2024-01-01', amount: 1 }], {
      calibrationEnd: '2024-01-31',
      timeUnit: 'days',
      firstPurchaseMustBeBefore: '2024-01-01',
    });
    expect(days.customerIds).toEqual([]);
  });

  it('parses dates strictly', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('19970101')).toBe(dayNumber('1997-01-01'));
    expect(dayNumber('2024-01-01 23:59:59')).toBe(dayNumber('2024-01-01'));
    expect(dayNumber('2024-01-01T23:30:00-02:00')).toBe(dayNumber('2024-01-02'));
    expect(() => dayNumber('2024-02-30')).toThrow(/invalid/);
    expect(() => dayNumber('yesterday')).toThrow(/unrecognised/);
  });

  it('reads CDNOW layouts, transaction CSVs and summary CSVs by common column names', () => {
    expect(parseCdnow(' 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n')).toEqual([
      { customerId: '0001', at: '19970101', amount: 29.33 },
      { customerId: '0001', at: '19970118', amount: 29.73 },
    ]);
    expect(
      parseTransactionsFile(' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n'),
    ).toEqual([{ customerId: '00001', at: '19970101', amount: 11.77 }]);
    const csv = 'Order Date,Customer ID,Revenue\n2024-01-01,c1,10.5\n2024-01-03,c1,4\n';
    expect(parseTransactionsFile(csv)).toEqual([
      { customerId: 'c1', at: '2024-01-01', amount: 10.5 },
      { customerId: 'c1', at: '2024-01-03', amount: 4 },
    ]);
    expect(() => parseTransactionsCsv('who,when\nx,2024-01-01\n')).toThrow(/customer id/);
    const s = parseSummaryCsv(
      'customer_id,frequency,recency,T,monetary_value\r\nA,2,30.43,38.86,22.35\r\nB,0,0,38.86,0\r\n',
    );
    expect(s.customerIds).toEqual(['A', 'B']);
    expect(Array.from(s.x)).toEqual([2, 0]);
    expect(Array.from(s.tx)).toEqual([30.43, 0]);
    expect(Array.from(s.T)).toEqual([38.86, 38.86]);
    expect(Array.from(s.zbar!)).toEqual([22.35, 0]);
    expect(parseSummaryCsv('x,t_x,T\n1,2,3\n').zbar).toBeUndefined();
  });
});

describe('diagnostics', () => {
  it('warns about too little data and a fit that did not converge', () => {
    const sim = simulateBgNbd({ r: 0.1, alpha: 10, a: 0.8, b: 2.5 }, { customers: 50, seed: 1, minT: 20, maxT: 30 });
    const d = diagnoseBgNbd({
      params: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 },
      fit: { converged: false, starts: 3, startsAgreeing: 1 },
      summary: sim,
      holdoutX: new Float64Array(50),
      holdoutDuration: 2,
    });
    const codes = d.warnings.map((w) => w.code);
    expect(d.repeatCustomers).toBeLessThan(30);
    expect(codes).toEqual(
      expect.arrayContaining([
        'too_few_customers',
        'too_few_repeat_customers',
        'not_converged',
        'starts_disagree',
        'holdout_too_short',
        'large_prediction_gap',
      ]),
    );
    expect(d.fitQuality).toBe('poor');
    expect(d.buckets!.reduce((s, b) => s + b.customers, 0)).toBe(50);
    expect(d.totals!.actual).toBe(0);
  });

  it('a simulated calibration + holdout that follows the model is judged good', () => {
    const truth: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const cal = simulateBgNbd(truth, { customers: 20_000, seed: 5, minT: 27, maxT: 39, holdout: 39 });
    const holdoutX = cal.holdoutX!;
    const fit = fitBgNbd(cal);
    const d = diagnoseBgNbd({ params: fit.params, fit, summary: cal, holdoutX, holdoutDuration: 39 });
    expect(d.warnings).toEqual([]);
    expect(Math.abs(d.error!.totalRelative)).toBeLessThan(0.1);
    expect(d.fitQuality).not.toBe('poor');
  });
});

describe.skipIf(!hasCdnow)('CDNOW: published results', () => {
  const summary = () => parseSummaryCsv(fs.readFileSync(file('cdnow_customers_summary.csv'), 'utf8'));
  const withSpend = () =>
    parseSummaryCsv(fs.readFileSync(file('cdnow_customers_summary_with_transactions.csv'), 'utf8'));

  it('BG/NBD on the 2,357-customer sample: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4 (FHL 2005)', () => {
    const s = summary();
    expect(s.x.length).toBe(2357);
    const fit = fitBgNbd(s);
    near(fit.params.r, FHL.r, 3);
    near(fit.params.alpha, FHL.alpha, 3);
    near(fit.params.a, FHL.a, 3);
    near(fit.params.b, FHL.b, 3);
    near(fit.logLikelihood, FHL.ll, 1);
    expect(fit.converged).toBe(true);
    expect(fit.startsAgreeing).toBe(fit.starts);
  });

  it('the summary built from CDNOW_sample.txt reproduces the published summary files', () => {
    const rows = parseTransactionsFile(fs.readFileSync(file('CDNOW_sample.txt'), 'utf8'));
    expect(rows.length).toBe(6919);
    // T = 38.86 weeks = 272 days for a first purchase on 1997-01-01: calibration ends 1997-09-30, inclusive.
    const s = summarizeTransactions(rows, { calibrationEnd: '1997-09-30', timeUnit: 'weeks' });
    const at = new Map(s.customerIds.map((id, i) => [Number(id), i]));
    const pub = summary();
    const pubSpend = withSpend();
    expect(s.customerIds.length).toBe(pub.x.length);
    let compared = 0;
    for (let k = 0; k < pub.x.length; k++) {
      const i = at.get(Number(pub.customerIds[k]))!;
      expect(i, pub.customerIds[k]).toBeDefined();
      expect(s.x[i]).toBe(pub.x[k]);
      expect(s.x[i]).toBe(pubSpend.x[k]);
      // Printed to 2 decimals; z̄ is rounded half up in the file (22.345 → 22.35), hence ≤ 0.005.
      expect(Math.abs(s.tx[i]! - pub.tx[k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(s.T[i]! - pub.T[k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(s.zbar[i]! - pubSpend.zbar![k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
      compared++;
    }
    expect(compared).toBe(2357);
  });

  it('Gamma-Gamma on the 946 repeat customers: p 6.25, q 3.74, γ 15.44 (Fader & Hardie note 025)', () => {
    // From the transactions (z̄ unrounded): the published figures to 2 decimals.
    const rows = parseTransactionsFile(fs.readFileSync(file('CDNOW_sample.txt'), 'utf8'));
    const s = summarizeTransactions(rows, { calibrationEnd: '1997-09-30', timeUnit: 'weeks' });
    const fit = fitGammaGamma({ x: s.x, zbar: s.zbar });
    expect(fit.customers).toBe(946);
    near(fit.params.p, GG.p, 2);
    near(fit.params.q, GG.q, 2);
    near(fit.params.gamma, GG.gamma, 2);
    expect(fit.converged).toBe(true);
    // From the summary file, whose z̄ is rounded to cents: γ comes out 15.448 (within 0.01).
    const fromFile = fitGammaGamma({ x: withSpend().x, zbar: withSpend().zbar! });
    near(fromFile.params.p, GG.p, 2);
    near(fromFile.params.q, GG.q, 2);
    expect(Math.abs(fromFile.params.gamma - GG.gamma)).toBeLessThan(0.01);
    // Mean spend: observed mean of z̄ over the 946 is $35.08; the model's population mean
    // pγ/(q−1) is $35.2 (6.25 × 15.44 / 2.74 = 35.22 from the rounded published figures).
    const spend = withSpend();
    let sum = 0;
    let n = 0;
    for (let i = 0; i < spend.x.length; i++)
      if (spend.x[i]! > 0) {
        sum += spend.zbar![i]!;
        n++;
      }
    near(sum / n, 35.08, 2);
    const m = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(Math.abs(m - 35.22)).toBeLessThan(0.1);
  });

  it('calibration vs holdout (39 + 39 weeks): the frequency buckets and the tracking curve', async () => {
    const r = await runClvCommand({
      transactions: file('CDNOW_sample.txt'),
      calibrationEnd: '1997-09-30',
      holdoutEnd: '1998-06-30',
      timeUnit: 'weeks',
    });
    const d = r.diagnostics;
    expect(d.buckets!.map((b) => b.frequency)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(d.buckets!.map((b) => b.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    expect(d.buckets!.reduce((s, b) => s + b.customers, 0)).toBe(2357);
    // Each bucket's mean predicted holdout purchases rise with calibration frequency, as the actuals do.
    for (let b = 1; b < 8; b++) expect(d.buckets![b]!.predicted).toBeGreaterThan(d.buckets![b - 1]!.predicted);
    expect(d.totals!.actual).toBe(1882);
    expect(Math.abs(d.error!.totalRelative)).toBeLessThan(0.15);
    // 78 weekly points; week 78 holds all repeat transactions of the 78 weeks (distinct days).
    expect(d.tracking!.length).toBe(78);
    const last = d.tracking!.at(-1)!;
    expect(last.actual).toBe(4339);
    expect(Math.abs(last.predicted / last.actual - 1)).toBeLessThan(0.06);
    expect(d.fitQuality).not.toBe('poor');
  });

  it('kith predict clv: the summary file and the transactions give the published parameters', async () => {
    const fromSummary = await runClvCommand({ summary: file('cdnow_customers_summary_with_transactions.csv') });
    const fromTransactions = await runClvCommand({
      transactions: file('CDNOW_sample.txt'),
      calibrationEnd: '1997-09-30',
      timeUnit: 'weeks',
    });
    for (const r of [fromSummary, fromTransactions]) {
      near(r.r, FHL.r, 3);
      near(r.alpha, FHL.alpha, 3);
      near(r.a, FHL.a, 3);
      near(r.b, FHL.b, 3);
      near(r.logLikelihood, FHL.ll, 1);
      near(r.p!, GG.p, 2);
      near(r.q!, GG.q, 2);
      expect(Math.abs(r.gamma! - GG.gamma)).toBeLessThan(0.01);
      expect(r.customers).toBe(2357);
      expect(r.repeatCustomers).toBe(946);
      expect(r.converged).toBe(true);
    }
    near(fromTransactions.gamma!, GG.gamma, 2);
    expect(fromTransactions.calibrationEnd).toBe('1997-09-30');
    expect(fromTransactions.timeUnit).toBe('weeks');
    expect(fromSummary.diagnostics.warnings.map((w) => w.code)).toEqual(['no_holdout']);
    await expect(runClvCommand({})).rejects.toThrow(/either/);
  });
});
