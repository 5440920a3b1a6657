import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { UserError } from '../platform/errors.js';
import { errorResponses } from '../platform/http.js';
import { im } from './messages.js';
import * as s from './schemas.js';
import * as service from './service.js';

/** Largest CSV accepted in one upload. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** The fields and file of a multipart import upload; 4xx naming the part for anything else. */
async function readUpload(req: FastifyRequest): Promise<service.UploadInput> {
  if (!req.isMultipart()) {
    throw new UserError(415, 'unsupported_media_type', im('multipart'), 'content-type');
  }
  const input: service.UploadInput = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          await part.toBuffer();
          throw new UserError(400, 'invalid_request', im('unexpected_file', { part: part.fieldname }), part.fieldname);
        }
        input.file = { name: part.filename || null, content: await part.toBuffer() };
      } else if (
        part.fieldname === 'kind' ||
        part.fieldname === 'mapping' ||
        part.fieldname === 'preset' ||
        part.fieldname === 'sourceName'
      ) {
        input[part.fieldname] = String(part.value);
      } else {
        throw new UserError(400, 'invalid_request', im('unknown_part', { part: part.fieldname }), part.fieldname);
      }
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE')
      throw new UserError(413, 'payload_too_large', im('too_large', { max: MAX_UPLOAD_BYTES }), 'file');
    if (code?.startsWith('FST_'))
      throw new UserError(
        400,
        'invalid_request',
        im('upload_failed', { detail: (err as Error).message }),
        code === 'FST_FILES_LIMIT' ? 'file' : 'body',
      );
    throw err;
  }
  return input;
}

/** CSV imports: upload (multipart), progress and report (DATA-7). */
export async function importsRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  // Scoped to this plugin: only the import upload accepts multipart bodies.
  await root.register(multipart, {
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, jobs } = ctx;
  const tags = ['Imports'];

  app.post(
    '/api/v1/imports',
    {
      config: { permission: 'imports:write' },
      schema: {
        tags,
        summary:
          'Upload a CSV (multipart: file, kind = customers | orders | products, mapping = JSON column → field or preset = online-retail, sourceName); runs as a job',
        consumes: ['multipart/form-data'],
        response: { 202: s.importView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const input = await readUpload(req);
      const actor = req.actor;
      const createdBy = actor?.type === 'user' ? actor.userId : actor?.type === 'api_key' ? actor.keyId : null;
      const view = await service.createImport(db, jobs, req.workspaceId as string, createdBy, input);
      return reply.code(202).send(view);
    },
  );

  app.post(
    '/api/v1/imports/check',
    {
      config: { permission: 'imports:write' },
      schema: {
        tags,
        summary:
          'Check an upload without importing: the mapping (400 naming the field, as an upload would) and the first 200 rows, with the lines the import would reject',
        description: 'The same multipart fields as POST /api/v1/imports; the file may be just its beginning.',
        consumes: ['multipart/form-data'],
        response: { 200: s.importCheck, ...errorResponses },
      },
    },
    async (req) => service.checkImport(await readUpload(req)),
  );

  app.get(
    '/api/v1/imports',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags,
        summary: 'Imports, newest first',
        querystring: s.listQuery,
        response: { 200: s.importList, ...errorResponses },
      },
    },
    async (req) => service.listImports(db, req.workspaceId as string, req.query.limit),
  );

  app.get(
    '/api/v1/imports/:id',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags,
        summary: 'An import: progress, and at the end the report (rows imported, rows rejected with line and reason)',
        params: s.idParams,
        response: { 200: s.importView, ...errorResponses },
      },
    },
    async (req) => service.getImportOrThrow(db, req.workspaceId as string, req.params.id),
  );

  app.get(
    '/api/v1/imports/:id/rejected.csv',
    {
      config: { permission: 'imports:read' },
      schema: {
        tags,
        summary: "An import's rejected rows as CSV (line, field, reason; the first 1,000)",
        params: s.idParams,
        response: { 200: z.string().describe('CSV: line, field, reason'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const csv = await service.rejectedCsv(db, req.workspaceId as string, req.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.id}-rejected.csv"`)
        .send(csv);
    },
  );
}
