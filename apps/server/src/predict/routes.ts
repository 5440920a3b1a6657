import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses, requestLanguage } from '../platform/http.js';
import { enqueueRun, enqueueScore, latestRun } from './jobs.js';
import { customerRecommendations, relatedProducts } from './recommend-service.js';
import * as s from './schemas.js';
import * as service from './service.js';

const tags = ['Predictions'];
const read = { permission: 'predictions:read' } as const;
const write = (audit: string) => ({ permission: 'predictions:write', audit }) as const;

/** Predictions: CLV, churn risk, next purchase, recommendations, with their why (PRD-1 … PRD-5). */
export async function predictRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, jobs } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.get(
    '/api/v1/predictions',
    {
      config: read,
      schema: {
        tags,
        summary: 'The current models, how many customers are scored, and the latest refit',
        response: { 200: s.overview, ...errorResponses },
      },
    },
    async (req) => service.overview(db, ws(req), requestLanguage(req), await latestRun(jobs, ws(req))),
  );

  app.post(
    '/api/v1/predictions/run',
    {
      config: write('predictions.run'),
      schema: {
        tags,
        summary: 'Refit every model and rescore every customer, in the background',
        description: 'Returns the job; `GET /api/v1/predictions` shows its progress. One runs at a time per workspace.',
        body: s.runBody,
        response: { 202: s.runReply, ...errorResponses },
      },
    },
    async (req, reply) => {
      await enqueueRun(jobs, ws(req));
      return reply.status(202).send({ job: await latestRun(jobs, ws(req)) });
    },
  );

  app.post(
    '/api/v1/predictions/clv/fit',
    {
      config: write('predictions.clv.fit'),
      schema: {
        tags,
        summary: 'Fit BG/NBD and Gamma-Gamma on the workspace’s orders',
        description:
          'Returns the parameters (r, alpha, a, b, logLikelihood; p, q, gamma for spend) with diagnostics: predicted vs actual repeat purchases in the holdout by calibration frequency, the tracking curve, fit quality and warnings. Every customer is then rescored in the background.',
        body: s.fitClvBody,
        response: { 200: s.clvModel, ...errorResponses },
      },
    },
    async (req) => {
      const model = await service.fitClv(db, ws(req), req.body);
      await enqueueScore(jobs, ws(req));
      return model;
    },
  );

  app.get(
    '/api/v1/predictions/clv',
    {
      config: read,
      schema: { tags, summary: 'The current CLV model', response: { 200: s.clvModel, ...errorResponses } },
    },
    async (req) => service.getClvOrThrow(db, ws(req)),
  );

  app.get(
    '/api/v1/predictions/clv/by-channel',
    {
      config: read,
      schema: {
        tags,
        summary: 'Predicted CLV by acquisition channel (for the KPI dashboard)',
        response: { 200: s.clvByChannel, ...errorResponses },
      },
    },
    async (req) => service.clvByChannel(db, ws(req)),
  );

  app.get(
    '/api/v1/predictions/churn',
    {
      config: read,
      schema: {
        tags,
        summary: 'The current churn model: its test AUC against 1 − P(alive), and what weighs most',
        response: { 200: s.churnModel, ...errorResponses },
      },
    },
    async (req) => service.getChurnOrThrow(db, ws(req), requestLanguage(req)),
  );

  app.get(
    '/api/v1/predictions/fairness',
    {
      config: read,
      schema: {
        tags,
        summary:
          'AUC and calibration of each model by country, acquisition channel and age band, with large gaps flagged',
        response: { 200: s.fairness, ...errorResponses },
      },
    },
    async (req) => service.fairnessView(db, ws(req)),
  );

  app.get(
    '/api/v1/customers/:id/predictions',
    {
      config: read,
      schema: {
        tags,
        summary: 'A customer’s scores — P(alive), CLV, churn risk, next purchase — each with its why',
        params: s.idParams,
        response: { 200: s.customerPredictions, ...errorResponses },
      },
    },
    async (req) => service.customerPredictions(db, ws(req), req.params.id, requestLanguage(req)),
  );

  app.get(
    '/api/v1/customers/:id/recommendations',
    {
      config: read,
      schema: {
        tags,
        summary: 'Products to recommend to a customer, each with the purchases it follows from',
        params: s.idParams,
        querystring: s.limitQuery,
        response: { 200: s.recommendations, ...errorResponses },
      },
    },
    async (req) => customerRecommendations(db, ws(req), req.params.id, req.query.limit ?? 10),
  );

  app.put(
    '/api/v1/customers/:id/personalization',
    {
      config: { permission: 'customers:write', audit: 'customer.personalization' },
      schema: {
        tags,
        summary: 'Switch personalization off (or on) for a customer who asks',
        description: 'Off: no scores are shown or used for them, no recommendations, and score rules never match them.',
        params: s.idParams,
        body: s.personalizationBody,
        response: { 200: s.personalization, ...errorResponses },
      },
    },
    async (req) => {
      const by = req.actor?.type === 'user' ? req.actor.userId : req.actor?.type === 'api_key' ? req.actor.keyId : null;
      return service.setPersonalization(db, ws(req), req.params.id, req.body.enabled, by);
    },
  );

  app.get(
    '/api/v1/products/:id/related',
    {
      config: read,
      schema: {
        tags,
        summary: 'Products bought by the same customers (item-to-item neighbours)',
        params: s.idParams,
        querystring: s.limitQuery,
        response: { 200: s.related, ...errorResponses },
      },
    },
    async (req) => relatedProducts(db, ws(req), req.params.id, req.query.limit ?? 10),
  );
}
