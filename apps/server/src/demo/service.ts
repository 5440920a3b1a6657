import { getWorkspaceOrThrow } from '../access/index.js';
import { createSource, ingest, listSources, processPendingBatch, sourceForWriteKey } from '../ingest/index.js';
// Not (yet) exported by the ingest domain's index: read-only use, to reuse the demo's sources by name.
import { type Db, refreshStatistics, StatisticsKeeper } from '../platform/db.js';
import {
  DEMO_SOURCES,
  type DemoOptions,
  type DemoSourceKey,
  type DemoStats,
  emptyStats,
  generateDemo,
} from './generate.js';

/** Events processed per transaction by `kith demo`. */
const DEMO_BATCH = 1000;

type SourceRow = NonNullable<Awaited<ReturnType<typeof sourceForWriteKey>>>;

/** The demo's five sources in a workspace: reused when one with the same name and channel exists, else created. */
export async function ensureDemoSources(db: Db, workspaceId: string): Promise<Record<DemoSourceKey, SourceRow>> {
  const existing = await listSources(db, workspaceId);
  const out: Partial<Record<DemoSourceKey, SourceRow>> = {};
  for (const s of DEMO_SOURCES) {
    const view =
      existing.find((x) => x.name === s.name && x.channel === s.channel) ??
      (await createSource(db, workspaceId, { name: s.name, channel: s.channel }));
    const row = await sourceForWriteKey(db, view.writeKey);
    if (!row) throw new Error(`Source ${view.id} has no usable write key`);
    out[s.key] = row;
  }
  return out as Record<DemoSourceKey, SourceRow>;
}

export interface StoreProgress {
  customers: number;
  totalCustomers: number;
  /** Events stored so far (new ones and ones already there). */
  events: number;
}

export interface StoreResult {
  stats: DemoStats;
  /** Events stored by this run. */
  accepted: number;
  /** Events already stored by an earlier run with the same seed. */
  duplicates: number;
  /** Events the tracking API refused (a bug in the generator if ever non-zero). */
  rejected: number;
  firstRejection: string | null;
}

/**
 * Generates a demo business and stores its events through the tracking API's storage path, in
 * batches of up to `batchSize` per source, streaming (memory stays flat for a million customers).
 */
export async function storeDemo(
  db: Db,
  workspaceId: string,
  opts: Omit<DemoOptions, 'currency' | 'country' | 'timezone'> & {
    batchSize?: number;
    /** Batches stored at the same time (PostgreSQL gains from a few; embedded PGlite runs one at a time anyway). */
    concurrency?: number;
    onProgress?: (p: StoreProgress) => void;
  },
): Promise<StoreResult> {
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  const sources = await ensureDemoSources(db, workspaceId);
  const batchSize = Math.min(opts.batchSize ?? 500, 2500);
  const stats = emptyStats();
  const result: StoreResult = { stats, accepted: 0, duplicates: 0, rejected: 0, firstRejection: null };
  const buffers = Object.fromEntries(DEMO_SOURCES.map((s) => [s.key, [] as unknown[]])) as Record<
    DemoSourceKey,
    unknown[]
  >;
  let sent = 0;
  const store = async (key: DemoSourceKey, batch: unknown[]) => {
    const r = await ingest(db, sources[key], { batch }, 'batch');
    result.accepted += r.accepted;
    result.duplicates += r.duplicates;
    result.rejected += r.rejected.length;
    const first = r.rejected[0];
    if (first && !result.firstRejection) result.firstRejection = `${first.field}: ${first.reason}`;
    sent += batch.length;
    opts.onProgress?.({ customers: stats.customers, totalCustomers: opts.customers, events: sent });
  };
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const flush = async (key: DemoSourceKey) => {
    const batch = buffers[key];
    if (batch.length === 0) return;
    buffers[key] = [];
    const p: Promise<void> = store(key, batch)
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  const generator = generateDemo(
    {
      customers: opts.customers,
      seed: opts.seed,
      end: opts.end,
      days: opts.days,
      currency: ws.currency,
      country: ws.default_country,
      timezone: ws.timezone === 'UTC' ? undefined : ws.timezone,
    },
    stats,
  );
  for (const person of generator) {
    for (const e of person.events) {
      const buffer = buffers[e.source];
      buffer.push(e.payload);
      if (buffer.length >= batchSize) await flush(e.source);
    }
  }
  for (const s of DEMO_SOURCES) await flush(s.key);
  await Promise.all(inFlight);
  if (failure) throw failure;
  return result;
}

/**
 * Turns a workspace's pending events into profiles, one processor batch at a time (as
 * `processAllPending` does), reporting the running count. Stops when nothing is left, or when
 * another process (a running server's workers) holds the workspace.
 */
export async function processDemo(db: Db, workspaceId: string, onProgress?: (processed: number) => void) {
  let processed = 0;
  const statistics = new StatisticsKeeper();
  for (;;) {
    // Larger batches than the server's background loop: nothing else waits for the database here.
    const n = await processPendingBatch(db, workspaceId, DEMO_BATCH);
    if (n === 0) return processed;
    processed += n;
    // Profiles, identifiers and orders grow from nothing: keep the planner's picture of them current
    // (as the server's background loop does), or it plans for the empty tables it last saw.
    if (statistics.note(n)) await refreshStatistics(db);
    onProgress?.(processed);
  }
}
