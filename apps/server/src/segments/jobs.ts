/**
 * Background work of segments, on the durable job queue (platform/jobs.ts):
 * - `segments.incremental` (one per workspace at a time): re-evaluates the customers processing
 *   marked in `segment_dirty_customers`. Enqueued by the processing transaction that marked
 *   them, a second or two later, so a burst of batches is evaluated together.
 * - `segments.refresh`: the hourly full refresh of every dynamic segment (rules about time
 *   change without any event), which then schedules itself for the next hour.
 */
import type { Db, Tx } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import * as repo from './repository.js';
import { refreshMarked, refreshWorkspace } from './service.js';

export const INCREMENTAL_QUEUE = 'segments.incremental';
export const REFRESH_QUEUE = 'segments.refresh';
const HOUR_MS = 3_600_000;

let queue: JobQueue | undefined;

/** Registers the segment jobs on a worker and makes sure the hourly refresh is scheduled. */
export function registerSegmentJobs(jobs: JobQueue, _db: Db, opts: { scheduleHourly?: boolean } = {}): void {
  queue = jobs;
  jobs.register(INCREMENTAL_QUEUE, async (job, ctx) =>
    refreshMarked(ctx.db, (job.payload as { workspaceId: string }).workspaceId),
  );
  jobs.register(REFRESH_QUEUE, async (_job, ctx) => {
    const now = new Date();
    const done: Record<string, { entered: number; exited: number }> = {};
    for (const ws of await repo.workspacesWithDynamicSegments(ctx.db))
      done[ws] = await refreshWorkspace(ctx.db, ws, now);
    // Marks left by a batch whose job slipped by (see ADR 0008) are picked up here at the latest.
    for (const ws of await repo.workspacesWithDirty(ctx.db)) await refreshMarked(ctx.db, ws, now);
    await scheduleHourlyRefresh(jobs, now);
    return { workspaces: Object.keys(done).length };
  });
  if (opts.scheduleHourly !== false) {
    scheduleHourlyRefresh(jobs, new Date()).catch(() => {
      // The next start (or the next refresh job) schedules it.
    });
  }
}

/** Enqueues the full refresh at the next full hour (once: keyed by that hour). */
export async function scheduleHourlyRefresh(jobs: JobQueue, now: Date): Promise<string> {
  const next = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  return jobs.enqueue(
    REFRESH_QUEUE,
    {},
    { runAt: next, singletonKey: `hourly:${next.toISOString()}`, timeoutSeconds: 3600 },
  );
}

/** Batches marked within one slot share an incremental job, due one second after the slot ends. */
export const INCREMENTAL_SLOT_MS = 5000;

/**
 * In the processing transaction: the incremental job of this workspace for the current slot. A
 * batch committed while the previous slot's job runs gets a job of its own (another key). The
 * job is a platform job (no workspace): it is bookkeeping, not something a person started.
 */
export async function scheduleIncremental(tx: Db | Tx, workspaceId: string, now = Date.now()): Promise<void> {
  if (!queue) return; // no worker in this process: the hourly refresh picks the marks up
  const slot = Math.floor(now / INCREMENTAL_SLOT_MS);
  await queue.enqueue(
    INCREMENTAL_QUEUE,
    { workspaceId },
    { runAt: new Date((slot + 1) * INCREMENTAL_SLOT_MS + 1000), singletonKey: `${workspaceId}:${slot}` },
    tx,
  );
}
