/**
 * Recommendations (PRD-4): item-to-item collaborative filtering over the workspace's orders
 * (item-similarity.ts), stored as each product's best neighbours, blended with popularity for
 * customers with little history; what the customer bought is left out unless it is bought
 * again and again (replenishable) and due.
 */
import { recommendedProducts } from '../commerce/index.js';
import { getCustomerOrThrow } from '../customers/index.js';
import type { Db, Tx } from '../platform/db.js';
import { NotFoundError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import {
  buildItemSimilarity,
  fromSimilarityRows,
  type PopularItem,
  popularity,
  recommendForCustomer,
} from './item-similarity.js';
import { prm } from './messages.js';
import * as repo from './repository.js';
import { DAY_MS } from './time.js';

/** Orders of the last year are what the neighbours are learned from. */
const WINDOW_DAYS = 365;
/** A product is replenishable when at least this share of its buyers (and 5 of them) bought it again. */
const REPLENISH_SHARE = 0.2;
const REPLENISH_MIN_BUYERS = 10;

interface RecommendParams {
  popular: PopularItem[];
  /** Replenishable products: their median days between purchases by the same customer. */
  replenish: Record<string, number>;
  products: number;
  pairs: number;
  since: string;
}

/** Learns the neighbours from the last year's orders and stores them with popularity. */
export async function buildRecommendationModel(db: Db, workspaceId: string, now = new Date()) {
  const since = new Date(now.getTime() - WINDOW_DAYS * DAY_MS);
  const pairs = await repo.purchasePairs(db, workspaceId, since);
  const model = buildItemSimilarity(pairs.map((p) => [p.customer_id, p.product_id] as const));
  const popular = popularity(
    pairs.map((p) => ({ customerId: p.customer_id, items: [p.product_id], at: p.last_at })),
    { now, halfLifeDays: 90 },
  ).slice(0, 100);
  const replenish = replenishable(pairs);
  const rows: repo.NeighbourRow[] = [];
  for (const [productId, list] of Object.entries(model.neighbours)) {
    for (const [neighbourId, score, coCount] of list) {
      rows.push({ product_id: productId, neighbour_id: neighbourId, score, co_count: coCount });
    }
  }
  const params: RecommendParams = {
    popular,
    replenish,
    products: Object.keys(model.neighbours).length,
    pairs: rows.length,
    since: since.toISOString(),
  };
  return db.transaction().execute(async (tx) => {
    await repo.replaceNeighbours(tx, workspaceId, rows);
    return repo.insertModel(tx, {
      id: newId('mdl'),
      workspaceId,
      kind: 'recommend',
      params,
      diagnostics: { customers: new Set(pairs.map((p) => p.customer_id)).size },
      fittedAt: now,
    });
  });
}

function replenishable(pairs: repo.PurchasePairRow[]): Record<string, number> {
  const by = new Map<string, { buyers: number; gaps: number[] }>();
  for (const p of pairs) {
    let s = by.get(p.product_id);
    if (!s) {
      s = { buyers: 0, gaps: [] };
      by.set(p.product_id, s);
    }
    s.buyers++;
    if (p.orders >= 2) s.gaps.push((p.last_at.getTime() - p.first_at.getTime()) / DAY_MS / (p.orders - 1));
  }
  const out: Record<string, number> = {};
  for (const [id, s] of by) {
    if (s.buyers >= REPLENISH_MIN_BUYERS && s.gaps.length >= 5 && s.gaps.length / s.buyers >= REPLENISH_SHARE) {
      const g = s.gaps.sort((a, b) => a - b);
      out[id] = Math.max(1, Math.round(g[Math.floor(g.length / 2)] as number));
    }
  }
  return out;
}

async function products(db: Db | Tx, workspaceId: string, ids: string[]) {
  return new Map((await repo.productsByIds(db, workspaceId, [...new Set(ids)])).map((p) => [p.id, p]));
}

const price = (p: repo.ProductRow | undefined) => (p?.price == null ? null : Math.round(Number(p.price) * 100) / 100);

/** The recommendations a customer gets, each with the purchases it follows from. */
export async function customerRecommendations(
  db: Db,
  workspaceId: string,
  customerId: string,
  limit: number,
  now = new Date(),
) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  if (await repo.isOptedOut(db, workspaceId, c.id)) return { personalization: false, modelVersion: null, items: [] };
  const row = await repo.latestModel(db, workspaceId, 'recommend');
  if (!row) {
    // Before the first model: the business's best sellers the customer has not bought.
    const best = await recommendedProducts(db, workspaceId, c.id, limit);
    return {
      personalization: true,
      modelVersion: null,
      items: best.map((p) => ({
        productId: p.id,
        name: p.name,
        price: p.price,
        currency: p.currency,
        url: p.url,
        imageUrl: p.image_url,
        score: 0,
        reason: 'popular' as const,
        because: [],
      })),
    };
  }
  const params = row.params as RecommendParams;
  const recs = await recommend(db, workspaceId, c.id, params, limit, now);
  const info = await products(
    db,
    workspaceId,
    recs.flatMap((r) => [r.productId, ...r.because]),
  );
  return {
    personalization: true,
    modelVersion: row.version,
    items: recs.map((r) => {
      const p = info.get(r.productId);
      return {
        productId: r.productId,
        name: p?.name ?? null,
        price: price(p),
        currency: p?.currency ?? null,
        url: p?.url ?? null,
        imageUrl: p?.image_url ?? null,
        score: Math.round(r.score * 10_000) / 10_000,
        reason: r.reason,
        because: r.because.map((id) => ({ productId: id, name: info.get(id)?.name ?? null })),
      };
    }),
  };
}

async function recommend(
  db: Db,
  workspaceId: string,
  customerId: string,
  params: RecommendParams,
  limit: number,
  now: Date,
) {
  const history = await repo.customerPurchases(db, workspaceId, customerId);
  const model = fromSimilarityRows(
    (
      await repo.neighboursOf(
        db,
        workspaceId,
        history.map((h) => h.product_id),
      )
    ).map((n) => ({
      productId: n.product_id,
      neighbourId: n.neighbour_id,
      score: n.score,
      coCount: n.co_count,
    })),
  );
  return recommendForCustomer(
    model,
    params.popular,
    history.map((h) => ({ productId: h.product_id, at: h.last_at })),
    {
      limit,
      now,
      replenishable: (id) => id in params.replenish,
      repurchaseIntervalDays: (id) => params.replenish[id],
    },
  );
}

/** Products bought by the same customers as this one, best first. */
export async function relatedProducts(db: Db, workspaceId: string, productId: string, limit: number) {
  if (!(await repo.productExists(db, workspaceId, productId))) throw new NotFoundError(prm('product_not_found'));
  const rows = (await repo.neighboursOf(db, workspaceId, [productId])).slice(0, limit);
  const info = await products(
    db,
    workspaceId,
    rows.map((r) => r.neighbour_id),
  );
  return {
    items: rows.map((r) => ({
      productId: r.neighbour_id,
      name: info.get(r.neighbour_id)?.name ?? null,
      score: Math.round(r.score * 10_000) / 10_000,
      together: r.co_count,
    })),
  };
}

/**
 * What message templates see as `recommendations` (same shape as before predictions existed).
 * A customer who asked for no personalization sees the business's popular products, not
 * products chosen from their history.
 */
export async function templateRecommendations(db: Db | Tx, workspaceId: string, customerId: string, limit = 3) {
  const row = await repo.latestModel(db, workspaceId, 'recommend');
  if (!row) return recommendedProducts(db, workspaceId, customerId, limit);
  const params = row.params as RecommendParams;
  const optedOut = await repo.isOptedOut(db, workspaceId, customerId);
  const picked = optedOut
    ? params.popular.slice(0, limit).map((p) => ({ productId: p.productId, reason: 'popular' }))
    : await recommend(db as Db, workspaceId, customerId, params, limit, new Date());
  const info = await products(
    db,
    workspaceId,
    picked.map((p) => p.productId),
  );
  return picked
    .filter((p) => info.has(p.productId))
    .map((p) => {
      const x = info.get(p.productId) as repo.ProductRow;
      return {
        id: x.id,
        name: x.name,
        price: price(x),
        currency: x.currency,
        url: x.url,
        image_url: x.image_url,
        reason: p.reason,
      };
    });
}
