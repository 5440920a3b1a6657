/** Journeys: drafts, publishing (versions), pausing, archiving, analytics, simulation and tasks. */
import { findWorkspaceMember } from '../access/index.js';
import { findLiveCustomers, getCustomerOrThrow } from '../customers/index.js';
import { sendTemplateTest, summarizeMessages, templateExists } from '../messaging/index.js';
import type { Db, Tx } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { english } from '../platform/messages.js';
import { customersMatching, getSegmentOrThrow, referencedSegments, type SegmentRule } from '../segments/index.js';
import { type Definition, exits, type GraphIssue, type JourneyNode, parseDefinition } from './definition.js';
import { bucket, interestingEvents, splitBranch } from './engine.js';
import { jm } from './messages.js';
import * as repo from './repository.js';
import { channelSender } from './senders.js';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function journeyView(j: repo.JourneyRow) {
  const parsed = parseDefinition(j.draft);
  return {
    id: j.id,
    name: j.name,
    description: j.description,
    status: j.status,
    version: j.version,
    playbook: j.playbook,
    draft: j.draft as Record<string, unknown>,
    /** Problems of the draft (empty: it can be published). */
    issues: parsed.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      node: i.node ?? null,
      message: i.message,
    })),
    draftUpdatedAt: iso(j.draft_updated_at) as string,
    createdAt: iso(j.created_at) as string,
    updatedAt: iso(j.updated_at) as string,
  };
}
export type JourneyView = ReturnType<typeof journeyView>;

export async function getJourneyOrThrow(db: Db | Tx, workspaceId: string, id: string, lock = false) {
  const j = await repo.findJourney(db, workspaceId, id, lock);
  if (!j) throw new NotFoundError(jm('journey_not_found'));
  return j;
}

export async function listJourneys(db: Db, workspaceId: string) {
  const rows = await repo.listJourneys(db, workspaceId);
  return { items: rows.map(journeyView) };
}

/** An empty journey to start from: an event trigger and one step to fill in. */
export const BLANK: Record<string, unknown> = {
  trigger: { type: 'event', event: 'Signed Up' },
  entry: { mode: 'once' },
  start: 'end',
  nodes: { end: { type: 'exit' } },
};

function checkDraftSize(definition: unknown) {
  if (!definition || typeof definition !== 'object' || Array.isArray(definition))
    throw new UserError(
      400,
      'invalid_request',
      jm('invalid_definition', { count: 1, path: 'definition', message: 'an object' }),
      'definition',
    );
  if (JSON.stringify(definition).length > 500_000)
    throw new UserError(
      400,
      'invalid_request',
      jm('invalid_definition', { count: 1, path: 'definition', message: 'at most 500 KB' }),
      'definition',
    );
}

const taken = (err: unknown) => (err as { code?: string }).code === '23505';

export async function createJourney(
  db: Db,
  workspaceId: string,
  body: { name: string; description?: string | null; definition?: unknown; playbook?: string | null },
  by: string | null,
) {
  const draft = body.definition ?? BLANK;
  checkDraftSize(draft);
  try {
    return journeyView(
      await repo.insertJourney(db, {
        id: newId('jny'),
        workspace_id: workspaceId,
        name: body.name,
        description: body.description ?? null,
        draft,
        playbook: body.playbook ?? null,
        created_by: by,
      }),
    );
  } catch (err) {
    if (taken(err)) throw new ConflictError('name_taken', jm('name_taken', { name: body.name }), 'name');
    throw err;
  }
}

/** Renames, redescribes or edits the draft: nobody inside is affected until it is published. */
export async function updateJourney(
  db: Db,
  workspaceId: string,
  id: string,
  body: { name?: string; description?: string | null; definition?: unknown },
) {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  if (j.status === 'archived') throw new UserError(409, 'archived', jm('archived'), 'status');
  if (body.definition !== undefined) checkDraftSize(body.definition);
  try {
    const row = await repo.updateJourney(db, workspaceId, id, {
      name: body.name,
      description: body.description,
      draft: body.definition,
    });
    return journeyView(row as repo.JourneyRow);
  } catch (err) {
    if (taken(err)) throw new ConflictError('name_taken', jm('name_taken', { name: body.name ?? '' }), 'name');
    throw err;
  }
}

/** Rules in a definition, with their paths (condition branches, exit, goal). */
function rulesOf(d: Definition): { path: string; rule: SegmentRule }[] {
  const out: { path: string; rule: SegmentRule }[] = [];
  if (d.exit) out.push({ path: 'exit', rule: d.exit });
  if (d.goal?.rule) out.push({ path: 'goal.rule', rule: d.goal.rule });
  for (const [id, n] of Object.entries(d.nodes))
    if (n.type === 'condition') out.push({ path: `nodes.${id}.rule`, rule: n.rule });
  return out;
}

/** What only the database can say: segments, lists, templates, team members, channels. */
async function checkReferences(db: Db | Tx, workspaceId: string, d: Definition): Promise<GraphIssue[]> {
  const issues: GraphIssue[] = [];
  const segment = async (path: (string | number)[], segmentId: string, staticList: boolean, node?: string) => {
    try {
      const s = await getSegmentOrThrow(db, workspaceId, segmentId);
      if (staticList && s.kind !== 'static')
        issues.push({ path, node, message: english(jm('ref_not_static', { id: segmentId })) });
    } catch {
      issues.push({ path, node, message: english(jm('ref_no_segment', { id: segmentId })) });
    }
  };
  if (d.trigger.type === 'segment') await segment(['trigger', 'segmentId'], d.trigger.segmentId, false);
  for (const r of rulesOf(d))
    for (const ref of referencedSegments(r.rule)) {
      const node = r.path.startsWith('nodes.') ? r.path.split('.')[1] : undefined;
      await segment([...r.path.split('.'), ...ref.path.map(String), 'segmentId'], ref.id, false, node);
    }
  for (const [id, n] of Object.entries(d.nodes)) {
    if (n.type === 'add_to_list') await segment(['nodes', id, 'segmentId'], n.segmentId, true, id);
    if (n.type === 'send') {
      if (n.templateKey && !(await templateExists(db, workspaceId, n.templateKey)))
        issues.push({
          path: ['nodes', id, 'templateKey'],
          node: id,
          message: english(jm('ref_no_template', { key: n.templateKey })),
        });
      if (n.channel !== 'email' && !channelSender(n.channel))
        issues.push({
          path: ['nodes', id, 'channel'],
          node: id,
          message: english(jm('ref_channel', { channel: n.channel })),
        });
    }
    if (n.type === 'task' && n.assigneeId && !(await findWorkspaceMember(db, workspaceId, n.assigneeId)))
      issues.push({
        path: ['nodes', id, 'assigneeId'],
        node: id,
        message: english(jm('ref_no_member', { id: n.assigneeId })),
      });
  }
  return issues;
}

function invalid(issues: GraphIssue[]): never {
  const first = issues[0] as GraphIssue;
  const path = first.path.map(String).join('.');
  throw new UserError(
    400,
    'invalid_definition',
    jm('invalid_definition', { count: issues.length, path: `definition.${path}`, message: first.message }),
    `definition.${path}`,
    {
      issues: issues.map((i) => ({
        path: `definition.${i.path.map(String).join('.')}`,
        node: i.node ?? null,
        message: i.message,
      })),
    },
  );
}

/** Checks a definition without saving it: the problems, each with its node. */
export async function validateDefinition(db: Db, workspaceId: string, definition: unknown) {
  const parsed = parseDefinition(definition);
  const issues = parsed.definition ? await checkReferences(db, workspaceId, parsed.definition) : parsed.issues;
  return {
    valid: issues.length === 0,
    issues: issues.map((i) => ({
      path: `definition.${i.path.map(String).join('.')}`,
      node: i.node ?? null,
      message: i.message,
    })),
  };
}

/**
 * Publishes the draft as a new version; new entrants take it, customers inside keep theirs. The
 * journey becomes active. A draft with problems is refused (400 with every problem and its node).
 */
export async function publishJourney(db: Db, workspaceId: string, id: string, by: string | null) {
  return db.transaction().execute(async (tx) => {
    const j = await getJourneyOrThrow(tx, workspaceId, id, true);
    if (j.status === 'archived') throw new UserError(409, 'archived', jm('archived'), 'status');
    const parsed = parseDefinition(j.draft);
    if (!parsed.definition) invalid(parsed.issues);
    const refs = await checkReferences(tx, workspaceId, parsed.definition);
    if (refs.length) invalid(refs);
    const version = j.version + 1;
    await repo.insertVersion(tx, {
      workspace_id: workspaceId,
      journey_id: id,
      version,
      definition: parsed.definition,
      published_by: by,
    });
    return journeyView(
      (await repo.updateJourney(tx, workspaceId, id, { status: 'active', version })) as repo.JourneyRow,
    );
  });
}

/** Pauses (nobody enters, nobody moves; timers keep their time) or resumes a published journey. */
export async function setJourneyStatus(db: Db, workspaceId: string, id: string, status: 'active' | 'paused') {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  if (j.status === 'archived') throw new UserError(409, 'archived', jm('archived'), 'status');
  if (j.version === 0) throw new UserError(409, 'not_published', jm('not_published'), 'status');
  return journeyView((await repo.updateJourney(db, workspaceId, id, { status })) as repo.JourneyRow);
}

/** Archives a journey: everyone inside leaves (`exited`, reason `archived`); it stays for its analytics. */
export async function archiveJourney(db: Db, workspaceId: string, id: string, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    await getJourneyOrThrow(tx, workspaceId, id, true);
    const left = await repo.exitAll(tx, workspaceId, id, 'archived', now);
    await repo.insertStepLog(
      tx,
      left.map((e) => ({
        workspace_id: workspaceId,
        journey_id: id,
        version: e.version,
        enrollment_id: e.id,
        customer_id: e.customer_id,
        node: e.node,
        outcome: 'exited',
        detail: { reason: 'archived' },
        message_id: null,
        at: now,
      })),
    );
    return journeyView((await repo.updateJourney(tx, workspaceId, id, { status: 'archived' })) as repo.JourneyRow);
  });
}

/** Deletes a journey that was never published (a published one is archived, keeping its history). */
export async function deleteJourney(db: Db, workspaceId: string, id: string) {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  if (j.version > 0) throw new UserError(409, 'published', jm('archived'), 'status');
  await repo.deleteJourney(db, workspaceId, id);
}

export async function listVersions(db: Db, workspaceId: string, id: string) {
  await getJourneyOrThrow(db, workspaceId, id);
  const rows = await repo.listVersions(db, workspaceId, id);
  return {
    items: rows.map((v) => ({
      version: v.version,
      publishedAt: iso(v.published_at) as string,
      publishedBy: v.published_by,
    })),
  };
}

export async function getVersion(db: Db, workspaceId: string, id: string, version: string) {
  await getJourneyOrThrow(db, workspaceId, id);
  const n = /^[1-9]\d{0,8}$/.test(version) ? Number(version) : 0;
  const v = n ? await repo.findVersion(db, workspaceId, id, n) : undefined;
  if (!v) throw new NotFoundError(jm('journey_not_found'));
  return {
    version: v.version,
    publishedAt: iso(v.published_at) as string,
    definition: v.definition as unknown as Record<string, unknown>,
  };
}

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);

/**
 * Journey analytics: per step, how many passed, are waiting there now, and what happened
 * (sent, skipped with reasons, branches); messages sent, opened and clicked; customers entered,
 * inside, completed, converted and exited; conversion against the holdout.
 */
export async function journeyStats(db: Db, workspaceId: string, id: string) {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  const [counts, waiting, totals, messageIds] = await Promise.all([
    repo.stepCounts(db, workspaceId, id),
    repo.waitingCounts(db, workspaceId, id),
    repo.enrollmentTotals(db, workspaceId, id),
    repo.messageIdsByNode(db, workspaceId, id),
  ]);
  const nodes = new Map<
    string,
    {
      node: string;
      passed: number;
      waiting: number;
      outcomes: Record<string, number>;
      messages: Awaited<ReturnType<typeof summarizeMessages>> | null;
    }
  >();
  const at = (node: string) => {
    let n = nodes.get(node);
    if (!n) {
      n = { node, passed: 0, waiting: 0, outcomes: {}, messages: null };
      nodes.set(node, n);
    }
    return n;
  };
  for (const c of counts) {
    if (!c.node) continue;
    const n = at(c.node);
    n.outcomes[c.outcome] = (n.outcomes[c.outcome] ?? 0) + c.n;
    if (!['waiting', 'deferred', 'failed'].includes(c.outcome)) n.passed += c.n;
  }
  for (const w of waiting) if (w.node) at(w.node).waiting = w.n;
  for (const m of messageIds) at(m.node).messages = await summarizeMessages(db, workspaceId, m.ids);
  const main = totals.find((t) => !t.holdout);
  const hold = totals.find((t) => t.holdout);
  const entered = main?.entered ?? 0;
  const converted = main?.converted ?? 0;
  const holdEntered = hold?.entered ?? 0;
  const holdConverted = hold?.converted ?? 0;
  const conversion = rate(converted, entered);
  const baseline = rate(holdConverted, holdEntered);
  return {
    journeyId: j.id,
    version: j.version,
    status: j.status,
    entered,
    active: main?.active ?? 0,
    completed: main?.completed ?? 0,
    converted,
    exited: main?.exited ?? 0,
    failed: main?.failed ?? 0,
    conversionRate: conversion,
    holdout: { entered: holdEntered, converted: holdConverted, conversionRate: baseline },
    /** Conversion rate minus the holdout's (null without a holdout or without entrants). */
    lift: conversion !== null && baseline !== null ? Math.round((conversion - baseline) * 10_000) / 10_000 : null,
    steps: [...nodes.values()].sort((a, b) => a.node.localeCompare(b.node)),
  };
}

/**
 * "Simulate for this customer": the path the draft (or a version) would take them along now —
 * conditions evaluated on their profile, splits and holdout by the same hashing the engine
 * uses, waits described; stops at a wait for an event (both ways shown) or after 50 steps.
 */
export async function simulate(
  db: Db,
  workspaceId: string,
  id: string,
  customerId: string,
  version?: number,
  now = new Date(),
) {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  let d: Definition;
  if (version) {
    const v = await repo.findVersion(db, workspaceId, id, version);
    if (!v) throw new NotFoundError(jm('journey_not_found'));
    d = v.definition;
  } else {
    const parsed = parseDefinition(j.draft);
    if (!parsed.definition) invalid(parsed.issues);
    d = parsed.definition;
  }
  const path: { node: string; type: JourneyNode['type']; outcome: string; detail?: Record<string, unknown> }[] = [];
  const holdout = d.holdoutPercent > 0 && bucket(`${id}:${c.id}:`) < d.holdoutPercent;
  if (holdout) return { customerId: c.id, holdout: true, path, end: 'holdout' };
  if (d.exit && (await customersMatching(db, workspaceId, d.exit, [c.id], now)).has(c.id))
    return { customerId: c.id, holdout: false, path, end: 'exit_rule' };
  let at: string | undefined = d.start;
  let end = 'completed';
  for (let i = 0; at && i < 50; i++) {
    const n = d.nodes[at] as JourneyNode;
    let to: string | undefined;
    let outcome = 'passed';
    let detail: Record<string, unknown> | undefined;
    switch (n.type) {
      case 'condition': {
        const yes = (await customersMatching(db, workspaceId, n.rule, [c.id], now)).has(c.id);
        outcome = yes ? 'yes' : 'no';
        to = yes ? n.yes : n.no;
        break;
      }
      case 'split': {
        // The engine hashes the enrollment id, unknown before entry: the branch shown is by customer.
        const k = splitBranch(n.branches, bucket(`${c.id}:${at}`));
        outcome = 'branch';
        detail = { branch: k, percent: (n.branches[k] as { percent: number }).percent };
        to = (n.branches[k] as { next?: string }).next;
        break;
      }
      case 'wait':
        outcome = 'wait';
        detail = { ...(n.for ? { for: n.for } : {}), ...(n.untilTime ? { untilTime: n.untilTime } : {}) };
        to = n.next;
        break;
      case 'wait_for_event':
        path.push({
          node: at,
          type: n.type,
          outcome: 'wait_for_event',
          detail: { event: n.event, timeout: n.timeout, next: n.next, timeoutNext: n.timeoutNext },
        });
        return { customerId: c.id, holdout: false, path, end: 'waits_for_event' };
      case 'send':
        outcome = 'send';
        detail = { channel: n.channel, purpose: n.purpose, ...(n.templateKey ? { templateKey: n.templateKey } : {}) };
        to = n.next;
        break;
      case 'goal':
        end = 'converted';
        break;
      case 'exit':
        break;
      default:
        to = exits(n)[0]?.to;
    }
    path.push({ node: at, type: n.type, outcome, ...(detail ? { detail } : {}) });
    at = to;
  }
  return { customerId: c.id, holdout: false, path, end };
}

/** The journeys a customer is in or was in (the 360). */
export async function customerJourneys(db: Db, workspaceId: string, customerId: string) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  const rows = await repo.customerEnrollments(db, workspaceId, c.id);
  return {
    customerId: c.id,
    items: rows.map((e) => ({
      id: e.id,
      journeyId: e.journey_id,
      journeyName: e.journey_name,
      version: e.version,
      state: e.state,
      holdout: e.holdout,
      node: e.node,
      nextAt: iso(e.next_at),
      waitingFor: e.wait_event,
      enteredAt: iso(e.entered_at) as string,
      endedAt: iso(e.ended_at),
      convertedAt: iso(e.converted_at),
      endReason: e.end_reason,
    })),
  };
}

/** What happened to one enrollment, step by step. */
export async function enrollmentHistory(db: Db, workspaceId: string, enrollmentId: string) {
  if (!(await repo.findEnrollment(db, workspaceId, enrollmentId))) throw new NotFoundError(jm('enrollment_not_found'));
  const rows = await repo.enrollmentLog(db, workspaceId, enrollmentId);
  return {
    items: rows.map((r) => ({
      node: r.node,
      outcome: r.outcome,
      detail: r.detail,
      messageId: r.message_id,
      at: iso(r.at) as string,
    })),
  };
}

/**
 * "Send a test to yourself": an email step of the draft, rendered for a customer (or a sample one)
 * in a language, to `to` (default: the signed-in person's email).
 */
export async function testSend(
  db: Db,
  secret: string,
  workspaceId: string,
  id: string,
  body: { node: string; to?: string; locale?: string; customerId?: string },
  userId: string | null,
) {
  const j = await getJourneyOrThrow(db, workspaceId, id);
  const raw = (j.draft as { nodes?: Record<string, unknown> }).nodes?.[body.node] as
    | Record<string, unknown>
    | undefined;
  if (raw?.type !== 'send' || raw.channel !== 'email')
    throw new UserError(400, 'invalid_request', jm('test_send_node'), 'node');
  let to = body.to;
  if (!to && userId) to = (await findWorkspaceMember(db, workspaceId, userId))?.email;
  if (!to) throw new UserError(400, 'invalid_request', jm('test_send_to'), 'to');
  const content =
    typeof raw.templateKey === 'string'
      ? { key: raw.templateKey }
      : {
          variants: {
            en: {
              subject: String(raw.subject ?? ''),
              html: String(raw.html ?? ''),
              text: (raw.text as string) ?? null,
            },
          },
        };
  return sendTemplateTest(db, secret, workspaceId, {
    to,
    ...content,
    locale: body.locale,
    customerId: body.customerId,
    purpose: raw.purpose === 'transactional' ? 'transactional' : 'marketing',
  });
}

// ── tasks ──

export function taskView(t: repo.TaskRow) {
  return {
    id: t.id,
    customerId: t.customer_id,
    title: t.title,
    notes: t.notes,
    assigneeId: t.assignee_id,
    dueAt: iso(t.due_at),
    status: t.status,
    journeyId: t.journey_id,
    createdAt: iso(t.created_at) as string,
    doneAt: iso(t.done_at),
  };
}

export async function listTasks(
  db: Db,
  workspaceId: string,
  q: { status?: 'open' | 'done'; assigneeId?: string; customerId?: string; limit?: number },
) {
  return { items: (await repo.listTasks(db, workspaceId, { ...q, limit: q.limit ?? 100 })).map(taskView) };
}

export async function setTaskStatus(db: Db, workspaceId: string, id: string, status: 'open' | 'done') {
  const t = await repo.setTaskStatus(db, workspaceId, id, status, new Date());
  if (!t) throw new NotFoundError(jm('task_not_found'));
  return taskView(t);
}

// ── what the engine needs from others ──

export { interestingEvents };

/** Live profiles among ids (the 360 links, simulation). */
export const liveCustomers = findLiveCustomers;
