/** Builds profiles for tests the way ingestion does: identity resolution under the workspace lock. */
import { IdentifierSet, lockWorkspaceIdentity, resolveIdentity, updateTraits } from '../customers/index.js';
import type { Db } from '../platform/db.js';

export interface ProfileInput {
  anonymousId?: string;
  userId?: string;
  email?: string;
  phone?: string;
  /** `external:<namespace>` ids: { shopify: '123' } */
  external?: Record<string, string>;
  traits?: Record<string, unknown>;
  at?: Date;
  channel?: string | null;
  eventId?: string | null;
  country?: string;
}

/** Resolves one "event" carrying these identifiers (and traits); returns what identity resolution did. */
export async function resolveProfile(db: Db, workspaceId: string, p: ProfileInput) {
  const at = p.at ?? new Date();
  return db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    const ids = new IdentifierSet(p.country ?? 'ES');
    ids.add('anonymous_id', p.anonymousId);
    const userId = ids.add('user_id', p.userId);
    ids.add('email', p.email);
    ids.add('phone', p.phone);
    for (const [ns, v] of Object.entries(p.external ?? {})) ids.add(`external:${ns}`, v);
    const r = await resolveIdentity(tx, {
      workspaceId,
      identifiers: ids.ids,
      userId,
      timestamp: at,
      sourceId: null,
      channel: p.channel === undefined ? 'web' : p.channel,
      eventId: p.eventId ?? null,
    });
    if (p.traits) await updateTraits(tx, workspaceId, r.customerId, p.traits, at, p.country ?? 'ES');
    return r;
  });
}
