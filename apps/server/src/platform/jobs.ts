import crypto from 'node:crypto';
import os from 'node:os';
import { type Generated, type Selectable, sql } from 'kysely';
import { type Db, type Tx, tables } from './db.js';
import { ConflictError, NotFoundError, UserError } from './errors.js';
import { newId } from './ids.js';
import { pm } from './messages.js';

// Durable background jobs: the `jobs` table is the only state, claimed with
// `FOR UPDATE SKIP LOCKED` (see docs/adr/0003-jobs-skip-locked.md).

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface EnqueueOptions {
  /** The workspace the job belongs to; `null` (default) for platform jobs. */
  workspaceId?: string | null;
  /** Run no earlier than this. Exclusive with `delaySeconds`. */
  runAt?: Date;
  /** Run no earlier than this many seconds from now (database clock). */
  delaySeconds?: number;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, capped at one hour (default 5). */
  backoffSeconds?: number;
  /** An attempt running longer is aborted and counted as failed (default 300). */
  timeoutSeconds?: number;
  /** Higher runs first among due jobs of a queue (default 0). */
  priority?: number;
  /** At most one queued or running job per queue and key; enqueue returns the existing one's id. */
  singletonKey?: string;
}

export interface JobRecord {
  id: string;
  queue: string;
  workspaceId: string | null;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  progress: unknown;
  result: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobProgress {
  done: number;
  total?: number;
  message?: string;
}

export interface JobContext {
  db: Db;
  /** Aborted when the attempt times out, the worker stops, or the job's lock was lost. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /** Stores progress on the job (throttled; the last report is always written). */
  reportProgress(progress: JobProgress): Promise<void>;
}

export type JobHandler = (job: JobRecord, ctx: JobContext) => Promise<unknown>;

/** pino-compatible (`logger.warn(obj, msg)`); the Fastify logger fits. */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobQueueOptions {
  /** Names this process in `locked_by` (default host:pid:random). */
  workerId?: string;
  /** How often an idle worker looks for due jobs (default 500 ms). */
  pollIntervalMs?: number;
  logger?: JobLogger;
  /**
   * How long a claim stays valid without a heartbeat (default 60 s, never more than the job's
   * timeout + 5 s). A worker that dies has its jobs picked up again after this.
   */
  lockSeconds?: number;
}

/** The signal reason when an attempt exceeds its timeout. */
export class JobTimeoutError extends Error {
  constructor(readonly timeoutSeconds: number) {
    super(`The job timed out after ${timeoutSeconds} s (timeoutSeconds)`);
    this.name = 'JobTimeoutError';
  }
}

/** The signal reason when the worker stops before the job finished; the job is put back, the attempt not counted. */
export class JobInterruptedError extends Error {
  constructor() {
    super('The worker stopped before the job finished');
    this.name = 'JobInterruptedError';
  }
}

/** The signal reason when another worker took the job over (this worker's lock expired). */
export class JobLockLostError extends Error {
  constructor() {
    super('The job is no longer locked by this worker');
    this.name = 'JobLockLostError';
  }
}

interface JobsTable {
  id: string;
  queue: string;
  workspace_id: string | null;
  payload: Generated<unknown>;
  state: Generated<JobState>;
  priority: Generated<number>;
  run_at: Generated<Date>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  backoff_seconds: Generated<number>;
  timeout_seconds: Generated<number>;
  singleton_key: string | null;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Date | null;
  progress: unknown;
  result: unknown;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}
type JobRow = Selectable<JobsTable>;

interface JobTables {
  jobs: JobsTable;
}

interface Registration {
  handler: JobHandler;
  concurrency: number;
  active: number;
}

interface RunningJob {
  row: JobRow;
  attempt: number;
  controller: AbortController;
  /** The outcome is decided (being or already written): later events are ignored. */
  settled: boolean;
  handlerDone: boolean;
  heartbeat?: NodeJS.Timeout;
  timeout?: NodeJS.Timeout;
  progressTimer?: NodeJS.Timeout;
  pendingProgress?: JobProgress;
  lastProgressAt: number;
  progressWrite?: Promise<void>;
}

type Outcome =
  | { kind: 'success'; result: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'lock-lost' }
  | { kind: 'interrupted' };

const DEFAULT_POLL_MS = 500;
const DEFAULT_LOCK_SECONDS = 60;
const MAX_BACKOFF_SECONDS = 3600;
const BACKOFF_JITTER = 0.1;
const PROGRESS_INTERVAL_MS = 250;
const SWEEP_INTERVAL_MS = 10_000;
const SHUTDOWN_GRACE_MS = 2_000;
const MAX_ERROR_BYTES = 4096;
const STACK_LINES = 8;
const MAX_LIST_LIMIT = 200;

const silentInfo = () => {};
const defaultLogger: JobLogger = {
  info: silentInfo,
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Promise.withResolvers needs Node 22.
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function toDate(v: Date | string): Date;
function toDate(v: Date | string | null): Date | null;
function toDate(v: Date | string | null): Date | null {
  if (v === null) return null;
  return v instanceof Date ? v : new Date(v);
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    queue: r.queue,
    workspaceId: r.workspace_id,
    payload: r.payload,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: toDate(r.run_at),
    lastError: r.last_error,
    progress: r.progress ?? null,
    result: r.result ?? null,
    createdAt: toDate(r.created_at),
    startedAt: toDate(r.started_at),
    finishedAt: toDate(r.finished_at),
  };
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes - 3);
  while (Buffer.byteLength(cut) > maxBytes - 3)
    cut = cut.slice(0, -Math.max(1, Math.ceil((Buffer.byteLength(cut) - maxBytes) / 4)));
  return `${cut}…`;
}

/** A job error for people: name, message and the first stack frames, at most 4 KB. */
export function describeJobError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    text = `${err.name}: ${err.message}`;
    // Our own reasons (timeout, interruption) have no useful stack.
    if (!(err instanceof JobTimeoutError || err instanceof JobInterruptedError || err instanceof JobLockLostError)) {
      const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
      if (frames.length) text += `\n${frames.slice(0, STACK_LINES).join('\n')}`;
    }
    if (err.cause instanceof Error) text += `\nCaused by ${err.cause.name}: ${err.cause.message}`;
  } else if (typeof err === 'string') {
    text = err;
  } else {
    try {
      text = `Non-error thrown: ${JSON.stringify(err)}`;
    } catch {
      text = `Non-error thrown: ${String(err)}`;
    }
  }
  // PostgreSQL text cannot hold NUL characters.
  return truncateBytes(text.replaceAll('\u0000', ''), MAX_ERROR_BYTES);
}

function checkInt(value: number | undefined, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(400, 'invalid_job_options', pm('job_option_range', { field, min, max }), field);
  }
}

function toJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new UserError(
      400,
      'invalid_job_options',
      pm('job_not_json', { field, detail: (err as Error).message }),
      field,
    );
  }
  return text ?? 'null';
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * Durable background jobs in the `jobs` table. Each instance is one worker: it claims due jobs
 * of its registered queues with `FOR UPDATE SKIP LOCKED`, so any number of instances (in one
 * process or many) run each job at most once at a time. Delivery is at least once: a job whose
 * worker died is run again after its lock expires, so handlers should be idempotent.
 */
export class JobQueue {
  readonly workerId: string;
  readonly #db: Db;
  readonly #pollMs: number;
  readonly #lockSeconds: number;
  readonly #log: JobLogger;
  readonly #queues = new Map<string, Registration>();
  readonly #running = new Map<string, RunningJob>();
  /** Jobs whose outcome is written but whose handler has not returned yet (ignored its signal). */
  readonly #zombies = new Set<string>();
  #started = false;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #rerun = false;
  #failuresInRow = 0;
  #lastSweep = 0;
  #claiming: Promise<number> | undefined;
  #changed = signal();

  constructor(db: Db, opts: JobQueueOptions = {}) {
    this.#db = db;
    this.workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.#pollMs = opts.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.#lockSeconds = opts.lockSeconds ?? DEFAULT_LOCK_SECONDS;
    this.#log = opts.logger ?? defaultLogger;
  }

  /** Runs `handler` for jobs of `queue` in this worker, at most `concurrency` (default 1) at a time. */
  register(queue: string, handler: JobHandler, opts: { concurrency?: number } = {}): void {
    if (!queue) throw new Error('A job queue needs a name');
    if (this.#queues.has(queue)) throw new Error(`Job queue "${queue}" already has a handler`);
    const concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`concurrency of "${queue}" must be a positive integer`);
    this.#queues.set(queue, { handler, concurrency, active: 0 });
    this.#wake();
  }

  /**
   * Enqueue; pass a transaction as `executor` so the job commits with the data that caused it
   * (on PGlite it must be the transaction: the one connection is held by it). Returns the job id
   * (for a singletonKey already queued/running: the existing job's id).
   */
  async enqueue(queue: string, payload: unknown, opts: EnqueueOptions = {}, executor?: Db | Tx): Promise<string> {
    if (!queue) throw new UserError(400, 'invalid_job_options', pm('job_queue_required'), 'queue');
    checkInt(opts.maxAttempts, 'maxAttempts', 1, 1000);
    checkInt(opts.backoffSeconds, 'backoffSeconds', 0, MAX_BACKOFF_SECONDS);
    checkInt(opts.timeoutSeconds, 'timeoutSeconds', 1, 7 * 24 * 3600);
    checkInt(opts.priority, 'priority', -1_000_000, 1_000_000);
    if (opts.runAt !== undefined && opts.delaySeconds !== undefined) {
      throw new UserError(400, 'invalid_job_options', pm('job_run_at_or_delay'), 'runAt');
    }
    if (opts.runAt !== undefined && !(opts.runAt instanceof Date && Number.isFinite(opts.runAt.getTime()))) {
      throw new UserError(400, 'invalid_job_options', pm('job_run_at_date'), 'runAt');
    }
    if (opts.delaySeconds !== undefined && !(Number.isFinite(opts.delaySeconds) && opts.delaySeconds >= 0)) {
      throw new UserError(400, 'invalid_job_options', pm('job_delay'), 'delaySeconds');
    }
    if (opts.singletonKey !== undefined && (opts.singletonKey.length === 0 || opts.singletonKey.length > 500)) {
      throw new UserError(400, 'invalid_job_options', pm('job_singleton_key'), 'singletonKey');
    }
    const db = tables<JobTables>(executor ?? this.#db);
    const json = toJson(payload === undefined ? {} : payload, 'payload');
    const values = {
      queue,
      workspace_id: opts.workspaceId ?? null,
      payload: sql<unknown>`${json}::jsonb`,
      priority: opts.priority,
      max_attempts: opts.maxAttempts,
      backoff_seconds: opts.backoffSeconds,
      timeout_seconds: opts.timeoutSeconds,
      singleton_key: opts.singletonKey ?? null,
      run_at:
        opts.runAt ??
        (opts.delaySeconds !== undefined
          ? sql<Date>`now() + make_interval(secs => ${opts.delaySeconds}::float8)`
          : undefined),
    };
    // A singleton job can finish between our failed insert and our look-up: then insert again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await db
        .insertInto('jobs')
        .values({ id: newId('job'), ...values })
        .onConflict((oc) =>
          oc
            .columns(['queue', 'singleton_key'])
            .where('singleton_key', 'is not', null)
            .where('state', 'in', ['queued', 'running'])
            .doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        if (!(executor ?? this.#db).isTransaction && this.#queues.has(queue)) this.#wake();
        return inserted.id;
      }
      const existing = await db
        .selectFrom('jobs')
        .select('id')
        .where('queue', '=', queue)
        .where('singleton_key', '=', opts.singletonKey ?? null)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (existing) return existing.id;
    }
    throw new ConflictError('job_singleton_busy', pm('job_singleton_busy', { key: opts.singletonKey ?? '' }));
  }

  /**
   * Enqueues many jobs of one queue with the same options in one statement (no singleton key):
   * a journey step that sends to thousands of customers at once. Returns the ids in order.
   */
  async enqueueMany(
    queue: string,
    payloads: unknown[],
    opts: Omit<EnqueueOptions, 'singletonKey' | 'runAt' | 'delaySeconds'> = {},
    executor?: Db | Tx,
  ): Promise<string[]> {
    if (!queue) throw new UserError(400, 'invalid_job_options', pm('job_queue_required'), 'queue');
    if (payloads.length === 0) return [];
    checkInt(opts.maxAttempts, 'maxAttempts', 1, 1000);
    checkInt(opts.backoffSeconds, 'backoffSeconds', 0, MAX_BACKOFF_SECONDS);
    checkInt(opts.timeoutSeconds, 'timeoutSeconds', 1, 7 * 24 * 3600);
    checkInt(opts.priority, 'priority', -1_000_000, 1_000_000);
    const ids = payloads.map(() => newId('job'));
    const rows = payloads.map((p, i) => ({
      id: ids[i] as string,
      queue,
      workspace_id: opts.workspaceId ?? null,
      payload: sql<unknown>`${toJson(p === undefined ? {} : p, 'payload')}::jsonb`,
      priority: opts.priority,
      max_attempts: opts.maxAttempts,
      backoff_seconds: opts.backoffSeconds,
      timeout_seconds: opts.timeoutSeconds,
    }));
    const db = tables<JobTables>(executor ?? this.#db);
    // Parameters are limited to 65,535 per statement: 9 columns, so chunks of 5,000.
    for (let i = 0; i < rows.length; i += 5000)
      await db
        .insertInto('jobs')
        .values(rows.slice(i, i + 5000))
        .execute();
    if (!(executor ?? this.#db).isTransaction && this.#queues.has(queue)) this.#wake();
    return ids;
  }

  /** Begins claiming and running jobs of the registered queues. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule(0);
  }

  /**
   * Stops claiming and waits for running handlers; after `timeoutMs` (default 10 s) their signal
   * is aborted, and jobs still running after a short grace are put back in the queue (the
   * attempt not counted), so no job stays locked by this worker.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#started = false;
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.#claiming?.catch(() => {});
      await this.#waitIdle(timeoutMs);
      if (this.#running.size === 0) return;
      for (const job of this.#running.values()) job.controller.abort(new JobInterruptedError());
      await this.#waitIdle(Math.min(SHUTDOWN_GRACE_MS, Math.max(timeoutMs, 100)));
      await Promise.all([...this.#running.values()].map((job) => this.#settle(job, { kind: 'interrupted' })));
    } finally {
      this.#stopping = false;
    }
  }

  /** A job by id; NotFoundError if absent or (when `workspaceId` is given) of another workspace. */
  async get(id: string, workspaceId?: string | null): Promise<JobRecord> {
    let q = tables<JobTables>(this.#db).selectFrom('jobs').selectAll().where('id', '=', id);
    if (workspaceId !== undefined) {
      q = workspaceId === null ? q.where('workspace_id', 'is', null) : q.where('workspace_id', '=', workspaceId);
    }
    const row = await q.executeTakeFirst();
    if (!row) throw new NotFoundError(pm('job_not_found'), 'id');
    return toRecord(row);
  }

  /** A workspace's jobs, newest first; page with `before` (the last id seen). */
  async list(q: {
    workspaceId: string;
    state?: string;
    queue?: string;
    limit?: number;
    before?: string;
  }): Promise<JobRecord[]> {
    if (q.state !== undefined && !(JOB_STATES as readonly string[]).includes(q.state)) {
      throw new UserError(400, 'invalid_request', pm('job_state', { states: JOB_STATES.join(', ') }), 'state');
    }
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), MAX_LIST_LIMIT);
    let query = tables<JobTables>(this.#db)
      .selectFrom('jobs')
      .selectAll()
      .where('workspace_id', '=', q.workspaceId)
      .orderBy('id', 'desc')
      .limit(limit);
    if (q.state !== undefined) query = query.where('state', '=', q.state as JobState);
    if (q.queue !== undefined) query = query.where('queue', '=', q.queue);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    return (await query.execute()).map(toRecord);
  }

  /** Puts a failed or cancelled job back in the queue to run now, with its attempts reset. */
  async retry(id: string, workspaceId: string): Promise<JobRecord> {
    let row: JobRow | undefined;
    try {
      row = await tables<JobTables>(this.#db)
        .updateTable('jobs')
        .set({
          state: 'queued',
          attempts: 0,
          run_at: sql<Date>`now()`,
          started_at: null,
          finished_at: null,
          locked_by: null,
          locked_until: null,
          progress: null,
          result: null,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .where('state', 'in', ['failed', 'cancelled'])
        .returningAll()
        .executeTakeFirst();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError('job_duplicate', pm('job_duplicate'));
      }
      throw err;
    }
    if (!row) {
      const current = await this.get(id, workspaceId);
      throw new ConflictError('job_not_retryable', pm('job_not_retryable', { state: current.state }));
    }
    if (this.#queues.has(row.queue)) this.#wake();
    return toRecord(row);
  }

  /** Cancels a job that has not started yet. */
  async cancel(id: string, workspaceId: string): Promise<JobRecord> {
    const row = await tables<JobTables>(this.#db)
      .updateTable('jobs')
      .set({ state: 'cancelled', finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('workspace_id', '=', workspaceId)
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const current = await this.get(id, workspaceId);
      throw new ConflictError('job_not_cancellable', pm('job_not_cancellable', { state: current.state }));
    }
    return toRecord(row);
  }

  /** Runs jobs until no due job of the registered queues is left (for tests and the CLI); returns how many ran. */
  async drain(opts: { timeoutMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let ran = 0;
    await this.#sweep();
    for (;;) {
      if (this.#stopping) return ran;
      const claimed = await this.#claimOnce();
      ran += claimed;
      if (claimed === 0 && this.#running.size === 0) return ran;
      if (claimed === 0 || !this.#hasFreeSlot()) await this.#waitForChange(deadline - Date.now());
      if (Date.now() >= deadline) {
        throw new Error(`drain() timed out with ${this.#running.size} job(s) still running`);
      }
    }
  }

  // ── scheduling ──

  #hasFreeSlot(): boolean {
    for (const reg of this.#queues.values()) if (reg.active < reg.concurrency) return true;
    return false;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
  }

  /** Looks for work now (a slot freed, a job was enqueued) instead of at the next poll. */
  #wake(): void {
    if (!this.#started) return;
    if (this.#ticking) this.#rerun = true;
    else this.#schedule(0);
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (!this.#started || this.#ticking) return;
    this.#ticking = true;
    this.#rerun = false;
    let delay = this.#pollMs;
    try {
      if (Date.now() - this.#lastSweep >= SWEEP_INTERVAL_MS) await this.#sweep();
      if (this.#started && (await this.#claimOnce()) > 0 && this.#hasFreeSlot()) delay = 0;
      this.#failuresInRow = 0;
    } catch (err) {
      this.#failuresInRow++;
      delay = Math.min(this.#pollMs * 2 ** this.#failuresInRow, 30_000);
      this.#log.error({ err, workerId: this.workerId, retryInMs: delay }, 'job worker could not claim jobs');
    } finally {
      this.#ticking = false;
    }
    if (!this.#started) return;
    if (this.#rerun && this.#failuresInRow === 0) delay = 0;
    this.#schedule(delay);
  }

  /** One claim at a time per instance, so concurrency limits hold. */
  async #claimOnce(): Promise<number> {
    while (this.#claiming) await this.#claiming.catch(() => {});
    const p = this.#claim();
    this.#claiming = p;
    try {
      return await p;
    } finally {
      this.#claiming = undefined;
    }
  }

  /**
   * One statement: per registered queue with free slots, lock up to that many jobs whose
   * worker's lock expired and due jobs, skipping rows other workers hold, and mark them running.
   * `= any(array(…))` runs the selection once, then updates by primary key.
   */
  async #claim(): Promise<number> {
    const names: string[] = [];
    const limits: number[] = [];
    for (const [name, reg] of this.#queues) {
      if (reg.active < reg.concurrency) {
        names.push(name);
        limits.push(reg.concurrency - reg.active);
      }
    }
    if (names.length === 0) return 0;
    const exclude = [...this.#running.keys(), ...this.#zombies];
    const { rows } = await sql<JobRow>`
      update jobs as j set
        state = 'running',
        attempts = j.attempts + 1,
        locked_by = ${this.workerId},
        locked_until = now() + make_interval(secs => least(j.timeout_seconds + 5, ${this.#lockSeconds}::float8)),
        started_at = now(),
        finished_at = null,
        updated_at = now(),
        last_error = case when j.state = 'running'
          then 'Attempt ' || j.attempts || ': the worker running it stopped responding (' || coalesce(j.locked_by, '?') || ')'
          else j.last_error end
      where j.id = any(array(
        select c.id
        from unnest(${names}::text[], ${limits}::int[]) as q(name, n)
        cross join lateral (
          -- Two index scans, each stopping after n rows: recovered jobs first, then due ones.
          select stale.id from (
            select k.id from jobs k
            where k.queue = q.name and k.state = 'running' and k.locked_until < now()
              and k.attempts < k.max_attempts and not (k.id = any(${exclude}::text[]))
            order by k.locked_until
            for update skip locked
            limit q.n
          ) stale
          union all
          select due.id from (
            select k.id from jobs k
            where k.queue = q.name and k.state = 'queued' and k.run_at <= now()
              and not (k.id = any(${exclude}::text[]))
            order by k.priority desc, k.run_at
            for update skip locked
            limit q.n
          ) due
          limit q.n
        ) c
      ))
      returning j.*`.execute(this.#db);
    rows.sort((a, b) => b.priority - a.priority || toDate(a.run_at).getTime() - toDate(b.run_at).getTime());
    for (const row of rows) this.#launch(row);
    return rows.length;
  }

  /** Fails jobs whose worker died on their last allowed attempt (the claim leaves those alone). */
  async #sweep(): Promise<void> {
    this.#lastSweep = Date.now();
    const exclude = [...this.#running.keys(), ...this.#zombies];
    const { rows } = await sql<{ id: string; queue: string }>`
      update jobs set
        state = 'failed',
        finished_at = now(),
        updated_at = now(),
        locked_by = null,
        locked_until = null,
        last_error = 'Attempt ' || attempts || ' of ' || max_attempts || ': the worker running it stopped responding ('
          || coalesce(locked_by, '?') || ') and no attempts are left'
      where state = 'running' and locked_until < now() and attempts >= max_attempts
        and not (id = any(${exclude}::text[]))
      returning id, queue`.execute(this.#db);
    for (const r of rows) this.#log.warn({ jobId: r.id, queue: r.queue }, 'job failed: its worker stopped responding');
  }

  async #waitForChange(ms: number): Promise<void> {
    // The short cap covers a change that happened just before we started waiting.
    await Promise.race([this.#changed.promise, sleep(Math.max(0, Math.min(ms, 100)))]);
  }

  async #waitIdle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#running.size > 0 && Date.now() < deadline) await this.#waitForChange(deadline - Date.now());
  }

  #notifyChange(): void {
    const prev = this.#changed;
    this.#changed = signal();
    prev.resolve();
  }

  // ── running one job ──

  #launch(row: JobRow): void {
    const reg = this.#queues.get(row.queue);
    if (!reg) return; // not possible: we only claim registered queues
    reg.active++;
    const job: RunningJob = {
      row,
      attempt: row.attempts,
      controller: new AbortController(),
      settled: false,
      handlerDone: false,
      lastProgressAt: 0,
    };
    this.#running.set(row.id, job);
    const leaseMs = Math.min(row.timeout_seconds + 5, this.#lockSeconds) * 1000;
    job.heartbeat = setInterval(() => void this.#heartbeat(job), Math.max(100, Math.floor(leaseMs / 4)));
    job.heartbeat.unref();
    job.timeout = setTimeout(() => void this.#settle(job, { kind: 'timeout' }), row.timeout_seconds * 1000);
    job.timeout.unref();
    const ctx: JobContext = {
      db: this.#db,
      signal: job.controller.signal,
      attempt: job.attempt,
      reportProgress: (progress) => this.#reportProgress(job, progress),
    };
    const record = toRecord(row);
    const run = (async () => reg.handler(record, ctx))();
    run.then(
      (result) => this.#handlerReturned(job, { kind: 'success', result }),
      (error: unknown) => this.#handlerReturned(job, { kind: 'error', error }),
    );
  }

  #handlerReturned(job: RunningJob, outcome: Outcome): void {
    job.handlerDone = true;
    if (job.settled) {
      this.#zombies.delete(job.row.id);
      return;
    }
    void this.#settle(job, outcome);
  }

  /** Decides and writes the outcome of an attempt, once. */
  async #settle(job: RunningJob, outcome: Outcome): Promise<void> {
    if (job.settled) return;
    job.settled = true;
    clearInterval(job.heartbeat);
    clearTimeout(job.timeout);
    clearTimeout(job.progressTimer);
    const { row } = job;
    if (outcome.kind === 'timeout') job.controller.abort(new JobTimeoutError(row.timeout_seconds));
    if (outcome.kind === 'lock-lost') job.controller.abort(new JobLockLostError());
    if (outcome.kind === 'interrupted' && !job.controller.signal.aborted)
      job.controller.abort(new JobInterruptedError());
    if (!job.handlerDone) this.#zombies.add(row.id);
    try {
      await job.progressWrite?.catch(() => {});
      const progress = job.pendingProgress ? JSON.stringify(job.pendingProgress) : null;
      if (outcome.kind === 'lock-lost') {
        this.#log.warn(
          { jobId: row.id, queue: row.queue, attempt: job.attempt },
          'job lock lost; another worker took it over',
        );
        return;
      }
      if (
        outcome.kind === 'interrupted' ||
        (outcome.kind === 'error' && job.controller.signal.reason instanceof JobInterruptedError)
      ) {
        await this.#write('release', job, () => this.#release(job, progress));
        this.#log.info({ jobId: row.id, queue: row.queue }, 'job interrupted by shutdown; put back in the queue');
        return;
      }
      if (outcome.kind === 'success') {
        let result: string | null = null;
        try {
          result = outcome.result === undefined ? null : toJson(outcome.result, 'result');
        } catch (err) {
          await this.#write('failure', job, () => this.#fail(job, describeJobError(err), progress));
          return;
        }
        await this.#write('completion', job, () => this.#complete(job, result, progress));
        this.#log.info({ jobId: row.id, queue: row.queue, attempt: job.attempt }, 'job completed');
        return;
      }
      const error = outcome.kind === 'timeout' ? new JobTimeoutError(row.timeout_seconds) : outcome.error;
      const message = describeJobError(error);
      const state = await this.#write('failure', job, () => this.#fail(job, message, progress));
      this.#log.warn(
        { jobId: row.id, queue: row.queue, attempt: job.attempt, maxAttempts: row.max_attempts, state, error: message },
        state === 'failed' ? 'job failed' : 'job attempt failed; will retry',
      );
    } catch (err) {
      this.#log.error(
        { err, jobId: row.id, queue: row.queue },
        'could not record the outcome of a job; it will run again after its lock expires',
      );
    } finally {
      this.#running.delete(row.id);
      const reg = this.#queues.get(row.queue);
      if (reg) reg.active--;
      this.#notifyChange();
      this.#wake();
    }
  }

  /** Retries a short write a few times: losing an outcome means running the job again. */
  async #write<T>(what: string, job: RunningJob, fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (err) {
        if (i >= 2) throw err;
        this.#log.warn({ err, jobId: job.row.id }, `could not record job ${what}; retrying`);
        await sleep(200 * 2 ** i);
      }
    }
  }

  /** The row is still ours: running, locked by us, in this attempt. */
  #fence(job: RunningJob) {
    return sql`id = ${job.row.id} and state = 'running' and locked_by = ${this.workerId} and attempts = ${job.attempt}`;
  }

  async #complete(job: RunningJob, result: string | null, progress: string | null): Promise<void> {
    await sql`
      update jobs set
        state = 'completed', result = ${result}::jsonb, progress = coalesce(${progress}::jsonb, progress),
        finished_at = now(), updated_at = now(), locked_by = null, locked_until = null
      where ${this.#fence(job)}`.execute(this.#db);
  }

  async #fail(job: RunningJob, message: string, progress: string | null): Promise<JobState | undefined> {
    const jitter = Math.random() * BACKOFF_JITTER;
    const { rows } = await sql<{ state: JobState }>`
      update jobs set
        state = case when attempts < max_attempts then 'queued' else 'failed' end,
        run_at = case when attempts < max_attempts
          then now() + make_interval(secs => least(backoff_seconds * power(2, attempts - 1), ${MAX_BACKOFF_SECONDS}::float8) * (1 + ${jitter}::float8))
          else run_at end,
        finished_at = case when attempts < max_attempts then null else now() end,
        last_error = ${message}, progress = coalesce(${progress}::jsonb, progress),
        updated_at = now(), locked_by = null, locked_until = null
      where ${this.#fence(job)}
      returning state`.execute(this.#db);
    return rows[0]?.state;
  }

  async #release(job: RunningJob, progress: string | null): Promise<void> {
    await sql`
      update jobs set
        state = 'queued', run_at = now(), attempts = greatest(attempts - 1, 0),
        progress = coalesce(${progress}::jsonb, progress),
        updated_at = now(), locked_by = null, locked_until = null
      where ${this.#fence(job)}`.execute(this.#db);
  }

  async #heartbeat(job: RunningJob): Promise<void> {
    if (job.settled) return;
    try {
      const { rows } = await sql<{ id: string }>`
        update jobs set locked_until = now() + make_interval(secs => least(timeout_seconds + 5, ${this.#lockSeconds}::float8))
        where ${this.#fence(job)}
        returning id`.execute(this.#db);
      if (rows.length === 0 && !job.settled) await this.#settle(job, { kind: 'lock-lost' });
    } catch (err) {
      this.#log.warn({ err, jobId: job.row.id }, 'job heartbeat failed');
    }
  }

  #reportProgress(job: RunningJob, progress: JobProgress): Promise<void> {
    if (!(typeof progress?.done === 'number' && Number.isFinite(progress.done))) {
      return Promise.reject(new TypeError('progress.done must be a finite number'));
    }
    if (job.settled) return Promise.resolve();
    job.pendingProgress = {
      done: progress.done,
      ...(progress.total !== undefined ? { total: progress.total } : {}),
      ...(progress.message !== undefined ? { message: String(progress.message).slice(0, 500) } : {}),
    };
    const wait = job.lastProgressAt + PROGRESS_INTERVAL_MS - Date.now();
    if (wait > 0 || job.progressWrite) {
      // Throttled: the latest report is written when the interval ends (or with the outcome).
      job.progressTimer ??= setTimeout(() => void this.#flushProgress(job), Math.max(wait, 0));
      return Promise.resolve();
    }
    return this.#flushProgress(job);
  }

  async #flushProgress(job: RunningJob): Promise<void> {
    job.progressTimer = undefined;
    if (job.settled || !job.pendingProgress) return;
    if (job.progressWrite) {
      // Still writing the previous one: try again when the interval ends.
      job.progressTimer = setTimeout(() => void this.#flushProgress(job), PROGRESS_INTERVAL_MS);
      return;
    }
    const json = JSON.stringify(job.pendingProgress);
    job.pendingProgress = undefined;
    job.lastProgressAt = Date.now();
    const write = sql`update jobs set progress = ${json}::jsonb, updated_at = now() where ${this.#fence(job)}`
      .execute(this.#db)
      .then(
        () => {},
        (err: unknown) => {
          this.#log.warn({ err, jobId: job.row.id }, 'could not store job progress');
          // Keep it for the next write or the outcome, unless something newer came in.
          job.pendingProgress ??= JSON.parse(json) as JobProgress;
        },
      )
      .finally(() => {
        job.progressWrite = undefined;
      });
    job.progressWrite = write;
    await write;
  }
}
