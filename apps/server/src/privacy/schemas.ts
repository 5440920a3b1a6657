import { z } from 'zod';
import { english } from '../platform/messages.js';
import { prm } from './messages.js';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES } from './model.js';

/** How far ahead of the server's clock `at` may be (clock skew): a change dated later would block every other. */
export const MAX_FUTURE_MS = 5 * 60_000;

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

const channel = z.enum(CONSENT_CHANNELS);
const purpose = z.enum(CONSENT_PURPOSES);
const status = z.enum(CONSENT_STATUSES);

const evidence = z
  .record(z.string().min(1).max(50), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((o) => Object.keys(o).length <= 20, { message: english(prm('evidence_size')) })
  .describe('What backs the change: ip, userAgent, form, file, messageId, … (at most 20 fields)');

// ── requests ──

export const setConsentBody = z.strictObject({
  channel,
  purpose,
  status,
  source: z
    .string()
    .regex(/^[a-z][a-z0-9_.-]{0,39}$/, english(prm('source_token')))
    .optional()
    .describe('Where the change came from (api, app, import, preference_center, …); default app or api'),
  evidence: evidence.optional(),
  at: z
    .string()
    .max(40)
    .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: english(prm('date_time')),
    })
    .refine((s) => Date.parse(s) <= Date.now() + MAX_FUTURE_MS, { message: english(prm('not_in_future')) })
    .optional()
    .describe('When it happened (default now); a change older than the one recorded is ignored'),
});
export type SetConsentBody = z.infer<typeof setConsentBody>;

// ── responses ──

export const consent = z
  .object({
    channel,
    purpose,
    status,
    source: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()).nullable(),
    changedAt: z.string().nullable().describe('When the current status took effect; null when nothing is recorded'),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Consent' });

export const consentList = z
  .object({
    customerId: z.string().describe('The profile answering (a merged profile answers through its survivor)'),
    items: z.array(consent).describe('Every channel × purpose; unknown where nothing is recorded'),
  })
  .meta({ id: 'ConsentList' });

export const setConsentResult = consentList
  .extend({
    applied: z.boolean(),
    ignored: z
      .enum(['older', 'unchanged'])
      .optional()
      .describe('Why nothing changed: a newer change is recorded (older), or the status was already this'),
  })
  .meta({ id: 'ConsentChangeResult' });
