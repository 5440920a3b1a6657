import { z } from 'zod';
import { ROLES } from '../platform/context.js';
import { english, pm } from '../platform/messages.js';
import { am } from './messages.js';

export const email = z.email({ error: english(am('must_be_email')) }).max(254);
export const password = z
  .string()
  .min(10, english(am('password_min')))
  .max(200, english(pm('at_most_chars', { max: 200 })));
export const role = z.enum(ROLES);
const name = z
  .string()
  .trim()
  .min(1, english(pm('not_empty')))
  .max(120);
const country = z.string().regex(/^[A-Z]{2}$/, english(am('country_code')));
const currency = z.string().regex(/^[A-Z]{3}$/, english(am('currency_code')));
const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: english(am('time_zone')) },
);
const locale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, english(am('language_tag')));

export const workspaceSettings = { defaultCountry: country, currency, timezone, locale };

export const setupBody = z.strictObject({
  workspaceName: name,
  email,
  password,
  name: name.optional(),
  defaultCountry: country.optional(),
  currency: currency.optional(),
  timezone: timezone.optional(),
  locale: locale.optional(),
});

export const loginBody = z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(200) });

export const workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    defaultCountry: z.string(),
    currency: z.string(),
    timezone: z.string(),
    locale: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Workspace' });

export const session = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
    workspace: workspace.nullable(),
    role: role.nullable(),
    workspaces: z.array(z.object({ id: z.string(), name: z.string(), role })),
    csrfToken: z.string(),
  })
  .meta({ id: 'Session' });

export const switchWorkspaceBody = z.strictObject({ workspaceId: z.string().min(1) });
export const createWorkspaceBody = z.strictObject({
  name,
  defaultCountry: country.optional(),
  currency: currency.optional(),
  timezone: timezone.optional(),
  locale: locale.optional(),
});
export const updateWorkspaceBody = z
  .strictObject({
    name: name.optional(),
    defaultCountry: country.optional(),
    currency: currency.optional(),
    timezone: timezone.optional(),
    locale: locale.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: english(pm('must_change_a_field')) });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});

export const member = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role,
    joinedAt: z.string(),
    lastLoginAt: z.string().nullable(),
  })
  .meta({ id: 'Member' });
export const userIdParams = z.strictObject({ userId: z.string().min(1) });
export const idParams = z.strictObject({ id: z.string().min(1) });
export const updateMemberBody = z.strictObject({ role });

export const invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role,
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    createdAt: z.string(),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
  })
  .meta({ id: 'Invitation' });
export const createInvitationBody = z.strictObject({
  email,
  role,
  expiresInDays: z.number().int().min(1).max(30).optional(),
});
export const createdInvitation = z.object({ invitation, link: z.string() });
export const invitationTokenQuery = z.strictObject({ token: z.string().min(10).max(200) });
export const invitationLookup = z.object({ workspaceName: z.string(), email: z.string(), role, expiresAt: z.string() });
export const acceptInvitationBody = z.strictObject({
  token: z.string().min(10).max(200),
  password,
  name: name.optional(),
});

export const createdPasswordReset = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    expiresAt: z.string(),
    link: z.string().describe('The one-time link. Shown only in this response: pass it on to the person.'),
  })
  .meta({ id: 'PasswordReset' });
export const passwordResetLookup = z.object({ email: z.string(), workspaceName: z.string(), expiresAt: z.string() });
export const completePasswordResetBody = z.strictObject({ token: z.string().min(10).max(200), password });

export const apiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });
export const createApiKeyBody = z.strictObject({
  name,
  scopes: z
    .array(z.string().min(1).max(60))
    .min(1, english(am('one_scope')))
    .max(50),
});
export const createdApiKey = z.object({
  apiKey,
  key: z.string().describe('The full key. Shown only in this response: store it now.'),
});

export const auditEntry = z
  .object({
    id: z.string(),
    actorType: z.string(),
    actorId: z.string().nullable(),
    actorLabel: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    targetKind: z
      .string()
      .nullable()
      .describe('What the target is (member, api_key, customer, source, import, …), when known'),
    targetLabel: z.string().nullable().describe("The target's name as it is now (its id when it has none)"),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    details: z.unknown(),
    createdAt: z.string(),
  })
  .meta({ id: 'AuditEntry' });
// A calendar day (in the workspace's time zone) or an exact instant.
const dayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: english(am('day_or_instant')),
});
export const auditQuery = z.strictObject({
  action: z.string().max(100).optional().describe('Actions starting with this text, e.g. `member.`'),
  actorId: z.string().max(100).optional().describe('A person (usr_…) or API key (key_…)'),
  targetId: z.string().max(100).optional(),
  from: dayOrInstant.optional().describe('From this day (in the workspace time zone) or instant, inclusive'),
  to: dayOrInstant.optional().describe('Up to the end of this day (in the workspace time zone) or this instant'),
  before: z.string().max(100).optional().describe('The id of the last entry of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
