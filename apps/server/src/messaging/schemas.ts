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
    customerId: z.string(),
    channel: z.string(),
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
    providerMessageId: z.string().nullable(),
    createdAt: iso,
    sentAt: iso.nullable(),
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
    text: z.string().nullable(),
    events: z.array(
      z.object({
        id: z.string(),
        type: z
          .string()
          .describe('queued, deferred, sent, failed, skipped, opened, clicked, unsubscribed, delivered, bounced'),
        reason: z.string().nullable(),
        url: z.string().nullable().describe('The link clicked'),
        at: iso,
      }),
    ),
  })
  .meta({ id: 'MessageDetail' });
