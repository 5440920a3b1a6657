import { describe, expect, it } from 'vitest';
import { parseItem, parseRequest } from './segment.js';

const at = new Date('2026-03-01T12:00:10.000Z');

describe('Segment payloads', () => {
  it('corrects the device clock: timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
    const r = parseItem(
      {
        userId: 'u1',
        event: 'Bought',
        timestamp: '2020-01-01T00:00:00.000Z',
        sentAt: '2020-01-01T00:00:05.000Z',
        messageId: 'm1',
      },
      'track',
      {},
      at,
    );
    expect(r.ok && r.row.timestamp.toISOString()).toBe('2026-03-01T12:00:05.000Z');
    expect(r.ok && r.row.original_timestamp?.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(r.ok && r.row.received_at).toBe(at);
  });

  it('without sentAt the timestamp is used as given, and without either the arrival time', () => {
    const a = parseItem({ userId: 'u', timestamp: '2026-02-01T00:00:00Z' }, 'identify', {}, at);
    expect(a.ok && a.row.timestamp.toISOString()).toBe('2026-02-01T00:00:00.000Z');
    const b = parseItem({ userId: 'u' }, 'identify', {}, at);
    expect(b.ok && b.row.timestamp).toEqual(at);
  });

  it.each([
    [{ event: 'x' }, 'track', 'userId', 'userId or anonymousId is required'],
    [{ userId: 'u' }, 'track', 'event', 'track needs an event name'],
    [{ userId: 'u', event: '  ' }, 'track', 'event', 'track needs an event name'],
    [{ userId: 'u' }, 'alias', 'previousId', 'alias needs previousId'],
    [{ anonymousId: 'a', previousId: 'p' }, 'alias', 'userId', 'alias needs userId'],
    [{ userId: 'u' }, 'group', 'groupId', 'group needs groupId'],
    [{ userId: { a: 1 } }, 'identify', 'userId', 'userId must be a string or a number'],
    [{ userId: 'u', traits: [1] }, 'identify', 'traits', 'traits must be an object'],
    [{ userId: 'u', timestamp: 'yesterday' }, 'identify', 'timestamp', 'timestamp is not a date'],
  ] as const)('refuses %j as %s naming %s', (raw, type, field, reason) => {
    const r = parseItem(raw, type, {}, at);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.reason).toContain(reason);
    }
  });

  it('refuses an event over 32 KB and a batch item without a type', () => {
    const big = parseItem({ userId: 'u', event: 'e', properties: { blob: 'x'.repeat(33_000) } }, 'track', {}, at);
    expect(big.ok).toBe(false);
    const untyped = parseItem({ userId: 'u' }, null, {}, at);
    expect(!untyped.ok && untyped.field).toBe('type');
  });

  it('merges the batch context and integrations into each item, the item winning', () => {
    const r = parseRequest(
      {
        batch: [{ type: 'track', userId: 'u', event: 'E', context: { ip: '1.1.1.1' } }],
        context: { ip: '9.9.9.9', locale: 'es-ES' },
        integrations: { All: false },
        sentAt: '2026-03-01T12:00:00.000Z',
      },
      'batch',
      at,
    );
    expect('items' in r).toBe(true);
    if ('items' in r) {
      const item = r.items[0]?.parsed;
      expect(item?.ok && item.row.context).toEqual({ ip: '1.1.1.1', locale: 'es-ES' });
      expect(item?.ok && item.row.integrations).toEqual({ All: false });
      expect(item?.ok && item.row.sent_at?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
    }
  });

  it('refuses a batch of more than 2,500 events as a whole', () => {
    const r = parseRequest(
      { batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'e' })) },
      'batch',
      at,
    );
    expect(r).toMatchObject({ field: 'batch' });
  });

  it('accepts numeric ids as strings and generates a messageId when missing', () => {
    const r = parseItem({ userId: 42 }, 'identify', {}, at);
    expect(r.ok && r.row.user_id).toBe('42');
    expect(r.ok && r.row.message_id).toMatch(/^kith-/);
  });
});
