import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import * as center from './consent-center.js';
import { confirmOptInPage, optInDonePage, preferencesPage } from './pages.js';
import { acceptFormBodies, publicLinkLimit, sendInvalidLink, sendPage } from './public-links.js';
import { tokenParams } from './schemas.js';

const tags = ['Consent center'];

const suppression = z.object({
  address: z.string(),
  reason: z.enum(['hard_bounce', 'complaint', 'manual']),
  detail: z.string().nullable(),
  messageId: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * The double opt-in confirmation (`/c/…`) and the preference center (`/p/…`): public pages, the
 * signed token is the credential; the suppression list and preference links for staff.
 */
export async function consentCenterRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, secret } = ctx;
  const rt = { secret, publicUrl: ctx.config.publicUrl };
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  acceptFormBodies(app);
  const meta = (req: FastifyRequest) => {
    const ua = req.headers['user-agent'];
    return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null };
  };

  app.get(
    '/c/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: tokenParams } },
    async (req, reply) => {
      const target = await center.confirmationTarget(db, secret, req.params.token);
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, confirmOptInPage(target, `/c/${req.params.token}`));
    },
  );

  app.post(
    '/c/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: tokenParams } },
    async (req, reply) => {
      const target = await center.confirmSubscription(db, secret, req.params.token, meta(req));
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, optInDonePage(target));
    },
  );

  app.get(
    '/p/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: tokenParams } },
    async (req, reply) => {
      const target = await center.preferencesTarget(db, secret, req.params.token);
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, preferencesPage(target, `/p/${req.params.token}`));
    },
  );

  app.post(
    '/p/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: tokenParams } },
    async (req, reply) => {
      const form = new URLSearchParams(typeof req.body === 'string' ? req.body : '');
      const chosen = new Set(form.getAll('channel'));
      const target = await center.savePreferences(db, secret, req.params.token, chosen, meta(req));
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, preferencesPage(target, `/p/${req.params.token}`, true));
    },
  );

  app.get(
    '/api/v1/customers/:id/preferences-link',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: "The customer's signed preference center link (every marketing email has it in its footer)",
        params: z.strictObject({ id: z.string().min(1).max(100) }),
        response: { 200: z.object({ customerId: z.string(), url: z.string() }), ...errorResponses },
      },
    },
    async (req) => center.preferencesLink(db, rt, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/suppressions',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags,
        summary:
          'Email addresses Kith does not send to: hard bounces (nothing), complaints and entries by hand (no marketing)',
        querystring: z.strictObject({
          address: z.string().max(320).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(suppression) }), ...errorResponses },
      },
    },
    async (req) => center.listSuppressions(db, ws(req), req.query),
  );

  app.post(
    '/api/v1/suppressions',
    {
      config: { permission: 'messages:write', audit: 'suppression.add' },
      schema: {
        tags,
        summary: 'Suppress an address (a complaint, or by hand): no more marketing emails to it',
        body: z.strictObject({
          address: z.string().min(3).max(320),
          reason: z.enum(['complaint', 'manual']),
          detail: z.string().max(500).nullable().optional(),
        }),
        response: { 201: suppression, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await center.addSuppression(db, ws(req), req.body)),
  );

  app.delete(
    '/api/v1/suppressions/:address',
    {
      config: { permission: 'messages:write', audit: 'suppression.remove' },
      schema: {
        tags,
        summary: 'Take an address off the suppression list',
        params: z.strictObject({ address: z.string().min(1).max(320) }),
      },
    },
    async (req, reply) => {
      await center.removeSuppression(db, ws(req), req.params.address);
      return reply.status(204).send();
    },
  );
}
