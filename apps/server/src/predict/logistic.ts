/**
 * L2-regularized logistic regression, fitted by Newton's method (IRLS) with a Cholesky solve.
 * Meant for small designs (up to a few dozen columns, any number of rows). Pure and deterministic.
 *
 * Every feature is standardized with the training (weighted) mean and standard deviation, which
 * the model keeps. The fit minimizes
 *
 *   Σᵢ wᵢ·[log(1 + e^ηᵢ) − yᵢ·ηᵢ] + (l2 / 2)·Σⱼ βⱼ²,   ηᵢ = β₀ + Σⱼ βⱼ·(xᵢⱼ − μⱼ)/σⱼ
 *
 * (a sum over rows, as scikit-learn's C = 1/l2; the intercept β₀ is not penalized). Because the
 * features are centred, β₀ is the log-odds of a customer at the training mean, and βⱼ·zᵢⱼ is
 * feature j's contribution relative to that average customer (`contributions`).
 *
 * A constant column (σ = 0) carries no information: its coefficient is 0. When the Hessian is not
 * positive definite (collinear columns with l2 = 0), the solve adds a growing ridge (Levenberg–
 * Marquardt damping) until the factorization succeeds; a backtracking line search makes every
 * step decrease the objective.
 */

export interface LogisticOptions {
  /** The L2 penalty on the (standardized) coefficients; default 1. 0 fits the plain maximum-likelihood model. */
  l2?: number;
  /** Newton iterations at most; default 100. */
  maxIter?: number;
  /** Converged when the largest coefficient change of a step is below tol; default 1e-8. */
  tol?: number;
  /** Per-row weights (default 1 each). */
  weights?: ArrayLike<number>;
}

/** A fitted model: plain JSON (numbers and arrays only). */
export interface LogisticModel {
  /** Log-odds at the training mean of every feature. */
  intercept: number;
  /** One per feature, on the standardized scale. */
  coefficients: number[];
  /** The training mean and standard deviation of each feature (sd 1 for a constant column). */
  means: number[];
  sds: number[];
  l2: number;
  /** Newton iterations run, whether the fit converged, and the objective at the end. */
  iterations: number;
  converged: boolean;
  objective: number;
}

export type Row = ArrayLike<number>;

function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Cholesky factorization of the symmetric p×p matrix `a` (row-major; the lower triangle is read)
 * into `l` (lower triangular). False when `a` is not (numerically) positive definite.
 */
function cholesky(a: Float64Array, p: number, l: Float64Array): boolean {
  l.fill(0);
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j] as number;
    for (let k = 0; k < j; k++) d -= (l[j * p + k] as number) ** 2;
    if (!(d > 1e-12 * Math.max(1, Math.abs(a[j * p + j] as number)))) return false;
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * p + k] as number) * (l[j * p + k] as number);
      l[i * p + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b in place of b. */
function choleskySolve(l: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * p + k] as number) * (b[k] as number);
    b[i] = s / (l[i * p + i] as number);
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < p; k++) s -= (l[k * p + i] as number) * (b[k] as number);
    b[i] = s / (l[i * p + i] as number);
  }
}

export function fitLogistic(
  X: readonly Row[],
  y: ArrayLike<number | boolean>,
  options: LogisticOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-8;
  const n = X.length;
  if (n === 0) throw new Error('fitLogistic: no rows');
  if (y.length !== n) throw new Error(`fitLogistic: ${n} rows but ${y.length} labels`);
  if (!(l2 >= 0)) throw new Error('fitLogistic: l2 must be ≥ 0');
  const d = (X[0] as Row).length;
  const w = new Float64Array(n);
  let wSum = 0;
  for (let i = 0; i < n; i++) {
    const wi = options.weights ? (options.weights[i] as number) : 1;
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new Error(`fitLogistic: weight ${i} is not a finite number ≥ 0`);
    w[i] = wi;
    wSum += wi;
  }
  if (!(wSum > 0)) throw new Error('fitLogistic: the weights sum to 0');
  const yy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    yy[i] = v === true || v === 1 ? 1 : 0;
    const row = X[i] as Row;
    if (row.length !== d) throw new Error(`fitLogistic: row ${i} has ${row.length} columns, expected ${d}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(row[j] as number)) throw new Error(`fitLogistic: row ${i}, column ${j} is not finite`);
    }
  }

  // Standardization (weighted), and which columns vary at all.
  const means = new Array<number>(d).fill(0);
  const sds = new Array<number>(d).fill(1);
  const active: number[] = [];
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += (w[i] as number) * ((X[i] as Row)[j] as number);
    m /= wSum;
    let v = 0;
    for (let i = 0; i < n; i++) v += (w[i] as number) * (((X[i] as Row)[j] as number) - m) ** 2;
    const sd = Math.sqrt(v / wSum);
    means[j] = m;
    if (sd > 1e-12 * Math.max(1, Math.abs(m))) {
      sds[j] = sd;
      active.push(j);
    }
  }

  // Z: n × p, row-major, column 0 the intercept.
  const p = active.length + 1;
  const Z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const row = X[i] as Row;
    Z[i * p] = 1;
    for (let a = 0; a < active.length; a++) {
      const j = active[a] as number;
      Z[i * p + a + 1] = ((row[j] as number) - (means[j] as number)) / (sds[j] as number);
    }
  }

  const beta = new Float64Array(p);
  // Start the intercept at the weighted base rate's log-odds.
  let ySum = 0;
  for (let i = 0; i < n; i++) ySum += (w[i] as number) * (yy[i] as number);
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, ySum / wSum));
  beta[0] = Math.log(rate / (1 - rate));

  const eta = new Float64Array(n);
  const objectiveAt = (b: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      const off = i * p;
      for (let k = 0; k < p; k++) e += (Z[off + k] as number) * (b[k] as number);
      eta[i] = e;
      f += (w[i] as number) * (log1pExp(e) - (yy[i] as number) * e);
    }
    let pen = 0;
    for (let k = 1; k < p; k++) pen += (b[k] as number) ** 2;
    return f + 0.5 * l2 * pen;
  };

  const H = new Float64Array(p * p);
  const Hd = new Float64Array(p * p);
  const L = new Float64Array(p * p);
  const g = new Float64Array(p);
  const step = new Float64Array(p);
  const trial = new Float64Array(p);
  let objective = objectiveAt(beta);
  let iterations = 0;
  let converged = false;

  for (let iter = 0; iter < maxIter; iter++) {
    iterations = iter + 1;
    // Gradient and Hessian (lower triangle) at beta; eta holds Z·beta from the last objective call.
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i] as number);
      const wi = w[i] as number;
      const r = wi * (mu - (yy[i] as number));
      const h = wi * mu * (1 - mu);
      const off = i * p;
      for (let j = 0; j < p; j++) {
        const zj = Z[off + j] as number;
        g[j] = (g[j] as number) + r * zj;
        const hz = h * zj;
        const rowOff = j * p;
        for (let k = 0; k <= j; k++) H[rowOff + k] = (H[rowOff + k] as number) + hz * (Z[off + k] as number);
      }
    }
    for (let j = 1; j < p; j++) {
      g[j] = (g[j] as number) + l2 * (beta[j] as number);
      H[j * p + j] = (H[j * p + j] as number) + l2;
    }
    // Newton direction, with damping when H is not positive definite.
    let damping = 0;
    let trace = 0;
    for (let j = 0; j < p; j++) trace += H[j * p + j] as number;
    const scale = Math.max(trace / p, 1e-12);
    for (;;) {
      Hd.set(H);
      if (damping > 0) for (let j = 0; j < p; j++) Hd[j * p + j] = (Hd[j * p + j] as number) + damping;
      if (cholesky(Hd, p, L)) break;
      damping = damping === 0 ? 1e-10 * scale : damping * 10;
      if (damping > 1e10 * scale) throw new Error('fitLogistic: the Hessian cannot be factorized');
    }
    step.set(g);
    choleskySolve(L, p, step);
    let slope = 0;
    for (let j = 0; j < p; j++) slope += (g[j] as number) * (step[j] as number);

    // Backtracking line search (Armijo) along −step.
    let t = 1;
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < p; j++) trial[j] = (beta[j] as number) - t * (step[j] as number);
      next = objectiveAt(trial);
      if (next <= objective - 1e-4 * t * slope) break;
      t /= 2;
    }
    let maxChange = 0;
    for (let j = 0; j < p; j++) maxChange = Math.max(maxChange, Math.abs(t * (step[j] as number)));
    if (!(next <= objective)) {
      // No decrease possible along the Newton direction: at the optimum to machine precision.
      objectiveAt(beta);
      converged = maxChange < Math.sqrt(tol);
      break;
    }
    beta.set(trial);
    const decrease = objective - next;
    objective = next;
    if (maxChange < tol || decrease <= 1e-15 * Math.max(1, Math.abs(objective))) {
      converged = true;
      break;
    }
  }

  const coefficients = new Array<number>(d).fill(0);
  active.forEach((j, a) => {
    coefficients[j] = beta[a + 1] as number;
  });
  return { intercept: beta[0] as number, coefficients, means, sds, l2, iterations, converged, objective };
}

function checkRow(model: LogisticModel, row: Row): void {
  if (row.length !== model.coefficients.length) {
    throw new Error(`row has ${row.length} columns, the model ${model.coefficients.length}`);
  }
}

/** The log-odds η for one row. */
export function logOdds(model: LogisticModel, row: Row): number {
  checkRow(model, row);
  let e = model.intercept;
  for (let j = 0; j < row.length; j++) {
    const c = model.coefficients[j] as number;
    if (c !== 0) e += (c * ((row[j] as number) - (model.means[j] as number))) / (model.sds[j] as number);
  }
  return e;
}

/** The probability of the positive class for one row. */
export function predictLogistic(model: LogisticModel, row: Row): number {
  return sigmoid(logOdds(model, row));
}

export interface Contribution {
  /** The column's index in the row. */
  index: number;
  /** coefficient × standardized value: log-odds relative to a customer at the training mean. */
  contribution: number;
}

/** Each column's share of the log-odds: intercept + Σ contributions = logOdds(model, row). */
export function contributions(model: LogisticModel, row: Row): Contribution[] {
  checkRow(model, row);
  return model.coefficients.map((c, index) => ({
    index,
    contribution:
      c === 0 ? 0 : (c * ((row[index] as number) - (model.means[index] as number))) / (model.sds[index] as number),
  }));
}

/** The model on the original (unstandardized) scale: η = intercept + Σ coefficients[j]·x[j]. */
export function rawCoefficients(model: LogisticModel): { intercept: number; coefficients: number[] } {
  let intercept = model.intercept;
  const coefficients = model.coefficients.map((c, j) => {
    const b = c / (model.sds[j] as number);
    intercept -= b * (model.means[j] as number);
    return b;
  });
  return { intercept, coefficients };
}
