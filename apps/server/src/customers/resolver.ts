import type { Tx } from '../platform/db.js';
import { newId } from '../platform/ids.js';
import { type Identifier, identifierKey, normalizeEmail, normalizePhone } from './identifiers.js';
import * as repo from './repository.js';
import { mergeCustomers, type ResolveInput, type ResolveResult } from './service.js';
import { applyTraits, canonicalTraits, derivedColumns, type Traits, type TraitTimes } from './traits.js';

interface TraitState {
  traits: Traits;
  times: TraitTimes;
  email: string | null;
  phone: string | null;
  dirty: boolean;
}

interface Owner {
  id: string;
  createdAt: Date;
  userIds: Set<string>;
}

interface Touch {
  first: Date;
  last: Date;
  channels: Set<string>;
  /** The channel of the earliest event seen (the acquisition channel of a new profile). */
  firstChannel: string | null;
  userId: string | null;
  email: string | null;
  phone: string | null;
}

/**
 * Identity resolution for a batch of events in one transaction (the caller holds the
 * workspace's identity lock). The owners of every identifier in the batch are read in one
 * query, decisions are made in memory, and first/last seen, channels and display identifiers
 * are written once per profile at `flush()`. The rules are those of `resolveIdentity`:
 * profiles sharing an identifier merge into the oldest; different userIds never merge (a
 * conflict is recorded); a userId never moves onto a profile that has another one.
 */
export class IdentityResolver {
  readonly #owner = new Map<string, string | null>(); // identifier key → customer id (null: nobody)
  readonly #info = new Map<string, Owner>();
  readonly #touch = new Map<string, Touch>();
  readonly #traits = new Map<string, TraitState>();
  // Profiles created and identifiers attached in this batch, written at `flush()`: nothing reads
  // them from the database before then (the maps above answer), and a merge flushes first.
  readonly #newProfiles: { id: string; createdAt: Date; first: Date; channels: string[] }[] = [];
  readonly #newIdentifiers: { customerId: string; identifier: Identifier; sourceId: string | null; seenAt: Date }[] =
    [];

  constructor(
    private readonly tx: Tx,
    private readonly workspaceId: string,
  ) {}

  /** Reads the owners of many identifiers at once (call with the whole batch's identifiers). */
  async prefetch(ids: Identifier[]): Promise<void> {
    const missing = ids.filter((i) => !this.#owner.has(identifierKey(i)));
    if (missing.length === 0) return;
    const unique = [...new Map(missing.map((i) => [identifierKey(i), i])).values()];
    const found = new Set<string>();
    for (let i = 0; i < unique.length; i += 1000) {
      const chunk = unique.slice(i, i + 1000);
      const rows = await repo.findOwnersBulk(this.tx, this.workspaceId, chunk);
      for (const c of chunk) this.#owner.set(identifierKey(c), null);
      for (const f of rows) {
        this.#owner.set(`${f.kind}\u0000${f.value}`, f.customer_id);
        found.add(f.customer_id);
      }
    }
    const owners = [...found];
    await this.#loadInfo(owners);
    // Their traits too, for identify events (read once here rather than profile by profile).
    const unread = owners.filter((id) => !this.#traits.has(id));
    for (let i = 0; i < unread.length; i += 1000) {
      for (const c of await repo.findTraitStates(this.tx, this.workspaceId, unread.slice(i, i + 1000))) {
        this.#traits.set(c.id, {
          traits: c.traits,
          times: c.trait_times,
          email: c.email,
          phone: c.phone,
          dirty: false,
        });
      }
    }
  }

  async #loadInfo(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.#info.has(id));
    if (!missing.length) return;
    for (const r of await repo.findOwnerInfo(this.tx, this.workspaceId, missing)) {
      this.#info.set(r.id, { id: r.id, createdAt: r.created_at, userIds: new Set(r.user_ids ?? []) });
    }
  }

  #touchOf(id: string, at: Date, channel: string | null): Touch {
    let t = this.#touch.get(id);
    if (!t) {
      t = { first: at, last: at, channels: new Set(), firstChannel: channel, userId: null, email: null, phone: null };
      this.#touch.set(id, t);
    }
    return t;
  }

  async resolve(input: ResolveInput): Promise<ResolveResult> {
    await this.prefetch(input.identifiers);
    const ownerOf = (i: Identifier) => this.#owner.get(identifierKey(i)) ?? null;
    const ownerIds = [...new Set(input.identifiers.map(ownerOf).filter((x): x is string => !!x))];
    await this.#loadInfo(ownerIds);
    const owners = ownerIds
      .map((id) => this.#info.get(id) as Owner)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const result: ResolveResult = { customerId: '', created: false, merged: [], conflicts: [] };

    let home: Owner | undefined;
    if (input.userId) {
      const uid = this.#owner.get(`user_id\u0000${input.userId}`);
      home = owners.find((o) => o.id === uid) ?? owners.find((o) => o.userIds.size === 0);
    } else {
      home = owners[0];
    }
    if (!home) {
      // Created now (an older profile survives a merge: creation order is the order of these events).
      const id = newId('cus');
      const createdAt = new Date();
      this.#newProfiles.push({
        id,
        createdAt,
        first: input.timestamp,
        channels: input.channel ? [input.channel] : [],
      });
      home = { id, createdAt, userIds: new Set() };
      this.#info.set(home.id, home);
      this.#traits.set(home.id, { traits: {}, times: {}, email: null, phone: null, dirty: false });
      result.created = true;
    }

    const group: Owner[] = [home];
    const groupUserIds = new Set(home.userIds);
    if (input.userId) groupUserIds.add(input.userId);
    for (const o of owners) {
      if (o.id === home.id) continue;
      const compatible =
        o.userIds.size === 0 || groupUserIds.size === 0 || [...o.userIds].every((u) => groupUserIds.has(u));
      if (compatible) {
        group.push(o);
        for (const u of o.userIds) groupUserIds.add(u);
        continue;
      }
      // A conflict already raised, or dismissed by a person, is not raised again.
      if (!(await repo.findUnmergedConflict(this.tx, this.workspaceId, home.id, o.id))) {
        const id = newId('idc');
        await repo.insertConflict(this.tx, {
          id,
          workspace_id: this.workspaceId,
          customer_id: home.id,
          other_customer_id: o.id,
          reason: 'different_user_ids',
          details: {
            userIds: [[...groupUserIds], [...o.userIds]],
            sharedIdentifiers: input.identifiers.filter((i) => ownerOf(i) === o.id),
          },
          event_id: input.eventId,
        });
        result.conflicts.push(id);
      }
    }
    group.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const survivor = group[0] as Owner;
    for (const o of group.slice(1)) {
      await this.flush(); // the merge reads and writes the profiles: write what is pending first
      await mergeCustomers(this.tx, this.workspaceId, survivor.id, o.id, {
        reason: 'shared identifiers in one event',
        eventId: input.eventId,
        actor: { type: 'system', id: null },
      });
      for (const [k, v] of this.#owner) if (v === o.id) this.#owner.set(k, survivor.id);
      for (const u of o.userIds) survivor.userIds.add(u);
      this.#info.delete(o.id);
      this.#traits.delete(o.id);
      this.#traits.delete(survivor.id); // the merge combined them in the database: read again when needed
      result.merged.push(o.id);
    }

    const unowned = input.identifiers.filter((i) => !ownerOf(i));
    const attach = unowned.filter(
      (i) => !(i.kind === 'user_id' && survivor.userIds.size > 0 && !survivor.userIds.has(i.value)),
    );
    if (attach.length) {
      for (const i of attach) {
        this.#newIdentifiers.push({
          customerId: survivor.id,
          identifier: i,
          sourceId: input.sourceId,
          seenAt: input.timestamp,
        });
        this.#owner.set(identifierKey(i), survivor.id);
        if (i.kind === 'user_id') survivor.userIds.add(i.value);
      }
    }
    const t = this.#touchOf(survivor.id, input.timestamp, input.channel ?? null);
    if (input.timestamp < t.first) {
      t.first = input.timestamp;
      t.firstChannel = input.channel ?? t.firstChannel;
    }
    t.firstChannel ??= input.channel ?? null;
    if (input.timestamp > t.last) t.last = input.timestamp;
    if (input.channel) t.channels.add(input.channel);
    t.userId ??= input.userId ?? attach.find((i) => i.kind === 'user_id')?.value ?? null;
    t.email ??= attach.find((i) => i.kind === 'email')?.value ?? null;
    t.phone ??= attach.find((i) => i.kind === 'phone')?.value ?? null;
    result.customerId = survivor.id;
    return result;
  }

  /**
   * Applies traits (from identify) to a profile in memory: each trait keeps its latest value by
   * event time; written at `flush()`.
   */
  async setTraits(customerId: string, incoming: Traits, at: Date, defaultCountry: string): Promise<void> {
    let state = this.#traits.get(customerId);
    if (!state) {
      const c = await repo.findCustomer(this.tx, this.workspaceId, customerId);
      if (!c) return;
      state = { traits: c.traits, times: c.trait_times, email: c.email, phone: c.phone, dirty: false };
      this.#traits.set(customerId, state);
    }
    const { traits, times, changed } = applyTraits(state.traits, state.times, canonicalTraits(incoming), at);
    if (!changed) return;
    const iso = at.toISOString();
    const email = times.email === iso ? normalizeEmail(traits.email) : undefined;
    const phone = times.phone === iso ? normalizePhone(traits.phone, defaultCountry) : undefined;
    state.traits = traits;
    state.times = times;
    if (email && 'value' in email) state.email = email.value;
    if (phone && 'value' in phone) state.phone = phone.value;
    state.dirty = true;
  }

  /** Writes first/last seen, channels, display identifiers and changed traits of every profile touched. */
  async flush(): Promise<void> {
    if (this.#newProfiles.length) {
      const rows = this.#newProfiles.splice(0).map((p) => ({
        id: p.id,
        workspace_id: this.workspaceId,
        first_seen_at: p.first,
        last_seen_at: p.first,
        channels: p.channels,
        created_at: p.createdAt,
      }));
      await repo.insertCustomers(this.tx, rows);
    }
    if (this.#newIdentifiers.length) {
      await repo.insertIdentifiersBulk(this.tx, this.workspaceId, this.#newIdentifiers.splice(0));
    }
    const dirty = [...this.#traits.entries()].filter(([, t]) => t.dirty);
    if (dirty.length) {
      for (const [, t] of dirty) t.dirty = false;
      await repo.applyTraitStates(
        this.tx,
        this.workspaceId,
        dirty.map(([id, t]) => ({
          id,
          traits: t.traits,
          times: t.times,
          email: t.email,
          phone: t.phone,
          ...derivedColumns(t.traits),
        })),
      );
    }
    if (!this.#touch.size) return;
    const rows = [...this.#touch.entries()].map(([id, t]) => ({ id, ...t, channels: [...t.channels] }));
    this.#touch.clear();
    await repo.applyTouches(this.tx, this.workspaceId, rows);
  }
}
