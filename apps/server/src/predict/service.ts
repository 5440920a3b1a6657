/**
 * Predictions for a workspace (PRD-1 … PRD-5): fitting the models on its own history, scoring
 * every customer, and the views the API and the app show — each score with its "why" and the
 * version of the model behind it.
 */
import type { z } from 'zod';
import { getWorkspaceOrThrow } from '../access/index.js';
import { getCustomerOrThrow } from '../customers/index.js';
import type { Db } from '../platform/db.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { JobState } from '../platform/jobs.js';
import { type Language, type Message, messageCatalog, render } from '../platform/messages.js';
import { scoreBgNbd } from './bgnbd.js';
import {
  CHURN_HORIZON_DAYS,
  type ChurnReason,
  churnFeatures,
  churnRisk,
  type FeatureRow,
  fitChurn,
} from './churn-service.js';
import {
  type ClvParams,
  checkCalibrationEnd,
  defaultCalibrationEnd,
  fitClvModel,
  type Summary,
  scoreClv,
  toSummary,
} from './clv-service.js';
import { type Diagnostics, trackingCurve } from './diagnostics.js';
import { ageBand, type FairnessReport, fairnessReport } from './fairness.js';
import { prm } from './messages.js';
import { buildRecommendationModel } from './recommend-service.js';
import * as repo from './repository.js';
import type { fairness } from './schemas.js';
import { DAY_MS, DAYS_PER_UNIT, dayNumber, type TimeUnit } from './time.js';

type FairnessView = z.infer<typeof fairness>;
type FairnessBody = Pick<FairnessView['models'][number], 'overall' | 'groups'>;

type ScoredHook = (db: Db, workspaceId: string) => Promise<void>;
const scoredHooks = new Map<string, ScoredHook>();

/** Runs after every customer of a workspace has been scored (segments re-evaluate score rules). */
export function onPredictionsScored(domain: string, hook: ScoredHook): void {
  scoredHooks.set(domain, hook);
}

export type Progress = (done: number, total: number, message: string) => Promise<void>;
const noProgress: Progress = async () => {};

async function workspaceClock(db: Db, workspaceId: string, now: Date) {
  const w = await getWorkspaceOrThrow(db, workspaceId);
  return { timezone: w.timezone, currency: w.currency, today: dayNumber(now, w.timezone) };
}

// ── fitting ──

export interface FitClvInput {
  calibrationEnd?: string;
  timeUnit?: TimeUnit;
}

/**
 * Fits CLV on the workspace's orders and stores it as a new version (with diagnostics and the
 * fairness of its holdout predictions). Scoring is separate (`scoreWorkspace`).
 */
export async function fitClv(db: Db, workspaceId: string, input: FitClvInput, now = new Date()) {
  return (await fitClvWithSummary(db, workspaceId, input, now)).view;
}

/** `fitClv`, also returning every customer's summary as of today (what scoring reads next). */
export async function fitClvWithSummary(db: Db, workspaceId: string, input: FitClvInput, now = new Date()) {
  const clock = await workspaceClock(db, workspaceId, now);
  const span = await repo.orderSpan(db, workspaceId);
  if (!span.first) throw new UserError(400, 'no_orders', prm('no_orders'));
  const firstDay = dayNumber(span.first, clock.timezone);
  const explicit = input.calibrationEnd !== undefined;
  const calEndDay = explicit
    ? checkCalibrationEnd(input.calibrationEnd as string, firstDay, clock.today)
    : defaultCalibrationEnd(firstDay, clock.today);
  const unit = input.timeUnit ?? 'weeks';
  const holdoutEnd = new Date(now.getTime() + 1);
  const range = { timezone: clock.timezone, calEndDay, holdoutEnd };
  // Two reads, which PostgreSQL runs side by side (one connection each).
  const [{ rows: both, repeatDays }, attributes] = await Promise.all([
    repo.purchaseDaySummariesBoth(db, workspaceId, range),
    repo.customerAttributes(db, workspaceId),
  ]);
  const calibration: repo.DaySummaryRow[] = both.filter((r) => r.days > 0);
  const current: repo.DaySummaryRow[] = both.map((r) => ({
    customer_id: r.customer_id,
    first_day: r.first_day,
    last_day: r.all_last_day,
    days: r.all_days,
    repeat_amount: r.all_repeat_amount,
    holdout_days: 0,
    last_order_ms: r.all_last_order_ms,
  }));
  const all = !explicit && calEndDay < clock.today ? current : null;
  const meanOrderValue = meanValue(all ?? calibration);
  const outcome = fitClvModel({
    calibration,
    all,
    calEndDay,
    today: clock.today,
    unit,
    currency: clock.currency,
    meanOrderValue,
  });
  const fairness = clvFairness(outcome, attributes, calEndDay, clock.today, unit, now);
  const expanded = new Float64Array(repeatDays.reduce((n, d) => n + d.n, 0));
  let k = 0;
  for (const d of repeatDays) {
    expanded.fill(d.day, k, k + d.n);
    k += d.n;
  }
  const tracking = trackingCurve(outcome.validation, {
    firstPurchaseDay: Float64Array.from(calibration, (r) => r.first_day),
    repeatPurchaseDays: expanded,
    lastDay: clock.today,
    unitDays: DAYS_PER_UNIT[unit],
  }).map((p) => ({ period: p.period, actual: p.actual, predicted: Math.round(p.predicted * 100) / 100 }));
  const row = await repo.insertModel(db, {
    id: newId('mdl'),
    workspaceId,
    kind: 'clv',
    params: outcome.params,
    diagnostics: { ...outcome.diagnostics, tracking, fairness },
    fittedAt: now,
  });
  await repo.pruneModels(db, workspaceId, 10);
  return { view: await clvView(db, row), current, attributes };
}

function meanValue(rows: repo.DaySummaryRow[]): number {
  // Mean purchase-day value (first days included), for CLV when too few come back to fit spend.
  let sum = 0;
  let n = 0;
  for (const r of rows) {
    if (r.days > 1) {
      sum += r.repeat_amount;
      n += r.days - 1;
    }
  }
  return n > 0 ? sum / n : 0;
}

/** Predicted vs actual holdout purchases by group: is the model as right for everyone? */
function clvFairness(
  outcome: ReturnType<typeof fitClvModel>,
  attributes: repo.CustomerAttributesRow[],
  calEndDay: number,
  today: number,
  unit: TimeUnit,
  now: Date,
) {
  const holdoutUnits = (today - calEndDay) / DAYS_PER_UNIT[unit];
  if (holdoutUnits <= 0) return null;
  const s = outcome.calibration;
  const v = outcome.validation;
  const predicted = scoreBgNbd(v, s.data, [holdoutUnits]).expected[0] as Float64Array;
  const groups = fairnessGroupsOf(attributes, s.ids, now);
  return fairnessBody(
    fairnessReport({
      groups,
      scores: Array.from(predicted),
      predicted: Array.from(predicted),
      actual: Array.from(s.holdout),
    }),
  );
}

const r4 = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 10_000) / 10_000);

/** The report as the API shows it: overall figures, then every group of every dimension. */
function fairnessBody(r: FairnessReport): FairnessBody {
  return {
    overall: {
      auc: r4(r.overall.auc),
      predicted: r4(r.overall.meanPredicted ?? r.overall.meanScore) ?? 0,
      actual: r4(r.overall.meanActual ?? r.overall.positiveRate) ?? 0,
    },
    groups: r.dimensions.flatMap((d) =>
      d.groups.map((g) => ({
        dimension: d.dimension,
        value: g.value ?? 'unknown',
        customers: g.n,
        auc: r4(g.auc),
        predicted: r4(g.meanPredicted ?? g.meanScore) ?? 0,
        actual: r4(g.meanActual ?? g.positiveRate) ?? 0,
        ratio: r4(g.calibrationRatio),
        flagged: g.flagged,
        reason: g.reasons[0] ?? (g.status === 'too_small' ? ('too_small' as const) : null),
      })),
    ),
  };
}

function fairnessGroupsOf(attributes: repo.CustomerAttributesRow[], ids: string[], now: Date) {
  const attrs = new Map(attributes.map((a) => [a.id, a]));
  const pick = (f: (a: repo.CustomerAttributesRow) => string | null) =>
    ids.map((id) => {
      const a = attrs.get(id);
      return a ? f(a) : null;
    });
  return [
    { dimension: 'country', values: pick((a) => a.country) },
    { dimension: 'acquisition_channel', values: pick((a) => a.acquisition_channel ?? 'unknown') },
    { dimension: 'age_band', values: pick((a) => (a.birthday ? ageBand(a.birthday, now) : null)) },
  ];
}

/**
 * Trains the churn model on two past snapshots (see churn-service.ts) and stores it, with its
 * test AUC, the 1 − P(alive) baseline and the fairness of its test predictions.
 */
export async function fitChurnModel(
  db: Db,
  workspaceId: string,
  clv: Pick<ClvParams, 'r' | 'alpha' | 'a' | 'b' | 'timeUnit'>,
  now = new Date(),
  /** Who the customers are, when the caller has just read them. */
  known?: repo.CustomerAttributesRow[],
) {
  const clock = await workspaceClock(db, workspaceId, now);
  const h = CHURN_HORIZON_DAYS * DAY_MS;
  const testAt = new Date(now.getTime() - h);
  const trainAt = new Date(now.getTime() - 2 * h);
  const attributes = known ?? (await repo.customerAttributes(db, workspaceId));
  const attrs = new Map(attributes.map((a) => [a.id, a]));
  const snapshot = async (at: Date, until: Date) => {
    const rows = await repo.churnSnapshot(db, workspaceId, at, until);
    const pAlive = await pAliveAt(db, workspaceId, clv, clock.timezone, at);
    return {
      ids: rows.map((r) => r.customer_id),
      rows: rows.map((r) =>
        churnFeatures(r, at, pAlive.get(r.customer_id) ?? null, attrs.get(r.customer_id)?.acquisition_channel ?? null),
      ),
      churned: rows.map((r) => (r.ordered_after ? 0 : 1)),
      pAlive: rows.map((r) => pAlive.get(r.customer_id) ?? 0.5),
    };
  };
  const train = await snapshot(trainAt, testAt);
  const test = await snapshot(testAt, now);
  const fit = fitChurn({ train, test });
  const groups = fairnessGroupsOf(attributes, test.ids, now);
  const fairness =
    fit.testScores.length >= 30
      ? fairnessBody(fairnessReport({ groups, scores: fit.testScores, labels: test.churned }))
      : null;
  const row = await repo.insertModel(db, {
    id: newId('mdl'),
    workspaceId,
    kind: 'churn',
    params: { kind: fit.kind, model: fit.model, horizonDays: CHURN_HORIZON_DAYS },
    diagnostics: {
      auc: fit.auc,
      baselineAuc: fit.baselineAuc,
      trainCustomers: fit.trainCustomers,
      testCustomers: fit.testCustomers,
      churnRate: fit.churnRate,
      importance: fit.importance,
      warnings: fit.warnings,
      trainedAt: trainAt.toISOString(),
      testedAt: testAt.toISOString(),
      fairness,
    },
    fittedAt: now,
  });
  return row;
}

/** P(alive) of every customer as of `at`, with the CLV model's parameters. */
async function pAliveAt(
  db: Db,
  workspaceId: string,
  clv: Pick<ClvParams, 'r' | 'alpha' | 'a' | 'b' | 'timeUnit'>,
  timezone: string,
  at: Date,
) {
  const day = dayNumber(new Date(at.getTime() - 1), timezone);
  const rows = await repo.purchaseDaySummaries(db, workspaceId, { timezone, calEndDay: day, holdoutEnd: at });
  const s = toSummary(rows, day, clv.timeUnit);
  const scored = scoreBgNbd(clv, s.data, []);
  return new Map(s.ids.map((id, i) => [id, scored.pAlive[i] as number]));
}

// ── scoring ──

const round = (v: number, digits = 6) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * Scores every customer with an order using the latest models, replacing the previous scores
 * in one transaction. Returns how many were scored (0 when no CLV model exists yet).
 */
export async function scoreWorkspace(
  db: Db,
  workspaceId: string,
  now = new Date(),
  progress = noProgress,
  /** Every customer's purchase-day summary as of `now`, when the caller has just read it. */
  summaries?: repo.DaySummaryRow[],
  /** Who the customers are, likewise. */
  attributes?: repo.CustomerAttributesRow[],
) {
  const clvRow = await repo.latestModel(db, workspaceId, 'clv');
  if (!clvRow) return { scored: 0 };
  const params = clvRow.params as ClvParams;
  const churnRow = await repo.latestModel(db, workspaceId, 'churn');
  const churn = churnRow
    ? { kind: (churnRow.params as { kind: string }).kind, model: (churnRow.params as { model: unknown }).model }
    : { kind: 'p_alive', model: null };
  const clock = await workspaceClock(db, workspaceId, now);
  const rows =
    summaries ??
    (await repo.purchaseDaySummaries(db, workspaceId, {
      timezone: clock.timezone,
      calEndDay: clock.today,
      holdoutEnd: new Date(now.getTime() + 1),
    }));
  const s = toSummary(rows, clock.today, params.timeUnit);
  const scores = scoreClv(params, s);
  const n = s.ids.length;
  for (const [name, values] of Object.entries(scores)) {
    const bad = (values as Float64Array).findIndex((v) => !Number.isFinite(v));
    // A score that is not a number is a bug in the engine: stop rather than store it.
    if (bad >= 0)
      throw new Error(`predict: ${name} is not finite for customer ${s.ids[bad]} (model v${clvRow.version})`);
  }
  const featureRows =
    churn.kind === 'supervised' ? await currentFeatures(db, workspaceId, s, scores.pAlive, now, attributes) : [];
  const churnScores = new Float64Array(n);
  const reasons: (string | null)[] = new Array(n);
  const nextAt: (string | null)[] = new Array(n);
  const confidence: string[] = new Array(n);
  const per = DAYS_PER_UNIT[params.timeUnit];
  const supervised = churn.kind === 'supervised';
  for (let i = 0; i < n; i++) {
    if (supervised) {
      const c = churnRisk(churn, featureRows[i] as FeatureRow);
      churnScores[i] = round(c.risk);
      reasons[i] = JSON.stringify(c.reasons);
    } else {
      // 1 − P(alive): its reasons follow from the stored row, so they are worked out when read.
      churnScores[i] = round(1 - (scores.pAlive[i] as number));
      reasons[i] = null;
    }
    nextAt[i] = nextPurchase(s, scores, i, per, now);
    const T = (s.data.T[i] as number) * per;
    confidence[i] = T < 90 ? 'short_history' : (s.data.x[i] as number) === 0 ? 'no_repeat' : 'ok';
  }
  // Progress is reported outside the transaction: on PGlite (one connection) a write to the jobs
  // table from inside it would wait for the transaction to end.
  await progress(0, n, 'writing');
  await db.transaction().execute(async (tx) => {
    await repo.writeScores(
      tx,
      workspaceId,
      {
        customerIds: s.ids,
        x: s.data.x,
        tx: s.data.tx,
        T: s.data.T,
        zbar: s.data.zbar,
        pAlive: scores.pAlive,
        e30: scores.e30,
        e90: scores.e90,
        e365: scores.e365,
        p30: scores.p30,
        aov: scores.aov,
        clv: scores.clv,
        churn: churnScores,
        reasons,
        nextAt,
        confidence,
      },
      { clvVersion: clvRow.version, churnVersion: churnRow?.version ?? null, scoredAt: now },
    );
  });
  await progress(n, n, 'written');
  for (const hook of scoredHooks.values()) await hook(db, workspaceId);
  return { scored: n };
}

/**
 * The next purchase: on the customer's own rhythm (last order + their mean gap) while that is
 * still ahead; otherwise when BG/NBD makes a purchase as likely as not, if they are still
 * buying. None for customers probably gone (P(alive) < 0.2) or not expected within two years.
 */
function nextPurchase(s: Summary, scores: ReturnType<typeof scoreClv>, i: number, per: number, now: Date) {
  if ((scores.pAlive[i] as number) < 0.2) return null;
  const x = s.data.x[i] as number;
  if (x >= 1) {
    const gapDays = ((s.data.tx[i] as number) * per) / x;
    const own = (s.lastOrderMs[i] as number) + gapDays * DAY_MS;
    if (own > now.getTime()) return new Date(own).toISOString();
  }
  const days = scores.medianDaysToNext[i] as number;
  return days <= 730 ? new Date(now.getTime() + days * DAY_MS).toISOString() : null;
}

/** Today's features for the supervised churn model. */
async function currentFeatures(
  db: Db,
  workspaceId: string,
  s: Summary,
  pAlive: Float64Array,
  now: Date,
  attributes?: repo.CustomerAttributesRow[],
): Promise<FeatureRow[]> {
  const snap = new Map((await repo.churnSnapshot(db, workspaceId, now, now)).map((r) => [r.customer_id, r]));
  const attrs = new Map((attributes ?? (await repo.customerAttributes(db, workspaceId))).map((a) => [a.id, a]));
  return s.ids.map((id, i) => {
    const r = snap.get(id);
    const pa = pAlive[i] as number;
    if (!r) return { p_alive: pa };
    return churnFeatures(r, now, pa, attrs.get(id)?.acquisition_channel ?? null);
  });
}

/** Everything: CLV, churn, recommendations, then scores. What the job and `kith` run. */
export async function runPredictions(
  db: Db,
  workspaceId: string,
  opts: FitClvInput & { now?: Date; progress?: Progress } = {},
) {
  const now = opts.now ?? new Date();
  const progress = opts.progress ?? noProgress;
  const span = await repo.orderSpan(db, workspaceId);
  if (!span.first) return { scored: 0, skipped: 'no_orders' as const };
  await progress(0, 4, 'clv');
  // The summaries and the customers' attributes are read once, by the CLV fit, and passed on.
  const { view: clv, current, attributes } = await fitClvWithSummary(db, workspaceId, opts, now);
  await progress(1, 4, 'churn');
  await fitChurnModel(db, workspaceId, clv, now, attributes);
  await progress(2, 4, 'recommendations');
  await buildRecommendationModel(db, workspaceId, now);
  await progress(3, 4, 'scores');
  const scored = await scoreWorkspace(db, workspaceId, now, noProgress, current, attributes);
  await progress(4, 4, 'done');
  return scored;
}

// ── views ──

const featureMessage = prm as unknown as (key: string) => Message;
const label = (key: string, lang: Language) =>
  messageCatalog().has(`predict.f_${key}`) ? render(featureMessage(`f_${key}`), lang) : key;

/** The engine's warning codes as the API names them. */
const WARNING_CODES: Record<string, string> = {
  too_few_customers: 'few_customers',
  too_few_repeat_customers: 'few_repeat_customers',
  holdout_too_short: 'short_holdout',
  large_prediction_gap: 'poor_fit',
};

/** The CLV model as the API shows it. */
export async function clvView(db: Db, row: repo.ModelRow) {
  const p = row.params as ClvParams;
  const d = row.diagnostics as Diagnostics;
  const sum = await repo.scoreSummary(db, row.workspace_id);
  return {
    version: row.version,
    fittedAt: row.fitted_at.toISOString(),
    ...p,
    diagnostics: {
      buckets: (d.buckets ?? []).map((b) => ({
        frequency: b.frequency,
        customers: b.customers,
        predicted: r4(b.predicted) ?? 0,
        actual: r4(b.actual) ?? 0,
      })),
      tracking: d.tracking ?? [],
      fitQuality: d.fitQuality,
      error: r4(d.error?.bucketWape ?? null),
      warnings: (d.warnings ?? []).map((w) => ({ code: WARNING_CODES[w.code] ?? w.code, params: w.params })),
    },
    summary: { meanClv: sum.mean_clv ?? 0, totalClv: sum.total_clv ?? 0, meanPAlive: sum.mean_p_alive ?? 0 },
  };
}

export async function getClvOrThrow(db: Db, workspaceId: string) {
  const row = await repo.latestModel(db, workspaceId, 'clv');
  if (!row) throw new NotFoundError(prm('no_model'));
  return clvView(db, row);
}

function churnView(row: repo.ModelRow, lang: Language) {
  const p = row.params as { kind: 'supervised' | 'p_alive'; horizonDays: number };
  const d = row.diagnostics as {
    auc: number | null;
    baselineAuc: number | null;
    trainCustomers: number;
    testCustomers: number;
    churnRate: number | null;
    importance: { feature: string; weight: number }[];
    warnings: { code: string; params?: Record<string, string | number> }[];
  };
  return {
    version: row.version,
    fittedAt: row.fitted_at.toISOString(),
    kind: p.kind,
    horizonDays: p.horizonDays,
    auc: d.auc,
    baselineAuc: d.baselineAuc,
    trainCustomers: d.trainCustomers,
    testCustomers: d.testCustomers,
    churnRate: d.churnRate,
    features: (d.importance ?? []).map((f) => ({ key: f.feature, label: label(f.feature, lang), weight: f.weight })),
    warnings: d.warnings ?? [],
  };
}

export async function getChurnOrThrow(db: Db, workspaceId: string, lang: Language) {
  const row = await repo.latestModel(db, workspaceId, 'churn');
  if (!row) throw new NotFoundError(prm('no_model'));
  return churnView(row, lang);
}

export async function overview(
  db: Db,
  workspaceId: string,
  lang: Language,
  job: { id: string; status: JobState; progress: number; error?: string } | null,
) {
  const [clv, churn, rec] = await Promise.all([
    repo.latestModel(db, workspaceId, 'clv'),
    repo.latestModel(db, workspaceId, 'churn'),
    repo.latestModel(db, workspaceId, 'recommend'),
  ]);
  const recParams = rec?.params as { products: number; pairs: number } | undefined;
  return {
    clv: clv ? await clvView(db, clv) : null,
    churn: churn ? churnView(churn, lang) : null,
    recommendations: rec
      ? {
          version: rec.version,
          fittedAt: rec.fitted_at.toISOString(),
          products: recParams?.products ?? 0,
          pairs: recParams?.pairs ?? 0,
        }
      : null,
    scoredCustomers: await repo.countScored(db, workspaceId),
    personalizationOptOuts: await repo.countOptOuts(db, workspaceId),
    job,
  };
}

export async function fairnessView(db: Db, workspaceId: string): Promise<FairnessView> {
  const models: FairnessView['models'] = [];
  const churn = await repo.latestModel(db, workspaceId, 'churn');
  const churnFair = (churn?.diagnostics as { fairness?: unknown } | undefined)?.fairness;
  if (churn && churnFair)
    models.push({ model: 'churn', metric: 'auc', version: churn.version, ...(churnFair as FairnessBody) });
  const clv = await repo.latestModel(db, workspaceId, 'clv');
  const clvFair = (clv?.diagnostics as { fairness?: unknown } | undefined)?.fairness;
  if (clv && clvFair)
    models.push({ model: 'clv', metric: 'calibration', version: clv.version, ...(clvFair as FairnessBody) });
  return { models };
}

/** A customer's scores with their "why" — or, if they asked for no personalization, nothing. */
export async function customerPredictions(db: Db, workspaceId: string, customerId: string, lang: Language) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  const w = await getWorkspaceOrThrow(db, workspaceId);
  const optedOut = await repo.isOptedOut(db, workspaceId, c.id);
  const p = optedOut ? undefined : await repo.findPrediction(db, workspaceId, c.id);
  const clv = p ? await repo.latestModel(db, workspaceId, 'clv') : undefined;
  const unit = (clv?.params as ClvParams | undefined)?.timeUnit ?? 'weeks';
  const per = DAYS_PER_UNIT[unit] / 7;
  const reasons = p ? ((p.churn_reasons as ChurnReason[] | null) ?? aliveReasons(p, DAYS_PER_UNIT[unit])) : [];
  return {
    personalization: !optedOut,
    scoredAt: p?.scored_at.toISOString() ?? null,
    scores: p
      ? {
          pAlive: p.p_alive,
          expected30: p.expected_30,
          expected90: p.expected_90,
          expected365: p.expected_365,
          purchaseProbability30: p.purchase_probability_30,
          expectedAov: round(p.expected_aov, 2),
          clv: round(p.clv, 2),
          churnRisk: p.churn_risk,
          churnBand: (p.churn_risk >= 0.7 ? 'high' : p.churn_risk >= 0.4 ? 'medium' : 'low') as
            | 'low'
            | 'medium'
            | 'high',
          nextPurchaseAt: p.next_purchase_at?.toISOString() ?? null,
          confidence: p.confidence as 'ok' | 'short_history' | 'no_repeat',
        }
      : null,
    why: {
      churn: reasons.map((r) => ({ ...r, label: label(r.feature, lang) })),
      clv: p
        ? [
            { feature: 'repeat_purchases', label: label('repeat_purchases', lang), value: p.x },
            {
              feature: 'weeks_since_last_purchase',
              label: label('weeks_since_last_purchase', lang),
              value: round((p.t_cal - p.t_x) * per, 1),
            },
            { feature: 'weeks_as_customer', label: label('weeks_as_customer', lang), value: round(p.t_cal * per, 1) },
            { feature: 'average_repeat_spend', label: label('average_repeat_spend', lang), value: round(p.zbar, 2) },
          ]
        : [],
    },
    models: { clv: p?.clv_version ?? null, churn: p?.churn_version ?? null },
    currency: w.currency,
  };
}

/** The reasons of 1 − P(alive) (no supervised model): P(alive), and how overdue against their own rhythm. */
function aliveReasons(p: repo.PredictionRow, daysPerUnit: number): ChurnReason[] {
  const sinceDays = (p.t_cal - p.t_x) * daysPerUnit;
  const gapDays = p.x > 0 ? (p.t_x * daysPerUnit) / p.x : null;
  return churnRisk(
    { kind: 'p_alive', model: null },
    { p_alive: p.p_alive, overdue_ratio: gapDays && gapDays > 0 ? sinceDays / gapDays : null },
  ).reasons;
}

/** Switches personalization off (or back on) for a customer who asked. */
export async function setPersonalization(
  db: Db,
  workspaceId: string,
  customerId: string,
  enabled: boolean,
  by: string | null,
) {
  const c = await getCustomerOrThrow(db, workspaceId, customerId);
  await repo.setOptOut(db, workspaceId, c.id, !enabled, by);
  return { personalization: enabled };
}

/** True when model-driven content may be shown to the customer. */
export async function personalizationAllowed(db: Db, workspaceId: string, customerId: string): Promise<boolean> {
  return !(await repo.isOptedOut(db, workspaceId, customerId));
}

export async function clvByChannel(db: Db, workspaceId: string) {
  const w = await getWorkspaceOrThrow(db, workspaceId);
  const rows = await repo.clvByChannel(db, workspaceId);
  return {
    currency: w.currency,
    rows: rows.map((r) => ({
      channel: r.channel,
      customers: r.customers,
      avgClv: round(r.avg_clv, 2),
      totalClv: round(r.total_clv, 2),
      avgPAlive: round(r.avg_p_alive, 4),
    })),
  };
}
