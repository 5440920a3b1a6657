import { registerAnalyticsJobs } from './analytics/index.js';
import { registerImportJobs } from './imports/index.js';
import { type MessagingRuntime, registerMessagingJobs } from './messaging/index.js';
import type { Db } from './platform/db.js';
import type { JobQueue } from './platform/jobs.js';
import { registerPredictJobs } from './predict/index.js';
import { registerSegmentJobs } from './segments/index.js';

/** Every domain's background job handlers, registered on each worker. */
export function registerJobHandlers(jobs: JobQueue, db: Db, rt: MessagingRuntime): void {
  registerImportJobs(jobs, db);
  registerAnalyticsJobs(jobs, db);
  registerSegmentJobs(jobs, db);
  registerMessagingJobs(jobs, db, rt);
  registerPredictJobs(jobs, db);
}
