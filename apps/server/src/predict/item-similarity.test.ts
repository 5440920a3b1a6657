import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type Basket,
  buildItemSimilarity,
  fromSimilarityRows,
  type HistoryItem,
  popularity,
  recommendForCustomer,
  relatedProducts,
  toSimilarityRows,
} from './item-similarity.js';
import { leaveLastBasketOut, parseOnlineRetail, runRecommendEval, temporalSplit } from './recommend-eval.js';

const day = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000);
const basket = (customerId: string, items: string[], d = 0): Basket => ({ customerId, items, at: day(d) });

/**
 * 60 customers, all of whom buy the best seller BEST. Customers 0–9 also buy tea and cups
 * (8 of them a teapot too); 10–19 buy flour and yeast; 20–24 buy tea; 25–59 buy BEST only.
 */
function shop(): Basket[] {
  const out: Basket[] = [];
  for (let c = 0; c < 60; c++) {
    const id = `c${c}`;
    if (c < 10) out.push(basket(id, ['BEST', 'TEA', 'CUPS', ...(c < 8 ? ['TEAPOT'] : [])], c));
    else if (c < 20) out.push(basket(id, ['BEST', 'FLOUR', 'YEAST'], c));
    else if (c < 25) out.push(basket(id, ['BEST', 'TEA'], c));
    else out.push(basket(id, ['BEST'], c));
  }
  return out;
}

describe('buildItemSimilarity', () => {
  it('does not make the best seller everyone’s top neighbour, though it has the largest co-counts', () => {
    const model = buildItemSimilarity(shop());
    for (const p of ['TEA', 'CUPS', 'TEAPOT', 'FLOUR', 'YEAST']) {
      const list = model.neighbours[p]!;
      expect(list.length).toBeGreaterThan(1);
      expect(list[0]![0], p).not.toBe('BEST');
      // …even though BEST is bought with it by at least as many customers as the winner.
      const best = list.find(([q]) => q === 'BEST')!;
      expect(best[2]).toBeGreaterThanOrEqual(list[0]![2]);
    }
    expect(model.neighbours.FLOUR![0]![0]).toBe('YEAST');
    expect(model.neighbours.TEAPOT![0]![0]).toBe('CUPS');
    // Co-counts are customers who bought both.
    expect(Object.fromEntries(model.neighbours.CUPS!.map(([q, , co]) => [q, co]))).toEqual({
      TEA: 10,
      TEAPOT: 8,
      BEST: 10,
    });
  });

  it('drops pairs below the minimum co-count and keeps at most K neighbours', () => {
    const baskets = [...shop(), basket('x', ['TEA', 'RARE'])];
    const model = buildItemSimilarity(baskets, { minCoCount: 2 });
    expect(model.neighbours.RARE).toBeUndefined();
    expect(model.neighbours.TEA!.map(([q]) => q)).not.toContain('RARE');
    expect(buildItemSimilarity(baskets, { minCoCount: 1 }).neighbours.RARE!.map(([q]) => q)).toEqual(['TEA']);
    expect(buildItemSimilarity(baskets, { neighbours: 1 }).neighbours.TEA).toHaveLength(1);
  });

  it('takes (customer, product) pairs as well as baskets, with the same result at customer level', () => {
    const baskets = shop();
    const pairs = baskets.flatMap((b) => b.items.map((p) => [b.customerId, p] as const));
    expect(buildItemSimilarity(pairs)).toEqual(buildItemSimilarity(baskets));
  });

  it('counts per order at basket level: two products one customer bought months apart are not neighbours', () => {
    const baskets = ['a', 'b', 'c'].flatMap((c) => [basket(c, ['SOCKS'], 0), basket(c, ['SCARF'], 90)]);
    expect(buildItemSimilarity(baskets).neighbours.SOCKS![0]![0]).toBe('SCARF');
    expect(buildItemSimilarity(baskets, { unit: 'basket' }).neighbours.SOCKS).toBeUndefined();
  });

  it('weights down customers with huge histories (wholesalers)', () => {
    // Two small customers buy A and B; one wholesaler buys A, C and 200 other products, three times over.
    const big = Array.from({ length: 200 }, (_, k) => `W${k}`);
    const baskets = [
      basket('s1', ['A', 'B']),
      basket('s2', ['A', 'B']),
      basket('w1', ['A', 'C', ...big]),
      basket('w2', ['A', 'C', ...big]),
      basket('w3', ['A', 'C', ...big]),
    ];
    const score = (m: ReturnType<typeof buildItemSimilarity>, q: string) =>
      m.neighbours.A!.find(([p]) => p === q)?.[1] ?? 0;
    const plain = buildItemSimilarity(baskets, { activityWeight: 'none', shrinkage: 0 });
    const weighted = buildItemSimilarity(baskets, { activityWeight: 'log', shrinkage: 0 });
    expect(score(plain, 'C')).toBeGreaterThan(score(plain, 'B'));
    expect(score(weighted, 'B')).toBeGreaterThan(score(weighted, 'C'));
  });

  it('round-trips through rows and JSON', () => {
    const model = buildItemSimilarity(shop());
    const rows = toSimilarityRows(model);
    expect(rows.length).toBe(Object.values(model.neighbours).reduce((n, l) => n + l.length, 0));
    expect(rows[0]).toEqual({
      productId: expect.any(String),
      neighbourId: expect.any(String),
      score: expect.any(Number),
      coCount: expect.any(Number),
    });
    const shuffled = [...rows].reverse();
    expect(fromSimilarityRows(shuffled)).toEqual(model);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(fromSimilarityRows(JSON.parse(JSON.stringify(rows)))).toEqual(model);
  });
});

describe('popularity', () => {
  it('ranks by distinct customers, and by recency with a half-life', () => {
    const baskets = [
      basket('a', ['OLD'], 0),
      basket('a', ['OLD'], 1), // the same customer twice: counted once
      basket('b', ['OLD'], 2),
      basket('c', ['OLD'], 3),
      basket('d', ['NEW'], 100),
      basket('e', ['NEW'], 100),
    ];
    expect(popularity(baskets).map((p) => [p.productId, p.score])).toEqual([
      ['OLD', 3],
      ['NEW', 2],
    ]);
    const decayed = popularity(baskets, { halfLifeDays: 30, now: day(100) });
    expect(decayed.map((p) => p.productId)).toEqual(['NEW', 'OLD']);
    expect(decayed[0]).toEqual({ productId: 'NEW', score: 2, customers: 2 });
    expect(popularity(baskets, { since: day(50) }).map((p) => p.productId)).toEqual(['NEW']);
    // Orders after `now` are not seen.
    expect(popularity(baskets, { now: day(50) }).map((p) => p.productId)).toEqual(['OLD']);
  });
});

describe('recommendForCustomer', () => {
  const baskets = shop();
  const model = buildItemSimilarity(baskets);
  const popular = popularity(baskets);
  const now = day(60);
  const h = (productId: string, d = 50): HistoryItem => ({ productId, at: day(d) });

  it('gives a customer without history the most popular products', () => {
    const recs = recommendForCustomer(model, popular, [], { limit: 3, now });
    expect(recs).toEqual(
      popular
        .slice(0, 3)
        .map((p) => ({ productId: p.productId, score: expect.any(Number), reason: 'popular', because: [] })),
    );
    expect(recs.map((r) => r.productId)).toEqual(['BEST', 'TEA', 'CUPS']);
  });

  it('recommends what is bought with the customer’s products, says why, and leaves out what they bought', () => {
    const history = [h('FLOUR'), h('BEST'), h('TEA')];
    const recs = recommendForCustomer(model, popular, history, { limit: 4, now });
    const ids = recs.map((r) => r.productId);
    for (const p of ['FLOUR', 'BEST', 'TEA']) expect(ids).not.toContain(p);
    const yeast = recs.find((r) => r.productId === 'YEAST')!;
    expect(yeast.reason).toBe('bought_with');
    expect(yeast.because[0]).toBe('FLOUR');
    const teapot = recs.find((r) => r.productId === 'TEAPOT')!;
    expect(teapot.because[0]).toBe('TEA');
    expect(recs.map((r) => r.score)).toEqual([...recs.map((r) => r.score)].sort((a, b) => b - a));
    // `exclude` is never recommended.
    const without = recommendForCustomer(model, popular, history, { limit: 4, now, exclude: new Set(['YEAST']) });
    expect(without.map((r) => r.productId)).not.toContain('YEAST');
  });

  it('blends in popularity for a customer with little history, and less so with more', () => {
    // One product: α = 1/2. The best seller (6× as many customers as anything else, and a weak
    // neighbour of TEA) comes first, for its popularity; then TEA's strong neighbours.
    const one = recommendForCustomer(model, popular, [h('TEA')], { limit: 3, now });
    expect(one.map((r) => [r.productId, r.reason])).toEqual([
      ['BEST', 'popular'],
      ['CUPS', 'bought_with'],
      ['TEAPOT', 'bought_with'],
    ]);
    expect(one[1]!.because).toEqual(['TEA']);
    // popularityPrior 0 → pure item-item scores: the neighbour order.
    const pure = recommendForCustomer(model, popular, [h('TEA')], { limit: 3, now, popularityPrior: 0 });
    expect(pure.map((r) => r.productId)).toEqual(relatedProducts(model, 'TEA', 3).map((r) => r.productId));
    expect(pure[0]!.productId).toBe('CUPS');
    // A very large prior → the popularity order (TEA left out).
    const popularFirst = recommendForCustomer(model, popular, [h('TEA')], { limit: 3, now, popularityPrior: 1e6 });
    expect(popularFirst.map((r) => r.productId)).toEqual(
      popular
        .map((p) => p.productId)
        .filter((p) => p !== 'TEA')
        .slice(0, 3),
    );
    // More history → more weight on item-item (α = 2/3 with two products): TEAPOT, bought with
    // both, closes in on BEST.
    const two = recommendForCustomer(model, popular, [h('TEA'), h('CUPS')], { limit: 2, now });
    expect(two.map((r) => r.productId)).toEqual(['BEST', 'TEAPOT']);
    expect(two[1]!.because.sort()).toEqual(['CUPS', 'TEA']);
    const ratio = (recs: typeof one) =>
      recs.find((r) => r.productId === 'TEAPOT')!.score / recs.find((r) => r.productId === 'BEST')!.score;
    expect(ratio(one)).toBeLessThan(0.7);
    expect(ratio(two)).toBeGreaterThan(0.9);
  });

  it('weights recent purchases more', () => {
    const recentTea = recommendForCustomer(model, popular, [h('TEA', 59), h('FLOUR', 0)], {
      limit: 1,
      now,
      halfLifeDays: 10,
      popularityPrior: 0,
    });
    const recentFlour = recommendForCustomer(model, popular, [h('TEA', 0), h('FLOUR', 59)], {
      limit: 1,
      now,
      halfLifeDays: 10,
      popularityPrior: 0,
    });
    expect(recentTea[0]!.because[0]).toBe('TEA');
    expect(recentFlour[0]!.productId).toBe('YEAST');
  });

  it('recommends a replenishable product again only when it is due', () => {
    // Coffee every 30 days: bought on days 0, 30, 60.
    const coffee = [h('COFFEE', 0), h('COFFEE', 30), h('COFFEE', 60)];
    const replenishable = new Set(['COFFEE']);
    const at = (d: number) =>
      recommendForCustomer(model, popular, coffee, { limit: 5, now: day(d), replenishable }).find(
        (r) => r.productId === 'COFFEE',
      );
    expect(at(75)).toBeUndefined(); // 15 days after the last bag
    expect(at(91)).toEqual({ productId: 'COFFEE', score: 31 / 30, reason: 'replenish', because: ['COFFEE'] });
    // Due replenishables come first.
    const recs = recommendForCustomer(model, popular, coffee, { limit: 3, now: day(91), replenishable });
    expect(recs[0]!.productId).toBe('COFFEE');
    expect(recs).toHaveLength(3);
    // Not replenishable: never again.
    expect(
      recommendForCustomer(model, popular, coffee, { limit: 5, now: day(91) }).map((r) => r.productId),
    ).not.toContain('COFFEE');
    // An interval passed in wins over the history's; a predicate works like a set.
    const passed = recommendForCustomer(model, popular, coffee, {
      limit: 5,
      now: day(75),
      replenishable: (p) => p === 'COFFEE',
      repurchaseIntervalDays: 10,
    });
    expect(passed[0]).toMatchObject({ productId: 'COFFEE', reason: 'replenish', score: 1.5 });
    // Bought once: due after the customer's typical gap between purchase days (here 20).
    const once = [h('COFFEE', 0), h('TEA', 20), h('CUPS', 40)];
    const due = (d: number) =>
      recommendForCustomer(model, popular, once, { limit: 5, now: day(d), replenishable }).some(
        (r) => r.productId === 'COFFEE',
      );
    expect(due(19)).toBe(false);
    expect(due(21)).toBe(true);
  });

  it('lists the neighbours of a product with score and co-count', () => {
    const related = relatedProducts(model, 'TEAPOT', 2);
    expect(related).toEqual([
      { productId: 'CUPS', score: model.neighbours.TEAPOT![0]![1], coCount: 8 },
      { productId: 'TEA', score: model.neighbours.TEAPOT![1]![1], coCount: 8 },
    ]);
    expect(relatedProducts(model, 'UNKNOWN', 5)).toEqual([]);
  });
});

describe('offline evaluation protocols', () => {
  const inv = (invoice: string, customerId: string, items: string[], d: number) => ({
    invoice,
    customerId,
    items,
    at: day(d),
  });
  const invoices = [
    inv('1', 'a', ['X', 'Y'], 0),
    inv('2', 'a', ['Y', 'Z'], 10),
    inv('3', 'b', ['X'], 5),
    inv('4', 'c', ['X'], 1),
    inv('5', 'c', ['X'], 20),
  ];

  it('leave the last basket out: trains on everything but each customer’s last basket; targets new products only', () => {
    const split = leaveLastBasketOut(invoices);
    expect(split.train.map((i) => i.invoice)).toEqual(['1', '4', '3']);
    expect(split.cases).toEqual([{ customerId: 'a', history: [h('X', 0), h('Y', 0)], now: day(10), target: ['Z'] }]);
    expect(split.onlyRepeats).toBe(1); // c bought X again
  });

  it('time cut: nothing after the cut in training', () => {
    const split = temporalSplit(invoices, day(8));
    expect(split.train.map((i) => i.invoice)).toEqual(['1', '4', '3']);
    expect(split.cases.map((c) => [c.customerId, c.target])).toEqual([['a', ['Z']]]);
  });

  function h(productId: string, d: number): HistoryItem {
    return { productId, at: day(d) };
  }

  it('parses and cleans the CSV', () => {
    const csv = [
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '536365,85123A,"HEART, WHITE",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,85123a,HEART,2,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,POST,POSTAGE,1,2010-12-01 08:26:00,18,17850.0,United Kingdom',
      'C536379,22556,"PLASTERS ""IN"" TIN",-1,2010-12-01 09:41:00,3.5,14527.0,United Kingdom',
      '536380,22557,TIN,3,2010-12-01 09:41:00,3.5,,United Kingdom',
      '536381,22558,TIN,0,2010-12-01 09:41:00,3.5,14527.0,United Kingdom',
      '',
    ].join('\r\n');
    const { invoices: parsed, stats } = parseOnlineRetail(csv);
    expect(parsed).toEqual([
      { invoice: '536365', customerId: '17850', items: ['85123A'], at: new Date('2010-12-01T08:26:00Z') },
    ]);
    expect(stats).toEqual({
      rows: 6,
      noCustomer: 1,
      cancellations: 1,
      nonPositiveQuantity: 1,
      nonProduct: 1,
      lines: 2,
      invoices: 1,
      customers: 1,
      products: 1,
    });
  });
});

// The UCI Online Retail data set, when present next to the repository.
const FILE = path.resolve(import.meta.dirname, '../../../../../shared/datasets/online-retail/online_retail.csv.gz');
const present = existsSync(FILE);

describe.skipIf(!present)(
  `item-item CF on UCI Online Retail (${present ? FILE : `skipped: ${FILE} is absent`})`,
  () => {
    it('beats the popularity baseline on hit rate@10 (last basket held out, and a time cut)', () => {
      const text = gunzipSync(readFileSync(FILE)).toString('utf8');
      const report = runRecommendEval(text, { ablations: false });
      console.log(report.markdown);
      expect(report.stats.rows).toBe(541_909);
      const { popularity: pop, cf } = report.leaveLastOut;
      expect(cf.customers).toBe(pop.customers);
      expect(cf.customers).toBeGreaterThan(2000);
      expect(pop.hitRate).toBeGreaterThan(0);
      expect(cf.hitRate).toBeGreaterThan(pop.hitRate);
      expect(cf.recall).toBeGreaterThan(pop.recall);
      const t = report.temporal!;
      expect(t.cf.hitRate).toBeGreaterThan(t.popularity.hitRate);
      expect(t.cf.hitRate).toBeGreaterThan(t.decayedPopularity.hitRate);
      // The model is built in well under a few seconds.
      expect(report.leaveLastOut.buildMs).toBeLessThan(5_000);
    }, 120_000);
  },
);
