import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor, AppContext } from '../platform/context.js';
import { NotFoundError, UnauthorizedError } from '../platform/errors.js';
import { errorResponses } from '../platform/http.js';
import { clearSessionCookie, csrfTokenFor, setSessionCookie } from './auth.js';
import { am } from './messages.js';
import * as s from './schemas.js';
import * as service from './service.js';

type UserActor = Extract<Actor, { type: 'user' }>;
const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });
const publicLimit = { max: 30, timeWindow: '1 minute' };

function member(m: Awaited<ReturnType<typeof service.listMembers>>[number]) {
  return {
    id: m.id,
    email: m.email,
    name: m.name,
    role: m.role,
    joinedAt: m.created_at.toISOString(),
    lastLoginAt: m.last_login_at?.toISOString() ?? null,
  };
}

/** Sign-in, sessions, workspaces, members, invitations, API keys and the audit log. */
export async function accessRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  async function sessionResponse(actor: UserActor) {
    return { ...(await service.sessionView(db, actor)), csrfToken: csrfTokenFor(ctx.secret, actor.sessionId) };
  }
  function userActor(
    userId: string,
    email: string,
    sessionId: string,
    workspaceId: string | null,
    role: UserActor['role'],
  ): UserActor {
    return { type: 'user', userId, email, sessionId, workspaceId, role };
  }

  // ── first run ──
  app.get(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        tags: ['Access'],
        summary: 'Whether first-run setup is still needed',
        response: { 200: z.object({ needed: z.boolean() }) },
      },
    },
    async () => ({ needed: await service.isSetupNeeded(db) }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { public: true, rateLimit: publicLimit, audit: 'workspace.setup' },
      schema: {
        tags: ['Access'],
        summary: 'Create the first workspace and its owner (only while no user exists)',
        body: s.setupBody,
        response: { 201: s.session, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { user, workspace } = await service.setupFirstOwner(db, req.body);
      const session = await service.createSession(db, user.id, workspace.id, meta(req));
      setSessionCookie(reply, ctx, session.token);
      const actor = userActor(user.id, user.email, session.id, workspace.id, 'owner');
      req.actor = actor;
      req.workspaceId = workspace.id;
      return reply.status(201).send(await sessionResponse(actor));
    },
  );

  // ── sign-in ──
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: publicLimit, audit: 'auth.login' },
      schema: {
        tags: ['Access'],
        summary: 'Sign in with email and password',
        body: s.loginBody,
        response: { 200: s.session, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { user, session } = await service.login(db, req.body, meta(req));
      setSessionCookie(reply, ctx, session.token);
      const actor =
        (await service.resolveSession(db, session.token)) ?? userActor(user.id, user.email, session.id, null, null);
      req.actor = actor;
      return sessionResponse(actor);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { session: true, audit: 'auth.logout' },
      schema: { tags: ['Access'], summary: 'Sign out (ends this session)' },
    },
    async (req, reply) => {
      await service.logout(db, (req.actor as UserActor).sessionId);
      clearSessionCookie(reply, ctx);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { session: true, rateLimit: publicLimit, audit: 'auth.password_change' },
      schema: {
        tags: ['Access'],
        summary: 'Change your password (signs out your other sessions)',
        body: s.changePasswordBody,
      },
    },
    async (req, reply) => {
      await service.changePassword(db, req.actor as UserActor, req.body.currentPassword, req.body.newPassword);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/session',
    {
      config: { session: true },
      schema: {
        tags: ['Access'],
        summary: 'The signed-in person, current workspace and CSRF token',
        response: { 200: s.session },
      },
    },
    async (req) => sessionResponse(req.actor as UserActor),
  );

  app.post(
    '/api/v1/session/workspace',
    {
      config: { session: true, audit: false },
      schema: {
        tags: ['Access'],
        summary: 'Switch the current workspace',
        body: s.switchWorkspaceBody,
        response: { 200: s.session, ...errorResponses },
      },
    },
    async (req) => {
      const actor = await service.switchWorkspace(db, req.actor as UserActor, req.body.workspaceId);
      req.actor = actor;
      return sessionResponse(actor);
    },
  );

  // ── workspaces ──
  app.post(
    '/api/v1/workspaces',
    {
      config: { session: true, audit: 'workspace.create' },
      schema: {
        tags: ['Access'],
        summary: 'Create another workspace you own',
        body: s.createWorkspaceBody,
        response: { 201: s.workspace, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ws = await service.createWorkspace(db, (req.actor as UserActor).userId, req.body);
      req.workspaceId = ws.id;
      return reply.status(201).send(service.workspaceView(ws));
    },
  );

  app.get(
    '/api/v1/workspace',
    {
      config: { permission: 'workspace:read' },
      schema: { tags: ['Access'], summary: 'The current workspace', response: { 200: s.workspace } },
    },
    async (req) => service.workspaceView(await service.getWorkspaceOrThrow(db, req.workspaceId as string)),
  );

  app.patch(
    '/api/v1/workspace',
    {
      config: { permission: 'workspace:write', audit: 'workspace.update' },
      schema: {
        tags: ['Access'],
        summary: 'Update business profile and defaults',
        body: s.updateWorkspaceBody,
        response: { 200: s.workspace, ...errorResponses },
      },
    },
    async (req) => service.workspaceView(await service.updateWorkspace(db, req.workspaceId as string, req.body)),
  );

  // ── members ──
  app.get(
    '/api/v1/members',
    {
      config: { permission: 'members:read' },
      schema: { tags: ['Access'], summary: 'People in this workspace', response: { 200: s.list(s.member) } },
    },
    async (req) => ({ data: (await service.listMembers(db, req.workspaceId as string)).map(member) }),
  );

  app.patch(
    '/api/v1/members/:userId',
    {
      config: { permission: 'members:write', audit: 'member.update' },
      schema: {
        tags: ['Access'],
        summary: "Change a member's role",
        params: s.userIdParams,
        body: s.updateMemberBody,
        response: { 200: s.member, ...errorResponses },
      },
    },
    async (req, reply) => {
      await service.changeMemberRole(
        db,
        req.actor as Actor,
        req.workspaceId as string,
        req.params.userId,
        req.body.role,
      );
      const m = (await service.listMembers(db, req.workspaceId as string)).find((x) => x.id === req.params.userId);
      if (!m) throw new NotFoundError(am('member_not_found'));
      return reply.send(member(m));
    },
  );

  app.delete(
    '/api/v1/members/:userId',
    {
      config: { permission: 'members:write', audit: 'member.remove' },
      schema: { tags: ['Access'], summary: 'Remove a member from this workspace', params: s.userIdParams },
    },
    async (req, reply) => {
      await service.removeMember(db, req.actor as Actor, req.workspaceId as string, req.params.userId);
      return reply.status(204).send();
    },
  );

  // ── password resets by an owner or admin ──
  app.post(
    '/api/v1/members/:userId/password-reset',
    {
      config: { permission: 'members:write', audit: 'member.password_reset' },
      schema: {
        tags: ['Access'],
        summary: "Make a one-time link to reset a member's password (returned once; pass it on)",
        description:
          'The link works once, for 24 hours. Setting the new password signs the person out everywhere. ' +
          'Only people (not API keys), and only for someone they may manage in every workspace that person belongs to.',
        params: s.userIdParams,
        response: { 201: s.createdPasswordReset, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await service.createPasswordReset(
            db,
            req.actor as Actor,
            req.workspaceId as string,
            req.params.userId,
            ctx.config.publicUrl,
          ),
        ),
  );

  app.get(
    '/api/v1/password-resets/lookup',
    {
      config: { public: true, rateLimit: publicLimit },
      schema: {
        tags: ['Access'],
        summary: 'Which account a password reset link is for',
        querystring: s.invitationTokenQuery,
        response: { 200: s.passwordResetLookup, ...errorResponses },
      },
    },
    async (req) => service.lookupPasswordReset(db, req.query.token),
  );

  app.post(
    '/api/v1/password-resets/complete',
    {
      config: { public: true, rateLimit: publicLimit, audit: 'auth.password_reset' },
      schema: {
        tags: ['Access'],
        summary: 'Set a new password with a reset link (ends every session of the person)',
        body: s.completePasswordResetBody,
        response: { 204: z.null().describe('The password is set: sign in with it'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const done = await service.completePasswordReset(db, req.body);
      // For the audit entry: the person themselves, though no session exists any more.
      req.actor = userActor(done.userId, done.email, '', done.workspaceId, null);
      req.workspaceId = done.workspaceId;
      return reply.status(204).send(null);
    },
  );

  // ── invitations ──
  app.get(
    '/api/v1/invitations',
    {
      config: { permission: 'invitations:read' },
      schema: { tags: ['Access'], summary: 'Invitations of this workspace', response: { 200: s.list(s.invitation) } },
    },
    async (req) => ({ data: await service.listInvitations(db, req.workspaceId as string) }),
  );

  app.post(
    '/api/v1/invitations',
    {
      config: { permission: 'invitations:write', audit: 'invitation.create' },
      schema: {
        tags: ['Access'],
        summary: 'Invite someone by link (the link is returned once; send it yourself)',
        body: s.createInvitationBody,
        response: { 201: s.createdInvitation, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await service.createInvitation(
            db,
            req.actor as Actor,
            req.workspaceId as string,
            req.body,
            ctx.config.publicUrl,
          ),
        ),
  );

  app.delete(
    '/api/v1/invitations/:id',
    {
      config: { permission: 'invitations:write', audit: 'invitation.revoke' },
      schema: {
        tags: ['Access'],
        summary: 'Revoke a pending invitation',
        params: s.idParams,
        response: { 200: s.invitation, ...errorResponses },
      },
    },
    async (req) => service.revokeInvitation(db, req.workspaceId as string, req.params.id),
  );

  app.get(
    '/api/v1/invitations/lookup',
    {
      config: { public: true, rateLimit: publicLimit },
      schema: {
        tags: ['Access'],
        summary: 'What an invitation link is for',
        querystring: s.invitationTokenQuery,
        response: { 200: s.invitationLookup, ...errorResponses },
      },
    },
    async (req) => service.lookupInvitation(db, req.query.token),
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      config: { public: true, rateLimit: publicLimit, audit: 'invitation.accept' },
      schema: {
        tags: ['Access'],
        summary: 'Accept an invitation and sign in',
        body: s.acceptInvitationBody,
        response: { 200: s.session, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await service.acceptInvitation(db, req.body, meta(req));
      setSessionCookie(reply, ctx, r.session.token);
      const actor = await service.resolveSession(db, r.session.token);
      if (!actor) throw new UnauthorizedError();
      req.actor = actor;
      req.workspaceId = r.workspaceId;
      return sessionResponse(actor);
    },
  );

  // ── API keys ──
  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'api_keys:read' },
      schema: {
        tags: ['Access'],
        summary: 'API keys of this workspace (never the keys themselves)',
        response: { 200: s.list(s.apiKey) },
      },
    },
    async (req) => ({ data: await service.listApiKeys(db, req.workspaceId as string) }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api_keys:write', audit: 'api_key.create' },
      schema: {
        tags: ['Access'],
        summary: 'Create an API key (shown once)',
        description:
          'Scopes: `read`, `write` (data), `admin` (members, invitations, keys, audit), or `<resource>:read|write`.',
        body: s.createApiKeyBody,
        response: { 201: s.createdApiKey, ...errorResponses },
      },
    },
    async (req, reply) => {
      const actor = req.actor as Actor;
      const by = actor.type === 'user' ? actor.userId : actor.keyId;
      return reply.status(201).send(await service.createApiKey(db, req.workspaceId as string, req.body, by));
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      config: { permission: 'api_keys:write', audit: 'api_key.revoke' },
      schema: {
        tags: ['Access'],
        summary: 'Revoke an API key',
        params: s.idParams,
        response: { 200: s.apiKey, ...errorResponses },
      },
    },
    async (req) => service.revokeApiKey(db, req.workspaceId as string, req.params.id),
  );

  // ── audit log ──
  app.get(
    '/api/v1/audit-log',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['Access'],
        summary: 'Who changed what, newest first',
        querystring: s.auditQuery,
        response: { 200: s.list(s.auditEntry) },
      },
    },
    async (req) => ({ data: await service.listAudit(db, { workspaceId: req.workspaceId as string, ...req.query }) }),
  );

  app.get(
    '/api/v1/audit-log/actions',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['Access'],
        summary: 'The actions recorded so far in this workspace (for filters)',
        response: { 200: s.list(z.string()) },
      },
    },
    async (req) => ({ data: await service.listAuditActions(db, req.workspaceId as string) }),
  );
}
