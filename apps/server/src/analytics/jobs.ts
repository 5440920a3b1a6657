/**
 * Background work of analytics, on the durable job queue (platform/jobs.ts):
 * - `analytics.rollup` (one per workspace and 5-second slot): rolls up the subjects whose orders or
 *   events changed (ADR 0010), or builds a workspace's rollup from scratch. Enqueued by the
 *   transaction that marked them, so none is missed; every start enqueues one for workspaces
 *   with marks left.
 * - `analytics.kpis`: recomputes the default KPI snapshot (ADR 0009), used while a rollup is built.
 */
import type { Db, Tx } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import { workspacesWithDirty } from './rollup-repository.js';
import { drain, ensureRollup, setRollupScheduler } from './rollup-service.js';
import { refreshKpiSnapshot, scopeOf } from './service.js';

export const KPI_QUEUE = 'analytics.kpis';
export const ROLLUP_QUEUE = 'analytics.rollup';
/** Marks within one slot share a rollup job, due one second after the slot ends. */
export const ROLLUP_SLOT_MS = 5000;

let queue: JobQueue | undefined;

/** Registers analytics' jobs on a job queue. */
export function registerAnalyticsJobs(jobs: JobQueue, db: Db): void {
  queue = jobs;
  jobs.register(KPI_QUEUE, async (job, ctx) =>
    refreshKpiSnapshot(ctx.db, (job.payload as { workspaceId: string }).workspaceId),
  );
  jobs.register(ROLLUP_QUEUE, async (job, ctx) => {
    const s = await scopeOf(ctx.db, (job.payload as { workspaceId: string }).workspaceId);
    await ensureRollup(ctx.db, s);
    return {
      subjects: await drain(ctx.db, s, {
        signal: ctx.signal,
        onChunk: (n) => ctx.reportProgress({ done: n, message: 'Subjects rolled up' }),
      }),
    };
  });
  setRollupScheduler((workspaceId) => scheduleRollup(db, workspaceId));
  // Marks left by a run that stopped (or by writes in a process without workers).
  workspacesWithDirty(db)
    .then((list) => Promise.all(list.map((ws) => scheduleRollup(db, ws))))
    .catch(() => {
      // The next write schedules it.
    });
}

/** In the marking transaction: the workspace's rollup job of the current slot. */
export async function scheduleRollup(tx: Db | Tx, workspaceId: string, now = Date.now()): Promise<void> {
  if (!queue) return; // no worker in this process: a worker's start picks the marks up
  const slot = Math.floor(now / ROLLUP_SLOT_MS);
  await queue.enqueue(
    ROLLUP_QUEUE,
    { workspaceId },
    {
      runAt: new Date((slot + 1) * ROLLUP_SLOT_MS + 1000),
      singletonKey: `${ROLLUP_QUEUE}:${workspaceId}:${slot}`,
      timeoutSeconds: 3600,
      maxAttempts: 5,
    },
    tx,
  );
}

/** Queues a recomputation of the workspace's default KPI set, at most one queued or running at a time. */
export async function requestKpiSnapshot(jobs: JobQueue, workspaceId: string): Promise<void> {
  await jobs.enqueue(
    KPI_QUEUE,
    { workspaceId },
    { workspaceId, singletonKey: `${KPI_QUEUE}:${workspaceId}`, timeoutSeconds: 3600, maxAttempts: 3 },
  );
}
