import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from './http.js';
import { JOB_STATES, type JobQueue, type JobRecord } from './jobs.js';

const jobId = z.string().min(1).max(100);

export const jobSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    workspaceId: z.string().nullable(),
    payload: z.unknown(),
    state: z.enum(JOB_STATES),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    runAt: z.iso.datetime(),
    lastError: z.string().nullable(),
    progress: z.unknown(),
    result: z.unknown(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Job' });
export type JobView = z.infer<typeof jobSchema>;

const listQuery = z.strictObject({
  state: z.enum(JOB_STATES).optional(),
  queue: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: jobId.optional().describe('Return jobs older than this id (the last id of the previous page)'),
});
const idParams = z.strictObject({ id: jobId });

/** A job as the API shows it: dates as ISO strings. */
export function jobView(job: JobRecord): JobView {
  return {
    id: job.id,
    queue: job.queue,
    workspaceId: job.workspaceId,
    payload: job.payload,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt.toISOString(),
    lastError: job.lastError,
    progress: job.progress,
    result: job.result,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** The current workspace's background jobs: list, inspect, retry and cancel. */
export async function jobsRoutes(root: FastifyInstance, { jobs }: { jobs: JobQueue }) {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/v1/jobs',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['Jobs'],
        summary: "List the workspace's background jobs, newest first",
        querystring: listQuery,
        response: { 200: z.object({ data: z.array(jobSchema) }), ...errorResponses },
      },
    },
    async (req) => {
      const list = await jobs.list({ workspaceId: req.workspaceId!, ...req.query });
      return { data: list.map(jobView) };
    },
  );

  app.get(
    '/api/v1/jobs/:id',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['Jobs'],
        summary: 'Get a background job, with its progress, result or last error',
        params: idParams,
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (req) => jobView(await jobs.get(req.params.id, req.workspaceId!)),
  );

  app.post(
    '/api/v1/jobs/:id/retry',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags: ['Jobs'],
        summary: 'Run a failed or cancelled job again, with its attempts reset',
        params: idParams,
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (req) => jobView(await jobs.retry(req.params.id, req.workspaceId!)),
  );

  app.post(
    '/api/v1/jobs/:id/cancel',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags: ['Jobs'],
        summary: 'Cancel a job that has not started yet',
        params: idParams,
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (req) => jobView(await jobs.cancel(req.params.id, req.workspaceId!)),
  );
}
