import { z } from 'zod';
import { english, pm } from '../platform/messages.js';
import { cm } from './messages.js';

// ── shared pieces ──

export const CUSTOMER_SORTS = [
  '-createdAt',
  'createdAt',
  '-lastSeenAt',
  'lastSeenAt',
  '-revenue',
  'revenue',
  '-orders',
  'orders',
  'name',
] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

const date = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: english(cm('date_or_time')),
  });
const count = z.coerce.number().int().min(0).max(1_000_000_000);
const money = z.coerce.number().min(0).max(1e15);
const tag = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(60, english(pm('at_most_chars', { max: 60 })));
const tags = z.array(tag).max(100);
const customerId = z.string().min(1).max(100);
const cursor = z.string().min(1).max(2000);

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const conflictParams = z.strictObject({
  id: z.string().min(1).max(100),
  conflictId: z.string().min(1).max(100),
});

// ── requests ──

const filterFields = {
  q: z.string().trim().max(200).optional().describe('Fragment of a name, email, phone number or userId'),
  channel: z.string().min(1).max(40).optional().describe('Profiles seen on this channel'),
  tag: tag.optional(),
  traitKey: z.string().min(1).max(100).optional(),
  traitValue: z
    .string()
    .max(500)
    .optional()
    .describe('With traitKey: the trait equals this (as text, number or boolean)'),
  firstSeenFrom: date.optional(),
  firstSeenTo: date.optional().describe('Exclusive'),
  lastSeenFrom: date.optional(),
  lastSeenTo: date.optional().describe('Exclusive'),
  minOrders: count.optional(),
  maxOrders: count.optional(),
  minRevenue: money.optional(),
  maxRevenue: money.optional(),
};
const listFilters = {
  ...filterFields,
  sort: z
    .enum(CUSTOMER_SORTS)
    .default('-createdAt')
    .describe('`-` for descending; profiles never seen sort as the oldest; `name` puts unnamed profiles last'),
};
const traitValueNeedsKey = (q: { traitKey?: string; traitValue?: string }) =>
  q.traitValue === undefined || q.traitKey !== undefined;
const needsKey = { message: english(cm('trait_value_needs_key')), path: ['traitValue'] };

export const listQuery = z
  .strictObject({
    ...listFilters,
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: cursor.optional().describe('`nextCursor` of the previous page (same filters and sort)'),
  })
  .refine(traitValueNeedsKey, needsKey);
export type ListQuery = z.infer<typeof listQuery>;

export const exportQuery = z.strictObject(listFilters).refine(traitValueNeedsKey, needsKey);
export type ExportQuery = z.infer<typeof exportQuery>;

const LOOKUP_KEYS = ['email', 'phone', 'userId', 'anonymousId', 'externalId'] as const;
export const lookupQuery = z
  .strictObject({
    email: z.string().min(1).max(254).optional(),
    phone: z.string().min(1).max(40).optional(),
    userId: z.string().min(1).max(200).optional(),
    anonymousId: z.string().min(1).max(200).optional(),
    externalId: z.string().min(1).max(200).optional(),
    namespace: z
      .string()
      .regex(/^\S{1,60}$/, english(cm('name_without_spaces')))
      .optional()
      .describe('With externalId: whose id it is (e.g. shopify; case does not matter)'),
  })
  .superRefine((q, ctx) => {
    const given = LOOKUP_KEYS.filter((k) => q[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: english(cm('exactly_one_of', { keys: LOOKUP_KEYS.join(', ') })),
        path: [given[1] ?? 'email'],
      });
    }
    if (q.externalId !== undefined && q.namespace === undefined)
      ctx.addIssue({ code: 'custom', message: english(cm('external_id_needs_namespace')), path: ['namespace'] });
    if (q.namespace !== undefined && q.externalId === undefined)
      ctx.addIssue({ code: 'custom', message: english(cm('namespace_needs_external_id')), path: ['namespace'] });
  });
export type LookupQuery = z.infer<typeof lookupQuery>;

export const timelineQuery = z.strictObject({
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  type: z.string().max(500).optional().describe('Comma-separated item types; `track` matches every `track:<event>`'),
  channel: z.string().max(500).optional().describe('Comma-separated channels'),
});

const traits = z.record(z.string().min(1).max(100), z.unknown()).refine((t) => Object.keys(t).length <= 200, {
  message: english(cm('at_most_traits')),
});

export const createBody = z
  .strictObject({
    email: z.string().min(1).max(254).optional(),
    phone: z.string().min(1).max(40).optional(),
    userId: z.string().min(1).max(200).optional(),
    traits: traits.optional(),
    tags: tags.optional(),
    notes: z.string().max(20_000).optional(),
    ownerUserId: z.string().min(1).max(100).optional(),
  })
  .refine((b) => b.email ?? b.phone ?? b.userId ?? (b.traits && Object.keys(b.traits).length ? true : undefined), {
    message: english(cm('give_an_identifier')),
  });
export type CreateBody = z.infer<typeof createBody>;

export const updateBody = z
  .strictObject({
    traits: traits.optional().describe('Traits to set; a null value removes that trait'),
    tags: tags.optional().describe('Replaces every tag'),
    addTags: tags.optional(),
    removeTags: tags.optional(),
    notes: z.string().max(20_000).nullable().optional(),
    ownerUserId: z.string().min(1).max(100).nullable().optional().describe('A member of the workspace, or null'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: english(pm('must_change_a_field')) });
export type UpdateBody = z.infer<typeof updateBody>;

export const mergeBody = z.strictObject({
  customerId: customerId.describe('The profile merged into this one (it becomes a pointer to this one)'),
  reason: z.string().trim().min(1).max(500).optional(),
});

export const bulkTagBody = z
  .strictObject({
    ids: z
      .array(customerId)
      .min(1, english(cm('name_a_customer')))
      .max(1000, english(cm('at_most_customers'))),
    add: tags.optional(),
    remove: tags.optional(),
  })
  .refine((b) => (b.add?.length ?? 0) + (b.remove?.length ?? 0) > 0, {
    message: english(cm('give_tags')),
    path: ['add'],
  });

// ── saved views ──

/** Columns the customers list can show; a saved view names the ones it shows, in order. */
export const CUSTOMER_COLUMNS = [
  'name',
  'email',
  'phone',
  'userId',
  'channels',
  'tags',
  'firstSeenAt',
  'lastSeenAt',
  'orders',
  'revenue',
  'lastOrderAt',
  'createdAt',
] as const;
export const DEFAULT_CUSTOMER_COLUMNS = ['name', 'email', 'channels', 'lastSeenAt', 'orders', 'revenue'] as const;

const viewName = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(80, english(pm('at_most_chars', { max: 80 })));
const viewFilters = z
  .strictObject(filterFields)
  .refine(traitValueNeedsKey, needsKey)
  .describe('The list filters of `GET /api/v1/customers` (without sort, limit and cursor)');
const viewColumns = z
  .array(z.enum(CUSTOMER_COLUMNS))
  .min(1, english(cm('one_column')))
  .max(CUSTOMER_COLUMNS.length)
  .refine((c) => new Set(c).size === c.length, { message: english(cm('no_repeated_column')) });

export const createViewBody = z.strictObject({
  name: viewName,
  filters: viewFilters.default({}),
  sort: z.enum(CUSTOMER_SORTS).default('-createdAt'),
  columns: viewColumns.default([...DEFAULT_CUSTOMER_COLUMNS]),
});
export type CreateViewBody = z.infer<typeof createViewBody>;

export const updateViewBody = z
  .strictObject({
    name: viewName.optional(),
    filters: viewFilters.optional().describe('Replaces every filter of the view'),
    sort: z.enum(CUSTOMER_SORTS).optional(),
    columns: viewColumns.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: english(pm('must_change_a_field')) });
export type UpdateViewBody = z.infer<typeof updateViewBody>;

export const companiesQuery = z.strictObject({
  q: z.string().trim().max(200).optional().describe('Fragment of the name or group id'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
});

// ── responses ──

const iso = z.string().describe('ISO 8601 time');

export const customerSummary = z
  .object({
    id: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    userId: z.string().nullable(),
    channels: z.array(z.string()),
    acquisitionChannel: z.string().nullable().describe("The channel of the customer's earliest event"),
    tags: z.array(z.string()),
    firstSeenAt: iso.nullable(),
    lastSeenAt: iso.nullable(),
    orders: z.number(),
    revenue: z.number(),
    currency: z.string().nullable(),
    lastOrderAt: iso.nullable(),
    createdAt: iso,
  })
  .meta({ id: 'CustomerSummary' });

export const customerList = z
  .object({
    data: z.array(customerSummary),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'CustomerList' });

export const timelineItem = z
  .object({
    id: z.string(),
    kind: z.string(),
    type: z.string(),
    at: iso,
    channel: z.string().nullable(),
    sourceId: z.string().nullable(),
    title: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineItem' });

export const timeline = z
  .object({ data: z.array(timelineItem), nextCursor: z.string().nullable() })
  .meta({ id: 'Timeline' });

const actor = z.object({ type: z.string(), id: z.string().nullable() });

export const company = z
  .object({
    id: z.string(),
    groupId: z.string(),
    name: z.string().nullable(),
    traits: z.record(z.string(), z.unknown()),
    peopleCount: z.number().describe('How many profiles belong to it'),
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'Company' });

export const companyList = z
  .object({ data: z.array(company), nextCursor: z.string().nullable() })
  .meta({ id: 'CompanyList' });

export const companyDetail = company
  .extend({ people: z.array(customerSummary).describe('Its people, most recently linked first (up to 200)') })
  .meta({ id: 'CompanyDetail' });

export const customer = z
  .object({
    id: z.string(),
    mergedFrom: z.string().nullable().describe('The id asked for, when it was merged into this profile'),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    userId: z.string().nullable(),
    traits: z.record(z.string(), z.unknown()),
    timezone: z
      .string()
      .nullable()
      .describe("The customer's own IANA time zone (their `timezone` trait), null when unknown or not a time zone"),
    tags: z.array(z.string()),
    notes: z.string().nullable(),
    owner: z.object({ userId: z.string(), name: z.string().nullable(), email: z.string().nullable() }).nullable(),
    facts: z.object({
      firstSeenAt: iso.nullable(),
      lastSeenAt: iso.nullable(),
      channels: z.array(z.string()),
      acquisitionChannel: z.string().nullable().describe("The channel of the customer's earliest event"),
      orders: z.number(),
      revenue: z.number(),
      averageOrderValue: z.number().nullable(),
      firstOrderAt: iso.nullable(),
      lastOrderAt: iso.nullable(),
      currency: z.string().nullable(),
    }),
    identifiers: z.array(
      z.object({ kind: z.string(), value: z.string(), firstSeenAt: iso, sourceId: z.string().nullable() }),
    ),
    merges: z.array(
      z.object({
        id: z.string(),
        mergedId: z.string(),
        survivorId: z.string(),
        reason: z.string(),
        eventId: z.string().nullable(),
        actor,
        at: iso,
        snapshot: z.unknown().describe("The merged profile's traits, tags and identifiers at the time"),
      }),
    ),
    conflicts: z.array(
      z.object({
        id: z.string(),
        reason: z.string(),
        details: z.unknown(),
        eventId: z.string().nullable(),
        createdAt: iso,
        other: customerSummary.describe('The other profile of the conflict'),
      }),
    ),
    companies: z.array(company.omit({ peopleCount: true })),
    timeline,
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'Customer' });

export const conflict = z
  .object({
    id: z.string(),
    customerId: z.string(),
    otherCustomerId: z.string(),
    reason: z.string(),
    status: z.enum(['open', 'merged', 'dismissed']),
    details: z.unknown(),
    eventId: z.string().nullable(),
    createdAt: iso,
    resolvedAt: iso.nullable(),
  })
  .meta({ id: 'IdentityConflict' });

export const customerView = z
  .object({
    id: z.string(),
    name: z.string(),
    filters: z.record(z.string(), z.union([z.string(), z.number()])),
    sort: z.enum(CUSTOMER_SORTS),
    columns: z.array(z.enum(CUSTOMER_COLUMNS)),
    createdBy: z.string().nullable().describe('The member who saved it (null when saved with an API key)'),
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'CustomerView' });

export const customerViewList = z
  .object({ data: z.array(customerView).describe('Every saved view of the workspace, by name') })
  .meta({ id: 'CustomerViewList' });

export const bulkTagResult = z.object({
  updated: z.number(),
  notFound: z.array(z.string()).describe('Ids that are not live profiles of this workspace (unknown or merged)'),
});
