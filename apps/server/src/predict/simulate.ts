/**
 * Seeded simulation of customers from a BG/NBD (and optionally Gamma-Gamma spend), for
 * property tests and benchmarks: the fit on simulated data should recover the parameters.
 */
import type { BgNbdParams } from './bgnbd.js';
import type { GammaGammaParams } from './gamma-gamma.js';
import { seededRandom } from './metrics.js';

/** Standard normal (Box–Muller; one of the pair). */
function normal(u: () => number): number {
  const u1 = 1 - u(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate = 1) by Marsaglia & Tsang (2000), with the U^(1/k) boost for shape < 1. */
export function sampleGamma(u: () => number, shape: number): number {
  if (shape < 1) return sampleGamma(u, shape + 1) * (1 - u()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = 1 - u();
    if (w < 1 - 0.0331 * x * x * x * x || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export interface SimulateOptions {
  customers: number;
  seed: number;
  /** Each customer's T is drawn uniformly from [minT, maxT]. */
  minT: number;
  maxT: number;
  /** Round t_x and T down to multiples of this (1/7 in weeks = whole days), as real data is. */
  resolution?: number;
  /** Also count each customer's purchases in (T, T + holdout]: the holdout period. */
  holdout?: number;
  /** Spend model: each repeat purchase's value is Gamma(p, ν), ν ~ Gamma(q, γ). */
  spend?: GammaGammaParams;
}

/**
 * Customers from the BG/NBD: λ ~ Gamma(r, α), p ~ Beta(a, b); purchases arrive at rate λ
 * from the first purchase at time 0, and after each repeat purchase the customer drops out
 * with probability p. Returns x, t_x, T (and z̄ with a spend model).
 */
export function simulateBgNbd(params: BgNbdParams, opts: SimulateOptions) {
  const u = seededRandom(opts.seed);
  const n = opts.customers;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const zbar = opts.spend ? new Float64Array(n) : undefined;
  const holdoutX = opts.holdout === undefined ? undefined : new Float64Array(n);
  const end = opts.holdout ?? 0;
  const res = opts.resolution;
  for (let i = 0; i < n; i++) {
    let Ti = opts.minT + (opts.maxT - opts.minT) * u();
    if (res) Ti = Math.floor(Ti / res) * res;
    const lambda = sampleGamma(u, params.r) / params.alpha;
    const ga = sampleGamma(u, params.a);
    const p = ga / (ga + sampleGamma(u, params.b));
    let t = 0;
    let count = 0;
    let last = 0;
    let later = 0;
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > Ti + end) break;
      if (t > Ti) later++;
      else {
        count++;
        last = t;
      }
      if (u() < p) break;
    }
    if (holdoutX) holdoutX[i] = later;
    if (res) last = Math.min(Math.floor(last / res) * res, Ti);
    x[i] = count;
    tx[i] = count > 0 ? last : 0;
    T[i] = Ti;
    if (zbar && opts.spend && count > 0) {
      const nu = sampleGamma(u, opts.spend.q) / opts.spend.gamma;
      // The mean of x Gamma(p, ν) values is Gamma(px, νx).
      zbar[i] = sampleGamma(u, opts.spend.p * count) / (nu * count);
    }
  }
  return { x, tx, T, zbar, holdoutX };
}
