/**
 * The predictions API as the web app uses it: types mirroring the server's answers, and query
 * hooks. Every read answers 404 `not_found` while nothing is fitted yet: the hooks turn that into
 * `null`, so a page tells "not fitted yet" apart from a failure.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../api/client';

export type TimeUnit = 'days' | 'weeks';
export type FitQuality = 'good' | 'fair' | 'poor';
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ModelWarning {
  code: string;
  params?: Record<string, string | number>;
}

export interface ClvModel {
  version: number;
  fittedAt: string;
  timeUnit: TimeUnit;
  calibrationStart: string;
  calibrationEnd: string;
  holdoutEnd: string | null;
  customers: number;
  repeatCustomers: number;
  currency: string;
  discountRateMonthly: number;
  horizonMonths: number;
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLikelihood: number;
  p: number | null;
  q: number | null;
  gamma: number | null;
  gammaGammaLogLikelihood: number | null;
  converged: boolean;
  diagnostics: {
    /** Calibration frequency buckets: '0'…'6' and '7+'. */
    buckets: { frequency: string; customers: number; predicted: number; actual: number }[];
    /** Cumulative repeat purchases per period. */
    tracking: { period: number; actual: number; predicted: number }[];
    fitQuality: FitQuality;
    error: number | null;
    warnings: ModelWarning[];
  };
  summary: { meanClv: number; totalClv: number; meanPAlive: number };
}

export interface ChurnModel {
  version: number;
  fittedAt: string;
  kind: 'supervised' | 'p_alive';
  horizonDays: number;
  auc: number | null;
  /** 1 − P(alive) on the same test set. */
  baselineAuc: number | null;
  trainCustomers: number;
  testCustomers: number;
  churnRate: number | null;
  /** `label` comes already in the reader's language. */
  features: { key: string; label: string; weight: number }[];
  warnings: ModelWarning[];
}

export interface PredictionJob {
  id: string;
  status: JobStatus;
  /** 0…1 */
  progress: number;
  error?: string;
}

export interface PredictionsOverview {
  clv: ClvModel | null;
  churn: ChurnModel | null;
  recommendations: { version: number; fittedAt: string; products: number; pairs: number } | null;
  scoredCustomers: number;
  personalizationOptOuts: number;
  job: PredictionJob | null;
}

export type FairnessDimension = 'country' | 'acquisition_channel' | 'age_band';
export type FairnessReason = 'auc_gap' | 'calibration_gap' | 'too_small';
export interface FairnessGroup {
  dimension: FairnessDimension;
  value: string;
  customers: number;
  auc: number | null;
  predicted: number;
  actual: number;
  ratio: number | null;
  flagged: boolean;
  reason: FairnessReason | null;
}
export interface FairnessModel {
  model: 'churn' | 'clv';
  metric: 'auc' | 'calibration';
  overall: { auc: number | null; predicted: number; actual: number };
  groups: FairnessGroup[];
}
export interface Fairness {
  models: FairnessModel[];
}

export interface ClvByChannel {
  rows: { channel: string; customers: number; avgClv: number; totalClv: number; avgPAlive: number }[];
  currency: string;
}

export type ChurnBand = 'low' | 'medium' | 'high';
export type Confidence = 'ok' | 'short_history' | 'no_repeat';
export interface CustomerScores {
  pAlive: number;
  expected30: number;
  expected90: number;
  expected365: number;
  purchaseProbability30: number;
  expectedAov: number;
  clv: number;
  churnRisk: number;
  churnBand: ChurnBand;
  nextPurchaseAt: string | null;
  confidence: Confidence;
}
export interface ChurnReason {
  feature: string;
  label: string;
  direction: 'up' | 'down';
  impact: number;
  value: string | number | null;
}
export interface CustomerPredictions {
  personalization: boolean;
  scoredAt: string | null;
  scores: CustomerScores | null;
  why: { churn: ChurnReason[]; clv: { feature: string; label: string; value: string | number | null }[] };
  models: { clv: number | null; churn: number | null };
  currency: string;
}

export type RecommendationReason = 'bought_with' | 'popular' | 'replenish';
export interface Recommendation {
  productId: string;
  name: string | null;
  price: number | null;
  currency: string | null;
  url: string | null;
  imageUrl: string | null;
  score: number;
  reason: RecommendationReason;
  because: { productId: string; name: string | null }[];
}
export interface CustomerRecommendations {
  personalization: boolean;
  modelVersion: number | null;
  items: Recommendation[];
}

export const predictionsKeys = {
  all: ['predictions'] as const,
  overview: ['predictions', 'overview'] as const,
  fairness: ['predictions', 'fairness'] as const,
  byChannel: ['predictions', 'clv-by-channel'] as const,
  customer: (id: string) => ['predictions', 'customer', id] as const,
  recommendations: (id: string, limit: number) => ['predictions', 'recommendations', id, limit] as const,
};

/** True for the 404 the predictions API answers while nothing is fitted yet. */
export function isNotFitted(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** The answer, or null when the server says nothing is fitted yet. */
export async function orNotFitted<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isNotFitted(error)) return null;
    throw error;
  }
}

/** True while a refit is queued or running. */
export const jobActive = (job: PredictionJob | null | undefined) =>
  job?.status === 'queued' || job?.status === 'running';

/** The models, how many customers are scored, and the refit in progress (polled while one runs). */
export function usePredictions() {
  return useQuery({
    queryKey: predictionsKeys.overview,
    queryFn: () => orNotFitted(api<PredictionsOverview>('GET', '/api/v1/predictions')),
    refetchInterval: (query) => (jobActive(query.state.data?.job) ? 1_000 : false),
  });
}

/** Refits every model and rescores every customer in the background. */
export function useRunPredictions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ job: PredictionJob }>('POST', '/api/v1/predictions/run', { body: {} }),
    onSuccess: ({ job }) => {
      // The page follows the job from its first state (the first run too, when there was no overview yet).
      queryClient.setQueryData<PredictionsOverview | null>(predictionsKeys.overview, (old) =>
        old
          ? { ...old, job }
          : { clv: null, churn: null, recommendations: null, scoredCustomers: 0, personalizationOptOuts: 0, job },
      );
      return queryClient.invalidateQueries({ queryKey: predictionsKeys.overview });
    },
  });
}

/** Fits the CLV model now, with a chosen end of the calibration period and time unit. */
export function useFitClv() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { calibrationEnd?: string; timeUnit?: TimeUnit }) =>
      api<ClvModel>('POST', '/api/v1/predictions/clv/fit', { body }),
    onSuccess: (clv) => {
      queryClient.setQueryData<PredictionsOverview | null>(predictionsKeys.overview, (old) =>
        old ? { ...old, clv } : old,
      );
      return queryClient.invalidateQueries({ queryKey: predictionsKeys.all });
    },
  });
}

/** How well the models do for each group of customers (country, acquisition channel, age band). */
export function useFairness(enabled = true) {
  return useQuery({
    queryKey: predictionsKeys.fairness,
    queryFn: () => orNotFitted(api<Fairness>('GET', '/api/v1/predictions/fairness')),
    enabled,
  });
}

/** Predicted CLV per acquisition channel (null: no CLV model yet). */
export function useClvByChannel() {
  return useQuery({
    queryKey: predictionsKeys.byChannel,
    queryFn: () => orNotFitted(api<ClvByChannel>('GET', '/api/v1/predictions/clv/by-channel')),
    staleTime: 60_000,
  });
}

/** One customer's scores and the reasons behind them (null: not scored, or no model). */
export function useCustomerPredictions(customerId: string) {
  return useQuery({
    queryKey: predictionsKeys.customer(customerId),
    queryFn: () =>
      orNotFitted(api<CustomerPredictions>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}/predictions`)),
  });
}

/** Products to suggest to a customer, each with why. */
export function useCustomerRecommendations(customerId: string, limit = 10) {
  return useQuery({
    queryKey: predictionsKeys.recommendations(customerId, limit),
    queryFn: () =>
      orNotFitted(
        api<CustomerRecommendations>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}/recommendations`, {
          query: { limit },
        }),
      ),
  });
}

/** Switches model-driven content for one customer on or off (a customer may ask not to be profiled). */
export function useSetPersonalization(customerId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) =>
      api<{ personalization: boolean }>('PUT', `/api/v1/customers/${encodeURIComponent(customerId)}/personalization`, {
        body: { enabled },
      }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: predictionsKeys.customer(customerId) }),
        queryClient.invalidateQueries({ queryKey: ['predictions', 'recommendations', customerId] }),
        queryClient.invalidateQueries({ queryKey: predictionsKeys.overview }),
      ]),
  });
}
