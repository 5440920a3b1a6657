import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverRoot } from '../paths.js';

const cli = path.join(serverRoot, 'src/cli.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kith-proc-'));
}

export interface KithProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the `kith` command line from source (as `npx kith …` would run the build). */
export function spawnKith(args: string[], env: Record<string, string | undefined>): KithProcess {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, KITH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Runs a command to completion. */
export async function runKith(args: string[], env: Record<string, string | undefined>) {
  const p = spawnKith(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** Waits until GET /healthz answers 200, or fails with the process output. */
export async function waitHealthy(port: number, proc: KithProcess, timeoutMs = 60_000): Promise<number> {
  const t0 = Date.now();
  let done = false;
  proc.exited.then(() => {
    done = true;
  });
  while (Date.now() - t0 < timeoutMs) {
    if (done) throw new Error(`kith exited before it was healthy:\n${proc.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return Date.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kith not healthy after ${timeoutMs} ms:\n${proc.output()}`);
}
