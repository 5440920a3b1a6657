/**
 * The customers API's logic (DATA-1, DATA-5): find profiles (search, filters, sorts, keyset
 * pages, CSV), read one as a 360 view, edit it by hand (create, traits, tags, notes, owner),
 * merge two explicitly, settle identity conflicts, tag many at once; companies and their people.
 * Identity resolution itself stays in service.ts.
 */
import { findWorkspaceMember, getWorkspaceOrThrow } from '../access/index.js';
import type { Actor as RequestActor } from '../platform/context.js';
import type { Db, Tx } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { type IdentifierKind, IdentifierSet } from './identifiers.js';
import { cm, identifierReason } from './messages.js';
import * as repo from './repository.js';
import type { CreateBody, CustomerSort, ExportQuery, ListQuery, LookupQuery, UpdateBody } from './schemas.js';
import { type Actor, getCustomerOrThrow, lockWorkspaceIdentity, mergeCustomers, updateTraits } from './service.js';
import { decodeTimelineCursor, readTimeline } from './timeline.js';
import { canonicalTraits, derivedColumns } from './traits.js';
import { companyView, conflictView, customerSummaryView, mergeView, money, timelineItemView } from './views.js';

// ── finding profiles ──

/** The LIKE pattern of a search: a fragment anywhere; a phone number typed with spaces matches its E.164 form. */
export function searchPattern(q: string): string | undefined {
  let s = q.trim();
  if (!s) return undefined;
  if (/^[+\d\s().-]+$/.test(s) && (s.match(/\d/g)?.length ?? 0) >= 3) s = s.replace(/[\s().-]/g, '');
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A trait value from a query string may mean text, a number or a boolean: match any of them. */
function traitCandidates(v: string): unknown[] {
  const out: unknown[] = [v];
  if (v.trim() !== '' && Number.isFinite(Number(v))) out.push(Number(v));
  if (v === 'true' || v === 'false') out.push(v === 'true');
  return out;
}

function toFilter(q: ExportQuery): repo.CustomerFilter {
  const date = (s: string | undefined) => (s ? new Date(s) : undefined);
  // The key as stored: `first_name` is kept as `firstName`.
  const traitKey =
    q.traitKey === undefined ? undefined : (Object.keys(canonicalTraits({ [q.traitKey]: 1 }))[0] as string);
  return {
    searchPattern: q.q ? searchPattern(q.q) : undefined,
    channel: q.channel,
    tag: q.tag?.trim(),
    traitKey,
    traitValues: q.traitValue === undefined ? undefined : traitCandidates(q.traitValue),
    firstSeenFrom: date(q.firstSeenFrom),
    firstSeenTo: date(q.firstSeenTo),
    lastSeenFrom: date(q.lastSeenFrom),
    lastSeenTo: date(q.lastSeenTo),
    minOrders: q.minOrders,
    maxOrders: q.maxOrders,
    minRevenue: q.minRevenue,
    maxRevenue: q.maxRevenue,
  };
}

function parseSort(sort: CustomerSort): { sort: repo.CustomerSortKey; desc: boolean } {
  return sort.startsWith('-')
    ? { sort: sort.slice(1) as repo.CustomerSortKey, desc: true }
    : { sort: sort as repo.CustomerSortKey, desc: false };
}

const badCursor = () => new UserError(400, 'invalid_request', cm('list_cursor'), 'cursor');

const KEY_FORMAT: Record<string, RegExp> = {
  timestamptz: /^(-?infinity|\d{4,}-\d{2}-\d{2}[ T][\d:.]+(Z|[+-]\d{2}(:?\d{2}){0,2})?( BC)?)$/,
  numeric: /^-?\d{1,20}(\.\d{1,10})?$/,
  int: /^-?\d{1,12}$/,
  boolean: /^(true|false)$/,
  text: /^[\s\S]{0,400}$/,
};

function encodeListCursor(sort: CustomerSort, keys: string[], id: string): string {
  return Buffer.from(JSON.stringify([sort, keys, id])).toString('base64url');
}

function decodeListCursor(cursor: string, sort: CustomerSort): { keys: string[]; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const types = repo.CUSTOMER_SORT_KEYS[parseSort(sort).sort].map((k) => k.type);
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort) throw badCursor();
  const [, keys, id] = parsed as [unknown, unknown, unknown];
  if (typeof id !== 'string' || !id || id.length > 100 || !Array.isArray(keys) || keys.length !== types.length)
    throw badCursor();
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || !KEY_FORMAT[types[i] as string]?.test(k)) throw badCursor();
  });
  return { keys: keys as string[], id };
}

/** A database error caused by a value sent by the client (a forged cursor PostgreSQL cannot read). */
const isDataException = (err: unknown) =>
  typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('22');

/** One page of profiles matching the filters, and the cursor of the next page (null on the last). */
export async function listCustomers(db: Db, workspaceId: string, q: ListQuery) {
  const { sort, desc } = parseSort(q.sort);
  const after = q.cursor ? decodeListCursor(q.cursor, q.sort) : undefined;
  let rows: Awaited<ReturnType<typeof repo.listCustomerPage>>;
  try {
    rows = await repo.listCustomerPage(db, workspaceId, toFilter(q), { sort, desc, after, limit: q.limit + 1 });
  } catch (err) {
    if (after && isDataException(err)) throw badCursor();
    throw err;
  }
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => customerSummaryView(r.row)),
    nextCursor: rows.length > q.limit && last ? encodeListCursor(q.sort, last.keys, last.row.id) : null,
  };
}

// ── CSV export ──

const CSV_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'user_id',
  'channels',
  'acquisition_channel',
  'first_seen_at',
  'last_seen_at',
  'orders',
  'revenue',
  'currency',
  'tags',
];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, line break or edge space.
 * A text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading
 * apostrophe, since names and traits come from public forms; numbers and +E.164 phones stay as they are.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?[\d\s().-]+$/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvLine = (cells: (string | number | null | undefined)[]) => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * The whole filtered list as CSV, read a thousand profiles at a time along the same keyset as
 * the list (no long transaction: on embedded PGlite one would hold the only connection for the
 * whole download). Starts with a UTF-8 byte order mark so spreadsheets read accents right.
 */
export async function* exportCustomersCsv(db: Db, workspaceId: string, q: ExportQuery): AsyncGenerator<string> {
  const PAGE = 1000;
  const filter = toFilter(q);
  const { sort, desc } = parseSort(q.sort);
  yield `\uFEFF${csvLine(CSV_COLUMNS)}`;
  let after: { keys: string[]; id: string } | undefined;
  for (;;) {
    const rows = await repo.listCustomerPage(db, workspaceId, filter, { sort, desc, after, limit: PAGE });
    if (rows.length > 0) {
      yield rows
        .map(({ row: c }) =>
          csvLine([
            c.id,
            c.first_name,
            c.last_name,
            c.email,
            c.phone,
            c.user_id,
            c.channels.join(';'),
            c.acquisition_channel,
            c.first_seen_at?.toISOString(),
            c.last_seen_at?.toISOString(),
            c.order_count,
            money(c.revenue).toFixed(2),
            c.currency,
            c.tags.join(';'),
          ]),
        )
        .join('');
    }
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || !last) return;
    after = { keys: last.keys, id: last.row.id };
  }
}

// ── one profile ──

const LOOKUP: Record<Exclude<keyof LookupQuery, 'namespace'>, IdentifierKind | 'external'> = {
  email: 'email',
  phone: 'phone',
  userId: 'user_id',
  anonymousId: 'anonymous_id',
  externalId: 'external',
};

/** The profile that owns an identifier, normalised as ingestion normalises it (email case, E.164 phones). */
export async function lookupCustomer(db: Db, workspaceId: string, q: LookupQuery) {
  const field = (Object.keys(LOOKUP) as (keyof typeof LOOKUP)[]).find((k) => q[k] !== undefined);
  if (!field) throw new UserError(400, 'invalid_request', cm('give_one_identifier'), 'email');
  const kind: IdentifierKind =
    LOOKUP[field] === 'external' ? `external:${q.namespace?.toLowerCase()}` : (LOOKUP[field] as IdentifierKind);
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  const set = new IdentifierSet(ws.default_country);
  const value = set.add(kind, q[field]);
  if (value === null) {
    throw new UserError(
      400,
      'invalid_request',
      cm('bad_identifier', { field, reason: identifierReason(set.rejected[0]?.reason, 'not_identifier') }),
      field,
    );
  }
  const owner = await repo.findIdentifierOwner(db, workspaceId, kind, value);
  if (!owner) throw new NotFoundError(cm('customer_not_found'), field);
  return customerSummaryView(await getCustomerOrThrow(db, workspaceId, owner));
}

/** The customer's own time zone: their `timezone` trait, when it names one (IANA, e.g. Europe/Madrid). */
export function timeZoneOf(traits: Record<string, unknown>): string | null {
  const tz = traits.timezone;
  if (typeof tz !== 'string' || !tz.trim() || tz.length > 100) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The 360 view: profile, traits, identifiers, merge history, open identity conflicts, facts,
 * companies, owner and the 20 latest timeline items. A merged profile's id answers with the survivor.
 */
export async function getCustomer360(db: Db, workspaceId: string, id: string) {
  const c = await getCustomerOrThrow(db, workspaceId, id);
  const [identifiers, merges, conflicts, companies, owner, timeline] = await Promise.all([
    repo.listIdentifiers(db, workspaceId, [c.id]),
    repo.listMergeHistory(db, workspaceId, c.id),
    repo.listOpenConflicts(db, workspaceId, c.id),
    repo.listCompaniesOf(db, workspaceId, c.id),
    c.owner_user_id ? findWorkspaceMember(db, workspaceId, c.owner_user_id) : undefined,
    readTimeline(db, { workspaceId, customerId: c.id, limit: 20 }),
  ]);
  const otherOf = (k: repo.ConflictRow) => (k.customer_id === c.id ? k.other_customer_id : k.customer_id);
  const others = new Map(
    (await repo.findCustomerSummaries(db, workspaceId, conflicts.map(otherOf))).map((o) => [o.id, o]),
  );
  const orders = c.order_count;
  const revenue = money(c.revenue);
  return {
    id: c.id,
    mergedFrom: c.id === id ? null : id,
    firstName: c.first_name,
    lastName: c.last_name,
    email: c.email,
    phone: c.phone,
    userId: c.user_id,
    traits: c.traits,
    timezone: timeZoneOf(c.traits),
    tags: c.tags,
    notes: c.notes,
    owner: c.owner_user_id ? { userId: c.owner_user_id, name: owner?.name ?? null, email: owner?.email ?? null } : null,
    facts: {
      firstSeenAt: c.first_seen_at?.toISOString() ?? null,
      lastSeenAt: c.last_seen_at?.toISOString() ?? null,
      channels: c.channels,
      acquisitionChannel: c.acquisition_channel,
      orders,
      revenue,
      averageOrderValue: orders > 0 ? money(revenue / orders) : null,
      firstOrderAt: c.first_order_at?.toISOString() ?? null,
      lastOrderAt: c.last_order_at?.toISOString() ?? null,
      currency: c.currency,
    },
    identifiers: identifiers.map((i) => ({
      kind: i.kind,
      value: i.value,
      firstSeenAt: i.first_seen_at.toISOString(),
      sourceId: i.source_id,
    })),
    merges: merges.map(mergeView),
    conflicts: conflicts.flatMap((k) => {
      const other = others.get(otherOf(k));
      if (!other) return [];
      return [
        {
          id: k.id,
          reason: k.reason,
          details: k.details,
          eventId: k.event_id,
          createdAt: k.created_at.toISOString(),
          other: customerSummaryView(other),
        },
      ];
    }),
    companies: companies.map(companyView),
    timeline: { data: timeline.items.map(timelineItemView), nextCursor: timeline.nextCursor },
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

const csv = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A page of a profile's timeline (every registered source), filtered by type and channel. */
export async function customerTimeline(
  db: Db,
  workspaceId: string,
  id: string,
  q: { cursor?: string; limit: number; type?: string; channel?: string },
) {
  const c = await getCustomerOrThrow(db, workspaceId, id);
  const r = await readTimeline(db, {
    workspaceId,
    customerId: c.id,
    before: q.cursor ? decodeTimelineCursor(q.cursor) : undefined,
    limit: q.limit,
    types: csv(q.type),
    channels: csv(q.channel),
  });
  return { data: r.items.map(timelineItemView), nextCursor: r.nextCursor };
}

// ── editing ──

const cleanTags = (tags: string[] | undefined) => [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))];

async function requireMember(db: Db, workspaceId: string, userId: string) {
  if (!(await findWorkspaceMember(db, workspaceId, userId))) {
    throw new UserError(400, 'invalid_request', cm('not_a_member'), 'ownerUserId');
  }
}

/** The actor of a request as merges record it. */
export function mergeActor(actor: RequestActor | undefined): Actor {
  if (!actor) return { type: 'system', id: null };
  return actor.type === 'user' ? { type: 'user', id: actor.userId } : { type: 'api_key', id: actor.keyId };
}

const FIELD_OF: Record<string, string> = { email: 'email', phone: 'phone', user_id: 'userId' };

/**
 * Creates a profile by hand. Its email, phone and userId become identifiers (an email or phone
 * given only as a trait too, as an identify call would); one that already belongs to another
 * profile is refused with 409 naming the field and that profile.
 */
export async function createCustomer(db: Db, workspaceId: string, body: CreateBody) {
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  if (body.ownerUserId) await requireMember(db, workspaceId, body.ownerUserId);
  const traits = canonicalTraits(body.traits ?? {});
  const fromTrait = (k: 'email' | 'phone') => (typeof traits[k] === 'string' ? (traits[k] as string) : undefined);
  const given: [IdentifierKind, string, unknown][] = [
    ['email', body.email !== undefined ? 'email' : 'traits.email', body.email ?? fromTrait('email')],
    ['phone', body.phone !== undefined ? 'phone' : 'traits.phone', body.phone ?? fromTrait('phone')],
    ['user_id', 'userId', body.userId],
  ];
  const set = new IdentifierSet(ws.default_country);
  const fieldOf = new Map<string, string>();
  for (const [kind, field, raw] of given) {
    if (raw === undefined) continue;
    const value = set.add(kind, raw);
    if (value === null) {
      // A trait that is not a valid email/phone stays a trait, as it would from an identify call.
      if (field.startsWith('traits.')) continue;
      throw new UserError(
        400,
        'invalid_request',
        cm('bad_identifier', { field, reason: identifierReason(set.rejected.at(-1)?.reason, 'invalid') }),
        field,
      );
    }
    fieldOf.set(kind, field);
  }
  const value = (kind: string) => set.ids.find((i) => i.kind === kind)?.value ?? null;

  return db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    const taken = await repo.findOwnersBulk(tx, workspaceId, set.ids);
    for (const kind of ['email', 'phone', 'user_id']) {
      const t = taken.find((o) => o.kind === kind);
      if (!t) continue;
      const field = fieldOf.get(kind) ?? FIELD_OF[kind] ?? kind;
      throw new UserError(
        409,
        'identifier_taken',
        cm('identifier_taken', { field, value: t.value, customerId: t.customer_id }),
        field,
        { customerId: t.customer_id },
      );
    }
    const now = new Date();
    const row = await repo.insertCustomer(tx, {
      id: newId('cus'),
      workspace_id: workspaceId,
      first_seen_at: null,
      last_seen_at: null,
      channels: [],
    });
    await repo.insertIdentifiers(tx, workspaceId, row.id, set.ids, null, now);
    await repo.fillIdentityColumns(tx, workspaceId, row.id, {
      user_id: value('user_id'),
      email: value('email'),
      phone: value('phone'),
    });
    const withIds = {
      ...traits,
      ...(value('email') ? { email: value('email') } : {}),
      ...(value('phone') ? { phone: value('phone') } : {}),
    };
    if (Object.keys(withIds).length) await updateTraits(tx, workspaceId, row.id, withIds, now, ws.default_country);
    const tags = cleanTags(body.tags);
    if (tags.length || body.notes !== undefined || body.ownerUserId) {
      await repo.updateCustomer(tx, workspaceId, row.id, {
        tags,
        notes: body.notes ?? null,
        owner_user_id: body.ownerUserId ?? null,
      });
    }
    return row.id;
  });
}

/** Removes traits, remembering when, so that an older event does not bring them back. */
async function removeTraits(tx: Tx, workspaceId: string, customerId: string, keys: string[], at: Date) {
  const c = await repo.findCustomer(tx, workspaceId, customerId);
  if (!c) throw new NotFoundError(cm('customer_not_found'));
  const traits = { ...c.traits };
  const times = { ...c.trait_times };
  for (const k of keys) {
    delete traits[k];
    times[k] = at.toISOString();
  }
  await repo.updateCustomer(tx, workspaceId, customerId, { traits, trait_times: times, ...derivedColumns(traits) });
}

/**
 * Edits a profile by hand: traits (as of now; null removes one), tags (replace, add, remove),
 * notes, owner. Holds the workspace's identity lock so that a merge or an event in flight
 * cannot overwrite the edit with what it read before.
 */
export async function updateCustomerProfile(db: Db, workspaceId: string, id: string, body: UpdateBody) {
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  if (body.ownerUserId) await requireMember(db, workspaceId, body.ownerUserId);
  return db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    const c = await getCustomerOrThrow(tx, workspaceId, id);
    const now = new Date();
    if (body.traits) {
      const incoming = canonicalTraits(body.traits);
      const set = Object.fromEntries(Object.entries(incoming).filter(([, v]) => v !== null));
      const removed = Object.keys(incoming).filter((k) => incoming[k] === null);
      if (Object.keys(set).length) await updateTraits(tx, workspaceId, c.id, set, now, ws.default_country);
      if (removed.length) await removeTraits(tx, workspaceId, c.id, removed, now);
    }
    const patch: repo.CustomerPatch = {};
    if (body.tags || body.addTags || body.removeTags) {
      const remove = new Set(cleanTags(body.removeTags));
      patch.tags = cleanTags([...(body.tags ?? c.tags), ...(body.addTags ?? [])]).filter((t) => !remove.has(t));
    }
    if (body.notes !== undefined) patch.notes = body.notes;
    if (body.ownerUserId !== undefined) patch.owner_user_id = body.ownerUserId;
    if (Object.keys(patch).length) await repo.updateCustomer(tx, workspaceId, c.id, patch);
    return c.id;
  });
}

/**
 * Merges `mergedId` into `survivorId` on request: this direction whatever the profiles' ages.
 * Open conflicts between them are settled as merged; the actor is recorded with the merge.
 */
export async function mergeCustomersByHand(
  db: Db,
  workspaceId: string,
  survivorId: string,
  mergedId: string,
  why: { reason?: string; actor: Actor },
) {
  return db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    const survivor = await getCustomerOrThrow(tx, workspaceId, survivorId);
    if (survivorId === mergedId) {
      throw new UserError(400, 'invalid_request', cm('merge_into_itself'), 'customerId');
    }
    const merged = await getCustomerOrThrow(tx, workspaceId, mergedId).catch((err) => {
      throw err instanceof NotFoundError ? new NotFoundError(cm('customer_not_found'), 'customerId') : err;
    });
    if (merged.id === survivor.id) {
      throw new ConflictError(
        'already_merged',
        cm('already_merged', { mergedId, survivorId: survivor.id }),
        'customerId',
      );
    }
    await repo.resolveConflictsBetween(tx, workspaceId, survivor.id, merged.id, 'merged');
    await mergeCustomers(tx, workspaceId, survivor.id, merged.id, {
      reason: why.reason ?? 'merged by hand',
      eventId: null,
      actor: why.actor,
    });
    return survivor.id;
  });
}

/** Marks an open identity conflict of a profile as reviewed and not a merge. */
export async function dismissConflict(db: Db, workspaceId: string, customerId: string, conflictId: string) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  const k = await repo.findConflict(db, workspaceId, conflictId);
  if (!k || (k.customer_id !== c.id && k.other_customer_id !== c.id))
    throw new NotFoundError(cm('conflict_not_found'), 'conflictId');
  if (k.status !== 'open')
    throw new ConflictError('conflict_closed', cm('conflict_closed', { status: k.status }), 'conflictId');
  return conflictView(await repo.setConflictStatus(db, workspaceId, conflictId, 'dismissed'));
}

/** Adds and removes tags on up to 1,000 profiles in one statement. */
export async function bulkTagCustomers(
  db: Db,
  workspaceId: string,
  body: { ids: string[]; add?: string[]; remove?: string[] },
) {
  const ids = [...new Set(body.ids)];
  const updated = await db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    return repo.bulkTag(tx, workspaceId, ids, cleanTags(body.add), cleanTags(body.remove));
  });
  const done = new Set(updated);
  return { updated: updated.length, notFound: ids.filter((i) => !done.has(i)) };
}

/**
 * Adds tags to the live profiles that own these identifiers (an import tags the customers it
 * brings); identifiers nobody owns are skipped. Returns how many profiles were tagged.
 */
export async function addTagsByIdentifier(
  db: Db,
  workspaceId: string,
  rows: { kind: IdentifierKind; value: string; tags: string[] }[],
) {
  const owners = await repo.findOwnersBulk(db, workspaceId, rows);
  const ownerOf = new Map(owners.map((o) => [`${o.kind}\u0000${o.value}`, o.customer_id]));
  // One statement per distinct set of tags.
  const byTags = new Map<string, Set<string>>();
  for (const r of rows) {
    const id = ownerOf.get(`${r.kind}\u0000${r.value}`);
    const tags = cleanTags(r.tags);
    if (!id || tags.length === 0) continue;
    const key = JSON.stringify(tags);
    byTags.set(key, (byTags.get(key) ?? new Set()).add(id));
  }
  if (byTags.size === 0) return 0;
  return db.transaction().execute(async (tx) => {
    await lockWorkspaceIdentity(tx, workspaceId);
    const tagged = new Set<string>();
    for (const [key, ids] of byTags) {
      for (const id of await repo.bulkTag(tx, workspaceId, [...ids], JSON.parse(key) as string[], [])) tagged.add(id);
    }
    return tagged.size;
  });
}

// ── companies ──

function decodeCompanyCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && KEY_FORMAT.timestamptz?.test(createdAt) && typeof id === 'string' && id)
      return { createdAt, id };
  } catch {
    // fall through
  }
  throw badCursor();
}

/** A page of companies, newest first. */
export async function listCompanies(db: Db, workspaceId: string, q: { q?: string; limit: number; cursor?: string }) {
  const after = q.cursor ? decodeCompanyCursor(q.cursor) : undefined;
  const rows = await repo
    .listCompanies(db, workspaceId, { searchPattern: q.q ? searchPattern(q.q) : undefined, after, limit: q.limit + 1 })
    .catch((err) => {
      throw after && isDataException(err) ? badCursor() : err;
    });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({ ...companyView(r), peopleCount: r.people_count })),
    nextCursor:
      rows.length > q.limit && last
        ? Buffer.from(JSON.stringify([last.sort_key, last.id])).toString('base64url')
        : null,
  };
}

/** A company with its people (the 200 most recently linked). */
export async function getCompany(db: Db, workspaceId: string, id: string) {
  const c = await repo.findCompany(db, workspaceId, id);
  if (!c) throw new NotFoundError(cm('company_not_found'));
  const people = await repo.listCompanyPeople(db, workspaceId, id, 200);
  return { ...companyView(c), peopleCount: c.people_count, people: people.map(customerSummaryView) };
}
