import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as repo from './repository.js';
import * as s from './schemas.js';
import * as service from './service.js';

/** Sources, write keys, the live event debugger and quarantine (DATA-2, DATA-8). */
export async function ingestRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const tags = ['Sources'];

  app.get(
    '/api/v1/sources',
    {
      config: { permission: 'sources:read' },
      schema: {
        tags,
        summary: 'Sources (channels) of this workspace',
        response: { 200: z.object({ data: z.array(s.source) }) },
      },
    },
    async (req) => ({ data: await service.listSources(db, req.workspaceId as string) }),
  );

  app.post(
    '/api/v1/sources',
    {
      config: { permission: 'sources:write', audit: 'source.create' },
      schema: {
        tags,
        summary: 'Connect a channel: a source with its own write key',
        body: s.createSourceBody,
        response: { 201: s.source, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await service.createSource(db, req.workspaceId as string, req.body)),
  );

  app.get(
    '/api/v1/sources/:id',
    {
      config: { permission: 'sources:read' },
      schema: { tags, summary: 'A source', params: s.idParams, response: { 200: s.source, ...errorResponses } },
    },
    async (req) => service.sourceView(await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id)),
  );

  app.patch(
    '/api/v1/sources/:id',
    {
      config: { permission: 'sources:write', audit: 'source.update' },
      schema: {
        tags,
        summary: 'Rename a source, change its channel or webhook secret',
        params: s.idParams,
        body: s.updateSourceBody,
        response: { 200: s.source, ...errorResponses },
      },
    },
    async (req) => service.updateSource(db, req.workspaceId as string, req.params.id, req.body),
  );

  app.post(
    '/api/v1/sources/:id/rotate-key',
    {
      config: { permission: 'sources:write', audit: 'source.rotate_key' },
      schema: {
        tags,
        summary: 'Issue a new write key; the old one keeps working for graceHours',
        params: s.idParams,
        body: s.rotateKeyBody,
        response: { 200: s.source, ...errorResponses },
      },
    },
    async (req) => service.rotateWriteKey(db, req.workspaceId as string, req.params.id, req.body.graceHours),
  );

  app.delete(
    '/api/v1/sources/:id',
    {
      config: { permission: 'sources:write', audit: 'source.delete' },
      schema: {
        tags,
        summary: 'Disconnect a source (its write key stops working; its events stay)',
        params: s.idParams,
      },
    },
    async (req, reply) => {
      await service.deleteSource(db, req.workspaceId as string, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/sources/:id/events',
    {
      config: { permission: 'sources:read' },
      schema: {
        tags,
        summary: 'The latest events of a source, newest first',
        params: s.idParams,
        querystring: s.eventsQuery,
        response: { 200: z.object({ data: z.array(s.event) }), ...errorResponses },
      },
    },
    async (req) => {
      const src = await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id);
      return {
        data: (await repo.latestEvents(db, src.workspace_id, src.id, req.query.limit ?? 50)).map(service.eventView),
      };
    },
  );

  app.get(
    '/api/v1/sources/:id/events/live',
    {
      config: { permission: 'sources:read' },
      schema: {
        tags,
        summary: 'Arriving events as server-sent events (text/event-stream)',
        description:
          'Each `event: event` carries one Event as JSON; `: ping` comments keep the connection open. The stream closes after maxSeconds.',
        params: s.idParams,
        querystring: s.liveQuery,
      },
    },
    async (req, reply) => {
      const src = await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id);
      let after = req.query.after ?? Number((await repo.latestEvents(db, src.workspace_id, src.id, 1))[0]?.seq ?? 0);
      const until = Date.now() + (req.query.maxSeconds ?? 600) * 1000;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': req.id,
      });
      res.write(': connected\n\n');
      let closed = false;
      req.raw.on('close', () => {
        closed = true;
      });
      while (!closed && Date.now() < until) {
        const events = await repo.eventsAfter(db, src.workspace_id, src.id, after, 100);
        for (const e of events) {
          res.write(`id: ${e.seq}\nevent: event\ndata: ${JSON.stringify(service.eventView(e))}\n\n`);
          after = Number(e.seq);
        }
        if (events.length < 100) {
          res.write(': ping\n\n');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      res.end();
    },
  );

  app.get(
    '/api/v1/sources/:id/quarantine',
    {
      config: { permission: 'sources:read' },
      schema: {
        tags,
        summary: 'Events that were refused, with the reason, newest first',
        params: s.idParams,
        querystring: s.quarantineQuery,
        response: { 200: z.object({ data: z.array(s.quarantined), quarantined: z.number() }), ...errorResponses },
      },
    },
    async (req) => {
      const src = await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id);
      const rows = await repo.listQuarantine(db, src.workspace_id, src.id, {
        ...req.query,
        limit: req.query.limit ?? 50,
      });
      return {
        data: rows.map(service.quarantineView),
        quarantined: await repo.countQuarantined(db, src.workspace_id, src.id),
      };
    },
  );

  app.post(
    '/api/v1/sources/:id/quarantine/:quarantineId/replay',
    {
      config: { permission: 'sources:write', audit: 'quarantine.replay' },
      schema: {
        tags,
        summary: 'Store a quarantined event, as it was or corrected',
        params: s.quarantineParams,
        body: s.replayBody,
        response: { 200: s.quarantined, ...errorResponses },
      },
    },
    async (req) => {
      await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id);
      return service.replayQuarantined(db, req.workspaceId as string, req.params.quarantineId, req.body.payload);
    },
  );

  app.post(
    '/api/v1/sources/:id/quarantine/:quarantineId/discard',
    {
      config: { permission: 'sources:write', audit: 'quarantine.discard' },
      schema: {
        tags,
        summary: 'Mark a quarantined event as not to be replayed',
        params: s.quarantineParams,
        response: { 200: s.quarantined, ...errorResponses },
      },
    },
    async (req) => {
      await service.getSourceOrThrow(db, req.workspaceId as string, req.params.id);
      return service.discardQuarantined(db, req.workspaceId as string, req.params.quarantineId);
    },
  );
}
