import { describe, expect, it } from 'vitest';
import { ageBand, fairnessReport } from './fairness.js';
import { seededRandom } from './metrics.js';

/**
 * 2,000 customers in three countries. Everyone's outcome is drawn from their true probability.
 * The scores are that probability, except in 'FR', where the model over-predicts (×2), and in
 * 'ES', where it scores at random (no ranking skill). 'LU' has 10 customers.
 */
function population() {
  const rand = seededRandom(99);
  const randChannel = seededRandom(7);
  const country: string[] = [];
  const channel: (string | null)[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const c = i < 10 ? 'LU' : i % 4 === 0 ? 'FR' : i % 4 === 1 ? 'ES' : 'DE';
    const p = 0.05 + 0.4 * rand();
    const y = rand() < p ? 1 : 0;
    const score = c === 'FR' ? Math.min(0.99, 2 * p) : c === 'ES' ? 0.05 + 0.4 * rand() : p;
    country.push(c);
    const u = randChannel();
    channel.push(u < 0.15 ? null : u < 0.6 ? 'ads' : 'email');
    scores.push(score);
    labels.push(y);
  }
  return { country, channel, scores, labels };
}

describe('fairnessReport', () => {
  const { country, channel, scores, labels } = population();
  const report = fairnessReport({
    groups: [
      { dimension: 'country', values: country },
      { dimension: 'channel', values: channel },
    ],
    scores,
    labels,
  });
  const group = (dim: string, value: string | null) =>
    report.dimensions.find((d) => d.dimension === dim)?.groups.find((g) => g.value === value);

  it('flags the miscalibrated group and not the well-calibrated one', () => {
    const fr = group('country', 'FR')!;
    expect(fr.status).toBe('flagged');
    expect(fr.reasons).toContain('calibration_gap');
    expect(fr.calibrationRatio!).toBeGreaterThan(1.6);
    const de = group('country', 'DE')!;
    expect(de.status).toBe('ok');
    expect(de.flagged).toBe(false);
    expect(de.reasons).toEqual([]);
    expect(Math.abs(de.calibrationRatio! - 1)).toBeLessThan(0.1);
  });

  it('flags a group the model cannot rank', () => {
    const es = group('country', 'ES')!;
    expect(es.auc!).toBeLessThan(0.6);
    expect(es.reasons).toEqual(['auc_gap']);
    expect(report.overall.auc!).toBeGreaterThan(es.auc! + 0.1);
  });

  it('reports small groups without judging them, and the unknown group last', () => {
    const lu = group('country', 'LU')!;
    expect(lu).toMatchObject({ n: 10, status: 'too_small', flagged: false, reasons: [] });
    const channels = report.dimensions[1]!.groups;
    expect(channels.at(-1)?.value).toBeNull();
    expect(channels.reduce((a, g) => a + g.n, 0)).toBe(2000);
    // Channels cut across countries: no group ranks worse than the whole, and each is as calibrated
    // as the whole (which FR's over-prediction pushes up), judged against 1 like any group.
    for (const g of channels) {
      expect(g.reasons).not.toContain('auc_gap');
      expect(Math.abs(g.calibrationRatio! - report.overall.calibrationRatio!)).toBeLessThan(0.1);
      expect(g.flagged).toBe(Math.abs(g.calibrationRatio! - 1) > 0.25);
    }
    expect(report.dimensions[0]!.flaggedGroups).toBe(2);
    expect(report.flaggedGroups).toBe(2 + report.dimensions[1]!.flaggedGroups);
  });

  it('gives the group figures: n, positive rate, mean score', () => {
    const de = group('country', 'DE')!;
    const idx = country.map((c, i) => (c === 'DE' ? i : -1)).filter((i) => i >= 0);
    expect(de.n).toBe(idx.length);
    expect(de.positiveRate).toBeCloseTo(idx.reduce((a, i) => a + labels[i]!, 0) / idx.length, 12);
    expect(de.meanScore).toBeCloseTo(idx.reduce((a, i) => a + scores[i]!, 0) / idx.length, 12);
    expect(report.overall.n).toBe(2000);
  });

  it('compares predicted and actual means for a regression-like model', () => {
    const n = 200;
    const segment = Array.from({ length: n }, (_, i) => (i < 100 ? 'a' : 'b'));
    const actual = Array.from({ length: n }, (_, i) => 50 + (i % 10));
    // 'a' predicted right on average, 'b' 40 % low.
    const predicted = actual.map((v, i) => (i < 100 ? v + ((i % 3) - 1) : v * 0.6));
    const r = fairnessReport({
      groups: [{ dimension: 'segment', values: segment }],
      scores: predicted,
      predicted,
      actual,
    });
    const [a, b] = r.dimensions[0]!.groups.sort((x, y) => (x.value! < y.value! ? -1 : 1));
    expect(a?.calibrationRatio).toBeCloseTo(1, 2);
    expect(a?.flagged).toBe(false);
    expect(b?.calibrationRatio).toBeCloseTo(0.6, 12);
    expect(b?.reasons).toEqual(['calibration_gap']);
    expect(a?.auc).toBeNull();
  });

  it('refuses mismatched lengths', () => {
    expect(() => fairnessReport({ groups: [{ dimension: 'x', values: ['a'] }], scores: [0.1, 0.2] })).toThrow(
      /dimension x/,
    );
    expect(() => fairnessReport({ groups: [], scores: [1], predicted: [1] })).toThrow(/both/);
  });
});

describe('ageBand', () => {
  const now = new Date('2025-06-15T12:00:00Z');
  it('bands full years of age, counting the birthday itself', () => {
    expect(ageBand('2007-06-15', now)).toBe('18-24');
    expect(ageBand('2007-06-16', now)).toBeNull(); // 17 until tomorrow
    expect(ageBand('2000-06-16', now)).toBe('18-24'); // 24
    expect(ageBand('2000-06-15', now)).toBe('25-34');
    expect(ageBand(new Date('1985-01-01'), now)).toBe('35-44');
    expect(ageBand('1975-12-31', now)).toBe('45-54');
    expect(ageBand('1961-06-15', now)).toBe('55-64'); // 64
    expect(ageBand('1960-06-15', now)).toBe('65+');
    expect(ageBand('1920-01-01', now)).toBe('65+');
  });
  it('is null for a missing, invalid or future birthdate', () => {
    expect(ageBand(null, now)).toBeNull();
    expect(ageBand(undefined, now)).toBeNull();
    expect(ageBand('not a date', now)).toBeNull();
    expect(ageBand('2030-01-01', now)).toBeNull();
  });
});
