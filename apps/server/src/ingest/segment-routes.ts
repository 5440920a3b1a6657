import zlib from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../platform/context.js';
import { TooManyRequestsError, UnauthorizedError, UserError } from '../platform/errors.js';
import { gm } from './messages.js';
import { EVENT_TYPES, type EventType, LIMITS } from './segment.js';
import { ingest, sourceForWriteKey } from './service.js';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, content-encoding',
  'access-control-max-age': '86400',
};

function writeKeyOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Basic ')) {
    const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return user;
  }
  const body = req.body as { writeKey?: unknown } | undefined;
  return typeof body?.writeKey === 'string' && body.writeKey ? body.writeKey : null;
}

/** Requests per second per write key, counted in this process. */
class RateLimiter {
  #window = 0;
  #counts = new Map<string, number>();
  constructor(private readonly perSecond: number) {}
  take(key: string): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.#window) {
      this.#window = now;
      this.#counts.clear();
    }
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, n);
    return n <= this.perSecond;
  }
}

/**
 * The Segment HTTP Tracking API (`/v1/identify|track|page|screen|group|alias|batch`), so the
 * Segment and RudderStack SDKs work by changing only their host. Status codes follow how SDKs
 * retry: 200 once committed, 400 for what can never succeed, 401 for a bad write key, 429 with
 * Retry-After, 5xx only for faults worth retrying.
 */
export async function segmentRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const limiter = new RateLimiter(ctx.config.ingestRateLimit);

  // analytics.js posts text/plain to avoid a CORS preflight; the body is still JSON.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      const e = err as FastifyError;
      e.statusCode = 400;
      e.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(e, undefined);
    }
  });

  app.addHook('preParsing', async (req, _reply, payload) => {
    const enc = req.headers['content-encoding'];
    if (!enc || enc === 'identity') return payload;
    if (enc !== 'gzip')
      throw new UserError(
        415,
        'unsupported_encoding',
        gm('unsupported_encoding', { encoding: enc }),
        'content-encoding',
      );
    const gunzip = zlib.createGunzip() as zlib.Gunzip & { receivedEncodedLength: number };
    gunzip.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength += chunk.length;
    });
    gunzip.on('error', () => {
      /* reported by the parser as invalid JSON */
    });
    return payload.pipe(gunzip);
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(CORS);
    return payload;
  });

  // Over-size requests can never succeed: 400, as Segment answers.
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(400).send({
        error: {
          code: 'payload_too_large',
          message: `A request may be at most ${LIMITS.requestBytes / 1024} KB`,
          field: 'body',
        },
      });
    }
    throw err;
  });

  app.options('/v1/*', { schema: { hide: true } }, async (_req, reply) => reply.status(204).send());

  // analytics.js (analytics-next) posts to one-letter paths: /v1/t for track, /v1/b for batch.
  const paths = (endpoint: string) => [`/v1/${endpoint}`, `/v1/${endpoint.charAt(0)}`];
  for (const endpoint of [...EVENT_TYPES, 'batch'] as const) {
    for (const url of paths(endpoint))
      app.post(
        url,
        {
          bodyLimit: LIMITS.requestBytes,
          schema: {
            hide: url.length === 5,
            tags: ['Tracking API'],
            summary:
              endpoint === 'batch' ? 'Send up to 2,500 events at once (Segment spec)' : `Segment ${endpoint} call`,
            security: [{ writeKey: [] }],
          },
        },
        async (req: FastifyRequest, reply: FastifyReply) => {
          const key = writeKeyOf(req);
          if (!key) throw new UnauthorizedError(gm('no_write_key'));
          // Counted before the key is looked up, so a flood never reaches the database.
          if (!limiter.take(key)) throw new TooManyRequestsError(gm('write_key_flood'), 1);
          const source = await sourceForWriteKey(ctx.db, key);
          if (!source) throw new UnauthorizedError(gm('unknown_write_key'));
          const result = await ingest(ctx.db, source, req.body, endpoint as EventType | 'batch');
          if (endpoint !== 'batch' && result.rejected.length) {
            const r = result.rejected[0] as (typeof result.rejected)[number];
            return reply.status(400).send({
              error: {
                code: 'invalid_event',
                message: r.reason,
                field: r.field,
                details: { quarantineId: r.quarantineId },
              },
            });
          }
          return {
            success: true,
            accepted: result.accepted,
            duplicates: result.duplicates,
            rejected: result.rejected.length,
            ...(result.rejected.length ? { errors: result.rejected } : {}),
          };
        },
      );
  }
}
