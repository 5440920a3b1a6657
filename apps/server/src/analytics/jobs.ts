import type { Db } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import { refreshKpiSnapshot } from './service.js';

export const KPI_QUEUE = 'analytics.kpis';

/** Registers the recomputation of the dashboard's KPI snapshot (ADR 0009) on a job queue. */
export function registerAnalyticsJobs(jobs: JobQueue, _db: Db): void {
  jobs.register(KPI_QUEUE, async (job, ctx) =>
    refreshKpiSnapshot(ctx.db, (job.payload as { workspaceId: string }).workspaceId),
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
