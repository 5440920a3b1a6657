/** The demo generator: deterministic, valid for the tracking API, and shaped like a real small business. */
import { describe, expect, it } from 'vitest';
import { parseItem } from '../ingest/index.js';
import { DEMO_SOURCES, type DemoPerson, emptyStats, generateDemo } from './generate.js';

const END = new Date('2026-11-23T00:00:00Z');
const DAY = 86_400_000;

type Payload = {
  type: string;
  event?: string;
  messageId: string;
  timestamp: string;
  anonymousId?: string;
  userId?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown> & { total?: number; order_id?: string; products?: unknown[] };
  context?: Record<string, unknown> & { traits?: Record<string, unknown>; externalIds?: { type: string }[] };
};
const payload = (e: { payload: unknown }) => e.payload as Payload;

function run(customers: number, seed: string | number = 1) {
  const stats = emptyStats();
  const people = [...generateDemo({ customers, seed, end: END }, stats)];
  return { people, stats };
}

// One sample shared by the shape tests (about a second to generate).
const sample = run(2000, 'shape');
const customers = sample.people.filter((p) => p.kind === 'customer');
const all = sample.people.flatMap((p) => p.events);

describe('determinism', () => {
  it('the same seed makes the same events; another seed makes others', () => {
    const a = run(150, 42);
    const b = run(150, 42);
    expect(b.people).toEqual(a.people);
    expect(b.stats).toEqual(a.stats);
    const c = run(150, 43);
    expect(c.people.flatMap((p) => p.events.map((e) => payload(e).messageId))).not.toEqual(
      a.people.flatMap((p) => p.events.map((e) => payload(e).messageId)),
    );
  });

  it('customer i is the same whatever the number of customers', () => {
    const small = run(40, 7).people;
    const large = run(120, 7).people;
    expect(large.slice(0, small.length)).toEqual(small);
  });

  it('message ids are unique and every timestamp is inside the two years before the end', () => {
    const ids = new Set(all.map((e) => payload(e).messageId));
    expect(ids.size).toBe(all.length);
    const times = all.map((e) => Date.parse(payload(e).timestamp));
    expect(Math.max(...times)).toBeLessThan(END.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(END.getTime() - 731 * DAY);
  });

  it('counts what it generates', () => {
    expect(sample.stats.customers).toBe(2000);
    expect(sample.stats.anonymousVisitors).toBe(sample.people.filter((p) => p.kind === 'visitor').length);
    expect(sample.stats.events).toBe(all.length);
    expect(sample.stats.orders).toBe(all.filter((e) => payload(e).event === 'Order Completed').length);
    expect(sample.stats.refunds).toBe(all.filter((e) => payload(e).event === 'Order Refunded').length);
  });
});

describe('every event is valid for the tracking API', () => {
  it('passes parseItem as a batch item, keeping its messageId and timestamp', () => {
    const receivedAt = new Date();
    const problems: string[] = [];
    for (const e of all) {
      const r = parseItem(e.payload, null, {}, receivedAt);
      if (!r.ok) problems.push(`${payload(e).messageId}: ${r.field}: ${r.reason}`);
      else if (r.row.message_id !== payload(e).messageId || r.row.timestamp.toISOString() !== payload(e).timestamp)
        problems.push(`${payload(e).messageId}: id or time changed`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the shape of the business', () => {
  const ordersOf = (p: DemoPerson) => p.events.filter((e) => payload(e).event === 'Order Completed');

  it('purchase counts are over-dispersed (gamma-distributed rates): variance well above the mean', () => {
    const counts = customers.map((c) => ordersOf(c).length);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(mean).toBeGreaterThan(3);
    expect(variance).toBeGreaterThan(3 * mean);
  });

  it('a share of customers has dropped out: no purchase in the last six months', () => {
    const cutoff = END.getTime() - 182 * DAY;
    const lapsed = customers.filter((c) => ordersOf(c).every((e) => Date.parse(payload(e).timestamp) < cutoff));
    const share = lapsed.length / customers.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.8);
  });

  it('December sells more than the average month; weekends more than weekdays', () => {
    const byMonth = new Map<string, number>();
    const byWeekday = new Array<number>(7).fill(0);
    for (const e of all) {
      const p = payload(e);
      if (p.event !== 'Order Completed') continue;
      const month = p.timestamp.slice(0, 7);
      byMonth.set(month, (byMonth.get(month) ?? 0) + (p.properties?.total as number));
      const day = new Date(p.timestamp).getUTCDay();
      byWeekday[day] = (byWeekday[day] as number) + 1;
    }
    // Whole months only: the first and the current one are partial.
    const months = [...byMonth].filter(([m]) => m !== '2024-11' && m !== '2026-11');
    const average = months.reduce((s, [, v]) => s + v, 0) / months.length;
    const decembers = months.filter(([m]) => m.endsWith('-12')).map(([, v]) => v);
    expect(decembers).toHaveLength(2);
    for (const december of decembers) expect(december).toBeGreaterThan(1.2 * average);
    const [sun, mon, tue, wed, thu, fri, sat] = byWeekday as [number, number, number, number, number, number, number];
    expect((sat + sun) / 2).toBeGreaterThan((mon + tue + wed + thu + fri) / 5);
  });

  it('uses all five sources, with a preferred purchase channel per customer', () => {
    for (const s of DEMO_SOURCES) expect(sample.stats.bySource[s.key], s.key).toBeGreaterThan(0);
    const orderSources = new Set(all.filter((e) => payload(e).event === 'Order Completed').map((e) => e.source));
    expect([...orderSources].sort()).toEqual(['counter', 'marketplace', 'website']);
    // Most customers buy mostly in one place.
    const loyal = customers.filter((c) => {
      const o = ordersOf(c);
      const top = Math.max(...['counter', 'website', 'marketplace'].map((s) => o.filter((e) => e.source === s).length));
      return top / o.length >= 0.7;
    });
    expect(loyal.length / customers.length).toBeGreaterThan(0.8);
  });

  it('some visitors browse anonymously and identify later with the same anonymousId; others never do', () => {
    expect(sample.stats.identifiedVisitors).toBeGreaterThan(0);
    let identifiedLater = 0;
    for (const c of customers) {
      const web = c.events.filter((e) => e.source === 'website').map(payload);
      const identify = web.find((p) => p.type === 'identify');
      if (!identify) continue;
      const before = web.filter((p) => p.type === 'page' && p.timestamp < identify.timestamp);
      if (before.length && before.every((p) => p.anonymousId === identify.anonymousId && !p.userId)) identifiedLater++;
      expect(identify.traits?.email).toBeTruthy();
    }
    expect(identifiedLater).toBeGreaterThan(0.05 * customers.length);
    const visitors = sample.people.filter((p) => p.kind === 'visitor');
    expect(visitors.length).toBeGreaterThan(0.2 * customers.length);
    const visitorEvents = visitors.flatMap((v) => v.events.map(payload));
    expect(visitorEvents.filter((p) => p.type !== 'page' || p.userId || p.traits || p.context?.traits)).toEqual([]);
  });

  it('orders follow the e-commerce spec: 1–4 products, totals that add up, ~3% refunded (some in part)', () => {
    const orders = all.filter((e) => payload(e).event === 'Order Completed').map(payload);
    const refunds = all.filter((e) => payload(e).event === 'Order Refunded').map(payload);
    const byId = new Map(orders.map((o) => [o.properties?.order_id, o]));
    expect(byId.size).toBe(orders.length);
    const wrong = orders.filter((o) => {
      const p = o.properties as {
        products: { price: number; quantity: number }[];
        total: number;
        currency: string;
        discount?: number;
        shipping?: number;
      };
      const items = p.products.reduce((sum, x) => sum + x.price * x.quantity, 0);
      const expected = items - (p.discount ?? 0) + (p.shipping ?? 0);
      return (
        p.products.length < 1 ||
        p.products.length > 4 ||
        p.currency !== 'EUR' ||
        p.total <= 0 ||
        Math.abs(p.total - expected) > 0.011
      );
    });
    expect(wrong).toEqual([]);
    expect(refunds.length / orders.length).toBeGreaterThan(0.015);
    expect(refunds.length / orders.length).toBeLessThan(0.05);
    let partial = 0;
    for (const r of refunds) {
      const order = byId.get(r.properties?.order_id);
      expect(order, `refund of an unknown order ${r.properties?.order_id}`).toBeDefined();
      expect(r.timestamp > (order as Payload).timestamp).toBe(true);
      if ((r.properties?.total as number) < ((order as Payload).properties?.total as number)) partial++;
    }
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(refunds.length);
  });

  it('identifies people as each channel would: phones at the counter, Instagram handles, marketplace buyer ids, subscribers', () => {
    const counter = all.filter((e) => e.source === 'counter').map(payload);
    const phones = counter.map((p) => (p.type === 'identify' ? p.traits : p.context?.traits)?.phone as string);
    expect(phones.every((x) => typeof x === 'string')).toBe(true);
    expect(phones.some((x) => x.startsWith('+34'))).toBe(true);
    expect(phones.some((x) => /^[67]\d{2}[ \d]+$/.test(x))).toBe(true); // local Spanish numbers
    expect(phones.some((x) => x.startsWith('+1'))).toBe(true);
    expect(counter.some((p) => p.type === 'track' && p.context?.traits?.email)).toBe(true);

    const instagram = all.filter((e) => e.source === 'instagram').map(payload);
    expect(new Set(instagram.map((p) => p.event ?? p.type))).toEqual(
      new Set(['identify', 'Post Liked', 'Story Viewed']),
    );
    for (const p of instagram) expect(p.context?.externalIds?.[0]?.type).toBe('instagram');

    const marketplace = all.filter((e) => e.source === 'marketplace').map(payload);
    for (const p of marketplace) {
      expect(p.context?.externalIds?.[0]?.type).toBe('marketplace_buyer');
      expect(p.context?.traits?.email).toBeTruthy();
    }

    const newsletter = all.filter((e) => e.source === 'newsletter').map(payload);
    expect(new Set(newsletter.map((p) => p.event ?? p.type))).toEqual(
      new Set(['identify', 'Email Opened', 'Email Link Clicked']),
    );
    for (const p of newsletter) expect(p.type === 'identify' ? p.traits?.email : p.context?.traits?.email).toBeTruthy();

    const identifies = all.filter((e) => payload(e).type === 'identify').map(payload);
    expect(identifies.some((p) => p.traits?.birthday)).toBe(true);
    expect(new Set(identifies.map((p) => p.traits?.locale))).toEqual(new Set(['es', 'en']));
  });
});
