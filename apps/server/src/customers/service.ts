import type { Db, Tx } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { type Identifier, normalizeEmail, normalizePhone } from './identifiers.js';
import { cm } from './messages.js';
import * as repo from './repository.js';
import { applyTraits, canonicalTraits, derivedColumns, mergeTraits, type Traits } from './traits.js';

// ── merge hooks: other domains move what they hold for a merged profile ──

export interface MergeEvent {
  workspaceId: string;
  survivorId: string;
  mergedId: string;
}
type MergeHook = (tx: Tx, e: MergeEvent) => Promise<void>;
const mergeHooks = new Map<string, MergeHook>();

/** Registers what a domain does when two profiles merge (runs inside the merge transaction). */
export function onCustomersMerged(domain: string, hook: MergeHook): void {
  mergeHooks.set(domain, hook);
}

export type Actor = { type: 'system' | 'user' | 'api_key'; id: string | null };

/**
 * Merges `mergedId` into `survivorId`: identifiers, traits (each trait's latest value),
 * tags, channels, facts and everything other domains hold move to the survivor; the merged
 * profile stays as a tombstone pointing at it, and the merge is recorded with its reason.
 * The caller holds the workspace's identity lock.
 */
export async function mergeCustomers(
  tx: Tx,
  workspaceId: string,
  survivorId: string,
  mergedId: string,
  why: { reason: string; eventId?: string | null; actor: Actor },
) {
  if (survivorId === mergedId) throw new UserError(400, 'invalid_request', cm('merge_itself'), 'customerId');
  const rows = await repo.findCustomers(tx, workspaceId, [survivorId, mergedId]);
  const survivor = rows.find((r) => r.id === survivorId);
  const merged = rows.find((r) => r.id === mergedId);
  if (!survivor || survivor.merged_into) throw new NotFoundError(cm('customer_not_found'), 'id');
  if (!merged || merged.merged_into) throw new NotFoundError(cm('customer_not_found'), 'customerId');
  const identifiers = await repo.listIdentifiers(tx, workspaceId, [mergedId]);

  const { traits, times } = mergeTraits(
    { traits: survivor.traits, times: survivor.trait_times },
    { traits: merged.traits, times: merged.trait_times },
  );
  const min = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
  const max = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
  await repo.updateCustomer(tx, workspaceId, survivorId, {
    traits,
    trait_times: times,
    ...derivedColumns(traits),
    email: survivor.email ?? merged.email,
    phone: survivor.phone ?? merged.phone,
    user_id: survivor.user_id ?? merged.user_id,
    tags: [...new Set([...survivor.tags, ...merged.tags])],
    channels: [...new Set([...survivor.channels, ...merged.channels])],
    notes: [survivor.notes, merged.notes].filter(Boolean).join('\n\n') || null,
    owner_user_id: survivor.owner_user_id ?? merged.owner_user_id,
    // The acquisition channel of whichever profile was seen first.
    acquisition_channel:
      merged.first_seen_at && (!survivor.first_seen_at || merged.first_seen_at < survivor.first_seen_at)
        ? (merged.acquisition_channel ?? survivor.acquisition_channel)
        : (survivor.acquisition_channel ?? merged.acquisition_channel),
    first_seen_at: min(survivor.first_seen_at, merged.first_seen_at),
    last_seen_at: max(survivor.last_seen_at, merged.last_seen_at),
    first_order_at: min(survivor.first_order_at, merged.first_order_at),
    last_order_at: max(survivor.last_order_at, merged.last_order_at),
    order_count: survivor.order_count + merged.order_count,
    revenue: (Number(survivor.revenue) + Number(merged.revenue)).toFixed(2),
    currency: survivor.currency ?? merged.currency,
  });
  await repo.updateCustomer(tx, workspaceId, mergedId, { merged_into: survivorId });
  await repo.repointMergedInto(tx, workspaceId, mergedId, survivorId);
  await repo.repointIdentifiers(tx, workspaceId, mergedId, survivorId);
  await repo.repointCompanies(tx, workspaceId, mergedId, survivorId);
  await repo.repointConflicts(tx, workspaceId, mergedId, survivorId);
  await repo.insertMerge(tx, {
    id: newId('mrg'),
    workspace_id: workspaceId,
    survivor_id: survivorId,
    merged_id: mergedId,
    reason: why.reason,
    event_id: why.eventId ?? null,
    actor_type: why.actor.type,
    actor_id: why.actor.id,
    snapshot: {
      traits: merged.traits,
      tags: merged.tags,
      identifiers: identifiers.map((i) => ({ kind: i.kind, value: i.value })),
      createdAt: merged.created_at.toISOString(),
    },
  });
  for (const hook of mergeHooks.values()) await hook(tx, { workspaceId, survivorId, mergedId });
}

// ── identity resolution ──

export interface ResolveInput {
  workspaceId: string;
  /** Normalised identifiers the event carries (see IdentifierSet). */
  identifiers: Identifier[];
  /** The event's own userId, when it has one: it decides which profile the event belongs to. */
  userId: string | null;
  timestamp: Date;
  sourceId: string | null;
  channel: string | null;
  eventId: string | null;
}

export interface ResolveResult {
  customerId: string;
  created: boolean;
  merged: string[];
  conflicts: string[];
}

/**
 * Finds or creates the one profile an event belongs to (see IdentityResolver for the rules).
 * The caller holds the workspace's identity lock. For many events, use one IdentityResolver.
 */
export async function resolveIdentity(tx: Tx, input: ResolveInput): Promise<ResolveResult> {
  const { IdentityResolver } = await import('./resolver.js');
  const resolver = new IdentityResolver(tx, input.workspaceId);
  const r = await resolver.resolve(input);
  await resolver.flush();
  return r;
}

/** Applies traits from an event or an edit, each trait keeping its latest value by event time. */
export async function updateTraits(
  tx: Tx,
  workspaceId: string,
  customerId: string,
  incoming: Traits,
  at: Date,
  defaultCountry: string,
) {
  const c = await repo.findCustomer(tx, workspaceId, customerId);
  if (!c) throw new NotFoundError(cm('customer_not_found'));
  const canonical = canonicalTraits(incoming);
  const { traits, times, changed } = applyTraits(c.traits, c.trait_times, canonical, at);
  if (!changed) return c;
  const email = times.email === at.toISOString() ? normalizeEmail(traits.email) : undefined;
  const phone = times.phone === at.toISOString() ? normalizePhone(traits.phone, defaultCountry) : undefined;
  return repo.updateCustomer(tx, workspaceId, customerId, {
    traits,
    trait_times: times,
    ...derivedColumns(traits),
    ...(email && 'value' in email ? { email: email.value } : {}),
    ...(phone && 'value' in phone ? { phone: phone.value } : {}),
  });
}

/** Links a profile to the company of a `group` call, creating or updating the company. */
export async function linkToCompany(
  tx: Tx,
  workspaceId: string,
  customerId: string,
  groupId: string,
  incoming: Traits,
  at: Date,
) {
  const company =
    (await repo.findCompanyByGroup(tx, workspaceId, groupId)) ??
    (await repo.insertCompany(tx, { id: newId('com'), workspace_id: workspaceId, group_id: groupId }));
  const { traits, times, changed } = applyTraits(company.traits, company.trait_times, incoming, at);
  if (changed) {
    const name = typeof traits.name === 'string' ? traits.name : company.name;
    await repo.updateCompany(tx, workspaceId, company.id, { name, traits, trait_times: times });
  }
  await repo.linkCompany(tx, workspaceId, customerId, company.id);
  return company.id;
}

export const lockWorkspaceIdentity = repo.lockWorkspaceIdentity;
export const tryLockWorkspaceIdentity = repo.tryLockWorkspaceIdentity;

/** Reads a profile, following merges to the surviving one. */
export async function getCustomerOrThrow(db: Db | Tx, workspaceId: string, id: string) {
  let c = await repo.findCustomer(db, workspaceId, id);
  for (let hops = 0; c?.merged_into && hops < 10; hops++) c = await repo.findCustomer(db, workspaceId, c.merged_into);
  if (!c || c.merged_into) throw new NotFoundError(cm('customer_not_found'));
  return c;
}

export interface OrderFacts {
  orderCount: number;
  revenue: string;
  currency: string | null;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
}

/** Sets a profile's order facts (count, revenue, first/last order) as the commerce domain computed them. */
export async function setOrderFacts(tx: Db | Tx, workspaceId: string, customerId: string, facts: OrderFacts) {
  await setOrderFactsMany(tx, workspaceId, [{ customerId, ...facts }]);
}

/** Sets the order facts of many profiles in one statement per 1,000. */
export async function setOrderFactsMany(
  tx: Db | Tx,
  workspaceId: string,
  facts: (OrderFacts & { customerId: string })[],
) {
  for (let i = 0; i < facts.length; i += 1000) await repo.setOrderFacts(tx, workspaceId, facts.slice(i, i + 1000));
}

/** Live profiles among `ids` (merged ones followed to their survivor is the caller's business). */
export async function findLiveCustomers(db: Db | Tx, workspaceId: string, ids: string[]) {
  return (await repo.findCustomers(db, workspaceId, [...new Set(ids)])).filter((c) => !c.merged_into);
}

/** Adds and removes tags on live profiles, in the caller's transaction; the ids it changed. */
export async function tagCustomers(tx: Db | Tx, workspaceId: string, ids: string[], add: string[], remove: string[]) {
  return repo.bulkTag(tx, workspaceId, [...new Set(ids)], add, remove);
}

export const customersOnDates = repo.customersOnDates;
