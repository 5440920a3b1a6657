/**
 * Segments (SEG-1): saved rules (dynamic) and hand-made lists (static), previews, members,
 * refreshes (full, or incremental for the customers processing touched), explain.
 */
import { normalizeEmail, normalizePhone } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { pm } from '../platform/messages.js';
import { sm } from './messages.js';
import * as repo from './repository.js';
import { type Condition, referencedSegments, type SegmentRule } from './rules.js';
import type { CreateSegmentBody, UpdateSegmentBody } from './schemas.js';

/** Most members added or removed by hand in one request, and lines in one CSV. */
export const MAX_STATIC_BATCH = 10_000;
const DIRTY_BATCH = 1000;

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === '23505';
const nameTaken = (name: string) => new ConflictError('name_taken', sm('name_taken', { name }), 'name');
const pathOf = (base: string, path: (string | number)[]) => [base, ...path].join('.');

export function segmentView(s: repo.SegmentRow) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    kind: s.kind,
    rule: s.rule,
    memberCount: s.member_count,
    createdBy: s.created_by,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
    refreshedAt: s.refreshed_at ? s.refreshed_at.toISOString() : null,
  };
}

export function customerSummaryView(c: repo.CustomerSummaryRow) {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ').trim();
  return {
    id: c.id,
    name: name || null,
    email: c.email,
    phone: c.phone,
    lastSeenAt: c.last_seen_at ? c.last_seen_at.toISOString() : null,
    orderCount: c.order_count,
    revenue: Math.round(Number(c.revenue) * 100) / 100,
    currency: c.currency,
  };
}

export async function getSegmentOrThrow(db: Db | Tx, workspaceId: string, id: string) {
  const s = await repo.findSegment(db, workspaceId, id);
  if (!s) throw new NotFoundError(sm('segment_not_found'), 'id');
  return s;
}

export async function listSegments(db: Db, workspaceId: string) {
  return { items: (await repo.listSegments(db, workspaceId)).map(segmentView) };
}

// ── rules that refer to segments ──

/** Segments in an order where each comes after those its rule refers to. */
function dependencyOrder(segments: repo.SegmentRow[]): repo.SegmentRow[] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const out: repo.SegmentRow[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: repo.SegmentRow) => {
    if (state.get(s.id)) return; // a cycle cannot be saved; `visiting` here would only mean a stale one
    state.set(s.id, 'visiting');
    for (const ref of s.rule ? referencedSegments(s.rule) : []) {
      const dep = byId.get(ref.id);
      if (dep) visit(dep);
    }
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of segments) visit(s);
  return out;
}

/** 400 naming the condition when the rule refers to a missing segment, or to itself through others. */
async function checkReferences(db: Db | Tx, workspaceId: string, rule: SegmentRule, selfId: string | null) {
  const refs = referencedSegments(rule);
  if (!refs.length) return;
  const all = await repo.listSegments(db, workspaceId);
  const byId = new Map(all.map((s) => [s.id, s]));
  for (const ref of refs) {
    const field = pathOf('rule', [...ref.path, 'segmentId']);
    if (!byId.has(ref.id))
      throw new UserError(400, 'invalid_rule', sm('no_such_segment', { field, id: ref.id }), field);
    if (selfId === null) continue;
    // Does the referenced segment lead back to this one?
    const seen = new Set<string>();
    const stack = [ref.id];
    while (stack.length) {
      const id = stack.pop() as string;
      if (id === selfId) {
        throw new UserError(400, 'segment_cycle', sm('segment_cycle', { field }), field);
      }
      if (seen.has(id)) continue;
      seen.add(id);
      const s = byId.get(id);
      for (const r of s?.rule ? referencedSegments(s.rule) : []) stack.push(r.id);
    }
  }
}

// ── writes ──

export async function createSegment(
  db: Db,
  workspaceId: string,
  body: CreateSegmentBody,
  createdBy: string | null,
  now = new Date(),
) {
  if (body.kind === 'dynamic' && !body.rule)
    throw new UserError(400, 'invalid_request', sm('dynamic_needs_rule'), 'rule');
  if (body.kind === 'static' && body.rule) {
    throw new UserError(400, 'invalid_request', sm('static_no_rule_create'), 'rule');
  }
  try {
    return await db.transaction().execute(async (tx) => {
      await repo.lockWorkspaceSegments(tx, workspaceId);
      if (body.rule) await checkReferences(tx, workspaceId, body.rule, null);
      const row = await repo.insertSegment(tx, {
        id: newId('seg'),
        workspace_id: workspaceId,
        name: body.name,
        description: body.description ?? null,
        kind: body.kind,
        rule: body.rule ?? null,
        created_by: createdBy,
      });
      if (row.kind === 'dynamic') await refreshInTx(tx, workspaceId, row, now);
      return segmentView(await getSegmentOrThrow(tx, workspaceId, row.id));
    });
  } catch (err) {
    throw isUniqueViolation(err) ? nameTaken(body.name) : err;
  }
}

export async function updateSegment(
  db: Db,
  workspaceId: string,
  id: string,
  body: UpdateSegmentBody,
  now = new Date(),
) {
  try {
    return await db.transaction().execute(async (tx) => {
      await repo.lockWorkspaceSegments(tx, workspaceId);
      const current = await getSegmentOrThrow(tx, workspaceId, id);
      if (body.rule && current.kind === 'static') {
        throw new UserError(400, 'invalid_request', sm('static_no_rule'), 'rule');
      }
      if (body.rule) await checkReferences(tx, workspaceId, body.rule, id);
      const row = (await repo.updateSegment(tx, workspaceId, id, body)) as repo.SegmentRow;
      // A new rule or name: the members (and those of segments built on this one) follow now.
      if (row.kind === 'dynamic' && body.rule) await refreshWithDependents(tx, workspaceId, row.id, now);
      return segmentView(await getSegmentOrThrow(tx, workspaceId, id));
    });
  } catch (err) {
    throw isUniqueViolation(err) && body.name ? nameTaken(body.name) : err;
  }
}

export async function deleteSegment(db: Db, workspaceId: string, id: string) {
  await db.transaction().execute(async (tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    await getSegmentOrThrow(tx, workspaceId, id);
    const users = (await repo.listSegments(tx, workspaceId)).filter(
      (s) => s.id !== id && s.rule && referencedSegments(s.rule).some((r) => r.id === id),
    );
    if (users.length) {
      throw new ConflictError(
        'segment_in_use',
        sm(users.length > 1 ? 'segments_in_use' : 'segment_in_use', {
          names: users.map((s) => `"${s.name}"`).join(', '),
        }),
        'id',
      );
    }
    await repo.deleteSegment(tx, workspaceId, id);
  });
}

// ── evaluating ──

/** The count and a sample of the customers a rule matches now, and how long it took. */
export async function previewRule(db: Db, workspaceId: string, rule: SegmentRule, now = new Date()) {
  await checkReferences(db, workspaceId, rule, null);
  const started = performance.now();
  const ctx = { workspaceId, now };
  const { count, sample } = await repo.countAndSample(db, rule, ctx, 10);
  return { count, sample: sample.map(customerSummaryView), tookMs: Math.round(performance.now() - started) };
}

async function refreshInTx(tx: Tx, workspaceId: string, s: repo.SegmentRow, now: Date, scope?: string[]) {
  if (s.kind !== 'dynamic' || !s.rule) return { entered: 0, exited: 0 };
  const r = await repo.applyRule(tx, s, s.rule, { workspaceId, now, scope });
  // A full refresh counts as the segment's refresh time; an incremental one keeps the count right.
  await repo.updateMemberCount(tx, workspaceId, s.id, scope ? undefined : now);
  return r;
}

/** Refreshes a segment, then every segment built on it (transitively), in dependency order. */
async function refreshWithDependents(tx: Tx, workspaceId: string, id: string, now: Date) {
  const all = dependencyOrder(await repo.listSegments(tx, workspaceId));
  const affected = new Set([id]);
  let result = { entered: 0, exited: 0 };
  for (const s of all) {
    const dependsOnAffected = s.rule ? referencedSegments(s.rule).some((r) => affected.has(r.id)) : false;
    if (s.id !== id && !dependsOnAffected) continue;
    affected.add(s.id);
    const r = await refreshInTx(tx, workspaceId, s, now);
    if (s.id === id) result = r;
  }
  return result;
}

/** POST /segments/{id}/refresh: the segment (and those built on it) re-evaluated for everyone now. */
export async function refreshSegment(db: Db, workspaceId: string, id: string, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    const s = await getSegmentOrThrow(tx, workspaceId, id);
    const r = s.kind === 'dynamic' ? await refreshWithDependents(tx, workspaceId, id, now) : { entered: 0, exited: 0 };
    const memberCount = await repo.updateMemberCount(tx, workspaceId, id, now);
    return { ...r, memberCount };
  });
}

/** Every dynamic segment of a workspace re-evaluated for everyone (the periodic refresh, for time-based rules). */
export async function refreshWorkspace(db: Db, workspaceId: string, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    let entered = 0;
    let exited = 0;
    for (const s of dependencyOrder(await repo.listSegments(tx, workspaceId))) {
      const r = await refreshInTx(tx, workspaceId, s, now);
      entered += r.entered;
      exited += r.exited;
    }
    // Everyone was just evaluated: earlier marks are done.
    await repo.clearDirtyBefore(tx, workspaceId, now);
    return { entered, exited };
  });
}

/**
 * The incremental refresh: the customers processing marked (events arrived for them) are
 * re-evaluated against every dynamic segment, in dependency order, a batch per transaction
 * (the marks are taken in the same transaction, so a crash leaves them for the next run).
 */
export async function refreshMarked(db: Db, workspaceId: string, now = new Date()) {
  let customers = 0;
  let entered = 0;
  let exited = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      await repo.lockWorkspaceSegments(tx, workspaceId);
      const ids = await repo.claimDirty(tx, workspaceId, DIRTY_BATCH);
      if (!ids.length) return 0;
      for (const s of dependencyOrder(await repo.listSegments(tx, workspaceId))) {
        const r = await refreshInTx(tx, workspaceId, s, now, ids);
        entered += r.entered;
        exited += r.exited;
      }
      return ids.length;
    });
    customers += n;
    if (n < DIRTY_BATCH) return { customers, entered, exited };
  }
}

/** GET /segments/{id}/explain/{customerId}: each node of the rule evaluated for one customer. */
export async function explainMembership(db: Db, workspaceId: string, id: string, customerId: string, now = new Date()) {
  const s = await getSegmentOrThrow(db, workspaceId, id);
  const live = await repo.liveCustomerIds(db, workspaceId, [customerId]);
  if (!live.has(customerId)) throw new NotFoundError(sm('customer_not_found'), 'customerId');
  const member = await repo.isMember(db, workspaceId, id, customerId);
  if (!s.rule) return { member, matches: member, explanation: null };
  const { nodes, row } = await repo.explainCustomer(db, s.rule, { workspaceId, now, scope: [customerId] });
  type Node = {
    condition?: Condition;
    op?: 'all' | 'any' | 'not';
    matched: boolean;
    actual?: unknown;
    children?: Node[];
  };
  const build = (i: number): Node => {
    const n = nodes[i] as (typeof nodes)[number];
    const matched = row?.[`m${i}`] === true;
    const r = n.rule;
    if ('all' in r || 'any' in r || 'not' in r) {
      const op = 'all' in r ? 'all' : 'any' in r ? 'any' : 'not';
      return { op, matched, children: n.children.map(build) };
    }
    const actual = row?.[`a${i}`];
    return {
      condition: r,
      matched,
      actual: typeof actual === 'string' && /^-?\d+(\.\d+)?$/.test(actual) ? Number(actual) : (actual ?? null),
    };
  };
  const explanation = build(0);
  return { member, matches: explanation.matched, explanation };
}

// ── members ──

export async function listMembers(db: Db, workspaceId: string, id: string, q: { cursor?: string; limit: number }) {
  await getSegmentOrThrow(db, workspaceId, id);
  let after: string | null = null;
  if (q.cursor) {
    after = Buffer.from(q.cursor, 'base64url').toString('utf8');
    if (!after) throw new UserError(400, 'invalid_request', pm('not_a_cursor'), 'cursor');
  }
  const rows = await repo.memberPage(db, workspaceId, id, after, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(customerSummaryView),
    nextCursor: rows.length > q.limit && last ? Buffer.from(last.id).toString('base64url') : null,
  };
}

async function staticSegment(tx: Tx, workspaceId: string, id: string) {
  const s = await getSegmentOrThrow(tx, workspaceId, id);
  if (s.kind !== 'static') {
    throw new ConflictError('segment_not_static', sm('members_follow_rule'), 'id');
  }
  return s;
}

/** Adds customers to a static list by id; ids that are not live profiles of the workspace are reported. */
export async function addStaticMembers(
  db: Db | Tx,
  workspaceId: string,
  id: string,
  customerIds: string[],
  now = new Date(),
) {
  const run = async (tx: Tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    const s = await staticSegment(tx, workspaceId, id);
    const live = await repo.liveCustomerIds(tx, workspaceId, customerIds);
    const added = await repo.addMembers(tx, workspaceId, s, [...live], now);
    const memberCount = await repo.updateMemberCount(tx, workspaceId, id);
    return { added, notFound: customerIds.filter((c) => !live.has(c)), memberCount };
  };
  // A journey adds to a list inside its own transaction.
  return db.isTransaction ? run(db as Tx) : (db as Db).transaction().execute(run);
}

export async function removeStaticMembers(
  db: Db,
  workspaceId: string,
  id: string,
  customerIds: string[],
  now = new Date(),
) {
  return db.transaction().execute(async (tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    const s = await staticSegment(tx, workspaceId, id);
    const removed = await repo.removeMembers(tx, workspaceId, s, customerIds, now);
    const memberCount = await repo.updateMemberCount(tx, workspaceId, id);
    return { removed, memberCount };
  });
}

/**
 * Adds the customers of a CSV column (emails, phone numbers or customer ids; a header line is
 * skipped) to a static list; lines naming no live profile are reported with their number.
 */
export async function addStaticMembersCsv(
  db: Db,
  workspaceId: string,
  id: string,
  csv: string,
  defaultCountry: string,
  now = new Date(),
) {
  const lines = csv.split(/\r?\n/);
  const entries: { line: number; value: string; kind: 'id' | 'email' | 'phone'; key: string }[] = [];
  const notFound: { line: number; value: string }[] = [];
  lines.forEach((raw, i) => {
    // The first field of the line, unquoted.
    const value = (raw.split(/[,;\t]/)[0] ?? '')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    if (!value) return;
    if (i === 0 && /^(e-?mail|phone|mobile|id|customer_?id|customer)$/i.test(value)) return;
    if (entries.length + notFound.length >= MAX_STATIC_BATCH) {
      throw new UserError(400, 'too_many_lines', sm('too_many_lines', { max: MAX_STATIC_BATCH }), 'csv');
    }
    if (value.startsWith('cus_')) {
      entries.push({ line: i + 1, value, kind: 'id', key: value });
    } else if (value.includes('@')) {
      const n = normalizeEmail(value);
      if ('reason' in n) notFound.push({ line: i + 1, value });
      else entries.push({ line: i + 1, value, kind: 'email', key: n.value.toLowerCase() });
    } else {
      const n = normalizePhone(value, defaultCountry);
      if ('reason' in n) notFound.push({ line: i + 1, value });
      else entries.push({ line: i + 1, value, kind: 'phone', key: n.value });
    }
  });
  return db.transaction().execute(async (tx) => {
    await repo.lockWorkspaceSegments(tx, workspaceId);
    const s = await staticSegment(tx, workspaceId, id);
    const live = await repo.liveCustomerIds(
      tx,
      workspaceId,
      entries.filter((e) => e.kind === 'id').map((e) => e.key),
    );
    const byContact = await repo.customersByContact(
      tx,
      workspaceId,
      entries.filter((e) => e.kind === 'email').map((e) => e.key),
      entries.filter((e) => e.kind === 'phone').map((e) => e.key),
    );
    const ids = new Set<string>();
    for (const e of entries) {
      const found = e.kind === 'id' ? (live.has(e.key) ? e.key : undefined) : byContact.get(e.key);
      if (found) ids.add(found);
      else notFound.push({ line: e.line, value: e.value });
    }
    const added = await repo.addMembers(tx, workspaceId, s, [...ids], now);
    const memberCount = await repo.updateMemberCount(tx, workspaceId, id);
    return { added, notFound: notFound.sort((a, b) => a.line - b.line), memberCount };
  });
}

// ── hooks ──

/** Inside a merge: the merged profile's memberships become the survivor's, and the survivor is re-evaluated. */
export async function moveMembershipsOnMerge(tx: Tx, e: { workspaceId: string; mergedId: string; survivorId: string }) {
  await repo.lockWorkspaceSegments(tx, e.workspaceId);
  await repo.moveMemberships(tx, e.workspaceId, e.mergedId, e.survivorId);
  for (const segmentId of await repo.segmentsWithMembers(tx, e.workspaceId, [e.survivorId])) {
    await repo.updateMemberCount(tx, e.workspaceId, segmentId);
  }
  if (await repo.hasDynamicSegments(tx, e.workspaceId)) await repo.markDirty(tx, e.workspaceId, [e.survivorId]);
}

/**
 * Which of `customerIds` (every live customer when absent) match a rule at `now`: journeys'
 * condition branches, exit rules, goals and scheduled triggers. Segment references are checked.
 */
export async function customersMatching(
  db: Db | Tx,
  workspaceId: string,
  rule: SegmentRule,
  customerIds?: string[],
  now = new Date(),
): Promise<Set<string>> {
  if (customerIds && customerIds.length === 0) return new Set();
  const ids = await repo.matchingIds(db, rule, { workspaceId, now, ...(customerIds ? { scope: customerIds } : {}) });
  return new Set(ids);
}
