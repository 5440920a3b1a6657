import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseUrl, testDbKind } from '../testing/db.js';
import { type Database, type Db, openDatabase } from './db.js';
import { ConflictError, NotFoundError } from './errors.js';
import { type JobLogger, JobQueue, type JobQueueOptions } from './jobs.js';

/** Database trouble the worker logged (expected job failures are not collected). */
const troubles: string[] = [];
const silent: JobLogger = {
  info() {},
  warn(obj, msg) {
    if ('err' in obj) troubles.push(`${msg}: ${(obj as { err: Error }).err?.message}`);
  },
  error(obj, msg) {
    troubles.push(`${msg}: ${(obj as { err?: Error }).err?.message}`);
  },
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let database: Database;
let db: Db;
const queues: JobQueue[] = [];
let n = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop(1000)));
  expect(troubles.splice(0)).toEqual([]);
});

/** A JobQueue stopped after the test. */
function jobQueue(opts: JobQueueOptions = {}, on: Db = db): JobQueue {
  const q = new JobQueue(on, { logger: silent, pollIntervalMs: 20, ...opts });
  queues.push(q);
  return q;
}

/** A queue name no other test uses, so tests sharing the database do not see each other's jobs. */
const queueName = (what: string) => `test.${what}.${++n}`;

async function row(id: string) {
  const { rows } = await sql<{
    state: string;
    attempts: number;
    locked_by: string | null;
    locked_until: Date | null;
    started_at: Date | null;
    delay: number;
  }>`select state, attempts, locked_by, locked_until, started_at,
       extract(epoch from run_at - updated_at)::float8 as delay
     from jobs where id = ${id}`.execute(db);
  if (!rows[0]) throw new Error(`no job ${id}`);
  return rows[0];
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** Makes a queued job due now, as if its backoff or delay had passed. */
const makeDue = (id: string) => sql`update jobs set run_at = now() where id = ${id}`.execute(db);

describe('JobQueue', () => {
  it('runs a job and stores its result', async () => {
    const jobs = jobQueue();
    const q = queueName('echo');
    const seen: { payload: unknown; attempt: number; state: string }[] = [];
    jobs.register(q, async (job, ctx) => {
      seen.push({ payload: job.payload, attempt: ctx.attempt, state: job.state });
      return { echoed: job.payload };
    });
    const id = await jobs.enqueue(q, { hello: 'world' }, { workspaceId: 'ws_a' });
    expect(id).toMatch(/^job_/);
    expect(await jobs.drain()).toBe(1);
    expect(seen).toEqual([{ payload: { hello: 'world' }, attempt: 1, state: 'running' }]);
    const job = await jobs.get(id, 'ws_a');
    expect(job).toMatchObject({
      state: 'completed',
      attempts: 1,
      result: { echoed: { hello: 'world' } },
      lastError: null,
    });
    expect(job.startedAt).toBeInstanceOf(Date);
    expect(job.finishedAt).toBeInstanceOf(Date);
    expect((await row(id)).locked_by).toBeNull();
  });

  it('also runs jobs in the background once started', async () => {
    const jobs = jobQueue();
    const q = queueName('background');
    jobs.register(q, async () => 'ok');
    jobs.start();
    const id = await jobs.enqueue(q, {});
    await waitFor(async () => (await jobs.get(id)).state === 'completed');
    expect((await jobs.get(id)).result).toBe('ok');
  });

  it('retries with exponential backoff, then succeeds', async () => {
    const jobs = jobQueue();
    const q = queueName('flaky');
    let calls = 0;
    jobs.register(q, async () => {
      calls++;
      if (calls < 3) throw new Error(`boom ${calls}`);
      return 'third time lucky';
    });
    const id = await jobs.enqueue(q, {}, { maxAttempts: 3, backoffSeconds: 10 });

    expect(await jobs.drain()).toBe(1);
    let job = await jobs.get(id);
    expect(job).toMatchObject({ state: 'queued', attempts: 1, finishedAt: null });
    expect(job.lastError).toContain('Error: boom 1');
    let r = await row(id);
    expect(r.delay).toBeGreaterThanOrEqual(10); // backoff · 2^0, plus ≤ 10 % jitter
    expect(r.delay).toBeLessThanOrEqual(11.01);
    expect(await jobs.drain()).toBe(0); // not due yet

    await makeDue(id);
    expect(await jobs.drain()).toBe(1);
    job = await jobs.get(id);
    expect(job).toMatchObject({ state: 'queued', attempts: 2 });
    expect(job.lastError).toContain('boom 2');
    r = await row(id);
    expect(r.delay).toBeGreaterThanOrEqual(20); // backoff · 2^1
    expect(r.delay).toBeLessThanOrEqual(22.01);

    await makeDue(id);
    expect(await jobs.drain()).toBe(1);
    job = await jobs.get(id);
    expect(job).toMatchObject({ state: 'completed', attempts: 3, result: 'third time lucky' });
    expect(job.lastError).toContain('boom 2'); // the history stays visible
  });

  it('caps the backoff at one hour', async () => {
    const jobs = jobQueue();
    const q = queueName('cap');
    jobs.register(q, async () => {
      throw new Error('always');
    });
    const id = await jobs.enqueue(q, {}, { maxAttempts: 20, backoffSeconds: 3600 });
    await sql`update jobs set attempts = 9 where id = ${id}`.execute(db);
    expect(await jobs.drain()).toBe(1);
    const r = await row(id);
    expect(r.attempts).toBe(10);
    expect(r.delay).toBeGreaterThanOrEqual(3600);
    expect(r.delay).toBeLessThanOrEqual(3960.01);
  });

  it('marks a job failed when its attempts are exhausted, with the error visible', async () => {
    const jobs = jobQueue();
    const q = queueName('doomed');
    jobs.register(q, async () => {
      throw new TypeError('the widget is missing');
    });
    const id = await jobs.enqueue(q, { n: 1 }, { workspaceId: 'ws_fail', maxAttempts: 2, backoffSeconds: 0 });
    expect(await jobs.drain()).toBe(2); // no backoff: both attempts in one drain
    const job = await jobs.get(id, 'ws_fail');
    expect(job).toMatchObject({ state: 'failed', attempts: 2, maxAttempts: 2 });
    expect(job.finishedAt).toBeInstanceOf(Date);
    expect(job.lastError).toMatch(/^TypeError: the widget is missing\n\s+at /);
    const failed = await jobs.list({ workspaceId: 'ws_fail', state: 'failed' });
    expect(failed.map((j) => j.id)).toEqual([id]);
    expect(failed[0]?.lastError).toContain('the widget is missing');
    expect(await jobs.drain()).toBe(0); // a failed job stays failed
  });

  it('keeps the stored error under 4 KB and without NUL characters', async () => {
    const jobs = jobQueue();
    const q = queueName('long-error');
    jobs.register(q, async () => {
      throw new Error(`é\u0000${'x'.repeat(20_000)}`);
    });
    const id = await jobs.enqueue(q, {}, { maxAttempts: 1 });
    await jobs.drain();
    const job = await jobs.get(id);
    expect(job.state).toBe('failed');
    expect(Buffer.byteLength(job.lastError ?? '')).toBeLessThanOrEqual(4096);
    expect(job.lastError).toMatch(/^Error: éxxx.*…$/s);
  });

  it('fails an attempt that throws a non-error, or returns something that is not JSON', async () => {
    const jobs = jobQueue();
    const q = queueName('odd');
    jobs.register(q, async (job) => {
      if ((job.payload as { kind: string }).kind === 'throw') throw { reason: 'plain object' };
      return { big: 10n };
    });
    const thrower = await jobs.enqueue(q, { kind: 'throw' }, { maxAttempts: 1 });
    const bigint = await jobs.enqueue(q, { kind: 'bigint' }, { maxAttempts: 1 });
    await jobs.drain();
    expect((await jobs.get(thrower)).lastError).toBe('Non-error thrown: {"reason":"plain object"}');
    expect((await jobs.get(bigint)).lastError).toContain('result is not JSON-serialisable');
  });

  it('runs jobs enqueued before a restart in a new worker', async () => {
    const first = jobQueue();
    const q = queueName('restart');
    const ranBy: string[] = [];
    first.register(q, async () => {
      ranBy.push('first');
    });
    first.start();
    const id = await first.enqueue(q, { keep: true }, { delaySeconds: 0.3 });
    await first.stop();

    const second = jobQueue();
    second.register(q, async (job) => {
      ranBy.push(`second:${JSON.stringify(job.payload)}`);
    });
    await waitFor(async () => (await second.drain()) === 1);
    expect(ranBy).toEqual(['second:{"keep":true}']);
    expect((await second.get(id)).state).toBe('completed');
  });

  it('does not run a delayed job before its time', async () => {
    const jobs = jobQueue();
    const q = queueName('delayed');
    jobs.register(q, async () => 'done');
    const soon = await jobs.enqueue(q, {}, { runAt: new Date(Date.now() + 800) });
    const later = await jobs.enqueue(q, {}, { delaySeconds: 3600 });
    expect(await jobs.drain()).toBe(0);
    expect((await jobs.get(soon)).state).toBe('queued');
    const r = await row(later);
    expect(r.delay).toBeGreaterThan(3599);
    await sleep(900);
    expect(await jobs.drain()).toBe(1);
    expect((await jobs.get(soon)).state).toBe('completed');
    expect((await jobs.get(later)).state).toBe('queued');
  });

  it('runs due jobs of a queue by priority, highest first', async () => {
    const jobs = jobQueue();
    const q = queueName('priority');
    const order: string[] = [];
    jobs.register(q, async (job) => {
      order.push((job.payload as { name: string }).name);
    });
    await jobs.enqueue(q, { name: 'low' }, { priority: -1 });
    await jobs.enqueue(q, { name: 'normal-1' });
    await jobs.enqueue(q, { name: 'high' }, { priority: 10 });
    await jobs.enqueue(q, { name: 'normal-2' });
    expect(await jobs.drain()).toBe(4);
    expect(order).toEqual(['high', 'normal-1', 'normal-2', 'low']);
  });

  it('runs at most `concurrency` jobs of a queue at once', async () => {
    const jobs = jobQueue();
    const q = queueName('concurrency');
    let now = 0;
    let max = 0;
    jobs.register(
      q,
      async () => {
        now++;
        max = Math.max(max, now);
        await sleep(30);
        now--;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 9; i++) await jobs.enqueue(q, { i });
    expect(await jobs.drain()).toBe(9);
    expect(max).toBe(3);
  });

  it('reclaims a running job whose worker stopped responding (crash recovery)', async () => {
    const jobs = jobQueue();
    const q = queueName('crash');
    jobs.register(q, async (_job, ctx) => ({ attempt: ctx.attempt }));
    const dead = await jobs.enqueue(q, {}, { maxAttempts: 3 });
    const alive = await jobs.enqueue(q, {}, { maxAttempts: 3 });
    const exhausted = await jobs.enqueue(q, {}, { maxAttempts: 1 });
    // As a worker that died mid-job leaves them; `alive` is still locked by a live worker.
    await sql`update jobs set state = 'running', attempts = 1, locked_by = 'dead-worker', started_at = now(),
      locked_until = now() - interval '1 second' where id in (${dead}, ${exhausted})`.execute(db);
    await sql`update jobs set state = 'running', attempts = 1, locked_by = 'live-worker', started_at = now(),
      locked_until = now() + interval '1 minute' where id = ${alive}`.execute(db);

    expect(await jobs.drain()).toBe(1);
    const recovered = await jobs.get(dead);
    expect(recovered).toMatchObject({ state: 'completed', attempts: 2, result: { attempt: 2 } });
    expect(recovered.lastError).toContain('stopped responding');
    expect(await row(alive)).toMatchObject({ state: 'running', locked_by: 'live-worker' });
    const gaveUp = await jobs.get(exhausted);
    expect(gaveUp).toMatchObject({ state: 'failed', attempts: 1 });
    expect(gaveUp.lastError).toContain('no attempts are left');
  });

  it('keeps extending the lock of a long job, so no other worker takes it', async () => {
    const worker = jobQueue({ lockSeconds: 1.5 });
    const other = jobQueue({ lockSeconds: 1.5 });
    const q = queueName('long');
    let runs = 0;
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const handler = async () => {
      runs++;
      await finished;
      return 'slow but fine';
    };
    worker.register(q, handler);
    other.register(q, handler);
    const id = await worker.enqueue(q, {});
    const drained = worker.drain();
    await waitFor(async () => (await row(id)).state === 'running');
    const { started_at } = await row(id);
    // Well past the 1.5 s lease, the other worker keeps finding nothing to take.
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      expect(await other.drain()).toBe(0);
      await sleep(100);
    }
    const { state, locked_until } = await row(id);
    expect(state).toBe('running');
    expect(locked_until!.getTime() - started_at!.getTime()).toBeGreaterThan(2500);
    finish();
    expect(await drained).toBe(1);
    expect(runs).toBe(1);
    expect(await worker.get(id)).toMatchObject({ state: 'completed', attempts: 1, result: 'slow but fine' });
  });

  it('aborts an attempt that exceeds its timeout and counts it as failed', async () => {
    const jobs = jobQueue();
    const q = queueName('timeout');
    let reason: unknown;
    jobs.register(q, async (_job, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      reason = ctx.signal.reason;
      throw ctx.signal.reason;
    });
    const id = await jobs.enqueue(q, {}, { timeoutSeconds: 1, maxAttempts: 1 });
    const started = Date.now();
    expect(await jobs.drain()).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((reason as Error).name).toBe('JobTimeoutError');
    const job = await jobs.get(id);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.lastError).toBe('JobTimeoutError: The job timed out after 1 s (timeoutSeconds)');
  });

  it('on stop, waits for running jobs, then interrupts them and puts them back', async () => {
    const jobs = jobQueue();
    const q = queueName('stop');
    let aborted = false;
    jobs.register(
      q,
      async (job, ctx) => {
        if ((job.payload as { quick: boolean }).quick) {
          await sleep(100);
          return 'finished during stop';
        }
        // Ignores its signal: stop must not wait for it forever.
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
        });
        await sleep(5000);
      },
      { concurrency: 2 },
    );
    const quick = await jobs.enqueue(q, { quick: true });
    const stuck = await jobs.enqueue(q, { quick: false });
    jobs.start();
    await waitFor(async () => (await row(stuck)).state === 'running' && (await row(quick)).state === 'running');
    const stopping = Date.now();
    await jobs.stop(300);
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect(aborted).toBe(true);
    expect(await jobs.get(quick)).toMatchObject({ state: 'completed', result: 'finished during stop' });
    // Back in the queue, the interrupted attempt not counted, and no lock left behind.
    expect(await row(stuck)).toMatchObject({ state: 'queued', attempts: 0, locked_by: null, locked_until: null });
  });

  it('leaves no job when the enqueuing transaction rolls back', async () => {
    const jobs = jobQueue();
    const q = queueName('tx');
    await expect(
      db.transaction().execute(async (tx) => {
        await jobs.enqueue(q, { n: 1 }, {}, tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const committed = await db.transaction().execute((tx) => jobs.enqueue(q, { n: 2 }, {}, tx));
    const { rows } = await sql<{ id: string }>`select id from jobs where queue = ${q}`.execute(db);
    expect(rows.map((r) => r.id)).toEqual([committed]);
  });

  it('dedupes by singletonKey while a job is queued or running', async () => {
    const jobs = jobQueue();
    const q = queueName('singleton');
    jobs.register(q, async () => 'ok');
    const a = await jobs.enqueue(q, { v: 1 }, { singletonKey: 'ws_a:rebuild' });
    const b = await jobs.enqueue(q, { v: 2 }, { singletonKey: 'ws_a:rebuild' });
    const other = await jobs.enqueue(q, {}, { singletonKey: 'ws_b:rebuild' });
    const elsewhere = await jobs.enqueue(queueName('singleton-other'), {}, { singletonKey: 'ws_a:rebuild' });
    expect(b).toBe(a);
    expect(new Set([a, other, elsewhere]).size).toBe(3);
    expect((await jobs.get(a)).payload).toEqual({ v: 1 });
    await jobs.drain();
    const next = await jobs.enqueue(q, { v: 3 }, { singletonKey: 'ws_a:rebuild' });
    expect(next).not.toBe(a); // the first one completed: a new one may be queued
  });

  it('stores progress, throttled, always keeping the last report', async () => {
    const jobs = jobQueue();
    const q = queueName('progress');
    let resume!: () => void;
    const midway = new Promise<void>((r) => {
      resume = r;
    });
    jobs.register(q, async (_job, ctx) => {
      await ctx.reportProgress({ done: 1, total: 50, message: 'starting' });
      await midway;
      for (let i = 2; i <= 50; i++) await ctx.reportProgress({ done: i, total: 50 });
      return 'ok';
    });
    const id = await jobs.enqueue(q, {});
    const drained = jobs.drain();
    await waitFor(async () => (await jobs.get(id)).progress !== null);
    const seenMidway = (await jobs.get(id)).progress;
    resume();
    expect(await drained).toBe(1);
    expect(seenMidway).toEqual({ done: 1, total: 50, message: 'starting' });
    expect(await jobs.get(id)).toMatchObject({ state: 'completed', progress: { done: 50, total: 50 } });
  });

  it('scopes get, list, retry and cancel to a workspace', async () => {
    const jobs = jobQueue();
    const q = queueName('scoped'); // no handler: nothing runs
    const a1 = await jobs.enqueue(q, { n: 1 }, { workspaceId: 'ws_scope_a' });
    const a2 = await jobs.enqueue(q, { n: 2 }, { workspaceId: 'ws_scope_a' });
    const a3 = await jobs.enqueue(queueName('scoped-other'), { n: 3 }, { workspaceId: 'ws_scope_a' });
    const b1 = await jobs.enqueue(q, { n: 1 }, { workspaceId: 'ws_scope_b' });
    const platform = await jobs.enqueue(q, {});

    expect((await jobs.get(a1, 'ws_scope_a')).workspaceId).toBe('ws_scope_a');
    await expect(jobs.get(a1, 'ws_scope_b')).rejects.toBeInstanceOf(NotFoundError);
    await expect(jobs.get(platform, 'ws_scope_a')).rejects.toBeInstanceOf(NotFoundError);
    expect((await jobs.get(platform, null)).workspaceId).toBeNull();
    await expect(jobs.get('job_missing')).rejects.toBeInstanceOf(NotFoundError);

    expect((await jobs.list({ workspaceId: 'ws_scope_a' })).map((j) => j.id)).toEqual([a3, a2, a1]);
    expect((await jobs.list({ workspaceId: 'ws_scope_a', queue: q })).map((j) => j.id)).toEqual([a2, a1]);
    expect((await jobs.list({ workspaceId: 'ws_scope_a', limit: 2 })).map((j) => j.id)).toEqual([a3, a2]);
    expect((await jobs.list({ workspaceId: 'ws_scope_a', before: a2 })).map((j) => j.id)).toEqual([a1]);
    expect((await jobs.list({ workspaceId: 'ws_scope_b' })).map((j) => j.id)).toEqual([b1]);

    await expect(jobs.cancel(a1, 'ws_scope_b')).rejects.toBeInstanceOf(NotFoundError);
    await expect(jobs.retry(a1, 'ws_scope_b')).rejects.toBeInstanceOf(NotFoundError);
    expect((await jobs.get(a1)).state).toBe('queued');

    const cancelled = await jobs.cancel(a1, 'ws_scope_a');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
    await expect(jobs.cancel(a1, 'ws_scope_a')).rejects.toBeInstanceOf(ConflictError);
    await expect(jobs.retry(a2, 'ws_scope_a')).rejects.toBeInstanceOf(ConflictError); // queued: nothing to retry
    expect((await jobs.list({ workspaceId: 'ws_scope_a', state: 'cancelled' })).map((j) => j.id)).toEqual([a1]);

    const retried = await jobs.retry(a1, 'ws_scope_a');
    expect(retried).toMatchObject({ state: 'queued', attempts: 0, finishedAt: null });
  });

  it('retries a failed job from the start, and it can then succeed', async () => {
    const jobs = jobQueue();
    const q = queueName('manual-retry');
    let fail = true;
    jobs.register(q, async () => {
      if (fail) throw new Error('down');
      return 'up';
    });
    const id = await jobs.enqueue(q, {}, { workspaceId: 'ws_retry', maxAttempts: 1 });
    await jobs.drain();
    expect((await jobs.get(id)).state).toBe('failed');
    fail = false;
    expect(await jobs.retry(id, 'ws_retry')).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await jobs.drain()).toBe(1);
    expect(await jobs.get(id)).toMatchObject({ state: 'completed', attempts: 1, result: 'up' });
  });

  it('refuses to retry a failed singleton job while another with its key is queued', async () => {
    const jobs = jobQueue();
    const q = queueName('singleton-retry');
    jobs.register(q, async () => {
      throw new Error('nope');
    });
    const first = await jobs.enqueue(q, {}, { workspaceId: 'ws_s', maxAttempts: 1, singletonKey: 'k' });
    await jobs.drain();
    const second = await jobs.enqueue(q, {}, { workspaceId: 'ws_s', singletonKey: 'k', delaySeconds: 60 });
    expect(second).not.toBe(first);
    await expect(jobs.retry(first, 'ws_s')).rejects.toMatchObject({ code: 'job_duplicate' });
  });

  it('rejects invalid options', async () => {
    const jobs = jobQueue();
    await expect(jobs.enqueue('q', {}, { maxAttempts: 0 })).rejects.toMatchObject({ field: 'maxAttempts' });
    await expect(jobs.enqueue('q', {}, { runAt: new Date(), delaySeconds: 1 })).rejects.toMatchObject({
      field: 'runAt',
    });
    await expect(jobs.enqueue('q', { big: 1n })).rejects.toMatchObject({ field: 'payload' });
    expect(() => jobs.register('q', async () => {}, { concurrency: 0 })).toThrow();
  });

  it.skipIf(testDbKind !== 'postgres')(
    'runs each of 200 jobs exactly once across two worker processes',
    async () => {
      const url = testDatabaseUrl(database);
      const one = await openDatabase({ url, poolSize: 5 });
      const two = await openDatabase({ url, poolSize: 5 });
      try {
        const q = queueName('race');
        const runs = new Map<string, number>();
        const inFlight = new Set<string>();
        let overlaps = 0;
        const ranBy = { one: 0, two: 0 };
        const handler = (who: 'one' | 'two') => async (job: { id: string }) => {
          if (inFlight.has(job.id)) overlaps++;
          inFlight.add(job.id);
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          ranBy[who]++;
          await sleep(Math.random() * 5);
          inFlight.delete(job.id);
        };
        const workerOne = jobQueue({ workerId: 'one' }, one.db);
        const workerTwo = jobQueue({ workerId: 'two' }, two.db);
        workerOne.register(q, handler('one'), { concurrency: 4 });
        workerTwo.register(q, handler('two'), { concurrency: 4 });
        const ids: string[] = [];
        for (let i = 0; i < 200; i++) ids.push(await workerOne.enqueue(q, { i }));
        workerOne.start();
        workerTwo.start();
        await waitFor(async () => {
          const { rows } = await sql<{
            n: number;
          }>`select count(*)::int as n from jobs where queue = ${q} and state = 'completed'`.execute(db);
          return rows[0]?.n === 200;
        }, 30_000);
        await Promise.all([workerOne.stop(), workerTwo.stop()]);
        expect(overlaps).toBe(0);
        expect(ids.filter((id) => runs.get(id) !== 1)).toEqual([]);
        expect(runs.size).toBe(200);
        expect(ranBy.one).toBeGreaterThan(0);
        expect(ranBy.two).toBeGreaterThan(0);
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from jobs where queue = ${q} and attempts <> 1`.execute(db);
        expect(rows[0]?.n).toBe(0);
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    },
    60_000,
  );
});
