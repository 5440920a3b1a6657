/**
 * BG/NBD ("beta-geometric / negative binomial distribution") model of repeat purchasing,
 * Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2).
 *
 * While alive a customer buys at Poisson rate λ ~ Gamma(r, α) and after each purchase drops
 * out with probability p ~ Beta(a, b). A customer is summarised by x (repeat purchases),
 * t_x (time of the last repeat purchase) and T (time since the first purchase), all in one
 * time unit (days or weeks) from the customer's first purchase.
 */

import { seededRandom } from './metrics.js';
import { multiStart, multiStartThenPolish } from './optimize.js';
import { digamma, hyp2f1, lgamma } from './special.js';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface RfmData {
  /** Repeat purchases. */
  x: Float64Array;
  /** Time of the last repeat purchase (0 when x = 0). */
  tx: Float64Array;
  /** Time from the first purchase to the end of the calibration period. */
  T: Float64Array;
  /** How many customers each row stands for (1 when absent). */
  weight?: Float64Array;
}

export interface FitResult<P> {
  params: P;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  starts: number;
  startsAgreeing: number;
}

export interface FitOptions {
  /** Log-parameter starting points (defaults chosen from the data). */
  starts?: number[][];
  maxIterations?: number;
  /**
   * Above this many distinct rows, the starts run on a weighted subsample of about this many
   * rows and the best is polished on all rows (default 4,000; Infinity: always all rows).
   */
  searchRows?: number;
  /** Seed of the subsample. */
  seed?: number;
}

/**
 * A Horvitz–Thompson subsample of compressed rows: row k is kept with probability
 * π = min(1, w·s) and weighted w/π, so its log-likelihood estimates the full one without bias
 * (the heavy rows, e.g. x = 0 at a common T, are always kept).
 */
export function subsampleRfm(d: CompressedRfm, rows: number, seed = 1): CompressedRfm {
  const u = seededRandom(seed);
  const s = rows / d.customers;
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const w: number[] = [];
  for (let k = 0; k < d.x.length; k++) {
    const wk = d.weight[k]!;
    const pi = Math.min(1, wk * s);
    if (pi >= 1 || u() < pi) {
      x.push(d.x[k]!);
      tx.push(d.tx[k]!);
      T.push(d.T[k]!);
      w.push(wk / pi);
    }
  }
  return compressRfm({
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: Float64Array.from(w),
  });
}

// ───────────────────────── compression ─────────────────────────

/** Distinct values of a column and each row's index into them. */
function distinct(values: Float64Array): { values: Float64Array; index: Int32Array } {
  const map = new Map<number, number>();
  const index = new Int32Array(values.length);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let k = map.get(v);
    if (k === undefined) {
      k = out.length;
      out.push(v);
      map.set(v, k);
    }
    index[i] = k;
  }
  return { values: Float64Array.from(out), index };
}

/** Rows with identical (x, t_x, T) merged into one with the summed weight. */
export interface CompressedRfm {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Distinct values of x, t_x and T with each row's index into them (for per-value caches). */
  xs: Float64Array;
  xIndex: Int32Array;
  txs: Float64Array;
  txIndex: Int32Array;
  Ts: Float64Array;
  TIndex: Int32Array;
  /** Customers (sum of the weights) and rows before compression. */
  customers: number;
  rows: number;
  /** For each input row, its compressed row (−1 for a row of weight 0). */
  rowIndex: Int32Array;
}

/**
 * Merges identical (x, t_x, T) rows. Values are compared exactly (bit patterns): data
 * measured in whole days compresses to a few hundred thousand rows even for millions of
 * customers. The hash table is open-addressed over typed arrays (no string keys).
 */
export function compressRfm(data: RfmData): CompressedRfm {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n || (data.weight && data.weight.length !== n))
    throw new Error('x, tx, T (and weight) must have the same length');
  let size = 16;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const w: number[] = [];
  let customers = 0;
  const rowIndex = new Int32Array(n);
  const mix = (h: number, v: number) => {
    bits[0] = v === 0 ? 0 : v; // −0 and +0 alike
    h = Math.imul(h ^ words[0]!, 0x9e3779b1);
    h = Math.imul(h ^ words[1]!, 0x85ebca6b);
    return h ^ (h >>> 15);
  };
  for (let i = 0; i < n; i++) {
    const xi = data.x[i]!;
    const txi = data.tx[i]!;
    const Ti = data.T[i]!;
    const wi = data.weight ? data.weight[i]! : 1;
    if (!(xi >= 0 && txi >= 0 && Ti >= txi && wi >= 0) || !Number.isFinite(Ti) || !Number.isFinite(wi))
      throw new Error(`row ${i}: need x ≥ 0, 0 ≤ t_x ≤ T (finite), weight ≥ 0; got x=${xi} t_x=${txi} T=${Ti}`);
    if (wi === 0) {
      rowIndex[i] = -1;
      continue;
    }
    customers += wi;
    let slot = mix(mix(mix(0x811c9dc5, xi), txi), Ti) & mask;
    for (;;) {
      const k = table[slot]!;
      if (k === -1) {
        table[slot] = x.length;
        rowIndex[i] = x.length;
        x.push(xi);
        tx.push(txi);
        T.push(Ti);
        w.push(wi);
        break;
      }
      if (x[k] === xi && tx[k] === txi && T[k] === Ti) {
        w[k] = w[k]! + wi;
        rowIndex[i] = k;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const xa = Float64Array.from(x);
  const txa = Float64Array.from(tx);
  const Ta = Float64Array.from(T);
  const dx = distinct(xa);
  const dtx = distinct(txa);
  const dT = distinct(Ta);
  return {
    x: xa,
    tx: txa,
    T: Ta,
    weight: Float64Array.from(w),
    xs: dx.values,
    xIndex: dx.index,
    txs: dtx.values,
    txIndex: dtx.index,
    Ts: dT.values,
    TIndex: dT.index,
    customers,
    rows: n,
    rowIndex,
  };
}

// ───────────────────────── likelihood ─────────────────────────

/**
 * What the log-likelihood needs once per distinct x, t_x and T rather than per row:
 * head = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b), ln a − ln(b+x−1) (−∞ for
 * x = 0), and ln(α+T), ln(α+t_x).
 */
function likelihoodTerms(p: BgNbdParams, d: CompressedRfm) {
  const { r, alpha, a, b } = p;
  const nx = d.xs.length;
  const head = new Float64Array(nx);
  const lnA4 = new Float64Array(nx);
  const lgR = lgamma(r);
  const lgAB = lgamma(a + b);
  const lgB = lgamma(b);
  const rLnAlpha = r * Math.log(alpha);
  const lnA = Math.log(a);
  for (let k = 0; k < nx; k++) {
    const x = d.xs[k]!;
    head[k] = lgamma(r + x) - lgR + rLnAlpha + lgAB + lgamma(b + x) - lgB - lgamma(a + b + x);
    lnA4[k] = x > 0 ? lnA - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY;
  }
  const lnT = new Float64Array(d.Ts.length);
  for (let k = 0; k < lnT.length; k++) lnT[k] = Math.log(alpha + d.Ts[k]!);
  const lnTx = new Float64Array(d.txs.length);
  for (let k = 0; k < lnTx.length; k++) lnTx[k] = Math.log(alpha + d.txs[k]!);
  return { head, lnA4, lnT, lnTx };
}

/**
 * Log-likelihood (FHL 2005, eq. 6) summed over the compressed rows:
 *   ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *       + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ]
 * with the last bracket combined in log space. The Γ and B terms are computed once per
 * distinct x, the logarithms once per distinct t_x and T.
 */
export function bgNbdLogLikelihood(p: BgNbdParams, d: CompressedRfm): number {
  const { r, alpha, a, b } = p;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return Number.NEGATIVE_INFINITY;
  const { head, lnA4, lnT, lnTx } = likelihoodTerms(p, d);
  let ll = 0;
  const n = d.x.length;
  for (let i = 0; i < n; i++) {
    const k = d.xIndex[i]!;
    const x = d.x[i]!;
    const rx = r + x;
    const a3 = -rx * lnT[d.TIndex[i]!]!;
    let term: number;
    if (x > 0) {
      const a4 = lnA4[k]! - rx * lnTx[d.txIndex[i]!]!;
      // logSumExp of two terms, inlined (this loop is the whole cost of a fit).
      term = a3 > a4 ? a3 + Math.log1p(Math.exp(a4 - a3)) : a4 + Math.log1p(Math.exp(a3 - a4));
    } else term = a3;
    ll += d.weight[i]! * (head[k]! + term);
  }
  return ll;
}

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b), in one pass —
 * what lets the full-data polish take exact quasi-Newton steps (one pass a step instead of the
 * nine a central-difference gradient needs). With π = the weight of the (α+T) term in the
 * bracket, per row:
 *   ∂ℓ/∂r = ψ(r+x) − ψ(r) + ln α − π ln(α+T) − (1−π) ln(α+t_x)
 *   ∂ℓ/∂α = r/α − (r+x)[π/(α+T) + (1−π)/(α+t_x)]
 *   ∂ℓ/∂a = ψ(a+b) − ψ(a+b+x) + (1−π)/a
 *   ∂ℓ/∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − (1−π)/(b+x−1)
 */
export function bgNbdLogLikelihoodGradient(p: BgNbdParams, d: CompressedRfm): { ll: number; grad: number[] } {
  const { r, alpha, a, b } = p;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return { ll: Number.NEGATIVE_INFINITY, grad: [0, 0, 0, 0] };
  const { head, lnA4, lnT, lnTx } = likelihoodTerms(p, d);
  const nx = d.xs.length;
  const hr = new Float64Array(nx); // ∂head/∂r
  const ha = new Float64Array(nx); // ∂head/∂a
  const hb = new Float64Array(nx); // ∂head/∂b
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  const lnAlpha = Math.log(alpha);
  for (let k = 0; k < nx; k++) {
    const x = d.xs[k]!;
    const psiABX = digamma(a + b + x);
    hr[k] = digamma(r + x) - psiR + lnAlpha;
    ha[k] = psiAB - psiABX;
    hb[k] = psiAB + digamma(b + x) - psiB - psiABX;
  }
  const invT = Float64Array.from(d.Ts, (T) => 1 / (alpha + T));
  const invTx = Float64Array.from(d.txs, (tx) => 1 / (alpha + tx));
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const n = d.x.length;
  for (let i = 0; i < n; i++) {
    const k = d.xIndex[i]!;
    const x = d.x[i]!;
    const w = d.weight[i]!;
    const rx = r + x;
    const iT = d.TIndex[i]!;
    const a3 = -rx * lnT[iT]!;
    let term: number;
    let dr = hr[k]!;
    let dAlpha = r / alpha;
    let da = ha[k]!;
    let db = hb[k]!;
    if (x > 0) {
      const iTx = d.txIndex[i]!;
      const a4 = lnA4[k]! - rx * lnTx[iTx]!;
      let pi: number; // weight of the (α+T) term
      if (a3 > a4) {
        const e = Math.exp(a4 - a3);
        term = a3 + Math.log1p(e);
        pi = 1 / (1 + e);
      } else {
        const e = Math.exp(a3 - a4);
        term = a4 + Math.log1p(e);
        pi = e / (1 + e);
      }
      const rest = 1 - pi;
      dr -= pi * lnT[iT]! + rest * lnTx[iTx]!;
      dAlpha -= rx * (pi * invT[iT]! + rest * invTx[iTx]!);
      da += rest / a;
      db -= rest / (b + x - 1);
    } else {
      term = a3;
      dr -= lnT[iT]!;
      dAlpha -= rx * invT[iT]!;
    }
    ll += w * (head[k]! + term);
    gr += w * dr;
    gAlpha += w * dAlpha;
    ga += w * da;
    gb += w * db;
  }
  return { ll, grad: [gr * r, gAlpha * alpha, ga * a, gb * b] };
}

/** Default log-parameter starting points, scaled to the data (α is on the scale of T). */
function defaultStarts(d: CompressedRfm): number[][] {
  let sumT = 0;
  for (let i = 0; i < d.T.length; i++) sumT += d.weight[i]! * d.T[i]!;
  const meanT = Math.max(sumT / Math.max(d.customers, 1), 1e-6);
  const L = Math.log;
  return [
    [L(1), L(meanT), L(1), L(1)],
    [L(0.2), L(meanT / 10), L(0.5), L(2)],
    [L(2), L(meanT * 2), L(2), L(5)],
  ];
}

/**
 * Maximum-likelihood fit of the BG/NBD. Rows with identical (x, t_x, T) are merged first.
 * The fit runs Nelder–Mead on (ln r, ln α, ln a, ln b) from several starting points and
 * keeps the best; `startsAgreeing` counts the converged starts that reached the same optimum.
 */
export function fitBgNbd(data: RfmData | CompressedRfm, opts: FitOptions = {}): FitResult<BgNbdParams> {
  const d = 'xIndex' in data ? data : compressRfm(data);
  if (d.customers <= 0) throw new Error('fitBgNbd: no customers');
  const scale = 1 / d.customers; // minimise the mean so tolerances do not depend on the size
  const toParams = (v: number[]): BgNbdParams => ({
    r: Math.exp(v[0]!),
    alpha: Math.exp(v[1]!),
    a: Math.exp(v[2]!),
    b: Math.exp(v[3]!),
  });
  const objective = (data: CompressedRfm) => (v: number[]) => {
    if (v.some((t) => Math.abs(t) > 30)) return Number.POSITIVE_INFINITY;
    return -bgNbdLogLikelihood(toParams(v), data) * (1 / data.customers);
  };
  const f = objective(d);
  const options = { maxIterations: opts.maxIterations ?? 10_000, ftolAbs: 1e-12, ftolRel: 1e-14, xtol: 1e-8 };
  const starts = opts.starts ?? defaultStarts(d);
  const searchRows = opts.searchRows ?? 4000;
  // The gradient of f: −∇ℓ / customers (f is +∞, and the gradient moot, outside the box).
  const gradient = (v: number[]) => bgNbdLogLikelihoodGradient(toParams(v), d).grad.map((g) => -g * scale);
  const res =
    d.x.length > searchRows * 1.5
      ? multiStartThenPolish(objective(subsampleRfm(d, searchRows, opts.seed)), f, starts, options, gradient)
      : multiStart(f, starts, options);
  return {
    params: toParams(res.x),
    logLikelihood: -res.fx / scale,
    converged: res.converged,
    iterations: res.iterations,
    starts: res.starts,
    startsAgreeing: res.startsAgreeing,
  };
}

// ───────────────────────── predictions ─────────────────────────

/** P(alive at T | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)). */
export function bgNbdPAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x <= 0) return 1;
  const ln = Math.log(p.a / (p.b + x - 1)) + (p.r + x) * Math.log((p.alpha + T) / (p.alpha + tx));
  return ln > 700 ? 0 : 1 / (1 + Math.exp(ln));
}

/**
 * (1 − z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z), with z = t/(α+T+t): the quantity that the
 * conditional expectation (FHL 2005, eq. 10) needs,
 *   (α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z),
 * rewritten with Euler's transformation ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z).
 * The transformed series has small numerator parameters and converges fast for any x
 * (the direct series' terms first grow like (r+x)(b+x)/(a+b+x) · z, overflowing for large x).
 */
function survivalTerm(p: BgNbdParams, t: number, x: number, T: number): number {
  const z = t / (p.alpha + T + t);
  const c = p.a + p.b + x - 1;
  const s = hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, c, z);
  return Math.exp((p.a - 1) * Math.log1p(-z)) * s;
}

/** Above this a + b the drop-out probability is all but the same for everyone (see `aliveExpected`). */
const HOMOGENEOUS_AB = 1e5;

/**
 * Expected purchases in the next t of a customer alive now: E[1/p · (1 − e^{−λpt})] over
 * p ~ Beta(a, b+x) and λ ~ Gamma(r+x, α+T). The closed form (a+b+x−1)/(a−1) · (1 − survival)
 * needs ₂F₁ terms that underflow and overflow when a and b are huge — the fit's answer when
 * a shop's customers all drop out at about the same rate. Then the Beta is a point mass at
 * p = a/(a+b+x), and the expectation is 1/p · (1 − ((α+T)/(α+T+pt))^(r+x)) — its limit.
 */
function aliveExpected(p: BgNbdParams, t: number, x: number, T: number): number {
  if (p.a + p.b < HOMOGENEOUS_AB) {
    try {
      const closed = ((p.a + p.b + x - 1) / (p.a - 1)) * (1 - survivalTerm(p, t, x, T));
      if (Number.isFinite(closed) && closed >= 0) return closed;
    } catch {
      // The series did not converge in its term budget: the limit below is then accurate.
    }
  }
  const q = p.a / (p.a + p.b + x);
  return -Math.expm1((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + q * t))) / q;
}

/**
 * E[purchases in (T, T+t] | x, t_x, T] (FHL 2005, eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 * Undefined at a = 1 exactly (the formula's removable singularity); a is never exactly 1 in a fit.
 */
export function bgNbdConditionalExpected(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  return aliveExpected(p, t, x, T) * bgNbdPAlive(p, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a new customer within t of the first purchase (FHL eq. 9). */
export function bgNbdUnconditionalExpected(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  return aliveExpected(p, t, 0, 0);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) = (1 − P(alive)) + P(alive) · ((α+T)/(α+T+t))^(r+x).
 * In the BG/NBD a customer can only drop out right after a purchase, so one alive at T who
 * makes no purchase stays alive; given alive, λ ~ Gamma(r+x, α+T), whence the second term.
 */
export function bgNbdProbabilityNoPurchase(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const pa = bgNbdPAlive(p, x, tx, T);
  return 1 - pa + pa * Math.exp((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + t)));
}

export interface BgNbdScores {
  pAlive: Float64Array;
  /** expected[h][i]: expected purchases of customer i within horizons[h]. */
  expected: Float64Array[];
  /** probabilityAny[h][i]: probability of at least one purchase within horizons[h]. */
  probabilityAny: Float64Array[];
}

/**
 * Scores every customer for each horizon (in the model's time unit). Customers with the
 * same (x, t_x, T) share one computation.
 */
export function scoreBgNbd(p: BgNbdParams, data: RfmData, horizons: readonly number[]): BgNbdScores {
  const d = compressRfm({ x: data.x, tx: data.tx, T: data.T });
  const m = d.x.length;
  const uAlive = new Float64Array(m);
  const uExpected = horizons.map(() => new Float64Array(m));
  const uAny = horizons.map(() => new Float64Array(m));
  for (let k = 0; k < m; k++) {
    const x = d.x[k]!;
    const T = d.T[k]!;
    const pa = bgNbdPAlive(p, x, d.tx[k]!, T);
    uAlive[k] = pa;
    for (let h = 0; h < horizons.length; h++) {
      const t = horizons[h]!;
      uExpected[h]![k] = t > 0 ? aliveExpected(p, t, x, T) * pa : 0;
      uAny[h]![k] = pa * -Math.expm1((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + t)));
    }
  }
  const scatter = (u: Float64Array) => {
    const out = new Float64Array(d.rows);
    for (let i = 0; i < d.rows; i++) out[i] = u[d.rowIndex[i]!]!;
    return out;
  };
  return { pAlive: scatter(uAlive), expected: uExpected.map(scatter), probabilityAny: uAny.map(scatter) };
}
