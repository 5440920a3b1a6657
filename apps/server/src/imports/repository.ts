import type { Generated, Selectable } from 'kysely';
import { type Db, type Tx, tables } from '../platform/db.js';

export type ImportKind = 'customers' | 'orders' | 'products';
export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export interface Rejection {
  line: number;
  reason: string;
  field?: string;
}

interface ImportsTable {
  id: string;
  workspace_id: string;
  kind: ImportKind;
  mapping: Record<string, string>;
  source_name: string | null;
  file_name: string | null;
  file_size: number;
  file_content: Uint8Array;
  status: Generated<ImportStatus>;
  job_id: string | null;
  rows_total: number | null;
  rows_done: Generated<number>;
  rows_imported: Generated<number>;
  rows_duplicate: Generated<number>;
  rows_rejected: Generated<number>;
  rejections: Generated<Rejection[]>;
  error: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}
interface ImportTables {
  imports: ImportsTable;
}
const t = (db: Db | Tx) => tables<ImportTables>(db);

export type ImportRow = Omit<Selectable<ImportsTable>, 'file_content'>;
const columns = [
  'id',
  'workspace_id',
  'kind',
  'mapping',
  'source_name',
  'file_name',
  'file_size',
  'status',
  'job_id',
  'rows_total',
  'rows_done',
  'rows_imported',
  'rows_duplicate',
  'rows_rejected',
  'rejections',
  'error',
  'created_by',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
] as const;

export async function insertImport(
  db: Db | Tx,
  row: Pick<
    ImportsTable,
    | 'id'
    | 'workspace_id'
    | 'kind'
    | 'mapping'
    | 'source_name'
    | 'file_name'
    | 'file_size'
    | 'file_content'
    | 'created_by'
  >,
): Promise<ImportRow> {
  return t(db)
    .insertInto('imports')
    .values({ ...row, mapping: JSON.stringify(row.mapping) as unknown as Record<string, string> })
    .returning(columns)
    .executeTakeFirstOrThrow();
}

export async function setJobId(db: Db | Tx, id: string, jobId: string) {
  await t(db).updateTable('imports').set({ job_id: jobId }).where('id', '=', id).execute();
}

export async function findImport(db: Db | Tx, workspaceId: string, id: string): Promise<ImportRow | undefined> {
  return t(db)
    .selectFrom('imports')
    .select(columns)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listImports(db: Db, workspaceId: string, limit: number): Promise<ImportRow[]> {
  return t(db)
    .selectFrom('imports')
    .select(columns)
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The import and its file, for the job (by id alone: the job carries the workspace on the import row). */
export async function findImportWithFile(db: Db, id: string) {
  return t(db).selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ImportPatch {
  status?: ImportStatus;
  rows_total?: number | null;
  rows_done?: number;
  rows_imported?: number;
  rows_duplicate?: number;
  rows_rejected?: number;
  rejections?: Rejection[];
  error?: string | null;
  started_at?: Date | null;
  finished_at?: Date | null;
}

export async function updateImport(db: Db | Tx, id: string, patch: ImportPatch) {
  const { rejections, ...rest } = patch;
  await t(db)
    .updateTable('imports')
    .set({
      ...rest,
      ...(rejections ? { rejections: JSON.stringify(rejections) as unknown as Rejection[] } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Imports of the workspace among `ids`: their file name (for the audit log). */
export async function importFileNames(db: Db | Tx, workspaceId: string, ids: string[]) {
  return t(db)
    .selectFrom('imports')
    .select(['id', 'file_name'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', ids)
    .execute();
}
