// npm run bench -- recommend: item-to-item collaborative filtering (predict/item-similarity.ts)
// evaluated offline on the UCI Online Retail data set, against the popularity baseline measured
// in the same run on the same split. The protocol and the cleaning are in
// predict/recommend-eval.ts (shared with item-similarity.test.ts): each customer with ≥ 2
// invoices has their last invoice held out, 10 recommendations, products already bought excluded;
// hit rate, precision and recall @10; then a time cut; then one option changed at a time.
// Skipped, with a message, when the data set is not next to the repository.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { log, root, setLogPrefix } from './lib/kith-bench.mjs';

const FILE = path.resolve(root, '../shared/datasets/online-retail/online_retail.csv.gz');
const title = 'Recommendations: item-item CF against popularity on UCI Online Retail';

export async function run() {
  setLogPrefix('recommend');
  if (!fs.existsSync(FILE)) {
    log(`skipped: ${FILE} is absent`);
    return { title, body: `Skipped: the data set (${FILE}) is absent.` };
  }
  const { runRecommendEval } = await import(`${root}/apps/server/dist/src/predict/recommend-eval.js`);
  const t0 = performance.now();
  const text = gunzipSync(fs.readFileSync(FILE)).toString('utf8');
  log('evaluating (popularity, item-item CF, a time cut, one option changed at a time)…');
  const report = runRecommendEval(text);
  const seconds = (performance.now() - t0) / 1000;
  log(`done in ${seconds.toFixed(1)} s`);
  return { title, body: `${report.markdown}\n\nWhole benchmark: ${seconds.toFixed(1)} s.` };
}
