import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { CHANNELS } from './service.js';

export const channel = z.enum(CHANNELS);
const name = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(120);

export const source = z
  .object({
    id: z.string(),
    name: z.string(),
    channel,
    writeKey: z.string(),
    previousWriteKeyExpiresAt: z.string().nullable(),
    hasWebhookSecret: z.boolean(),
    lastEventAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Source' });

export const createSourceBody = z.strictObject({
  name,
  channel,
  webhookSecret: z.string().min(8).max(200).optional(),
});
export const updateSourceBody = z
  .strictObject({
    name: name.optional(),
    channel: channel.optional(),
    webhookSecret: z.string().min(8).max(200).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: english(pm('must_change_a_field')) });
export const rotateKeyBody = z.strictObject({
  graceHours: z.number().int().min(0).max(720).describe('How long the old key keeps working (0 = stop now)'),
});
export const idParams = z.strictObject({ id: z.string().min(1) });
export const quarantineParams = z.strictObject({ id: z.string().min(1), quarantineId: z.string().min(1) });

export const event = z
  .object({
    id: z.string(),
    seq: z.number(),
    sourceId: z.string(),
    channel: z.string(),
    messageId: z.string(),
    type: z.string(),
    event: z.string().nullable(),
    name: z.string().nullable(),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    groupId: z.string().nullable(),
    previousId: z.string().nullable(),
    customerId: z.string().nullable(),
    timestamp: z.string(),
    originalTimestamp: z.string().nullable(),
    sentAt: z.string().nullable(),
    receivedAt: z.string(),
    properties: z.unknown(),
    traits: z.unknown(),
    context: z.unknown(),
    processedAt: z.string().nullable(),
    warnings: z.unknown(),
  })
  .meta({ id: 'Event' });
export const eventsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() });
export const liveQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional().describe('Send events after this seq (default: from now)'),
  maxSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe('Close the stream after this long (default 600)'),
});

export const quarantined = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    messageId: z.string().nullable(),
    reason: z.string(),
    field: z.string().nullable(),
    payload: z.unknown(),
    status: z.enum(['quarantined', 'replayed', 'discarded']),
    receivedAt: z.string(),
    resolvedAt: z.string().nullable(),
    eventId: z.string().nullable(),
  })
  .meta({ id: 'QuarantinedEvent' });
export const quarantineQuery = z.strictObject({
  status: z.enum(['quarantined', 'replayed', 'discarded']).optional(),
  before: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export const replayBody = z.strictObject({
  payload: z.record(z.string(), z.unknown()).optional().describe('The corrected event; omit to replay it as it was'),
});
