import { z } from 'zod';

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const limitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(50).optional() });

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'a real calendar date');

export const fitClvBody = z.strictObject({
  calibrationEnd: isoDate
    .optional()
    .describe(
      'Last day (inclusive) of the calibration period; purchases after it are the holdout the diagnostics compare with. Default: the last third of the history (up to a year) is held out, and the parameters are then refitted on everything.',
    ),
  timeUnit: z
    .enum(['days', 'weeks'])
    .optional()
    .describe('The unit of x, t_x and T (default weeks, as in the papers).'),
});
export const runBody = z.strictObject({});
export const personalizationBody = z.strictObject({ enabled: z.boolean() });

const warning = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const clvModel = z.object({
  version: z.number().int(),
  fittedAt: z.string(),
  timeUnit: z.enum(['days', 'weeks']),
  calibrationStart: z.string(),
  calibrationEnd: z.string(),
  holdoutEnd: z.string().nullable(),
  fittedOn: z.enum(['calibration', 'all']),
  customers: z.number().int(),
  repeatCustomers: z.number().int(),
  currency: z.string(),
  discountRateMonthly: z.number(),
  horizonMonths: z.number().int(),
  r: z.number(),
  alpha: z.number(),
  a: z.number(),
  b: z.number(),
  logLikelihood: z.number(),
  p: z.number().nullable(),
  q: z.number().nullable(),
  gamma: z.number().nullable(),
  gammaGammaLogLikelihood: z.number().nullable(),
  meanOrderValue: z.number(),
  converged: z.boolean(),
  iterations: z.number().int(),
  diagnostics: z.object({
    buckets: z.array(
      z.object({ frequency: z.string(), customers: z.number().int(), predicted: z.number(), actual: z.number() }),
    ),
    tracking: z.array(z.object({ period: z.number(), actual: z.number(), predicted: z.number() })),
    fitQuality: z.enum(['good', 'fair', 'poor']),
    error: z.number().nullable(),
    warnings: z.array(warning),
  }),
  summary: z.object({ meanClv: z.number(), totalClv: z.number(), meanPAlive: z.number() }),
});

export const churnModel = z.object({
  version: z.number().int(),
  fittedAt: z.string(),
  kind: z.enum(['supervised', 'p_alive']),
  horizonDays: z.number().int(),
  auc: z.number().nullable(),
  baselineAuc: z.number().nullable(),
  trainCustomers: z.number().int(),
  testCustomers: z.number().int(),
  churnRate: z.number().nullable(),
  features: z.array(z.object({ key: z.string(), label: z.string(), weight: z.number() })),
  warnings: z.array(warning),
});

const job = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    progress: z.number(),
    error: z.string().optional(),
  })
  .nullable();

export const overview = z.object({
  clv: clvModel.nullable(),
  churn: churnModel.nullable(),
  recommendations: z
    .object({ version: z.number().int(), fittedAt: z.string(), products: z.number().int(), pairs: z.number().int() })
    .nullable(),
  scoredCustomers: z.number().int(),
  personalizationOptOuts: z.number().int(),
  job,
});

export const runReply = z.object({ job });

const fairnessGroup = z.object({
  dimension: z.string(),
  value: z.string(),
  customers: z.number().int(),
  auc: z.number().nullable(),
  predicted: z.number(),
  actual: z.number(),
  ratio: z.number().nullable(),
  flagged: z.boolean(),
  reason: z.enum(['auc_gap', 'calibration_gap', 'too_small']).nullable(),
});
export const fairness = z.object({
  models: z.array(
    z.object({
      model: z.enum(['churn', 'clv']),
      metric: z.enum(['auc', 'calibration']),
      version: z.number().int(),
      overall: z.object({ auc: z.number().nullable(), predicted: z.number(), actual: z.number() }),
      groups: z.array(fairnessGroup),
    }),
  ),
});

export const clvByChannel = z.object({
  currency: z.string(),
  rows: z.array(
    z.object({
      channel: z.string(),
      customers: z.number().int(),
      avgClv: z.number(),
      totalClv: z.number(),
      avgPAlive: z.number(),
    }),
  ),
});

const value = z.union([z.string(), z.number()]).nullable();
export const customerPredictions = z.object({
  personalization: z.boolean(),
  scoredAt: z.string().nullable(),
  scores: z
    .object({
      pAlive: z.number(),
      expected30: z.number(),
      expected90: z.number(),
      expected365: z.number(),
      purchaseProbability30: z.number(),
      expectedAov: z.number(),
      clv: z.number(),
      churnRisk: z.number(),
      churnBand: z.enum(['low', 'medium', 'high']),
      nextPurchaseAt: z.string().nullable(),
      confidence: z.enum(['ok', 'short_history', 'no_repeat']),
    })
    .nullable(),
  why: z.object({
    churn: z.array(
      z.object({
        feature: z.string(),
        label: z.string(),
        direction: z.enum(['up', 'down']),
        impact: z.number(),
        value,
      }),
    ),
    clv: z.array(z.object({ feature: z.string(), label: z.string(), value })),
  }),
  models: z.object({ clv: z.number().int().nullable(), churn: z.number().int().nullable() }),
  currency: z.string(),
});

const productRef = z.object({ productId: z.string(), name: z.string().nullable() });
export const recommendations = z.object({
  personalization: z.boolean(),
  modelVersion: z.number().int().nullable(),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string().nullable(),
      price: z.number().nullable(),
      currency: z.string().nullable(),
      url: z.string().nullable(),
      imageUrl: z.string().nullable(),
      score: z.number(),
      reason: z.enum(['bought_with', 'popular', 'replenish']),
      because: z.array(productRef),
    }),
  ),
});

export const related = z.object({
  items: z.array(
    z.object({ productId: z.string(), name: z.string().nullable(), score: z.number(), together: z.number().int() }),
  ),
});

export const personalization = z.object({ personalization: z.boolean() });
