/**
 * Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma Model of
 * Monetary Value", note 025, 2013; Colombo & Jiang 1999), and customer lifetime value from
 * it and the BG/NBD.
 *
 * A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, so
 * the mean of x transactions, z̄, is Gamma(px, νx). The model assumes spend is independent
 * of the purchase process; it is fitted on customers with at least one repeat purchase.
 */
import { type BgNbdParams, bgNbdConditionalExpected, compressRfm, type FitResult } from './bgnbd.js';
import { bfgs, multiStart, multiStartThenPolish, nelderMead } from './optimize.js';
import { digamma, digammaDiff, lgamma, lgammaDiff } from './special.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendData {
  /** Repeat purchases. */
  x: Float64Array;
  /** Mean value of the repeat purchases (ignored when x = 0). */
  zbar: Float64Array;
  weight?: Float64Array;
}

/**
 * Log-likelihood over customers with x > 0 and z̄ > 0 (note 025, eq. 3):
 *   ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄),
 * evaluated as ln Γ(px+q) − ln Γ(q) (`lgammaDiff`) − ln Γ(px) + px ln x + (px−1) ln z̄ − px ln γ
 * − (px+q) log1p(x z̄/γ): the same number, but without the cancellation of huge terms when q and γ
 * are large — which they are when customers hardly differ in what they spend (the model's limit
 * q, γ → ∞ with q/γ fixed: every customer's spend rate the same).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendData): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0)) return Number.NEGATIVE_INFINITY;
  return groupedLogLikelihood(p, q, gamma, spendRows(data));
}

/**
 * The customers the Gamma-Gamma is fitted on (x > 0, z̄ > 0), sorted by x, with what does not
 * depend on the parameters summed per distinct x (so an evaluation costs one log1p a customer).
 */
interface SpendRows {
  /** x·z̄ per customer, and the customer's weight; sorted by x. */
  xz: Float64Array;
  weight: Float64Array;
  /** Per distinct x: the value, where its customers start in xz, Σw and Σw·ln z̄. */
  groups: { x: number; from: number; to: number; w: number; wLogZ: number }[];
  customers: number;
}

function spendRows(data: SpendData): SpendRows {
  const idx: number[] = [];
  for (let i = 0; i < data.x.length; i++) if (data.x[i]! > 0 && data.zbar[i]! > 0) idx.push(i);
  idx.sort((i, j) => data.x[i]! - data.x[j]!);
  const xz = new Float64Array(idx.length);
  const weight = new Float64Array(idx.length);
  const groups: SpendRows['groups'] = [];
  let customers = 0;
  idx.forEach((i, k) => {
    const x = data.x[i]!;
    const z = data.zbar[i]!;
    const w = data.weight ? data.weight[i]! : 1;
    xz[k] = x * z;
    weight[k] = w;
    customers += w;
    let g = groups[groups.length - 1];
    if (!g || g.x !== x) {
      g = { x, from: k, to: k, w: 0, wLogZ: 0 };
      groups.push(g);
    }
    g.to = k + 1;
    g.w += w;
    g.wLogZ += w * Math.log(z);
  });
  return { xz, weight, groups, customers };
}

/** `gammaGammaLogLikelihood` on rows grouped by x (what the fit evaluates). */
function groupedLogLikelihood(p: number, q: number, gamma: number, d: SpendRows): number {
  const logGamma = Math.log(gamma);
  const invGamma = 1 / gamma;
  let ll = 0;
  for (const g of d.groups) {
    const px = p * g.x;
    let s = 0;
    for (let k = g.from; k < g.to; k++) s += d.weight[k]! * Math.log1p(d.xz[k]! * invGamma);
    ll +=
      g.w * (lgammaDiff(q, px) - lgamma(px) + px * Math.log(g.x) - px * logGamma) + (px - 1) * g.wLogZ - (px + q) * s;
  }
  return ll;
}

/**
 * `groupedLogLikelihood` and its gradient with respect to (ln p, ln q, ln μ), γ = q/μ, in one pass:
 *   ∂ℓ/∂p = Σ x[ψ(px+q) − ψ(px) + ln x − ln γ + ln z̄ − L],   ∂ℓ/∂q = Σ ψ(px+q) − ψ(q) − L,
 *   γ·∂ℓ/∂γ = Σ −px + (px+q)·x z̄/(γ + x z̄),   with L = log1p(x z̄/γ);
 * then ∂/∂ln p = p ∂ℓ/∂p, ∂/∂ln q = q ∂ℓ/∂q + γ ∂ℓ/∂γ, ∂/∂ln μ = −γ ∂ℓ/∂γ.
 */
function groupedGradient(p: number, q: number, gamma: number, d: SpendRows): number[] {
  const logGamma = Math.log(gamma);
  const invGamma = 1 / gamma;
  const psiQ = digamma(q);
  let gp = 0;
  let gq = 0;
  let gGamma = 0; // γ·∂ℓ/∂γ
  for (const g of d.groups) {
    const px = p * g.x;
    let sL = 0;
    let sR = 0;
    for (let k = g.from; k < g.to; k++) {
      const t = d.xz[k]! * invGamma;
      const w = d.weight[k]!;
      sL += w * Math.log1p(t);
      sR += (w * t) / (1 + t);
    }
    const psiPxQ = digammaDiff(q, px); // ψ(px+q) − ψ(q)
    gp += g.x * (g.w * (psiPxQ + psiQ - digamma(px) + Math.log(g.x) - logGamma) + g.wLogZ - sL);
    gq += g.w * psiPxQ - sL;
    gGamma += -g.w * px + (px + q) * sR;
  }
  return [p * gp, q * gq + gGamma, -gGamma];
}

/** The gradient of `gammaGammaLogLikelihood` with respect to (ln p, ln q, ln μ), μ = q/γ. */
export function gammaGammaGradient(params: GammaGammaParams, data: SpendData): number[] {
  return groupedGradient(params.p, params.q, params.gamma, spendRows(data));
}

/** A systematic subsample (every k-th customer in x order, weighted k), for the multi-start search. */
function subsampleSpend(d: SpendRows, rows: number): SpendRows {
  const k = Math.ceil(d.xz.length / rows);
  if (k <= 1) return d;
  const xz: number[] = [];
  const weight: number[] = [];
  const groups: SpendRows['groups'] = [];
  for (const g of d.groups) {
    const from = xz.length;
    let w = 0;
    let wLogZ = 0;
    for (let i = g.from; i < g.to; i++) {
      if (i % k !== 0) continue;
      xz.push(d.xz[i]!);
      weight.push(d.weight[i]! * k);
      w += d.weight[i]! * k;
      wLogZ += d.weight[i]! * k * Math.log(d.xz[i]! / g.x);
    }
    if (xz.length > from) groups.push({ x: g.x, from, to: xz.length, w, wLogZ });
  }
  const customers = weight.reduce((s, v) => s + v, 0);
  return { xz: Float64Array.from(xz), weight: Float64Array.from(weight), groups, customers };
}

/**
 * Largest q the fit reports. Beyond it the spread of customers' spend rates (coefficient of
 * variation 1/√q = 0.01 %) is nil for any purpose and the likelihood no longer changes: a fit that
 * runs past it has found the limit in which every customer spends alike on average, and reports
 * this q with the same mean rate q/γ.
 */
export const GAMMA_GAMMA_MAX_Q = 1e8;

/**
 * Maximum-likelihood fit on the customers with x > 0. The search runs over (ln p, ln q, ln μ) with
 * μ = q/γ, the mean spend rate: in these coordinates the ridge along which q and γ grow together
 * (customers alike in spend) is one axis instead of a diagonal the optimiser cannot follow, and the
 * likelihood stays exact along it (`gammaGammaLogLikelihood`). `starts` are given as (ln p, ln q, ln γ).
 */
export function fitGammaGamma(
  data: SpendData,
  opts: { starts?: number[][]; maxIterations?: number; searchRows?: number } = {},
): FitResult<GammaGammaParams> & { customers: number } {
  const d = spendRows(data);
  if (d.customers <= 0) throw new Error('fitGammaGamma: no customers with a repeat purchase and positive spend');
  let mean = 0;
  for (const g of d.groups) for (let k = g.from; k < g.to; k++) mean += (d.weight[k]! * d.xz[k]!) / g.x;
  mean /= d.customers;
  const L = Math.log;
  // E[z̄] = pγ/(q−1): starts with that mean and different shapes.
  const starts = (
    opts.starts ?? [
      [L(1), L(2), L(mean)],
      [L(5), L(3), L((mean * 2) / 5)],
      [L(0.5), L(10), L(mean * 18)],
    ]
  ).map(([lp, lq, lg]) => [lp!, lq!, lq! - lg!]);
  const toParams = (v: number[]): GammaGammaParams => ({
    p: Math.exp(v[0]!),
    q: Math.exp(v[1]!),
    gamma: Math.exp(v[1]! - v[2]!),
  });
  const objective = (rows: SpendRows) => {
    const scale = 1 / rows.customers; // the mean, so tolerances do not depend on the size
    return (v: number[]) => {
      if (Math.abs(v[0]!) > 30 || Math.abs(v[1]!) > 60 || Math.abs(v[2]!) > 60) return Number.POSITIVE_INFINITY;
      const t = toParams(v);
      return -groupedLogLikelihood(t.p, t.q, t.gamma, rows) * scale;
    };
  };
  const f = objective(d);
  const gradient = (v: number[]) => {
    const t = toParams(v);
    return groupedGradient(t.p, t.q, t.gamma, d).map((g) => -g / d.customers);
  };
  const options = { maxIterations: opts.maxIterations ?? 10_000, ftolAbs: 1e-12, xtol: 1e-8 };
  // Large data: the starts search a systematic subsample, then the best point is polished on everyone.
  const searchRows = opts.searchRows ?? 4000;
  const large = d.xz.length > searchRows * 1.5;
  let res = large
    ? multiStartThenPolish(objective(subsampleSpend(d, searchRows)), f, starts, options, gradient)
    : multiStart(f, starts, options);
  if (large && toParams(res.x).q > GAMMA_GAMMA_MAX_Q) {
    // The subsample could not tell customers' spend rates apart, so its optimum ran off along the
    // ridge, where the full likelihood is flat too; the full data may tell them apart: polish
    // once more from a point back off the ridge (q = 100, the same p and mean rate), keep the better.
    let back = bfgs(f, [res.x[0]!, Math.log(100), res.x[2]!], { gradient });
    if (!back.converged) back = nelderMead(f, back.x, { ...options, step: 0.1, maxIterations: 500, maxRestarts: 1 });
    if (back.fx < res.fx)
      res = {
        ...res,
        x: back.x,
        fx: back.fx,
        converged: back.converged,
        iterations: res.iterations + back.iterations,
        evaluations: res.evaluations + back.evaluations,
      };
  }
  const fitted = toParams(res.x);
  const params =
    fitted.q > GAMMA_GAMMA_MAX_Q
      ? { p: fitted.p, q: GAMMA_GAMMA_MAX_Q, gamma: (GAMMA_GAMMA_MAX_Q * fitted.gamma) / fitted.q }
      : fitted;
  return {
    params,
    logLikelihood: -res.fx * d.customers,
    converged: res.converged,
    iterations: res.iterations,
    starts: res.starts,
    startsAgreeing: res.startsAgreeing,
    customers: d.customers,
  };
}

/**
 * E[Z | x, z̄] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · z̄ — a weighted mean of the
 * population mean pγ/(q−1) and the customer's own mean. For x = 0 it is the population mean.
 * Infinite when q ≤ 1 (the population mean does not exist).
 */
export function conditionalExpectedAov(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  if (x <= 0) return q > 1 ? (p * gamma) / (q - 1) : Number.POSITIVE_INFINITY;
  return (p * (gamma + x * zbar)) / (p * x + q - 1);
}

/** Vectorised `conditionalExpectedAov`. */
export function conditionalExpectedAovs(params: GammaGammaParams, data: { x: Float64Array; zbar: Float64Array }) {
  const out = new Float64Array(data.x.length);
  for (let i = 0; i < out.length; i++) out[i] = conditionalExpectedAov(params, data.x[i]!, data.zbar[i]!);
  return out;
}

export interface ClvOptions {
  /** Months of future purchases to value. */
  months: number;
  /** Monthly discount rate (0.01 = 1 % a month). */
  discountRatePerMonth: number;
  /** Model time units in a month: 30 for days, 4.345 (≈ 365.25/12/7) for weeks — as lifetimes uses. */
  periodsPerMonth: number;
}

/**
 * Customer lifetime value as the `lifetimes` library computes it
 * (`GammaGammaFitter.customer_lifetime_value`): the expected purchases in each month i,
 * E[X(T + i·m)] − E[X(T + (i−1)·m)] (conditional BG/NBD expectations, m = periodsPerMonth),
 * times the expected spend per purchase, discounted by (1 + d)^i, summed over i = 1…months:
 *   CLV = Σᵢ (E[Y(i·m)] − E[Y((i−1)·m)]) · E[Z | x, z̄] / (1 + d)^i.
 * Discounting each month's purchases at the month's end (rather than continuously) is that
 * library's choice, kept so results compare one to one.
 */
export function customerLifetimeValue(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  c: { x: number; tx: number; T: number; zbar: number },
  opts: ClvOptions,
): number {
  const aov = conditionalExpectedAov(gg, c.x, c.zbar);
  let clv = 0;
  let previous = 0;
  for (let i = 1; i <= opts.months; i++) {
    const cumulative = bgNbdConditionalExpected(bg, i * opts.periodsPerMonth, c.x, c.tx, c.T);
    clv += ((cumulative - previous) * aov) / (1 + opts.discountRatePerMonth) ** i;
    previous = cumulative;
  }
  return clv;
}

/** Vectorised `customerLifetimeValue`; customers with the same (x, t_x, T, z̄) share one computation. */
export function customerLifetimeValues(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  data: { x: Float64Array; tx: Float64Array; T: Float64Array; zbar: Float64Array },
  opts: ClvOptions,
): Float64Array {
  const n = data.x.length;
  // The BG/NBD part depends on (x, t_x, T) only: the discounted expected purchases, shared.
  const d = compressRfm({ x: data.x, tx: data.tx, T: data.T });
  const discounted = new Float64Array(d.x.length);
  for (let k = 0; k < d.x.length; k++) {
    let sum = 0;
    let previous = 0;
    for (let i = 1; i <= opts.months; i++) {
      const cumulative = bgNbdConditionalExpected(bg, i * opts.periodsPerMonth, d.x[k]!, d.tx[k]!, d.T[k]!);
      sum += (cumulative - previous) / (1 + opts.discountRatePerMonth) ** i;
      previous = cumulative;
    }
    discounted[k] = sum;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = discounted[d.rowIndex[i]!]! * conditionalExpectedAov(gg, data.x[i]!, data.zbar[i]!);
  return out;
}
