import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as templates from './templates.js';

const tags = ['Email templates'];
const variant = z.strictObject({
  subject: z.string().min(1).max(500),
  html: z.string().min(1).max(200_000),
  text: z.string().max(100_000).nullable().optional(),
});
const variants = z
  .record(z.string().regex(/^[a-z]{2}$/, 'a two-letter language code (en, es, …)'), variant)
  .describe('Per language: {"en": {subject, html, text?}, "es": {…}}; English is the fallback and required to save');
const template = z.object({
  key: z.string(),
  name: z.string(),
  channel: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
  variants: z.record(
    z.string(),
    z.object({ subject: z.string(), html: z.string(), text: z.string().nullable().optional() }),
  ),
});
const keyParams = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, - and _'),
});

/** Email templates: list, read, save a new version, preview in both languages. */
export async function templateRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.get(
    '/api/v1/templates',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags,
        summary: 'Every email template with its current version',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                key: z.string(),
                name: z.string(),
                channel: z.string(),
                version: z.number().int(),
                updatedAt: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => templates.listTemplateViews(db, ws(req)),
  );

  app.get(
    '/api/v1/templates/:key',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags,
        summary: 'A template’s current version, every language',
        params: keyParams,
        response: { 200: template, ...errorResponses },
      },
    },
    async (req) => templates.getTemplate(db, ws(req), req.params.key),
  );

  app.post(
    '/api/v1/templates',
    {
      config: { permission: 'messages:write', audit: 'template.create' },
      schema: {
        tags,
        summary: 'Create a template (version 1); 409 when the key is taken',
        description: 'Liquid errors are 400 `template_invalid` naming `variants.<language>.<part>`.',
        body: z.strictObject({
          key: keyParams.shape.key,
          name: z.string().trim().min(1).max(200).optional(),
          variants,
        }),
        response: { 201: template, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await templates.createTemplate(db, ws(req), req.body)),
  );

  app.put(
    '/api/v1/templates/:key',
    {
      config: { permission: 'messages:write', audit: 'template.save' },
      schema: {
        tags,
        summary: 'Save a new version of a template (messages already made keep theirs)',
        description: 'Liquid errors are 400 `template_invalid` naming `variants.<language>.<part>`.',
        params: keyParams,
        body: z.strictObject({ name: z.string().trim().min(1).max(200).optional(), variants }),
        response: { 200: template, ...errorResponses },
      },
    },
    async (req) => templates.putTemplate(db, ws(req), req.params.key, req.body),
  );

  app.post(
    '/api/v1/templates/test',
    {
      config: { permission: 'messages:write', audit: 'template.test' },
      schema: {
        tags,
        summary: 'Send one language of a template (or content) to yourself, marked [Test]',
        body: z.strictObject({
          to: z.email().max(320),
          variants: variants.optional(),
          key: z.string().max(100).optional(),
          locale: z.string().max(10).optional(),
          customerId: z.string().min(1).max(100).optional(),
          purpose: z.enum(['marketing', 'transactional']).optional(),
        }),
        response: {
          200: z.object({ sent: z.literal(true), to: z.string(), locale: z.string(), messageId: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (req) => templates.sendTemplateTest(db, ctx.secret, ws(req), req.body),
  );

  app.post(
    '/api/v1/templates/preview',
    {
      config: { permission: 'messages:read', audit: false },
      schema: {
        tags,
        summary: 'Render variants (or a saved template) in the brand layout, for a customer or a sample one',
        body: z.strictObject({
          variants: variants.optional(),
          key: z.string().max(100).optional(),
          customerId: z.string().min(1).max(100).optional(),
          purpose: z.enum(['marketing', 'transactional']).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(z.object({ locale: z.string(), subject: z.string(), html: z.string(), text: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => templates.previewTemplate(db, ws(req), req.body),
  );
}
