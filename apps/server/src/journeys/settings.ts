/**
 * A workspace's sending rules for journeys: quiet hours (in each customer's own time zone) and
 * frequency caps per channel across all journeys. Defaults: no marketing message between 21:00
 * and 08:00; no cap.
 */
import { z } from 'zod';
import type { Db, Tx } from '../platform/db.js';
import { english } from '../platform/messages.js';
import { jm } from './messages.js';
import * as repo from './repository.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: english(jm('time_of_day')) });
const cap = z.strictObject({ max: z.number().int().min(1).max(1000), days: z.number().int().min(1).max(365) });

export const journeySettingsSchema = z.strictObject({
  quietHours: z
    .strictObject({ start: clock, end: clock })
    .refine((q) => q.start !== q.end, { message: english(jm('quiet_hours')), path: ['end'] })
    .nullable(),
  frequencyCaps: z.strictObject({ email: cap.optional(), sms: cap.optional() }),
});
export type JourneySettings = z.infer<typeof journeySettingsSchema> & {
  frequencyCaps: Partial<Record<'email' | 'sms' | 'webhook', { max: number; days: number }>>;
};

export const DEFAULT_SETTINGS: JourneySettings = { quietHours: { start: '21:00', end: '08:00' }, frequencyCaps: {} };

export async function getJourneySettings(db: Db | Tx, workspaceId: string): Promise<JourneySettings> {
  const stored = await repo.findSettings(db, workspaceId);
  const parsed = journeySettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export async function saveJourneySettings(db: Db, workspaceId: string, input: JourneySettings) {
  const data = journeySettingsSchema.parse(input);
  await repo.saveSettings(db, workspaceId, data);
  return data;
}
