import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses, requestLanguage } from '../platform/http.js';
import { confirmPage, donePage, invalidLinkPage } from './pages.js';
import * as s from './schemas.js';
import * as service from './service.js';

const settingsTags = ['Email settings'];
const messageTags = ['Messages'];
/** The public links of emails: generous for one person, a wall for a scraper (per IP). */
const publicLimit = { max: 600, timeWindow: '1 minute' };
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Email settings and the test email, the message record, and the public links emails carry. */
export async function messagingRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, secret } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;

  app.get(
    '/api/v1/settings/email',
    {
      config: { permission: 'channel_settings:read' },
      schema: {
        tags: settingsTags,
        summary:
          'The SMTP server, sender and brand of emails (never the password: `passwordSet` says if one is stored)',
        response: { 200: s.emailSettings, ...errorResponses },
      },
    },
    async (req) => service.getEmailSettings(db, ws(req)),
  );

  app.put(
    '/api/v1/settings/email',
    {
      config: { permission: 'channel_settings:write', audit: 'email_settings.update' },
      schema: {
        tags: settingsTags,
        summary: 'Save the SMTP server, sender and brand',
        description:
          'The password is write-only: omit it to keep the stored one, `null` to remove it. It is stored encrypted (AES-256-GCM under a key derived from the server secret).',
        body: s.emailSettingsBody,
        response: { 200: s.emailSettings, ...errorResponses },
      },
    },
    async (req) => service.saveEmailSettings(db, secret, ws(req), req.body),
  );

  app.post(
    '/api/v1/settings/email/test',
    {
      config: { permission: 'channel_settings:write', audit: 'email_settings.test' },
      schema: {
        tags: settingsTags,
        summary: 'Send a test email through the saved SMTP settings',
        description:
          '400 `email_not_configured` before settings are saved; 502 with `smtp_unreachable`, `smtp_timeout`, `smtp_tls`, `smtp_auth` or `smtp_rejected` and the mail server’s answer when sending fails.',
        body: s.testEmailBody,
        response: { 200: s.testEmailResult, ...errorResponses },
      },
    },
    async (req) => service.sendTestEmail(db, secret, ws(req), req.body.to, requestLanguage(req)),
  );

  app.get(
    '/api/v1/customers/:id/messages',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags: messageTags,
        summary: "A customer's messages, newest first (a merged profile's are its survivor's)",
        params: s.idParams,
        querystring: s.customerMessagesQuery,
        response: { 200: s.messageList, ...errorResponses },
      },
    },
    async (req) => service.listCustomerMessages(db, ws(req), req.params.id, req.query),
  );

  app.get(
    '/api/v1/messages/:id',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags: messageTags,
        summary: 'A message as sent (subject, HTML, text) with its events in order',
        params: s.idParams,
        response: { 200: s.messageDetail, ...errorResponses },
      },
    },
    async (req) => service.getMessageOrThrow(db, ws(req), req.params.id),
  );

  // ── public links (no sign-in; the token is the credential) ──

  // RFC 8058 clients POST `List-Unsubscribe=One-Click` as a form; the page's button does too.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 8192 }, (_req, body, done) => done(null, body));
  }

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex')
      .type('text/html; charset=utf-8')
      .send(body);
  const invalid = (req: FastifyRequest, reply: FastifyReply) => html(reply, 404, invalidLinkPage(requestLanguage(req)));

  app.get(
    '/u/:token',
    { config: { public: true, rateLimit: publicLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const target = await service.unsubscribeTarget(db, secret, req.params.token);
      if (!target) return invalid(req, reply);
      return html(reply, 200, confirmPage(target, `/u/${req.params.token}`));
    },
  );

  app.post(
    '/u/:token',
    { config: { public: true, rateLimit: publicLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const oneClick = typeof req.body === 'string' && /List-Unsubscribe=One-Click/i.test(req.body);
      const ua = req.headers['user-agent'];
      const target = await service.unsubscribe(db, secret, req.params.token, {
        via: oneClick && !/mozilla/i.test(ua ?? '') ? 'one_click' : 'page',
        ip: req.ip ?? null,
        userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
      });
      if (!target) return invalid(req, reply);
      return html(reply, 200, donePage(target));
    },
  );

  app.get(
    '/t/c/:token',
    { config: { public: true, rateLimit: publicLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const url = await service.recordClick(db, secret, req.params.token);
      if (!url) return invalid(req, reply);
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
    },
  );

  app.get(
    '/t/o/:token.gif',
    { config: { public: true, rateLimit: publicLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      if (!(await service.recordOpen(db, secret, req.params.token))) return invalid(req, reply);
      return reply.header('cache-control', 'no-store, max-age=0').type('image/gif').send(GIF);
    },
  );
}
