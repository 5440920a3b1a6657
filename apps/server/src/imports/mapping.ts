import { parse } from 'csv-parse/sync';
import { UserError } from '../platform/errors.js';
import type { ImportKind } from './repository.js';

export const IMPORT_KINDS = ['customers', 'products'] as const;

/** The Kith fields a CSV column can map to, per kind (customers also take `traits.<name>`). */
export const FIELDS: Record<ImportKind, readonly string[]> = {
  customers: ['email', 'phone', 'userId', 'externalId', 'firstName', 'lastName', 'birthday', 'city', 'country', 'tags'],
  products: ['productId', 'sku', 'name', 'category', 'brand', 'price', 'currency'],
};
const CUSTOMER_IDENTIFIERS = ['email', 'phone', 'userId', 'externalId'];
const TRAIT = /^traits\.[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** csv-parse options shared by the header check and the job, so both see the same columns. */
export const CSV_OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true } as const;

/** The header row of a CSV file (400 when there is none). */
export function readHeader(content: Buffer): string[] {
  let rows: string[][];
  try {
    rows = parse(content, { ...CSV_OPTIONS, to_line: 1 }) as string[][];
  } catch (err) {
    throw new UserError(400, 'invalid_request', `The file is not valid CSV: ${(err as Error).message}`, 'file');
  }
  const header = rows[0];
  if (!header?.some((h) => h)) throw new UserError(400, 'invalid_request', 'The file has no header row', 'file');
  return header;
}

/** Parses the `mapping` field (CSV column → Kith field) and checks it against the kind and the header. */
export function validateMapping(kind: ImportKind, raw: string | undefined, header: string[]): Record<string, string> {
  if (!raw)
    throw new UserError(
      400,
      'invalid_request',
      'mapping is required (a JSON object: CSV column → Kith field)',
      'mapping',
    );
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UserError(400, 'invalid_request', 'mapping must be a JSON object: CSV column → Kith field', 'mapping');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new UserError(
      400,
      'invalid_request',
      'mapping must be a non-empty JSON object: CSV column → Kith field',
      'mapping',
    );
  }
  const mapping: Record<string, string> = {};
  const targets = new Set<string>();
  for (const [column, field] of Object.entries(value as Record<string, unknown>)) {
    const name = `mapping.${column}`;
    if (typeof field !== 'string')
      throw new UserError(400, 'invalid_request', `${name} must be a Kith field name`, name);
    const known = FIELDS[kind].includes(field) || (kind === 'customers' && TRAIT.test(field));
    if (!known) {
      const extra = kind === 'customers' ? ', or traits.<name>' : '';
      throw new UserError(
        400,
        'invalid_request',
        `${name}: "${field}" is not a ${kind} field (use one of ${FIELDS[kind].join(', ')}${extra})`,
        name,
      );
    }
    if (!header.includes(column)) {
      throw new UserError(400, 'invalid_request', `${name}: the file has no column "${column}"`, name);
    }
    if (targets.has(field)) {
      throw new UserError(400, 'invalid_request', `${name}: "${field}" is mapped from more than one column`, name);
    }
    targets.add(field);
    mapping[column] = field;
  }
  if (kind === 'customers' && !CUSTOMER_IDENTIFIERS.some((f) => targets.has(f))) {
    throw new UserError(
      400,
      'invalid_request',
      `mapping needs an identifier column for customers (one of ${CUSTOMER_IDENTIFIERS.join(', ')})`,
      'mapping',
    );
  }
  if (kind === 'products' && !targets.has('productId')) {
    throw new UserError(400, 'invalid_request', 'mapping needs a productId column for products', 'mapping');
  }
  return mapping;
}
