import type { Db } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { JobQueue } from '../platform/jobs.js';
import { customerLineProblem, IMPORT_QUEUE, mapRecord, productLineProblem, records } from './jobs.js';
import { IMPORT_KINDS, presetMapping, readHeader, splitPreset, validateMapping } from './mapping.js';
import { im } from './messages.js';
import { checkLine } from './orders.js';
import * as repo from './repository.js';

export function importView(r: repo.ImportRow) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    ...splitPreset(r.mapping),
    sourceName: r.source_name,
    fileName: r.file_name,
    fileSize: r.file_size,
    jobId: r.job_id,
    progress: {
      rowsTotal: r.rows_total,
      rowsDone: r.rows_done,
      rowsImported: r.rows_imported,
      rowsDuplicate: r.rows_duplicate,
      rowsRejected: r.rows_rejected,
    },
    rejections: r.rejections,
    error: r.error,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

export interface UploadInput {
  kind?: string;
  mapping?: string;
  /** A known file layout (`online-retail`): its own mapping, so no `mapping` with it. */
  preset?: string;
  sourceName?: string;
  file?: { name: string | null; content: Buffer };
}

/** Checks an upload (kind, file header, mapping or preset); what the import would run with. */
function validateUpload(input: UploadInput) {
  const kind = input.kind?.trim();
  if (!kind || !(IMPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UserError(400, 'invalid_request', im('kind', { kinds: IMPORT_KINDS.join(', ') }), 'kind');
  }
  if (!input.file || input.file.content.length === 0) {
    throw new UserError(400, 'invalid_request', im('file_required'), 'file');
  }
  const sourceName = input.sourceName?.trim() || null;
  if (sourceName && sourceName.length > 200) {
    throw new UserError(400, 'invalid_request', im('source_name_long'), 'sourceName');
  }
  const k = kind as repo.ImportKind;
  const header = readHeader(input.file.content);
  const preset = input.preset?.trim();
  if (preset && input.mapping) {
    throw new UserError(400, 'invalid_request', im('mapping_or_preset'), 'mapping');
  }
  const mapping = preset ? presetMapping(k, preset, header) : validateMapping(k, input.mapping, header);
  return { kind: k, mapping, sourceName, file: input.file };
}

/** Checks an upload; the row to store. */
function checkUpload(workspaceId: string, createdBy: string | null, input: UploadInput) {
  const { kind, mapping, sourceName, file } = validateUpload(input);
  return {
    id: newId('imp'),
    workspace_id: workspaceId,
    kind,
    mapping,
    source_name: sourceName,
    file_name: file.name ?? null,
    file_size: file.content.length,
    file_content: file.content,
    created_by: createdBy,
  };
}

/** Rows of the file a check reads at most. */
export const CHECK_MAX_ROWS = 200;

/**
 * Checks an upload without storing anything: the mapping (400 naming the field, as an upload
 * would) and then the first rows of the file with the rules the import applies, so a person
 * sees the lines that would be rejected before starting. Send the whole file or its beginning.
 */
export async function checkImport(input: UploadInput, maxRows = CHECK_MAX_ROWS) {
  const { kind, mapping, file } = validateUpload(input);
  const { preset, mapping: columns } = splitPreset(mapping);
  const rejections: repo.Rejection[] = [];
  let rowsChecked = 0;
  for await (const { record, info } of records(file.content) as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    if (rowsChecked >= maxRows) break;
    rowsChecked++;
    const fields = mapRecord(record, columns);
    const line = info.lines;
    if (kind === 'orders') {
      checkLine(fields, line, (l, reason, field) =>
        rejections.push(field ? { line: l, field, reason } : { line: l, reason }),
      );
      continue;
    }
    const problem = kind === 'customers' ? customerLineProblem(fields) : productLineProblem(fields);
    if (problem) rejections.push({ line, ...problem });
  }
  return { kind, preset, mapping: columns, rowsChecked, rejections };
}

/** Checks an upload up front (kind, file header, mapping), stores it and queues its job. */
export async function createImport(
  db: Db,
  jobs: JobQueue,
  workspaceId: string,
  createdBy: string | null,
  input: UploadInput,
) {
  const values = checkUpload(workspaceId, createdBy, input);
  return db.transaction().execute(async (tx) => {
    const row = await repo.insertImport(tx, values);
    const jobId = await jobs.enqueue(
      IMPORT_QUEUE,
      { importId: values.id },
      { workspaceId, maxAttempts: 3, timeoutSeconds: 3600 },
      tx,
    );
    await repo.setJobId(tx, values.id, jobId);
    return importView({ ...row, job_id: jobId });
  });
}

/** Checks and stores an upload without queueing a job: the caller runs it (`runImport`), as the CLI does. */
export async function storeImport(db: Db, workspaceId: string, createdBy: string | null, input: UploadInput) {
  return importView(await repo.insertImport(db, checkUpload(workspaceId, createdBy, input)));
}

export async function listImports(db: Db, workspaceId: string, limit = 50) {
  return { data: (await repo.listImports(db, workspaceId, limit)).map(importView) };
}

export async function getImportOrThrow(db: Db, workspaceId: string, id: string) {
  const row = await repo.findImport(db, workspaceId, id);
  if (!row) throw new NotFoundError(im('import_not_found'));
  return importView(row);
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The kept rejections as CSV: line, field, reason. */
export async function rejectedCsv(db: Db, workspaceId: string, id: string) {
  const imp = await getImportOrThrow(db, workspaceId, id);
  const lines = [
    'line,field,reason',
    ...imp.rejections.map((r) => [r.line, r.field ?? '', r.reason].map(csvCell).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}
