/**
 * Orders imports (DATA-7): the lines of a CSV grouped by order id (wherever they are in the file),
 * each order written once with `upsertOrder` (keyed on source + order id, so re-running the same
 * file changes nothing), its customer resolved through the event path like the customers import,
 * and every touched customer's order facts recomputed once at the end.
 */
import { getWorkspaceOrThrow } from '../access/index.js';
import { type OrderInput, type OrderItemInput, refreshOrderFacts, upsertOrders } from '../commerce/index.js';
import { lookupCustomer, normalizeEmail } from '../customers/index.js';
import { ingest, processAllPending } from '../ingest/index.js';
import type { Db } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { identifyMessage, importSource, mapRecord, records } from './jobs.js';
import type { ImportPreset } from './mapping.js';
import type * as repo from './repository.js';

/** Orders written per transaction. */
const ORDERS_PER_TX = 500;
/** Identifies sent per ingest batch. */
const IDENTIFY_BATCH = 500;
/** Customers whose facts are recomputed per transaction. */
const FACTS_PER_TX = 500;

export interface OrdersProgress {
  done: number;
  imported: number;
  duplicates: number;
  rejected: repo.Rejection[];
  message: string;
}

interface OrderImport {
  workspace_id: string;
  source_name: string | null;
  file_content: Uint8Array;
  mapping: Record<string, string>;
  preset: ImportPreset | null;
}

interface GoodLine {
  line: number;
  quantity: number;
  unitPrice: number | null;
  productId: string | null;
  sku: string | null;
  name: string | null;
}
interface Group {
  orderId: string;
  lines: GoodLine[];
  placedAt: Date;
  status?: 'completed' | 'cancelled' | 'refunded';
  currency?: string;
  total?: number;
  customerKey?: string;
}
interface Customer {
  fields: Record<string, string>;
  lines: number[];
  id?: string | null;
  reason?: string;
}

const STATUSES = ['completed', 'cancelled', 'refunded'] as const;
const IDENTIFIERS = [
  ['customerEmail', 'email'],
  ['customerPhone', 'phone'],
  ['customerUserId', 'userId'],
  ['customerExternalId', 'externalId'],
] as const;

/** A number written with a dot or a decimal comma; null when empty, NaN when not a number. */
function numberOf(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const s = v.includes('.') ? v.replace(/,/g, '') : v.replace(',', '.');
  return s.trim() === '' ? Number.NaN : Number(s);
}

/** ISO 8601, or `YYYY-MM-DD HH:MM[:SS]` (read as UTC). */
function dateOf(v: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(v);
  const d = new Date(m ? `${m[1]}T${(m[2] as string).replace(/^(\d):/, '0$1:')}Z` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `17850.0` → `17850` (the Spark export writes the UCI customer ids as floats). */
function integerId(v: string): string {
  return /^\d+\.0+$/.test(v) ? v.slice(0, v.indexOf('.')) : v;
}

/**
 * Imports the orders of a file: reads it whole into per-order groups (rejecting bad lines),
 * identifies the customers, then writes the orders and recomputes the customers' facts.
 */
export async function importOrders(
  db: Db,
  imp: OrderImport,
  total: number,
  progress: (p: OrdersProgress) => Promise<void>,
) {
  const workspaceId = imp.workspace_id;
  const onlineRetail = imp.preset === 'online-retail';
  const namespace = onlineRetail ? 'online_retail' : 'import';
  const ws = await getWorkspaceOrThrow(db, workspaceId);
  const defaultCurrency = onlineRetail ? 'GBP' : ws.currency;
  const rejected: repo.Rejection[] = [];
  const reject = (line: number, reason: string, field?: string) =>
    rejected.push(field ? { line, field, reason } : { line, reason });

  // 1. Every line, grouped by order.
  const groups = new Map<string, Group>();
  const customers = new Map<string, Customer>();
  let read = 0;
  for await (const { record, info } of records(imp.file_content) as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    read++;
    const f = mapRecord(record, imp.mapping);
    const line = info.lines;
    if (read % 50_000 === 0) {
      await progress({ done: 0, imported: 0, duplicates: 0, rejected, message: `Reading (${read} rows)` });
    }
    const checked = checkLine(f, line, reject);
    if (!checked) continue;
    const { placedAt, quantity, unitPrice, status, currency, total: orderTotal } = checked;
    const orderId = f.orderId as string;
    // The customer: its identifiers (and traits) in the identify we send for it.
    const who: Record<string, string> = {};
    for (const [from, to] of IDENTIFIERS) {
      const v = f[from];
      if (v) who[to] = to === 'externalId' && onlineRetail ? integerId(v) : v;
    }
    let customerKey: string | undefined;
    if (Object.keys(who).length) {
      customerKey = JSON.stringify(IDENTIFIERS.map(([, k]) => who[k] ?? null));
      let c = customers.get(customerKey);
      if (!c) {
        c = { fields: { ...who }, lines: [] };
        customers.set(customerKey, c);
      }
      for (const [k, v] of Object.entries(f)) if (k.startsWith('traits.')) c.fields[k] = v;
      c.lines.push(line);
    }
    let g = groups.get(orderId);
    if (!g) {
      g = { orderId, lines: [], placedAt };
      groups.set(orderId, g);
    }
    if (placedAt < g.placedAt) g.placedAt = placedAt;
    g.customerKey ??= customerKey;
    g.status ??= status ?? (onlineRetail && orderId.startsWith('C') ? 'cancelled' : undefined);
    g.currency ??= currency;
    g.total ??= orderTotal;
    g.lines.push({
      line,
      quantity,
      unitPrice,
      productId: f.productId ?? f.sku ?? null,
      sku: f.sku ?? null,
      name: f.productName ?? null,
    });
  }

  const readRejected = rejected.length;

  // 2. The customers, through ingest like the customers import; then their profile ids.
  const source = await importSource(db, workspaceId, imp.source_name);
  const list = [...customers.values()];
  for (let i = 0; i < list.length; i += IDENTIFY_BATCH) {
    const chunk = list.slice(i, i + IDENTIFY_BATCH);
    const r = await ingest(db, source, { batch: chunk.map((c) => identifyMessage(c.fields, namespace)) }, 'batch');
    for (const x of r.rejected) {
      const c = chunk[x.index];
      if (c) {
        c.id = null;
        c.reason = `The customer could not be identified: ${x.reason}`;
      }
    }
    await processAllPending(db, workspaceId);
    await progress({
      done: 0,
      imported: 0,
      duplicates: 0,
      rejected,
      message: `Identifying customers (${Math.min(i + IDENTIFY_BATCH, list.length)} / ${list.length})`,
    });
  }
  for (const c of list) {
    if (c.id === null) continue;
    const { email, phone, userId, externalId } = c.fields;
    const q = externalId
      ? { externalId, namespace }
      : userId
        ? { userId }
        : email
          ? { email }
          : { phone: phone as string };
    try {
      c.id = (await lookupCustomer(db, workspaceId, q)).id;
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof UserError)) throw err;
      c.id = null;
      c.reason = `The customer could not be identified: ${(err as Error).message}`;
    }
  }

  // 3. The orders, a transaction per few hundred; the facts of their customers once, at the end.
  let done = 0;
  let imported = 0;
  const facts = new Set<string>();
  const orders = [...groups.values()];
  for (let i = 0; i < orders.length; i += ORDERS_PER_TX) {
    const chunk = orders.slice(i, i + ORDERS_PER_TX);
    await db.transaction().execute(async (tx) => {
      const inputs: OrderInput[] = [];
      for (const g of chunk) {
        const c = g.customerKey === undefined ? undefined : customers.get(g.customerKey);
        if (c && !c.id) {
          for (const l of g.lines) reject(l.line, c.reason ?? 'The customer could not be identified');
          continue;
        }
        const items: OrderItemInput[] = g.lines.map((l) => ({
          productId: l.productId,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
        }));
        const sum = g.lines.reduce((s, l) => s + l.quantity * (l.unitPrice ?? 0), 0);
        const orderTotal = g.total ?? Math.round(sum * 100) / 100;
        inputs.push({
          sourceId: source.id,
          channel: 'import',
          externalId: g.orderId,
          customerId: c?.id ?? null,
          status: g.status ?? 'completed',
          currency: g.currency ?? defaultCurrency,
          total: orderTotal,
          items,
          placedAt: g.placedAt,
          ...(g.status === 'refunded' ? { refundedAmount: orderTotal } : {}),
        });
        imported += g.lines.length;
      }
      // New orders in a few statements; those already imported compare as upsertOrder does.
      await upsertOrders(tx, workspaceId, inputs, { deferFactsTo: facts });
    });
    done += chunk.reduce((s, g) => s + g.lines.length, 0);
    await progress({
      done: Math.min(done + readRejected, total),
      imported,
      duplicates: 0,
      rejected: sorted(rejected),
      message: `Writing orders (${Math.min(i + ORDERS_PER_TX, orders.length)} / ${orders.length})`,
    });
  }
  const ids = [...facts];
  for (let i = 0; i < ids.length; i += FACTS_PER_TX) {
    const chunk = ids.slice(i, i + FACTS_PER_TX);
    await db.transaction().execute((tx) => refreshOrderFacts(tx, workspaceId, chunk));
  }
  const result = { done: total, imported, duplicates: 0, rejected: sorted(rejected), message: 'Imported' };
  await progress(result);
  return { ...result, orders: orders.length, customers: facts.size };
}

const sorted = (r: repo.Rejection[]) => r.sort((a, b) => a.line - b.line);

/** A line's values, checked; undefined (and the line rejected) when one is wrong. */
export function checkLine(
  f: Record<string, string>,
  line: number,
  reject: (line: number, reason: string, field?: string) => void,
) {
  if (!f.orderId) return void reject(line, 'orderId is empty', 'orderId');
  if (!f.placedAt) return void reject(line, 'placedAt is empty', 'placedAt');
  const placedAt = dateOf(f.placedAt);
  if (!placedAt) return void reject(line, `placedAt "${f.placedAt.slice(0, 50)}" is not a date`, 'placedAt');
  const quantity = f.quantity === undefined ? 1 : numberOf(f.quantity);
  if (quantity === null || !Number.isFinite(quantity))
    return void reject(line, `quantity "${f.quantity?.slice(0, 50)}" is not a number`, 'quantity');
  const unitPrice = numberOf(f.unitPrice);
  if (unitPrice !== null && !Number.isFinite(unitPrice))
    return void reject(line, `unitPrice "${f.unitPrice?.slice(0, 50)}" is not a number`, 'unitPrice');
  const total = numberOf(f.total);
  if (total !== null && !Number.isFinite(total))
    return void reject(line, `total "${f.total?.slice(0, 50)}" is not a number`, 'total');
  let status: (typeof STATUSES)[number] | undefined;
  if (f.status) {
    const s = f.status.toLowerCase();
    if (!(STATUSES as readonly string[]).includes(s))
      return void reject(line, `status "${f.status.slice(0, 50)}" is not one of ${STATUSES.join(', ')}`, 'status');
    status = s as (typeof STATUSES)[number];
  }
  if (f.currency && !/^[A-Za-z]{3}$/.test(f.currency))
    return void reject(line, `currency "${f.currency.slice(0, 50)}" is not a 3-letter code`, 'currency');
  if (f.customerEmail) {
    const n = normalizeEmail(f.customerEmail);
    if ('reason' in n)
      return void reject(line, `email "${f.customerEmail.slice(0, 100)}" is ${n.reason}`, 'customerEmail');
  }
  return {
    placedAt,
    quantity,
    unitPrice,
    status,
    currency: f.currency?.toUpperCase(),
    total: total ?? undefined,
  };
}
