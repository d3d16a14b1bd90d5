import type { Json } from '../../core/json.js';
import type { UserItems } from '../../core/user-items.js';
import type { ModelConfig } from '../../components/model-config.js';

export type EngineName = 'tfjs' | 'fused';

/** What training needs to know about the data: sizes, the training pairs and the positives to exclude. */
export interface TrainingProblem {
  numUsers: number;
  numItems: number;
  /** Training pairs in canonical order (user ascending, item ascending): epoch orders index into these. */
  pairUsers: Int32Array;
  pairItems: Int32Array;
  /** The same pairs as per-user sets (negative sampling excludes these). */
  positives: UserItems;
}

/** How an epoch is cut into batches; shared by every engine so that all of them see the same samples. */
export interface EpochSchedule {
  batch: number;
  shuffle: boolean;
  dropLast: boolean;
  /** Seed of shuffling and negative sampling (training.seed). */
  seed: number;
}

/** One mini-batch: `size` positive pairs and `size * negatives` negatives (row-major, sample by sample). */
export interface Batch {
  size: number;
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
}

export interface Tables {
  /** numUsers x dim, row-major. */
  user: Float32Array;
  /** numItems x dim, row-major. */
  item: Float32Array;
  dim: number;
}

export interface EpochResult {
  /** Mean over batches of the mean batch loss. */
  loss: number;
  batches: number;
  samples: number;
}

/** Everything needed to resume training exactly: tables, optimiser moments, step counter. */
export interface TrainerState {
  step: number;
  tables: Tables;
  /** Optimiser slots by name (`m.user`, `v.item`, ...), same layout as the tables. */
  slots: Record<string, Float32Array>;
}

/**
 * A training session of one trial on one engine. Engines differ in how they compute, never in
 * what: for the same problem, config, schedule and initial tables, every engine must produce the
 * same losses and parameters within float tolerance (test/runtime/engine/agreement.test.ts).
 */
export interface Trainer {
  readonly engine: EngineName;
  /** Facts for the run record: threads, SIMD, optimiser variant, backend. */
  readonly details: Record<string, Json>;
  /** Trains one epoch: order from epochOrder(), batches from the schedule, negatives from the sampler. */
  trainEpoch(epoch: number): Promise<EpochResult>;
  /** One optimisation step on an explicit batch; returns the batch's mean loss. */
  trainBatch(batch: Batch): Promise<number>;
  /** A copy of the current tables. */
  tables(): Promise<Tables>;
  saveState(): Promise<TrainerState>;
  loadState(state: TrainerState): Promise<void>;
  dispose(): Promise<void>;
}

export interface TrainerOptions {
  /** Worker threads a fused engine may use (results do not depend on it). */
  threads: number;
}

export type Support = { ok: true } | { ok: false; reason: string };

/**
 * A training engine. The generic engine (tfjs autograd) supports every combination; fused
 * engines support some and are chosen per (encoder, sampler, loss, backprop, optimizer) by
 * select-engine.ts, without the compiler knowing.
 */
export interface TrainingEngine {
  readonly name: EngineName;
  supports(config: ModelConfig): Support;
  createTrainer(problem: TrainingProblem, config: ModelConfig, schedule: EpochSchedule, init: Tables, options: TrainerOptions): Promise<Trainer>;
}
