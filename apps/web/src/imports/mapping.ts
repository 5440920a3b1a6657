import type { ImportKind } from './api';

/** The Kith fields a column can go to, per kind (the server's list: apps/server/src/imports/mapping.ts). */
export const FIELDS = {
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
} as const satisfies Record<ImportKind, readonly string[]>;

export type KithField = (typeof FIELDS)[ImportKind][number];

/** What each kind needs: `all` of these fields, or `any` one of them. */
export const REQUIRED: Record<ImportKind, { all?: KithField[]; any?: KithField[] }> = {
  customers: { any: ['email', 'phone', 'userId', 'externalId'] },
  orders: { all: ['orderId', 'placedAt'] },
  products: { all: ['productId'] },
};

/** The columns of the UCI Online Retail file (the `online-retail` preset). */
export const ONLINE_RETAIL_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
];

export const isOnlineRetail = (header: string[]) => ONLINE_RETAIL_COLUMNS.every((c) => header.includes(c));

/** A column not imported. */
export const SKIP = '';

/** `traits.<name>` for a column kept as a custom field (the server accepts [A-Za-z_][A-Za-z0-9_]{0,63}). */
export function traitFor(column: string): string {
  let name = column
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) name = 'field';
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return `traits.${name.slice(0, 64)}`;
}

const SYNONYMS: Record<ImportKind, Partial<Record<KithField, string[]>>> = {
  customers: {
    email: ['email', 'emailaddress', 'mail', 'correo', 'correoelectronico'],
    phone: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'cell', 'telefono', 'movil'],
    userId: ['userid', 'user'],
    externalId: ['customerid', 'customerno', 'customernumber', 'clientid', 'externalid', 'id', 'cliente'],
    firstName: ['firstname', 'first', 'givenname', 'forename', 'nombre'],
    lastName: ['lastname', 'last', 'surname', 'familyname', 'apellido', 'apellidos'],
    birthday: ['birthday', 'birthdate', 'dateofbirth', 'dob', 'cumpleanos', 'fechadenacimiento'],
    city: ['city', 'town', 'ciudad', 'localidad'],
    country: ['country', 'pais'],
    tags: ['tags', 'labels', 'tag', 'etiquetas'],
  },
  orders: {
    orderId: ['orderid', 'ordernumber', 'orderno', 'order', 'invoiceno', 'invoice', 'pedido'],
    customerEmail: ['email', 'customeremail', 'correo'],
    customerPhone: ['phone', 'customerphone', 'telefono'],
    customerUserId: ['userid', 'customeruserid'],
    customerExternalId: ['customerid', 'customerno', 'customernumber', 'clientid'],
    placedAt: ['date', 'orderdate', 'invoicedate', 'placedat', 'createdat', 'fecha'],
    productId: ['productid', 'stockcode', 'product'],
    sku: ['sku'],
    productName: ['productname', 'description', 'item', 'itemname'],
    quantity: ['quantity', 'qty', 'cantidad'],
    unitPrice: ['unitprice', 'price', 'precio'],
    currency: ['currency', 'moneda'],
    status: ['status', 'estado'],
    total: ['total', 'amount', 'ordertotal', 'importe'],
  },
  products: {
    productId: ['productid', 'id', 'stockcode', 'code'],
    sku: ['sku'],
    name: ['name', 'productname', 'title', 'description', 'nombre'],
    category: ['category', 'categoria'],
    brand: ['brand', 'marca'],
    price: ['price', 'unitprice', 'precio'],
    currency: ['currency', 'moneda'],
  },
};

const simplify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** A first guess at the mapping from the column names; each field taken at most once. */
export function guessMapping(kind: ImportKind, header: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const column of header) {
    const key = simplify(column);
    const match = (Object.entries(SYNONYMS[kind]) as [KithField, string[]][]).find(
      ([field, names]) => !taken.has(field) && names.includes(key),
    );
    mapping[column] = match ? match[0] : SKIP;
    if (match) taken.add(match[0]);
  }
  return mapping;
}

export type MappingProblem =
  | { type: 'duplicate'; field: string; columns: string[] }
  | { type: 'required'; fields: KithField[] }
  | { type: 'requiredAny'; fields: KithField[] };

/** What is wrong with a mapping before asking the server (the server checks it again). */
export function mappingProblems(kind: ImportKind, mapping: Record<string, string>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const byField = new Map<string, string[]>();
  for (const [column, field] of Object.entries(mapping)) {
    if (field === SKIP) continue;
    byField.set(field, [...(byField.get(field) ?? []), column]);
  }
  for (const [field, columns] of byField) if (columns.length > 1) problems.push({ type: 'duplicate', field, columns });
  const need = REQUIRED[kind];
  const missing = (need.all ?? []).filter((f) => !byField.has(f));
  if (missing.length) problems.push({ type: 'required', fields: missing });
  if (need.any && !need.any.some((f) => byField.has(f))) problems.push({ type: 'requiredAny', fields: need.any });
  return problems;
}

/** The mapping as the API wants it: only the columns that are imported. */
export const mappingToSend = (mapping: Record<string, string>) =>
  Object.fromEntries(Object.entries(mapping).filter(([, field]) => field !== SKIP));
