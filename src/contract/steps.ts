import type { JsonObject } from '../core/json.js';
import type { EvaluateParams, Protocol } from './evaluate-schema.js';
import type { MetricName, TrainingParams } from './training-schema.js';
import type { ResolvedComponent } from './model.js';

/**
 * The contract between compiler and runtime: the kinds of steps an execution graph holds and
 * the parameters each receives. Parameters are everything a step's result depends on besides
 * its inputs (and, for load_dataset, the content of the files it reads), so they are exactly
 * what its content key hashes. Bump a step's version when its code computes different numbers.
 */
export const STEP_VERSIONS = {
  load_dataset: 1,
  split: 1,
  adjacency: 1,
  train: 1,
  evaluate: 1,
} as const;

export type StepKind = keyof typeof STEP_VERSIONS;

export interface LoadDatasetParams {
  loader: ResolvedComponent;
}

/** Unhashed context of load_dataset: the folder of the .exp file that declared it (relative paths start there). */
export interface LoadDatasetContext {
  baseDir: string;
}

export interface SplitParams {
  split: ResolvedComponent;
}

/** The normalised user-item adjacency of a split's training pairs, for graph encoders; `builder` versions its construction. */
export interface AdjacencyParams {
  builder: number;
}

/** What training evaluates every eval_every epochs: the curves and the epoch selection. */
export interface MonitorParams {
  /** valid: validation protocol; test: the paper protocol; null: nothing to monitor (no validation split). */
  split: 'valid' | 'test' | null;
  metrics: MetricName[];
  cutoffs: number[];
}

export interface TrainParams {
  encoder: ResolvedComponent;
  sampler: ResolvedComponent;
  loss: ResolvedComponent;
  backprop: ResolvedComponent;
  optimizer: ResolvedComponent;
  /** Present only when the run chooses one (absent keeps the keys of runs that predate the slot). */
  regularizer?: ResolvedComponent;
  /** Likewise: a learning-rate schedule only when chosen. */
  schedule?: ResolvedComponent;
  training: TrainingParams;
  monitor: MonitorParams;
}

export interface EvaluateStepParams extends EvaluateParams {
  protocol: Protocol;
}

export type StepParams = {
  load_dataset: LoadDatasetParams;
  split: SplitParams;
  adjacency: AdjacencyParams;
  train: TrainParams;
  evaluate: EvaluateStepParams;
};

/**
 * The graph's one serialisation boundary: typed step parameters become the JSON a node carries
 * (and its content key hashes), and back. The compiler writes them with asJson from the types
 * below; a step reads them with paramsOf, so the conversion lives here and nowhere else.
 */
export function asJson<T>(p: T): JsonObject {
  return p as unknown as JsonObject;
}

export function paramsOf<K extends StepKind>(node: { kind: K; params: JsonObject }): StepParams[K] {
  return node.params as unknown as StepParams[K];
}
