/** Imports: CSV uploads of customers, orders and products, run as background jobs with progress and a report (DATA-7). */
import { registerAuditTargetLabels } from '../access/index.js';
import * as repo from './repository.js';

export { IMPORT_QUEUE, registerImportJobs, runImport } from './jobs.js';
export { FIELDS as IMPORT_FIELDS, IMPORT_KINDS, IMPORT_PRESETS } from './mapping.js';
export { importsRoutes } from './routes.js';
export { createImport, getImportOrThrow, listImports, storeImport } from './service.js';

// Imports by file name in the audit log.
registerAuditTargetLabels('import', 'imp', async (db, workspaceId, ids) => {
  const rows = await repo.importFileNames(db, workspaceId, ids);
  return new Map(rows.flatMap((i) => (i.file_name ? [[i.id, i.file_name] as const] : [])));
});
