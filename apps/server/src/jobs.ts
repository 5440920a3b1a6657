import type { Db } from './platform/db.js';
import type { JobQueue } from './platform/jobs.js';

/** Every domain's background job handlers, registered on each worker (none yet beyond the platform). */
export function registerJobHandlers(_jobs: JobQueue, _db: Db): void {}
