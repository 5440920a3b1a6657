/**
 * The Segment HTTP Tracking API's payloads, read into event rows: validation as Segment does
 * it, batch-level context merged into each item, and the clock-skew correction of timestamps.
 * Pure functions: no database, no HTTP.
 */
import crypto from 'node:crypto';

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LIMITS = {
  eventBytes: 32 * 1024,
  requestBytes: 500 * 1024,
  batchItems: 2500,
} as const;

export interface EventRow {
  message_id: string;
  type: EventType;
  event: string | null;
  name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  previous_id: string | null;
  timestamp: Date;
  original_timestamp: Date | null;
  sent_at: Date | null;
  received_at: Date;
  properties: Record<string, unknown> | null;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  integrations: Record<string, unknown> | null;
}

export type Parsed =
  | { ok: true; row: EventRow }
  | { ok: false; reason: string; field: string; messageId: string | null };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function idValue(v: unknown): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return undefined; // wrong type
}

function date(v: unknown): Date | null | undefined {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export interface BatchDefaults {
  context?: Obj;
  integrations?: Obj;
  sentAt?: unknown;
}

/** Reads one call (or one item of a batch) into an event row, or says why it cannot be stored. */
export function parseItem(
  raw: unknown,
  typeOfEndpoint: EventType | null,
  defaults: BatchDefaults,
  receivedAt: Date,
): Parsed {
  if (!isObj(raw)) return { ok: false, reason: 'An event must be a JSON object', field: 'body', messageId: null };
  const messageIdRaw = raw.messageId;
  const messageId = typeof messageIdRaw === 'string' && messageIdRaw.trim() ? messageIdRaw.trim().slice(0, 200) : null;
  const fail = (field: string, reason: string): Parsed => ({ ok: false, reason, field, messageId });

  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > LIMITS.eventBytes)
    return fail('body', `Event is ${size} bytes; the limit is ${LIMITS.eventBytes} (32 KB)`);
  const type = (typeOfEndpoint ?? raw.type) as EventType;
  if (!EVENT_TYPES.includes(type)) {
    return fail('type', raw.type === undefined ? 'A batch item needs a type' : `Unknown type "${String(raw.type)}"`);
  }
  if (messageIdRaw !== undefined && messageIdRaw !== null && typeof messageIdRaw !== 'string') {
    return fail('messageId', 'messageId must be a string');
  }
  const userId = idValue(raw.userId);
  const anonymousId = idValue(raw.anonymousId);
  if (userId === undefined) return fail('userId', 'userId must be a string or a number');
  if (anonymousId === undefined) return fail('anonymousId', 'anonymousId must be a string or a number');
  let previousId: string | null = null;
  if (type === 'alias') {
    const p = idValue(raw.previousId);
    if (!p) return fail('previousId', 'alias needs previousId');
    if (!userId) return fail('userId', 'alias needs userId');
    previousId = p;
  } else if (!userId && !anonymousId) {
    return fail('userId', 'userId or anonymousId is required');
  }
  let event: string | null = null;
  if (type === 'track') {
    if (typeof raw.event !== 'string' || !raw.event.trim()) return fail('event', 'track needs an event name');
    if (raw.event.length > 200) return fail('event', 'event name is longer than 200 characters');
    event = raw.event.trim();
  }
  let groupId: string | null = null;
  if (type === 'group') {
    const g = idValue(raw.groupId);
    if (!g) return fail('groupId', 'group needs groupId');
    groupId = g;
  }
  for (const f of ['properties', 'traits', 'context', 'integrations'] as const) {
    if (raw[f] !== undefined && raw[f] !== null && !isObj(raw[f])) return fail(f, `${f} must be an object`);
  }
  const original = date(raw.timestamp ?? raw.originalTimestamp);
  if (original === undefined) return fail('timestamp', 'timestamp is not a date (use ISO 8601)');
  const sentAt = date(raw.sentAt ?? defaults.sentAt);
  if (sentAt === undefined) return fail('sentAt', 'sentAt is not a date (use ISO 8601)');
  // Segment's skew correction: the device clock may be wrong, but (sentAt − timestamp) is right.
  const timestamp =
    original && sentAt
      ? new Date(receivedAt.getTime() - (sentAt.getTime() - original.getTime()))
      : (original ?? receivedAt);

  const context = { ...(defaults.context ?? {}), ...((raw.context as Obj | undefined) ?? {}) };
  const integrations = { ...(defaults.integrations ?? {}), ...((raw.integrations as Obj | undefined) ?? {}) };
  const name = typeof raw.name === 'string' ? raw.name.slice(0, 500) : null;
  return {
    ok: true,
    row: {
      message_id: messageId ?? `kith-${crypto.randomUUID()}`,
      type,
      event,
      name,
      user_id: userId ?? null,
      anonymous_id: anonymousId ?? null,
      group_id: groupId,
      previous_id: previousId,
      timestamp,
      original_timestamp: original,
      sent_at: sentAt,
      received_at: receivedAt,
      properties: (raw.properties as Obj | undefined) ?? null,
      traits: (raw.traits as Obj | undefined) ?? null,
      context: Object.keys(context).length ? context : null,
      integrations: Object.keys(integrations).length ? integrations : null,
    },
  };
}

export interface ParsedRequest {
  items: { index: number; parsed: Parsed; raw: unknown }[];
}

/** Splits a request body into items: one for a single call, each `batch` item for a batch. */
export function parseRequest(
  body: unknown,
  endpoint: EventType | 'batch',
  receivedAt: Date,
): ParsedRequest | { error: string; field: string } {
  if (!isObj(body)) return { error: 'The body must be a JSON object', field: 'body' };
  if (endpoint !== 'batch')
    return { items: [{ index: 0, raw: body, parsed: parseItem(body, endpoint, {}, receivedAt) }] };
  if (!Array.isArray(body.batch)) return { error: 'batch must be an array of events', field: 'batch' };
  if (body.batch.length > LIMITS.batchItems) {
    return {
      error: `A batch holds at most ${LIMITS.batchItems} events; this one has ${body.batch.length}`,
      field: 'batch',
    };
  }
  const defaults: BatchDefaults = {
    context: isObj(body.context) ? body.context : undefined,
    integrations: isObj(body.integrations) ? body.integrations : undefined,
    sentAt: body.sentAt,
  };
  return {
    items: body.batch.map((raw, index) => ({ index, raw, parsed: parseItem(raw, null, defaults, receivedAt) })),
  };
}
