/**
 * A deterministic simulation of a small bakery's customers over the two years ending today,
 * written as Segment-spec calls exactly as its counter (POS), website, Instagram account,
 * marketplace listing and newsletter would send them.
 *
 * The customer model is BG/NBD-shaped so that CLV and churn models have something real to find:
 * each customer buys at a personal rate (gamma-distributed across customers, modulated by
 * season and weekday) and, after each purchase, becomes inactive with a personal probability
 * (beta-distributed), so the number of purchases before drop-out is geometric.
 *
 * Each person is generated from their own seeded PRNG (seed + index), so the stream needs
 * constant memory, customer i is the same whatever `customers` is, and message ids are stable:
 * storing the same seed twice stores nothing new.
 */
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  INSTAGRAM_MEDIA,
  LAST_NAMES,
  PRODUCTS,
  type Product,
  REFERRERS,
  US_AREA_CODES,
  USER_AGENTS,
  WEB_PAGES,
} from './catalogue.js';
import { hash32, Random } from './random.js';

export const DEMO_SOURCES = [
  { key: 'counter', name: 'Counter', channel: 'store' },
  { key: 'website', name: 'Website', channel: 'web' },
  { key: 'instagram', name: 'Instagram', channel: 'social' },
  { key: 'marketplace', name: 'Marketplace', channel: 'marketplace' },
  { key: 'newsletter', name: 'Newsletter', channel: 'email' },
] as const;
export type DemoSourceKey = (typeof DEMO_SOURCES)[number]['key'];

export interface DemoOptions {
  /** How many customers (people who buy at least once). */
  customers: number;
  seed?: string | number;
  /** The end of the simulated period; every event is before it. Default: the start of today (UTC), so runs on one day are identical. */
  end?: Date;
  /** Length of the period in days (default 730). */
  days?: number;
  /** Currency of the prices (default EUR). */
  currency?: string;
  /** The workspace's default country: phone numbers of this country are sometimes written locally (default ES). */
  country?: string;
  /** IANA time zone put in each event's context (default Europe/Madrid). */
  timezone?: string;
}

type Obj = Record<string, unknown>;

/** One call as an SDK would send it, and the source it is sent to. */
export interface DemoEvent {
  source: DemoSourceKey;
  payload: Obj;
}

export interface DemoPerson {
  kind: 'customer' | 'visitor';
  index: number;
  /** This person's calls in time order. */
  events: DemoEvent[];
}

export interface DemoStats {
  customers: number;
  /** Anonymous web visitors who never identify: each is a profile of their own. */
  anonymousVisitors: number;
  /** Customers whose first contact was anonymous web browsing, identified later. */
  identifiedVisitors: number;
  events: number;
  orders: number;
  refunds: number;
  bySource: Record<DemoSourceKey, number>;
}

export function emptyStats(): DemoStats {
  return {
    customers: 0,
    anonymousVisitors: 0,
    identifiedVisitors: 0,
    events: 0,
    orders: 0,
    refunds: 0,
    bySource: { counter: 0, website: 0, instagram: 0, marketplace: 0, newsletter: 0 },
  };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The bakery's local time, for opening hours (a fixed offset is close enough for a simulation). */
const UTC_OFFSET_HOURS = 1;
// December and summer peaks, a January bump (Roscón de Reyes), a quiet February.
const MONTH_WEIGHT = [0.95, 0.82, 0.9, 1.0, 1.0, 1.12, 1.3, 1.28, 0.98, 0.95, 1.1, 1.5];
// Sunday … Saturday: weekends busier.
const WEEKDAY_WEIGHT = [1.3, 0.78, 0.85, 0.9, 0.95, 1.12, 1.45];
const MAX_SEASON = Math.max(...MONTH_WEIGHT) * Math.max(...WEEKDAY_WEIGHT);
const MAX_PURCHASES = 400;
const ANONYMOUS_VISITOR_SHARE = 0.35;

type PurchaseChannel = 'store' | 'web' | 'marketplace';
const SOURCE_OF: Record<PurchaseChannel, DemoSourceKey> = {
  store: 'counter',
  web: 'website',
  marketplace: 'marketplace',
};
// Local opening-hour profiles per channel: [hour, weight].
const HOURS: Record<PurchaseChannel, (readonly [number, number])[]> = {
  store: [
    [7, 3],
    [8, 8],
    [9, 9],
    [10, 7],
    [11, 5],
    [12, 4],
    [13, 5],
    [14, 4],
    [15, 2],
    [16, 2],
    [17, 4],
    [18, 5],
    [19, 4],
    [20, 2],
  ],
  web: [
    [8, 1],
    [9, 2],
    [10, 2],
    [11, 2],
    [12, 2],
    [13, 3],
    [14, 2],
    [15, 2],
    [16, 2],
    [17, 3],
    [18, 3],
    [19, 4],
    [20, 5],
    [21, 5],
    [22, 4],
    [23, 2],
  ],
  marketplace: [
    [9, 1],
    [10, 2],
    [11, 3],
    [12, 4],
    [13, 5],
    [14, 4],
    [15, 2],
    [16, 3],
    [17, 4],
    [18, 4],
    [19, 3],
    [20, 2],
  ],
};

const season = (t: number) => {
  const d = new Date(t);
  return (MONTH_WEIGHT[d.getUTCMonth()] as number) * (WEEKDAY_WEIGHT[d.getUTCDay()] as number);
};
const round2 = (x: number) => Math.round(x * 100) / 100;
const iso = (t: number) => new Date(t).toISOString();
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** A bijection of [0, m) (a multiplier coprime with m, an offset from the seed): unique numbers that look random. */
const permute = (i: number, m: number, offset: number) => (i * 7_919_393 + offset) % m;

interface Campaign {
  id: string;
  name: string;
  subject: string;
  at: number;
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The newsletter's sends: the first Thursday of each month, plus a Christmas and a summer special. */
function campaigns(start: number, end: number): Campaign[] {
  const out: Campaign[] = [];
  const d = new Date(start);
  for (let k = 0; Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1) < end; k++) {
    const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1, 9 - UTC_OFFSET_HOURS));
    const y = first.getUTCFullYear();
    const m = first.getUTCMonth();
    const thursday = first.getTime() + ((4 - first.getUTCDay() + 7) % 7) * DAY;
    const label = `${MONTH_NAMES[m]} ${y}`;
    out.push({
      id: `nl-${y}-${m + 1}`,
      name: `${label} newsletter`,
      subject: `What's fresh in ${label}`,
      at: thursday,
    });
    if (m === 11)
      out.push({
        id: `xmas-${y}`,
        name: `Christmas ${y}`,
        subject: 'Order your Roscón and Christmas treats',
        at: Date.UTC(y, 11, 10, 9 - UTC_OFFSET_HOURS),
      });
    if (m === 5)
      out.push({
        id: `summer-${y}`,
        name: `Summer menu ${y}`,
        subject: 'Iced drinks and summer tarts are back',
        at: Date.UTC(y, 5, 20, 9 - UTC_OFFSET_HOURS),
      });
  }
  return out.filter((c) => c.at > start && c.at < end);
}

/** Streams the people of a demo business and their calls, one person at a time, updating `stats`. */
export function* generateDemo(opts: DemoOptions, stats: DemoStats = emptyStats()): Generator<DemoPerson> {
  const g = new Simulation(opts);
  for (let i = 0; i < opts.customers; i++) {
    const c = g.customer(i);
    stats.customers++;
    if (c.identifiedVisitor) stats.identifiedVisitors++;
    count(stats, c.person);
    yield c.person;
    const v = g.visitor(i);
    if (v) {
      stats.anonymousVisitors++;
      count(stats, v);
      yield v;
    }
  }
}

function count(stats: DemoStats, person: DemoPerson) {
  for (const e of person.events) {
    stats.events++;
    stats.bySource[e.source]++;
    if (e.payload.event === 'Order Completed') stats.orders++;
    else if (e.payload.event === 'Order Refunded') stats.refunds++;
  }
}

interface Identity {
  locale: 'es' | 'en';
  firstName: string;
  lastName: string;
  email: string | null;
  /** E.164, and whether it is of the workspace's country (so it may be written locally). */
  phone: { e164: string; local: string | null } | null;
  birthday: string | null;
}

class Simulation {
  readonly seed: string;
  readonly tag: string;
  readonly start: number;
  readonly end: number;
  readonly currency: string;
  readonly country: string;
  readonly timezone: string;
  readonly localLocale: 'es' | 'en';
  readonly campaigns: Campaign[];
  readonly offset: number;

  constructor(opts: DemoOptions) {
    this.seed = String(opts.seed ?? 1);
    const h = hash32(`kith-demo:${this.seed}`);
    this.tag = h.toString(36).padStart(7, '0').slice(0, 5);
    this.offset = h % 1_000_000;
    // Every event is at least a minute in the past.
    this.end = (opts.end?.getTime() ?? Math.floor(Date.now() / DAY) * DAY) - MINUTE;
    this.start = this.end - (opts.days ?? 730) * DAY;
    this.currency = opts.currency ?? 'EUR';
    this.country = (opts.country ?? 'ES').toUpperCase();
    this.timezone = opts.timezone ?? 'Europe/Madrid';
    this.localLocale = this.country === 'US' ? 'en' : 'es';
    this.campaigns = campaigns(this.start, this.end);
  }

  /**
   * When a customer first buys. Some were already customers when the period starts: their first
   * purchase in it comes after a wait of their own rhythm (`rate` per day). Newcomers arrive
   * more often when the business is busier, and later (it grows).
   */
  acquisition(r: Random, rate?: number): number {
    if (rate && r.chance(0.12)) {
      const t = this.start + r.exponential(DAY / rate);
      if (t < this.end - DAY) return t;
    }
    const span = this.end - DAY - this.start;
    for (;;) {
      const f = r.next();
      const t = this.start + f * span;
      if (r.next() * 1.6 * MAX_SEASON < (0.6 + f) * season(t)) return t;
    }
  }

  /** The next purchase after `t` of a Poisson process of `rate` per day, modulated by season (thinning). */
  nextPurchase(r: Random, t: number, rate: number): number {
    for (;;) {
      t += r.exponential(DAY / (rate * MAX_SEASON));
      if (t >= this.end || r.next() * MAX_SEASON < season(t)) return t;
    }
  }

  /** The same day at a local hour typical of the channel (never after the end of the period). */
  atHour(r: Random, t: number, channel: PurchaseChannel): number {
    const day = Math.floor(t / DAY) * DAY;
    const hour = r.weighted(HOURS[channel]);
    return day + (hour - UTC_OFFSET_HOURS) * HOUR + r.int(0, 59) * MINUTE + r.int(0, 59) * 1000;
  }

  identity(r: Random, i: number, wantsEmail: boolean, wantsPhone: boolean): Identity {
    const locale: 'es' | 'en' = r.chance(0.74) ? this.localLocale : this.localLocale === 'es' ? 'en' : 'es';
    const female = r.chance(0.55);
    const firstName = r.pick(FIRST_NAMES[locale][female ? 'female' : 'male']);
    const lastName =
      locale === 'es' && r.chance(0.45)
        ? `${r.pick(LAST_NAMES.es)} ${r.pick(LAST_NAMES.es)}`
        : r.pick(LAST_NAMES[locale]);
    let email: string | null = null;
    if (wantsEmail) {
      const f = ascii(firstName);
      const l = ascii(lastName.split(' ')[0] as string);
      const local = r.weighted([
        [`${f}.${l}`, 4],
        [`${f}${l}`, 2],
        [`${f[0]}${l}`, 2],
        [`${f}_${l}`, 1],
        [f, 1],
      ] as const);
      // The index makes the address unique; the domains are reserved examples.
      email = `${local}${i + 1}@${r.weighted(EMAIL_DOMAINS)}`;
    }
    let phone: Identity['phone'] = null;
    if (wantsPhone) {
      // Spanish mobiles for Spanish speakers, US numbers for English speakers: unique per index.
      const phoneCountry = locale === 'es' ? 'ES' : 'US';
      let e164: string;
      let local: string;
      if (phoneCountry === 'ES') {
        const n = String(600_000_000 + permute(i, 100_000_000, this.offset));
        e164 = `+34${n}`;
        local = r.chance(0.5) ? `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}` : n;
      } else {
        const area = US_AREA_CODES[i % US_AREA_CODES.length] as number;
        const line = String(2_000_000 + permute(Math.floor(i / US_AREA_CODES.length), 8_000_000, this.offset));
        e164 = `+1${area}${line}`;
        local = r.chance(0.5)
          ? `(${area}) ${line.slice(0, 3)}-${line.slice(3)}`
          : `${area}-${line.slice(0, 3)}-${line.slice(3)}`;
      }
      phone = { e164, local: phoneCountry === this.country ? local : null };
    }
    let birthday: string | null = null;
    if (r.chance(0.6)) {
      const year = Math.max(1940, Math.min(2007, Math.round(r.normal(1984, 13))));
      const month = r.int(1, 12);
      const day = r.int(1, month === 2 ? 28 : [4, 6, 9, 11].includes(month) ? 30 : 31);
      birthday = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    }
    return { locale, firstName, lastName, email, phone, birthday };
  }

  /** How a person writes their phone this time: local forms when it is a local number, else international. */
  phoneAsTyped(r: Random, p: NonNullable<Identity['phone']>): string {
    if (p.local && r.chance(0.65)) return p.local;
    if (r.chance(0.5)) return p.e164;
    return p.e164.startsWith('+34')
      ? `+34 ${p.e164.slice(3, 6)} ${p.e164.slice(6, 9)} ${p.e164.slice(9)}`
      : `+1 ${p.e164.slice(2, 5)}-${p.e164.slice(5, 8)}-${p.e164.slice(8)}`;
  }

  context(id: Identity, extra: Obj = {}): Obj {
    return {
      library: { name: 'kith-demo', version: '1.0.0' },
      locale: id.locale === 'es' ? 'es-ES' : 'en-US',
      timezone: this.timezone,
      ...extra,
    };
  }

  basket(r: Random, t: number, channel: PurchaseChannel, bigSpender: number) {
    const d = new Date(t);
    const month = d.getUTCMonth() + 1;
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const localHour = (d.getUTCHours() + UTC_OFFSET_HOURS) % 24;
    const celebrationP =
      (channel === 'web' ? 0.22 : channel === 'marketplace' ? 0.06 : 0.035) *
      (weekend ? 2 : 1) *
      (month === 12 ? 1.8 : month === 1 && d.getUTCDate() <= 6 ? 3 : 1) *
      bigSpender;
    const kind = r.chance(Math.min(0.9, celebrationP))
      ? 'celebration'
      : localHour < 11 && channel === 'store'
        ? 'morning'
        : 'day';
    const available = PRODUCTS.filter((p) => !p.months || p.months.includes(month));
    const lines = r.weighted([
      [1, 0.34],
      [2, 0.36],
      [3, 0.2],
      [4, 0.1],
    ] as const);
    const chosen: Product[] = [];
    for (let k = 0; k < lines; k++) {
      const pool = available.filter((p) => !chosen.includes(p) && p.weight[k === 0 ? kind : 'day'] > 0);
      chosen.push(r.weighted(pool.map((p) => [p, p.weight[k === 0 ? kind : 'day']] as const)));
    }
    return chosen.map((p) => ({
      product_id: p.id,
      sku: p.sku,
      name: p.name,
      category: p.category,
      price: p.price,
      quantity: r.int(p.quantity[0], p.quantity[1]),
    }));
  }

  customer(i: number): { person: DemoPerson; identifiedVisitor: boolean } {
    const r = new Random(`${this.seed}:customer:${i}`);
    const key = `c${i.toString(36)}`;
    const events: { at: number; ev: DemoEvent }[] = [];
    let n = 0;
    const add = (at: number, source: DemoSourceKey, payload: Obj) => {
      if (at >= this.end || at < this.start) return false;
      events.push({
        at,
        ev: { source, payload: { ...payload, messageId: `demo-${this.tag}-${key}-${n++}`, timestamp: iso(at) } },
      });
      return true;
    };

    // Who they are and how they buy.
    const preferred = r.weighted<PurchaseChannel>([
      ['store', 0.6],
      ['web', 0.25],
      ['marketplace', 0.15],
    ]);
    const others = (['store', 'web', 'marketplace'] as const).filter((c) => c !== preferred);
    const secondary = r.chance(0.3) ? r.pick(others) : null;
    const secondaryShare = secondary ? r.uniform(0.1, 0.35) : 0;
    const uses = new Set<PurchaseChannel>([preferred, ...(secondary ? [secondary] : [])]);
    const newsletterP = preferred === 'web' ? 0.5 : preferred === 'store' ? 0.28 : 0.15;
    const instagramP = 0.22;
    const wantsEmail = uses.has('web') || uses.has('marketplace') || r.chance(0.7);
    const newsletter = wantsEmail && r.chance(newsletterP);
    const instagram = wantsEmail && r.chance(instagramP);
    const wantsPhone = uses.has('store') || r.chance(0.4);
    const id = this.identity(r, i, wantsEmail, wantsPhone);
    const emailAsTyped = () =>
      id.email && r.chance(0.08) ? `${id.email.charAt(0).toUpperCase()}${id.email.slice(1)} ` : id.email;

    const baseRate = preferred === 'store' ? 1 / 14 : preferred === 'web' ? 1 / 40 : 1 / 30;
    const rate = Math.min(1, r.gamma(0.75, baseRate / 0.75));
    const dropOut = r.beta(1.1, 6.5);
    const bigSpender = r.gamma(4, 0.25);
    const t0 = this.acquisition(r, rate);

    const posCard = `pos-${this.tag}-${(100_000 + i).toString(36)}`;
    const webAnon = r.uuid(i);
    const userId = uses.has('web') && r.chance(0.5) ? `web-${this.tag}-${(i + 1).toString(36)}` : null;
    const buyer = `MB${this.tag.toUpperCase()}${String(i + 1).padStart(7, '0')}`;
    const igUser = String(17_841_400_000_000_000n + BigInt(i) * 7919n + BigInt(this.offset));
    const igHandle = `${ascii(id.firstName)}.${ascii(id.lastName.split(' ')[0] as string)}.${(i + 1).toString(36)}`;
    const subscriber = `nl-${this.tag}-${(i + 1).toString(36)}`;
    const ua = r.pick(USER_AGENTS);
    const ip = `203.0.113.${r.int(1, 254)}`;
    const traits = () => ({
      firstName: id.firstName,
      lastName: id.lastName,
      ...(id.birthday ? { birthday: id.birthday } : {}),
      locale: id.locale,
    });

    // Anonymous web browsing, then (when it happens) an identify with the same anonymousId.
    let webIdentified = false;
    let identifiedVisitor = false;
    const pageView = (at: number, page: (typeof WEB_PAGES)[number], ref: Obj) =>
      add(at, 'website', {
        type: 'page',
        anonymousId: webAnon,
        ...(webIdentified && userId ? { userId } : {}),
        name: page.name,
        properties: { path: page.path, url: `https://cornerbakery.example${page.path}`, title: page.name },
        context: this.context(id, {
          page: { path: page.path, url: `https://cornerbakery.example${page.path}`, ...ref },
          userAgent: ua,
          ip,
          ...('campaign' in ref ? { campaign: ref.campaign } : {}),
        }),
      });
    const session = (at: number, pages: number, last?: (typeof WEB_PAGES)[number]) => {
      const ref = r.weighted(REFERRERS) as Obj;
      let t = at;
      for (let k = 0; k < pages; k++) {
        pageView(t, k === pages - 1 && last ? last : r.weighted(WEB_PAGES.map((p) => [p, p.weight] as const)), ref);
        t += r.int(20, 240) * 1000;
      }
      return t;
    };
    const webIdentify = (at: number, extra: Obj = {}) => {
      if (webIdentified) return;
      if (
        add(at, 'website', {
          type: 'identify',
          anonymousId: webAnon,
          ...(userId ? { userId } : {}),
          traits: {
            ...traits(),
            email: emailAsTyped(),
            ...(id.phone && r.chance(0.4) ? { phone: this.phoneAsTyped(r, id.phone) } : {}),
            ...extra,
          },
          context: this.context(id, { userAgent: ua, ip }),
        })
      )
        webIdentified = true;
    };
    const browsesFirst = (uses.has('web') || (newsletter && r.chance(0.5))) && r.chance(0.8);
    const browse = (before: number) => {
      const sessions = r.int(1, 2);
      let first = before;
      for (let s = 0; s < sessions; s++) {
        const at = before - r.uniform(0.02, 45) * DAY;
        if (at < this.start) continue;
        session(at, r.int(1, 3));
        first = Math.min(first, at);
        identifiedVisitor = true;
      }
      return first;
    };

    // Purchases: a seasonal Poisson process that stops after a geometric number of purchases.
    let storeIdentified = false;
    let orders = 0;
    let lastPurchase = t0;
    for (let t = t0; t < this.end && orders < MAX_PURCHASES; t = this.nextPurchase(r, t, rate)) {
      const channel = secondary && r.chance(secondaryShare) ? secondary : preferred;
      // Not before the period starts (room for the minutes of browsing or sign-up before it).
      const at = Math.max(this.atHour(r, t, channel), this.start + HOUR);
      if (at >= this.end) break;
      const products = this.basket(r, at, channel, bigSpender);
      const subtotal = round2(products.reduce((s, p) => s + p.price * p.quantity, 0));
      const coupon = channel === 'web' && newsletter && r.chance(0.08) ? 'NEWS10' : null;
      const discount = coupon ? round2(subtotal * 0.1) : 0;
      const shipping = channel === 'marketplace' ? 2.49 : channel === 'web' && r.chance(0.3) ? 3.5 : 0;
      const total = round2(subtotal - discount + shipping);
      const tax = round2(subtotal - discount - (subtotal - discount) / 1.1);
      const orderId = `${channel === 'store' ? 'POS' : channel === 'web' ? 'WEB' : 'MKT'}-${this.tag.toUpperCase()}-${i.toString(36).toUpperCase()}-${orders + 1}`;
      const properties: Obj = {
        order_id: orderId,
        total,
        revenue: round2(subtotal - discount - tax),
        tax,
        ...(shipping ? { shipping } : {}),
        ...(coupon ? { coupon, discount } : {}),
        currency: this.currency,
        products,
      };
      let sent = false;
      if (channel === 'store') {
        if (!storeIdentified) {
          // Joins the loyalty programme at the counter: phone, and email when they have one.
          storeIdentified = add(at - r.int(1, 3) * MINUTE, 'counter', {
            type: 'identify',
            anonymousId: posCard,
            traits: {
              ...traits(),
              ...(id.phone ? { phone: this.phoneAsTyped(r, id.phone) } : {}),
              ...(id.email ? { email: emailAsTyped() } : {}),
              loyaltyCard: posCard,
            },
            context: this.context(id),
          });
        }
        sent = add(at, 'counter', {
          type: 'track',
          event: 'Order Completed',
          anonymousId: posCard,
          properties: { ...properties, payment_method: r.chance(0.7) ? 'card' : 'cash' },
          context: this.context(id, {
            traits: {
              ...(id.phone ? { phone: this.phoneAsTyped(r, id.phone) } : {}),
              ...(id.email && r.chance(0.3) ? { email: emailAsTyped() } : {}),
            },
          }),
        });
      } else if (channel === 'web') {
        if (!webIdentified && browsesFirst && !identifiedVisitor) browse(at);
        const checkout = WEB_PAGES.find((p) => p.path === '/cakes') as (typeof WEB_PAGES)[number];
        const end = session(at - r.int(3, 15) * MINUTE, r.int(1, 2), checkout);
        webIdentify(end);
        sent = add(end + r.int(30, 180) * 1000, 'website', {
          type: 'track',
          event: 'Order Completed',
          anonymousId: webAnon,
          ...(userId ? { userId } : {}),
          properties,
          context: this.context(id, { traits: { email: id.email }, userAgent: ua, ip }),
        });
      } else {
        sent = add(at, 'marketplace', {
          type: 'track',
          event: 'Order Completed',
          anonymousId: `mkt-${buyer}`,
          properties: { ...properties, marketplace: 'DeliBox' },
          context: this.context(id, {
            traits: { email: id.email, firstName: id.firstName },
            externalIds: [{ id: buyer, type: 'marketplace_buyer', collection: 'users', encoding: 'none' }],
          }),
        });
      }
      if (!sent) break;
      orders++;
      lastPurchase = at;
      // About 3% of orders are refunded, some only in part.
      if (r.chance(0.03)) {
        const partial = (products.length > 1 || (products[0]?.quantity ?? 1) > 1) && r.chance(0.45);
        const refunded = partial ? [{ ...(r.pick(products) as Obj), quantity: 1 }] : products;
        const amount = partial ? round2((refunded[0] as { price: number }).price) : total;
        const source = SOURCE_OF[channel];
        add(at + r.uniform(0.1, 6) * DAY, source, {
          type: 'track',
          event: 'Order Refunded',
          anonymousId: channel === 'store' ? posCard : channel === 'web' ? webAnon : `mkt-${buyer}`,
          ...(channel === 'web' && userId ? { userId } : {}),
          properties: {
            order_id: orderId,
            total: amount,
            currency: this.currency,
            products: refunded,
            reason: partial
              ? r.pick(['damaged', 'missing item', 'wrong item'])
              : r.pick(['cancelled', 'quality', 'late delivery']),
          },
          context: this.context(
            id,
            channel === 'marketplace'
              ? {
                  traits: { email: id.email },
                  externalIds: [{ id: buyer, type: 'marketplace_buyer', collection: 'users', encoding: 'none' }],
                }
              : channel === 'store' && id.phone
                ? { traits: { phone: id.phone.e164 } }
                : {},
          ),
        });
      }
      // BG/NBD drop-out: after each purchase the customer may become inactive for good.
      if (r.chance(dropOut)) break;
    }
    const activeUntil = lastPurchase + r.uniform(20, 90) * DAY;

    // Newsletter: subscribes (on the website form after browsing, or at the counter), opens and clicks.
    if (newsletter) {
      let at = t0 + r.uniform(-20, 60) * DAY;
      at = Math.max(this.start + HOUR, Math.min(at, this.end - HOUR));
      if (browsesFirst && !webIdentified) {
        const first = identifiedVisitor ? at : browse(at);
        session(Math.max(first, at - 10 * MINUTE), r.int(1, 2));
        webIdentify(at, { newsletter: true });
      }
      add(at + r.int(1, 30) * 1000, 'newsletter', {
        type: 'identify',
        anonymousId: subscriber,
        traits: { ...traits(), email: id.email, newsletter: true },
        context: this.context(id),
      });
      const openP = r.beta(2, 5);
      const clickP = r.beta(1.2, 6);
      for (const c of this.campaigns) {
        if (c.at <= at) continue;
        if (r.chance(0.012)) break; // unsubscribed
        if (!r.chance(openP * (c.at < activeUntil ? 1 : 0.35))) continue;
        const opened = c.at + r.exponential(6 * HOUR);
        const props = { campaign_id: c.id, campaign_name: c.name, email_subject: c.subject };
        const ctx = this.context(id, { traits: { email: id.email } });
        add(opened, 'newsletter', {
          type: 'track',
          event: 'Email Opened',
          anonymousId: subscriber,
          properties: props,
          context: ctx,
        });
        if (r.chance(clickP))
          add(opened + r.int(5, 300) * 1000, 'newsletter', {
            type: 'track',
            event: 'Email Link Clicked',
            anonymousId: subscriber,
            properties: {
              ...props,
              link_url: `https://cornerbakery.example/${r.pick(['menu', 'cakes', 'seasonal'])}?utm_source=newsletter&utm_campaign=${c.id}`,
            },
            context: ctx,
          });
      }
    }

    // Instagram: a follower who entered a giveaway with their email, then likes posts and views stories.
    if (instagram) {
      const igAnon = `ig-${igUser}`;
      const externalIds = [{ id: igHandle, type: 'instagram', collection: 'users', encoding: 'none' }];
      let at = Math.max(this.start + HOUR, Math.min(t0 + r.uniform(-60, 90) * DAY, this.end - HOUR));
      // Most identify first; some interact anonymously for a while before the giveaway.
      const identifyAt = r.chance(0.85) ? at : at + r.uniform(5, 60) * DAY;
      add(Math.min(identifyAt, this.end - MINUTE), 'instagram', {
        type: 'identify',
        anonymousId: igAnon,
        traits: { ...traits(), email: id.email, instagram: igHandle },
        context: this.context(id, { externalIds }),
      });
      const until = Math.min(this.end, activeUntil + r.uniform(30, 150) * DAY);
      const gap = r.gamma(1.5, 30) * DAY;
      for (let k = 0; k < 80; k++) {
        at += r.exponential(gap);
        if (at >= until) break;
        const like = r.chance(0.6);
        add(at, 'instagram', {
          type: 'track',
          event: like ? 'Post Liked' : 'Story Viewed',
          anonymousId: igAnon,
          properties: like
            ? { post_id: `p${Math.floor(at / (3 * DAY)).toString(36)}`, media_type: r.pick(INSTAGRAM_MEDIA) }
            : { story_id: `s${Math.floor(at / DAY).toString(36)}` },
          context: this.context(id, { externalIds }),
        });
      }
    }

    events.sort((a, b) => a.at - b.at);
    return { person: { kind: 'customer', index: i, events: events.map((e) => e.ev) }, identifiedVisitor };
  }

  /** Maybe an anonymous visitor who browses and never says who they are. */
  visitor(i: number): DemoPerson | null {
    const r = new Random(`${this.seed}:visitor:${i}`);
    if (!r.chance(ANONYMOUS_VISITOR_SHARE)) return null;
    const key = `v${i.toString(36)}`;
    const anonymousId = r.uuid(2 ** 40 + i);
    const ua = r.pick(USER_AGENTS);
    const ip = `198.51.100.${r.int(1, 254)}`;
    const locale = r.chance(0.7) ? this.localLocale : this.localLocale === 'es' ? 'en' : 'es';
    const events: DemoEvent[] = [];
    let n = 0;
    let t = this.acquisition(r);
    const sessions = r.weighted([
      [1, 6],
      [2, 3],
      [3, 1],
    ] as const);
    for (let s = 0; s < sessions && t < this.end; s++) {
      const ref = r.weighted(REFERRERS) as Obj;
      const pages = r.int(1, 3);
      for (let k = 0; k < pages && t < this.end; k++) {
        const page = r.weighted(WEB_PAGES.map((p) => [p, p.weight] as const));
        events.push({
          source: 'website',
          payload: {
            type: 'page',
            anonymousId,
            name: page.name,
            properties: { path: page.path, url: `https://cornerbakery.example${page.path}`, title: page.name },
            context: {
              library: { name: 'kith-demo', version: '1.0.0' },
              locale: locale === 'es' ? 'es-ES' : 'en-US',
              timezone: this.timezone,
              page: { path: page.path, url: `https://cornerbakery.example${page.path}`, ...ref },
              userAgent: ua,
              ip,
              ...('campaign' in ref ? { campaign: ref.campaign } : {}),
            },
            messageId: `demo-${this.tag}-${key}-${n++}`,
            timestamp: iso(t),
          },
        });
        t += r.int(15, 200) * 1000;
      }
      t += r.uniform(1, 40) * DAY;
    }
    return { kind: 'visitor', index: i, events };
  }
}
