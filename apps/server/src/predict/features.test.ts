import { describe, expect, it } from 'vitest';
import {
  type FeatureRow,
  type FeatureSpec,
  type FittedPipeline,
  fitPipeline,
  MISSING_LEVEL,
  OTHER_LEVEL,
  splineBasis,
  transformRow,
} from './features.js';

const rows: FeatureRow[] = [];
for (let i = 0; i < 100; i++) {
  rows.push({
    spend: i === 3 ? null : i === 4 ? '' : i * 10,
    // 60 'email', 30 'ads', 5 'tv', 5 missing.
    channel: i < 60 ? 'email' : i < 90 ? 'ads' : i < 95 ? 'tv' : null,
    vip: i % 10 === 0 ? 'Yes' : i === 7 ? null : 'No',
  });
}
const spec: FeatureSpec[] = [
  { name: 'spend', kind: 'numeric', transform: 'log1p', knots: 4, bins: 4 },
  { name: 'channel', kind: 'categorical' },
  { name: 'vip', kind: 'boolean' },
];

describe('fitPipeline and transformRow', () => {
  const pipe = fitPipeline(rows, spec, { minLevelCount: 10 });

  it('expands each source feature into named columns that map back to it', () => {
    expect(pipe.columns.map((c) => c.name)).toEqual([
      'log1p(spend)',
      'spend:spline1',
      'spend:spline2',
      ...pipe.columns.filter((c) => c.role === 'step').map((c) => c.name),
      'spend:missing',
      'channel=ads',
      `channel=${OTHER_LEVEL}`,
      'vip',
      'vip:missing',
    ]);
    expect(pipe.columns.filter((c) => c.role === 'step')).toHaveLength(3);
    expect(pipe.columns.filter((c) => c.source === 'spend')).toHaveLength(7);
    expect(pipe.columns.filter((c) => c.source === 'channel')).toHaveLength(2);
    // The most frequent level is the reference; 'tv' and the missing level (5 each) are rare.
    const channel = pipe.features[1];
    expect(channel).toMatchObject({ kind: 'categorical', reference: 'email', levels: ['ads'], hasOther: true });
  });

  it('fills and flags missing values, one-hots levels and sends rare or unseen ones to other', () => {
    const col = (name: string) => pipe.columns.findIndex((c) => c.name === name);
    const full = transformRow(pipe, { spend: 99, channel: 'ads', vip: true });
    expect(full).toHaveLength(pipe.columns.length);
    expect(full[col('log1p(spend)')]).toBeCloseTo(Math.log(100), 12);
    expect(full[col('spend:missing')]).toBe(0);
    expect(full[col('channel=ads')]).toBe(1);
    expect(full[col(`channel=${OTHER_LEVEL}`)]).toBe(0);
    expect(full[col('vip')]).toBe(1);

    const empty = transformRow(pipe, { spend: 'n/a', channel: null });
    const spend = pipe.features[0];
    expect(spend?.kind === 'numeric' && empty[col('log1p(spend)')] === spend.fill).toBe(true);
    expect(empty[col('spend:missing')]).toBe(1);
    expect(empty[col(`channel=${OTHER_LEVEL}`)]).toBe(1); // missing is a (rare) level here
    expect(empty[col('vip')]).toBeCloseTo(10 / 99, 12); // the training share of true
    expect(empty[col('vip:missing')]).toBe(1);

    expect(transformRow(pipe, { spend: 5, channel: 'radio', vip: 'no' })[col(`channel=${OTHER_LEVEL}`)]).toBe(1);
    const reference = transformRow(pipe, { spend: 5, channel: 'email', vip: 'no' });
    expect(reference[col('channel=ads')]).toBe(0);
    expect(reference[col(`channel=${OTHER_LEVEL}`)]).toBe(0);
    expect(reference[col('vip')]).toBe(0);
  });

  it('keeps a missing level of its own when it is frequent', () => {
    const p = fitPipeline(rows, [{ name: 'channel', kind: 'categorical' }], { minLevelCount: 5 });
    expect(p.columns.map((c) => c.name)).toEqual(['channel=ads', `channel=${MISSING_LEVEL}`, 'channel=tv']);
    expect([...transformRow(p, { channel: '  ' })]).toEqual([0, 1, 0]);
  });

  it('round-trips through JSON and transforms the same afterwards', () => {
    const stored = JSON.parse(JSON.stringify(pipe)) as FittedPipeline;
    expect(stored).toEqual(pipe);
    for (const r of [...rows.slice(0, 10), { spend: -3, channel: 'radio', vip: 'maybe' }, {}]) {
      expect([...transformRow(stored, r)]).toEqual([...transformRow(pipe, r)]);
    }
  });

  it('refuses a duplicate feature and an unsupported knot count', () => {
    expect(() => fitPipeline(rows, [spec[0]!, spec[0]!])).toThrow(/twice/);
    expect(() => fitPipeline(rows, [{ name: 'spend', kind: 'numeric', knots: 9 }])).toThrow(/knots/);
  });
});

describe('splineBasis', () => {
  const knots = [0, 1, 3, 6, 10];

  it('is zero left of the first knot and linear right of the last', () => {
    expect(splineBasis(-5, knots)).toEqual([0, 0, 0]);
    const a = splineBasis(12, knots);
    const b = splineBasis(14, knots);
    const c = splineBasis(16, knots);
    a.forEach((_, j) => {
      // Equal second differences of zero: linear beyond t_k.
      expect(c[j]! - 2 * b[j]! + a[j]!).toBeCloseTo(0, 9);
    });
    expect(splineBasis(2, [1, 2])).toEqual([]);
  });

  it('is smooth (continuous first derivative) at an inner knot', () => {
    const h = 1e-5;
    for (const t of knots) {
      const left = splineBasis(t - h, knots);
      const mid = splineBasis(t, knots);
      const right = splineBasis(t + h, knots);
      mid.forEach((m, j) => {
        expect((right[j]! - m) / h).toBeCloseTo((m - left[j]!) / h, 3);
      });
    }
  });
});
