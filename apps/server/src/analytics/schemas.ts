import { z } from 'zod';
import { KPI_KEYS, LIFECYCLE_STAGES, RFM_CELLS, VALUE_TIERS } from './service.js';

// ── requests ──

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2025-05-01')
  .describe('A date (YYYY-MM-DD) in the workspace time zone');
const period = {
  from: day.optional().describe('First day (default: 12 months before `to`, plus one day)'),
  to: day.optional().describe('Last day, included (default: today)'),
};
const channel = z.string().trim().min(1).max(60);

export const periodQuery = z.strictObject(period);
export const kpiQuery = z.strictObject({
  ...period,
  channel: channel.optional().describe('Only customers acquired through this channel (`unknown`: without one)'),
});
export const revenueQuery = z.strictObject({ ...period, interval: z.enum(['day', 'week', 'month']).optional() });
export const cohortQuery = kpiQuery;
export const attributionQuery = z.strictObject({
  ...period,
  model: z.enum(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']).optional(),
  lookbackDays: z.coerce.number().int().min(1).max(365).optional(),
});
export const funnelQuery = z.strictObject({
  ...period,
  steps: z
    .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().min(1).max(200)).min(2).max(10))
    .describe('The events of the funnel, in order (repeat the parameter: steps=A&steps=B)'),
  windowDays: z.coerce.number().int().min(1).max(365).optional(),
});

export const thresholdsBody = z
  .strictObject({
    derived: z.boolean().optional().describe('true: derive the thresholds from inter-purchase times again'),
    activeDays: z.number().int().min(1).max(3650).optional(),
    atRiskDays: z.number().int().min(1).max(3650).optional(),
    lapsedDays: z.number().int().min(1).max(3650).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.derived) return;
    for (const k of ['activeDays', 'atRiskDays', 'lapsedDays'] as const) {
      if (b[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'required unless derived is true' });
    }
  });

export const spendBody = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2025-05'),
  channel,
  amount: z.number().min(0).max(1e12),
});

const kpiKey = z.enum(KPI_KEYS);
export const createGoalBody = z.strictObject({
  kpi: kpiKey,
  target: z.number().min(-1e15).max(1e15),
  deadline: day,
  name: z.string().trim().min(1).max(200).optional(),
});
export const updateGoalBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    target: z.number().min(-1e15).max(1e15).optional(),
    deadline: day.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'must change at least one field' });
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

// ── responses ──

const rate = z.number().nullable();
const kpi = z.object({
  value: z.number().nullable(),
  previous: z.number().nullable(),
  change: z.number().nullable().describe('(value − previous) / |previous|'),
  unit: z.enum(['money', 'percent', 'count', 'number', 'days']),
});
export const kpiSet = z
  .object({
    from: z.string(),
    to: z.string(),
    previousFrom: z.string(),
    previousTo: z.string(),
    currency: z.string(),
    channel: z.string().nullable(),
    churnThresholdDays: z.number().describe('Days without an order after which a customer counts as churned'),
    otherCurrency: z
      .object({ orders: z.number(), currencies: z.array(z.string()) })
      .describe('Orders of the period in other currencies: counted as orders, left out of money metrics'),
    source: z
      .enum(['rollup', 'snapshot', 'live'])
      .describe(
        'rollup: read from the KPI rollup (ADR 0010); while a rollup is first built: computed for this request (live), or a snapshot computed earlier for the same period',
      ),
    computedAt: z.string().describe('When the figures were computed'),
    current: z
      .boolean()
      .describe(
        'False: orders or events changed since and are still being rolled up (or a newer snapshot is being computed)',
      ),
    pending: z
      .number()
      .optional()
      .describe('With source rollup: customers and guest orders whose changes are not rolled up yet'),
    kpis: z.object(Object.fromEntries(KPI_KEYS.map((k) => [k, kpi])) as Record<(typeof KPI_KEYS)[number], typeof kpi>),
  })
  .meta({ id: 'KpiSet' });

export const revenueSeries = z
  .object({
    from: z.string(),
    to: z.string(),
    interval: z.enum(['day', 'week', 'month']),
    currency: z.string(),
    series: z.array(
      z.object({
        period: z.string().describe('First day of the period'),
        channel: z.string(),
        revenue: z.number(),
        orders: z.number(),
      }),
    ),
  })
  .meta({ id: 'RevenueSeries' });

export const channelList = z
  .object({
    from: z.string(),
    to: z.string(),
    currency: z.string(),
    items: z.array(
      z.object({
        channel: z.string(),
        newCustomers: z.number(),
        customers: z.number(),
        orders: z.number(),
        revenue: z.number(),
        aov: rate,
        clv: rate,
        spend: rate,
        cac: rate,
        roi: rate,
      }),
    ),
  })
  .meta({ id: 'ChannelMetrics' });

export const cohortTable = z
  .object({
    from: z.string(),
    to: z.string(),
    currency: z.string(),
    channel: z.string().nullable(),
    cohorts: z.array(
      z.object({
        cohort: z.string().describe('YYYY-MM of the first order'),
        size: z.number(),
        periods: z.array(
          z.object({ offset: z.number(), customers: z.number(), retention: z.number(), revenue: z.number() }),
        ),
      }),
    ),
  })
  .meta({ id: 'Cohorts' });

export const attributionResult = z
  .object({
    from: z.string(),
    to: z.string(),
    model: z.enum(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']),
    lookbackDays: z.number(),
    halfLifeDays: z.number().nullable(),
    currency: z.string(),
    orderRevenue: z.number(),
    attributedRevenue: z.number(),
    channels: z.array(z.object({ channel: z.string(), revenue: z.number(), share: z.number() })),
  })
  .meta({ id: 'Attribution' });

export const funnelResult = z
  .object({
    from: z.string(),
    to: z.string(),
    windowDays: z.number(),
    steps: z.array(z.object({ event: z.string(), customers: z.number(), fromPrevious: rate, fromStart: rate })),
  })
  .meta({ id: 'Funnel' });

export const rfmResult = z
  .object({
    asOf: z.string(),
    currency: z.string(),
    cells: z.array(z.object({ key: z.enum(RFM_CELLS), customers: z.number(), revenue: z.number() })),
    grid: z.array(z.object({ r: z.number(), f: z.number(), customers: z.number(), cell: z.enum(RFM_CELLS) })),
  })
  .meta({ id: 'Rfm' });

const thresholds = z.object({
  activeDays: z.number(),
  atRiskDays: z.number(),
  lapsedDays: z.number(),
  derived: z.boolean(),
});
export const lifecycleResult = z
  .object({
    asOf: z.string(),
    thresholds,
    stages: z.array(z.object({ stage: z.enum(LIFECYCLE_STAGES), customers: z.number() })),
  })
  .meta({ id: 'Lifecycle' });
export const thresholdsResult = z.object({ thresholds }).meta({ id: 'LifecycleThresholds' });

export const valueTiersResult = z
  .object({
    currency: z.string(),
    tiers: z.array(
      z.object({ tier: z.enum(VALUE_TIERS), customers: z.number(), revenue: z.number(), minRevenue: rate }),
    ),
  })
  .meta({ id: 'ValueTiers' });

const spendItem = z.object({ month: z.string(), channel: z.string(), amount: z.number(), currency: z.string() });
export const spendList = z
  .object({ from: z.string(), to: z.string(), items: z.array(spendItem) })
  .meta({ id: 'SpendList' });
export const spendResult = spendItem.meta({ id: 'Spend' });

export const goal = z
  .object({
    id: z.string(),
    name: z.string(),
    kpi: kpiKey,
    target: z.number(),
    deadline: z.string(),
    baseline: z.number().nullable(),
    current: z.number().nullable(),
    progress: z.number().describe('0..1: (current − baseline) / (target − baseline)'),
    onTrack: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Goal' });
export const goalList = z.object({ items: z.array(goal) }).meta({ id: 'GoalList' });

export const rollupState = z
  .object({
    ready: z.boolean().describe('Built: the KPIs are read from it'),
    pending: z.number().describe('Customers and guest orders whose changes are not rolled up yet'),
    requestedAt: z.string().describe('When the current build started'),
    builtAt: z.string().nullable().describe('When the build finished (null: still building)'),
  })
  .meta({ id: 'KpiRollupState' });
