import type { Db } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import { rebuildRollup } from './service.js';

export const ROLLUP_QUEUE = 'analytics.rollup';

/** Registers the KPI rollup rebuild (ADR 0007) on a job queue. */
export function registerAnalyticsJobs(jobs: JobQueue, _db: Db): void {
  jobs.register(ROLLUP_QUEUE, async (job, ctx) =>
    rebuildRollup(ctx.db, (job.payload as { workspaceId: string }).workspaceId),
  );
}

/** Queues a rebuild of the workspace's rollup, at most one queued or running at a time. */
export async function requestRollup(jobs: JobQueue, workspaceId: string): Promise<void> {
  await jobs.enqueue(
    ROLLUP_QUEUE,
    { workspaceId },
    { workspaceId, singletonKey: `${ROLLUP_QUEUE}:${workspaceId}`, timeoutSeconds: 3600, maxAttempts: 3 },
  );
}
