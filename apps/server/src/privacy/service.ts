/**
 * Consent per customer, channel and purpose (PRV-1): the current status, changes applied in the
 * order they happened (an older change never overwrites a newer one, whatever order they arrive
 * in), every applied change logged with its source and evidence.
 */
import { getCustomerOrThrow, lockWorkspaceIdentity, type MergeEvent } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  type ConsentActor,
  type ConsentChange,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentStatus,
} from './model.js';
import * as repo from './repository.js';

// ── hooks: other domains react to a change in the transaction that applies it ──

export interface AppliedConsentChange {
  workspaceId: string;
  customerId: string;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  previous: ConsentStatus;
  status: ConsentStatus;
  source: string;
  at: Date;
}
type ConsentHook = (tx: Tx, change: AppliedConsentChange) => Promise<void>;
const hooks = new Map<string, ConsentHook>();

/** Registers what a domain does when a customer's consent changes (segments re-evaluate them). */
export function onConsentChanged(domain: string, hook: ConsentHook): void {
  hooks.set(domain, hook);
}

// ── writes ──

export type SetConsentResult =
  | { applied: true }
  /** `older`: a newer change is already recorded; `unchanged`: the status was already this one. */
  | { applied: false; reason: 'older' | 'unchanged' };

const SYSTEM: ConsentActor = { type: 'system', id: null };

/**
 * Records a change of one customer's consent for a channel and purpose. A change older (by `at`)
 * than the latest statement recorded is ignored; the same status stated again only moves the
 * time it was last stated; anything else replaces the status and is appended to the log.
 * Runs in the caller's transaction; the customer id is taken as given (a live profile).
 */
export async function setConsent(
  tx: Tx,
  workspaceId: string,
  customerId: string,
  change: ConsentChange,
  actor: ConsentActor = SYSTEM,
): Promise<SetConsentResult> {
  const { channel, purpose, status, source, at } = change;
  await repo.lockCustomerConsents(tx, workspaceId, customerId);
  const current = await repo.findConsent(tx, workspaceId, customerId, channel, purpose);
  if (current && current.asserted_at.getTime() > at.getTime()) return { applied: false, reason: 'older' };
  const previous: ConsentStatus = current?.status ?? 'unknown';
  if (previous === status) {
    if (current) await repo.assertConsent(tx, workspaceId, customerId, channel, purpose, at);
    return { applied: false, reason: 'unchanged' };
  }
  const evidence = change.evidence ?? {};
  await repo.upsertConsent(tx, {
    workspace_id: workspaceId,
    customer_id: customerId,
    channel,
    purpose,
    status,
    source,
    evidence,
    changed_at: at,
  });
  await repo.insertLog(tx, {
    workspace_id: workspaceId,
    customer_id: customerId,
    channel,
    purpose,
    previous_status: previous,
    status,
    source,
    evidence,
    actor_type: actor.type,
    actor_id: actor.id,
    at,
  });
  for (const hook of hooks.values()) {
    await hook(tx, { workspaceId, customerId, channel, purpose, previous, status, source, at });
  }
  return { applied: true };
}

// ── reads ──

export interface ConsentView {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string | null;
  evidence: Record<string, unknown> | null;
  /** When the current status took effect; null when nothing is recorded. */
  changedAt: string | null;
  updatedAt: string | null;
}

/** Every channel × purpose of a customer, in a fixed order; `unknown` where nothing is recorded. */
export async function getConsents(db: Db | Tx, workspaceId: string, customerId: string): Promise<ConsentView[]> {
  const rows = await repo.listConsents(db, workspaceId, customerId);
  const byKey = new Map(rows.map((r) => [`${r.channel}:${r.purpose}`, r]));
  return CONSENT_CHANNELS.flatMap((channel) =>
    CONSENT_PURPOSES.map((purpose): ConsentView => {
      const r = byKey.get(`${channel}:${purpose}`);
      return {
        channel,
        purpose,
        status: r?.status ?? 'unknown',
        source: r?.source ?? null,
        evidence: r ? r.evidence : null,
        changedAt: r ? r.changed_at.toISOString() : null,
        updatedAt: r ? r.updated_at.toISOString() : null,
      };
    }),
  );
}

/** True only when the customer is `subscribed` for this channel and purpose (what sending checks). */
export async function hasConsent(
  db: Db | Tx,
  workspaceId: string,
  customerId: string,
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): Promise<boolean> {
  return (await repo.findConsent(db, workspaceId, customerId, channel, purpose))?.status === 'subscribed';
}

/** `hasConsent` for many customers at once: the subscribed ones. */
export async function consentedAmong(
  db: Db | Tx,
  workspaceId: string,
  customerIds: string[],
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): Promise<Set<string>> {
  return new Set(await repo.subscribedAmong(db, workspaceId, [...new Set(customerIds)], channel, purpose));
}

// ── the API ──

/** GET /customers/{id}/consents: a merged profile's id answers with its survivor's consents. */
export async function customerConsents(db: Db, workspaceId: string, id: string) {
  const c = await getCustomerOrThrow(db, workspaceId, id);
  return { customerId: c.id, items: await getConsents(db, workspaceId, c.id) };
}

/** PUT /customers/{id}/consents: one change, then the customer's consents as they now are. */
export async function changeCustomerConsent(
  db: Db,
  workspaceId: string,
  id: string,
  change: ConsentChange,
  actor: ConsentActor,
) {
  return db.transaction().execute(async (tx) => {
    // No merge moves the profile's consents while this change is written.
    await lockWorkspaceIdentity(tx, workspaceId);
    const c = await getCustomerOrThrow(tx, workspaceId, id);
    const r = await setConsent(tx, workspaceId, c.id, change, actor);
    return {
      customerId: c.id,
      applied: r.applied,
      ...(r.applied ? {} : { ignored: r.reason }),
      items: await getConsents(tx, workspaceId, c.id),
    };
  });
}

// ── merges ──

/** Inside a merge: the merged profile's consents and their history become the survivor's. */
export async function moveConsentsOnMerge(tx: Tx, e: MergeEvent): Promise<void> {
  await repo.moveOnMerge(tx, e.workspaceId, e.mergedId, e.survivorId);
}
