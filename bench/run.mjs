#!/usr/bin/env node
// Runs the benchmarks and rewrites their sections of docs/benchmarks.md.
// `npm run bench` runs them all; `npm run bench -- startup` runs one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const all = {
  startup: () => import('./startup.mjs'),
  ingest: () => import('./ingest.mjs'),
  demo: () => import('./demo.mjs'),
  'customers-api': () => import('./customers-api.mjs'),
  'analytics-api': () => import('./analytics-api.mjs'),
  journeys: () => import('./journeys.mjs'),
  recommend: () => import('./recommend-eval.mjs'),
  'predict-clv': () => import('./predict-clv.mjs'),
  'predict-db': () => import('./predict-db.mjs'),
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// customers-api and analytics-api fill 1,000,000 customers first (hours), predict-db (minutes): only when named.
const HEAVY = ['customers-api', 'analytics-api', 'predict-db'];
const names = wanted.length ? wanted : Object.keys(all).filter((n) => !HEAVY.includes(n));

const file = path.join(root, 'docs/benchmarks.md');
let doc = fs.existsSync(file)
  ? fs.readFileSync(file, 'utf8')
  : '# Benchmarks\n\nWritten by `npm run bench`; each figure is set against a reference measured in the same run.\n';
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;

for (const name of names) {
  if (!all[name]) throw new Error(`unknown benchmark ${name}: one of ${Object.keys(all).join(', ')}`);
  process.stderr.write(`bench: ${name}…\n`);
  const result = await (await all[name]()).run();
  const section = `<!-- bench:${name} -->\n## ${result.title}\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine} with \`npm run bench -- ${name}\`.\n\n${result.body}\n<!-- /bench:${name} -->`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  process.stdout.write(`${result.body}\n`);
}
fs.writeFileSync(file, doc);
