/**
 * From transactions to the per-customer summary the BG/NBD and Gamma-Gamma models take,
 * following the conventions of the `lifetimes` library (`summary_data_from_transaction_data`,
 * `calibration_and_holdout_data`), which are also those of the published CDNOW summary files:
 *
 * - time is measured in whole days (UTC) and purchases on the same day count once, their
 *   amounts summed; in weeks, durations are days / 7 (not calendar weeks);
 * - x = number of repeat purchase days in the calibration period (the first purchase day is
 *   not counted), t_x = days from the first to the last purchase day, T = days from the first
 *   purchase day to the calibration end date (inclusive: a purchase on that day counts);
 * - z̄ = mean of the repeat purchase days' amounts (0 when x = 0);
 * - with a holdout end, the holdout count is the number of purchase days in
 *   (calibration end, holdout end] of each customer first seen in the calibration period.
 */
import { parse } from 'csv-parse/sync';
import { DAY_MS, type TimeUnit } from './time.js';

export type { TimeUnit };

export interface Transaction {
  customerId: string;
  at: Date | string;
  amount: number;
}

export interface SummaryOptions {
  /** Last day of the calibration period (inclusive). */
  calibrationEnd: Date | string;
  /** Last day of the holdout period (inclusive), after calibrationEnd. */
  holdoutEnd?: Date | string;
  timeUnit: TimeUnit;
  /** Keep only customers whose first purchase is strictly before this day (a cohort). */
  firstPurchaseMustBeBefore?: Date | string;
}

export interface RfmSummary {
  customerIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  zbar: Float64Array;
  timeUnit: TimeUnit;
  /** Day numbers (days since 1970-01-01 UTC). */
  calibrationEndDay: number;
  holdoutEndDay?: number;
  /** Purchase days in the holdout period per customer (with holdoutEnd). */
  holdoutX?: Float64Array;
  /** Holdout length in the time unit (with holdoutEnd). */
  holdoutDuration?: number;
  /** Each customer's first purchase day (day number), for tracking curves. */
  firstPurchaseDay: Float64Array;
  /** Every repeat purchase day (day numbers) of these customers up to the last day considered. */
  repeatPurchaseDays: Float64Array;
}

/**
 * A date as a UTC day number. Accepts Date, `YYYYMMDD`, `YYYY-MM-DD` and ISO date-times
 * (a time without an offset is read as UTC; the day is the UTC day).
 */
export function dayNumber(at: Date | string): number {
  if (at instanceof Date) {
    const t = at.getTime();
    if (Number.isNaN(t)) throw new Error('invalid date');
    return Math.floor(t / DAY_MS);
  }
  const s = at.trim();
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) {
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (new Date(t).getUTCDate() !== Number(m[3])) throw new Error(`invalid date "${at}"`);
    return t / DAY_MS;
  }
  m = /^(\d{4}-\d{1,2}-\d{1,2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const [y, mo, d] = m[1]!.split('-');
    const iso = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${m[2]!.padStart(5, '0')}${m[3] ?? 'Z'}`;
    const t = Date.parse(iso);
    if (!Number.isNaN(t)) return Math.floor(t / DAY_MS);
  }
  throw new Error(`unrecognised date "${at}" (expected YYYY-MM-DD, YYYYMMDD or an ISO date-time)`);
}

/** Builds the calibration summary (and holdout counts) from transactions. */
export function summarizeTransactions(rows: Iterable<Transaction>, opts: SummaryOptions): RfmSummary {
  const unit = opts.timeUnit === 'weeks' ? 7 : 1;
  if (opts.timeUnit !== 'weeks' && opts.timeUnit !== 'days') throw new Error('timeUnit must be days or weeks');
  const calEnd = dayNumber(opts.calibrationEnd);
  const holdEnd = opts.holdoutEnd === undefined ? undefined : dayNumber(opts.holdoutEnd);
  if (holdEnd !== undefined && holdEnd <= calEnd) throw new Error('holdoutEnd must be after calibrationEnd');
  const before = opts.firstPurchaseMustBeBefore === undefined ? undefined : dayNumber(opts.firstPurchaseMustBeBefore);
  const lastDay = holdEnd ?? calEnd;
  // customer → (day → amount), for the days up to the last day considered.
  const byCustomer = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const day = dayNumber(row.at);
    if (day > lastDay) continue;
    const amount = Number(row.amount);
    if (!Number.isFinite(amount)) throw new Error(`customer ${row.customerId}: amount "${row.amount}" is not a number`);
    let days = byCustomer.get(row.customerId);
    if (!days) {
      days = new Map();
      byCustomer.set(row.customerId, days);
    }
    days.set(day, (days.get(day) ?? 0) + amount);
  }
  const ids: string[] = [];
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const zbar: number[] = [];
  const holdout: number[] = [];
  const first: number[] = [];
  const repeats: number[] = [];
  for (const [id, days] of byCustomer) {
    const sorted = [...days.keys()].sort((p, q) => p - q);
    const d0 = sorted[0]!;
    if (d0 > calEnd) continue; // first seen after calibration: not in the calibration summary
    if (before !== undefined && d0 >= before) continue;
    let n = 0;
    let last = d0;
    let spend = 0;
    let inHoldout = 0;
    for (let k = 1; k < sorted.length; k++) {
      const d = sorted[k]!;
      repeats.push(d);
      if (d <= calEnd) {
        n++;
        last = d;
        spend += days.get(d)!;
      } else inHoldout++;
    }
    ids.push(id);
    x.push(n);
    tx.push((last - d0) / unit);
    T.push((calEnd - d0) / unit);
    zbar.push(n > 0 ? spend / n : 0);
    holdout.push(inHoldout);
    first.push(d0);
  }
  const summary: RfmSummary = {
    customerIds: ids,
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    zbar: Float64Array.from(zbar),
    timeUnit: opts.timeUnit,
    calibrationEndDay: calEnd,
    firstPurchaseDay: Float64Array.from(first),
    repeatPurchaseDays: Float64Array.from(repeats),
  };
  if (holdEnd !== undefined) {
    summary.holdoutEndDay = holdEnd;
    summary.holdoutX = Float64Array.from(holdout);
    summary.holdoutDuration = (holdEnd - calEnd) / unit;
  }
  return summary;
}

// ───────────────────────── file formats ─────────────────────────

/**
 * CDNOW transaction files (whitespace separated, CRLF). `CDNOW_master.txt` has the header
 * `customer_id date number_of_cds dollar_value`; `CDNOW_sample.txt` has no header and the
 * columns master id, sample id, YYYYMMDD, CDs, dollars (the customer is the sample id, the
 * ID of the published summary files).
 */
export function parseCdnow(text: string): Transaction[] {
  const out: Transaction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    if (i === 0 && f[0] === 'customer_id') continue;
    if (f.length === 5) out.push({ customerId: f[1]!, at: f[2]!, amount: Number(f[4]) });
    else if (f.length === 4) out.push({ customerId: f[0]!, at: f[1]!, amount: Number(f[3]) });
    else throw new Error(`line ${i + 1}: expected 4 or 5 whitespace-separated columns, found ${f.length}`);
  }
  return out;
}

/** Is this text a CDNOW-style whitespace-separated file (header or 4–5 numeric columns)? */
export function looksLikeCdnow(text: string): boolean {
  const first = text.slice(0, 500).split(/\r?\n/)[0]?.trim() ?? '';
  if (/^customer_id\s+date\s+number_of_cds\s+dollar_value$/.test(first)) return true;
  return /^\d+(\s+\d+)?\s+\d{8}\s+\d+\s+[\d.]+$/.test(first);
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
function findColumn(columns: string[], names: string[], what: string, exact = false): string {
  for (const n of names) {
    const hit = columns.find((c) => (exact ? c.trim() === n : norm(c) === norm(n)));
    if (hit !== undefined) return hit;
  }
  throw new Error(`no ${what} column (looked for ${names.join(', ')}; found ${columns.join(', ')})`);
}

function readCsv(text: string): { columns: string[]; records: Record<string, string>[] } {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
    string,
    string
  >[];
  const header = parse(text.slice(0, text.search(/\r?\n/) === -1 ? undefined : text.search(/\r?\n/)), {
    bom: true,
    trim: true,
  }) as string[][];
  return { columns: header[0] ?? [], records };
}

export const TRANSACTION_COLUMNS = {
  customerId: ['customer_id', 'customerid', 'customer', 'client_id', 'user_id', 'member_id', 'id'],
  at: [
    'date',
    'at',
    'order_date',
    'invoicedate',
    'invoice_date',
    'transaction_date',
    'timestamp',
    'datetime',
    'created_at',
    'time',
  ],
  amount: ['amount', 'value', 'dollar_value', 'revenue', 'total', 'sales', 'monetary_value', 'price', 'spend'],
};

/** A CSV of transactions with a header; the customer, date and amount columns are found by common names. */
export function parseTransactionsCsv(text: string): Transaction[] {
  const { columns, records } = readCsv(text);
  const id = findColumn(columns, TRANSACTION_COLUMNS.customerId, 'customer id');
  const at = findColumn(columns, TRANSACTION_COLUMNS.at, 'date');
  const amount = findColumn(columns, TRANSACTION_COLUMNS.amount, 'amount');
  return records
    .filter((r) => r[id] !== '')
    .map((r) => ({ customerId: r[id]!, at: r[at]!, amount: r[amount] === '' ? 0 : Number(r[amount]) }));
}

/** Any supported transactions file: CDNOW whitespace format or a CSV. */
export function parseTransactionsFile(text: string): Transaction[] {
  return looksLikeCdnow(text) ? parseCdnow(text) : parseTransactionsCsv(text);
}

export interface SummaryFile {
  customerIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  zbar?: Float64Array;
}

/**
 * A summary CSV: `x`/`frequency`, `t_x`/`recency`, `T` and optionally `zbar`/`monetary_value`
 * (the lifetimes and CDNOW summary layouts); an `ID`/`customer_id` column if present.
 */
export function parseSummaryCsv(text: string): SummaryFile {
  const { columns, records } = readCsv(text);
  const cx = findColumn(columns, ['x', 'frequency', 'frequency_cal'], 'x (frequency)');
  const ctx = findColumn(columns, ['t_x', 'tx', 'recency', 'recency_cal'], 't_x (recency)');
  // `T` is matched exactly (case-sensitive), then its usual longer names: `t` alone would be ambiguous.
  let cT: string;
  try {
    cT = findColumn(columns, ['T'], 'T', true);
  } catch {
    cT = findColumn(columns, ['T_cal', 'age', 'customer_age'], 'T (age)');
  }
  let cz: string | undefined;
  try {
    cz = findColumn(columns, ['zbar', 'monetary_value', 'monetary_value_cal', 'monetary'], 'zbar');
  } catch {
    cz = undefined;
  }
  let cid: string | undefined;
  try {
    cid = findColumn(columns, ['id', 'customer_id', 'customerid'], 'id');
  } catch {
    cid = undefined;
  }
  const n = records.length;
  const out: SummaryFile = {
    customerIds: new Array<string>(n),
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
  };
  if (cz) out.zbar = new Float64Array(n);
  records.forEach((r, i) => {
    const num = (c: string) => {
      const v = Number(r[c]);
      if (r[c] === '' || !Number.isFinite(v)) throw new Error(`row ${i + 2}: ${c} "${r[c]}" is not a number`);
      return v;
    };
    out.customerIds[i] = cid ? r[cid]! : String(i + 1);
    out.x[i] = num(cx);
    out.tx[i] = num(ctx);
    out.T[i] = num(cT);
    if (cz) out.zbar![i] = num(cz);
  });
  return out;
}
