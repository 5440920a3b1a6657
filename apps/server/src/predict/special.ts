/**
 * Special functions for the customer-lifetime-value models, written for accuracy in log space.
 *
 * - `lgamma`: log Γ(x) for x > 0 (Lanczos approximation with g = 671/128 and 14 coefficients,
 *   Numerical Recipes 3rd ed. §6.1; ~1e-15 relative error away from the roots at 1 and 2,
 *   ~1e-16 absolute next to them).
 * - `logSumExp`, `log1pExp`, `log1mExp`: sums and differences of exponentials without overflow.
 * - `hyp2f1Euler`: the Gauss hypergeometric function in the form the BG/NBD expectations need.
 */

// The published coefficients, as the nearest doubles (what the longer decimals round to anyway).
const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 0.00003399464998481189,
  0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275, -0.000026190838401581408,
  0.0000036899182659531625,
];
const SQRT_2PI = 2.5066282746310007;

/** log Γ(x) for x > 0; NaN for x ≤ 0 or NaN, +Infinity for x = +Infinity. */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x < 1e-8) return -Math.log(x) - 0.5772156649015329 * x; // log Γ(x) = −log x − γx + O(x²)
  let y = x;
  const tmp0 = x + 5.2421875;
  const tmp = (x + 0.5) * Math.log(tmp0) - tmp0;
  let ser = 0.9999999999999971;
  for (let j = 0; j < 14; j++) ser += LANCZOS[j]! / ++y;
  return tmp + Math.log((SQRT_2PI * ser) / x);
}

/** log(e^a + e^b) without overflow; −Infinity terms are allowed. */
export function logSumExp2(a: number, b: number): number {
  const m = a > b ? a : b;
  if (m === Number.NEGATIVE_INFINITY) return m;
  const d = a > b ? b - a : a - b;
  return m + Math.log1p(Math.exp(d));
}

/** log Σ e^{v_i}, scaled by the largest term; −Infinity for an empty list. */
export function logSumExp(values: ArrayLike<number>): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
  if (m === Number.NEGATIVE_INFINITY || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - m);
  return m + Math.log(s);
}

/** log(1 + e^x), accurate for large |x|. */
export function log1pExp(x: number): number {
  if (x > 36) return x + Math.exp(-x);
  return Math.log1p(Math.exp(x));
}

/** log(1 − e^x) for x ≤ 0 (Mächler 2012: log1p(−e^x) or log(−expm1(x)) by the size of x). */
export function log1mExp(x: number): number {
  if (x > 0) return Number.NaN;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/**
 * The Gauss hypergeometric series ₂F₁(a, b; c; z) = Σ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ for |z| < 1 (and
 * z = 1 when it converges), summed until a term no longer changes the sum. c must not be
 * 0, −1, −2, …. Throws when `maxTerms` are not enough.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 100_000): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    if (term === 0) return sum;
    const next = sum + term;
    if (next === sum && n > 2) return next;
    sum = next;
    if (!Number.isFinite(sum)) return sum;
  }
  throw new Error(`hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
}

/**
 * ₂F₁ through Euler's transformation, ₂F₁(a, b; c; z) = (1 − z)^(c − a − b) ₂F₁(c − a, c − b; c; z),
 * returned as log. For the BG/NBD terms the transformed series has small numerator
 * parameters and a large c, so it converges quickly even for large x and z near 1, where the
 * direct series first grows by orders of magnitude. Valid for 0 ≤ z < 1 when the value is positive.
 */
export function logHyp2f1Euler(a: number, b: number, c: number, z: number): number {
  const s = hyp2f1(c - a, c - b, c, z);
  return (c - a - b) * Math.log1p(-z) + Math.log(s);
}

/**
 * log Γ(q + a) − log Γ(q) for q > 0, a ≥ 0, accurate when q is large — where the plain difference
 * of two huge log-gammas cancels (at q = 1e12 it would keep only about three digits). From
 * Stirling's series: (q − ½)·log1p(a/q) + a·log(q + a) − a + c(q + a) − c(q), with
 * c(z) = 1/(12z) − 1/(360z³) + 1/(1260z⁵), whose next term is below 1e-17 for q ≥ 100.
 */
export function lgammaDiff(q: number, a: number): number {
  if (q < 100) return lgamma(q + a) - lgamma(q);
  const c = (z: number) => {
    const z2 = z * z;
    return (1 / 12 - (1 / 360 - 1 / (1260 * z2)) / z2) / z;
  };
  return (q - 0.5) * Math.log1p(a / q) + a * Math.log(q + a) - a + c(q + a) - c(q);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the
 * asymptotic series ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (error below 1e-14 there).
 */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let v = 0;
  while (x < 10) {
    v -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return v + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
}

/**
 * ψ(q + a) − ψ(q) for q > 0, a ≥ 0, accurate when q is large (the companion of `lgammaDiff`):
 * log1p(a/q) + 1/(2q) − 1/(2(q+a)) + c(q) − c(q+a) from the asymptotic series, with
 * c(z) = 1/(12z²) − 1/(120z⁴) + 1/(252z⁶), for q ≥ 100.
 */
export function digammaDiff(q: number, a: number): number {
  if (q < 100) return digamma(q + a) - digamma(q);
  const c = (z: number) => {
    const f = 1 / (z * z);
    return f * (1 / 12 - f * (1 / 120 - f / 252));
  };
  return Math.log1p(a / q) + 0.5 / q - 0.5 / (q + a) + c(q) - c(q + a);
}
