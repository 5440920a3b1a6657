import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import type { ConsentActor } from './model.js';
import * as s from './schemas.js';
import * as service from './service.js';

const tags = ['Consent'];

/** Consent per channel and purpose of a customer (PRV-1): read like customers, written like customers. */
export async function privacyRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.get(
    '/api/v1/customers/:id/consents',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: "A customer's consent for every channel and purpose",
        params: s.idParams,
        response: { 200: s.consentList, ...errorResponses },
      },
    },
    async (req) => service.customerConsents(db, ws(req), req.params.id),
  );

  app.put(
    '/api/v1/customers/:id/consents',
    {
      config: { permission: 'customers:write', audit: 'customer.consent_set' },
      schema: {
        tags,
        summary: "Record a change of a customer's consent for one channel and purpose",
        description:
          'A change older (`at`) than the one recorded is ignored (`applied: false, ignored: "older"`), so events arriving out of order never undo a newer choice. Every applied change is kept in the history and shown on the timeline.',
        params: s.idParams,
        body: s.setConsentBody,
        response: { 200: s.setConsentResult, ...errorResponses },
      },
    },
    async (req) => {
      const a = req.actor;
      const actor: ConsentActor =
        a?.type === 'user'
          ? { type: 'user', id: a.userId }
          : a?.type === 'api_key'
            ? { type: 'api_key', id: a.keyId }
            : { type: 'system', id: null };
      const b = req.body;
      return service.changeCustomerConsent(
        db,
        ws(req),
        req.params.id,
        {
          channel: b.channel,
          purpose: b.purpose,
          status: b.status,
          source: b.source ?? (actor.type === 'user' ? 'app' : 'api'),
          evidence: b.evidence ?? {},
          at: b.at ? new Date(b.at) : new Date(),
        },
        actor,
      );
    },
  );
}
