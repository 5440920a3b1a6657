import { parse } from 'csv-parse/sync';
import { UserError } from '../platform/errors.js';
import { im } from './messages.js';
import type { ImportKind } from './repository.js';

export const IMPORT_KINDS = ['customers', 'orders', 'products'] as const;

/** The Kith fields a CSV column can map to, per kind (customers and orders also take `traits.<name>`, a customer trait). */
export const FIELDS: Record<ImportKind, readonly string[]> = {
  customers: ['email', 'phone', 'userId', 'externalId', 'firstName', 'lastName', 'birthday', 'city', 'country', 'tags'],
  orders: [
    'orderId',
    'customerEmail',
    'customerPhone',
    'customerUserId',
    'customerExternalId',
    'placedAt',
    'productId',
    'sku',
    'productName',
    'quantity',
    'unitPrice',
    'currency',
    'status',
    'total',
  ],
  products: ['productId', 'sku', 'name', 'category', 'brand', 'price', 'currency'],
};

/** Importer presets: a known file layout, its mapping and its own rules (see orders.ts). */
export const IMPORT_PRESETS = ['online-retail'] as const;
export type ImportPreset = (typeof IMPORT_PRESETS)[number];
/** The mapping key that records the preset on the import row (it is not a CSV column). */
export const PRESET_KEY = '@preset';
const PRESET_MAPPINGS: Record<ImportPreset, { kind: ImportKind; mapping: Record<string, string> }> = {
  // UCI Online Retail: InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
  'online-retail': {
    kind: 'orders',
    mapping: {
      InvoiceNo: 'orderId',
      StockCode: 'productId',
      Description: 'productName',
      Quantity: 'quantity',
      InvoiceDate: 'placedAt',
      UnitPrice: 'unitPrice',
      CustomerID: 'customerExternalId',
      Country: 'traits.country',
    },
  },
};

/** The stored mapping of a preset (its columns checked against the header), with the preset recorded. */
export function presetMapping(kind: ImportKind, preset: string, header: string[]): Record<string, string> {
  const p = PRESET_MAPPINGS[preset as ImportPreset];
  if (!p) {
    throw new UserError(400, 'invalid_request', im('preset', { presets: IMPORT_PRESETS.join(', ') }), 'preset');
  }
  if (p.kind !== kind) {
    throw new UserError(400, 'invalid_request', im('preset_kind', { preset, presetKind: p.kind, kind }), 'preset');
  }
  const missing = Object.keys(p.mapping).filter((c) => !header.includes(c));
  if (missing.length) {
    throw new UserError(
      400,
      'invalid_request',
      im('preset_layout', { preset, columns: missing.map((c) => `"${c}"`).join(', ') }),
      'file',
    );
  }
  return { ...p.mapping, [PRESET_KEY]: preset };
}

/** The preset an import row was made with, and its mapping without the preset marker. */
export function splitPreset(stored: Record<string, string>): {
  preset: ImportPreset | null;
  mapping: Record<string, string>;
} {
  const { [PRESET_KEY]: preset, ...mapping } = stored;
  return { preset: (preset as ImportPreset | undefined) ?? null, mapping };
}
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
    throw new UserError(400, 'invalid_request', im('not_csv', { detail: (err as Error).message }), 'file');
  }
  const header = rows[0];
  if (!header?.some((h) => h)) throw new UserError(400, 'invalid_request', im('no_header'), 'file');
  return header;
}

/** Parses the `mapping` field (CSV column → Kith field) and checks it against the kind and the header. */
export function validateMapping(kind: ImportKind, raw: string | undefined, header: string[]): Record<string, string> {
  if (!raw) throw new UserError(400, 'invalid_request', im('mapping_required'), 'mapping');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UserError(400, 'invalid_request', im('mapping_json'), 'mapping');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new UserError(400, 'invalid_request', im('mapping_empty'), 'mapping');
  }
  const mapping: Record<string, string> = {};
  const targets = new Set<string>();
  for (const [column, field] of Object.entries(value as Record<string, unknown>)) {
    const name = `mapping.${column}`;
    if (typeof field !== 'string') throw new UserError(400, 'invalid_request', im('field_name', { name }), name);
    const known = FIELDS[kind].includes(field) || (kind !== 'products' && TRAIT.test(field));
    if (!known) {
      throw new UserError(
        400,
        'invalid_request',
        im('not_a_field', {
          name,
          field,
          kind,
          fields:
            kind !== 'products' ? im('fields_or_traits', { fields: FIELDS[kind].join(', ') }) : FIELDS[kind].join(', '),
        }),
        name,
      );
    }
    if (!header.includes(column)) {
      throw new UserError(400, 'invalid_request', im('no_column', { name, column }), name);
    }
    if (targets.has(field)) {
      throw new UserError(400, 'invalid_request', im('mapped_twice', { name, field }), name);
    }
    targets.add(field);
    mapping[column] = field;
  }
  if (kind === 'customers' && !CUSTOMER_IDENTIFIERS.some((f) => targets.has(f))) {
    throw new UserError(
      400,
      'invalid_request',
      im('needs_identifier', { fields: CUSTOMER_IDENTIFIERS.join(', ') }),
      'mapping',
    );
  }
  if (kind === 'orders') {
    for (const required of ['orderId', 'placedAt']) {
      if (!targets.has(required)) {
        throw new UserError(400, 'invalid_request', im('needs_order_column', { required }), 'mapping');
      }
    }
  }
  if (kind === 'products' && !targets.has('productId')) {
    throw new UserError(400, 'invalid_request', im('needs_product_id'), 'mapping');
  }
  return mapping;
}
