import type { Db, Tx } from '../platform/db.js';

/** One entry of a customer's timeline, whichever domain it comes from. */
export interface TimelineItem {
  id: string;
  /** 'event', 'order', … */
  kind: string;
  /** e.g. 'track:Order Completed', 'identify', 'order.completed' */
  type: string;
  at: Date;
  channel: string | null;
  sourceId: string | null;
  title: string;
  data: Record<string, unknown>;
}

export interface TimelineQuery {
  workspaceId: string;
  customerId: string;
  before?: { at: Date; id: string };
  limit: number;
  types?: string[];
  channels?: string[];
}

export type TimelineSource = (db: Db | Tx, q: TimelineQuery) => Promise<TimelineItem[]>;
const sources = new Map<string, TimelineSource>();

/** Lets a domain contribute items to the customer timeline (the 360 view). */
export function registerTimelineSource(name: string, fn: TimelineSource): void {
  sources.set(name, fn);
}

export function timelineSources(): TimelineSource[] {
  return [...sources.values()];
}
