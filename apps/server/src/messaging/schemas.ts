import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { mm } from './messages.js';
import { STATUSES } from './repository.js';

const iso = z.string().describe('ISO 8601 time');
const limit = z.coerce.number().int().min(1).max(200).optional().describe('Page size (default 50)');
const cursor = z.string().max(500).optional().describe('The `nextCursor` of the previous page');
const text = (max: number) => z.string().max(max, english(pm('at_most_chars', { max })));
const nonEmpty = (max: number) =>
  z
    .string()
    .trim()
    .min(1, english(pm('not_empty')))
    .max(max);
const httpUrl = z
  .string()
  .max(2000)
  .refine(
    (v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    english(mm('http_url')),
  );

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const tokenParams = z.strictObject({ token: z.string().min(1).max(400) });

export const emailSettingsBody = z
  .strictObject({
    host: nonEmpty(253).describe('The SMTP server, e.g. smtp.example.com'),
    port: z.number().int().min(1).max(65535).describe('587 (STARTTLS), 465 (TLS) or 25'),
    secure: z.boolean().describe('TLS from the first byte (port 465); false upgrades with STARTTLS when offered'),
    user: text(320).nullable().optional().describe('The SMTP user name; null for a server that needs none'),
    password: text(1000)
      .nullable()
      .optional()
      .describe('Write-only: omit to keep the stored password, null to remove it. Never returned.'),
    fromName: nonEmpty(200).describe('The sender name customers see'),
    fromAddress: z.email().max(320).describe('The sender address'),
    replyTo: z.email().max(320).nullable().optional(),
    brand: z
      .strictObject({
        logoUrl: httpUrl.nullable().optional().describe('The logo at the top of every email (http or https)'),
        primaryColor: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, english(mm('colour_hex')))
          .nullable()
          .optional(),
        footerText: text(1000).nullable().optional(),
        postalAddress: text(500).nullable().optional().describe('Shown in the footer of every email'),
      })
      .optional(),
  })
  .describe('Replaces the settings; the password is kept when omitted');

export const emailSettings = z
  .object({
    configured: z.boolean(),
    host: z.string().nullable(),
    port: z.number(),
    secure: z.boolean(),
    user: z.string().nullable(),
    passwordSet: z.boolean().describe('Whether a password is stored (it is never returned)'),
    fromName: z.string().nullable(),
    fromAddress: z.string().nullable(),
    replyTo: z.string().nullable(),
    brand: z.object({
      logoUrl: z.string().nullable(),
      primaryColor: z.string().nullable(),
      footerText: z.string().nullable(),
      postalAddress: z.string().nullable(),
    }),
    updatedAt: iso.nullable(),
  })
  .meta({ id: 'EmailSettings' });

export const testEmailBody = z.strictObject({ to: z.email().max(320).describe('Where to send the test email') });
export const testEmailResult = z.object({
  sent: z.literal(true),
  to: z.string(),
  messageId: z.string(),
  response: z.string().describe("The SMTP server's answer"),
});

export const customerMessagesQuery = z.strictObject({ limit, cursor });

export const message = z
  .object({
    id: z.string(),
    customerId: z.string().nullable().describe('null only for a webhook sent without a customer'),
    channel: z.enum(['email', 'sms', 'webhook']),
    purpose: z.enum(['marketing', 'transactional']),
    templateId: z.string().nullable(),
    templateVersion: z.number().nullable(),
    locale: z.string().nullable().describe('The variant sent'),
    to: z.string().nullable(),
    subject: z.string().nullable(),
    status: z.enum(STATUSES),
    statusReason: z
      .string()
      .nullable()
      .describe('Why it was skipped or failed: no_consent_check, no_consent, no_address, smtp: <answer>, …'),
    providerMessageId: z.string().nullable().describe("The SMTP Message-ID, the SMS provider's id (Twilio's sid)"),
    webhookEndpointId: z.string().nullable().describe('The endpoint of a webhook'),
    sms: z
      .object({
        encoding: z.string().describe('GSM-7 (160 characters, 153 per part) or UCS-2 (70, 67 per part)'),
        characters: z.number(),
        segments: z.number().describe('How many SMS it takes (what providers bill)'),
      })
      .nullable()
      .describe('An SMS once rendered: its length and segments'),
    createdAt: iso,
    sentAt: iso.nullable(),
    deliveredAt: iso.nullable().describe('When the provider (SMS) or receiver (webhook) confirmed it'),
    openedAt: iso.nullable(),
    clickedAt: iso.nullable(),
  })
  .meta({ id: 'Message' });

export const messageList = z.object({
  data: z.array(message),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const messageDetail = message
  .extend({
    html: z.string().nullable().describe('The HTML as sent (layout, tracked links, open pixel)'),
    text: z.string().nullable().describe('The plain text of an email, the text of an SMS, the JSON body of a webhook'),
    events: z.array(
      z.object({
        id: z.string(),
        type: z
          .string()
          .describe(
            'queued, deferred, sent, failed, skipped, opened, clicked, unsubscribed, delivered, undelivered, bounced',
          ),
        reason: z.string().nullable(),
        url: z.string().nullable().describe('The link clicked'),
        at: iso,
      }),
    ),
  })
  .meta({ id: 'MessageDetail' });

// ── webhooks ──

const endpointName = nonEmpty(200).describe('What the endpoint is, for people');
const endpointUrl = z
  .string()
  .max(2000, english(pm('at_most_chars', { max: 2000 })))
  .describe('Where Kith POSTs (http or https; never this Kith server itself)');

export const webhookEndpointBody = z.strictObject({
  name: endpointName,
  url: endpointUrl,
  enabled: z
    .boolean()
    .optional()
    .describe('Default true; a disabled endpoint gets nothing (messages to it are skipped)'),
});
export const webhookEndpointPatch = z
  .strictObject({ name: endpointName.optional(), url: endpointUrl.optional(), enabled: z.boolean().optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: english(pm('must_change_a_field')) });
export const rotateSecretBody = z.strictObject({
  graceHours: z
    .number()
    .int()
    .min(0)
    .max(168)
    .describe('How long the old secret keeps signing too (a second v1 in Kith-Signature); 0 for not at all'),
});

export const webhookEndpoint = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    enabled: z.boolean(),
    previousSecretValidUntil: iso.nullable().describe('After a rotation: until when the old secret still signs'),
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'WebhookEndpoint' });
export const webhookEndpointWithSecret = webhookEndpoint
  .extend({ secret: z.string().describe('The signing secret (whsec_…): shown this once, keep it') })
  .meta({ id: 'WebhookEndpointWithSecret' });
export const webhookEndpointList = z.object({ data: z.array(webhookEndpoint) });

export const webhookDelivery = z
  .object({
    id: z.string(),
    messageId: z.string().nullable().describe('null for a test ping'),
    attempt: z.number().describe('1 for the first attempt of a message'),
    url: z.string(),
    at: iso,
    statusCode: z.number().nullable().describe('The HTTP status; null when no answer came'),
    durationMs: z.number(),
    error: z.string().nullable().describe('http <status>, timeout after … ms, network: …'),
    responseExcerpt: z.string().nullable().describe("The first 1,000 characters of the receiver's answer"),
    outcome: z.enum(['delivered', 'retrying', 'failed']),
    nextAttemptAt: iso.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export const webhookDeliveryList = z.object({
  data: z.array(webhookDelivery),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export const deliveriesQuery = z.strictObject({
  limit,
  cursor,
  messageId: z.string().max(100).optional().describe("Only this message's attempts"),
});

// ── SMS ──

const e164 = z.string().regex(/^\+[1-9]\d{7,14}$/, english(mm('e164')));
const sid = (what: string) =>
  z
    .string()
    .trim()
    .max(64, english(pm('at_most_chars', { max: 64 })))
    .describe(what);

export const smsSettingsBody = z
  .strictObject({
    provider: z
      .enum(['twilio', 'log'])
      .describe('`twilio` (or a compatible API) sends; `log` records as sent, no network (development)'),
    baseUrl: httpUrl.nullable().optional().describe('The API address (default https://api.twilio.com)'),
    accountSid: sid('The account SID (AC…)').nullable().optional(),
    authToken: text(200)
      .nullable()
      .optional()
      .describe('Write-only: omit to keep the stored token, null to remove it. Never returned.'),
    fromNumber: e164.nullable().optional().describe('The sender number, E.164'),
    messagingServiceSid: sid('A Messaging Service (MG…) instead of a sender number').nullable().optional(),
  })
  .describe('Replaces the settings; the auth token is kept when omitted');

export const smsSettings = z
  .object({
    configured: z.boolean(),
    provider: z.enum(['twilio', 'log']).nullable(),
    baseUrl: z.string().nullable(),
    accountSid: z.string().nullable(),
    authTokenSet: z.boolean().describe('Whether an auth token is stored (it is never returned)'),
    fromNumber: z.string().nullable(),
    messagingServiceSid: z.string().nullable(),
    statusCallbackUrl: z.string().describe('Sent with every SMS as StatusCallback'),
    inboundUrl: z.string().describe("Set it as your number's incoming-message webhook: STOP and START are read there"),
    updatedAt: iso.nullable(),
  })
  .meta({ id: 'SmsSettings' });

export const testSmsBody = z.strictObject({ to: e164.describe('Where to send the test SMS (E.164)') });
export const testSmsResult = z.object({
  sent: z.literal(true),
  to: z.string(),
  provider: z.enum(['twilio', 'log']),
  providerMessageId: z.string(),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  characters: z.number(),
  units: z.number(),
  segments: z.number(),
});

export const workspaceParams = z.strictObject({ workspaceId: z.string().min(1).max(100) });
