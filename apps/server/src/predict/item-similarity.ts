// Item-to-item collaborative filtering over orders: "customers who bought this also bought".
//
// Pure functions, no database: the caller reads orders, builds a model, stores it as rows
// (toSimilarityRows) and reads it back (fromSimilarityRows) to answer requests.
//
// - Co-purchases are counted per customer by default (each customer's whole history is one
//   set of products), not per order. In a small shop most customers place one to three
//   orders, so order-level co-occurrence is very sparse; two products bought by the same
//   customer months apart still say something about taste. `unit: 'basket'` counts per
//   order instead; the offline evaluation on UCI Online Retail (bench/recommend-eval.mjs)
//   measures both.
// - Similarity is cosine on the (weighted) binary customer×product vectors with a shrinkage
//   term: sim(i, j) = co(i, j) / (sqrt(n_i · n_j) + λ). Dividing by sqrt(n_i · n_j) is what
//   keeps a best seller from being everyone's top neighbour (its n is large); λ damps pairs
//   seen only among a few customers.
// - Customers with huge histories (wholesalers) would otherwise dominate the co-counts: each
//   customer's contribution is weighted by 1/log2(1 + |products|) by default.
// - Only the K best neighbours per product are kept (50: enough for "related products"), and
//   only pairs bought together by at least `minCoCount` customers (unweighted). Recommendations
//   use the first 10 of each list (RecommendOptions.neighboursPerItem).
// - The defaults (customer level, log weighting, λ = 2, 10 neighbours used) are the best of a
//   grid on UCI Online Retail, under both evaluation protocols (predict/recommend-eval.ts).

/** One order: the products a customer bought at one time. */
export interface Basket {
  customerId: string;
  items: readonly string[];
  at: Date;
}

/** A (customerId, productId) purchase, without time or order. */
export type Purchase = readonly [customerId: string, productId: string];

export interface SimilarityOptions {
  /** What counts as "bought together": the customer's whole history (default) or one order. */
  unit?: 'customer' | 'basket';
  /** Neighbours kept per product (default 50). */
  neighbours?: number;
  /** Pairs bought together by fewer customers (or orders) than this are dropped (default 2). */
  minCoCount?: number;
  /** λ in co / (sqrt(n_i · n_j) + λ), in weighted-count units (default 2). */
  shrinkage?: number;
  /**
   * How much one customer (or order) counts, by the number of distinct products p in it:
   * 'log' = 1 / log2(1 + p) (default), 'inverse' = 1 / p, 'none' = 1.
   */
  activityWeight?: 'none' | 'log' | 'inverse';
  /** Ignore orders before this time (baskets only). */
  since?: Date;
}

/** A neighbour of a product: [productId, score, coCount]. coCount is the unweighted number of
 *  customers (or orders) that bought both. */
export type NeighbourTuple = [productId: string, score: number, coCount: number];

export interface SimilarityModel {
  /** Per product, its neighbours best first. Products without any neighbour are absent. */
  neighbours: Record<string, NeighbourTuple[]>;
}

export interface Neighbour {
  productId: string;
  score: number;
  coCount: number;
}

/** One stored row: the table layout of a model. */
export interface SimilarityRow {
  productId: string;
  neighbourId: string;
  score: number;
  coCount: number;
}

export interface PopularItem {
  productId: string;
  /** Distinct customers, or their time-decayed sum when halfLifeDays is given. */
  score: number;
  /** Distinct customers (not decayed). */
  customers: number;
}

export interface HistoryItem {
  productId: string;
  at: Date;
}

export type RecommendationReason = 'bought_with' | 'popular' | 'replenish';

export interface Recommendation {
  productId: string;
  score: number;
  reason: RecommendationReason;
  /** The customer's own products that contributed most (best first); empty for 'popular'. */
  because: string[];
}

export interface RecommendOptions {
  limit: number;
  now: Date;
  /** Products that are bought again and again (coffee, refills): recommended again when due. */
  replenishable?: ReadonlySet<string> | ((productId: string) => boolean);
  /**
   * The customer's typical re-purchase interval, in days (for one product when a function).
   * When absent, it is taken from the history: the median gap between the customer's
   * purchases of that product, else between the customer's purchase days; with neither, a
   * replenishable product is not considered due.
   */
  repurchaseIntervalDays?: number | ((productId: string) => number | undefined);
  /** Never recommended (out of stock, hidden, …). */
  exclude?: ReadonlySet<string>;
  /**
   * Half-life, in days, of the weight of the customer's own products by how long ago they
   * were last bought (default 180): recent purchases say more about what comes next.
   */
  halfLifeDays?: number;
  /**
   * k in the blend weight α = n / (n + k) given to item-item scores, n = the number of
   * distinct products in the history; popularity gets 1 − α. Default 1: no history → pure
   * popularity, 1 product → half and half, 2 → 2/3, 9 → 0.9.
   */
  popularityPrior?: number;
  /** How many contributing products to list in `because` (default 3). */
  becauseLimit?: number;
  /**
   * How many of each bought product's best neighbours take part in the score (default 10).
   * Summing over long neighbour lists lets products that are a weak neighbour of everything
   * (best sellers) pile up score; on UCI Online Retail 10 beat 20 and 50 on both evaluation
   * protocols (bench/recommend-eval.mjs).
   */
  neighboursPerItem?: number;
}

const DAY = 86_400_000;

function isPurchase(x: Basket | Purchase): x is Purchase {
  return Array.isArray(x);
}

/** Builds the top-K neighbour lists. Runs in O(Σ_customers |products|²) time and O(#products) extra space per row. */
export function buildItemSimilarity(
  input: Iterable<Basket> | Iterable<Purchase>,
  opts: SimilarityOptions = {},
): SimilarityModel {
  const K = opts.neighbours ?? 50;
  const minCo = opts.minCoCount ?? 2;
  const lambda = opts.shrinkage ?? 2;
  const weighting = opts.activityWeight ?? 'log';
  const unit = opts.unit ?? 'customer';
  const since = opts.since?.getTime();

  // 1. Products → dense ids; units (customers or orders) → sets of product ids.
  const productIndex = new Map<string, number>();
  const productIds: string[] = [];
  const idOf = (p: string) => {
    let i = productIndex.get(p);
    if (i === undefined) {
      i = productIds.length;
      productIndex.set(p, i);
      productIds.push(p);
    }
    return i;
  };
  const units = new Map<string, Set<number>>();
  let basketNo = 0;
  for (const x of input as Iterable<Basket | Purchase>) {
    if (isPurchase(x)) {
      const [customerId, productId] = x;
      let s = units.get(customerId);
      if (!s) {
        s = new Set();
        units.set(customerId, s);
      }
      s.add(idOf(productId));
    } else {
      if (since !== undefined && x.at.getTime() < since) continue;
      const key = unit === 'basket' ? String(basketNo++) : x.customerId;
      let s = units.get(key);
      if (!s) {
        s = new Set();
        units.set(key, s);
      }
      for (const p of x.items) s.add(idOf(p));
    }
  }

  // 2. CSR layouts: unit → products, product → units.
  const nItems = productIds.length;
  const nUnits = units.size;
  const unitStart = new Int32Array(nUnits + 1);
  const weight = new Float64Array(nUnits);
  let total = 0;
  for (const s of units.values()) total += s.size;
  const unitItems = new Int32Array(total);
  const itemDegree = new Int32Array(nItems);
  {
    let u = 0;
    let off = 0;
    for (const s of units.values()) {
      unitStart[u] = off;
      const p = s.size;
      weight[u] = weighting === 'none' ? 1 : weighting === 'inverse' ? 1 / p : 1 / Math.log2(1 + p);
      for (const i of s) {
        unitItems[off++] = i;
        itemDegree[i]!++;
      }
      u++;
    }
    unitStart[nUnits] = off;
  }
  const itemStart = new Int32Array(nItems + 1);
  for (let i = 0; i < nItems; i++) itemStart[i + 1] = itemStart[i]! + itemDegree[i]!;
  const itemUnits = new Int32Array(total);
  const fill = itemStart.slice(0, nItems);
  const norm = new Float64Array(nItems); // n_i: weighted count of units with i
  for (let u = 0; u < nUnits; u++) {
    for (let k = unitStart[u]!; k < unitStart[u + 1]!; k++) {
      const i = unitItems[k]!;
      itemUnits[fill[i]!++] = u;
      norm[i]! += weight[u]!;
    }
  }

  // 3. One row of the co-occurrence matrix at a time, into dense accumulators; keep the top K.
  const acc = new Float64Array(nItems);
  const cnt = new Int32Array(nItems);
  const touched = new Int32Array(nItems);
  const heapScore = new Float64Array(K);
  const heapItem = new Int32Array(K);
  const neighbours: Record<string, NeighbourTuple[]> = Object.create(null);
  // Order: higher score first; ties by higher co-count, then product id (deterministic).
  const worse = (sa: number, a: number, sb: number, b: number) =>
    sa !== sb ? sa < sb : cnt[a] !== cnt[b] ? cnt[a]! < cnt[b]! : productIds[a]! > productIds[b]!;

  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let k = itemStart[i]!; k < itemStart[i + 1]!; k++) {
      const u = itemUnits[k]!;
      const w = weight[u]!;
      for (let m = unitStart[u]!; m < unitStart[u + 1]!; m++) {
        const j = unitItems[m]!;
        if (j === i) continue;
        if (cnt[j] === 0) touched[nTouched++] = j;
        cnt[j]!++;
        acc[j]! += w;
      }
    }
    // A min-heap of size K on (score, co-count, id).
    let size = 0;
    const ni = norm[i]!;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      if (cnt[j]! >= minCo) {
        const s = acc[j]! / (Math.sqrt(ni * norm[j]!) + lambda);
        if (size < K) {
          let c = size++;
          while (c > 0) {
            const parent = (c - 1) >> 1;
            if (!worse(s, j, heapScore[parent]!, heapItem[parent]!)) break;
            heapScore[c] = heapScore[parent]!;
            heapItem[c] = heapItem[parent]!;
            c = parent;
          }
          heapScore[c] = s;
          heapItem[c] = j;
        } else if (worse(heapScore[0]!, heapItem[0]!, s, j)) {
          let c = 0;
          for (;;) {
            const l = 2 * c + 1;
            if (l >= size) break;
            const r = l + 1;
            const m = r < size && worse(heapScore[r]!, heapItem[r]!, heapScore[l]!, heapItem[l]!) ? r : l;
            if (!worse(heapScore[m]!, heapItem[m]!, s, j)) break;
            heapScore[c] = heapScore[m]!;
            heapItem[c] = heapItem[m]!;
            c = m;
          }
          heapScore[c] = s;
          heapItem[c] = j;
        }
      }
    }
    if (size > 0) {
      const order = Array.from({ length: size }, (_, x) => x);
      // Sorted again after rounding, exactly as fromSimilarityRows sorts, so a round trip keeps the order.
      neighbours[productIds[i]!] = order
        .map((x): NeighbourTuple => {
          const j = heapItem[x]!;
          return [productIds[j]!, round(heapScore[x]!), cnt[j]!];
        })
        .sort(byScore);
    }
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      cnt[j] = 0;
      acc[j] = 0;
    }
  }
  return { neighbours };
}

/** Six significant digits: compact JSON, and the same value after a round trip through a float column. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}

/**
 * Products ranked by the number of distinct customers who bought them, optionally only since
 * a time and/or time-decayed (a customer counts 2^(−age / halfLife), age from their latest
 * purchase of the product to `now`). Orders after `now` are ignored.
 */
export function popularity(
  baskets: Iterable<Basket>,
  opts: { since?: Date; halfLifeDays?: number; now?: Date } = {},
): PopularItem[] {
  const since = opts.since?.getTime() ?? Number.NEGATIVE_INFINITY;
  const list = [...baskets];
  let now = opts.now?.getTime();
  if (now === undefined) {
    now = Number.NEGATIVE_INFINITY;
    for (const b of list) now = Math.max(now, b.at.getTime());
  }
  // product → customer → latest purchase time
  const last = new Map<string, Map<string, number>>();
  for (const b of list) {
    const t = b.at.getTime();
    if (t < since || t > now) continue;
    for (const p of b.items) {
      let m = last.get(p);
      if (!m) {
        m = new Map();
        last.set(p, m);
      }
      const prev = m.get(b.customerId);
      if (prev === undefined || t > prev) m.set(b.customerId, t);
    }
  }
  const hl = opts.halfLifeDays;
  const out: PopularItem[] = [];
  for (const [productId, m] of last) {
    let score = m.size;
    if (hl !== undefined) {
      score = 0;
      for (const t of m.values()) score += 2 ** (-(now - t) / DAY / hl);
    }
    out.push({ productId, score, customers: m.size });
  }
  return out.sort((a, b) => b.score - a.score || b.customers - a.customers || cmp(a.productId, b.productId));
}

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Neighbour order: higher score, then higher co-count, then product id. */
function byScore(a: NeighbourTuple, b: NeighbourTuple) {
  return b[1] - a[1] || b[2] - a[2] || cmp(a[0], b[0]);
}

const popularityIndex = new WeakMap<readonly PopularItem[], Map<string, number>>();
/** productId → score / best score, computed once per popularity list. */
function popularityScores(popular: readonly PopularItem[]): Map<string, number> {
  let m = popularityIndex.get(popular);
  if (!m) {
    m = new Map();
    const top = popular[0]?.score ?? 0;
    for (const p of popular) m.set(p.productId, top > 0 ? p.score / top : 0);
    popularityIndex.set(popular, m);
  }
  return m;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

/** Gaps in days between consecutive distinct purchase days. */
function dayGaps(times: number[]): number[] {
  const days = [...new Set(times.map((t) => Math.floor(t / DAY)))].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let k = 1; k < days.length; k++) gaps.push(days[k]! - days[k - 1]!);
  return gaps;
}

/**
 * Recommendations for one customer, best first:
 * 1. 'replenish': replenishable products the customer bought that are due again (time since
 *    their last purchase ≥ their re-purchase interval), most overdue first; score = elapsed / interval.
 * 2. then a blend of item-item scores and popularity, score = α · cf + (1 − α) · pop, each
 *    scaled to [0, 1] by its best candidate, α = n / (n + popularityPrior) with n the number
 *    of distinct products bought. cf(j) = Σ over the customer's products h of
 *    2^(−age_h / halfLife) · sim(h, j), over the first `neighboursPerItem` neighbours of each h.
 *    The reason is 'bought_with' when the cf part is the larger, else 'popular'.
 * Products already bought (and not due) and `exclude` are never recommended.
 */
export function recommendForCustomer(
  model: SimilarityModel,
  popular: readonly PopularItem[],
  history: readonly HistoryItem[],
  opts: RecommendOptions,
): Recommendation[] {
  const now = opts.now.getTime();
  const limit = opts.limit;
  const halfLife = opts.halfLifeDays ?? 180;
  const prior = opts.popularityPrior ?? 1;
  const becauseLimit = opts.becauseLimit ?? 3;
  const perItem = opts.neighboursPerItem ?? 10;
  const exclude = opts.exclude;
  const replenishable = opts.replenishable;
  const isReplenishable =
    replenishable === undefined
      ? () => false
      : typeof replenishable === 'function'
        ? replenishable
        : (p: string) => replenishable.has(p);
  if (limit <= 0) return [];

  // The customer's products: every purchase time (up to now).
  const bought = new Map<string, number[]>();
  for (const h of history) {
    const t = h.at.getTime();
    if (t > now) continue;
    let ts = bought.get(h.productId);
    if (!ts) {
      ts = [];
      bought.set(h.productId, ts);
    }
    ts.push(t);
  }

  // 1. Due replenishables.
  const out: Recommendation[] = [];
  let customerInterval: number | undefined | null = null; // computed on first need
  for (const [p, ts] of bought) {
    if (exclude?.has(p) || !isReplenishable(p)) continue;
    const rid = opts.repurchaseIntervalDays;
    let interval = typeof rid === 'function' ? rid(p) : rid;
    if (interval === undefined) interval = median(dayGaps(ts));
    if (interval === undefined) {
      if (customerInterval === null) customerInterval = median(dayGaps([...bought.values()].flat()));
      interval = customerInterval;
    }
    if (interval === undefined) continue;
    const elapsed = (now - Math.max(...ts)) / DAY;
    if (elapsed >= interval) {
      out.push({
        productId: p,
        score: interval > 0 ? elapsed / interval : elapsed + 1,
        reason: 'replenish',
        because: [p],
      });
    }
  }
  out.sort((a, b) => b.score - a.score || cmp(a.productId, b.productId));
  if (out.length >= limit) return out.slice(0, limit);
  const taken = new Set(out.map((r) => r.productId));
  const blocked = (p: string) => bought.has(p) || taken.has(p) || exclude?.has(p) === true;

  // 2. Item-item scores, accumulated over dense arrays of the compiled model.
  const m = compiled(model);
  const acc = m.scratch;
  const mark = m.mark;
  const touched: number[] = [];
  const recency: [index: number, weight: number][] = [];
  for (const [h, ts] of bought) {
    const i = m.index.get(h);
    if (i === undefined) continue;
    const r = 2 ** (-(now - Math.max(...ts)) / DAY / halfLife);
    recency.push([i, r]);
    for (let k = m.start[i]!, end = Math.min(m.start[i + 1]!, k + perItem); k < end; k++) {
      const j = m.neighbour[k]!;
      if (mark[j] === 0) {
        mark[j] = 1;
        touched.push(j);
      }
      acc[j]! += r * m.score[k]!;
    }
  }
  const n = bought.size;
  const alpha = n === 0 ? 0 : n / (n + prior);
  const popScores = popularityScores(popular);
  const rest = limit - out.length;

  // The best `rest` candidates, kept sorted by insertion (rest is small).
  type Scored = { productId: string; score: number; cf: number; pop: number; viaCf: boolean };
  // Ties (e.g. no item-item score at all when popularityPrior is 0) go to the more popular product.
  const better = (a: Scored, b: Scored) =>
    a.score !== b.score
      ? a.score > b.score
      : a.cf !== b.cf
        ? a.cf > b.cf
        : a.pop !== b.pop
          ? a.pop > b.pop
          : a.productId < b.productId;
  const chosen: Scored[] = [];
  let cfTop = 0;
  const consider = (productId: string, x: number) => {
    const cfPart = cfTop > 0 ? (alpha * x) / cfTop : 0;
    const pop = popScores.get(productId) ?? 0;
    const popPart = (1 - alpha) * pop;
    const c = { productId, score: cfPart + popPart, cf: cfPart, pop, viaCf: cfPart > 0 && cfPart >= popPart };
    if (chosen.length === rest && !better(c, chosen[rest - 1]!)) return;
    let k = chosen.length === rest ? rest - 1 : chosen.length;
    while (k > 0 && better(c, chosen[k - 1]!)) {
      chosen[k] = chosen[k - 1]!;
      k--;
    }
    chosen[k] = c;
  };
  try {
    // Candidates: every product with an item-item score (mark 1; blocked ones get mark 2) …
    for (const j of touched) {
      if (blocked(m.ids[j]!)) mark[j] = 2;
      else if (acc[j]! > cfTop) cfTop = acc[j]!;
    }
    for (const j of touched) if (mark[j] === 1) consider(m.ids[j]!, acc[j]!);
    // … and the `rest` most popular products not blocked: no product below them can score higher.
    let added = 0;
    for (const p of popular) {
      if (added >= rest) break;
      if (blocked(p.productId)) continue;
      added++;
      const j = m.index.get(p.productId);
      if (j === undefined || mark[j] !== 1) consider(p.productId, 0);
    }
  } finally {
    for (const j of touched) {
      acc[j] = 0;
      mark[j] = 0;
    }
  }

  // 3. `because`: the customer's products with the largest contributions to each chosen product.
  const because: [string, number][][] = chosen.map(() => []);
  const slots: number[] = [];
  chosen.forEach((c, x) => {
    const j = m.index.get(c.productId);
    if (c.viaCf && j !== undefined) {
      mark[j] = x + 1;
      slots.push(j);
    }
  });
  try {
    if (slots.length > 0) {
      for (const [i, r] of recency) {
        for (let k = m.start[i]!, end = Math.min(m.start[i + 1]!, k + perItem); k < end; k++) {
          const x = mark[m.neighbour[k]!]!;
          if (x > 0) because[x - 1]!.push([m.ids[i]!, r * m.score[k]!]);
        }
      }
    }
  } finally {
    for (const j of slots) mark[j] = 0;
  }
  chosen.forEach((c, x) => {
    const b = because[x]!.sort((u, v) => v[1] - u[1] || cmp(u[0], v[0]));
    out.push({
      productId: c.productId,
      score: c.score,
      reason: c.viaCf ? 'bought_with' : 'popular',
      because: b.slice(0, becauseLimit).map(([h]) => h),
    });
  });
  return out;
}

interface CompiledModel {
  ids: string[];
  index: Map<string, number>;
  /** CSR: the neighbours of product i are neighbour[start[i] .. start[i + 1]). */
  start: Int32Array;
  neighbour: Int32Array;
  score: Float64Array;
  /** Zeroed accumulator and marks, one slot per product (left zeroed after each use). */
  scratch: Float64Array;
  mark: Int32Array;
}

const compiledModels = new WeakMap<SimilarityModel, CompiledModel>();
/** The model with integer ids, built once per model object (a model is not to be mutated once used). */
function compiled(model: SimilarityModel): CompiledModel {
  let c = compiledModels.get(model);
  if (c) return c;
  const ids: string[] = [];
  const index = new Map<string, number>();
  const id = (p: string) => {
    let i = index.get(p);
    if (i === undefined) {
      i = ids.length;
      index.set(p, i);
      ids.push(p);
    }
    return i;
  };
  const products = Object.keys(model.neighbours);
  for (const p of products) id(p);
  let total = 0;
  for (const p of products) {
    for (const [q] of model.neighbours[p]!) id(q);
    total += model.neighbours[p]!.length;
  }
  const start = new Int32Array(ids.length + 1);
  const neighbour = new Int32Array(total);
  const score = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    start[i] = k;
    for (const [q, s] of model.neighbours[ids[i]!] ?? []) {
      neighbour[k] = index.get(q)!;
      score[k++] = s;
    }
  }
  start[ids.length] = k;
  c = { ids, index, start, neighbour, score, scratch: new Float64Array(ids.length), mark: new Int32Array(ids.length) };
  compiledModels.set(model, c);
  return c;
}

/** The neighbours of a product, best first (for "related products"). */
export function relatedProducts(model: SimilarityModel, productId: string, limit = 10): Neighbour[] {
  return (model.neighbours[productId] ?? [])
    .slice(0, Math.max(0, limit))
    .map(([p, score, coCount]) => ({ productId: p, score, coCount }));
}

/** The model as table rows (product, neighbour, score, co_count), each product's neighbours best first. */
export function toSimilarityRows(model: SimilarityModel): SimilarityRow[] {
  const rows: SimilarityRow[] = [];
  for (const productId of Object.keys(model.neighbours)) {
    for (const [neighbourId, score, coCount] of model.neighbours[productId]!) {
      rows.push({ productId, neighbourId, score, coCount });
    }
  }
  return rows;
}

/** The model back from rows, in any order (each product's neighbours are re-sorted). */
export function fromSimilarityRows(rows: Iterable<SimilarityRow>): SimilarityModel {
  const neighbours: Record<string, NeighbourTuple[]> = Object.create(null);
  for (const r of rows) {
    let list = neighbours[r.productId];
    if (!list) neighbours[r.productId] = list = [];
    list.push([r.neighbourId, r.score, r.coCount]);
  }
  for (const p of Object.keys(neighbours)) {
    neighbours[p]!.sort(byScore);
  }
  return { neighbours };
}
