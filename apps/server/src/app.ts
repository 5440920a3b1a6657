import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { accessRoutes, authPlugin } from './access/index.js';
import { analyticsRoutes } from './analytics/index.js';
import { commerceRoutes } from './commerce/index.js';
import { customersRoutes } from './customers/index.js';
import { importsRoutes } from './imports/index.js';
import { ingestRoutes, segmentRoutes } from './ingest/index.js';
import { journeysRoutes } from './journeys/index.js';
import { consentCenterRoutes, messagingRoutes, templateRoutes } from './messaging/index.js';
import type { AppContext, RouteAccess } from './platform/context.js';
import { ping } from './platform/db.js';
import { installErrorHandling, notFound } from './platform/http.js';
import { newId } from './platform/ids.js';
import { jobsRoutes } from './platform/jobs-routes.js';
import { pendingMigrations } from './platform/migrations.js';
import { predictRoutes } from './predict/index.js';
import { privacyRoutes } from './privacy/index.js';
import { segmentsRoutes } from './segments/index.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  config: RouteAccess;
  hasBody: boolean;
  hasQuery: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route, as registered: walked by the isolation and validation tests. */
    kithRoutes: RegisteredRoute[];
  }
}

export interface BuildOptions {
  /** A pino logger (platform/logging.ts); none in tests. */
  logger?: FastifyBaseLogger;
  /** The built web app to serve at `/` (apps/web/dist); skipped when absent. */
  webDist?: string;
}

export const API_VERSION = '0.1.0';

/** Builds the HTTP app: one error mapping, access control, every domain's routes, docs, the web app. */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: () => newId('req'),
    bodyLimit: 1024 * 1024,
    // The signed tokens in email links (/u/…, /t/c/…) are longer than the default 100 characters.
    routerOptions: { maxParamLength: 400 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);

  app.decorate('kithRoutes', [] as RegisteredRoute[]);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      app.kithRoutes.push({
        method,
        url: r.url,
        config: (r.config ?? {}) as RouteAccess,
        hasBody: !!r.schema?.body,
        hasQuery: !!r.schema?.querystring,
      });
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });

  await app.register(cookie, { secret: ctx.secret });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kith API',
        version: API_VERSION,
        description:
          'Management API of Kith. Authenticate with `Authorization: Bearer kith_…` (an API key) or the session cookie of the web app plus the `x-csrf-token` header on writes. Every error has the shape `{"error": {"code", "message", "field"?}}`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: kith_…' },
          session: { type: 'apiKey', in: 'cookie', name: 'kith_session' },
          writeKey: {
            type: 'http',
            scheme: 'basic',
            description: "Tracking API: a source's write key as the user name, empty password",
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    if (!(await ping(ctx.db))) return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
    const pending = await pendingMigrations(ctx.db);
    if (pending.length) return reply.status(503).send({ status: 'migrating', pendingMigrations: pending });
    return { status: 'ready', database: ctx.database.kind };
  });

  await app.register(authPlugin, { ctx });
  await app.register(accessRoutes, { ctx });
  await app.register(customersRoutes, { ctx });
  await app.register(jobsRoutes, { jobs: ctx.jobs });
  await app.register(ingestRoutes, { ctx });
  await app.register(segmentRoutes, { ctx });
  await app.register(commerceRoutes, { ctx });
  await app.register(importsRoutes, { ctx });
  await app.register(analyticsRoutes, { ctx });
  await app.register(privacyRoutes, { ctx });
  await app.register(segmentsRoutes, { ctx });
  await app.register(messagingRoutes, { ctx });
  await app.register(consentCenterRoutes, { ctx });
  await app.register(templateRoutes, { ctx });
  await app.register(journeysRoutes, { ctx });
  await app.register(predictRoutes, { ctx });

  const webDist = opts.webDist;
  const hasWeb = !!webDist && fs.existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDist as string, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((req, reply) => {
    const p = req.url.split('?')[0] as string;
    const isApi = p.startsWith('/api/') || p === '/api' || p === '/healthz' || p === '/readyz';
    if (hasWeb && req.method === 'GET' && !isApi) {
      // The web app routes in the browser: any other page gets index.html.
      return reply.type('text/html').sendFile('index.html');
    }
    return notFound(req, reply);
  });
  return app;
}
