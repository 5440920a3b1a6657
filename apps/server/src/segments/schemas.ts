import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { sm } from './messages.js';
import { segmentRuleSchema } from './rules.js';

const segmentName = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(100, english(pm('at_most_chars', { max: 100 })));
const description = z
  .string()
  .trim()
  .max(1000, english(pm('at_most_chars', { max: 1000 })));
const customerIds = z
  .array(z.string().min(1).max(100))
  .min(1, english(sm('name_at_least_one_customer')))
  .max(10_000);

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const explainParams = z.strictObject({
  id: z.string().min(1).max(100),
  customerId: z.string().min(1).max(100),
});

// ── requests ──

export const previewBody = z.strictObject({ rule: segmentRuleSchema });

export const createSegmentBody = z.strictObject({
  name: segmentName,
  description: description.nullable().optional(),
  kind: z.enum(['dynamic', 'static']),
  rule: segmentRuleSchema
    .nullable()
    .optional()
    .describe('Required for a dynamic segment; none (or null) for a static list'),
});
export type CreateSegmentBody = z.infer<typeof createSegmentBody>;

export const updateSegmentBody = z
  .strictObject({
    name: segmentName.optional(),
    description: description.nullable().optional(),
    rule: segmentRuleSchema.optional().describe('Dynamic segments only: replaces the rule; members follow at once'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: english(pm('must_change_a_field')) });
export type UpdateSegmentBody = z.infer<typeof updateSegmentBody>;

export const membersQuery = z.strictObject({
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const customerIdsBody = z.strictObject({ customerIds });
export const csvBody = z.strictObject({
  csv: z
    .string()
    .min(1, english(pm('not_empty')))
    .max(900_000)
    .describe('One column of emails, phone numbers or customer ids (cus_…), one per line; a header line is skipped'),
});

// ── responses ──

const ruleOut = z.unknown().describe('The rule (see SegmentRule), null for a static list');

export const segment = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    kind: z.enum(['dynamic', 'static']),
    rule: ruleOut,
    memberCount: z.number().int(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    refreshedAt: z.string().nullable(),
  })
  .meta({ id: 'Segment' });

export const segmentList = z.object({ items: z.array(segment) }).meta({ id: 'SegmentList' });

export const segmentCustomer = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    lastSeenAt: z.string().nullable(),
    orderCount: z.number().int(),
    revenue: z.number(),
    currency: z.string().nullable(),
  })
  .meta({ id: 'SegmentCustomerSummary' });

export const preview = z
  .object({ count: z.number().int(), sample: z.array(segmentCustomer).max(10), tookMs: z.number() })
  .meta({ id: 'SegmentPreview' });

export const memberPage = z
  .object({ items: z.array(segmentCustomer), nextCursor: z.string().nullable() })
  .meta({ id: 'SegmentMembers' });

export const addResult = z.object({
  added: z.number().int(),
  notFound: z.array(z.string()).describe('Ids that are not live customers of the workspace'),
  memberCount: z.number().int(),
});
export const removeResult = z.object({ removed: z.number().int(), memberCount: z.number().int() });
export const csvResult = z.object({
  added: z.number().int(),
  notFound: z.array(z.object({ line: z.number().int(), value: z.string() })),
  memberCount: z.number().int(),
});
export const refreshResult = z.object({
  entered: z.number().int(),
  exited: z.number().int(),
  memberCount: z.number().int(),
});

export const explainNode: z.ZodType<unknown> = z
  .object({
    condition: z.unknown().optional(),
    op: z.enum(['all', 'any', 'not']).optional(),
    matched: z.boolean(),
    actual: z.unknown().optional(),
    children: z.array(z.unknown()).optional(),
  })
  .meta({ id: 'SegmentExplainNode' });

export const explainResult = z
  .object({ member: z.boolean(), matches: z.boolean(), explanation: explainNode.nullable() })
  .meta({ id: 'SegmentExplain' });
