import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { getWorkspaceOrThrow } from '../access/index.js';
import { type ProductInput, upsertProducts } from '../commerce/index.js';
import { addTagsByIdentifier, normalizeEmail } from '../customers/index.js';
import { createSource, findSourceById, ingest, listSources, processAllPending } from '../ingest/index.js';
import { type Db, refreshStatistics } from '../platform/db.js';
import type { JobContext, JobQueue } from '../platform/jobs.js';
import { CSV_OPTIONS, splitPreset } from './mapping.js';
import { importOrders } from './orders.js';
import * as repo from './repository.js';

export const IMPORT_QUEUE = 'imports.run';
/** Rows written per batch (and per progress update). */
export const BATCH_SIZE = 500;
/** Rejections kept on the import for its report. */
export const MAX_REJECTIONS = 1000;
/** The import source used when the upload names none, in the workspace's language. */
const DEFAULT_SOURCE_NAMES: Record<string, string> = { en: 'CSV import', es: 'Importación CSV' };

type Row = Record<string, string>;
interface Line {
  line: number;
  fields: Record<string, string>;
}
type Outcome = { imported: number; duplicates: number; rejected: repo.Rejection[] };

/** Registers the import runner on a job queue. */
export function registerImportJobs(jobs: JobQueue, _db: Db): void {
  jobs.register(IMPORT_QUEUE, async (job, ctx) => runImport(ctx, (job.payload as { importId: string }).importId));
}

/** The records of a CSV file as a stream, each with the line it ends on. */
export function records(content: Uint8Array) {
  return Readable.from([Buffer.from(content)]).pipe(parse({ ...CSV_OPTIONS, columns: true, info: true }));
}

/** The mapped, non-empty Kith fields of a CSV record. */
export function mapRecord(record: Row, mapping: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [column, field] of Object.entries(mapping)) {
    const v = record[column];
    if (typeof v === 'string' && v.trim() !== '') out[field] = v.trim();
  }
  return out;
}

export const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
/** The same content gives the same hash whatever the column order or names. */
export const contentHash = (kind: string, fields: Record<string, string>) =>
  sha256(
    JSON.stringify([
      kind,
      Object.keys(fields)
        .sort()
        .map((k) => [k, fields[k]]),
    ]),
  );

/** Reads the import's file and writes its rows in batches, updating progress; idempotent on re-runs. */
export async function runImport(ctx: Pick<JobContext, 'db' | 'reportProgress'>, importId: string) {
  const { db } = ctx;
  const imp = await repo.findImportWithFile(db, importId);
  if (!imp) return { skipped: 'import not found' };
  const started = new Date();
  await repo.updateImport(db, imp.id, {
    status: 'running',
    started_at: started,
    finished_at: null,
    error: null,
    rows_done: 0,
    rows_imported: 0,
    rows_duplicate: 0,
    rows_rejected: 0,
    rejections: [],
  });
  try {
    let total = 0;
    for await (const _ of records(imp.file_content)) total++;
    await repo.updateImport(db, imp.id, { rows_total: total });
    await ctx.reportProgress({ done: 0, total, message: 'Importing' });

    if (imp.kind === 'orders') {
      const { preset, mapping } = splitPreset(imp.mapping);
      const r = await importOrders(db, { ...imp, mapping, preset }, total, async (c) => {
        await repo.updateImport(db, imp.id, {
          rows_done: c.done,
          rows_imported: c.imported,
          rows_duplicate: c.duplicates,
          rows_rejected: c.rejected.length,
          rejections: c.rejected.slice(0, MAX_REJECTIONS),
        });
        await ctx.reportProgress({ done: c.done, total, message: c.message });
      });
      // A bulk load: the planner's statistics of profiles, orders and events are out of date.
      if (total >= 1000) await refreshStatistics(db);
      await repo.updateImport(db, imp.id, { status: 'completed', finished_at: new Date() });
      return { rows: total, imported: r.imported, duplicates: r.duplicates, rejected: r.rejected.length };
    }
    const write =
      imp.kind === 'customers'
        ? await customerWriter(db, imp.workspace_id, imp.source_name)
        : productWriter(db, imp.workspace_id);
    const counts = { done: 0, imported: 0, duplicates: 0, rejectedCount: 0 };
    const rejections: repo.Rejection[] = [];
    let batch: Line[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const r = await write(batch);
      counts.done += batch.length;
      counts.imported += r.imported;
      counts.duplicates += r.duplicates;
      counts.rejectedCount += r.rejected.length;
      for (const x of r.rejected) if (rejections.length < MAX_REJECTIONS) rejections.push(x);
      batch = [];
      await repo.updateImport(db, imp.id, {
        rows_done: counts.done,
        rows_imported: counts.imported,
        rows_duplicate: counts.duplicates,
        rows_rejected: counts.rejectedCount,
        rejections,
      });
      await ctx.reportProgress({ done: counts.done, total, message: 'Importing' });
    };
    for await (const { record, info } of records(imp.file_content) as AsyncIterable<{
      record: Row;
      info: { lines: number };
    }>) {
      batch.push({ line: info.lines, fields: mapRecord(record, imp.mapping) });
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    if (imp.kind === 'customers') await processAllPending(db, imp.workspace_id);
    // A bulk load: the planner's statistics of profiles, orders and events are out of date.
    if (total >= 1000) await refreshStatistics(db);
    await repo.updateImport(db, imp.id, { status: 'completed', finished_at: new Date() });
    return {
      rows: counts.done,
      imported: counts.imported,
      duplicates: counts.duplicates,
      rejected: counts.rejectedCount,
    };
  } catch (err) {
    await repo.updateImport(db, imp.id, {
      status: 'failed',
      error: (err as Error).message.slice(0, 1000),
      finished_at: new Date(),
    });
    throw err;
  }
}

/** The import source (channel `import`) of this name, created on first use. */
export async function importSource(db: Db, workspaceId: string, given: string | null | undefined) {
  let name = given?.trim();
  if (!name) {
    const language = (await getWorkspaceOrThrow(db, workspaceId)).locale.slice(0, 2).toLowerCase();
    name = DEFAULT_SOURCE_NAMES[language] ?? (DEFAULT_SOURCE_NAMES.en as string);
  }
  const existing = (await listSources(db, workspaceId)).find((s) => s.channel === 'import' && s.name === name);
  const view = existing ?? (await createSource(db, workspaceId, { name, channel: 'import' }));
  const row = await findSourceById(db, view.id);
  if (!row) throw new Error(`import source ${view.id} vanished`);
  return row;
}

const splitTags = (v: string) =>
  v
    .split(/[;,|]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Segment needs userId or anonymousId: without a userId, a stable anonymousId derived from the row's identifiers. */
const importAnonymousId = (f: Record<string, string>) =>
  `import-${sha256(JSON.stringify([f.email ?? null, f.phone ?? null, f.externalId ?? null])).slice(0, 32)}`;

/** Adds each row's tags to the profile its identify built (found by the identify's userId or anonymousId). */
async function tagImported(db: Db, workspaceId: string, rows: Record<string, string>[]) {
  const tagged = rows
    .filter((f) => f.tags)
    .map((f) => ({
      ...(f.userId
        ? { kind: 'user_id' as const, value: f.userId }
        : { kind: 'anonymous_id' as const, value: importAnonymousId(f) }),
      tags: splitTags(f.tags as string),
    }));
  if (tagged.length) await addTagsByIdentifier(db, workspaceId, tagged);
}

/**
 * The Segment identify for a customer row (email, phone, userId, externalId in namespace
 * `namespace`, other fields as traits), its message id derived from the content so that
 * importing the same row again is a duplicate.
 */
export function identifyMessage(fields: Record<string, string>, namespace: string): Record<string, unknown> {
  const { userId, externalId } = fields;
  const traits: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'userId' || field === 'externalId') continue;
    // Tags go onto the profile itself (`tagImported`), not into a trait.
    if (field === 'tags') continue;
    if (field.startsWith('traits.')) traits[field.slice('traits.'.length)] = value;
    else traits[field] = value;
  }
  const hash = contentHash(namespace === 'import' ? 'customers' : `customers:${namespace}`, fields);
  const anonymousId = userId ? undefined : importAnonymousId(fields);
  return {
    type: 'identify',
    messageId: `import-${hash}`,
    ...(userId ? { userId } : { anonymousId }),
    traits,
    ...(externalId ? { context: { externalIds: [{ id: externalId, type: namespace, collection: 'users' }] } } : {}),
  };
}

/** Why a mapped customer row cannot be imported (no identifier, a bad email), or null when it can. */
export function customerLineProblem(fields: Record<string, string>): Omit<repo.Rejection, 'line'> | null {
  const { email, phone, userId, externalId } = fields;
  if (!email && !phone && !userId && !externalId) {
    return { reason: 'No identifier: the row needs an email, phone, userId or externalId' };
  }
  if (email) {
    const n = normalizeEmail(email);
    if ('reason' in n) return { field: 'email', reason: `email "${email.slice(0, 100)}" is ${n.reason}` };
  }
  return null;
}

const productPrice = (v: string) => Number(v.replace(',', '.'));

/** Why a mapped product row cannot be imported (no product id, a bad price), or null when it can. */
export function productLineProblem(fields: Record<string, string>): Omit<repo.Rejection, 'line'> | null {
  if (!fields.productId) return { field: 'productId', reason: 'productId is empty' };
  if (fields.price !== undefined) {
    const price = productPrice(fields.price);
    if (!Number.isFinite(price) || price < 0) {
      return { field: 'price', reason: `price "${fields.price.slice(0, 50)}" is not a number` };
    }
  }
  return null;
}

/** Customers go through the event path: one Segment identify per row, deduplicated by content. */
async function customerWriter(db: Db, workspaceId: string, sourceName: string | null) {
  const source = await importSource(db, workspaceId, sourceName);
  return async (lines: Line[]): Promise<Outcome> => {
    const rejected: repo.Rejection[] = [];
    const batch: Record<string, unknown>[] = [];
    const lineOf: number[] = [];
    const fieldsOf: Record<string, string>[] = [];
    for (const { line, fields } of lines) {
      const problem = customerLineProblem(fields);
      if (problem) {
        rejected.push({ line, ...problem });
        continue;
      }
      batch.push(identifyMessage(fields, 'import'));
      lineOf.push(line);
      fieldsOf.push(fields);
    }
    if (!batch.length) return { imported: 0, duplicates: 0, rejected };
    const r = await ingest(db, source, { batch }, 'batch');
    for (const x of r.rejected) rejected.push({ line: lineOf[x.index] ?? 0, field: x.field, reason: x.reason });
    rejected.sort((a, b) => a.line - b.line);
    await processAllPending(db, workspaceId);
    const refused = new Set(r.rejected.map((x) => x.index));
    await tagImported(
      db,
      workspaceId,
      fieldsOf.filter((_, i) => !refused.has(i)),
    );
    return { imported: r.accepted, duplicates: r.duplicates, rejected };
  };
}

/** Products are upserted into the catalogue by their product id. */
function productWriter(db: Db, workspaceId: string) {
  return async (lines: Line[]): Promise<Outcome> => {
    const rejected: repo.Rejection[] = [];
    const products: ProductInput[] = [];
    for (const { line, fields } of lines) {
      const problem = productLineProblem(fields);
      if (problem) {
        rejected.push({ line, ...problem });
        continue;
      }
      const price = fields.price === undefined ? null : productPrice(fields.price);
      products.push({
        externalId: fields.productId as string,
        sku: fields.sku ?? null,
        name: fields.name ?? null,
        category: fields.category ?? null,
        brand: fields.brand ?? null,
        price,
        currency: fields.currency?.toUpperCase() ?? null,
      });
    }
    if (products.length) {
      const at = new Date();
      await db.transaction().execute((tx) => upsertProducts(tx, workspaceId, products, at));
    }
    return { imported: products.length, duplicates: 0, rejected };
  };
}
