import type * as TF from '@tensorflow/tfjs-core';
import type { UserItems } from '../core/user-items.js';

/**
 * The training contract between components and engines. A component file implements the part
 * of its slot's interface below for each engine it supports: `reference` (float64, the
 * specification every other engine is checked against), `tfjs` (a forward pass; autograd gives
 * the backward) and `fused` (what the WebAssembly kernels need to know). An engine supports a
 * configuration exactly when every chosen component has that engine's part.
 *
 * The pipeline of one training step, the same on every engine:
 *   1. encoder:   parameters (what the optimiser and checkpoints own) -> embeddings (what scores use)
 *   2. sampler:   candidates of the batch in a layout, optional logQ terms (may read model scores)
 *   3. scores:    S[b, k] = sim(user emb of row b, item emb of candidate k) + logq[b, k]; column 0 the positive
 *   4. loss:      S (and a mask of non-candidates) -> mean row loss and dL/dS
 *   5. gradients: dL/dS -> embeddings -> parameters (the encoder's adjoint), plus an optional penalty
 *   6. optimiser: on the parameter tables the backprop strategy gives gradients to
 *   7. backprop:  moving aggregation of the other tower's layer-0 rows (onebp, user_only)
 */

type Tf = typeof TF;

/** What training reads of a split. */
export interface TrainingData {
  numUsers: number;
  numItems: number;
  /** Training pairs in canonical order (user ascending, item ascending): epoch orders index into these. */
  pairUsers: Int32Array;
  pairItems: Int32Array;
  /** The same pairs as per-user sets (negative sampling excludes these). */
  positives: UserItems;
  /** The normalised adjacency of the pairs, when the graph built it as an artifact (graph encoders build it otherwise). */
  adjacency?: CsrAdjacency;
}

/** A symmetric normalised user-item adjacency in CSR (users 0..numUsers-1, then items). */
export interface CsrAdjacency {
  numUsers: number;
  numItems: number;
  n: number;
  nnz: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Where a batch's candidates come from:
 * - `per_positive`: each row b has its own `width` negatives, neg[b * width + k - 1] for column k;
 * - `shared`: every row scores the same `width` candidates neg[k - 1] (in-batch: the batch's positives).
 */
export type CandidateLayout = 'per_positive' | 'shared';

/**
 * One mini-batch: `size` positive pairs and their candidates. The score matrix of a batch has
 * `size` rows and 1 + width columns: column 0 the row's positive, columns 1..width the candidates.
 */
export interface Batch {
  size: number;
  users: Int32Array;
  pos: Int32Array;
  layout: CandidateLayout;
  width: number;
  neg: Int32Array;
  /** 1 where column k of row b is not a candidate (a shared candidate equal to the row's positive); size x (1 + width), or null. */
  mask: Uint8Array | null;
  /** logQ correction added to the scores (-log q of the candidate's sampling probability); size x (1 + width), or null. */
  logq: Float64Array | null;
  /**
   * Constant candidate vectors (a memory bank of embeddings computed at earlier steps; shared
   * layout only): the last `bank.count` shared columns are scored against bank.vectors (count x
   * dim, row-major) instead of the item table. Their neg entries name the banked items (for the
   * mask), but nothing is gathered from the item table for them, and no gradient reaches them,
   * their items' rows or a penalty. Absent or null: every candidate is an item-table row.
   */
  bank?: BankColumns | null;
}

export interface BankColumns {
  count: number;
  vectors: Float64Array;
}

/** Candidates of a batch gathered from the item table (the bank's columns are not). */
export function gatheredCandidates(batch: Batch): number {
  return batch.layout === 'shared' ? batch.width - (batch.bank?.count ?? 0) : batch.size * batch.width;
}

/**
 * Float32 tables of one model, rows x dim row-major: the parameters, or the embeddings derived
 * from them. `weights`: an encoder's dense parameters besides the two tables (NGCF's W1, W2,
 * b1, b2 of each layer), by name, flat row-major; absent for encoders that have none.
 */
export interface Tables {
  user: Float32Array;
  item: Float32Array;
  dim: number;
  weights?: Record<string, Float32Array>;
}

export interface Tables64 {
  user: Float64Array;
  item: Float64Array;
  dim: number;
  weights?: Record<string, Float64Array>;
}

/**
 * The forward of training step `step` (1-based) of a run seeded `seed`: an encoder with dropout
 * draws its masks from (seed, step), counter-based, so every engine and a resumed run drop the
 * same entries. Absent: evaluation (no dropout).
 */
export interface TrainPass {
  seed: number;
  step: number;
}

export type Similarity = 'dot' | 'cosine';

/** What the train artifact says about a model, so evaluation and reviews need no loss parameters. */
export interface ModelDescription {
  encoder: string;
  /** How a (user, item) pair is scored from the embeddings. */
  scorer: Similarity;
  /** Whether the stored embeddings equal the parameters (mf) or are derived from them (graph encoders). */
  embeddingsAreParameters: boolean;
}

// ---- encoders ----

/** An encoder prepared for one training set (graph encoders hold their adjacency here). */
export interface PreparedEncoder {
  /** Final embeddings from the parameters (float64); the embeddings' dim may differ from the parameters' (NGCF concatenates layers). */
  embedReference(params: Tables64, pass?: TrainPass): Tables64;
  /** dL/dparameters (tables and weights) from dL/dembeddings: the adjoint of embedReference under the same pass. */
  backwardReference(params: Tables64, grad: Tables64, pass?: TrainPass): Tables64;
  /** The same forward in tfjs; autograd differentiates it. `weights` as Tables.weights, shaped by EncoderBehaviour.weights. */
  embedTf(tf: Tf, user: TF.Tensor2D, item: TF.Tensor2D, weights?: Record<string, TF.Tensor2D>, pass?: TrainPass): { user: TF.Tensor2D; item: TF.Tensor2D };
}

export interface EncoderBehaviour {
  readonly dim: number;
  /** Layer-0 parameters (and dense weights, if any) before training (a pure function of the seed). */
  init(numUsers: number, numItems: number, seed: number): Tables;
  /**
   * Dense weights besides the tables, by name: [rows, cols]. The optimiser owns them whenever it
   * owns either table (the loss reaches them through both towers' embeddings); the moving
   * aggregation never touches them. Absent: none.
   */
  readonly weights?: Record<string, readonly [number, number]>;
  /** true: a batch's gradient reaches only the rows of the batch (mf); false: every row (graph encoders). */
  readonly batchLocalGradient: boolean;
  /** true: the embeddings are the parameters themselves (mf), so a trained model stores one pair of tables. */
  readonly embeddingsAreParameters: boolean;
  prepare(data: TrainingData): PreparedEncoder;
  /** What the fused CPU kernels need; absent = no fused kernel. */
  readonly fused?: { kind: 'rows' } | { kind: 'graph'; layers: number } | { kind: 'ngcf'; layers: number; dropout: number; nodeDropout: number };
}

// ---- samplers ----

/**
 * How a model-aware sampler ranks candidates: 'similarity' is the loss's score function (dot or
 * cosine); 'euclidean' is the negated squared distance -|u - v|^2, so that higher is closer too.
 */
export type CandidateMeasure = 'similarity' | 'euclidean';

/** Scores the engine computes for a model-aware sampler: rows x perRow candidates of the given users. */
export type CandidateScorer = (users: Int32Array, items: Int32Array, rows: number, perRow: number, measure?: CandidateMeasure) => Float64Array;

/** Embedding rows (count x dim, float64) of users or items under the model before this step, for samplers that bank or compare embeddings. */
export type EmbeddingReader = (which: 'user' | 'item', ids: Int32Array, count: number) => Float64Array;

export interface FillRequest {
  data: TrainingData;
  /** Pair indices of the epoch order; this batch covers positions [start, end). */
  order: Int32Array;
  start: number;
  end: number;
  epoch: number;
  seed: number;
  /** The batch to fill (arrays sized by allocBatch); users and pos are filled already. */
  batch: Batch;
  /** Present when the sampler declared `modelAware`; scores under the model before this step. */
  score: CandidateScorer | null;
  /** Present when the sampler declared `readsEmbeddings`: the embeddings before this step (constants: never differentiated). */
  embeddings?: EmbeddingReader | null;
}

export interface SamplerBehaviour {
  readonly layout: CandidateLayout;
  /** Candidate columns of a batch of `size` rows (besides the positive). */
  width(size: number): number;
  /** Whether fill() asks the model for scores (hard negatives). */
  readonly modelAware: boolean;
  /** Whether fill() writes logQ terms. */
  readonly logq: boolean;
  /** Whether fill() reads embedding rows (a memory bank, a similarity table): the engine then passes `embeddings`. */
  readonly readsEmbeddings?: boolean;
  /** A reason this sampler cannot draw from the data (said to the user), or null. */
  check(data: TrainingData): string | null;
  /** Called by every trainer before training (item frequencies, tables of q); resets any state. */
  prepare(data: TrainingData): void;
  fill(req: FillRequest): void;
  /**
   * State carried across batches and epochs (a memory bank of recent items, a refreshed
   * candidate table), saved with the trainer's checkpoints so that a resumed run draws exactly
   * what an uninterrupted one draws. Absent: the sampler is a pure function of (seed, epoch, position).
   */
  readonly state?: { save(): Float32Array; load(saved: Float32Array): void };
  /**
   * Arrays of the state at the end of training that the train artifact keeps as
   * `sampler_<name>.npy` (dynamic_dissimilar's candidate table), so a user can inspect what the
   * model was trained against. Absent: nothing is stored.
   */
  exportArrays?(): Record<string, { data: Int32Array | Float32Array; shape: number[] }>;
  readonly fused?: { code: 'uniform'; negatives: number; excludePositives: boolean };
}

// ---- losses ----

export interface LossBehaviour {
  readonly similarity: Similarity;
  /**
   * The mean over rows of the row losses of S (rows x cols, column 0 the positive; mask 1 = not
   * a candidate), and dL/dS written into dS (zero where masked), already divided by rows.
   */
  reference(S: Float64Array, rows: number, cols: number, mask: Uint8Array | null, dS: Float64Array): number;
  /** The same mean loss in tfjs from S [rows, cols] and the mask as 0/1 floats [rows, cols] (or null). */
  tf(tf: Tf, S: TF.Tensor2D, mask: TF.Tensor2D | null): TF.Scalar;
  readonly fused?: { code: 'infonce' | 'bpr'; temperature: number };
}

// ---- backprop ----

export interface BackpropBehaviour {
  /** Which parameter tables the loss gradient reaches (and the optimiser owns). */
  readonly targets: { user: boolean; item: boolean };
  /** Moving aggregation after the optimiser step: rows of `target` move towards the batch's rows of the other table. */
  readonly aggregate: { target: 'user' | 'item'; beta: number; duplicates: 'last' | 'sequential' } | null;
  readonly fused?: { code: 'both' | 'onebp' | 'user_only' };
}

// ---- optimisers ----

/** Optimiser state of one table: named slots of the table's shape. */
export type Slots64 = Record<string, Float64Array>;
export type SlotsTf = Record<string, TF.Variable>;

export interface OptimizerBehaviour {
  /** Names of the per-table slots (`m`, `v` for Adam). */
  readonly slots: readonly string[];
  /** true: only rows the batch touches are updated (lazy Adam). */
  readonly lazy: boolean;
  /**
   * One step on a table (float64, mutated) with its gradient, at step t >= 1; rows null = every
   * row, else only those rows (lazy). `lrFactor` scales the learning rate (a schedule's factor
   * for the current epoch; 1 without a schedule).
   */
  reference(table: Float64Array, grad: Float64Array, slots: Slots64, rows: readonly number[] | null, dim: number, t: number, lrFactor?: number): void;
  tf(tf: Tf, param: TF.Variable, grad: TF.Tensor, slots: SlotsTf, t: number, rows: TF.Tensor1D | null, lrFactor?: number): void;
  readonly fused?: { code: 'adam-dense' | 'adam-lazy' | 'sgd'; lr: number; weightDecay: number; beta1: number; beta2: number; eps: number };
}

// ---- regularisers ----

/**
 * A penalty on the layer-0 rows a batch uses, added to the loss (LightGCN's L2 term):
 * weight/2 * (sum of squared norms of the rows the batch gathers, one term per occurrence) / size.
 * Only tables the optimiser owns are penalised.
 */
export interface RegularizerBehaviour {
  readonly weight: number;
}

// ---- learning-rate schedules ----

/**
 * A learning-rate schedule: the factor by which the optimiser's lr is multiplied during epoch
 * `epoch` (0-based), a pure function of the epoch, so a resumed run and every engine agree.
 * Engines apply it at the start of each trainEpoch (lr_epoch = lr x factor(epoch)).
 */
export interface ScheduleBehaviour {
  lrFactor(epoch: number): number;
}

/** The behaviour of a trial's components, bound to their validated parameters. */
export interface TrainingModel {
  encoder: EncoderBehaviour;
  sampler: SamplerBehaviour;
  loss: LossBehaviour;
  backprop: BackpropBehaviour;
  optimizer: OptimizerBehaviour;
  regularizer: RegularizerBehaviour | null;
  /** The learning-rate schedule, or null: the optimiser's lr throughout. */
  schedule: ScheduleBehaviour | null;
  /** name of each slot's component, for messages and records. */
  names: Record<'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer', string> & { regularizer: string | null; schedule: string | null };
}
