import type { Batch, Tables, TrainingData, TrainingModel } from '../../contract/training.js';

export type { Batch, Tables, TrainingData } from '../../contract/training.js';
import type { Json } from '../../core/json.js';

export type EngineName = 'tfjs' | 'fused' | 'webgpu';

/** What training needs to know about the data (the contract's TrainingData). */
export type TrainingProblem = TrainingData;

/** How an epoch is cut into batches; shared by every engine so that all of them see the same samples. */
export interface EpochSchedule {
  batch: number;
  shuffle: boolean;
  dropLast: boolean;
  /** Seed of shuffling and negative sampling (training.seed). */
  seed: number;
}

export interface EpochResult {
  /** Mean over batches of the mean batch loss. */
  loss: number;
  batches: number;
  samples: number;
}

/** Everything needed to resume training exactly: parameters, optimiser moments, step counter. */
export interface TrainerState {
  step: number;
  /** The layer-0 parameters (for mf also the embeddings). */
  tables: Tables;
  /** Optimiser slots by name (`m.user`, `v.item`, ...), same layout as the tables. */
  slots: Record<string, Float32Array>;
  /** The sampler's state, for samplers that keep one (SamplerBehaviour.state). */
  sampler?: Float32Array;
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
  /** A copy of the current parameters (what the optimiser owns). */
  parameters(): Promise<Tables>;
  /** The embeddings the parameters give (scoring, evaluation, reviews); for mf the parameters themselves. */
  embeddings(): Promise<Tables>;
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
  supports(model: TrainingModel): Support;
  createTrainer(problem: TrainingData, model: TrainingModel, schedule: EpochSchedule, init: Tables, options: TrainerOptions): Promise<Trainer>;
}
