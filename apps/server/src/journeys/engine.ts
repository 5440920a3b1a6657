/**
 * The journey engine (AUT-1). Everything is rows in PostgreSQL: an enrollment is at a node, due
 * at `next_at` (the durable timer); a pass over a workspace
 *   1. takes in what happened (`intake`): events from the inbox written by event processing
 *      (triggers, waits for an event, goal events) and segment entries and exits read in order
 *      from the segments log; it enrolls whom the entry rules let in;
 *   2. looks for date and inactivity triggers (`scan`), at most every few minutes;
 *   3. runs due enrollments (`runDue`), a batch per transaction, locked with SKIP LOCKED so any
 *      number of workers share the work: every step's effects (a queued message with an
 *      idempotency key per enrollment, step and visit; a task; a trait) commit with the
 *      enrollment's move, so a crash replays the batch and never sends twice.
 * The clock is a parameter (`now`): tests run a 30-day wait in a moment.
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import { getThresholds } from '../analytics/index.js';
import { customersOnDates, findLiveCustomers, tagCustomers, updateTraits } from '../customers/index.js';
import { countRecentMarketing, queueEmails } from '../messaging/index.js';
import type { Db, Tx } from '../platform/db.js';
import { newId } from '../platform/ids.js';
import { consentedAmong } from '../privacy/index.js';
import { addStaticMembers, customersMatching, membershipChangesAfter, type PropertyFilter } from '../segments/index.js';
import { type Definition, durationMs, type JourneyNode, type Trigger } from './definition.js';
import * as repo from './repository.js';
import { channelSender } from './senders.js';
import { getJourneySettings, type JourneySettings } from './settings.js';
import { isTimeZone, localDate, nextTimeOfDay, quietUntil } from './time.js';

type Obj = Record<string, unknown>;
const DAY = 86_400_000;
/** Enrollments per transaction. */
export const RUN_BATCH = 500;
/** Steps one enrollment may take in one pass (a long chain continues in the next). */
const MAX_ROUNDS = 50;
/** Date and inactivity triggers are looked for at most this often. */
export const SCAN_EVERY_MS = 5 * 60_000;

// ── definitions (immutable per version) ──

const versions = new Map<string, Definition>();
async function definitionOf(db: Db | Tx, workspaceId: string, journeyId: string, version: number) {
  const key = `${journeyId}:${version}`;
  let d = versions.get(key);
  if (!d) {
    const v = await repo.findVersion(db, workspaceId, journeyId, version);
    if (!v) return undefined;
    d = v.definition;
    versions.set(key, d);
  }
  return d;
}

// ── small pure helpers ──

/** A stable number in [0, 100) for a string: holdout and split assignment. */
export function bucket(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 100;
}

/** The branch of a split a stable bucket in [0, 100) falls in (percentages add up to 100). */
export function splitBranch(branches: { percent: number }[], b: number): number {
  let acc = 0;
  let i = 0;
  for (; i < branches.length - 1; i++) {
    acc += (branches[i] as { percent: number }).percent;
    if (b < acc) break;
  }
  return i;
}

/** Whether an event's properties pass property filters (the segment rule language's `where`). */
export function matchesWhere(props: Obj | null | undefined, where: PropertyFilter[] | undefined): boolean {
  if (!where?.length) return true;
  const p = props ?? {};
  return where.every((f) => {
    const v = p[f.property];
    switch (f.op) {
      case 'equals':
        return String(v) === String(f.value) && v !== undefined;
      case 'not_equals':
        return v === undefined || String(v) !== String(f.value);
      case 'contains':
        return typeof v === 'string' && v.toLowerCase().includes(String(f.value).toLowerCase());
      case 'gt':
        return Number(v) > Number(f.value);
      case 'lt':
        return Number(v) < Number(f.value);
      case 'in':
        return Array.isArray(f.value) && v !== undefined && f.value.map(String).includes(String(v));
      default:
        return false;
    }
  });
}

/** The event names the engine wants from event processing in a workspace: triggers, waits, goals. */
export async function interestingEvents(db: Db | Tx, workspaceId: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const j of await repo.activeJourneys(db, workspaceId)) {
    const d = j.definition;
    if (d.trigger.type === 'event') names.add(d.trigger.event);
    if (d.goal?.event) names.add(d.goal.event);
    for (const n of Object.values(d.nodes)) if (n.type === 'wait_for_event') names.add(n.event);
  }
  // Older versions still have customers inside, waiting.
  for (const v of await repo.waitedEventsOfOlderVersions(db, workspaceId)) names.add(v);
  return names;
}

// ── intake ──

interface Entrant {
  journey: { id: string; version: number; definition: Definition };
  customerId: string;
  occurrence: string | null;
  timezone: string | null;
  trigger: Obj | null;
  dueAt: Date;
}

/** Enrolls entrants journey by journey (entry rules, holdout) and logs their entry. */
async function enrollAll(tx: Tx, workspaceId: string, entrants: Entrant[], now: Date): Promise<number> {
  const byJourney = new Map<string, Entrant[]>();
  for (const e of entrants) {
    const list = byJourney.get(e.journey.id) ?? [];
    list.push(e);
    byJourney.set(e.journey.id, list);
  }
  let n = 0;
  for (const list of byJourney.values()) {
    const { id, version, definition: d } = (list[0] as Entrant).journey;
    const candidates = list.map((e): repo.EnrollCandidate => {
      const holdout = d.holdoutPercent > 0 && bucket(`${id}:${e.customerId}:${e.occurrence ?? ''}`) < d.holdoutPercent;
      return {
        journeyId: id,
        version,
        customerId: e.customerId,
        occurrence: e.occurrence,
        timezone: e.timezone,
        trigger: e.trigger,
        holdout,
        // The holdout sits out the goal window (its conversions are the baseline), then completes.
        dueAt: holdout ? new Date(now.getTime() + (d.goal ? d.goal.withinDays * DAY : 0)) : e.dueAt,
        node: d.start,
      };
    });
    const made = await repo.enroll(
      tx,
      workspaceId,
      d.entry,
      candidates,
      now,
      candidates.map(() => newId('jen')),
    );
    n += made.length;
    await repo.insertStepLog(
      tx,
      made.map((e) => ({
        workspace_id: workspaceId,
        journey_id: e.journey_id,
        version: e.version,
        enrollment_id: e.id,
        customer_id: e.customer_id,
        node: null,
        outcome: e.holdout ? 'holdout' : 'entered',
        detail: e.trigger ? { trigger: e.trigger } : null,
        message_id: null,
        at: now,
      })),
    );
  }
  return n;
}

const triggerOfEvent = (t: Trigger, row: repo.InboxRow) =>
  t.type === 'event' && t.event === row.event && matchesWhere(row.properties, t.where);

/**
 * Takes in the inbox (events) and the segments log since the last intake: goals met, waits for an
 * event ended, customers enrolled. One intake at a time per workspace. Returns enrollments made.
 */
export async function intake(db: Db, workspaceId: string, now: Date): Promise<{ enrolled: number; taken: number }> {
  return db.transaction().execute(async (tx) => {
    if (!(await repo.tryLockIntake(tx, workspaceId))) return { enrolled: 0, taken: 0 };
    const journeys = await repo.activeJourneys(tx, workspaceId);
    const inbox = await repo.takeInbox(tx, workspaceId, 5000);
    const cursor = await repo.findCursor(tx, workspaceId);
    const changes = await membershipChangesAfter(tx, workspaceId, cursor.segmentSeq, 5000);
    if (changes.length)
      await repo.saveCursor(tx, workspaceId, { segmentSeq: (changes[changes.length - 1] as { seq: number }).seq });
    if (!inbox.length && !changes.length) return { enrolled: 0, taken: 0 };

    // Goals met by an event: inside → converted; ended within the window → converted_at.
    const goals: { journeyId: string; customerId: string; since: Date }[] = [];
    for (const j of journeys) {
      const g = j.definition.goal;
      if (!g?.event) continue;
      for (const row of inbox)
        if (row.event === g.event && matchesWhere(row.properties, g.where))
          goals.push({
            journeyId: j.id,
            customerId: row.customer_id,
            since: new Date(now.getTime() - g.withinDays * DAY),
          });
    }
    const converted = await repo.convert(tx, workspaceId, goals, now);
    await repo.insertStepLog(
      tx,
      converted
        .filter((e) => e.state === 'converted')
        .map((e) => ({
          workspace_id: workspaceId,
          journey_id: e.journey_id,
          version: e.version,
          enrollment_id: e.id,
          customer_id: e.customer_id,
          node: e.node,
          outcome: 'converted',
          detail: { by: 'goal_event' },
          message_id: null,
          at: now,
        })),
    );

    // Waits for an event that happened.
    const waiting = await repo.waitingFor(
      tx,
      workspaceId,
      [...new Set(inbox.map((r) => r.customer_id))],
      [...new Set(inbox.map((r) => r.event))],
    );
    const resumed: repo.EnrollmentRow[] = [];
    const log: repo.StepLogRow[] = [];
    for (const e of waiting) {
      const d = await definitionOf(tx, workspaceId, e.journey_id, e.version);
      const node = d && e.node ? d.nodes[e.node] : undefined;
      if (node?.type !== 'wait_for_event') continue;
      const hit = inbox.find(
        (r) => r.customer_id === e.customer_id && r.event === node.event && matchesWhere(r.properties, node.where),
      );
      if (!hit) continue;
      log.push({
        workspace_id: workspaceId,
        journey_id: e.journey_id,
        version: e.version,
        enrollment_id: e.id,
        customer_id: e.customer_id,
        node: e.node,
        outcome: 'event',
        detail: { event: hit.event },
        message_id: null,
        at: now,
      });
      resumed.push({
        ...e,
        node: node.next ?? null,
        parked: false,
        wait_event: null,
        next_at: now,
        steps: e.steps + 1,
      });
    }
    await repo.saveEnrollments(tx, workspaceId, resumed);
    await repo.insertStepLog(tx, log);

    // Triggers.
    const entrants: Entrant[] = [];
    for (const j of journeys) {
      const t = j.definition.trigger;
      if (t.type === 'event') {
        for (const row of inbox)
          if (triggerOfEvent(t, row))
            entrants.push({
              journey: j,
              customerId: row.customer_id,
              occurrence: null,
              timezone: row.timezone,
              trigger: { event: row.event, eventId: row.event_id, properties: row.properties ?? {}, at: row.at },
              dueAt: now,
            });
      } else if (t.type === 'segment') {
        const want = t.on === 'entered' ? 'Segment Entered' : 'Segment Exited';
        for (const c of changes)
          if (c.segmentId === t.segmentId && c.event === want)
            entrants.push({
              journey: j,
              customerId: c.customerId,
              occurrence: null,
              timezone: null,
              trigger: { event: c.event, segmentId: c.segmentId, segmentName: c.segmentName, at: c.at },
              dueAt: now,
            });
      }
    }
    const enrolled = await enrollAll(tx, workspaceId, entrants, now);
    return { enrolled, taken: inbox.length + changes.length };
  });
}

// ── scheduled triggers ──

/**
 * Date triggers (a birthday, N days after the last order) and inactivity triggers, for journeys
 * that have them, at most every `SCAN_EVERY_MS`. A date enrolls on the local day it names (the
 * workspace's calendar), due at the trigger's time of day in the customer's time zone; the
 * occurrence (the date) keeps it to one entry per date.
 */
export async function scan(db: Db, workspaceId: string, now: Date, force = false): Promise<number> {
  return db.transaction().execute(async (tx) => {
    if (!(await repo.tryLockIntake(tx, workspaceId))) return 0;
    const cursor = await repo.findCursor(tx, workspaceId);
    if (!force && cursor.scannedAt && now.getTime() - cursor.scannedAt.getTime() < SCAN_EVERY_MS) return 0;
    await repo.saveCursor(tx, workspaceId, { scannedAt: now });
    const journeys = (await repo.activeJourneys(tx, workspaceId)).filter(
      (j) => j.definition.trigger.type === 'date' || j.definition.trigger.type === 'inactivity',
    );
    if (!journeys.length) return 0;
    const ws = await getWorkspaceOrThrow(tx, workspaceId);
    const entrants: Entrant[] = [];
    for (const j of journeys) {
      const t = j.definition.trigger;
      if (t.type === 'date') {
        // Today's and tomorrow's dates (the customer's local day may be ahead of the workspace's).
        const dates = [0, 1].map((k) => localDate(now, ws.timezone, k - t.offsetDays));
        const found = await customersOnDates(tx, workspaceId, {
          trait: t.trait,
          fact: t.fact,
          dates,
          yearly: t.yearly,
          timezone: ws.timezone,
        });
        if (!found.length) continue;
        const people = new Map(
          (
            await findLiveCustomers(
              tx,
              workspaceId,
              found.map((f) => f.id),
            )
          ).map((c) => [c.id, c]),
        );
        for (const f of found) {
          const c = people.get(f.id);
          if (!c) continue;
          const tz = customerTz(c.traits as Obj, null, ws.timezone);
          // The day the trigger fires, in the customer's zone: the date plus the offset.
          const target = t.yearly
            ? fireDayYearly(now, tz, f.date.slice(5), t.offsetDays)
            : shiftDate(f.date, t.offsetDays);
          if (!target) continue;
          const [y, m, d] = target.split('-').map(Number) as [number, number, number];
          const dueAt = nextTimeOfDay(new Date(Date.UTC(y, m - 1, d) - 14 * 3600_000), t.at, tz);
          if (localDate(dueAt, tz) !== target) continue;
          // Past today's time already (a late scan): still today, so enter now.
          entrants.push({
            journey: j,
            customerId: c.id,
            occurrence: target,
            timezone: null,
            trigger: { date: f.date, ...(t.trait ? { trait: t.trait } : { fact: t.fact }) },
            dueAt: dueAt.getTime() < now.getTime() ? now : dueAt,
          });
        }
      } else if (t.type === 'inactivity') {
        // Did the event (any event) in the day before the threshold, and not since.
        const did = (lastDays: number, yes: boolean) =>
          t.event
            ? { type: 'event' as const, event: t.event, did: yes, within: { lastDays } }
            : {
                type: 'fact' as const,
                fact: 'last_seen_at' as const,
                op: (yes ? 'within_last_days' : 'not_within_last_days') as 'within_last_days',
                days: lastDays,
              };
        const rule = { all: [did(t.days + 1, true), did(t.days, false)] };
        const ids = await customersMatching(tx, workspaceId, rule as never, undefined, now);
        for (const id of ids)
          entrants.push({
            journey: j,
            customerId: id,
            occurrence: `inactive:${localDate(now, ws.timezone)}`,
            timezone: null,
            trigger: { inactiveDays: t.days, ...(t.event ? { event: t.event } : {}) },
            dueAt: now,
          });
      }
    }
    return enrollAll(tx, workspaceId, entrants, now);
  });
}

function shiftDate(date: string, days: number): string | null {
  const t = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(t)) return null;
  return new Date(t + days * DAY).toISOString().slice(0, 10);
}

/** This year's (or next year's) day, in `tz`, that is `offset` days from the month-day `md`. */
function fireDayYearly(now: Date, tz: string, md: string, offset: number): string | null {
  const today = localDate(now, tz);
  const year = Number(today.slice(0, 4));
  for (const y of [year - 1, year, year + 1]) {
    // 29 February falls on 28 February in other years.
    let date = `${y}-${md}`;
    if (md === '02-29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) date = `${y}-02-28`;
    const day = shiftDate(date, offset);
    if (day && day >= today && day <= localDate(now, tz, 1)) return day;
  }
  return null;
}

function customerTz(traits: Obj | null | undefined, enrollmentTz: string | null, workspaceTz: string): string {
  const t = traits?.timezone;
  if (isTimeZone(t)) return t;
  if (isTimeZone(enrollmentTz)) return enrollmentTz;
  return workspaceTz;
}

// ── running due enrollments ──

interface Run {
  e: repo.EnrollmentRow;
  d: Definition;
  journeyName: string;
  customer: {
    id: string;
    traits: Obj;
    tz: string;
    orders: { count: number; first: Date | null; last: Date | null };
  };
  /** Due after being parked at its node (a wait ended, a deferred send): resume rather than enter. */
  resumed: boolean;
  done: boolean;
  parked: boolean;
}

class RunContext {
  readonly log: repo.StepLogRow[] = [];
  steps = 0;
  /** Marketing messages queued in this batch per channel and customer (frequency caps). */
  readonly sentNow = new Map<string, number>();
  constructor(
    readonly tx: Tx,
    readonly workspaceId: string,
    readonly now: Date,
    readonly settings: JourneySettings,
    readonly defaultCountry: string,
  ) {}

  #interval: number | undefined;
  /** The business's usual days between two orders (its lifecycle "active" threshold). */
  async businessInterval(): Promise<number> {
    this.#interval ??= (await getThresholds(this.tx as unknown as Db, this.workspaceId, { now: this.now })).activeDays;
    return this.#interval;
  }

  record(r: Run, outcome: string, detail: Obj | null = null, messageId: string | null = null) {
    this.log.push({
      workspace_id: this.workspaceId,
      journey_id: r.e.journey_id,
      version: r.e.version,
      enrollment_id: r.e.id,
      customer_id: r.e.customer_id,
      node: r.e.node,
      outcome,
      detail,
      message_id: messageId,
      at: this.now,
    });
  }

  /** The step at the current node is done: on to `to` (or the end). */
  advance(r: Run, to: string | undefined, outcome: string, detail: Obj | null = null, messageId: string | null = null) {
    this.record(r, outcome, detail, messageId);
    this.steps++;
    r.e.steps++;
    r.e.parked = false;
    r.e.wait_event = null;
    r.resumed = false;
    if (to === undefined) {
      r.e.node = null;
      this.finish(r, 'completed', 'end');
      return;
    }
    r.e.node = to;
  }

  /** Stays at the current node until `until` (then resumed). */
  park(r: Run, until: Date, outcome: string, detail: Obj | null = null, waitEvent: string | null = null) {
    this.record(r, outcome, { ...detail, until: until.toISOString() });
    if (!r.resumed) this.steps++;
    r.e.parked = true;
    r.e.next_at = until;
    r.e.wait_event = waitEvent;
    r.parked = true;
  }

  finish(r: Run, state: repo.EnrollmentState, reason: string, log = false) {
    if (log) this.record(r, state, { reason });
    r.e.state = state;
    r.e.end_reason = reason;
    r.e.ended_at = this.now;
    r.e.next_at = null;
    r.e.parked = false;
    r.e.wait_event = null;
    if (state === 'converted') r.e.converted_at = this.now;
    r.done = true;
  }

  visit(r: Run): number {
    const node = r.e.node as string;
    if (!r.resumed) r.e.visits = { ...r.e.visits, [node]: (r.e.visits[node] ?? 0) + 1 };
    return r.e.visits[node] ?? 1;
  }

  key(r: Run, kind: string) {
    return `jny:${r.e.id}:${r.e.node}:${r.e.visits[r.e.node as string] ?? 1}${kind ? `:${kind}` : ''}`;
  }
}

type Executor<N extends JourneyNode> = (c: RunContext, runs: Run[], node: N) => Promise<void>;

const execWait: Executor<Extract<JourneyNode, { type: 'wait' }>> = async (c, runs, node) => {
  for (const r of runs) {
    if (r.resumed) {
      c.advance(r, node.next, 'waited');
      continue;
    }
    c.visit(r);
    let due = new Date(c.now.getTime() + (node.for ? durationMs(node.for) : 0));
    if (node.reorderInterval) {
      const o = r.customer.orders;
      const own = o.count >= 2 && o.first && o.last ? (o.last.getTime() - o.first.getTime()) / (o.count - 1) : null;
      const interval = own && own > 0 ? own : (await c.businessInterval()) * DAY;
      due = new Date((o.last ?? c.now).getTime() + interval + (node.for ? durationMs(node.for) : 0));
    }
    if (node.untilTime) due = nextTimeOfDay(due, node.untilTime, r.customer.tz);
    if (due.getTime() <= c.now.getTime()) c.advance(r, node.next, 'waited');
    else c.park(r, due, 'waiting');
  }
};

const execWaitEvent: Executor<Extract<JourneyNode, { type: 'wait_for_event' }>> = async (c, runs, node) => {
  for (const r of runs) {
    if (r.resumed) {
      c.advance(r, node.timeoutNext, 'timeout');
      continue;
    }
    c.visit(r);
    c.park(r, new Date(c.now.getTime() + durationMs(node.timeout)), 'waiting', { event: node.event }, node.event);
  }
};

const execCondition: Executor<Extract<JourneyNode, { type: 'condition' }>> = async (c, runs, node) => {
  const yes = await customersMatching(
    c.tx,
    c.workspaceId,
    node.rule,
    runs.map((r) => r.customer.id),
    c.now,
  );
  for (const r of runs) {
    c.visit(r);
    if (yes.has(r.customer.id)) c.advance(r, node.yes, 'yes');
    else c.advance(r, node.no, 'no');
  }
};

const execSplit: Executor<Extract<JourneyNode, { type: 'split' }>> = async (c, runs, node) => {
  for (const r of runs) {
    c.visit(r);
    const i = splitBranch(node.branches, bucket(`${r.e.id}:${r.e.node}`));
    const branch = node.branches[i] as { next?: string; label?: string };
    c.advance(r, branch.next, 'branch', { branch: i, ...(branch.label ? { label: branch.label } : {}) });
  }
};

const execSend: Executor<Extract<JourneyNode, { type: 'send' }>> = async (c, runs, node) => {
  let todo = runs;
  if (node.purpose === 'marketing' && node.channel !== 'webhook') {
    // Quiet hours, in each customer's own time zone: wait for them to end.
    const quiet = c.settings.quietHours;
    if (quiet) {
      const left: Run[] = [];
      for (const r of todo) {
        const until = quietUntil(c.now, quiet, r.customer.tz);
        if (!until) {
          left.push(r);
          continue;
        }
        c.visit(r);
        c.park(r, until, 'deferred', { reason: 'quiet_hours', timezone: r.customer.tz });
      }
      todo = left;
    }
    // Consent.
    const consented = await consentedAmong(
      c.tx,
      c.workspaceId,
      todo.map((r) => r.customer.id),
      node.channel,
      'marketing',
    );
    const left: Run[] = [];
    for (const r of todo) {
      if (consented.has(r.customer.id)) left.push(r);
      else {
        c.visit(r);
        c.advance(r, node.next, 'skipped', { reason: 'no_consent', channel: node.channel });
      }
    }
    todo = left;
    // Frequency cap across all journeys.
    const cap = c.settings.frequencyCaps[node.channel];
    if (cap && todo.length) {
      const counts = await countRecentMarketing(
        c.tx,
        c.workspaceId,
        todo.map((r) => r.customer.id),
        node.channel,
        new Date(c.now.getTime() - cap.days * DAY),
      );
      const keep: Run[] = [];
      for (const r of todo) {
        const k = `${node.channel}:${r.customer.id}`;
        const n = (counts.get(r.customer.id) ?? 0) + (c.sentNow.get(k) ?? 0);
        if (n >= cap.max) {
          c.visit(r);
          c.advance(r, node.next, 'skipped', {
            reason: 'frequency_cap',
            channel: node.channel,
            max: cap.max,
            days: cap.days,
          });
        } else {
          c.sentNow.set(k, (c.sentNow.get(k) ?? 0) + 1);
          keep.push(r);
        }
      }
      todo = keep;
    }
  }
  if (!todo.length) return;
  for (const r of todo) c.visit(r);
  const data = (r: Run) => ({
    journey: { id: r.e.journey_id, name: r.journeyName, enrollmentId: r.e.id },
    trigger: (r.e.trigger?.properties as Obj | undefined) ?? {},
  });
  if (node.channel === 'email') {
    const queued = await queueEmails(
      c.tx,
      c.workspaceId,
      todo.map((r) => ({
        customerId: r.customer.id,
        purpose: node.purpose,
        idempotencyKey: c.key(r, ''),
        data: data(r),
        ...(node.templateKey
          ? { templateKey: node.templateKey }
          : { subject: node.subject, html: node.html, text: node.text }),
      })),
      c.now,
    );
    todo.forEach((r, i) => {
      const q = queued[i];
      c.advance(
        r,
        node.next,
        'sent',
        { channel: 'email', ...(q?.created ? {} : { again: true }) },
        q?.messageId ?? null,
      );
    });
    return;
  }
  const send = channelSender(node.channel);
  for (const r of todo) {
    if (!send) {
      c.advance(r, node.next, 'skipped', { reason: 'channel_unavailable', channel: node.channel });
      continue;
    }
    const messageId = await send(c.tx, c.workspaceId, {
      customerId: r.customer.id,
      purpose: node.purpose,
      idempotencyKey: c.key(r, ''),
      node,
      data: data(r),
    });
    c.advance(r, node.next, 'sent', { channel: node.channel }, messageId);
  }
};

const execUpdate: Executor<Extract<JourneyNode, { type: 'update_profile' }>> = async (c, runs, node) => {
  const traits = node.setTraits ?? {};
  if (Object.keys(traits).length)
    for (const r of runs) await updateTraits(c.tx, c.workspaceId, r.customer.id, traits, c.now, c.defaultCountry);
  if (node.addTags?.length || node.removeTags?.length)
    await tagCustomers(
      c.tx,
      c.workspaceId,
      runs.map((r) => r.customer.id),
      node.addTags ?? [],
      node.removeTags ?? [],
    );
  for (const r of runs) {
    c.visit(r);
    c.advance(r, node.next, 'updated');
  }
};

const execList: Executor<Extract<JourneyNode, { type: 'add_to_list' }>> = async (c, runs, node) => {
  await addStaticMembers(
    c.tx,
    c.workspaceId,
    node.segmentId,
    runs.map((r) => r.customer.id),
    c.now,
  );
  for (const r of runs) {
    c.visit(r);
    c.advance(r, node.next, 'added', { segmentId: node.segmentId });
  }
};

const execTask: Executor<Extract<JourneyNode, { type: 'task' }>> = async (c, runs, node) => {
  const rows = runs.map((r) => {
    c.visit(r);
    return {
      id: newId('tsk'),
      workspace_id: c.workspaceId,
      customer_id: r.customer.id,
      title: node.title,
      notes: node.notes ?? null,
      assignee_id: node.assigneeId ?? null,
      due_at: node.dueInDays !== undefined ? new Date(c.now.getTime() + node.dueInDays * DAY) : null,
      journey_id: r.e.journey_id,
      idempotency_key: c.key(r, 'task'),
      created_at: c.now,
    };
  });
  const made = new Map((await repo.insertTasks(c.tx, rows)).map((t) => [t.idempotency_key, t.id]));
  runs.forEach((r, i) => {
    const key = rows[i]?.idempotency_key as string;
    c.advance(r, node.next, 'task', made.has(key) ? { taskId: made.get(key) } : { again: true });
  });
};

async function execNode(c: RunContext, runs: Run[], node: JourneyNode): Promise<void> {
  switch (node.type) {
    case 'wait':
      return execWait(c, runs, node);
    case 'wait_for_event':
      return execWaitEvent(c, runs, node);
    case 'condition':
      return execCondition(c, runs, node);
    case 'split':
      return execSplit(c, runs, node);
    case 'send':
      return execSend(c, runs, node);
    case 'update_profile':
      return execUpdate(c, runs, node);
    case 'add_to_list':
      return execList(c, runs, node);
    case 'task':
      return execTask(c, runs, node);
    case 'goal':
      for (const r of runs) {
        c.record(r, 'goal');
        c.steps++;
        c.finish(r, 'converted', 'goal_step');
      }
      return;
    case 'exit':
      for (const r of runs) {
        c.record(r, 'exit');
        c.steps++;
        c.finish(r, 'completed', 'exit_step');
      }
      return;
  }
}

/** Exit rules and goal rules, checked for these runs now: those matching leave. */
async function checkExitsAndGoals(c: RunContext, runs: Run[]) {
  const byVersion = new Map<string, Run[]>();
  for (const r of runs) {
    if (r.done || r.e.holdout) continue;
    const k = `${r.e.journey_id}:${r.e.version}`;
    byVersion.set(k, [...(byVersion.get(k) ?? []), r]);
  }
  for (const group of byVersion.values()) {
    const d = (group[0] as Run).d;
    const ids = group.map((r) => r.customer.id);
    if (d.goal?.rule) {
      const met = await customersMatching(c.tx, c.workspaceId, d.goal.rule, ids, c.now);
      for (const r of group) if (met.has(r.customer.id)) c.finish(r, 'converted', 'goal', true);
    }
    if (d.exit) {
      const left = group.filter((r) => !r.done);
      const out = await customersMatching(
        c.tx,
        c.workspaceId,
        d.exit,
        left.map((r) => r.customer.id),
        c.now,
      );
      for (const r of left) if (out.has(r.customer.id)) c.finish(r, 'exited', 'exit_rule', true);
    }
  }
}

/**
 * Runs one batch of due enrollments in one transaction; returns how many were due and how many
 * steps they took (0 due: nothing left).
 */
export async function runDue(db: Db, workspaceId: string, now: Date, limit = RUN_BATCH) {
  return db.transaction().execute(async (tx) => {
    const claimed = await repo.claimDue(tx, workspaceId, now, limit);
    if (!claimed.length) return { due: 0, steps: 0 };
    const ws = await getWorkspaceOrThrow(tx, workspaceId);
    const settings = await getJourneySettings(tx, workspaceId);
    const c = new RunContext(tx, workspaceId, now, settings, ws.default_country);
    const people = new Map(
      (
        await findLiveCustomers(
          tx,
          workspaceId,
          claimed.map((e) => e.customer_id),
        )
      ).map((p) => [p.id, p]),
    );
    const names = new Map((await repo.listJourneys(tx, workspaceId)).map((j) => [j.id, j.name]));
    const runs: Run[] = [];
    for (const e of claimed) {
      const d = await definitionOf(tx, workspaceId, e.journey_id, e.version);
      const p = people.get(e.customer_id);
      const run: Run = {
        e: { ...e },
        d: d as Definition,
        journeyName: names.get(e.journey_id) ?? '',
        customer: {
          id: e.customer_id,
          traits: (p?.traits ?? {}) as Obj,
          tz: customerTz(p?.traits as Obj, e.timezone, ws.timezone),
          orders: { count: p?.order_count ?? 0, first: p?.first_order_at ?? null, last: p?.last_order_at ?? null },
        },
        resumed: e.parked,
        done: false,
        parked: false,
      };
      runs.push(run);
      if (!d) c.finish(run, 'failed', 'version_missing', true);
      else if (!p) c.finish(run, 'exited', 'customer_gone', true);
      else if (e.holdout) c.finish(run, 'completed', 'holdout');
    }
    await checkExitsAndGoals(c, runs);
    let live = runs.filter((r) => !r.done);
    for (let round = 0; live.length && round < MAX_ROUNDS; round++) {
      const groups = new Map<string, Run[]>();
      for (const r of live) {
        const k = `${r.e.journey_id}:${r.e.version}:${r.e.node ?? ''}`;
        groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      for (const group of groups.values()) {
        const first = group[0] as Run;
        const node = first.e.node ? first.d.nodes[first.e.node] : undefined;
        if (!node) {
          for (const r of group) c.finish(r, 'completed', 'end');
          continue;
        }
        // The exit rule and the goal are checked again before every step (the chain may have
        // changed traits, tags or lists); the first step of the pass was checked above.
        if (round > 0 && (first.d.exit || first.d.goal?.rule)) {
          await checkExitsAndGoals(c, group);
          const still = group.filter((r) => !r.done);
          if (still.length) await guarded(c, still, node);
        } else await guarded(c, group, node);
      }
      live = runs.filter((r) => !r.done && !r.parked);
    }
    // A chain longer than one pass goes on in the next one.
    for (const r of live) {
      r.e.next_at = now;
      r.e.parked = false;
    }
    await repo.saveEnrollments(
      tx,
      workspaceId,
      runs.map((r) => r.e),
    );
    await repo.insertStepLog(tx, c.log);
    return { due: claimed.length, steps: c.steps };
  });
}

/**
 * Runs a node for a group behind a savepoint: a step that fails (a list deleted since publishing,
 * a template removed) fails those enrollments with the reason, not the whole batch.
 */
async function guarded(c: RunContext, group: Run[], node: JourneyNode) {
  await repo.savepoint(c.tx);
  const before = c.log.length;
  const snapshot = group.map((r) => ({ e: { ...r.e }, resumed: r.resumed, done: r.done, parked: r.parked }));
  try {
    await execNode(c, group, node);
    await repo.releaseSavepoint(c.tx);
  } catch (err) {
    await repo.rollbackToSavepoint(c.tx);
    c.log.length = before;
    group.forEach((r, i) => {
      const s = snapshot[i] as (typeof snapshot)[number];
      r.e = s.e;
      r.resumed = s.resumed;
      r.done = s.done;
      r.parked = s.parked;
      c.finish(r, 'failed', 'step_failed');
      c.record(r, 'failed', { reason: (err instanceof Error ? err.message : String(err)).slice(0, 500) });
    });
  }
}

/** One pass over a workspace: intake, scheduled triggers, due enrollments (up to `maxBatches`). */
export async function runWorkspace(
  db: Db,
  workspaceId: string,
  now: Date,
  opts: { maxBatches?: number; batch?: number; forceScan?: boolean } = {},
) {
  let enrolled = 0;
  for (;;) {
    const r = await intake(db, workspaceId, now);
    enrolled += r.enrolled;
    if (r.taken < 5000) break;
  }
  enrolled += await scan(db, workspaceId, now, opts.forceScan);
  let steps = 0;
  let due = 0;
  for (let i = 0; i < (opts.maxBatches ?? 1000); i++) {
    const r = await runDue(db, workspaceId, now, opts.batch);
    steps += r.steps;
    due += r.due;
    if (r.due < (opts.batch ?? RUN_BATCH)) break;
  }
  return { enrolled, due, steps };
}

export type { JourneySettings };
export type RunResult = Awaited<ReturnType<typeof runWorkspace>>;
