import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, testDbKind } from './testing/db.js';
import { freePort, runKith, spawnKith, tempDir, waitHealthy } from './testing/process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function newDataDir() {
  const d = tempDir();
  dirs.push(d);
  return d;
}

async function setup(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workspaceName: 'Corner Bakery', email: 'o@example.com', password: 'long enough password' }),
  });
  expect(res.status).toBe(201);
}

async function login(port: number) {
  return fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'o@example.com', password: 'long enough password' }),
  });
}

// The embedded database's process rules do not depend on the test database: run them once.
describe.skipIf(testDbKind !== 'pglite')('kith on the embedded database', () => {
  it('starts on an empty data folder, stops cleanly on Ctrl-C and keeps the data', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const env = { KITH_PORT: String(port), KITH_DATA_DIR: dataDir, DATABASE_URL: undefined, KITH_SECRET: undefined };
    const first = spawnKith(['start'], env);
    await waitHealthy(port, first);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const secret = fs.statSync(path.join(dataDir, 'secret'));
    expect(secret.mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dataDir, 'kith.lock'))).toBe(true);
    await setup(port);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'kith.lock'))).toBe(false);

    const second = spawnKith(['start'], env);
    await waitHealthy(port, second);
    expect(await (await fetch(`http://127.0.0.1:${port}/api/v1/setup`)).json()).toEqual({ needed: false });
    expect((await login(port)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses a second process on the same data folder with a clear message, and the first keeps working', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const env = { KITH_PORT: String(port), KITH_DATA_DIR: dataDir, DATABASE_URL: undefined };
    const server = spawnKith(['start'], env);
    await waitHealthy(port, server);
    await setup(port);

    const migrate = await runKith(['migrate'], env);
    expect(migrate.code).toBe(1);
    expect(migrate.output).toMatch(/in use by another Kith process \(pid \d+, "kith start"\)/);
    expect(migrate.output).toContain('DATABASE_URL');

    const other = await runKith(['start'], { ...env, KITH_PORT: String(await freePort()) });
    expect(other.code).toBe(1);
    expect(other.output).toContain('in use by another Kith process');

    const init = await runKith(
      ['init', '--workspace', 'X', '--email', 'x@example.com', '--password', 'long enough pw'],
      env,
    );
    expect(init.code).toBe(1);
    expect(init.output).toContain('in use by another Kith process');

    expect((await login(port)).status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('survives kill -9: the folder opens again with everything acknowledged before', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const env = { KITH_PORT: String(port), KITH_DATA_DIR: dataDir, DATABASE_URL: undefined };
    const server = spawnKith(['start'], env);
    await waitHealthy(port, server);
    await setup(port);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(fs.existsSync(path.join(dataDir, 'kith.lock'))).toBe(true); // stale: its process is gone

    const again = spawnKith(['start'], env);
    await waitHealthy(port, again);
    expect((await login(port)).status).toBe(200);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 120_000);

  it('init and api-key create work from the command line, and the key works on the API', async () => {
    const dataDir = newDataDir();
    const env = { KITH_DATA_DIR: dataDir, DATABASE_URL: undefined };
    const bad = await runKith(
      ['init', '--workspace', 'Bakery', '--email', 'not-an-email', '--password', 'long enough pw'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('--email');
    const init = await runKith(
      ['init', '--workspace', 'Bakery', '--email', 'o@example.com', '--password', 'long enough password'],
      env,
    );
    expect(init.code, init.output).toBe(0);
    expect(init.output).toContain('Created workspace "Bakery"');
    const again = await runKith(
      ['init', '--workspace', 'Bakery', '--email', 'o@example.com', '--password', 'long enough password'],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.output).toContain('already set up');

    const key = await runKith(['api-key', 'create', '--name', 'nightly export', '--scopes', 'read'], env);
    expect(key.code, key.output).toBe(0);
    const token = key.output.match(/kith_[0-9a-z]{26}_[\w-]+/)?.[0];
    expect(token).toBeDefined();

    const port = await freePort();
    const server = spawnKith(['start'], { ...env, KITH_PORT: String(port) });
    await waitHealthy(port, server);
    const ws = await fetch(`http://127.0.0.1:${port}/api/v1/workspace`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ws.status).toBe(200);
    expect((await ws.json()).name).toBe('Bakery');
    const write = await fetch(`http://127.0.0.1:${port}/api/v1/workspace`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(write.status).toBe(403);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('kith worker needs DATABASE_URL and says so', async () => {
    const r = await runKith(['worker'], { KITH_DATA_DIR: newDataDir(), DATABASE_URL: undefined });
    expect(r.code).toBe(1);
    expect(r.output).toContain('kith worker needs DATABASE_URL');
  }, 60_000);
});

describe.skipIf(testDbKind !== 'postgres')('kith on PostgreSQL (DATABASE_URL)', () => {
  it('two servers and a worker start at once on one new database: migrations run once, all serve', async () => {
    const { url, drop } = await createPostgresDatabase();
    try {
      const ports = [await freePort(), await freePort()];
      const secret = 'shared-secret-for-both-servers-0123456789';
      const servers = ports.map((port) =>
        spawnKith(['start', '--no-workers'], {
          KITH_PORT: String(port),
          KITH_DATA_DIR: newDataDir(),
          DATABASE_URL: url,
          KITH_SECRET: secret,
        }),
      );
      const worker = spawnKith(['worker'], { KITH_DATA_DIR: newDataDir(), DATABASE_URL: url, KITH_SECRET: secret });
      for (const [i, port] of ports.entries()) await waitHealthy(port, servers[i] as ReturnType<typeof spawnKith>);
      for (const port of ports) {
        const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
        expect(ready).toEqual({ status: 'ready', database: 'postgres' });
      }
      await setup(ports[0] as number);
      // The session made on one server works on the other (shared KITH_SECRET, shared database).
      const res = await login(ports[1] as number);
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')?.split(';')[0] as string;
      const session = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/session`, { headers: { cookie } });
      expect(session.status).toBe(200);
      expect(worker.output()).toContain('worker running');
      for (const p of [...servers, worker]) p.child.kill('SIGINT');
      for (const p of [...servers, worker]) expect(await p.exited).toBe(0);
    } finally {
      await drop();
    }
  }, 120_000);
});
