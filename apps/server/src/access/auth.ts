import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor, AppContext } from '../platform/context.js';
import { ForbiddenError, UnauthorizedError, UserError } from '../platform/errors.js';
import { hmac, safeEqual } from './crypto.js';
import { am } from './messages.js';
import { actorAllows, parsePermission } from './permissions.js';
import { recordAudit, resolveApiKey, resolveSession, SESSION_DAYS } from './service.js';

export const SESSION_COOKIE = 'kith_session';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The CSRF token of a session: sent by the app in `x-csrf-token` on every unsafe request. */
export function csrfTokenFor(secret: string, sessionId: string): string {
  return hmac(secret, `csrf:${sessionId}`);
}

export function setSessionCookie(reply: FastifyReply, ctx: AppContext, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply, ctx: AppContext): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies });
}

async function authenticate(
  req: FastifyRequest,
  ctx: AppContext,
): Promise<{ actor: Actor; viaCookie: boolean } | null> {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m ? await resolveApiKey(ctx.db, m[1] as string, req.ip) : null;
    if (!actor) throw new UnauthorizedError(am('bad_api_key'));
    return { actor, viaCookie: false };
  }
  const raw = req.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  const actor = await resolveSession(ctx.db, unsigned.value);
  return actor ? { actor, viaCookie: true } : null;
}

/** Finds the first id in a JSON response (`id`, or `x.id` one level down) to name the audit target. */
function targetIdFrom(payload: unknown): string | null {
  if (typeof payload !== 'string' || payload.length > 100_000 || !payload.startsWith('{')) return null;
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    if (typeof body.id === 'string') return body.id;
    for (const v of Object.values(body)) {
      if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
    }
  } catch {
    // not JSON
  }
  return null;
}

const SECRET_FIELDS = /password|token|secret|key$/i;
function redact(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELDS.test(k) ? '[redacted]' : v]),
  );
}

/**
 * Access control for every route, in one place: who the caller is (session cookie or API
 * key), CSRF on cookie-authenticated writes, the route's permission in the workspace, and an
 * audit entry for every successful write. A route under /api/v1 that declares none of
 * `public`, `session` or `permission` fails at start-up, so no route is open by accident.
 */
export const authPlugin = fp<{ ctx: AppContext }>(
  async (app: FastifyInstance, { ctx }) => {
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/v1/')) return;
      const c = route.config ?? {};
      if (!c.public && !c.session && !c.permission) {
        throw new Error(
          `Route ${route.method} ${route.url} must declare config.public, config.session or config.permission`,
        );
      }
      if (c.permission) parsePermission(c.permission);
    });

    app.addHook('onRequest', async (req) => {
      // Unmatched paths go straight to the 404 handler.
      if (!req.routeOptions.url?.startsWith('/api/v1/')) return;
      const config = req.routeOptions.config;
      const auth = await authenticate(req, ctx);
      if (auth) req.actor = auth.actor;
      if (config.public) return;
      if (!auth) throw new UnauthorizedError();
      const { actor } = auth;
      if (auth.viaCookie && actor.type === 'user' && UNSAFE.has(req.method)) {
        const sent = req.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(ctx.secret, actor.sessionId))) {
          throw new UserError(403, 'csrf', am('csrf', { header: CSRF_HEADER }), CSRF_HEADER);
        }
      }
      if (config.session) {
        if (actor.type !== 'user') throw new ForbiddenError(am('people_only'));
        return;
      }
      const permission = config.permission as string;
      if (!actor.workspaceId) throw new ForbiddenError(am('choose_workspace'));
      if (!actorAllows(actor, permission)) {
        throw new ForbiddenError(
          actor.type === 'api_key'
            ? am('key_scopes', { permission })
            : am('role_denies', { role: actor.role ?? '', permission }),
        );
      }
      req.workspaceId = actor.workspaceId;
    });

    app.addHook('onSend', async (req, reply, payload) => {
      const config = req.routeOptions.config;
      if (!UNSAFE.has(req.method) || reply.statusCode >= 400 || config.audit === false) return payload;
      const actor = req.actor;
      const workspaceId = req.workspaceId ?? actor?.workspaceId;
      if (!actor || !workspaceId || !req.routeOptions.url?.startsWith('/api/')) return payload;
      const params = (req.params ?? {}) as Record<string, string>;
      const segment = req.routeOptions.url.replace('/api/v1/', '').split('/')[0] ?? null;
      try {
        await recordAudit(ctx.db, {
          workspaceId,
          actor,
          action: config.audit ?? `${req.method} ${req.routeOptions.url}`,
          targetType: segment,
          targetId: params.id ?? params.userId ?? targetIdFrom(payload),
          ip: req.ip,
          requestId: req.id,
          details: { status: reply.statusCode, body: redact(req.body) },
        });
      } catch (err) {
        req.log.error({ err }, 'could not write the audit log');
      }
      return payload;
    });
  },
  { name: 'kith-auth' },
);
