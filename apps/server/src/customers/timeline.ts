/**
 * The customer timeline: one list, newest first, across everything the business knows about a
 * person. Domains contribute items by registering a source (events from ingest, orders, messages,
 * tickets as they arrive), so this domain never imports theirs; the 360 view and
 * `GET /api/v1/customers/{id}/timeline` merge what every source returns.
 */
import type { Db, Tx } from '../platform/db.js';
import { UserError } from '../platform/errors.js';
import { pm } from '../platform/messages.js';
import * as repo from './repository.js';

export interface TimelineItem {
  /** Unique across sources (prefixed ids: `evt_…`, `ord_…`, `mrg_…`). Breaks ties of `at`. */
  id: string;
  /** What the item is: 'event', 'order', 'profile', … */
  kind: string;
  /** Its type within the kind: 'identify', 'track:Order Completed', 'customer.merged', … */
  type: string;
  at: Date;
  channel: string | null;
  sourceId: string | null;
  title: string;
  data: Record<string, unknown>;
}

export interface TimelineQuery {
  workspaceId: string;
  /** The surviving profile (merged profiles' items belong to it by then). */
  customerId: string;
  /** Only items strictly older than this: `at` earlier, or the same `at` and a smaller `id`. */
  before?: { at: Date; id: string };
  /** At most this many items, newest first. */
  limit: number;
  /** Item types wanted; `track` also matches `track:<event>`. */
  types?: string[];
  channels?: string[];
}

/**
 * A domain's contribution: its items for one profile, newest first by (at, id), honouring
 * `before`, `limit`, `types` and `channels`. Compare `at` at millisecond precision (the cursor
 * is a JS Date) and ids byte-wise (`COLLATE "C"`), so that pages never skip or repeat an item.
 */
export type TimelineSource = (db: Db | Tx, q: TimelineQuery) => Promise<TimelineItem[]>;

const sources = new Map<string, TimelineSource>();

/** Registers a domain's timeline items (once per name; registering again replaces it). */
export function registerTimelineSource(name: string, source: TimelineSource): void {
  sources.set(name, source);
}

/** Every registered source, in registration order. */
export function timelineSources(): TimelineSource[] {
  return [...sources.values()];
}

/** The opaque cursor of the item a page ended with. */
export function encodeTimelineCursor(item: { at: Date; id: string }): string {
  return Buffer.from(`${item.at.toISOString()}|${item.id}`).toString('base64url');
}

export function decodeTimelineCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf('|');
  const at = new Date(text.slice(0, sep));
  const id = text.slice(sep + 1);
  if (sep < 0 || Number.isNaN(at.getTime()) || !id) {
    throw new UserError(400, 'invalid_request', pm('not_a_cursor'), 'cursor');
  }
  return { at, id };
}

const newerFirst = (a: TimelineItem, b: TimelineItem) =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const isBefore = (i: TimelineItem, b: { at: Date; id: string }) =>
  i.at.getTime() < b.at.getTime() || (i.at.getTime() === b.at.getTime() && i.id < b.id);

function matches(i: TimelineItem, q: TimelineQuery): boolean {
  if (q.types?.length && !q.types.some((t) => i.type === t || i.type.startsWith(`${t}:`))) return false;
  if (q.channels?.length && !(i.channel && q.channels.includes(i.channel))) return false;
  return true;
}

/** One page of a profile's timeline from every source, and the cursor of the next page (null at the end). */
export async function readTimeline(db: Db | Tx, q: TimelineQuery) {
  // One more than a page from each source tells whether anything is left after it.
  const ask = { ...q, limit: q.limit + 1 };
  const lists = [];
  // One after another: inside a transaction, and on PGlite, there is one connection anyway.
  for (const source of sources.values()) lists.push(await source(db, ask));
  const before = q.before;
  const all = lists
    .flat()
    .filter((i) => !before || isBefore(i, before))
    .sort(newerFirst);
  const page = all.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    // A source that ignores a filter cannot widen the page; it only makes it shorter.
    items: page.filter((i) => matches(i, q)),
    nextCursor: all.length > q.limit && last ? encodeTimelineCursor(last) : null,
  };
}

// ── this domain's own items: when the profile was first seen, and each merge into it ──

registerTimelineSource('customers', async (db, q) => {
  const c = await repo.findCustomer(db, q.workspaceId, q.customerId);
  if (!c) return [];
  const items: TimelineItem[] = [
    {
      id: c.id,
      kind: 'profile',
      type: 'customer.first_seen',
      at: c.first_seen_at ?? c.created_at,
      channel: c.first_seen_at ? (c.channels[0] ?? null) : null,
      sourceId: null,
      title: c.first_seen_at ? 'First seen' : 'Profile created',
      data: { seen: c.first_seen_at !== null },
    },
  ];
  for (const m of await repo.listMergeHistory(db, q.workspaceId, q.customerId)) {
    items.push({
      id: m.id,
      kind: 'profile',
      type: 'customer.merged',
      at: m.created_at,
      channel: null,
      sourceId: null,
      title: `Merged profile ${m.merged_id}`,
      data: {
        mergedId: m.merged_id,
        survivorId: m.survivor_id,
        reason: m.reason,
        eventId: m.event_id,
        actor: { type: m.actor_type, id: m.actor_id },
      },
    });
  }
  const before = q.before;
  return items
    .filter((i) => (!before || isBefore(i, before)) && matches(i, q))
    .sort(newerFirst)
    .slice(0, q.limit);
});
