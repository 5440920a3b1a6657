import { describe, expect, it } from 'vitest';
import { incompleteFields, newSegmentLink, parseRuleParam, type SegmentRule } from '../segments/rules';
import { KPI_KEYS, LIFECYCLE_STAGES, RFM_CELLS, VALUE_TIERS } from './api';
import {
  addMonths,
  HEAT_BINS,
  heatColors,
  heatLegend,
  heatLevel,
  intervalFor,
  monthsOf,
  periodOf,
  rfmCellOf,
  ruleForCohortCell,
  ruleForKpi,
  ruleForRfmCell,
  ruleForStage,
  ruleForTier,
  todayIn,
  trendOf,
} from './model';

describe('periods', () => {
  it('ends presets today and starts them the right number of days before', () => {
    expect(periodOf('30d', '2025-03-31')).toEqual({ from: '2025-03-02', to: '2025-03-31' });
    expect(periodOf('90d', '2025-03-31')).toEqual({ from: '2025-01-01', to: '2025-03-31' });
    // Twelve months ending today, as the server's default: the day after the same date a year before.
    expect(periodOf('12m', '2025-02-28')).toEqual({ from: '2024-02-29', to: '2025-02-28' });
  });

  it('takes custom dates only when they make a period', () => {
    expect(periodOf('custom', '2025-03-31', { from: '2025-01-10', to: '2025-01-20' })).toEqual({
      from: '2025-01-10',
      to: '2025-01-20',
    });
    expect(periodOf('custom', '2025-03-31', { from: '2025-02-30', to: '2025-03-01' })).toEqual(
      periodOf('12m', '2025-03-31'),
    );
    expect(periodOf('custom', '2025-03-31', { from: '2025-03-10', to: '2025-03-01' })).toEqual(
      periodOf('12m', '2025-03-31'),
    );
  });

  it('clamps month arithmetic to the month’s last day, and knows today in a time zone', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    // 23:30 UTC on 31 Dec is already New Year in Madrid, still 31 Dec in Mexico City.
    const now = new Date('2024-12-31T23:30:00Z');
    expect(todayIn('Europe/Madrid', now)).toBe('2025-01-01');
    expect(todayIn('America/Mexico_City', now)).toBe('2024-12-31');
  });

  it('charts days for a month, weeks for a quarter and months beyond', () => {
    expect(intervalFor(periodOf('30d', '2025-03-31'))).toBe('day');
    expect(intervalFor(periodOf('90d', '2025-03-31'))).toBe('week');
    expect(intervalFor(periodOf('12m', '2025-03-31'))).toBe('month');
  });

  it('lists the months of a period newest first, at most twelve', () => {
    expect(monthsOf({ from: '2025-01-15', to: '2025-03-02' })).toEqual(['2025-03', '2025-02', '2025-01']);
    expect(monthsOf(periodOf('12m', '2025-03-31'))).toHaveLength(12);
  });
});

describe('changes against the previous period', () => {
  it('colours a rise good for revenue and bad for churn and CAC', () => {
    expect(trendOf('netRevenue', 0.12)).toEqual({ trend: 'up', good: true });
    expect(trendOf('netRevenue', -0.3)).toEqual({ trend: 'down', good: false });
    expect(trendOf('churnRate', 0.05)).toEqual({ trend: 'up', good: false });
    expect(trendOf('cac', -0.2)).toEqual({ trend: 'down', good: true });
    expect(trendOf('orders', 0)).toEqual({ trend: 'flat', good: null });
    expect(trendOf('orders', null)).toEqual({ trend: 'none', good: null });
  });
});

describe('the heat map colour scale', () => {
  it('puts each retention in its bin, the bounds going to the bin above', () => {
    expect(heatLevel(0)).toBe(0);
    expect(heatLevel(0.049)).toBe(0);
    expect(heatLevel(0.05)).toBe(1);
    expect(heatLevel(0.2)).toBe(3);
    expect(heatLevel(0.5)).toBe(HEAT_BINS.length);
    expect(heatLevel(1)).toBe(HEAT_BINS.length);
    expect(heatLevel(null)).toBeNull();
    expect(heatLevel(Number.NaN)).toBeNull();
  });

  it('darkens with the value, and switches to white text on the darkest bins', () => {
    const alphas = heatLegend().map((b) => Number(/, ([\d.]+)\)$/.exec(heatColors(b.level).background)?.[1]));
    expect(alphas).toEqual([...alphas].sort((a, b) => a - b));
    expect(new Set(alphas).size).toBe(alphas.length);
    expect(heatColors(0).color).not.toBe('#fff');
    expect(heatColors(HEAT_BINS.length).color).toBe('#fff');
    expect(heatColors(null).background).toBe('transparent');
  });

  it('has a legend covering 0 % upwards without gaps', () => {
    const legend = heatLegend();
    expect(legend[0]).toEqual({ level: 0, from: 0, to: 0.05 });
    for (let i = 1; i < legend.length; i++) expect(legend[i]?.from).toBe(legend[i - 1]?.to);
    expect(legend.at(-1)?.to).toBeNull();
  });
});

describe('the customers behind a number', () => {
  const p = { from: '2025-01-01', to: '2025-03-31' };

  it('makes a complete rule for every KPI', () => {
    for (const key of KPI_KEYS) expect(incompleteFields(ruleForKpi(key, p, 'web', 90)), key).toEqual([]);
  });

  it('counts repeat customers as two orders or more in the period (end day included)', () => {
    expect(ruleForKpi('repeatPurchaseRate', p, null, 90)).toEqual({
      all: [{ type: 'orders', metric: 'count', op: 'gte', value: 2, within: { from: '2025-01-01', to: '2025-04-01' } }],
    });
  });

  it('finds new customers by a first order in the period, and narrows by acquisition channel', () => {
    expect(ruleForKpi('newCustomers', p, 'store', 90)).toEqual({
      all: [
        { type: 'orders', metric: 'count', op: 'gte', value: 1, within: { from: '2025-01-01', to: '2025-04-01' } },
        {
          not: {
            type: 'orders',
            metric: 'count',
            op: 'gte',
            value: 1,
            within: { from: '1970-01-01', to: '2025-01-01' },
          },
        },
        { type: 'fact', fact: 'acquisition_channel', op: 'equals', value: 'store' },
      ],
    });
  });

  it('finds churned customers: active at the start, not at the end', () => {
    expect(ruleForKpi('churnRate', p, null, 30)).toEqual({
      all: [
        { type: 'orders', metric: 'count', op: 'gte', value: 1, within: { from: '2024-12-02', to: '2025-01-01' } },
        {
          not: {
            type: 'orders',
            metric: 'count',
            op: 'gte',
            value: 1,
            within: { from: '2025-03-02', to: '2025-04-01' },
          },
        },
      ],
    });
  });

  it('finds a cohort cell: first order in the month, and an order k months later', () => {
    const rule = ruleForCohortCell('2025-01', 2, null) as { all: SegmentRule[] };
    expect(rule.all).toContainEqual({
      type: 'orders',
      metric: 'count',
      op: 'gte',
      value: 1,
      within: { from: '2025-03-01', to: '2025-04-01' },
    });
    expect(ruleForCohortCell('2025-01', 0, null)).toEqual({
      all: [
        { type: 'orders', metric: 'count', op: 'gte', value: 1, within: { from: '2025-01-01', to: '2025-02-01' } },
        {
          not: {
            type: 'orders',
            metric: 'count',
            op: 'gte',
            value: 1,
            within: { from: '1970-01-01', to: '2025-01-01' },
          },
        },
      ],
    });
  });

  it('bounds a value tier by the next tier up', () => {
    const tiers = [
      { tier: 'top' as const, minRevenue: 500 },
      { tier: 'high' as const, minRevenue: 200 },
      { tier: 'medium' as const, minRevenue: 50 },
      { tier: 'low' as const, minRevenue: 1 },
    ];
    expect(ruleForTier('high', tiers)).toEqual({
      all: [
        { type: 'orders', metric: 'count', op: 'gte', value: 1 },
        { type: 'orders', metric: 'revenue', op: 'gte', value: 200 },
        { type: 'orders', metric: 'revenue', op: 'lt', value: 500 },
      ],
    });
    expect(ruleForTier('top', tiers)).toEqual({
      all: [
        { type: 'orders', metric: 'count', op: 'gte', value: 1 },
        { type: 'orders', metric: 'revenue', op: 'gte', value: 500 },
      ],
    });
    expect(ruleForTier('low', [{ tier: 'low', minRevenue: null }])).toBeNull();
  });

  it('makes a complete rule for every lifecycle stage and RFM cell, with the server-side condition', () => {
    for (const stage of LIFECYCLE_STAGES) {
      expect(ruleForStage(stage)).toEqual({ all: [{ type: 'lifecycle', stages: [stage] }] });
      expect(incompleteFields(ruleForStage(stage)), stage).toEqual([]);
    }
    for (const cell of RFM_CELLS) {
      expect(ruleForRfmCell(cell)).toEqual({ all: [{ type: 'rfm', cells: [cell] }] });
      expect(incompleteFields(ruleForRfmCell(cell)), cell).toEqual([]);
    }
    // A dashboard link round-trips through the address (`/segments/new?rule=…`).
    const link = newSegmentLink(ruleForRfmCell('at_risk'), 'At risk');
    const rule = new URL(link, 'http://x').searchParams.get('rule');
    expect(parseRuleParam(rule)).toEqual({ all: [{ type: 'rfm', cells: ['at_risk'] }] });
  });
});

describe('the RFM grid', () => {
  it('names the corners as the standard cells', () => {
    expect(rfmCellOf(5, 5)).toBe('champions');
    expect(rfmCellOf(5, 1)).toBe('new');
    expect(rfmCellOf(1, 1)).toBe('lost');
    expect(rfmCellOf(1, 5)).toBe('cant_lose');
    expect(rfmCellOf(2, 3)).toBe('at_risk');
  });
});

// Loaded at run time so the web build never compiles server code.
const serverModule = '../../../server/src/analytics/service.ts';

describe("the server's lists, mirrored", () => {
  it('KPIs, RFM cells, lifecycle stages, and value tiers are the same, in the same order', async () => {
    const server = (await import(/* @vite-ignore */ serverModule)) as Record<string, readonly string[]>;
    expect([...KPI_KEYS]).toEqual([...(server.KPI_KEYS ?? [])]);
    expect([...RFM_CELLS]).toEqual([...(server.RFM_CELLS ?? [])]);
    expect([...LIFECYCLE_STAGES]).toEqual([...(server.LIFECYCLE_STAGES ?? [])]);
    expect([...VALUE_TIERS]).toEqual([...(server.VALUE_TIERS ?? [])]);
  });
});
