import type { Json, JsonObject } from '../core/json.js';
import type { RunSlot } from './component.js';
import type { EvaluateParams, Protocol } from './evaluate-schema.js';
import type { TrainingParams } from './training-schema.js';
import type { Range } from './source-range.js';

/**
 * The compiled, checked experiment: every name resolved, every parameter validated with its
 * defaults applied, sweeps expanded into trials. Pure data (serialisable), so that compile()
 * can be tested against goldens and a distributed executor could ship it.
 */

/** A component chosen for a slot, validated: what content keys hash. */
export interface ResolvedComponent {
  name: string;
  version: number;
  params: JsonObject;
}

export interface DatasetModel {
  name: string;
  loader: ResolvedComponent;
  split: ResolvedComponent;
  protocol: Protocol;
  /** Whether the split holds out validation interactions. */
  hasValidation: boolean;
  range: Range;
}

/** The settings of one run after defaults, `extends` and its own properties. */
export interface RunConfig extends Record<RunSlot, ResolvedComponent> {
  /** Optional slots: present only when chosen. */
  regularizer?: ResolvedComponent;
  schedule?: ResolvedComponent;
  training: TrainingParams;
}

export interface RunModel {
  name: string;
  config: RunConfig;
  datasets: string[];
  seeds: number[];
  range: Range;
}

export interface SweepModel {
  name: string;
  run: string;
  strategy: { kind: 'grid' } | { kind: 'random'; budget: number; seed: number };
  /** Parameter paths and their values, in the order written; the paths of a `zip { }` group share its index `zip` (their values vary together). */
  axes: { path: string; values: Json[]; zip?: number }[];
  /** The points chosen (all of the grid, or the random subset), each as path -> value. */
  points: Record<string, Json>[];
  range: Range;
}

export interface Trial {
  /** Unique within the experiment: `onebp`, `onebp[backprop.beta=0.9]`, `onebp#seed=3`. */
  id: string;
  run: string;
  dataset: string;
  seed: number;
  /** The sweeps this trial is a point of, with the point's values. */
  sweeps: { sweep: string; point: Record<string, Json> }[];
  config: RunConfig;
}

export type SignificanceTest = 'paired_t' | 'wilcoxon';

export interface ReviewPlot {
  kind: 'curves' | 'sweep' | 'popularity_groups' | 'item_clusters';
  /** sweep: the sweep's name; popularity_groups: groups; item_clusters: k, projection. */
  args: JsonObject;
}

export interface ReviewModel {
  compare: string[];
  baseline: string;
  significance: { tests: SignificanceTest[]; correction: 'holm' | 'none'; alpha: number };
  plots: ReviewPlot[];
}

export interface ExperimentModel {
  name: string;
  /** The root file and its imports, with sha256 of each file's text. */
  files: { path: string; sha256: string }[];
  datasets: DatasetModel[];
  runs: RunModel[];
  sweeps: SweepModel[];
  trials: Trial[];
  evaluate: EvaluateParams;
  review: ReviewModel;
  /** Command-line overrides (`-S path=value`) applied on top of the files, in order; absent when none. */
  overrides?: string[];
}
