/**
 * Every figure of docs/metrics.md on a small bakery worked out by hand: six customers, a guest,
 * a refund, a cancelled order, an order in another currency, an order that is June in UTC but
 * July in Madrid, touchpoints on three channels, a funnel, marketing spend and a goal.
 * The workspace is in EUR and Europe/Madrid (UTC+1 in winter, UTC+2 from 29 March 2026).
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { cancelOrder, type OrderInput, refundOrder, upsertOrder } from '../commerce/index.js';
import { processAllPending } from '../ingest/index.js';
import { createTestApp, setupOwner, type TestApp } from '../testing/app.js';
import { registerAnalyticsJobs } from './jobs.js';
import { drain, rollupSettings } from './rollup-service.js';
import * as analytics from './service.js';

let t: TestApp;
let owner: Awaited<ReturnType<typeof setupOwner>>;
let ws: string;
const keys: Record<string, string> = {};
const sources: Record<string, string> = {};
const ids: Record<string, string> = {};
let seq = 0;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
async function send(channel: string, body: Record<string, unknown>) {
  const r = await t.req('POST', `/v1/${body.type}`, {
    body: JSON.stringify({ messageId: `m-${++seq}`, ...body }),
    headers: { 'content-type': 'application/json', authorization: basic(keys[channel] as string) },
  });
  expect(r.statusCode, r.body).toBe(200);
}
const touch = (channel: string, userId: string, event: string, timestamp: string) =>
  send(channel, { type: 'track', userId, event, timestamp });
async function order(
  externalId: string,
  who: string | null,
  total: number,
  placedAt: string,
  more: Partial<OrderInput> = {},
) {
  const channel = more.channel ?? 'ecommerce';
  await t.ctx.db.transaction().execute((tx) =>
    upsertOrder(tx, ws, {
      sourceId: sources[channel] as string,
      channel,
      externalId,
      customerId: who ? (ids[who] as string) : null,
      currency: 'EUR',
      total,
      placedAt: new Date(placedAt),
      ...more,
    }),
  );
}
const get = async (url: string) => {
  const r = await t.req('GET', url, { auth: owner.auth });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json();
};

beforeAll(async () => {
  t = await createTestApp();
  owner = await setupOwner(t);
  ws = owner.workspaceId;
  const p = await t.req('PATCH', '/api/v1/workspace', {
    auth: owner.auth,
    body: { currency: 'EUR', timezone: 'Europe/Madrid' },
  });
  expect(p.statusCode, p.body).toBe(200);
  for (const channel of ['web', 'email', 'social', 'ecommerce', 'store']) {
    const r = await t.req('POST', '/api/v1/sources', { auth: owner.auth, body: { name: channel, channel } });
    keys[channel] = r.json().writeKey;
    sources[channel] = r.json().id;
  }
  // Each customer's first event is on their acquisition channel (June 2025, before everything else).
  const people = [
    ['ana', 'web'],
    ['ben', 'email'],
    ['cid', 'social'],
    ['dee', 'web'],
    ['eve', 'email'],
    ['fay', 'social'],
  ] as const;
  for (const [i, [name, channel]] of people.entries()) {
    await send(channel, {
      type: 'identify',
      userId: name,
      traits: { email: `${name}@example.com` },
      timestamp: `2025-06-01T1${i}:00:00Z`,
    });
  }
  // Touchpoints (see the attribution tests for which order each precedes).
  await touch('email', 'ana', 'Email Clicked', '2026-01-01T11:00:00Z');
  await touch('social', 'ana', 'Ad Clicked', '2026-01-08T11:00:00Z');
  await touch('web', 'ana', 'Page Viewed', '2026-01-10T09:00:00Z');
  await touch('web', 'ana', 'Page Viewed', '2026-03-19T11:00:00Z');
  await touch('email', 'ben', 'Email Clicked', '2026-04-03T10:00:00Z');
  await touch('web', 'ben', 'Page Viewed', '2026-04-09T10:00:00Z');
  await touch('web', 'cid', 'Page Viewed', '2026-06-10T10:00:00Z');
  await touch('web', 'dee', 'Page Viewed', '2026-06-28T10:00:00Z');
  await touch('web', 'dee', 'Page Viewed', '2026-06-28T11:00:00Z');
  await touch('email', 'dee', 'Email Clicked', '2026-06-30T08:00:00Z');
  await processAllPending(t.ctx.db, ws);
  for (const [name] of people) {
    const r = await sql<{ customer_id: string }>`
      select customer_id from customer_identifiers
      where workspace_id = ${ws} and kind = 'user_id' and value = ${name}`.execute(t.ctx.db);
    ids[name] = r.rows[0]?.customer_id as string;
  }

  // Orders (local Madrid time in the comments).
  await order('A1', 'ana', 100, '2026-01-10T11:00:00Z'); // 10 Jan 12:00
  await order('A2', 'ana', 50, '2026-02-15T11:00:00Z'); // 15 Feb, 20 refunded below → net 30
  await order('A3', 'ana', 70, '2026-03-20T11:00:00Z');
  await order('B1', 'ben', 40, '2025-11-05T11:00:00Z'); // previous period
  await order('B2', 'ben', 60, '2026-04-10T10:00:00Z'); // 10 Apr 12:00
  await order('C1', 'cid', 80, '2026-05-05T10:00:00Z', { channel: 'store' });
  await order('C2', 'cid', 30, '2026-05-20T10:00:00Z', { channel: 'store' }); // cancelled below
  await order('D1', 'dee', 25, '2026-06-30T21:30:00Z'); // 30 Jun 23:30: inside the period
  await order('D2', 'dee', 500, '2026-06-30T22:30:00Z'); // 1 Jul 00:30: after it (June in UTC)
  await order('E1', 'eve', 90, '2026-03-01T11:00:00Z', { currency: 'USD' }); // another currency
  await order('G1', null, 45, '2026-02-01T11:00:00Z'); // a guest
  await order('F1', 'fay', 35, '2025-10-20T10:00:00Z'); // previous period
  await t.ctx.db.transaction().execute(async (tx) => {
    await refundOrder(tx, ws, {
      sourceId: sources.ecommerce as string,
      channel: 'ecommerce',
      externalId: 'A2',
      refundKey: 'r-1',
      amount: 20,
      at: new Date('2026-03-01T10:00:00Z'),
      customerId: ids.ana as string,
    });
    await cancelOrder(tx, ws, {
      sourceId: sources.store as string,
      channel: 'store',
      externalId: 'C2',
      at: new Date('2026-05-21T10:00:00Z'),
      customerId: ids.cid as string,
    });
  });
  // Lifecycle thresholds set by hand: lapsed (the churn threshold) after 90 days.
  const th = await t.req('PUT', '/api/v1/metrics/lifecycle/thresholds', {
    auth: owner.auth,
    body: { activeDays: 30, atRiskDays: 70, lapsedDays: 90 },
  });
  expect(th.statusCode, th.body).toBe(200);
  // Spend: email 100 in Jan and 300 in Jun, web 62 in Mar, partner 10 in Feb, social 50 in Dec 2025.
  for (const [month, channel, amount] of [
    ['2026-01', 'email', 100],
    ['2026-06', 'email', 300],
    ['2026-03', 'web', 62],
    ['2026-02', 'partner', 10],
    ['2025-12', 'social', 50],
  ] as const) {
    const r = await t.req('PUT', '/api/v1/metrics/spend', { auth: owner.auth, body: { month, channel, amount } });
    expect(r.statusCode, r.body).toBe(200);
  }
}, 120_000);

describe('KPIs', () => {
  it('computes every KPI of the period and of the previous one by the written definitions', async () => {
    const r = await get('/api/v1/metrics/kpis?from=2026-01-01&to=2026-06-30');
    // 1 Jan … 30 Jun = 181 days; the previous 181 days end on 31 Dec: 4 Jul … 31 Dec 2025.
    expect(r).toMatchObject({
      from: '2026-01-01',
      to: '2026-06-30',
      previousFrom: '2025-07-04',
      previousTo: '2025-12-31',
      currency: 'EUR',
      churnThresholdDays: 90,
      otherCurrency: { orders: 1, currencies: ['USD'] },
    });
    const v = Object.fromEntries(Object.entries(r.kpis).map(([k, x]) => [k, (x as { value: number }).value]));
    const p = Object.fromEntries(Object.entries(r.kpis).map(([k, x]) => [k, (x as { previous: number }).previous]));
    // Counted orders: A1 A2 A3 B2 C1 D1 E1 G1 = 8 (C2 cancelled, D2 is July in Madrid).
    expect(v.orders).toBe(8);
    // EUR net: 100 + (50 − 20) + 70 + 60 + 80 + 25 + 45 (guest) = 410; E1 (USD) left out.
    expect(v.netRevenue).toBe(410);
    // AOV over the 7 EUR orders: 410 / 7 = 58.571… → 58.57.
    expect(v.aov).toBe(58.57);
    // Customers: Ana, Ben, Cid, Dee, Eve (the guest is nobody) = 5.
    expect(v.customers).toBe(5);
    // New (first order ever in the period): Ana, Cid, Dee, Eve; Ben's first was in Nov 2025.
    expect(v.newCustomers).toBe(4);
    // Only Ana has 2+ orders in the period: 1 / 5.
    expect(v.repeatPurchaseRate).toBeCloseTo(0.2, 10);
    // Identified orders 8 − 1 guest = 7, over 5 customers.
    expect(v.purchaseFrequency).toBeCloseTo(1.4, 10);
    // CLV: identified EUR revenue 410 − 45 = 365 over the 4 customers with an EUR order (not Eve) = 91.25.
    expect(v.clv).toBe(91.25);
    // Active on 1 Jan (an order in the 90 days before: 3 Oct … 31 Dec): Ben (5 Nov), Fay (20 Oct).
    // Ben ordered again in the period (B2), Fay did not → retention 1/2, churn 1/2.
    expect(v.retentionRate).toBeCloseTo(0.5, 10);
    expect(v.churnRate).toBeCloseTo(0.5, 10);
    // Spend Jan–Jun: email 100 + 300, web 62, partner 10 = 472 (social's is December) → CAC 472 / 4 = 118.
    expect(v.cac).toBe(118);
    // New customers' EUR revenue in the period: Ana 200 + Cid 80 + Dee 25 + Eve 0 = 305; ROI (305 − 472) / 472.
    expect(v.roi).toBeCloseTo((305 - 472) / 472, 10);
    // Last 30 days (1 … 30 Jun): active Cid (1 day, 1 event) and Dee (2 days, 3 events, bought D1):
    // a = 2, d = 3, e = 4, b = 1 → 100 × (0.5 × (3/2)/10 + 0.3 × (4/2)/30 + 0.2 × 1/2) = 7.5 + 2 + 10 = 19.5.
    expect(v.engagementScore).toBe(19.5);

    // Previous period: B1 40 and F1 35.
    expect(p.orders).toBe(2);
    expect(p.netRevenue).toBe(75);
    expect(p.aov).toBe(37.5);
    expect(p.customers).toBe(2);
    expect(p.newCustomers).toBe(2);
    expect(p.repeatPurchaseRate).toBe(0);
    expect(p.purchaseFrequency).toBe(1);
    expect(p.clv).toBe(37.5);
    // Nobody had ordered in the 90 days before 4 Jul 2025.
    expect(p.retentionRate).toBeNull();
    expect(p.churnRate).toBeNull();
    // Spend 50 (social, Dec) over 2 new customers; their revenue 75: ROI (75 − 50) / 50.
    expect(p.cac).toBe(25);
    expect(p.roi).toBeCloseTo(0.5, 10);
    expect(p.engagementScore).toBeNull();
    // Change: (410 − 75) / 75.
    expect(r.kpis.netRevenue.change).toBeCloseTo(335 / 75, 10);
    expect(r.kpis.netRevenue.unit).toBe('money');
    expect(r.kpis.repeatPurchaseRate).toMatchObject({ unit: 'percent', change: null });
  });

  it('filters by acquisition channel', async () => {
    const r = await get('/api/v1/metrics/kpis?from=2026-01-01&to=2026-06-30&channel=web');
    const v = Object.fromEntries(Object.entries(r.kpis).map(([k, x]) => [k, (x as { value: number }).value]));
    // Ana and Dee: A1 A2 A3 D1; 100 + 30 + 70 + 25 = 225; no guest.
    expect(v).toMatchObject({ customers: 2, newCustomers: 2, orders: 4, netRevenue: 225, aov: 56.25 });
    // Web spend 62 over 2 new customers; their revenue 225.
    expect(v.cac).toBe(31);
    expect(v.roi).toBeCloseTo((225 - 62) / 62, 10);
  });

  it('refuses a bad period naming the field', async () => {
    const r = await t.req('GET', '/api/v1/metrics/kpis?from=2026-07-01&to=2026-06-30', { auth: owner.auth });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.field).toBe('from');
    const bad = await t.req('GET', '/api/v1/metrics/kpis?from=2026-02-30', { auth: owner.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('from');
  });

  it('defaults to the last 12 months ending today in the workspace time zone', () => {
    // 23:30 UTC on 31 Dec is already 1 Jan in Madrid.
    const p = analytics.resolvePeriod({}, 'Europe/Madrid', new Date('2026-12-31T23:30:00Z'));
    expect(p.cur).toEqual({ from: '2026-01-02', to: '2027-01-01' });
    expect(p.prev).toEqual({ from: '2025-01-02', to: '2026-01-01' });
  });
});

describe('revenue over time and channels', () => {
  it('revenue and orders per month and order channel', async () => {
    const r = await get('/api/v1/metrics/revenue?from=2026-01-01&to=2026-06-30&interval=month');
    expect(r.series).toEqual([
      { period: '2026-01-01', channel: 'ecommerce', revenue: 100, orders: 1 },
      { period: '2026-02-01', channel: 'ecommerce', revenue: 75, orders: 2 }, // A2 30 + guest 45
      { period: '2026-03-01', channel: 'ecommerce', revenue: 70, orders: 2 }, // A3 70 + E1 (USD: counted, no money)
      { period: '2026-04-01', channel: 'ecommerce', revenue: 60, orders: 1 },
      { period: '2026-05-01', channel: 'store', revenue: 80, orders: 1 }, // C2 cancelled
      { period: '2026-06-01', channel: 'ecommerce', revenue: 25, orders: 1 }, // D2 is July locally
    ]);
  });

  it('revenue, AOV, CLV, spend, CAC and ROI by acquisition channel', async () => {
    const r = await get('/api/v1/metrics/channels?from=2026-01-01&to=2026-06-30');
    const by = Object.fromEntries(r.items.map((x: { channel: string }) => [x.channel, x]));
    // web: Ana + Dee, both new; 4 EUR orders, 225; CLV 225 / 2; spend 62 → CAC 31, ROI (225 − 62) / 62.
    expect(by.web).toMatchObject({ newCustomers: 2, customers: 2, orders: 4, revenue: 225, aov: 56.25, clv: 112.5 });
    expect(by.web).toMatchObject({ spend: 62, cac: 31 });
    expect(by.web.roi).toBeCloseTo(163 / 62, 10);
    // email: Ben (not new) and Eve (new, USD only): 2 orders, EUR revenue 60 over 1 EUR order and 1 EUR customer.
    // Spend 400 for 1 new customer whose EUR revenue is 0: ROI −1.
    expect(by.email).toMatchObject({ newCustomers: 1, customers: 2, orders: 2, revenue: 60, aov: 60, clv: 60 });
    expect(by.email).toMatchObject({ spend: 400, cac: 400, roi: -1 });
    // social: Cid; no spend in the period (December's is outside).
    expect(by.social).toMatchObject({ newCustomers: 1, customers: 1, orders: 1, revenue: 80, spend: null, cac: null });
    // partner: spend and nothing else.
    expect(by.partner).toMatchObject({ customers: 0, revenue: 0, spend: 10, cac: null, roi: -1 });
    expect(r.items.map((x: { channel: string }) => x.channel)).toEqual(['web', 'social', 'email', 'partner']);
  });

  it('spend of a month partly in the period counts pro rata by days', async () => {
    // 16 … 30 June is 15 of June's 30 days: email 300 × 15 / 30 = 150.
    const r = await get('/api/v1/metrics/channels?from=2026-06-16&to=2026-06-30');
    expect(r.items.find((x: { channel: string }) => x.channel === 'email').spend).toBe(150);
    const list = await get('/api/v1/metrics/spend?from=2026-01-01&to=2026-06-30');
    expect(list.items).toEqual([
      { month: '2026-01', channel: 'email', amount: 100, currency: 'EUR' },
      { month: '2026-02', channel: 'partner', amount: 10, currency: 'EUR' },
      { month: '2026-03', channel: 'web', amount: 62, currency: 'EUR' },
      { month: '2026-06', channel: 'email', amount: 300, currency: 'EUR' },
    ]);
  });
});

describe('cohorts', () => {
  it('retention and revenue by month of first order', async () => {
    const r = await get('/api/v1/metrics/cohorts?from=2026-01-01&to=2026-06-30');
    expect(r.cohorts).toEqual([
      // Ana: Jan 100, Feb 30 (refund), Mar 70.
      {
        cohort: '2026-01',
        size: 1,
        periods: [
          { offset: 0, customers: 1, retention: 1, revenue: 100 },
          { offset: 1, customers: 1, retention: 1, revenue: 30 },
          { offset: 2, customers: 1, retention: 1, revenue: 70 },
        ],
      },
      // Eve: a USD order, counted but no money.
      { cohort: '2026-03', size: 1, periods: [{ offset: 0, customers: 1, retention: 1, revenue: 0 }] },
      // Cid: C1 80 (C2 cancelled).
      { cohort: '2026-05', size: 1, periods: [{ offset: 0, customers: 1, retention: 1, revenue: 80 }] },
      // Dee: D1 25; D2 (1 Jul locally) is after the period.
      { cohort: '2026-06', size: 1, periods: [{ offset: 0, customers: 1, retention: 1, revenue: 25 }] },
    ]);
    const web = await get('/api/v1/metrics/cohorts?from=2026-01-01&to=2026-06-30&channel=web');
    expect(web.cohorts.map((c: { cohort: string }) => c.cohort)).toEqual(['2026-01', '2026-06']);
  });
});

describe('attribution', () => {
  // Attributed EUR orders with touchpoints in the 30 days before them:
  //   A1 100 (10 Jan 11:00Z): email 9 d before, social 2 d before, web 2 h before
  //   A3  70 (20 Mar): web 1 d before            (A2 has none within 30 days; C1 none)
  //   B2  60 (10 Apr): email 7 d before, web 1 d before
  //   D1  25 (30 Jun 21:30Z): web 2 d 11.5 h, web 2 d 10.5 h, email 13.5 h before
  // attributed = 100 + 70 + 60 + 25 = 255; order revenue = all EUR revenue 410 (guest included).
  const models = {
    first_touch: { email: 100 + 60, web: 70 + 25 },
    last_touch: { web: 100 + 70 + 60, email: 25 },
    linear: { email: 100 / 3 + 30 + 25 / 3, social: 100 / 3, web: 100 / 3 + 70 + 30 + 50 / 3 },
    // 40/20/40: A1 email 40, social 20, web 40; B2 (two) 30/30; D1 web 10 + 5, email 10.
    position_based: { email: 40 + 30 + 10, social: 20, web: 40 + 70 + 30 + 15 },
    time_decay: (() => {
      const w = (days: number) => 2 ** (-days / 7);
      const a1 = [w(9), w(2), w(2 / 24)];
      const sa1 = a1[0]! + a1[1]! + a1[2]!;
      const b2 = [w(7), w(1)];
      const sb2 = b2[0]! + b2[1]!;
      const d1 = [w(2 + 11.5 / 24), w(2 + 10.5 / 24), w(13.5 / 24)];
      const sd1 = d1[0]! + d1[1]! + d1[2]!;
      return {
        email: (100 * a1[0]!) / sa1 + (60 * b2[0]!) / sb2 + (25 * d1[2]!) / sd1,
        social: (100 * a1[1]!) / sa1,
        web: (100 * a1[2]!) / sa1 + 70 + (60 * b2[1]!) / sb2 + (25 * (d1[0]! + d1[1]!)) / sd1,
      };
    })(),
  };
  for (const [model, expected] of Object.entries(models)) {
    it(`${model}: channels as worked out, summing to the attributed revenue`, async () => {
      const r = await get(`/api/v1/metrics/attribution?model=${model}&from=2026-01-01&to=2026-06-30&lookbackDays=30`);
      expect(r).toMatchObject({ model, lookbackDays: 30, currency: 'EUR', orderRevenue: 410, attributedRevenue: 255 });
      const got = Object.fromEntries(
        r.channels.map((c: { channel: string; revenue: number }) => [c.channel, c.revenue]),
      );
      expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
      for (const [ch, v] of Object.entries(expected))
        expect(Math.abs(got[ch] - v), `${model} ${ch}`).toBeLessThanOrEqual(0.01);
      const cents = r.channels.reduce((a: number, c: { revenue: number }) => a + Math.round(c.revenue * 100), 0);
      expect(cents).toBe(25500);
      const shares = r.channels.reduce((a: number, c: { share: number }) => a + c.share, 0);
      expect(shares).toBeCloseTo(1, 10);
    });
  }

  it('a shorter look-back drops the touchpoints before it', async () => {
    // 3 days: A1 keeps social (2 d) and web (2 h); B2 keeps web (1 d); A3 web; D1 all three.
    const r = await get('/api/v1/metrics/attribution?model=first_touch&from=2026-01-01&to=2026-06-30&lookbackDays=3');
    expect(r.attributedRevenue).toBe(255);
    expect(r.channels).toEqual([
      { channel: 'web', revenue: 155, share: 155 / 255 }, // A3 70 + B2 60 + D1 25
      { channel: 'social', revenue: 100, share: 100 / 255 }, // A1
    ]);
  });
});

describe('funnel', () => {
  it('counts customers through the steps in order within the window', async () => {
    // August 2026, a 7-day window from each customer's first "Product Viewed":
    // Ana: view 2 Aug, cart 3 Aug, checkout 5 Aug → all three steps.
    // Ben: view 2 Aug, cart 12 Aug (10 days later, outside the window) → step 1.
    // Cid: cart 1 Aug (before the view), view 4 Aug, checkout 6 Aug (no cart after the view) → step 1.
    // Dee: view 10 and 11 Aug, cart 12 Aug, checkout 20 Aug (10 days after the first view) → step 2.
    for (const [who, event, day] of [
      ['ana', 'Product Viewed', '02'],
      ['ana', 'Added to Cart', '03'],
      ['ana', 'Checkout Started', '05'],
      ['ben', 'Product Viewed', '02'],
      ['ben', 'Added to Cart', '12'],
      ['cid', 'Added to Cart', '01'],
      ['cid', 'Product Viewed', '04'],
      ['cid', 'Checkout Started', '06'],
      ['dee', 'Product Viewed', '10'],
      ['dee', 'Product Viewed', '11'],
      ['dee', 'Added to Cart', '12'],
      ['dee', 'Checkout Started', '20'],
    ] as const) {
      await touch('web', who, event, `2026-08-${day}T10:00:00Z`);
    }
    await processAllPending(t.ctx.db, ws);
    const q = 'steps=Product%20Viewed&steps=Added%20to%20Cart&steps=Checkout%20Started&from=2026-08-01&to=2026-08-31';
    const r = await get(`/api/v1/metrics/funnel?${q}&windowDays=7`);
    expect(r.steps).toEqual([
      { event: 'Product Viewed', customers: 4, fromPrevious: 1, fromStart: 1 },
      { event: 'Added to Cart', customers: 2, fromPrevious: 0.5, fromStart: 0.5 },
      { event: 'Checkout Started', customers: 1, fromPrevious: 0.5, fromStart: 0.25 },
    ]);
    const one = await t.req('GET', '/api/v1/metrics/funnel?steps=Product%20Viewed', { auth: owner.auth });
    expect(one.statusCode).toBe(400);
    expect(one.json().error.field).toBe('steps');
  });
});

describe('RFM, lifecycle and value tiers', () => {
  const now = new Date('2026-07-05T12:00:00Z');
  it('adds Fay coming back after 256 days', async () => {
    await order('F2', 'fay', 40, '2026-07-03T10:00:00Z');
  });

  it('RFM: quintile scores by percent rank, named cells', async () => {
    // Last orders, oldest first: Eve 1 Mar, Ana 20 Mar, Ben 10 Apr, Cid 5 May, Dee 30 Jun 21:30Z (D2 22:30Z), Fay 3 Jul.
    // percent rank 0, .2, .4, .6, .8, 1 → R = 1, 2, 3, 4, 5, 5.
    // Orders: Cid 1 (C2 cancelled), Eve 1 → F1; Ben 2, Dee 2, Fay 2 → rank 3 of 6, p = 2/5 → F3; Ana 3 → F5.
    // Cells: Eve (1,1) lost; Ana (2,5) cant_lose; Ben (3,3) need_attention; Cid (4,1) promising;
    //        Dee (5,3) and Fay (5,3) potential_loyalists.
    // Monetary (EUR): Eve 0 (USD), Ana 200, Ben 100, Cid 80, Dee 525, Fay 75.
    const r = await analytics.getRfm(t.ctx.db, ws, now);
    const cells = Object.fromEntries(r.cells.map((c) => [c.key, { customers: c.customers, revenue: c.revenue }]));
    expect(cells).toMatchObject({
      lost: { customers: 1, revenue: 0 },
      cant_lose: { customers: 1, revenue: 200 },
      need_attention: { customers: 1, revenue: 100 },
      promising: { customers: 1, revenue: 80 },
      potential_loyalists: { customers: 2, revenue: 600 },
      champions: { customers: 0, revenue: 0 },
    });
    expect(r.cells.reduce((a, c) => a + c.customers, 0)).toBe(6);
    expect(r.grid).toHaveLength(25);
    expect(r.grid.find((g) => g.r === 5 && g.f === 3)?.customers).toBe(2);
    expect(r.grid.find((g) => g.r === 2 && g.f === 5)).toMatchObject({ customers: 1, cell: 'cant_lose' });
  });

  it('lifecycle stages with the thresholds 30 / 70 / 90 days', async () => {
    // On 5 Jul: Dee's first order 30 Jun → new. Fay: last 3 Jul, previous 20 Oct 2025 (256 days > 90) → won back.
    // Cid: last 5 May, 61 days ≤ 70 → active. Ben: 10 Apr, 86 days → at risk. Ana (107), Eve (126) → lapsed.
    const r = await get('/api/v1/metrics/lifecycle');
    expect(r.thresholds).toEqual({ activeDays: 30, atRiskDays: 70, lapsedDays: 90, derived: false });
    const l = await analytics.getLifecycle(t.ctx.db, ws, now);
    expect(Object.fromEntries(l.stages.map((s) => [s.stage, s.customers]))).toEqual({
      new: 1,
      won_back: 1,
      active: 1,
      at_risk: 1,
      lapsed: 2,
    });
  });

  it('the members of cells and stages, as SQL other domains (segments) can embed', async () => {
    const members = async (q: { execute(db: unknown): Promise<{ rows: { id: string }[] }> }) =>
      (await q.execute(t.ctx.db)).rows.map((r) => r.id).sort();
    expect(await members(analytics.rfmMembersSql(ws, ['potential_loyalists']))).toEqual([ids.dee, ids.fay].sort());
    expect(await members(analytics.rfmMembersSql(ws, ['lost', 'cant_lose']))).toEqual([ids.eve, ids.ana].sort());
    expect(await members(analytics.rfmMembersSql(ws, ['champions']))).toEqual([]);
    expect(await members(await analytics.lifecycleMembersSql(t.ctx.db, ws, ['won_back', 'new'], now))).toEqual(
      [ids.fay, ids.dee].sort(),
    );
    expect(await members(await analytics.lifecycleMembersSql(t.ctx.db, ws, ['lapsed'], now))).toEqual(
      [ids.ana, ids.eve].sort(),
    );
  });

  it('derived thresholds fall back to the defaults with fewer than 20 repeat customers', async () => {
    const r = await t.req('PUT', '/api/v1/metrics/lifecycle/thresholds', { auth: owner.auth, body: { derived: true } });
    expect(r.json().thresholds).toEqual({ ...analytics.DEFAULT_THRESHOLDS, derived: true });
    const bad = await t.req('PUT', '/api/v1/metrics/lifecycle/thresholds', {
      auth: owner.auth,
      body: { activeDays: 30, atRiskDays: 20, lapsedDays: 90 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('atRiskDays');
    // Back to the hand-set ones for the tests below.
    const back = await t.req('PUT', '/api/v1/metrics/lifecycle/thresholds', {
      auth: owner.auth,
      body: { activeDays: 30, atRiskDays: 70, lapsedDays: 90 },
    });
    expect(back.statusCode).toBe(200);
  });

  it('value tiers by percent rank of monetary value', async () => {
    // Highest first: Dee 525 (p 0) top; Ana 200 (0.2), Ben 100 (0.4) medium; Cid 80, Fay 75, Eve 0 low.
    const r = await get('/api/v1/metrics/value-tiers');
    expect(r.tiers).toEqual([
      { tier: 'top', customers: 1, revenue: 525, minRevenue: 525 },
      { tier: 'high', customers: 0, revenue: 0, minRevenue: null },
      { tier: 'medium', customers: 2, revenue: 300, minRevenue: 100 },
      { tier: 'low', customers: 3, revenue: 155, minRevenue: 0 },
    ]);
  });
});

describe('goals', () => {
  it('progress from the baseline toward the target, on track at a linear pace', async () => {
    const created = new Date('2026-07-05T12:00:00Z');
    // Last 12 months ending 5 Jul 2026 (6 Jul 2025 … 5 Jul 2026): F1 B1 A1 A2 A3 G1 E1 B2 C1 D1 D2 F2 = 12 orders.
    const g = await analytics.createGoal(t.ctx.db, ws, { kpi: 'orders', target: 20, deadline: '2026-12-31' }, created);
    expect(g).toMatchObject({ kpi: 'orders', baseline: 12, current: 12, progress: 0, target: 20 });
    // Two more orders: 14 → (14 − 12) / (20 − 12) = 0.25.
    await order('G2', null, 10, '2026-07-04T10:00:00Z');
    await order('G3', null, 10, '2026-07-04T11:00:00Z');
    // The deadline ends 1 Jan 2027 00:00Z: 179.5 days after creation. On 18 Aug 12:00Z, 44 days = 0.245 elapsed
    // ≤ 0.25 → on track; on 19 Aug, 45 days = 0.2507 > 0.25 → not.
    const on = (await analytics.listGoals(t.ctx.db, ws, new Date('2026-08-18T12:00:00Z'))).items[0];
    expect(on).toMatchObject({ id: g.id, current: 14, progress: 0.25, onTrack: true });
    const off = (await analytics.listGoals(t.ctx.db, ws, new Date('2026-08-19T12:00:00Z'))).items[0];
    expect(off).toMatchObject({ current: 14, progress: 0.25, onTrack: false });
    expect(
      analytics.goalProgress({ target: 0.4, baseline: 0.2, deadline: '2026-12-31', createdAt: created }, 0.5, created),
    ).toMatchObject({ progress: 1, onTrack: true });
  });

  it('creates, edits and deletes goals through the API', async () => {
    const c = await t.req('POST', '/api/v1/goals', {
      auth: owner.auth,
      body: { kpi: 'repeatPurchaseRate', target: 0.4, deadline: '2099-06-30', name: 'Repeat 40 %' },
    });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json()).toMatchObject({ name: 'Repeat 40 %', kpi: 'repeatPurchaseRate', deadline: '2099-06-30' });
    const past = await t.req('POST', '/api/v1/goals', {
      auth: owner.auth,
      body: { kpi: 'orders', target: 1, deadline: '2020-01-01' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.field).toBe('deadline');
    const e = await t.req('PATCH', `/api/v1/goals/${c.json().id}`, { auth: owner.auth, body: { target: 0.5 } });
    expect(e.json()).toMatchObject({ target: 0.5, baseline: c.json().baseline });
    const logged = (await get('/api/v1/audit-log')).data.find((a: { action: string }) => a.action === 'goal.update');
    expect(logged).toMatchObject({ targetId: c.json().id, targetKind: 'goal', targetLabel: 'Repeat 40 %' });
    expect((await t.req('DELETE', `/api/v1/goals/${c.json().id}`, { auth: owner.auth })).statusCode).toBe(204);
    expect((await t.req('DELETE', `/api/v1/goals/${c.json().id}`, { auth: owner.auth })).statusCode).toBe(404);
    const audit = await get('/api/v1/audit-log');
    const actions = audit.data.map((a: { action: string }) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['goal.create', 'goal.update', 'goal.delete', 'analytics.spend_set']),
    );
  });
});

describe('KPI snapshots (while a rollup is built) and the rollup', () => {
  const q = { from: '2026-01-01', to: '2026-06-29' };
  const live = { live: true };

  it('a KPI set is kept and answers again while current; after a write it is marked out of date, then recomputed', async () => {
    const first = await analytics.getKpis(t.ctx.db, ws, q, undefined, live);
    expect(first).toMatchObject({ source: 'live', current: true });
    const again = await analytics.getKpis(t.ctx.db, ws, q, undefined, live);
    expect(again).toMatchObject({ source: 'snapshot', current: true, computedAt: first.computedAt });
    expect(again.kpis).toEqual(first.kpis);
    // Another order in June: the snapshot is out of date but answers for up to 5 minutes.
    await order('A4', 'ana', 12, '2026-06-15T10:00:00Z');
    const stale = await analytics.getKpis(t.ctx.db, ws, q, undefined, live);
    expect(stale).toMatchObject({ source: 'snapshot', current: false });
    expect(stale.kpis.netRevenue.value).toBe(first.kpis.netRevenue.value);
    const later = new Date(Date.now() + analytics.SNAPSHOT_MAX_LAG_MS + 1000);
    const recomputed = await analytics.getKpis(t.ctx.db, ws, q, later, live);
    expect(recomputed).toMatchObject({ source: 'live', current: true });
    expect(recomputed.kpis.netRevenue.value).toBe((first.kpis.netRevenue.value as number) + 12);
    expect(recomputed.kpis).toEqual(
      (await analytics.getKpis(t.ctx.db, ws, q, later, { fresh: true, live: true })).kpis,
    );
    // The rollup answers the same, at once.
    const rolled = await analytics.getKpis(t.ctx.db, ws, q, later);
    expect(rolled).toMatchObject({ source: 'rollup', current: true, pending: 0 });
    expect(rolled.kpis).toEqual(recomputed.kpis);
    // Spend changes CAC and ROI: the snapshot is out of date at once.
    expect(await analytics.getKpis(t.ctx.db, ws, q, later, live)).toMatchObject({ source: 'snapshot', current: true });
    await analytics.setSpend(t.ctx.db, ws, { month: '2026-06', channel: 'email', amount: 400 });
    const spent = await analytics.getKpis(t.ctx.db, ws, q, later, live);
    expect(spent).toMatchObject({ source: 'snapshot', current: false });
  });

  it("the route answers from the rollup, which sees every write; while a rollup is built, from the job's snapshot", async () => {
    registerAnalyticsJobs(t.ctx.jobs, t.ctx.db);
    const first = await get('/api/v1/metrics/kpis');
    expect(first).toMatchObject({ source: 'rollup', current: true, pending: 0 });
    // An order yesterday (in the default period, whatever today is): the next read rolls it up.
    await order('A5', 'ana', 7, new Date(Date.now() - 86_400_000).toISOString());
    const next = await get('/api/v1/metrics/kpis');
    expect(next).toMatchObject({ source: 'rollup', current: true, pending: 0 });
    expect(next.kpis.netRevenue.value).toBeCloseTo(first.kpis.netRevenue.value + 7, 2);

    // A rollup being built (more marked than a read rolls up): the default set's snapshot answers.
    const saved = rollupSettings.inlineDrain;
    rollupSettings.inlineDrain = 0;
    try {
      await sql`update analytics_rollup_state set ready = false where workspace_id = ${ws}`.execute(t.ctx.db);
      await sql`insert into analytics_rollup_dirty (workspace_id, subject) values (${ws}, ${ids.ana})`.execute(
        t.ctx.db,
      );
      await analytics.refreshKpiSnapshot(t.ctx.db, ws);
      const snap = await get('/api/v1/metrics/kpis');
      expect(snap).toMatchObject({ source: 'snapshot', current: true });
      expect(snap.kpis).toEqual(next.kpis);
      await order('A6', 'ana', 5, new Date(Date.now() - 86_400_000).toISOString());
      const stale = await get('/api/v1/metrics/kpis');
      expect(stale).toMatchObject({ source: 'snapshot', current: false });
      // The route asked for the snapshot again; the rollup job is due a few seconds later.
      expect(await t.ctx.jobs.drain()).toBe(1);
      const fresh = await get('/api/v1/metrics/kpis');
      expect(fresh).toMatchObject({ source: 'snapshot', current: true });
      expect(fresh.kpis.netRevenue.value).toBeCloseTo(next.kpis.netRevenue.value + 5, 2);
      // The rollup job rolls the order up and marks the rollup ready: it answers again.
      await drain(t.ctx.db, await analytics.scopeOf(t.ctx.db, ws));
      const back = await get('/api/v1/metrics/kpis');
      expect(back).toMatchObject({ source: 'rollup', current: true });
      expect(back.kpis).toEqual(fresh.kpis);
    } finally {
      rollupSettings.inlineDrain = saved;
    }
  });
});
