import { hashJson, type Json } from '../core/json.js';
import type { EvaluateParams, Protocol } from '../contract/evaluate-schema.js';
import type { ResolvedComponent, ReviewModel, RunConfig, SignificanceTest } from '../contract/model.js';

/**
 * The data of one review version (v<N>.json): everything the Markdown and HTML pages show.
 *
 * It has two parts. `content` is configuration and results only (no clock, no durations, no
 * machine, no paths); its hash decides whether a new version is written. `facts` is how the
 * results came about (environment, git, epoch times, cache hits, file paths): shown, not hashed.
 */
export const REVIEW_FORMAT = 1;

export interface ReviewDocument {
  format: typeof REVIEW_FORMAT;
  experiment: string;
  version: number;
  /** ISO time the version was written. */
  created: string;
  /** sha256 of the canonical JSON of `content` (numbers rounded to 10 significant digits). */
  contentHash: string;
  facts: ReviewFacts;
  content: ReviewContent;
}

// ---- facts (not hashed) ----------------------------------------------------------------------

export interface ReviewFacts {
  /** The .exp root file and its imports as compiled now, with sha256 of each. */
  files: { path: string; sha256: string }[];
  /** The root .exp file relative to the project root (absent in older versions): tells two files that share an experiment name apart. */
  source?: string;
  git: { commit: string; dirty: boolean } | null;
  /** Environment of the newest run record that computed some of these results. */
  environment: Record<string, Json>;
  /** The versions that wrote the review. */
  reviewer: { expc: string; node: string };
  /** Run records that computed the results or reused them last, newest first (ids). */
  records: string[];
  /** By `<dataset>/<trial>`. */
  trials: Record<string, TrialFacts>;
  /** Analyses (k-means, projections, groups) computed and read from the cache, and the wall time of building the tables and analyses. */
  analyses: { computed: number; cached: number; seconds: number };
}

export type StepStatus = 'ran' | 'cached' | 'unknown';

export interface TrialFacts {
  engine: string | null;
  backend: string | null;
  secondsPerEpoch: number | null;
  trainSeconds: number | null;
  /** What the latest run record holding this step's key did with it. */
  train: StepStatus;
  evaluate: StepStatus;
  /** That record's id. */
  record: string | null;
}

// ---- content (hashed) ------------------------------------------------------------------------

export interface ReviewContent {
  config: ConfigSnapshot;
  protocol: ProtocolDescription;
  /** Every seed the results depend on. */
  seeds: { splits: Record<string, Json>; trials: Record<string, number>; analyses: number };
  datasets: DatasetSection[];
}

/** The compiled experiment without source positions or file paths. */
export interface ConfigSnapshot {
  datasets: { name: string; loader: ResolvedComponent; split: ResolvedComponent; protocol: Protocol; hasValidation: boolean }[];
  runs: { name: string; config: RunConfig; datasets: string[]; seeds: number[] }[];
  sweeps: { name: string; run: string; strategy: Json; axes: { path: string; values: Json[]; zip?: number }[]; points: Record<string, Json>[] }[];
  trials: { id: string; run: string; dataset: string; seed: number; sweeps: { sweep: string; point: Record<string, Json> }[] }[];
  evaluate: EvaluateParams;
  review: ReviewModel;
}

export interface ProtocolDescription {
  ranking: string;
  masking: string;
  ties: string;
  averaging: string;
  metrics: { name: string; formula: string }[];
  selection: { dataset: string; protocol: Protocol; text: string }[];
  significance: string;
}

export interface DatasetSection {
  name: string;
  protocol: Protocol;
  /** What the numbers in the tables are (the paper protocol says so in capitals). */
  reported: string;
  columns: string[];
  split: { users: number; items: number; train: number; valid: number; test: number; testUsers: number };
  trials: TrialSection[];
  baseline: string;
  /** Runs of review.compare that have trials on this dataset, baseline first. */
  table: RunRow[];
  comparisons: Comparison[];
  sweeps: SweepSection[];
  popularityGroups: PopularityGroupsSection | null;
  itemClusters: ItemClustersSection | null;
}

export interface CurvePoint {
  epoch: number;
  loss: number;
  /** The monitored metric on evaluated epochs, else null. */
  metric: number | null;
}

export interface TrialSection {
  id: string;
  run: string;
  seed: number;
  sweeps: { sweep: string; point: Record<string, Json> }[];
  /** The reported value per column: test at the kept epoch, or (paper protocol) the best test value over epochs. */
  metrics: Record<string, number | null>;
  /** Paper protocol: the epoch of each column's best test value; null otherwise. */
  bestEpochs: Record<string, number> | null;
  keptEpoch: number;
  epochs: number;
  plannedEpochs: number;
  stoppedEarly: boolean;
  selection: string;
  users: number;
  /** e.g. 'valid ndcg@20'; null when nothing was monitored. */
  monitored: string | null;
  curves: CurvePoint[];
}

export interface MeanStd {
  mean: number | null;
  /** Sample standard deviation over seeds; null with one seed. */
  std: number | null;
  n: number;
}

export interface RunRow {
  run: string;
  trials: string[];
  seeds: number[];
  metrics: Record<string, MeanStd>;
  keptEpochs: number[];
}

export interface TestOutcome {
  statistic: number | null;
  pValue: number | null;
  /** After Holm-Bonferroni across the columns of this comparison (equal to pValue without correction). */
  pAdjusted: number | null;
  significant: boolean;
}

export interface MetricComparison {
  baseline: number | null;
  value: number | null;
  delta: number | null;
  /** 100 * delta / baseline; null when the baseline is 0. */
  deltaPct: number | null;
  tests: Partial<Record<SignificanceTest, TestOutcome>>;
  /** A corpus-level metric (coverage, gini): one value per trial, so no significance test. */
  corpusLevel?: true;
}

export interface Comparison {
  run: string;
  baseline: string;
  /** Test users present in both (per-user values matched by user id, averaged over seeds). */
  users: number;
  metrics: Record<string, MetricComparison>;
}

export interface SweepRow {
  /** The point's trial id without a seed suffix. */
  point: string;
  trials: string[];
  values: Record<string, Json>;
  metrics: Record<string, MeanStd>;
  keptEpochs: number[];
}

export interface SweepSection {
  name: string;
  run: string;
  axes: { path: string; values: Json[]; zip?: number }[];
  rows: SweepRow[];
}

export interface PopularityGroupsSection {
  groups: number;
  k: number;
  /** Per group: items and training interactions. */
  sizes: { items: number[]; interactions: number[] };
  /** Per compared run (averaged over its seeds): Recall@k per group, their sum and Recall@k computed directly. */
  runs: { run: string; trials: string[]; perGroup: number[]; sum: number; total: number; users: number }[];
}

export interface TypeTableRow {
  type: number;
  items: number;
  /** Pooled over test users: hits / recommended slots of this type among the top K (null with none recommended). */
  precision: number | null;
  /** Pooled: hits / test items of this type (null with none). */
  recall: number | null;
  /** Share of list slots of this type. */
  listShare: number;
}

export interface ItemClustersRun {
  run: string;
  trial: string;
  inertia: number;
  /** Items per type. */
  sizes: number[];
  /** Per evaluate cutoff K: per-type precision/recall and the majority/minority shares (OneBP Fig. 7-8). */
  atK: {
    K: number;
    perType: TypeTableRow[];
    majorityShare: number | null;
    minorityShare: number | null;
    minorityByRank: (number | null)[];
    majorityPrecision: number | null;
    minorityPrecision: number | null;
    majorityRecall: number | null;
    minorityRecall: number | null;
    minorityEvenness: number | null;
    trainingMajorityShare: number | null;
  }[];
  /** The selected user's list statistics per type at the largest K (OneBP Fig. 7). */
  user: { majorityType: number; perType: { type: number; training: number; relevant: number; recommended: number; hits: number; precision: number | null; recall: number | null; listShare: number }[]; precision: number; recall: number | null };
  /** Projection of the item embeddings and (last row) the user's embedding: [x, y] per row, rounded. */
  coords: [number, number][];
  labels: number[];
}

export interface ItemClustersSection {
  k: number;
  projection: 'pca' | 'tsne';
  seed: number;
  cutoffs: number[];
  /** The user marked in the projections, and why that one. */
  user: { id: number; label: string | null; trainingItems: number[]; why: string };
  runs: ItemClustersRun[];
  /**
   * Present when the model has more items than a projection shows (analysis/projection-sample.ts):
   * the projected items (ascending; row r of every run's coords is items[r], the last row the
   * user), out of how many, the seed, how many were kept for the user, and the rule in words.
   */
  projectionSample?: { items: number[]; of: number; seed: number; kept: number; rule: string };
}

// ---- helpers ---------------------------------------------------------------------------------

/** A number for JSON: NaN and infinities (an undefined test, a 0/0 share) become null. */
export function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Rounds every number to `digits` significant digits, so that last-bit differences do not make a
 * new version; non-finite numbers become null, as JSON.stringify writes them.
 */
export function roundNumbers(value: unknown, digits = 10): unknown {
  if (typeof value === 'number') return !Number.isFinite(value) ? null : value !== 0 ? Number(value.toPrecision(digits)) : 0;
  if (Array.isArray(value)) return value.map((v) => roundNumbers(v, digits));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = roundNumbers(v, digits);
    return out;
  }
  return value;
}

export function contentHash(content: ReviewContent): string {
  return hashJson(roundNumbers(content));
}
