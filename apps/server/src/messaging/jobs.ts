/**
 * Background work of messaging, on the durable job queue (platform/jobs.ts): `messaging.send`
 * hands one queued message to SMTP (see `deliverMessage`). Retried with backoff only for
 * temporary (4xx) SMTP answers; a message that is no longer queued is never sent again.
 */
import type { Db } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import { deliverMessage, type MessagingRuntime, SEND_QUEUE, useSendQueue } from './service.js';

/** Registers the send job on a worker; the runtime gives it the server secret and public URL. */
export function registerMessagingJobs(jobs: JobQueue, _db: Db, rt: MessagingRuntime): void {
  useSendQueue(jobs);
  jobs.register(
    SEND_QUEUE,
    async (job, ctx) => {
      const { messageId } = job.payload as { messageId: string };
      return deliverMessage(ctx.db, rt, job.workspaceId as string, messageId, {
        final: ctx.attempt >= job.maxAttempts,
      });
    },
    { concurrency: 4 },
  );
}
