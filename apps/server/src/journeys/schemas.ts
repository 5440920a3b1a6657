import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { journeySettingsSchema } from './settings.js';

const journeyName = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(100, english(pm('at_most_chars', { max: 100 })));
const description = z
  .string()
  .trim()
  .max(1000, english(pm('at_most_chars', { max: 1000 })));
const definition = z
  .record(z.string(), z.unknown())
  .describe(
    'The journey graph: {trigger, entry, exit?, goal?, holdoutPercent?, start, nodes: {id: step}, layout?} (docs/journeys.md). A draft may have problems; publishing refuses it with each problem and its node.',
  );

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
// The version as text: anything but a published version's number is simply not found (404).
export const versionParams = z.strictObject({ id: z.string().min(1).max(100), version: z.string().min(1).max(100) });
export const keyParams = z.strictObject({ key: z.string().min(1).max(60) });
export const customerParams = z.strictObject({ id: z.string().min(1).max(100) });
export const enrollmentParams = z.strictObject({ id: z.string().min(1).max(100) });

export const createBody = z.strictObject({
  name: journeyName,
  description: description.nullable().optional(),
  definition: definition.optional(),
});
export const updateBody = z
  .strictObject({
    name: journeyName.optional(),
    description: description.nullable().optional(),
    definition: definition.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.definition !== undefined, {
    message: english(pm('not_empty')),
    path: ['definition'],
  });
export const validateBody = z.strictObject({ definition });
export const simulateBody = z.strictObject({
  customerId: z.string().min(1).max(100),
  version: z.number().int().min(1).optional().describe('A published version; the draft when absent'),
});
export const testSendBody = z.strictObject({
  node: z.string().min(1).max(40),
  to: z.email().max(320).optional(),
  locale: z.string().max(10).optional(),
  customerId: z.string().min(1).max(100).optional(),
});
export const testSent = z.object({ sent: z.literal(true), to: z.string(), locale: z.string(), messageId: z.string() });
export const installBody = z.strictObject({ name: journeyName.optional() }).optional();

const issue = z.object({ path: z.string(), node: z.string().nullable(), message: z.string() });
export const journey = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(['draft', 'active', 'paused', 'archived']),
  version: z.number().int().describe('The latest published version (0: never published)'),
  playbook: z.string().nullable(),
  draft: z.record(z.string(), z.unknown()),
  issues: z.array(issue).describe('Problems of the draft; empty when it can be published'),
  draftUpdatedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const journeyList = z.object({ items: z.array(journey) });
export const validation = z.object({ valid: z.boolean(), issues: z.array(issue) });
export const versionList = z.object({
  items: z.array(z.object({ version: z.number().int(), publishedAt: z.string(), publishedBy: z.string().nullable() })),
});
export const version = z.object({
  version: z.number().int(),
  publishedAt: z.string(),
  definition: z.record(z.string(), z.unknown()),
});

const messageCounts = z.object({
  total: z.number().int(),
  sent: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  queued: z.number().int(),
});
export const stats = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  status: z.string(),
  entered: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
  converted: z.number().int(),
  exited: z.number().int(),
  failed: z.number().int(),
  conversionRate: z.number().nullable(),
  holdout: z.object({ entered: z.number().int(), converted: z.number().int(), conversionRate: z.number().nullable() }),
  lift: z.number().nullable(),
  steps: z.array(
    z.object({
      node: z.string(),
      passed: z.number().int(),
      waiting: z.number().int(),
      outcomes: z.record(z.string(), z.number().int()),
      messages: messageCounts.nullable(),
    }),
  ),
});
export const simulation = z.object({
  customerId: z.string(),
  holdout: z.boolean(),
  path: z.array(
    z.object({
      node: z.string(),
      type: z.string(),
      outcome: z.string(),
      detail: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  end: z.string(),
});
export const playbookList = z.object({
  items: z.array(
    z.object({ key: z.string(), name: z.string(), description: z.string(), templates: z.array(z.string()) }),
  ),
});
export const customerJourneys = z.object({
  customerId: z.string(),
  items: z.array(
    z.object({
      id: z.string(),
      journeyId: z.string(),
      journeyName: z.string(),
      version: z.number().int(),
      state: z.string(),
      holdout: z.boolean(),
      node: z.string().nullable(),
      nextAt: z.string().nullable(),
      waitingFor: z.string().nullable(),
      enteredAt: z.string(),
      endedAt: z.string().nullable(),
      convertedAt: z.string().nullable(),
      endReason: z.string().nullable(),
    }),
  ),
});
export const enrollmentHistory = z.object({
  items: z.array(
    z.object({
      node: z.string().nullable(),
      outcome: z.string(),
      detail: z.unknown(),
      messageId: z.string().nullable(),
      at: z.string(),
    }),
  ),
});

export const task = z.object({
  id: z.string(),
  customerId: z.string().nullable(),
  title: z.string(),
  notes: z.string().nullable(),
  assigneeId: z.string().nullable(),
  dueAt: z.string().nullable(),
  status: z.enum(['open', 'done']),
  journeyId: z.string().nullable(),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
});
export const taskList = z.object({ items: z.array(task) });
export const taskQuery = z.strictObject({
  status: z.enum(['open', 'done']).optional(),
  assigneeId: z.string().min(1).max(100).optional(),
  customerId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const taskBody = z.strictObject({ status: z.enum(['open', 'done']) });

export const settings = journeySettingsSchema;
