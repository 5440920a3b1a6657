/**
 * Customer lifetime value on a workspace's own orders (PRD-1, PRD-3): BG/NBD for how often a
 * customer buys and whether they are still buying, Gamma-Gamma for how much. The fit reads
 * per-customer purchase-day summaries (repository.ts); the engine is bgnbd.ts / gamma-gamma.ts.
 */
import { UserError } from '../platform/errors.js';
import { type BgNbdParams, fitBgNbd, type RfmData, scoreBgNbd } from './bgnbd.js';
import { type Diagnostics, diagnoseBgNbd } from './diagnostics.js';
import {
  conditionalExpectedAovs,
  customerLifetimeValues,
  fitGammaGamma,
  type GammaGammaParams,
} from './gamma-gamma.js';
import { prm } from './messages.js';
import type { DaySummaryRow } from './repository.js';
import { DAYS_PER_UNIT, dateOfDay, dayOfDate, type TimeUnit } from './time.js';

/** 10% a year, as the monthly rate the CLV sum discounts by. */
export const DEFAULT_DISCOUNT_MONTHLY = 1.1 ** (1 / 12) - 1;
export const DEFAULT_HORIZON_MONTHS = 12;
/** Fewer repeat customers than this and spend is the plain mean order value (no Gamma-Gamma). */
const MIN_REPEAT_FOR_SPEND = 10;

export interface ClvParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  p: number | null;
  q: number | null;
  gamma: number | null;
  gammaGammaLogLikelihood: number | null;
  /** Mean order value, when too few customers came back to fit Gamma-Gamma. */
  meanOrderValue: number;
  timeUnit: TimeUnit;
  calibrationStart: string;
  calibrationEnd: string;
  holdoutEnd: string | null;
  customers: number;
  repeatCustomers: number;
  currency: string;
  discountRateMonthly: number;
  horizonMonths: number;
  /** The parameters were fitted on the calibration period only (asked for) or refitted on all orders. */
  fittedOn: 'calibration' | 'all';
}

/** Columns of a purchase-day summary in the model's time unit. */
export interface Summary {
  ids: string[];
  data: RfmData & { zbar: Float64Array };
  holdout: Float64Array;
  /** The last order's time (ms since the epoch). */
  lastOrderMs: Float64Array;
  repeat: number;
  firstDay: number;
}

/** Turns the repository's day summaries into x, t_x, T (and spend) as of `calEndDay`. */
export function toSummary(rows: DaySummaryRow[], calEndDay: number, unit: TimeUnit): Summary {
  const n = rows.length;
  const per = DAYS_PER_UNIT[unit];
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const zbar = new Float64Array(n);
  const holdout = new Float64Array(n);
  const ids: string[] = new Array(n);
  const lastOrderMs = new Float64Array(n);
  let repeat = 0;
  let firstDay = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as DaySummaryRow;
    ids[i] = r.customer_id;
    const xi = r.days - 1;
    x[i] = xi;
    tx[i] = (r.last_day - r.first_day) / per;
    T[i] = (calEndDay - r.first_day) / per;
    zbar[i] = xi > 0 ? Math.max(0, r.repeat_amount / xi) : 0;
    holdout[i] = r.holdout_days;
    lastOrderMs[i] = r.last_order_ms;
    if (xi > 0) repeat++;
    if (r.first_day < firstDay) firstDay = r.first_day;
  }
  return { ids, data: { x, tx, T, zbar }, holdout, lastOrderMs, repeat, firstDay };
}

function repeatSpend(s: Summary): { x: Float64Array; zbar: Float64Array } {
  const keep: number[] = [];
  for (let i = 0; i < s.ids.length; i++)
    if ((s.data.x[i] as number) > 0 && (s.data.zbar[i] as number) > 0) keep.push(i);
  return {
    x: Float64Array.from(keep, (i) => s.data.x[i] as number),
    zbar: Float64Array.from(keep, (i) => s.data.zbar[i] as number),
  };
}

export interface FitOutcome {
  params: ClvParams;
  diagnostics: Diagnostics;
  /** The parameters of the calibration fit the diagnostics judge. */
  validation: BgNbdParams;
  /** The calibration summary those parameters were fitted on. */
  calibration: Summary;
}

/**
 * Fits BG/NBD and Gamma-Gamma. With a calibration end, the parameters are those of the
 * calibration period and the diagnostics compare with what happened after it (the published
 * method). Without one, the last third of the history (up to a year) is held out to check the
 * model, and the parameters are then refitted on every order so scores use all the evidence.
 */
export function fitClvModel(o: {
  calibration: DaySummaryRow[];
  all: DaySummaryRow[] | null;
  calEndDay: number;
  today: number;
  unit: TimeUnit;
  currency: string;
  meanOrderValue: number;
}): FitOutcome {
  const cal = toSummary(o.calibration, o.calEndDay, o.unit);
  if (!cal.ids.length) throw new UserError(400, 'no_orders', prm('no_orders'));
  const bg = fitBgNbd(cal.data);
  const spend = repeatSpend(cal);
  const gg = spend.x.length >= MIN_REPEAT_FOR_SPEND ? fitGammaGamma(spend) : null;
  const holdoutUnits = (o.today - o.calEndDay) / DAYS_PER_UNIT[o.unit];
  const diagnostics = diagnoseBgNbd({
    params: bg.params,
    fit: bg,
    summary: cal.data,
    ...(holdoutUnits > 0 ? { holdoutX: cal.holdout, holdoutDuration: holdoutUnits } : {}),
  });
  let final = bg;
  let finalGg = gg;
  let fitted: DaySummaryRow[] = o.calibration;
  if (o.all && o.calEndDay < o.today) {
    // The refit starts where the calibration fit ended (and still reports its own convergence).
    const all = toSummary(o.all, o.today, o.unit);
    const warm = [bg.params.r, bg.params.alpha, bg.params.a, bg.params.b].map(Math.log);
    final = fitBgNbd(all.data, { starts: [warm] });
    const allSpend = repeatSpend(all);
    finalGg =
      allSpend.x.length >= MIN_REPEAT_FOR_SPEND
        ? fitGammaGamma(allSpend, gg ? { starts: [[gg.params.p, gg.params.q, gg.params.gamma].map(Math.log)] } : {})
        : null;
    fitted = o.all;
  }
  const repeatCustomers = fitted.reduce((n, r) => n + (r.days > 1 ? 1 : 0), 0);
  return {
    params: {
      ...final.params,
      logLikelihood: final.logLikelihood,
      converged: final.converged && (finalGg?.converged ?? true),
      iterations: final.iterations,
      p: finalGg?.params.p ?? null,
      q: finalGg?.params.q ?? null,
      gamma: finalGg?.params.gamma ?? null,
      gammaGammaLogLikelihood: finalGg?.logLikelihood ?? null,
      meanOrderValue: o.meanOrderValue,
      timeUnit: o.unit,
      calibrationStart: dateOfDay(cal.firstDay),
      calibrationEnd: dateOfDay(o.calEndDay),
      holdoutEnd: o.calEndDay < o.today ? dateOfDay(o.today) : null,
      customers: fitted.length,
      repeatCustomers,
      currency: o.currency,
      discountRateMonthly: DEFAULT_DISCOUNT_MONTHLY,
      horizonMonths: DEFAULT_HORIZON_MONTHS,
      fittedOn: o.all ? 'all' : 'calibration',
    },
    diagnostics,
    validation: bg.params,
    calibration: cal,
  };
}

/** Checks an asked-for calibration end against the history (400 naming the field). */
export function checkCalibrationEnd(date: string, firstDay: number, today: number): number {
  const day = dayOfDate(date);
  if (!(day > firstDay && day <= today)) {
    throw new UserError(
      400,
      'invalid_request',
      prm('calibration_end_range', { first: dateOfDay(firstDay), today: dateOfDay(today) }),
      'calibrationEnd',
    );
  }
  return day;
}

/** By default the last third of the history, up to a year, is held out (none under 90 days). */
export function defaultCalibrationEnd(firstDay: number, today: number): number {
  const history = today - firstDay;
  const holdout = history >= 90 ? Math.min(365, Math.round(history / 3)) : 0;
  return today - holdout;
}

export interface ClvScores {
  pAlive: Float64Array;
  e30: Float64Array;
  e90: Float64Array;
  e365: Float64Array;
  p30: Float64Array;
  aov: Float64Array;
  clv: Float64Array;
  /** Days until the next purchase is as likely as not, if the customer is still buying. */
  medianDaysToNext: Float64Array;
}

/** Scores every customer of a summary with a fitted model (vectorised; ~1 µs a customer). */
export function scoreClv(params: ClvParams, s: Summary): ClvScores {
  const per = DAYS_PER_UNIT[params.timeUnit];
  const bg: BgNbdParams = { r: params.r, alpha: params.alpha, a: params.a, b: params.b };
  const horizons = [30 / per, 90 / per, 365 / per];
  const scored = scoreBgNbd(bg, s.data, horizons);
  const n = s.ids.length;
  const gg: GammaGammaParams | null =
    params.p !== null && params.q !== null && params.gamma !== null
      ? { p: params.p, q: params.q, gamma: params.gamma }
      : null;
  const periodsPerMonth = 30.4375 / per;
  const clvOpts = { months: params.horizonMonths, discountRatePerMonth: params.discountRateMonthly, periodsPerMonth };
  let aov: Float64Array;
  let clv: Float64Array;
  if (gg) {
    aov = conditionalExpectedAovs(gg, s.data);
    clv = customerLifetimeValues(bg, gg, s.data, clvOpts);
  } else {
    // Without a spend model: the same discounted purchases, each valued at the mean order value
    // (a Gamma-Gamma whose population mean pγ/(q−1) is that value, and every z̄ equal to it).
    aov = new Float64Array(n).fill(params.meanOrderValue);
    const flat: GammaGammaParams = { p: 1, q: 2, gamma: params.meanOrderValue };
    clv = customerLifetimeValues(bg, flat, { ...s.data, zbar: aov }, clvOpts);
  }
  const medianDaysToNext = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Alive, purchases come as a Poisson process whose rate is Gamma(r + x, α + T) given the history:
    // P(none in t) = ((α+T)/(α+T+t))^(r+x), so half the chance is reached at t = (α+T)(2^{1/(r+x)} − 1).
    medianDaysToNext[i] =
      (params.alpha + (s.data.T[i] as number)) * (2 ** (1 / (params.r + (s.data.x[i] as number))) - 1) * per;
  }
  return {
    pAlive: scored.pAlive,
    e30: scored.expected[0] as Float64Array,
    e90: scored.expected[1] as Float64Array,
    e365: scored.expected[2] as Float64Array,
    p30: scored.probabilityAny[0] as Float64Array,
    aov,
    clv,
    medianDaysToNext,
  };
}
