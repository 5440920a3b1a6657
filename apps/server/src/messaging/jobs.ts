/**
 * Background work of messaging, on the durable job queue (platform/jobs.ts): `messaging.send`
 * hands one queued email to SMTP (see `deliverMessage`), `messaging.sms` one SMS to the
 * provider (`deliverSms`), both retried with backoff only for temporary failures; and
 * `messaging.webhook` makes one delivery attempt of a webhook (`deliverWebhook`), scheduling
 * the next attempt itself. A message that is no longer queued is never sent again.
 */
import type { Db } from '../platform/db.js';
import type { JobQueue } from '../platform/jobs.js';
import { deliverMessage, type MessagingRuntime, SEND_QUEUE, useSendQueue } from './service.js';
import { deliverSms, SMS_QUEUE } from './sms-service.js';
import { deliverWebhook, WEBHOOK_QUEUE } from './webhooks-service.js';

/** Registers messaging's jobs on a worker; the runtime gives them the server secret, public URL and port. */
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
  jobs.register(
    SMS_QUEUE,
    async (job, ctx) => {
      const { messageId } = job.payload as { messageId: string };
      return deliverSms(ctx.db, rt, job.workspaceId as string, messageId, { final: ctx.attempt >= job.maxAttempts });
    },
    { concurrency: 4 },
  );
  jobs.register(
    WEBHOOK_QUEUE,
    async (job, ctx) => {
      const { messageId, attempt } = job.payload as { messageId: string; attempt: number };
      return deliverWebhook(ctx.db, rt, job.workspaceId as string, messageId, attempt);
    },
    { concurrency: 4 },
  );
}
