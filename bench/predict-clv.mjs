// npm run bench -- predict-clv: the customer-lifetime-value engine (apps/server/src/predict), pure
// computation, no database.
//
// 1. CDNOW master file (23,570 customers, 69,659 transactions, 78 weeks): read and summarise the
//    file (weeks, calibration = the whole period), fit BG/NBD and Gamma-Gamma, then score every
//    customer: P(alive), expected purchases in 30/90/365 days, expected spend per order, 12-month
//    CLV (1 % a month). Target: fit + scoring < 2 s.
// 2. 1,000,000 customers simulated (in memory) from the CDNOW-fitted parameters, ages of 0–78
//    weeks measured in whole days: fit both models and score everyone the same way. Target < 60 s
//    on 2 cores (the engine is single-threaded).
// Reference: the same scoring without the row compression would compute every customer; here the
// figure reported next to each fit is the number of distinct (x, t_x, T) rows it evaluated.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { log, root, setLogPrefix } from './lib/kith-bench.mjs';

const env = process.env;
const SYNTHETIC = Number(env.KITH_BENCH_CLV_CUSTOMERS ?? 1_000_000);
const CDNOW = env.KITH_BENCH_CDNOW ?? path.resolve(root, '../shared/datasets/cdnow/CDNOW_master.txt');
const dist = (p) => import(`${root}/apps/server/dist/src/${p}`);
const int = (n) => Math.round(n).toLocaleString('en-US');
const sec = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

async function runOne(label, data, m) {
  const { fitBgNbd, compressRfm, scoreBgNbd } = m.bgnbd;
  const { fitGammaGamma, conditionalExpectedAovs, customerLifetimeValues } = m.gg;
  const timer = setInterval(sampleRss, 50);
  const t0 = performance.now();
  const compressed = compressRfm(data);
  const bg = fitBgNbd(compressed);
  const gg = fitGammaGamma({ x: data.x, zbar: data.zbar });
  const t1 = performance.now();
  sampleRss();
  const perWeek = 1 / 7; // the models run in weeks
  const scores = scoreBgNbd(bg.params, data, [30 * perWeek, 90 * perWeek, 365 * perWeek]);
  const aov = conditionalExpectedAovs(gg.params, data);
  const clv = customerLifetimeValues(bg.params, gg.params, data, {
    months: 12,
    discountRatePerMonth: 0.01,
    periodsPerMonth: 4.345,
  });
  const t2 = performance.now();
  clearInterval(timer);
  sampleRss();
  const n = data.x.length;
  let sumClv = 0;
  let sumAlive = 0;
  for (let i = 0; i < n; i++) {
    sumClv += clv[i];
    sumAlive += scores.pAlive[i];
  }
  const r = {
    label,
    customers: n,
    rows: compressed.x.length,
    fitMs: t1 - t0,
    scoreMs: t2 - t1,
    perSecond: n / ((t2 - t1) / 1000),
    bg,
    gg,
    meanAlive: sumAlive / n,
    meanClv: sumClv / n,
    meanAov: aov.reduce((s, v) => s + v, 0) / n,
    expected365: scores.expected[2].reduce((s, v) => s + v, 0) / n,
  };
  log(
    `${label}: fit ${sec(r.fitMs)} (${int(r.rows)} distinct rows, BG/NBD ${bg.iterations} iterations, ${bg.startsAgreeing}/${bg.starts} starts agree), scoring ${sec(r.scoreMs)} (${int(r.perSecond)} customers/s)`,
  );
  return r;
}

export async function run() {
  setLogPrefix('predict-clv');
  const m = {
    bgnbd: await dist('predict/bgnbd.js'),
    gg: await dist('predict/gamma-gamma.js'),
  };
  const { parseTransactionsFile, summarizeTransactions } = await dist('predict/rfm-summary.js');
  const { simulateBgNbd } = await dist('predict/simulate.js');
  const results = [];
  peakRss = process.memoryUsage().rss;

  let cdnow = null;
  if (fs.existsSync(CDNOW)) {
    const t0 = performance.now();
    const rows = parseTransactionsFile(fs.readFileSync(CDNOW, 'utf8'));
    const s = summarizeTransactions(rows, { calibrationEnd: '1998-06-30', timeUnit: 'weeks' });
    const readMs = performance.now() - t0;
    log(
      `CDNOW: read and summarised ${int(rows.length)} transactions of ${int(s.x.length)} customers in ${sec(readMs)}`,
    );
    cdnow = await runOne('CDNOW master (23,570 customers)', s, m);
    cdnow.readMs = readMs;
    results.push(cdnow);
  } else log(`CDNOW master file not found at ${CDNOW}: skipped (set KITH_BENCH_CDNOW)`);

  // Synthetic customers from the CDNOW-fitted parameters (or FHL's, without the file).
  const bgParams = cdnow?.bg.params ?? { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const ggParams = cdnow?.gg.params ?? { p: 6.25, q: 3.74, gamma: 15.44 };
  const t0 = performance.now();
  const sim = simulateBgNbd(bgParams, {
    customers: SYNTHETIC,
    seed: 1,
    minT: 0,
    maxT: 78,
    resolution: 1 / 7,
    spend: ggParams,
  });
  log(`simulated ${int(SYNTHETIC)} customers in ${sec(performance.now() - t0)}`);
  const synthetic = await runOne(`${int(SYNTHETIC)} simulated customers`, sim, m);
  results.push(synthetic);

  const f = (v, d = 3) => v.toFixed(d);
  const rows = results
    .map(
      (r) =>
        `| ${r.label} | ${int(r.rows)} | ${sec(r.fitMs)} | ${sec(r.scoreMs)} | ${int(r.perSecond)} /s | ${sec(r.fitMs + r.scoreMs)} | r ${f(r.bg.params.r)}, α ${f(r.bg.params.alpha)}, a ${f(r.bg.params.a)}, b ${f(r.bg.params.b)}; p ${f(r.gg.params.p, 2)}, q ${f(r.gg.params.q, 2)}, γ ${f(r.gg.params.gamma, 2)} | ${f(r.meanAlive)} / ${f(r.expected365, 2)} / ${f(r.meanClv, 2)} |`,
    )
    .join('\n');
  const body =
    'BG/NBD + Gamma-Gamma (weeks): fit both models, then score every customer — P(alive), expected purchases in 30/90/365 days, ' +
    'expected spend per order and 12-month CLV at 1 %/month. Pure computation, one thread; the fit evaluates each distinct ' +
    '(x, t_x, T) once (ages measured in whole days). Targets: CDNOW fit + scoring < 2 s; 1,000,000 customers < 60 s.' +
    `${cdnow ? ` CDNOW file read and summarised in ${sec(cdnow.readMs)} (not in the fit time).` : ''}\n\n` +
    '| data | distinct rows | fit | scoring | scoring rate | total | fitted parameters | mean P(alive) / E[purchases, 365 d] / CLV |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- |\n' +
    `${rows}\n\nPeak RSS ${int(peakRss / 2 ** 20)} MB. Simulated from ${cdnow ? 'the CDNOW fit' : 'FHL’s CDNOW parameters'}: ` +
    `r ${f(bgParams.r)}, α ${f(bgParams.alpha)}, a ${f(bgParams.a)}, b ${f(bgParams.b)}; p ${f(ggParams.p, 2)}, q ${f(ggParams.q, 2)}, γ ${f(ggParams.gamma, 2)}.`;
  return { title: 'Customer lifetime value (BG/NBD + Gamma-Gamma)', body, figures: { results, peakRss } };
}

// Run directly: `node bench/predict-clv.mjs` prints the section without touching docs/benchmarks.md.
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  process.stdout.write(`${r.body}\n`);
}
