import { getWorkspaceOrThrow } from '../access/index.js';
import {
  IdentifierSet,
  IdentityResolver,
  linkToCompany,
  survivorsOf,
  tryLockWorkspaceIdentity,
} from '../customers/index.js';
import { type Db, refreshStatistics, StatisticsKeeper, type Tx } from '../platform/db.js';
import * as repo from './repository.js';
import { onEventsStored } from './service.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/**
 * What other domains do with each processed event (commerce builds orders from it), in the same
 * transaction. A handler may return warnings about values it ignored (junk consent traits): they
 * join the event's own warnings.
 */
export type EventWarning = { code: string } & Obj;
export type EventHandler = (
  tx: Tx,
  event: repo.EventRecord,
  customerId: string | null,
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers that return nothing stay plain `async` functions
) => Promise<void | EventWarning[]>;
const handlers = new Map<string, EventHandler>();
export function onEventProcessed(domain: string, handler: EventHandler): void {
  handlers.set(domain, handler);
}

/**
 * What other domains do once per batch, after its events (e.g. recompute facts of the customers it
 * touched): `customerIds` are the profiles of the events processed since the last call.
 */
export type BatchHandler = (tx: Tx, workspaceId: string, customerIds: string[]) => Promise<void>;
const batchHandlers = new Map<string, BatchHandler>();
export function onBatchProcessed(domain: string, handler: BatchHandler): void {
  batchHandlers.set(domain, handler);
}

/**
 * What other domains write once per batch after every batch handler ran (work gathered during the
 * batch, see `isProcessingBatch`): the last writes before the commit.
 */
export type BatchFlush = (tx: Tx, workspaceId: string) => Promise<void>;
const flushes = new Map<string, BatchFlush>();
export function onBatchFlush(domain: string, flush: BatchFlush): void {
  flushes.set(domain, flush);
}

/**
 * Transactions that are processing a batch: their batch handlers will run before they commit, so a
 * domain may gather per-row work (marks) and do it once in its batch handler (`isProcessingBatch`).
 */
const processing = new WeakSet<object>();
export function isProcessingBatch(tx: object): boolean {
  return processing.has(tx);
}

/** Every domain's handler for one event; their warnings are added to the event's. */
async function runHandlers(tx: Tx, e: repo.EventRecord, customerId: string | null, warnings: Obj[]) {
  for (const h of handlers.values()) {
    const more = await h(tx, e, customerId);
    if (more?.length) warnings.push(...more);
  }
}

// Small enough that a batch holds embedded PGlite's one connection for a fraction of a second.
const BATCH = 100;

/** The identifiers an event carries; junk ones are kept aside in `rejected`. */
function identifiersOf(e: repo.EventRecord, defaultCountry: string) {
  const ids = new IdentifierSet(defaultCountry);
  const userId = ids.add('user_id', e.user_id);
  ids.add('anonymous_id', e.anonymous_id);
  const context = obj(e.context);
  const traits = e.type === 'identify' ? obj(e.traits) : obj(context.traits);
  if (traits.email !== undefined) ids.add('email', traits.email);
  if (traits.phone !== undefined) ids.add('phone', traits.phone);
  if (e.type === 'alias' && e.previous_id) {
    // previousId is usually the anonymousId the person had before; it may be an older userId.
    ids.add(/^[0-9a-f-]{36}$/i.test(e.previous_id) ? 'anonymous_id' : 'user_id', e.previous_id);
  }
  if (Array.isArray(context.externalIds)) {
    for (const x of context.externalIds) {
      const ext = obj(x);
      if (typeof ext.type === 'string' && ext.type) ids.add(`external:${ext.type.toLowerCase()}`, ext.id);
    }
  }
  return { ids, userId };
}

/**
 * Resolves one event to its profile: junk identifiers are reported in the event's warnings,
 * not used; profiles are found, created or merged; identify traits and group memberships applied.
 */
async function processEvent(tx: Tx, resolver: IdentityResolver, e: repo.EventRecord, defaultCountry: string) {
  const { ids, userId } = identifiersOf(e, defaultCountry);
  const warnings: Obj[] = ids.rejected.map((r) => ({
    code: 'junk_identifier',
    kind: r.kind,
    value: String(r.value).slice(0, 100),
    reason: r.reason,
  }));
  if (ids.ids.length === 0) {
    warnings.push({
      code: 'no_identity',
      message: 'No usable identifier: the event is kept but belongs to no profile',
    });
    return { customerId: null, warnings };
  }
  const r = await resolver.resolve({
    workspaceId: e.workspace_id,
    identifiers: ids.ids,
    userId: e.type === 'alias' ? null : userId,
    timestamp: e.timestamp,
    sourceId: e.source_id,
    channel: e.channel,
    eventId: e.id,
  });
  if (r.conflicts.length) warnings.push({ code: 'identity_conflict', conflicts: r.conflicts });
  const traits = obj(e.traits);
  if (e.type === 'identify' && Object.keys(traits).length) {
    await resolver.setTraits(r.customerId, traits, e.timestamp, defaultCountry);
  }
  if (e.type === 'group' && e.group_id) {
    await linkToCompany(tx, e.workspace_id, r.customerId, e.group_id, traits, e.timestamp);
  }
  return { customerId: r.customerId, warnings };
}

/**
 * Processes up to one batch of a workspace's pending events in arrival order, under the
 * workspace's identity lock. Returns how many were processed (0 when none are pending or
 * another worker holds the workspace).
 */
export async function processPendingBatch(db: Db, workspaceId: string, size = BATCH): Promise<number> {
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  const after = drainedUpTo.get(workspaceId);
  let r: { n: number; lastSeq: number | undefined };
  try {
    r = await runBatch(db, workspaceId, ws.default_country, false, size, after);
  } catch {
    // Something in the batch failed: do it again one event at a time, each behind a savepoint,
    // so the event at fault is marked with its error and the others go through.
    r = await runBatch(db, workspaceId, ws.default_country, true, size, after);
  }
  // Draining a backlog: the next batch starts after this one. Processed events stay in the
  // pending index until a vacuum, so a scan from the start would step over all of them again, every
  // batch (quadratic over a large import or `kith demo`). A short batch ends the drain: the next scan
  // starts from the beginning, which also finds an event whose insert committed late with a lower seq.
  if (r.n === size && r.lastSeq !== undefined) drainedUpTo.set(workspaceId, r.lastSeq);
  else drainedUpTo.delete(workspaceId);
  return r.n;
}

/** Per workspace, the seq up to which this process has just processed everything it found (during a drain). */
const drainedUpTo = new Map<string, number>();

async function runBatch(
  db: Db,
  workspaceId: string,
  defaultCountry: string,
  careful: boolean,
  size: number,
  afterSeq: number | undefined,
): Promise<{ n: number; lastSeq: number | undefined }> {
  return db.transaction().execute(async (tx) => {
    if (!(await tryLockWorkspaceIdentity(tx, workspaceId))) return { n: 0, lastSeq: undefined };
    processing.add(tx);
    const events = await repo.claimPending(tx, workspaceId, size, afterSeq);
    let resolver = new IdentityResolver(tx, workspaceId);
    if (!careful) await resolver.prefetch(events.flatMap((e) => identifiersOf(e, defaultCountry).ids.ids));
    const done: { seq: number; customer_id: string | null; warnings: unknown }[] = [];
    for (const e of events) {
      if (!careful) {
        const { customerId, warnings } = await processEvent(tx, resolver, e, defaultCountry);
        await runHandlers(tx, e, customerId, warnings);
        done.push({ seq: Number(e.seq), customer_id: customerId, warnings: warnings.length ? warnings : null });
        continue;
      }
      await repo.savepoint(tx);
      try {
        resolver = new IdentityResolver(tx, workspaceId);
        const { customerId, warnings } = await processEvent(tx, resolver, e, defaultCountry);
        await resolver.flush();
        await runHandlers(tx, e, customerId, warnings);
        // What handlers deferred to the batch's end is done here, so a failure stays with its event.
        for (const h of batchHandlers.values()) await h(tx, workspaceId, customerId ? [customerId] : []);
        for (const f of flushes.values()) await f(tx, workspaceId);
        await repo.releaseSavepoint(tx);
        done.push({ seq: Number(e.seq), customer_id: customerId, warnings: warnings.length ? warnings : null });
      } catch (err) {
        await repo.rollbackToSavepoint(tx);
        const message = err instanceof Error ? err.message : String(err);
        done.push({
          seq: Number(e.seq),
          customer_id: null,
          warnings: [{ code: 'processing_failed', message: message.slice(0, 500) }],
        });
      }
    }
    await resolver.flush();
    // (In careful mode each event's handlers ran already, with its customer.)
    const touched = careful ? [] : [...new Set(done.flatMap((d) => d.customer_id ?? []))].sort();
    for (const h of batchHandlers.values()) await h(tx, workspaceId, touched);
    for (const f of flushes.values()) await f(tx, workspaceId);
    // A profile merged away later in the batch (its events were moved before these were marked):
    // the events are the survivor's.
    const moved = await survivorsOf(tx, workspaceId, [...new Set(done.flatMap((d) => d.customer_id ?? []))]);
    for (const d of done)
      if (d.customer_id && moved.has(d.customer_id)) d.customer_id = moved.get(d.customer_id) as string;
    await repo.markProcessed(tx, done);
    const last = events[events.length - 1];
    return { n: events.length, lastSeq: last ? Number(last.seq) : undefined };
  });
}

/** Processes everything pending in a workspace (tests, imports); returns the count. */
export async function processAllPending(db: Db, workspaceId: string, size = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processPendingBatch(db, workspaceId, size);
    total += n;
    // After a drain, one more look from the start (for an event that committed late with a lower seq).
    if (n === 0) return total;
  }
}

/**
 * The background loop that turns stored events into profiles: wakes when events are stored in
 * this process, and polls every `pollMs` for events stored by other processes. Several
 * processes can run it: a workspace is processed by one at a time.
 */
export class IngestProcessor {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #unsubscribe: (() => void) | undefined;
  readonly #statistics = new StatisticsKeeper();

  constructor(
    private readonly db: Db,
    private readonly opts: {
      pollMs?: number;
      /** Events per transaction (default 100). */
      batchSize?: number;
      logger?: { error: (o: object, msg: string) => void };
    } = {},
  ) {}

  start(): void {
    this.#stopped = false;
    this.#unsubscribe = onEventsStored(() => this.nudge());
    this.nudge();
  }

  /** Runs a pass soon (coalesced with one already running). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.nudge();
      } else {
        this.#timer = setTimeout(() => this.nudge(), this.opts.pollMs ?? 1000);
      }
    });
  }

  async #pass(): Promise<void> {
    try {
      for (const ws of await repo.workspacesWithPending(this.db, 50)) {
        const size = this.opts.batchSize ?? BATCH;
        while (!this.#stopped) {
          const n = await processPendingBatch(this.db, ws, size);
          // Profiles, identifiers and orders grew: keep the planner's picture of them current.
          if (this.#statistics.note(n)) await refreshStatistics(this.db);
          if (n < size) break;
          // Embedded PGlite runs on this thread: let HTTP requests in between batches.
          await new Promise((r) => setImmediate(r));
        }
      }
    } catch (err) {
      this.opts.logger?.error({ err }, 'event processing failed; retrying');
    }
  }

  /** Stops after the batch in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    await this.#running;
  }
}
