import { z } from 'zod';
import { IMPORT_KINDS, IMPORT_PRESETS } from './mapping.js';

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional().describe('How many, newest first (default 50)'),
});

export const rejection = z.object({
  line: z.number().int().describe('The line of the CSV file (the header is line 1)'),
  reason: z.string(),
  field: z.string().optional().describe('The Kith field at fault, when one is'),
});

export const importView = z
  .object({
    id: z.string(),
    kind: z.enum(IMPORT_KINDS),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    mapping: z.record(z.string(), z.string()).describe('CSV column → Kith field'),
    preset: z.enum(IMPORT_PRESETS).nullable().describe('The file layout preset the import used, if any'),
    sourceName: z.string().nullable(),
    fileName: z.string().nullable(),
    fileSize: z.number().int(),
    jobId: z.string().nullable(),
    progress: z.object({
      rowsTotal: z.number().int().nullable().describe('Known once the file has been counted'),
      rowsDone: z.number().int(),
      rowsImported: z.number().int(),
      rowsDuplicate: z.number().int().describe('Rows already imported before (re-running a file changes nothing)'),
      rowsRejected: z.number().int(),
    }),
    rejections: z.array(rejection).describe('The first 1,000 rejected rows'),
    error: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Import' });

export const importList = z.object({ data: z.array(importView) });

export const importCheck = z
  .object({
    kind: z.enum(IMPORT_KINDS),
    preset: z.enum(IMPORT_PRESETS).nullable(),
    mapping: z.record(z.string(), z.string()).describe('CSV column → Kith field, as the import would use it'),
    rowsChecked: z.number().int().describe('Rows of the file that were read (at most 200)'),
    rejections: z.array(rejection).describe('The lines among those that the import would reject'),
  })
  .meta({ id: 'ImportCheck' });
