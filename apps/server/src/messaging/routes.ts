import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses, requestLanguage } from '../platform/http.js';
import { confirmPage, donePage } from './pages.js';
import { acceptFormBodies, publicLinkLimit, sendInvalidLink, sendPage } from './public-links.js';
import * as s from './schemas.js';
import * as service from './service.js';
import * as sms from './sms-service.js';
import * as webhooks from './webhooks-service.js';

const settingsTags = ['Email settings'];
const smsTags = ['SMS settings'];
const webhookTags = ['Webhook endpoints'];
const messageTags = ['Messages'];
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Email settings and the test email, the message record, and the public links emails carry. */
export async function messagingRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, secret } = ctx;
  const ws = (req: { workspaceId?: string }) => req.workspaceId as string;
  const rt: service.MessagingRuntime = { secret, publicUrl: ctx.config.publicUrl, port: ctx.config.port };

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

  // ── SMS settings ──

  app.get(
    '/api/v1/settings/sms',
    {
      config: { permission: 'channel_settings:read' },
      schema: {
        tags: smsTags,
        summary: 'The SMS provider (never the auth token: `authTokenSet` says if one is stored)',
        response: { 200: s.smsSettings, ...errorResponses },
      },
    },
    async (req) => sms.getSmsSettings(db, rt, ws(req)),
  );

  app.put(
    '/api/v1/settings/sms',
    {
      config: { permission: 'channel_settings:write', audit: 'sms_settings.update' },
      schema: {
        tags: smsTags,
        summary: 'Save the SMS provider: `twilio` (or a compatible API) or `log` (development)',
        description:
          'Twilio needs `accountSid`, `authToken` and `fromNumber` or `messagingServiceSid`. The auth token is write-only: omit it to keep the stored one. It is stored encrypted (AES-256-GCM under a key derived from the server secret).',
        body: s.smsSettingsBody,
        response: { 200: s.smsSettings, ...errorResponses },
      },
    },
    async (req) => sms.saveSmsSettings(db, rt, ws(req), req.body),
  );

  app.post(
    '/api/v1/settings/sms/test',
    {
      config: { permission: 'channel_settings:write', audit: 'sms_settings.test' },
      schema: {
        tags: smsTags,
        summary: 'Send a test SMS through the saved settings',
        description:
          '400 `sms_not_configured` before settings are saved; 502 with `sms_unreachable`, `sms_timeout`, `sms_auth` or `sms_rejected` and the provider’s answer when sending fails.',
        body: s.testSmsBody,
        response: { 200: s.testSmsResult, ...errorResponses },
      },
    },
    async (req) => sms.sendTestSms(db, rt, ws(req), req.body.to, requestLanguage(req)),
  );

  // ── webhook endpoints ──

  app.get(
    '/api/v1/settings/webhooks',
    {
      config: { permission: 'channel_settings:read' },
      schema: {
        tags: webhookTags,
        summary: "The workspace's webhook endpoints (never their secrets)",
        response: { 200: s.webhookEndpointList, ...errorResponses },
      },
    },
    async (req) => webhooks.listWebhookEndpoints(db, ws(req)),
  );

  app.post(
    '/api/v1/settings/webhooks',
    {
      config: { permission: 'channel_settings:write', audit: 'webhook_endpoint.create' },
      schema: {
        tags: webhookTags,
        summary: 'Add an endpoint; its signing secret is in this answer only',
        description:
          'Deliveries are JSON POSTs signed with `Kith-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (docs/webhooks.md). 400 `url_not_allowed` for an address of this Kith server.',
        body: s.webhookEndpointBody,
        response: { 201: s.webhookEndpointWithSecret, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await webhooks.createWebhookEndpoint(db, rt, ws(req), req.body)),
  );

  app.get(
    '/api/v1/settings/webhooks/:id',
    {
      config: { permission: 'channel_settings:read' },
      schema: {
        tags: webhookTags,
        summary: 'One endpoint',
        params: s.idParams,
        response: { 200: s.webhookEndpoint, ...errorResponses },
      },
    },
    async (req) => webhooks.getWebhookEndpointOrThrow(db, ws(req), req.params.id),
  );

  app.patch(
    '/api/v1/settings/webhooks/:id',
    {
      config: { permission: 'channel_settings:write', audit: 'webhook_endpoint.update' },
      schema: {
        tags: webhookTags,
        summary: 'Rename, re-point, enable or disable an endpoint',
        params: s.idParams,
        body: s.webhookEndpointPatch,
        response: { 200: s.webhookEndpoint, ...errorResponses },
      },
    },
    async (req) => webhooks.updateWebhookEndpoint(db, rt, ws(req), req.params.id, req.body),
  );

  app.delete(
    '/api/v1/settings/webhooks/:id',
    {
      config: { permission: 'channel_settings:write', audit: 'webhook_endpoint.delete' },
      schema: {
        tags: webhookTags,
        summary: 'Delete an endpoint and its delivery log',
        params: s.idParams,
        response: { 204: z.null().describe('Deleted'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await webhooks.deleteWebhookEndpoint(db, ws(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/settings/webhooks/:id/rotate-secret',
    {
      config: { permission: 'channel_settings:write', audit: 'webhook_endpoint.rotate_secret' },
      schema: {
        tags: webhookTags,
        summary: 'Give an endpoint a new signing secret (in this answer only)',
        description: 'During `graceHours` the old secret signs too: the header then carries two `v1` values.',
        params: s.idParams,
        body: s.rotateSecretBody,
        response: { 200: s.webhookEndpointWithSecret, ...errorResponses },
      },
    },
    async (req) => webhooks.rotateWebhookSecret(db, secret, ws(req), req.params.id, req.body),
  );

  app.post(
    '/api/v1/settings/webhooks/:id/test',
    {
      config: { permission: 'channel_settings:write', audit: 'webhook_endpoint.test' },
      schema: {
        tags: webhookTags,
        summary: 'POST a signed `ping` to the endpoint now and log the attempt',
        params: s.idParams,
        response: { 200: s.webhookDelivery, ...errorResponses },
      },
    },
    async (req) => webhooks.pingWebhookEndpoint(db, rt, ws(req), req.params.id),
  );

  app.get(
    '/api/v1/settings/webhooks/:id/deliveries',
    {
      config: { permission: 'channel_settings:read' },
      schema: {
        tags: webhookTags,
        summary: "An endpoint's delivery log: every attempt, newest first",
        params: s.idParams,
        querystring: s.deliveriesQuery,
        response: { 200: s.webhookDeliveryList, ...errorResponses },
      },
    },
    async (req) => webhooks.listWebhookDeliveries(db, ws(req), req.params.id, req.query),
  );

  // ── public links (no sign-in; the token is the credential) ──

  // RFC 8058 clients POST `List-Unsubscribe=One-Click` as a form; the page's button does too.
  acceptFormBodies(app);

  app.get(
    '/u/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const target = await service.unsubscribeTarget(db, secret, req.params.token);
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, confirmPage(target, `/u/${req.params.token}`));
    },
  );

  app.post(
    '/u/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const oneClick = typeof req.body === 'string' && /List-Unsubscribe=One-Click/i.test(req.body);
      const ua = req.headers['user-agent'];
      const target = await service.unsubscribe(db, secret, req.params.token, {
        via: oneClick && !/mozilla/i.test(ua ?? '') ? 'one_click' : 'page',
        ip: req.ip ?? null,
        userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
      });
      if (!target) return sendInvalidLink(req, reply);
      return sendPage(reply, 200, donePage(target));
    },
  );

  app.get(
    '/t/c/:token',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      const url = await service.recordClick(db, secret, req.params.token);
      if (!url) return sendInvalidLink(req, reply);
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
    },
  );

  app.get(
    '/t/o/:token.gif',
    { config: { public: true, rateLimit: publicLinkLimit }, schema: { hide: true, params: s.tokenParams } },
    async (req, reply) => {
      if (!(await service.recordOpen(db, secret, req.params.token))) return sendInvalidLink(req, reply);
      return reply.header('cache-control', 'no-store, max-age=0').type('image/gif').send(GIF);
    },
  );

  // ── the SMS provider's requests (public; Twilio signs them with the auth token) ──

  const providerRequest = (req: FastifyRequest): sms.ProviderRequest => {
    const params = typeof req.body === 'string' ? [...new URLSearchParams(req.body).entries()] : [];
    const signature = req.headers['x-twilio-signature'];
    return {
      url: `${ctx.config.publicUrl.replace(/\/$/, '')}${req.url}`,
      params,
      signature: typeof signature === 'string' ? signature : undefined,
    };
  };

  app.post(
    '/webhooks/sms/:workspaceId/status',
    {
      config: { public: true, rateLimit: publicLinkLimit },
      schema: {
        tags: ['Webhooks'],
        summary: 'SMS status callbacks (Twilio-compatible): delivered, failed, undelivered',
        description:
          'Sent with every SMS as `StatusCallback`. Verified with `X-Twilio-Signature` (HMAC-SHA1 with the auth token) when the provider is Twilio.',
        security: [],
        params: s.workspaceParams,
      },
    },
    async (req, reply) => {
      await sms.recordSmsStatus(db, rt, req.params.workspaceId, providerRequest(req));
      return reply.status(204).send();
    },
  );

  app.post(
    '/webhooks/sms/:workspaceId/inbound',
    {
      config: { public: true, rateLimit: publicLinkLimit },
      schema: {
        tags: ['Webhooks'],
        summary: 'Incoming SMS (Twilio-compatible): STOP and START keywords',
        description:
          'STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT and BAJA unsubscribe the number from SMS marketing; START and UNSTOP subscribe it again. Answers empty TwiML.',
        security: [],
        params: s.workspaceParams,
      },
    },
    async (req, reply) => {
      await sms.handleInboundSms(db, rt, req.params.workspaceId, providerRequest(req));
      return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    },
  );
}
