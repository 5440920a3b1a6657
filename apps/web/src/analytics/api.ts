/** The analytics API as the dashboard uses it: types mirroring the server's schemas, and query hooks. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const KPI_KEYS = [
  'customers',
  'newCustomers',
  'orders',
  'netRevenue',
  'aov',
  'repeatPurchaseRate',
  'purchaseFrequency',
  'clv',
  'churnRate',
  'retentionRate',
  'cac',
  'roi',
  'engagementScore',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];
export type KpiUnit = 'money' | 'percent' | 'count' | 'number' | 'days';

export interface Kpi {
  value: number | null;
  previous: number | null;
  change: number | null;
  unit: KpiUnit;
}

export interface KpiSet {
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
  currency: string;
  channel?: string | null;
  churnThresholdDays?: number;
  otherCurrency?: { orders: number; currencies: string[] };
  kpis: Record<KpiKey, Kpi>;
  /** Where the figures come from: the KPI rollup (docs/adr/0010), or while it is first built, computed for this request or a stored snapshot (docs/adr/0009). */
  source?: 'rollup' | 'live' | 'snapshot';
  computedAt?: string;
  /** False: orders or events changed and are still being taken in. */
  current?: boolean;
  /** With the rollup: customers and guest orders whose changes are still being taken in. */
  pending?: number;
}

export type Interval = 'day' | 'week' | 'month';
export interface RevenueSeries {
  currency: string;
  interval?: Interval;
  series: { period: string; channel: string; revenue: number; orders: number }[];
}

export interface ChannelMetrics {
  currency: string;
  items: {
    channel: string;
    newCustomers: number;
    customers: number;
    orders: number;
    revenue: number;
    aov: number | null;
    clv: number | null;
    spend: number | null;
    cac: number | null;
    roi: number | null;
  }[];
}

export interface Cohorts {
  currency: string;
  cohorts: {
    cohort: string;
    size: number;
    periods: { offset: number; customers: number; retention: number; revenue: number }[];
  }[];
}

export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];
export interface Attribution {
  model: AttributionModel;
  lookbackDays: number;
  currency: string;
  orderRevenue: number;
  attributedRevenue: number;
  channels: { channel: string; revenue: number; share: number }[];
}

export interface Funnel {
  windowDays?: number;
  steps: { event: string; customers: number; fromPrevious: number | null; fromStart: number | null }[];
}

export const RFM_CELLS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type RfmCell = (typeof RFM_CELLS)[number];
export interface Rfm {
  asOf: string;
  currency?: string;
  cells: { key: RfmCell; customers: number; revenue: number }[];
  grid: { r: number; f: number; customers: number; cell?: RfmCell }[];
}

export const LIFECYCLE_STAGES = ['new', 'active', 'at_risk', 'lapsed', 'won_back'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export interface Thresholds {
  activeDays: number;
  atRiskDays: number;
  lapsedDays: number;
  derived: boolean;
}
export interface Lifecycle {
  asOf: string;
  thresholds: Thresholds;
  stages: { stage: LifecycleStage; customers: number }[];
}

export const VALUE_TIERS = ['top', 'high', 'medium', 'low'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];
export interface ValueTiers {
  currency?: string;
  tiers: { tier: ValueTier; customers: number; revenue: number; minRevenue: number | null }[];
}

export interface SpendItem {
  month: string;
  channel: string;
  amount: number;
  currency: string;
}

export interface Goal {
  id: string;
  name: string;
  kpi: KpiKey;
  target: number;
  deadline: string;
  baseline: number | null;
  current: number | null;
  progress: number;
  onTrack: boolean;
  createdAt: string;
}
export interface GoalInput {
  kpi: KpiKey;
  target: number;
  deadline: string;
  name?: string;
}

/** The period (and channel) every dashboard card is asked for. */
export interface Period {
  from: string;
  to: string;
}

export const analyticsKeys = {
  all: ['metrics'] as const,
  kpis: (p: Period, channel: string | null) => ['metrics', 'kpis', p, channel] as const,
  revenue: (p: Period, interval: Interval) => ['metrics', 'revenue', p, interval] as const,
  channels: (p: Period) => ['metrics', 'channels', p] as const,
  cohorts: (p: Period, channel: string | null) => ['metrics', 'cohorts', p, channel] as const,
  attribution: (p: Period, model: AttributionModel, lookbackDays: number) =>
    ['metrics', 'attribution', p, model, lookbackDays] as const,
  funnel: (p: Period, steps: string[], windowDays: number) => ['metrics', 'funnel', p, steps, windowDays] as const,
  rfm: ['metrics', 'rfm'] as const,
  lifecycle: ['metrics', 'lifecycle'] as const,
  tiers: ['metrics', 'value-tiers'] as const,
  spend: (p: Period) => ['metrics', 'spend', p] as const,
  goals: ['goals'] as const,
};

const get = <T>(path: string, query: Record<string, string | number | undefined>, signal: AbortSignal) =>
  api<T>('GET', `/api/v1${path}`, { query, signal });

const common = { placeholderData: keepPreviousData, staleTime: 60_000 };

export function useKpis(p: Period, channel: string | null) {
  return useQuery({
    queryKey: analyticsKeys.kpis(p, channel),
    queryFn: ({ signal }) => get<KpiSet>('/metrics/kpis', { ...p, channel: channel ?? undefined }, signal),
    ...common,
    // A snapshot older than the data is being recomputed on the server: ask again until it is current.
    refetchInterval: (query) => (query.state.data?.current === false ? 3000 : false),
  });
}

export function useRevenue(p: Period, interval: Interval) {
  return useQuery({
    queryKey: analyticsKeys.revenue(p, interval),
    queryFn: ({ signal }) => get<RevenueSeries>('/metrics/revenue', { ...p, interval }, signal),
    ...common,
  });
}

export function useChannels(p: Period) {
  return useQuery({
    queryKey: analyticsKeys.channels(p),
    queryFn: ({ signal }) => get<ChannelMetrics>('/metrics/channels', { ...p }, signal),
    ...common,
  });
}

export function useCohorts(p: Period, channel: string | null) {
  return useQuery({
    queryKey: analyticsKeys.cohorts(p, channel),
    queryFn: ({ signal }) => get<Cohorts>('/metrics/cohorts', { ...p, channel: channel ?? undefined }, signal),
    ...common,
  });
}

export function useAttribution(p: Period, model: AttributionModel, lookbackDays: number) {
  return useQuery({
    queryKey: analyticsKeys.attribution(p, model, lookbackDays),
    queryFn: ({ signal }) => get<Attribution>('/metrics/attribution', { ...p, model, lookbackDays }, signal),
    ...common,
  });
}

export function useFunnel(p: Period, steps: string[], windowDays: number) {
  return useQuery({
    queryKey: analyticsKeys.funnel(p, steps, windowDays),
    queryFn: ({ signal }) => {
      // Steps repeat the parameter (steps=A&steps=B), which the plain query helper cannot write.
      const params = new URLSearchParams({ from: p.from, to: p.to, windowDays: String(windowDays) });
      for (const s of steps) params.append('steps', s);
      return api<Funnel>('GET', `/api/v1/metrics/funnel?${params.toString()}`, { signal });
    },
    enabled: steps.length >= 2 && steps.every((s) => s.trim() !== ''),
    ...common,
  });
}

export function useRfm() {
  return useQuery({
    queryKey: analyticsKeys.rfm,
    queryFn: ({ signal }) => get<Rfm>('/metrics/rfm', {}, signal),
    staleTime: 60_000,
  });
}

export function useLifecycle() {
  return useQuery({
    queryKey: analyticsKeys.lifecycle,
    queryFn: ({ signal }) => get<Lifecycle>('/metrics/lifecycle', {}, signal),
    staleTime: 60_000,
  });
}

export function useSetThresholds() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<Thresholds, 'derived'> | { derived: true }) =>
      api<{ thresholds: Thresholds }>('PUT', '/api/v1/metrics/lifecycle/thresholds', { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.all }),
  });
}

export function useValueTiers() {
  return useQuery({
    queryKey: analyticsKeys.tiers,
    queryFn: ({ signal }) => get<ValueTiers>('/metrics/value-tiers', {}, signal),
    staleTime: 60_000,
  });
}

export function useSpend(p: Period) {
  return useQuery<SpendItem[]>({
    queryKey: analyticsKeys.spend(p),
    queryFn: async ({ signal }): Promise<SpendItem[]> =>
      (await get<{ items: SpendItem[] }>('/metrics/spend', { ...p }, signal)).items,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

export function useSaveSpend() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { month: string; channel: string; amount: number }) =>
      api<SpendItem>('PUT', '/api/v1/metrics/spend', { body }),
    // Spend changes CAC and ROI everywhere on the dashboard.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.all }),
  });
}

export function useGoals() {
  return useQuery({
    queryKey: analyticsKeys.goals,
    queryFn: ({ signal }) => api<{ items: Goal[] }>('GET', '/api/v1/goals', { signal }).then((r) => r.items),
    staleTime: 60_000,
  });
}

export function useCreateGoal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: GoalInput) => api<Goal>('POST', '/api/v1/goals', { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.goals }),
  });
}

export function useUpdateGoal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: Partial<Omit<GoalInput, 'kpi'>> & { id: string }) =>
      api<Goal>('PATCH', `/api/v1/goals/${encodeURIComponent(id)}`, { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.goals }),
  });
}

export function useDeleteGoal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/api/v1/goals/${encodeURIComponent(id)}`),
    onMutate: async (id) => {
      await queryClient.cancelQueries({ queryKey: analyticsKeys.goals });
      const before = queryClient.getQueryData<Goal[]>(analyticsKeys.goals);
      queryClient.setQueryData<Goal[]>(analyticsKeys.goals, (goals) => goals?.filter((g) => g.id !== id));
      return { before };
    },
    onError: (_e, _id, context) => queryClient.setQueryData(analyticsKeys.goals, context?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: analyticsKeys.goals }),
  });
}
