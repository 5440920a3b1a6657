/** Imports: CSV uploads of customers, orders and products, run as background jobs with progress and a report (DATA-7). */
export { IMPORT_QUEUE, registerImportJobs, runImport } from './jobs.js';
export { FIELDS as IMPORT_FIELDS, IMPORT_KINDS, IMPORT_PRESETS } from './mapping.js';
export { importsRoutes } from './routes.js';
export { createImport, getImportOrThrow, listImports, storeImport } from './service.js';
