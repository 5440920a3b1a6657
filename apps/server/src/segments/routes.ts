import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getWorkspaceOrThrow } from '../access/index.js';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as s from './schemas.js';
import * as service from './service.js';

const tags = ['Segments'];
const read = { permission: 'segments:read' } as const;
const write = (audit: string) => ({ permission: 'segments:write', audit }) as const;

/** Segments: rules, previews, members, static lists, refreshes and explanations (SEG-1). */
export async function segmentsRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.post(
    '/api/v1/segments/preview',
    {
      // Reading: an analyst may preview; nothing is stored.
      config: { ...read, audit: false },
      schema: {
        tags,
        summary: 'Count the customers a rule matches now, with a sample of up to 10',
        description:
          'Errors in the rule are 400 with `field` naming the path inside it, e.g. `rule.all.1.count.value`.',
        body: s.previewBody,
        response: { 200: s.preview, ...errorResponses },
      },
    },
    async (req) => service.previewRule(db, ws(req), req.body.rule),
  );

  app.get(
    '/api/v1/segments',
    {
      config: read,
      schema: { tags, summary: 'Every segment, by name', response: { 200: s.segmentList, ...errorResponses } },
    },
    async (req) => service.listSegments(db, ws(req)),
  );

  app.post(
    '/api/v1/segments',
    {
      config: write('segment.create'),
      schema: {
        tags,
        summary: 'Save a segment: dynamic (a rule, members computed now and kept current) or static (a list)',
        description: 'Names are unique in the workspace regardless of case (409 `name_taken`).',
        body: s.createSegmentBody,
        response: { 201: s.segment, ...errorResponses },
      },
    },
    async (req, reply) => {
      const by = req.actor?.type === 'user' ? req.actor.userId : req.actor?.type === 'api_key' ? req.actor.keyId : null;
      return reply.status(201).send(await service.createSegment(db, ws(req), req.body, by));
    },
  );

  app.get(
    '/api/v1/segments/:id',
    {
      config: read,
      schema: { tags, summary: 'One segment', params: s.idParams, response: { 200: s.segment, ...errorResponses } },
    },
    async (req) => service.segmentView(await service.getSegmentOrThrow(db, ws(req), req.params.id)),
  );

  app.patch(
    '/api/v1/segments/:id',
    {
      config: write('segment.update'),
      schema: {
        tags,
        summary: 'Rename a segment, change its description or (dynamic) its rule',
        params: s.idParams,
        body: s.updateSegmentBody,
        response: { 200: s.segment, ...errorResponses },
      },
    },
    async (req) => service.updateSegment(db, ws(req), req.params.id, req.body),
  );

  app.delete(
    '/api/v1/segments/:id',
    {
      config: write('segment.delete'),
      schema: { tags, summary: 'Delete a segment (409 while another segment refers to it)', params: s.idParams },
    },
    async (req, reply) => {
      await service.deleteSegment(db, ws(req), req.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/segments/:id/members',
    {
      config: read,
      schema: {
        tags,
        summary: 'The members, a page at a time (pass nextCursor back as cursor)',
        params: s.idParams,
        querystring: s.membersQuery,
        response: { 200: s.memberPage, ...errorResponses },
      },
    },
    async (req) => service.listMembers(db, ws(req), req.params.id, req.query),
  );

  app.post(
    '/api/v1/segments/:id/members',
    {
      config: write('segment.members_add'),
      schema: {
        tags,
        summary: 'Add customers to a static list by id',
        params: s.idParams,
        body: s.customerIdsBody,
        response: { 200: s.addResult, ...errorResponses },
      },
    },
    async (req) => service.addStaticMembers(db, ws(req), req.params.id, req.body.customerIds),
  );

  app.post(
    '/api/v1/segments/:id/members/remove',
    {
      config: write('segment.members_remove'),
      schema: {
        tags,
        summary: 'Remove customers from a static list by id',
        params: s.idParams,
        body: s.customerIdsBody,
        response: { 200: s.removeResult, ...errorResponses },
      },
    },
    async (req) => service.removeStaticMembers(db, ws(req), req.params.id, req.body.customerIds),
  );

  app.post(
    '/api/v1/segments/:id/members/csv',
    {
      config: write('segment.members_csv'),
      schema: {
        tags,
        summary: 'Add the customers of a CSV column (emails, phones or customer ids) to a static list',
        description: 'Lines naming no customer of the workspace come back in `notFound` with their line number.',
        params: s.idParams,
        body: s.csvBody,
        response: { 200: s.csvResult, ...errorResponses },
      },
    },
    async (req) => {
      const workspace = await getWorkspaceOrThrow(db, ws(req));
      return service.addStaticMembersCsv(db, ws(req), req.params.id, req.body.csv, workspace.default_country);
    },
  );

  app.post(
    '/api/v1/segments/:id/refresh',
    {
      config: write('segment.refresh'),
      schema: {
        tags,
        summary: 'Re-evaluate a dynamic segment (and those built on it) for every customer now',
        params: s.idParams,
        response: { 200: s.refreshResult, ...errorResponses },
      },
    },
    async (req) => service.refreshSegment(db, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/segments/:id/explain/:customerId',
    {
      config: read,
      schema: {
        tags,
        summary: 'Why a customer is in or out: every node of the rule evaluated for them, with the values found',
        params: s.explainParams,
        response: { 200: s.explainResult, ...errorResponses },
      },
    },
    async (req) => service.explainMembership(db, ws(req), req.params.id, req.params.customerId),
  );
}
