import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { errorResponses } from '../platform/http.js';
import { requestKpiSnapshot } from './jobs.js';
import * as s from './schemas.js';
import * as service from './service.js';

const ws = (req: FastifyRequest) => req.workspaceId as string;
const defs = ' Definitions: docs/metrics.md.';

/** KPIs, channels, cohorts, attribution, funnels, RFM, lifecycle, value tiers, spend and goals (ANL-1 … ANL-4, SEG-2). */
export async function analyticsRoutes(root: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;
  const tags = ['Analytics'];
  const read = { permission: 'analytics:read' } as const;

  app.get(
    '/api/v1/metrics/rollup',
    {
      config: read,
      schema: {
        tags,
        summary: 'Whether the KPI rollup is built, and how many changes it has still to take in',
        description:
          'KPIs, channels, cohorts and revenue over time are read from the rollup once it is ready (ADR 0010); it is built in the background after an upgrade or a change of time zone or currency, and kept current within seconds of every write.',
        response: { 200: s.rollupState, ...errorResponses },
      },
    },
    async (req) => service.getRollupState(db, ws(req)),
  );

  app.get(
    '/api/v1/metrics/kpis',
    {
      config: read,
      schema: {
        tags,
        summary: 'The KPI set of a period, with the previous period and the change',
        description: `Dates are local to the workspace; default: the last 12 months ending today.${defs}`,
        querystring: s.kpiQuery,
        response: { 200: s.kpiSet, ...errorResponses },
      },
    },
    async (req) => {
      const r = await service.getKpis(db, ws(req), req.query);
      // While the rollup is first built, a snapshot behind the data answered: have the
      // dashboard's set recomputed (ADR 0009). The rollup catches up by itself (ADR 0010).
      if (!r.current && r.source !== 'rollup') await requestKpiSnapshot(ctx.jobs, ws(req));
      return r;
    },
  );

  app.get(
    '/api/v1/metrics/revenue',
    {
      config: read,
      schema: {
        tags,
        summary: 'Net revenue and orders per day, week or month and order channel',
        description: defs,
        querystring: s.revenueQuery,
        response: { 200: s.revenueSeries, ...errorResponses },
      },
    },
    async (req) => service.getRevenueSeries(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/metrics/channels',
    {
      config: read,
      schema: {
        tags,
        summary: 'Revenue, AOV, CLV, spend, CAC and ROI by acquisition channel',
        description: defs,
        querystring: s.periodQuery,
        response: { 200: s.channelList, ...errorResponses },
      },
    },
    async (req) => service.getChannels(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/metrics/cohorts',
    {
      config: read,
      schema: {
        tags,
        summary: 'Retention and revenue by month of first order',
        description: defs,
        querystring: s.cohortQuery,
        response: { 200: s.cohortTable, ...errorResponses },
      },
    },
    async (req) => service.getCohorts(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/metrics/attribution',
    {
      config: read,
      schema: {
        tags,
        summary: "Order revenue attributed to channels over the customers' touchpoints",
        description: `Models: first_touch, last_touch (default), linear, time_decay (half-life 7 days), position_based (40/20/40).${defs}`,
        querystring: s.attributionQuery,
        response: { 200: s.attributionResult, ...errorResponses },
      },
    },
    async (req) => service.getAttribution(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/metrics/funnel',
    {
      config: read,
      schema: {
        tags,
        summary: 'Customers through a funnel of events, and the conversion between steps',
        description: defs,
        querystring: s.funnelQuery,
        response: { 200: s.funnelResult, ...errorResponses },
      },
    },
    async (req) => service.getFunnel(db, ws(req), req.query),
  );

  app.get(
    '/api/v1/metrics/rfm',
    {
      config: read,
      schema: {
        tags,
        summary: 'RFM quintiles: customers and revenue per named cell, and the recency × frequency grid',
        description: defs,
        response: { 200: s.rfmResult, ...errorResponses },
      },
    },
    async (req) => service.getRfm(db, ws(req)),
  );

  app.get(
    '/api/v1/metrics/lifecycle',
    {
      config: read,
      schema: {
        tags,
        summary: 'Customers per lifecycle stage (new, active, at risk, lapsed, won back), with the thresholds',
        description: defs,
        response: { 200: s.lifecycleResult, ...errorResponses },
      },
    },
    async (req) => service.getLifecycle(db, ws(req)),
  );

  app.put(
    '/api/v1/metrics/lifecycle/thresholds',
    {
      config: { permission: 'analytics:write', audit: 'analytics.lifecycle_thresholds' },
      schema: {
        tags,
        summary: 'Set the lifecycle thresholds in days, or `{derived: true}` to derive them again',
        body: s.thresholdsBody,
        response: { 200: s.thresholdsResult, ...errorResponses },
      },
    },
    async (req) => service.setThresholds(db, ws(req), req.body),
  );

  app.get(
    '/api/v1/metrics/value-tiers',
    {
      config: read,
      schema: {
        tags,
        summary: 'Customers and revenue per value tier (top 5 %, next 15 %, next 30 %, the rest)',
        description: defs,
        response: { 200: s.valueTiersResult, ...errorResponses },
      },
    },
    async (req) => service.getValueTiers(db, ws(req)),
  );

  app.get(
    '/api/v1/metrics/spend',
    {
      config: read,
      schema: {
        tags,
        summary: 'Marketing spend per month and channel',
        querystring: s.periodQuery,
        response: { 200: s.spendList, ...errorResponses },
      },
    },
    async (req) => service.listSpend(db, ws(req), req.query),
  );

  app.put(
    '/api/v1/metrics/spend',
    {
      config: { permission: 'analytics:write', audit: 'analytics.spend_set' },
      schema: {
        tags,
        summary: "Record a channel's marketing spend for a month (in the workspace currency; replaces it)",
        body: s.spendBody,
        response: { 200: s.spendResult, ...errorResponses },
      },
    },
    async (req) => service.setSpend(db, ws(req), req.body),
  );

  app.get(
    '/api/v1/goals',
    {
      config: read,
      schema: {
        tags: ['Goals'],
        summary: 'Goals on KPIs with their progress and pace',
        description: defs,
        response: { 200: s.goalList, ...errorResponses },
      },
    },
    async (req) => service.listGoals(db, ws(req)),
  );

  app.post(
    '/api/v1/goals',
    {
      config: { permission: 'analytics:write', audit: 'goal.create' },
      schema: {
        tags: ['Goals'],
        summary: 'Set a target on a KPI with a deadline; the current value becomes the baseline',
        body: s.createGoalBody,
        response: { 201: s.goal, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await service.createGoal(db, ws(req), req.body)),
  );

  app.patch(
    '/api/v1/goals/:id',
    {
      config: { permission: 'analytics:write', audit: 'goal.update' },
      schema: {
        tags: ['Goals'],
        summary: 'Rename a goal or change its target or deadline (the baseline stays)',
        params: s.idParams,
        body: s.updateGoalBody,
        response: { 200: s.goal, ...errorResponses },
      },
    },
    async (req) => service.updateGoal(db, ws(req), req.params.id, req.body),
  );

  app.delete(
    '/api/v1/goals/:id',
    {
      config: { permission: 'analytics:write', audit: 'goal.delete' },
      schema: { tags: ['Goals'], summary: 'Delete a goal', params: s.idParams },
    },
    async (req, reply) => {
      await service.deleteGoal(db, ws(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
