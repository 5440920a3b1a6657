import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in `e2e/`). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const KITH_BIN = path.join(repoRoot, 'apps/server/bin/kith.js');
const MAX_LOG_CHARS = 64 * 1024;

export interface StartOptions {
  /** Extra environment for the server (`KITH_*`). */
  env?: Record<string, string>;
  /** Reuse a data directory instead of a new temporary one (it is then not removed on stop). */
  dataDir?: string;
  /** How long to wait for `GET /healthz` to answer 200. */
  readyTimeoutMs?: number;
}

/** A real `kith start` running as a child process on a free port with its own data directory. */
export interface KithServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** The last output of the server (stdout and stderr), for failure messages. */
  logs(): string;
  /**
   * Sends `signal` (SIGINT by default) and resolves with the exit code once the process has ended.
   * Rejects if it does not end within `timeoutMs` (the process is then killed). Idempotent.
   */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<number | null>;
}

/** Asks the OS for a port nobody listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the built server (`npm run build` first) and waits until `/healthz` answers 200. */
export async function startServer(options: StartOptions = {}): Promise<KithServer> {
  if (!existsSync(KITH_BIN)) throw new Error(`${KITH_BIN} is missing: the server is not in this checkout`);
  const port = await freePort();
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'kith-e2e-')));
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(process.execPath, [KITH_BIN, 'start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KITH_PORT: String(port),
      KITH_HOST: '127.0.0.1',
      KITH_DATA_DIR: dataDir,
      KITH_LOG_LEVEL: 'warn',
      KITH_PUBLIC_URL: url,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) => {
    // null when the process was ended by a signal it did not handle.
    child.once('exit', (code, signal) => {
      exitSignal = signal;
      resolve(code);
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const logs = () => output;
  let stopping: Promise<number | null> | null = null;
  const stop: KithServer['stop'] = ({ signal = 'SIGINT', timeoutMs = 20_000 } = {}) => {
    stopping ??= (async () => {
      if (!hasExited) child.kill(signal);
      const timer = delay(timeoutMs).then(() => 'timeout' as const);
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`kith did not exit within ${timeoutMs} ms of ${signal}. Output:\n${logs()}`);
      }
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      return result;
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) {
      const code = await exited;
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      throw new Error(`kith exited (code ${code}, signal ${exitSignal}) before it was ready. Output:\n${logs()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop({ signal: 'SIGKILL' }).catch(() => undefined);
      throw new Error(`kith did not answer GET /healthz with 200 in time. Output:\n${logs()}`);
    }
    await delay(200);
  }

  return { url, port, dataDir, child, logs, stop };
}
