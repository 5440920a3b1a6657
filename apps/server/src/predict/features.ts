/**
 * A small feature pipeline: a spec of source columns → a numeric design matrix for a linear model.
 *
 * - numeric: optional transform (`log1p`, sign-preserving: sign(x)·log(1 + |x|)), a linear column,
 *   and optionally a natural (restricted) cubic spline basis with `knots` knots at quantiles
 *   (Harrell's placement) and/or `bins` quantile steps (a column `x ≥ edge` per inner quantile edge),
 *   so a regularized linear model can bend. Missing values (null, '', non-numbers) are filled with
 *   the training median, and a `missing` indicator column is added when training had any.
 * - categorical: one-hot against a reference level (the most frequent); levels seen fewer than
 *   `minLevelCount` times (or beyond the `maxLevels` most frequent) share an "other" column, which
 *   levels unseen in training also use (when training had no rare level, there is no "other"
 *   column and an unseen level scores as the reference). Missing is a level of its own.
 * - boolean: one 0/1 column (true/'yes'/'true'/'1'/'y' and false/'no'/'false'/'0'/'n'); missing is
 *   filled with the training share of true, plus an indicator when training had any.
 *
 * The fitted pipeline is plain JSON. Every design column names its source feature, so per-column
 * contributions can be summed back per feature.
 */

export type FeatureValue = number | string | boolean | null | undefined;
export type FeatureRow = Record<string, FeatureValue>;

export interface FeatureSpec {
  /** The row's property. */
  name: string;
  kind: 'numeric' | 'categorical' | 'boolean';
  /** Numeric only. */
  transform?: 'log1p' | 'none';
  /** Numeric only: quantile steps (≥ 2 bins → up to bins − 1 step columns). */
  bins?: number;
  /** Numeric only: knots of a natural cubic spline (3–7; → knots − 2 extra columns). */
  knots?: number;
  /** Categorical only: overrides the pipeline's `minLevelCount`. */
  minLevelCount?: number;
}

export interface PipelineOptions {
  /** A categorical level needs this many training rows for a column of its own; default 10. */
  minLevelCount?: number;
  /** At most this many levels (the most frequent) get a column of their own; default 30. */
  maxLevels?: number;
}

export interface DesignColumn {
  /** A readable name, e.g. `tenure`, `tenure:spline1`, `tenure>=12`, `Contract=Two year`. */
  name: string;
  /** The spec feature it comes from. */
  source: string;
  role: 'linear' | 'missing' | 'spline' | 'step' | 'level' | 'other';
}

export interface FittedNumeric {
  name: string;
  kind: 'numeric';
  transform: 'log1p' | 'none';
  /** Fill for missing values (the training median, after transform). */
  fill: number;
  hasMissingColumn: boolean;
  /** Spline knots (after transform), empty for none. */
  knots: number[];
  /** Step edges (after transform), empty for none. */
  edges: number[];
}

export interface FittedCategorical {
  name: string;
  kind: 'categorical';
  reference: string;
  /** Levels with a column of their own, in column order. */
  levels: string[];
  /** Whether an "other" column exists (rare levels were seen in training). */
  hasOther: boolean;
}

export interface FittedBoolean {
  name: string;
  kind: 'boolean';
  fill: number;
  hasMissingColumn: boolean;
}

export type FittedFeature = FittedNumeric | FittedCategorical | FittedBoolean;

export interface FittedPipeline {
  format: 'kith.features';
  version: 1;
  features: FittedFeature[];
  columns: DesignColumn[];
}

/** The missing level of a categorical feature. */
export const MISSING_LEVEL = '(missing)';
/** The column name suffix of the rare-level bucket. */
export const OTHER_LEVEL = '(other)';

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'f']);

function parseNumber(v: FeatureValue): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = v.trim();
  if (s === '') return null;
  const x = Number(s);
  return Number.isFinite(x) ? x : null;
}

function parseBoolean(v: FeatureValue): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? (v !== 0 ? 1 : 0) : null;
  const s = v.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return 1;
  if (FALSE_WORDS.has(s)) return 0;
  return null;
}

function categoryOf(v: FeatureValue): string {
  if (v === null || v === undefined) return MISSING_LEVEL;
  if (typeof v === 'number' && !Number.isFinite(v)) return MISSING_LEVEL;
  const s = String(v).trim();
  return s === '' ? MISSING_LEVEL : s;
}

function transformed(f: { transform: 'log1p' | 'none' }, x: number): number {
  return f.transform === 'log1p' ? Math.sign(x) * Math.log1p(Math.abs(x)) : x;
}

/** Quantile of sorted values (linear interpolation, type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Harrell's knot quantiles for a restricted cubic spline (Regression Modeling Strategies, 2.4.6). */
const KNOT_QUANTILES: Record<number, number[]> = {
  3: [0.1, 0.5, 0.9],
  4: [0.05, 0.35, 0.65, 0.95],
  5: [0.05, 0.275, 0.5, 0.725, 0.95],
  6: [0.05, 0.23, 0.41, 0.59, 0.77, 0.95],
  7: [0.025, 0.1833, 0.3417, 0.5, 0.6583, 0.8167, 0.975],
};

/**
 * The non-linear columns of a natural cubic spline with knots t₁ < … < t_k (k − 2 of them): linear
 * beyond the outer knots, scaled by (t_k − t₁)² so they stay on the scale of x.
 */
export function splineBasis(x: number, knots: readonly number[]): number[] {
  const k = knots.length;
  if (k < 3) return [];
  const tk = knots[k - 1] as number;
  const tk1 = knots[k - 2] as number;
  const norm = (tk - (knots[0] as number)) ** 2;
  const cube = (v: number) => (v > 0 ? v * v * v : 0);
  const out: number[] = [];
  for (let j = 0; j < k - 2; j++) {
    const tj = knots[j] as number;
    const s = cube(x - tj) - (cube(x - tk1) * (tk - tj)) / (tk - tk1) + (cube(x - tk) * (tk1 - tj)) / (tk - tk1);
    out.push(s / norm);
  }
  return out;
}

function uniqueSorted(values: number[]): number[] {
  const out: number[] = [];
  for (const v of values) if (out.length === 0 || v > (out[out.length - 1] as number)) out.push(v);
  return out;
}

function fitNumeric(spec: FeatureSpec, rows: readonly FeatureRow[]): FittedNumeric {
  const transform = spec.transform ?? 'none';
  const values: number[] = [];
  let missing = 0;
  for (const row of rows) {
    const x = parseNumber(row[spec.name]);
    if (x === null) missing++;
    else values.push(transformed({ transform }, x));
  }
  values.sort((a, b) => a - b);
  const fill = values.length ? quantileSorted(values, 0.5) : 0;
  let knots: number[] = [];
  if (spec.knots !== undefined && values.length) {
    const qs = KNOT_QUANTILES[spec.knots];
    if (!qs) throw new Error(`feature ${spec.name}: knots must be 3 to 7`);
    knots = uniqueSorted(qs.map((q) => quantileSorted(values, q)));
    if (knots.length < 3) knots = [];
  }
  let edges: number[] = [];
  if (spec.bins !== undefined && spec.bins >= 2 && values.length) {
    const min = values[0] as number;
    const qs = Array.from({ length: spec.bins - 1 }, (_, i) => quantileSorted(values, (i + 1) / spec.bins!));
    edges = uniqueSorted(qs).filter((e) => e > min);
  }
  return { name: spec.name, kind: 'numeric', transform, fill, hasMissingColumn: missing > 0, knots, edges };
}

function fitCategorical(spec: FeatureSpec, rows: readonly FeatureRow[], options: PipelineOptions): FittedCategorical {
  const minCount = spec.minLevelCount ?? options.minLevelCount ?? 10;
  const maxLevels = options.maxLevels ?? 30;
  const counts = new Map<string, number>();
  for (const row of rows) {
    const c = categoryOf(row[spec.name]);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  // Most frequent first; ties by name, so the order (and the reference) is deterministic.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.filter(([, c], i) => c >= minCount && i < maxLevels).map(([level]) => level);
  const hasOther = kept.length < ranked.length;
  // With nothing frequent enough, the reference is the "other" bucket itself.
  const reference = kept[0] ?? OTHER_LEVEL;
  return {
    name: spec.name,
    kind: 'categorical',
    reference,
    levels: kept.slice(1),
    hasOther: hasOther && kept.length > 0,
  };
}

function fitBoolean(spec: FeatureSpec, rows: readonly FeatureRow[]): FittedBoolean {
  let sum = 0;
  let seen = 0;
  for (const row of rows) {
    const b = parseBoolean(row[spec.name]);
    if (b !== null) {
      sum += b;
      seen++;
    }
  }
  return { name: spec.name, kind: 'boolean', fill: seen ? sum / seen : 0, hasMissingColumn: seen < rows.length };
}

function columnsOf(f: FittedFeature): DesignColumn[] {
  const source = f.name;
  if (f.kind === 'numeric') {
    const cols: DesignColumn[] = [
      { name: f.transform === 'log1p' ? `log1p(${f.name})` : f.name, source, role: 'linear' },
    ];
    for (let j = 0; j < f.knots.length - 2; j++)
      cols.push({ name: `${f.name}:spline${j + 1}`, source, role: 'spline' });
    for (const e of f.edges) cols.push({ name: `${f.name}>=${e}`, source, role: 'step' });
    if (f.hasMissingColumn) cols.push({ name: `${f.name}:missing`, source, role: 'missing' });
    return cols;
  }
  if (f.kind === 'categorical') {
    const cols: DesignColumn[] = f.levels.map((level) => ({ name: `${f.name}=${level}`, source, role: 'level' }));
    if (f.hasOther) cols.push({ name: `${f.name}=${OTHER_LEVEL}`, source, role: 'other' });
    return cols;
  }
  const cols: DesignColumn[] = [{ name: f.name, source, role: 'linear' }];
  if (f.hasMissingColumn) cols.push({ name: `${f.name}:missing`, source, role: 'missing' });
  return cols;
}

/** Fits the pipeline (levels, fills, knots, edges) on training rows. */
export function fitPipeline(
  rows: readonly FeatureRow[],
  spec: readonly FeatureSpec[],
  options: PipelineOptions = {},
): FittedPipeline {
  const names = new Set<string>();
  for (const s of spec) {
    if (names.has(s.name)) throw new Error(`feature ${s.name} appears twice in the spec`);
    names.add(s.name);
  }
  const features = spec.map((s): FittedFeature => {
    if (s.kind === 'numeric') return fitNumeric(s, rows);
    if (s.kind === 'categorical') return fitCategorical(s, rows, options);
    if (s.kind === 'boolean') return fitBoolean(s, rows);
    throw new Error(`feature ${(s as FeatureSpec).name}: unknown kind`);
  });
  return { format: 'kith.features', version: 1, features, columns: features.flatMap(columnsOf) };
}

/** One row → its design row (Float64Array, in `pipeline.columns` order). */
export function transformRow(pipeline: FittedPipeline, row: FeatureRow): Float64Array {
  const out = new Float64Array(pipeline.columns.length);
  let c = 0;
  for (const f of pipeline.features) {
    const raw = row[f.name];
    if (f.kind === 'numeric') {
      const parsed = parseNumber(raw);
      const x = parsed === null ? f.fill : transformed(f, parsed);
      out[c++] = x;
      for (const s of splineBasis(x, f.knots)) out[c++] = s;
      for (const e of f.edges) out[c++] = x >= e ? 1 : 0;
      if (f.hasMissingColumn) out[c++] = parsed === null ? 1 : 0;
    } else if (f.kind === 'categorical') {
      const level = categoryOf(raw);
      const at = f.levels.indexOf(level);
      if (at >= 0) out[c + at] = 1;
      else if (f.hasOther && level !== f.reference) out[c + f.levels.length] = 1;
      c += f.levels.length + (f.hasOther ? 1 : 0);
    } else {
      const b = parseBoolean(raw);
      out[c++] = b === null ? f.fill : b;
      if (f.hasMissingColumn) out[c++] = b === null ? 1 : 0;
    }
  }
  return out;
}

export function transformRows(pipeline: FittedPipeline, rows: readonly FeatureRow[]): Float64Array[] {
  return rows.map((r) => transformRow(pipeline, r));
}

/** The source feature of each design column. */
export function columnSources(pipeline: FittedPipeline): string[] {
  return pipeline.columns.map((c) => c.source);
}
