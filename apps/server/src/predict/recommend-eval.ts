// Offline evaluation of item-item recommendations (item-similarity.ts) on the UCI Online Retail
// data set: shared by bench/recommend-eval.mjs and item-similarity.test.ts.
//
// Protocol ("leave the last basket out"): for every customer with at least two invoices, the
// last invoice is held out. The similarity model and the popularity ranking are trained on
// every other invoice (customers with one invoice keep it in training: it is no one's held-out
// basket). Each eligible customer gets 10 recommendations from their training history, with
// `now` = the time of the held-out invoice, excluding what they bought in training; the target
// is the held-out invoice's products that they had not bought before (customers whose last
// invoice holds only products bought before are not eligible). A second, stricter protocol
// cuts on time: train on every invoice before a date, test each customer's first invoice on or
// after it — nothing from the future is seen, not even other customers' purchases.
import { performance } from 'node:perf_hooks';
import {
  type Basket,
  buildItemSimilarity,
  type HistoryItem,
  type PopularItem,
  popularity,
  type RecommendOptions,
  recommendForCustomer,
  type SimilarityModel,
  type SimilarityOptions,
} from './item-similarity.js';

export interface Invoice extends Basket {
  invoice: string;
}

export interface CleaningStats {
  rows: number;
  noCustomer: number;
  cancellations: number;
  nonPositiveQuantity: number;
  nonProduct: number;
  lines: number;
  invoices: number;
  customers: number;
  products: number;
}

/** One CSV line split on commas outside double quotes (the file has no line breaks inside fields). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Product stock codes are five digits with an optional letter suffix (85123A). Everything else
 * is postage, fees, adjustments, samples or vouchers: POST, DOT, M, C2, D, S, B, BANK CHARGES,
 * AMAZONFEE, CRUK, PADS, DCGS…, gift_0001_…
 */
export const isProductCode = (code: string) => /^\d{5}/.test(code);

/**
 * The Online Retail CSV (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country)
 * cleaned into invoices: lines with a CustomerID, not cancellations (InvoiceNo C…), Quantity > 0,
 * product codes only. Stock codes are upper-cased (the file spells some suffixes both ways:
 * 85049a / 85049A). InvoiceDate is read as UTC.
 */
export function parseOnlineRetail(text: string): { invoices: Invoice[]; stats: CleaningStats } {
  const stats: CleaningStats = {
    rows: 0,
    noCustomer: 0,
    cancellations: 0,
    nonPositiveQuantity: 0,
    nonProduct: 0,
    lines: 0,
    invoices: 0,
    customers: 0,
    products: 0,
  };
  const byNo = new Map<string, Invoice & { set: Set<string> }>();
  const dates = new Map<string, Date>();
  const products = new Set<string>();
  const customers = new Set<string>();
  let start = text.indexOf('\n') + 1; // header
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    stats.rows++;
    const f = splitCsvLine(line);
    const [invoice = '', rawCode = '', , quantity = '', date = '', , rawCustomer = ''] = f;
    if (rawCustomer === '') {
      stats.noCustomer++;
      continue;
    }
    if (invoice.startsWith('C')) {
      stats.cancellations++;
      continue;
    }
    if (!(Number(quantity) > 0)) {
      stats.nonPositiveQuantity++;
      continue;
    }
    if (!isProductCode(rawCode)) {
      stats.nonProduct++;
      continue;
    }
    stats.lines++;
    const code = rawCode.toUpperCase();
    const customerId = rawCustomer.endsWith('.0') ? rawCustomer.slice(0, -2) : rawCustomer;
    let at = dates.get(date);
    if (!at) {
      at = new Date(`${date.replace(' ', 'T')}Z`);
      if (Number.isNaN(at.getTime())) throw new Error(`bad InvoiceDate ${date} on invoice ${invoice}`);
      dates.set(date, at);
    }
    let inv = byNo.get(invoice);
    if (!inv) {
      inv = { invoice, customerId, at, items: [], set: new Set() };
      byNo.set(invoice, inv);
    }
    if (!inv.set.has(code)) {
      inv.set.add(code);
      (inv.items as string[]).push(code);
    }
    products.add(code);
    customers.add(customerId);
  }
  const invoices = [...byNo.values()].map(({ set: _, ...inv }) => inv);
  stats.invoices = invoices.length;
  stats.customers = customers.size;
  stats.products = products.size;
  return { invoices, stats };
}

export interface EvalCase {
  customerId: string;
  /** Training purchases of the customer. */
  history: HistoryItem[];
  /** When the held-out invoice was placed. */
  now: Date;
  /** Distinct products of the held-out invoice not in the history. */
  target: string[];
}

export interface Split {
  train: Invoice[];
  cases: EvalCase[];
  /** Customers that had a test invoice but nothing new in it (not eligible). */
  onlyRepeats: number;
}

const byTime = (a: Invoice, b: Invoice) =>
  a.at.getTime() - b.at.getTime() || (a.invoice < b.invoice ? -1 : a.invoice > b.invoice ? 1 : 0);

function historyOf(invoices: Invoice[]): HistoryItem[] {
  return invoices.flatMap((inv) => inv.items.map((productId) => ({ productId, at: inv.at })));
}

function caseOf(customerId: string, trainInvoices: Invoice[], test: Invoice): EvalCase {
  const history = historyOf(trainInvoices);
  const seen = new Set(history.map((h) => h.productId));
  return { customerId, history, now: test.at, target: test.items.filter((p) => !seen.has(p)) };
}

function byCustomer(invoices: Invoice[]): Map<string, Invoice[]> {
  const m = new Map<string, Invoice[]>();
  for (const inv of invoices) {
    let l = m.get(inv.customerId);
    if (!l) {
      l = [];
      m.set(inv.customerId, l);
    }
    l.push(inv);
  }
  for (const l of m.values()) l.sort(byTime);
  return m;
}

/** Every customer with ≥ 2 invoices: the last one is held out; training = all other invoices. */
export function leaveLastBasketOut(invoices: Invoice[]): Split {
  const train: Invoice[] = [];
  const cases: EvalCase[] = [];
  let onlyRepeats = 0;
  for (const [customerId, list] of byCustomer(invoices)) {
    if (list.length < 2) {
      train.push(...list);
      continue;
    }
    const before = list.slice(0, -1);
    train.push(...before);
    const c = caseOf(customerId, before, list[list.length - 1]!);
    if (c.target.length > 0) cases.push(c);
    else onlyRepeats++;
  }
  return { train: train.sort(byTime), cases, onlyRepeats };
}

/** Training = invoices before `cut`; test = each customer's first invoice on or after it, for customers with training history. */
export function temporalSplit(invoices: Invoice[], cut: Date): Split {
  const t = cut.getTime();
  const train = invoices.filter((inv) => inv.at.getTime() < t).sort(byTime);
  const cases: EvalCase[] = [];
  let onlyRepeats = 0;
  for (const [customerId, list] of byCustomer(invoices)) {
    const before = list.filter((inv) => inv.at.getTime() < t);
    const test = list.find((inv) => inv.at.getTime() >= t);
    if (before.length === 0 || !test) continue;
    const c = caseOf(customerId, before, test);
    if (c.target.length > 0) cases.push(c);
    else onlyRepeats++;
  }
  return { train, cases, onlyRepeats };
}

export interface Metrics {
  customers: number;
  hitRate: number;
  precision: number;
  recall: number;
  /** Recommendation lists per second. */
  perSecond: number;
}

/** hit rate@k (≥ 1 target in the top k), precision@k (hits / k) and recall@k (hits / |target|), averaged over the cases. */
export function evaluate(cases: EvalCase[], recommend: (c: EvalCase) => string[], k = 10): Metrics {
  let hits = 0;
  let precision = 0;
  let recall = 0;
  const t0 = performance.now();
  for (const c of cases) {
    const recs = recommend(c).slice(0, k);
    const target = new Set(c.target);
    let h = 0;
    for (const p of recs) if (target.has(p)) h++;
    if (h > 0) hits++;
    precision += h / k;
    recall += h / target.size;
  }
  const seconds = (performance.now() - t0) / 1000;
  const n = cases.length;
  return {
    customers: n,
    hitRate: n ? hits / n : 0,
    precision: n ? precision / n : 0,
    recall: n ? recall / n : 0,
    perSecond: seconds > 0 ? n / seconds : Number.POSITIVE_INFINITY,
  };
}

/** The baseline: the most popular products the customer has not bought. */
export function popularityRecommender(popular: readonly PopularItem[], k = 10) {
  return (c: EvalCase) => {
    const bought = new Set(c.history.map((h) => h.productId));
    const out: string[] = [];
    for (const p of popular) {
      if (out.length >= k) break;
      if (!bought.has(p.productId)) out.push(p.productId);
    }
    return out;
  };
}

export function cfRecommender(
  model: SimilarityModel,
  popular: readonly PopularItem[],
  opts: Omit<RecommendOptions, 'limit' | 'now'> = {},
  k = 10,
) {
  return (c: EvalCase) =>
    recommendForCustomer(model, popular, c.history, { ...opts, limit: k, now: c.now }).map((r) => r.productId);
}

export interface ProtocolResult {
  name: string;
  trainInvoices: number;
  onlyRepeats: number;
  popularity: Metrics;
  cf: Metrics;
  /** Milliseconds to build the similarity model / the popularity ranking. */
  buildMs: number;
  popularityMs: number;
  /** Products with at least one neighbour, and neighbour rows in all. */
  modelProducts: number;
  modelRows: number;
}

export function runProtocol(
  name: string,
  split: Split,
  simOpts: SimilarityOptions = {},
  recOpts: Omit<RecommendOptions, 'limit' | 'now'> = {},
  popOpts: { halfLifeDays?: number; now?: Date } = {},
): ProtocolResult & { model: SimilarityModel; popular: PopularItem[] } {
  let t0 = performance.now();
  const popular = popularity(split.train, popOpts);
  const popularityMs = performance.now() - t0;
  t0 = performance.now();
  const model = buildItemSimilarity(split.train, simOpts);
  const buildMs = performance.now() - t0;
  let modelRows = 0;
  const lists = Object.values(model.neighbours);
  for (const l of lists) modelRows += l.length;
  return {
    name,
    trainInvoices: split.train.length,
    onlyRepeats: split.onlyRepeats,
    popularity: evaluate(split.cases, popularityRecommender(popular)),
    cf: evaluate(split.cases, cfRecommender(model, popular, recOpts)),
    buildMs,
    popularityMs,
    modelProducts: lists.length,
    modelRows,
    model,
    popular,
  };
}

export interface Ablation {
  label: string;
  sim: SimilarityOptions;
  rec: Omit<RecommendOptions, 'limit' | 'now'>;
}

/** One option changed at a time from the defaults; evaluated on the leave-last-basket-out split. */
export const ABLATIONS: Ablation[] = [
  {
    label:
      'defaults: customer level, weight 1/log2(1+p), λ = 2, K = 50 stored, 10 used per product, prior 1, half-life 180 d',
    sim: {},
    rec: {},
  },
  { label: 'basket (invoice) level co-occurrence', sim: { unit: 'basket' }, rec: {} },
  { label: 'no customer weighting', sim: { activityWeight: 'none' }, rec: {} },
  { label: 'weight 1/p', sim: { activityWeight: 'inverse' }, rec: {} },
  { label: 'λ = 0 (plain cosine)', sim: { shrinkage: 0 }, rec: {} },
  { label: 'λ = 10', sim: { shrinkage: 10 }, rec: {} },
  { label: 'min co-count 1', sim: { minCoCount: 1 }, rec: {} },
  { label: '5 neighbours used per product', sim: {}, rec: { neighboursPerItem: 5 } },
  { label: '20 neighbours used per product', sim: {}, rec: { neighboursPerItem: 20 } },
  { label: 'all 50 neighbours used per product', sim: {}, rec: { neighboursPerItem: 50 } },
  { label: 'no popularity blend (prior 0: popularity only fills)', sim: {}, rec: { popularityPrior: 0 } },
  { label: 'popularity prior 5', sim: {}, rec: { popularityPrior: 5 } },
  { label: 'half-life 30 d', sim: {}, rec: { halfLifeDays: 30 } },
  { label: 'no recency weighting', sim: {}, rec: { halfLifeDays: Number.POSITIVE_INFINITY } },
];

export interface EvalReport {
  stats: CleaningStats;
  parseMs: number;
  leaveLastOut: ProtocolResult;
  temporal?: ProtocolResult & { cut: string; decayedPopularity: Metrics };
  ablations: { label: string; cf: Metrics; buildMs: number }[];
  markdown: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const f3 = (x: number) => x.toFixed(3);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function table(rows: [string, Metrics][], base: Metrics): string {
  const lines = [
    '| Method | Customers | Hit rate@10 | Precision@10 | Recall@10 | Recommendations/s |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [label, m] of rows) {
    lines.push(
      `| ${label} | ${int(m.customers)} | ${pct(m.hitRate)} | ${f3(m.precision)} | ${f3(m.recall)} | ${int(m.perSecond)} |`,
    );
  }
  const top = rows[rows.length - 1]![1];
  lines.push(
    `| ratio (last row / popularity) | | ${ratio(top.hitRate, base.hitRate)} | ${ratio(top.precision, base.precision)} | ${ratio(top.recall, base.recall)} | |`,
  );
  return lines.join('\n');
}

/** The whole evaluation from the CSV text. `ablations: false` and `temporal: false` keep it to the main protocol. */
export function runRecommendEval(
  text: string,
  opts: { ablations?: boolean; temporal?: boolean; cut?: Date } = {},
): EvalReport {
  let t0 = performance.now();
  const { invoices, stats } = parseOnlineRetail(text);
  const parseMs = performance.now() - t0;

  const split = leaveLastBasketOut(invoices);
  const { model: _m, popular: _p, ...leaveLastOut } = runProtocol('leave last basket out', split);

  let temporal: EvalReport['temporal'];
  if (opts.temporal !== false) {
    const cut = opts.cut ?? new Date('2011-09-01T00:00:00Z');
    const tsplit = temporalSplit(invoices, cut);
    const { model: _tm, popular: _tp, ...res } = runProtocol(`time cut ${cut.toISOString().slice(0, 10)}`, tsplit);
    t0 = performance.now();
    const decayed = popularity(tsplit.train, { halfLifeDays: 30, now: cut });
    const decayedPopularity = evaluate(tsplit.cases, popularityRecommender(decayed));
    temporal = { ...res, cut: cut.toISOString().slice(0, 10), decayedPopularity };
  }

  const ablations: EvalReport['ablations'] = [];
  if (opts.ablations !== false) {
    const popular = popularity(split.train);
    const built = new Map<string, { model: SimilarityModel; buildMs: number }>();
    for (const a of ABLATIONS) {
      const key = JSON.stringify(a.sim);
      let b = built.get(key);
      if (!b) {
        t0 = performance.now();
        const model = buildItemSimilarity(split.train, a.sim);
        b = { model, buildMs: performance.now() - t0 };
        built.set(key, b);
      }
      ablations.push({
        label: a.label,
        cf: evaluate(split.cases, cfRecommender(b.model, popular, a.rec)),
        buildMs: b.buildMs,
      });
    }
  }

  const md: string[] = [];
  md.push(
    `UCI Online Retail, cleaned: ${int(stats.lines)} order lines (of ${int(stats.rows)} rows: ${int(stats.noCustomer)} without CustomerID, ${int(stats.cancellations)} cancellations, ${int(stats.nonPositiveQuantity)} other non-positive quantities, ${int(stats.nonProduct)} non-product codes dropped), ${int(stats.invoices)} invoices, ${int(stats.customers)} customers, ${int(stats.products)} products; read in ${int(parseMs)} ms.`,
    '',
    `**Leave the last basket out**: each customer with ≥ 2 invoices has their last one held out; training = every other invoice (${int(leaveLastOut.trainInvoices)}). 10 recommendations excluding products the customer bought in training; target = the held-out invoice's new products (${int(leaveLastOut.onlyRepeats)} customers whose last invoice held only repeats are not counted).`,
    '',
    table(
      [
        ['popularity (distinct customers)', leaveLastOut.popularity],
        ['item-item CF blended with popularity', leaveLastOut.cf],
      ],
      leaveLastOut.popularity,
    ),
    '',
    `Model build: ${int(leaveLastOut.buildMs)} ms (${int(leaveLastOut.modelProducts)} products with neighbours, ${int(leaveLastOut.modelRows)} rows); popularity ranking: ${int(leaveLastOut.popularityMs)} ms.`,
  );
  if (temporal) {
    md.push(
      '',
      `**Time cut at ${temporal.cut}**: training = invoices before it (${int(temporal.trainInvoices)}); test = each customer's first invoice on or after it, for customers with history before it (${int(temporal.onlyRepeats)} with only repeats not counted). Nothing after the cut is seen in training.`,
      '',
      table(
        [
          ['popularity (distinct customers)', temporal.popularity],
          ['popularity, 30-day half-life', temporal.decayedPopularity],
          ['item-item CF blended with popularity', temporal.cf],
        ],
        temporal.popularity,
      ),
      '',
      `Model build: ${int(temporal.buildMs)} ms.`,
    );
  }
  if (ablations.length) {
    md.push(
      '',
      'Item-item CF, one option changed at a time (leave the last basket out):',
      '',
      '| Variant | Hit rate@10 | Precision@10 | Recall@10 | Build ms |',
      '|---|---:|---:|---:|---:|',
      ...ablations.map(
        (a) => `| ${a.label} | ${pct(a.cf.hitRate)} | ${f3(a.cf.precision)} | ${f3(a.cf.recall)} | ${int(a.buildMs)} |`,
      ),
    );
  }
  return { stats, parseMs, leaveLastOut, temporal, ablations, markdown: md.join('\n') };
}
