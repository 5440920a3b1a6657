/**
 * `kith predict clv`: fits the BG/NBD and the Gamma-Gamma to a transactions file (CDNOW
 * format or a CSV) or to a ready summary CSV, and returns the parameters and diagnostics.
 */
import { readFile } from 'node:fs/promises';
import { fitBgNbd } from './bgnbd.js';
import { type Diagnostics, diagnoseBgNbd } from './diagnostics.js';
import { fitGammaGamma } from './gamma-gamma.js';
import {
  dayNumber,
  parseSummaryCsv,
  parseTransactionsFile,
  summarizeTransactions,
  type TimeUnit,
} from './rfm-summary.js';
import { dateOfDay } from './time.js';

export interface ClvCommandOptions {
  /** A transactions file: CDNOW_master/CDNOW_sample layout, or a CSV with customer, date and amount columns. */
  transactions?: string;
  /** A per-customer summary CSV (x/frequency, t_x/recency, T, optional zbar/monetary_value). */
  summary?: string;
  /** Last day of the calibration period (inclusive); with transactions. Defaults to the last transaction day. */
  calibrationEnd?: string;
  timeUnit?: TimeUnit;
  /** Last day of the holdout period (inclusive), for the diagnostics. */
  holdoutEnd?: string;
}

export interface ClvCommandResult {
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLikelihood: number;
  p: number | null;
  q: number | null;
  gamma: number | null;
  gammaGammaLogLikelihood: number | null;
  customers: number;
  repeatCustomers: number;
  timeUnit: TimeUnit | null;
  calibrationEnd: string | null;
  converged: boolean;
  diagnostics: Diagnostics;
}

export async function runClvCommand(opts: ClvCommandOptions): Promise<ClvCommandResult> {
  if (!opts.transactions === !opts.summary) throw new Error('give either a transactions file or a summary file');
  let x: Float64Array;
  let tx: Float64Array;
  let T: Float64Array;
  let zbar: Float64Array | undefined;
  let timeUnit: TimeUnit | null = opts.timeUnit ?? null;
  let calibrationEnd: string | null = null;
  let holdout: Pick<Parameters<typeof diagnoseBgNbd>[0], 'holdoutX' | 'holdoutDuration' | 'tracking'> = {};
  if (opts.transactions) {
    const rows = parseTransactionsFile(await readFile(opts.transactions, 'utf8'));
    if (rows.length === 0) throw new Error(`${opts.transactions}: no transactions`);
    const unit = opts.timeUnit ?? 'weeks';
    timeUnit = unit;
    let end = opts.calibrationEnd;
    if (!end) {
      let last = Number.NEGATIVE_INFINITY;
      for (const r of rows) last = Math.max(last, dayNumber(r.at));
      end = dateOfDay(last);
    }
    const s = summarizeTransactions(rows, { calibrationEnd: end, holdoutEnd: opts.holdoutEnd, timeUnit: unit });
    calibrationEnd = dateOfDay(s.calibrationEndDay);
    ({ x, tx, T, zbar } = s);
    holdout = {
      holdoutX: s.holdoutX,
      holdoutDuration: s.holdoutDuration,
      tracking: {
        firstPurchaseDay: s.firstPurchaseDay,
        repeatPurchaseDays: s.repeatPurchaseDays,
        lastDay: s.holdoutEndDay ?? s.calibrationEndDay,
        unitDays: unit === 'weeks' ? 7 : 1,
      },
    };
  } else {
    if (opts.calibrationEnd || opts.holdoutEnd)
      throw new Error('--calibration-end and --holdout-end apply to a transactions file, not a summary');
    const s = parseSummaryCsv(await readFile(opts.summary!, 'utf8'));
    ({ x, tx, T, zbar } = s);
  }
  const bg = fitBgNbd({ x, tx, T });
  const gg = zbar?.some((v, i) => v > 0 && x[i]! > 0) ? fitGammaGamma({ x, zbar }) : null;
  const diagnostics = diagnoseBgNbd({ params: bg.params, fit: bg, summary: { x, tx, T }, ...holdout });
  return {
    ...bg.params,
    logLikelihood: bg.logLikelihood,
    p: gg?.params.p ?? null,
    q: gg?.params.q ?? null,
    gamma: gg?.params.gamma ?? null,
    gammaGammaLogLikelihood: gg?.logLikelihood ?? null,
    customers: diagnostics.customers,
    repeatCustomers: diagnostics.repeatCustomers,
    timeUnit,
    calibrationEnd,
    converged: bg.converged && (gg?.converged ?? true),
    diagnostics,
  };
}
