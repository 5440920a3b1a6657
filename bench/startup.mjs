// Cold start time and idle memory of `kith start`, against a bare Node.js HTTP server started
// the same way in the same run (the floor any Node server pays).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kith = path.join(root, 'apps/server/bin/kith.js');

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function startAndMeasure(args, env, port, { idleMs = 5000 } = {}) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, KITH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  let ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited early: ${err}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) {
        ms = performance.now() - t0;
        break;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
    if (performance.now() - t0 > 60_000) throw new Error(`not healthy in 60 s: ${err}`);
  }
  await new Promise((r) => setTimeout(r, idleMs));
  const rss = rssMb(child.pid);
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  return { ms, rss };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run({ runs = 5 } = {}) {
  const bare = [];
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    bare.push(
      await startAndMeasure(
        ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`],
        {},
        port,
      ),
    );
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-bench-'));
    const env = { KITH_PORT: String(port), KITH_DATA_DIR: dataDir, DATABASE_URL: '' };
    delete env.DATABASE_URL;
    cold.push(await startAndMeasure([kith, 'start'], env, port));
    warm.push(await startAndMeasure([kith, 'start'], env, port));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  let pgRow = '';
  const pgUrl = process.env.KITH_BENCH_DATABASE_URL ?? process.env.KITH_TEST_DATABASE_URL;
  if (pgUrl) {
    const pg = [];
    for (let i = 0; i < runs; i++) {
      const port = await freePort();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-bench-'));
      pg.push(
        await startAndMeasure(
          [kith, 'start'],
          { KITH_PORT: String(port), KITH_DATA_DIR: dataDir, DATABASE_URL: pgUrl },
          port,
        ),
      );
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const ms = median(pg.map((x) => x.ms));
    const rss = median(pg.map((x) => x.rss));
    pgRow = `| \`kith start\`, PostgreSQL (DATABASE_URL) | ${ms.toFixed(0)} ms | ${(ms / median(bare.map((x) => x.ms))).toFixed(1)}× | ${rss.toFixed(0)} MB | ${(rss / median(bare.map((x) => x.rss))).toFixed(1)}× |\n`;
  }
  const b = { ms: median(bare.map((x) => x.ms)), rss: median(bare.map((x) => x.rss)) };
  const c = { ms: median(cold.map((x) => x.ms)), rss: median(cold.map((x) => x.rss)) };
  const w = { ms: median(warm.map((x) => x.ms)), rss: median(warm.map((x) => x.rss)) };
  const row = (name, x) =>
    `| ${name} | ${x.ms.toFixed(0)} ms | ${(x.ms / b.ms).toFixed(1)}× | ${x.rss.toFixed(0)} MB | ${(x.rss / b.rss).toFixed(1)}× |\n`;
  return {
    title: 'Start time and idle memory',
    body:
      `Time from spawning the process to the first \`GET /healthz\` 200, and resident memory after 5 s idle; median of ${runs} runs. ` +
      'Reference: a bare Node.js `http` server started the same way in the same run. Targets: start < 3 s, idle RSS < 250 MB.\n\n' +
      '| what | start | × reference | idle RSS | × reference |\n| --- | --- | --- | --- | --- |\n' +
      row('reference: bare Node.js HTTP server', b) +
      row('`kith start`, empty data folder (first start)', c) +
      row('`kith start`, existing data folder', w) +
      pgRow,
    figures: { cold: c, warm: w, bare: b },
  };
}
