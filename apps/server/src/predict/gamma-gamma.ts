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
import { multiStart, multiStartThenPolish } from './optimize.js';
import { lgamma } from './special.js';

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
 *   ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendData): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0)) return Number.NEGATIVE_INFINITY;
  const base = -lgamma(q) + q * Math.log(gamma);
  let ll = 0;
  let lastX = Number.NaN;
  let lgx = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i]!;
    const m = data.zbar[i]!;
    if (!(x > 0 && m > 0)) continue;
    const w = data.weight ? data.weight[i]! : 1;
    const px = p * x;
    if (x !== lastX) {
      lastX = x;
      lgx = lgamma(px + q) - lgamma(px) + px * Math.log(x);
    }
    ll += w * (base + lgx + (px - 1) * Math.log(m) - (px + q) * Math.log(gamma + x * m));
  }
  return ll;
}

/** The customers the Gamma-Gamma is fitted on (x > 0, z̄ > 0), sorted by x (for the per-x cache). */
function spendRows(data: SpendData): SpendData & { weight: Float64Array; customers: number } {
  const idx: number[] = [];
  for (let i = 0; i < data.x.length; i++) if (data.x[i]! > 0 && data.zbar[i]! > 0) idx.push(i);
  idx.sort((i, j) => data.x[i]! - data.x[j]!);
  const x = new Float64Array(idx.length);
  const zbar = new Float64Array(idx.length);
  const weight = new Float64Array(idx.length);
  let customers = 0;
  idx.forEach((i, k) => {
    x[k] = data.x[i]!;
    zbar[k] = data.zbar[i]!;
    weight[k] = data.weight ? data.weight[i]! : 1;
    customers += weight[k]!;
  });
  return { x, zbar, weight, customers };
}

/** Maximum-likelihood fit on the customers with x > 0 (multi-start Nelder–Mead on log-parameters). */
export function fitGammaGamma(
  data: SpendData,
  opts: { starts?: number[][]; maxIterations?: number; searchRows?: number } = {},
): FitResult<GammaGammaParams> & { customers: number } {
  const d = spendRows(data);
  if (d.customers <= 0) throw new Error('fitGammaGamma: no customers with a repeat purchase and positive spend');
  let mean = 0;
  for (let i = 0; i < d.x.length; i++) mean += d.weight[i]! * d.zbar[i]!;
  mean /= d.customers;
  const L = Math.log;
  // E[z̄] = pγ/(q−1): starts with that mean and different shapes.
  const starts = opts.starts ?? [
    [L(1), L(2), L(mean)],
    [L(5), L(3), L((mean * 2) / 5)],
    [L(0.5), L(10), L(mean * 18)],
  ];
  const toParams = (v: number[]): GammaGammaParams => ({
    p: Math.exp(v[0]!),
    q: Math.exp(v[1]!),
    gamma: Math.exp(v[2]!),
  });
  const scale = 1 / d.customers;
  const f = (v: number[]) =>
    v.some((t) => Math.abs(t) > 30) ? Number.POSITIVE_INFINITY : -gammaGammaLogLikelihood(toParams(v), d) * scale;
  const options = { maxIterations: opts.maxIterations ?? 10_000, ftolAbs: 1e-12, xtol: 1e-8 };
  // Large data: the starts search a systematic subsample (every k-th customer in x order,
  // weighted k), then the best point is polished on everyone.
  const searchRows = opts.searchRows ?? 4000;
  let res: ReturnType<typeof multiStart>;
  if (d.x.length > searchRows * 1.5) {
    const k = Math.ceil(d.x.length / searchRows);
    const pick = (a: Float64Array) => a.filter((_, i) => i % k === 0);
    const sub = { x: pick(d.x), zbar: pick(d.zbar), weight: pick(d.weight).map((w) => w * k) };
    const subScale = 1 / sub.weight.reduce((s, w) => s + w, 0);
    const g = (v: number[]) =>
      v.some((t) => Math.abs(t) > 30)
        ? Number.POSITIVE_INFINITY
        : -gammaGammaLogLikelihood(toParams(v), sub) * subScale;
    res = multiStartThenPolish(g, f, starts, options);
  } else res = multiStart(f, starts, options);
  return {
    params: toParams(res.x),
    logLikelihood: -res.fx / scale,
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
