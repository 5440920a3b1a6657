/**
 * "200 means committed": the server is killed with SIGKILL while clients are sending, at a
 * moment nobody chose; after a restart every event that was acknowledged is there.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../platform/db.js';
import { createPostgresDatabase, testDbKind } from '../testing/db.js';
import { freePort, spawnKith, tempDir, waitHealthy } from '../testing/process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function json(res: Response) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

describe(`ingestion durability on ${testDbKind}`, () => {
  it('every acknowledged event survives kill -9 of the server', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const pg = testDbKind === 'postgres' ? await createPostgresDatabase() : null;
    const port = await freePort();
    const env = {
      KITH_PORT: String(port),
      KITH_DATA_DIR: dataDir,
      DATABASE_URL: pg?.url,
      KITH_INGEST_RATE_LIMIT: '100000',
    };
    const base = `http://127.0.0.1:${port}`;
    try {
      const server = spawnKith(['start'], env);
      await waitHealthy(port, server);
      const setup = await fetch(`${base}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workspaceName: 'Durable', email: 'd@example.com', password: 'long enough password' }),
      });
      const cookie = setup.headers.get('set-cookie')?.split(';')[0] as string;
      const { csrfToken } = await json(setup);
      const source = await json(
        await fetch(`${base}/api/v1/sources`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
          body: JSON.stringify({ name: 'Web', channel: 'web' }),
        }),
      );
      const auth = `Basic ${Buffer.from(`${source.writeKey}:`).toString('base64')}`;

      // Four clients send batches of 50 until the server dies; only 200s count as acknowledged.
      const acknowledged: string[] = [];
      let n = 0;
      let dead = false;
      const client = async () => {
        while (!dead) {
          const ids = Array.from({ length: 50 }, () => `m-${n++}`);
          try {
            const res = await fetch(`${base}/v1/batch`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: auth },
              body: JSON.stringify({
                batch: ids.map((messageId, i) => ({ type: 'track', userId: `u-${i % 7}`, event: 'Tick', messageId })),
              }),
            });
            if (res.status === 200) acknowledged.push(...ids);
            await res.arrayBuffer();
          } catch {
            // connection reset by the kill: not acknowledged
          }
        }
      };
      const clients = Promise.all([client(), client(), client(), client()]);
      while (acknowledged.length < 2000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
      server.child.kill('SIGKILL');
      await server.exited;
      dead = true;
      await clients;
      expect(acknowledged.length).toBeGreaterThanOrEqual(2000);

      // Restart on the same data, then stop it cleanly and read what is stored.
      const again = spawnKith(['start'], env);
      await waitHealthy(port, again);
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
      const database = await openDatabase({ url: pg?.url, dataDir: pg ? undefined : dataDir });
      try {
        const stored = await sql<{
          message_id: string;
        }>`select message_id from events where source_id = ${source.id}`.execute(database.db);
        const have = new Set(stored.rows.map((r) => r.message_id));
        const lost = acknowledged.filter((m) => !have.has(m));
        expect(lost, `${lost.length} of ${acknowledged.length} acknowledged events lost`).toEqual([]);
        expect(have.size).toBeGreaterThanOrEqual(acknowledged.length);
      } finally {
        await database.close();
      }
    } finally {
      await pg?.drop();
    }
  }, 180_000);
});
