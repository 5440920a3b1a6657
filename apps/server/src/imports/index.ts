/** Imports: CSV uploads of customers and products, run as background jobs with progress and a report (DATA-7). */
export { IMPORT_QUEUE, registerImportJobs, runImport } from './jobs.js';
export { FIELDS as IMPORT_FIELDS, IMPORT_KINDS } from './mapping.js';
export { importsRoutes } from './routes.js';
export { createImport, getImportOrThrow, listImports } from './service.js';
