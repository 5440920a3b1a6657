/**
 * Derivative-free minimisation for the model fits: Nelder–Mead with the adaptive coefficients
 * of Gao & Han (2012), which behave better than the classic (1, 2, ½, ½) beyond two
 * dimensions, and a restart from the best vertex until a restart no longer improves the
 * minimum (the classic remedy for a simplex that collapsed before reaching the optimum).
 *
 * The models' parameters are positive, so the fits minimise over log-parameters: every
 * point of ℝⁿ is then a valid parameter vector and no constraint is needed. Non-finite
 * objective values are treated as +Infinity, so the simplex simply moves away from them.
 */

export interface MinimizeOptions {
  /** Stop when the simplex's objective values differ by at most ftolAbs + ftolRel·|f(best)|. */
  ftolAbs?: number;
  ftolRel?: number;
  /** …and its vertices differ by at most xtol in every coordinate. */
  xtol?: number;
  /** Objective evaluations allowed across all restarts. */
  maxEvaluations?: number;
  /** Iterations allowed across all restarts. */
  maxIterations?: number;
  /** Initial simplex: each vertex moves one coordinate by this much (log scale: 0.5 ≈ ×1.65). */
  step?: number;
  /** Restarts from the best vertex allowed after the first convergence. */
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  fx: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

const DEFAULTS: Required<MinimizeOptions> = {
  ftolAbs: 1e-10,
  ftolRel: 1e-13,
  xtol: 1e-9,
  maxEvaluations: 20_000,
  maxIterations: 10_000,
  step: 0.5,
  maxRestarts: 5,
};

/** Minimises f from x0 with Nelder–Mead (adaptive coefficients, restarts). */
export function nelderMead(f: (x: number[]) => number, x0: readonly number[], options: MinimizeOptions = {}) {
  const o = { ...DEFAULTS, ...options };
  const n = x0.length;
  let evaluations = 0;
  const fn = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  // Gao & Han (2012) adaptive coefficients.
  const rho = 1;
  const chi = 1 + 2 / n;
  const psi = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;

  let best = [...x0];
  let fbest = fn(best);
  let iterations = 0;
  let converged = false;
  for (let restart = 0; restart <= o.maxRestarts; restart++) {
    const simplex: number[][] = [best];
    const values: number[] = [fbest];
    for (let i = 0; i < n; i++) {
      const v = [...best];
      v[i] = v[i]! + o.step / (restart + 1);
      simplex.push(v);
      values.push(fn(v));
    }
    let stageConverged = false;
    while (iterations < o.maxIterations && evaluations < o.maxEvaluations) {
      // Order the vertices by objective value.
      const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
      const s = order.map((i) => simplex[i]!);
      const fv = order.map((i) => values[i]!);
      for (let i = 0; i <= n; i++) {
        simplex[i] = s[i]!;
        values[i] = fv[i]!;
      }
      let fspread = 0;
      let xspread = 0;
      for (let i = 1; i <= n; i++) {
        fspread = Math.max(fspread, Math.abs(values[i]! - values[0]!));
        for (let j = 0; j < n; j++) xspread = Math.max(xspread, Math.abs(simplex[i]![j]! - simplex[0]![j]!));
      }
      if (Number.isFinite(values[0]!) && fspread <= o.ftolAbs + o.ftolRel * Math.abs(values[0]!) && xspread <= o.xtol) {
        stageConverged = true;
        break;
      }
      iterations++;
      const centroid = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
      const worst = simplex[n]!;
      const along = (t: number) => centroid.map((c, j) => c + t * (c - worst[j]!));
      const xr = along(rho);
      const fr = fn(xr);
      if (fr < values[0]!) {
        const xe = along(rho * chi);
        const fe = fn(xe);
        if (fe < fr) {
          simplex[n] = xe;
          values[n] = fe;
        } else {
          simplex[n] = xr;
          values[n] = fr;
        }
        continue;
      }
      if (fr < values[n - 1]!) {
        simplex[n] = xr;
        values[n] = fr;
        continue;
      }
      // Contraction: outside when the reflected point is better than the worst, inside otherwise.
      const outside = fr < values[n]!;
      const xc = along(outside ? rho * psi : -psi);
      const fc = fn(xc);
      if (outside ? fc <= fr : fc < values[n]!) {
        simplex[n] = xc;
        values[n] = fc;
        continue;
      }
      // Shrink towards the best vertex.
      for (let i = 1; i <= n; i++) {
        simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + sigma * (v - simplex[0]![j]!));
        values[i] = fn(simplex[i]!);
      }
    }
    let k = 0;
    for (let i = 1; i <= n; i++) if (values[i]! < values[k]!) k = i;
    const improvement = fbest - values[k]!;
    const moved = Math.max(...simplex[k]!.map((v, j) => Math.abs(v - best[j]!)));
    if (values[k]! <= fbest) {
      best = simplex[k]!;
      fbest = values[k]!;
    }
    if (!stageConverged) break;
    // A restart that neither improves the minimum nor moves the point confirms convergence.
    if (restart > 0 && improvement <= o.ftolAbs + o.ftolRel * Math.abs(fbest) && moved <= o.xtol * 10) {
      converged = true;
      break;
    }
  }
  return { x: best, fx: fbest, iterations, evaluations, converged } satisfies MinimizeResult;
}

export interface MultiStartResult extends MinimizeResult {
  /** Starting points tried. */
  starts: number;
  /** Starts whose run converged. */
  startsConverged: number;
  /** Converged starts that reached the best minimum (same objective and same point). */
  startsAgreeing: number;
}

/**
 * Runs Nelder–Mead from each starting point and keeps the best minimum. Two runs agree when
 * their objective values differ by less than `agreeF` (absolute) and their points by less
 * than `agreeX` in every coordinate (log-parameters: 1e-3 ≈ 0.1 % in the parameter).
 */
export function multiStart(
  f: (x: number[]) => number,
  starts: readonly (readonly number[])[],
  options: MinimizeOptions & { agreeF?: number; agreeX?: number } = {},
): MultiStartResult {
  const agreeF = options.agreeF ?? 1e-4;
  const agreeX = options.agreeX ?? 1e-3;
  const runs = starts.map((s) => nelderMead(f, s, options));
  let best = runs[0]!;
  for (const r of runs) if (r.fx < best.fx || (!Number.isFinite(best.fx) && Number.isFinite(r.fx))) best = r;
  const agreeing = runs.filter(
    (r) => r.converged && Math.abs(r.fx - best.fx) <= agreeF && r.x.every((v, j) => Math.abs(v - best.x[j]!) <= agreeX),
  ).length;
  return {
    ...best,
    iterations: runs.reduce((s, r) => s + r.iterations, 0),
    evaluations: runs.reduce((s, r) => s + r.evaluations, 0),
    starts: runs.length,
    startsConverged: runs.filter((r) => r.converged).length,
    startsAgreeing: agreeing,
  };
}

/**
 * Quasi-Newton (BFGS) from a point already near the optimum, with central-difference gradients
 * and a backtracking (Armijo) line search: a few dozen evaluations where a Nelder–Mead polish
 * needs hundreds — what makes the full-data step of a million-customer fit cheap. Converged when
 * the gradient's largest component falls below `gtol` or a step no longer lowers f.
 */
export function bfgs(
  f: (x: number[]) => number,
  x0: readonly number[],
  o: {
    gtol?: number;
    maxIterations?: number;
    h?: number;
    /** f's exact gradient, when known (otherwise central differences, 2n evaluations of f). */
    gradient?: (x: number[]) => number[];
  } = {},
): MinimizeResult {
  const n = x0.length;
  const gtol = o.gtol ?? 1e-7;
  const h = o.h ?? 1e-5;
  let evaluations = 0;
  const fn = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const exact = o.gradient;
  const grad = (x: number[]) => {
    if (exact) {
      evaluations++;
      return exact(x);
    }
    return x.map((_, i) => {
      const up = x.slice();
      const down = x.slice();
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      return (fn(up) - fn(down)) / (2 * h);
    });
  };
  let x = x0.slice();
  let fx = fn(x);
  let g = grad(x);
  // Inverse Hessian approximation, starting from the identity.
  let H: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let iterations = 0;
  let converged = false;
  let steepest = false;
  let fresh = true; // H is still the identity
  const maxIterations = o.maxIterations ?? 200;
  while (iterations < maxIterations) {
    iterations++;
    if (Math.max(...g.map(Math.abs)) < gtol) {
      converged = true;
      break;
    }
    const d = H.map((row) => -row.reduce((sum, v, j) => sum + v * (g[j] as number), 0));
    let slope = d.reduce((sum, v, i) => sum + v * (g[i] as number), 0);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      H = H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      fresh = true;
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      slope = -g.reduce((sum, v) => sum + v * v, 0);
    }
    let step = 1;
    let next = x.map((v, i) => v + step * (d[i] as number));
    let fnext = fn(next);
    while (fnext > fx + 1e-4 * step * slope && step > 1e-10) {
      step /= 2;
      next = x.map((v, i) => v + step * (d[i] as number));
      fnext = fn(next);
    }
    if (!(fnext < fx)) {
      // No lower point along d. With a curvature estimate, forget it and try steepest descent
      // once; otherwise stop, converged if the gradient is at the level of the rounding noise.
      if (!steepest) {
        steepest = true;
        H = H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
        fresh = true;
        continue;
      }
      converged = Math.max(...g.map(Math.abs)) < gtol * 1e3;
      break;
    }
    steepest = false;
    const gnext = grad(next);
    const sv = next.map((v, i) => v - (x[i] as number));
    const yv = gnext.map((v, i) => v - (g[i] as number));
    const sy = sv.reduce((sum, v, i) => sum + v * (yv[i] as number), 0);
    if (sy > 1e-16) {
      if (fresh) {
        // Scale the identity to the curvature just seen before the first update (Nocedal &
        // Wright, eq. 6.20): the log-parameters' scale is not the objective's.
        const yy = yv.reduce((sum, v) => sum + v * v, 0);
        H = H.map((row) => row.map((v) => (v * sy) / yy));
        fresh = false;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = H.map((row) => row.reduce((sum, v, j) => sum + v * (yv[j] as number), 0));
      const yHy = yv.reduce((sum, v, i) => sum + v * (Hy[i] as number), 0);
      H = H.map((row, i) =>
        row.map(
          (v, j) =>
            v -
            rho * ((Hy[i] as number) * (sv[j] as number) + (sv[i] as number) * (Hy[j] as number)) +
            (rho * rho * yHy + rho) * (sv[i] as number) * (sv[j] as number),
        ),
      );
    }
    const improvement = fx - fnext;
    x = next;
    fx = fnext;
    g = gnext;
    if (improvement <= 1e-15 * Math.max(1, Math.abs(fx))) {
      converged = Math.max(...g.map(Math.abs)) < gtol * 1e3;
      break;
    }
  }
  return { x, fx, iterations, evaluations, converged };
}

/**
 * For large data: the multi-start search runs on a cheap approximation of the objective
 * (a weighted subsample), and the best point is then polished on the full objective with a
 * small simplex. The report's starts and agreement are those of the search; `converged`
 * is the polish's.
 */
export function multiStartThenPolish(
  cheap: (x: number[]) => number,
  full: (x: number[]) => number,
  starts: readonly (readonly number[])[],
  options: MinimizeOptions = {},
  /** The full objective's exact gradient, when known. */
  gradient?: (x: number[]) => number[],
): MultiStartResult {
  const search = multiStart(cheap, starts, { ...options, xtol: Math.max(options.xtol ?? 0, 1e-5) });
  // The polish starts next to the optimum: quasi-Newton steps on the full objective.
  let polish: MinimizeResult = bfgs(full, search.x, gradient ? { gradient } : {});
  if (!polish.converged) {
    // BFGS could not settle (a flat or awkward optimum): the robust simplex from its best point.
    // Bounded: near the optimum the mean log-likelihood of a large sum is flat to ~1e-13, below
    // which no stopping rule on f can be met.
    const simplex = nelderMead(full, polish.x, {
      ...options,
      step: 0.05,
      xtol: Math.max(options.xtol ?? 0, 1e-5),
      ftolRel: Math.max(options.ftolRel ?? 0, 1e-11),
      maxIterations: Math.min(options.maxIterations ?? 500, 500),
      maxRestarts: 1,
    });
    polish = { ...simplex, evaluations: simplex.evaluations + polish.evaluations };
  }
  return {
    ...polish,
    iterations: search.iterations + polish.iterations,
    evaluations: search.evaluations + polish.evaluations,
    starts: search.starts,
    startsConverged: search.startsConverged,
    startsAgreeing: search.startsAgreeing,
  };
}
