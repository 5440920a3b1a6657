/**
 * Background work of predictions, on the durable job queue (platform/jobs.ts):
 * - `predict.run` (one queued or running per workspace): refits every model and rescores every
 *   customer, reporting its progress. Started from the app ("Refit now") and by the nightly run.
 * - `predict.score`: rescores every customer with the latest models (after a CLV fit on demand).
 * - `predict.nightly`: at 03:00 UTC, a `predict.run` for every workspace with orders; then
 *   schedules itself for the next night.
 */
import type { Db } from '../platform/db.js';
import type { JobQueue, JobRecord } from '../platform/jobs.js';
import { workspacesWithOrders } from './repository.js';
import { runPredictions, scoreWorkspace } from './service.js';
import { DAY_MS } from './time.js';

export const RUN_QUEUE = 'predict.run';
export const SCORE_QUEUE = 'predict.score';
export const NIGHTLY_QUEUE = 'predict.nightly';
const NIGHTLY_HOUR_UTC = 3;

/** Registers the prediction jobs on a worker and makes sure the nightly refit is scheduled. */
export function registerPredictJobs(jobs: JobQueue, _db: Db, opts: { scheduleNightly?: boolean } = {}): void {
  jobs.register(RUN_QUEUE, async (job, ctx) => {
    const p = job.payload as { workspaceId: string };
    return runPredictions(ctx.db, p.workspaceId, {
      progress: (done, total, message) => ctx.reportProgress({ done, total, message }),
    });
  });
  jobs.register(SCORE_QUEUE, async (job, ctx) =>
    scoreWorkspace(ctx.db, (job.payload as { workspaceId: string }).workspaceId, new Date(), (done, total, message) =>
      ctx.reportProgress({ done, total, message }),
    ),
  );
  jobs.register(NIGHTLY_QUEUE, async (_job, ctx) => {
    const list = await workspacesWithOrders(ctx.db);
    for (const ws of list) await enqueueRun(jobs, ws);
    await scheduleNightly(jobs, new Date());
    return { workspaces: list.length };
  });
  if (opts.scheduleNightly !== false) {
    scheduleNightly(jobs, new Date()).catch(() => {
      // The next start (or the next nightly job) schedules it.
    });
  }
}

/** Enqueues the next nightly refit (once: keyed by its time). */
export async function scheduleNightly(jobs: JobQueue, now: Date): Promise<string> {
  const day = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  let next = day + NIGHTLY_HOUR_UTC * 3_600_000;
  if (next <= now.getTime()) next += DAY_MS;
  const at = new Date(next);
  return jobs.enqueue(
    NIGHTLY_QUEUE,
    {},
    { runAt: at, singletonKey: `nightly:${at.toISOString()}`, timeoutSeconds: 600 },
  );
}

/** A refit of everything for the workspace (the queued or running one, if there is one). */
export async function enqueueRun(jobs: JobQueue, workspaceId: string): Promise<string> {
  return jobs.enqueue(
    RUN_QUEUE,
    { workspaceId },
    { workspaceId, singletonKey: `${RUN_QUEUE}:${workspaceId}`, timeoutSeconds: 3600, maxAttempts: 3 },
  );
}

/** Rescoring after a fit on demand. */
export async function enqueueScore(jobs: JobQueue, workspaceId: string): Promise<string> {
  return jobs.enqueue(
    SCORE_QUEUE,
    { workspaceId },
    { workspaceId, singletonKey: `${SCORE_QUEUE}:${workspaceId}`, timeoutSeconds: 3600, maxAttempts: 3 },
  );
}

/** The workspace's latest refit, as the app shows it (progress 0..1). */
export async function latestRun(jobs: JobQueue, workspaceId: string) {
  const [job] = await jobs.list({ workspaceId, queue: RUN_QUEUE, limit: 1 });
  return job ? runView(job) : null;
}

export function runView(job: JobRecord) {
  const p = job.progress as { done?: number; total?: number } | null;
  const progress = job.state === 'completed' ? 1 : p?.total ? Math.min(1, Math.max(0, (p.done ?? 0) / p.total)) : 0;
  return {
    id: job.id,
    status: job.state,
    progress,
    ...(job.state === 'failed' && job.lastError ? { error: job.lastError } : {}),
  };
}
