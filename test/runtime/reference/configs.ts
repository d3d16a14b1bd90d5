import { CounterRng } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { Batch, TrainingProblem } from '../../../src/runtime/engine/engine.js';
import { bindModel, type ComponentChoice, type ModelChoice } from '../../../src/components/catalogue.js';
import type { PreparedEncoder, TrainingModel } from '../../../src/contract/training.js';
import { explicitBatch } from '../../../src/runtime/training/epoch.js';

type LossConfig = ComponentChoice;
type BackpropConfig = ComponentChoice;
type OptimizerConfig = ComponentChoice;
/** A bound model plus the choice it came from (tests print and vary the choice). */
export type ModelConfig = TrainingModel & { choice: ModelChoice };

/** Test fixtures shared by the reference, optimiser and tfjs-engine tests. */

export const LOSSES: Record<string, LossConfig> = {
  'infonce dot': { name: 'infonce', params: { temperature: 1, similarity: 'dot' } },
  'infonce cosine t=0.5': { name: 'infonce', params: { temperature: 0.5, similarity: 'cosine' } },
  'bpr dot': { name: 'bpr', params: { similarity: 'dot' } },
  'bpr cosine': { name: 'bpr', params: { similarity: 'cosine' } },
};

export const BACKPROPS: Record<string, BackpropConfig> = {
  both: { name: 'both', params: {} },
  'onebp last': { name: 'onebp', params: { beta: 0.9, duplicates: 'last' } },
  'onebp sequential': { name: 'onebp', params: { beta: 0.9, duplicates: 'sequential' } },
  'user_only last': { name: 'user_only', params: { beta: 0.9, duplicates: 'last' } },
  'user_only sequential': { name: 'user_only', params: { beta: 0.9, duplicates: 'sequential' } },
};

export const OPTIMIZERS: Record<string, OptimizerConfig> = {
  'adam dense': { name: 'adam', params: { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, lazy: false } },
  'adam lazy': { name: 'adam', params: { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, lazy: true } },
  sgd: { name: 'sgd', params: { lr: 0.5, weight_decay: 0.01 } },
};

export function config(loss: LossConfig, backprop: BackpropConfig, optimizer: OptimizerConfig, negatives = 3, dim = 8, extra: Partial<ModelChoice> = {}): ModelConfig {
  const choice: ModelChoice = {
    encoder: { name: 'mf', params: { dim, init: 'normal', std: 0.3 } },
    sampler: { name: 'uniform', params: { negatives, exclude_positives: true } },
    loss,
    backprop,
    optimizer,
    ...extra,
  };
  return { ...bindModel(choice), choice };
}

/** The encoder of a model prepared for a problem (mf ignores the data). */
export function prep(cfg: TrainingModel, problem: TrainingProblem = randomProblem(2, 6, 1, 1)): PreparedEncoder {
  return cfg.encoder.prepare(problem);
}

/** Every loss x backprop x optimizer, named. */
export function allCombinations(): { name: string; config: ModelConfig }[] {
  const out: { name: string; config: ModelConfig }[] = [];
  for (const [ln, l] of Object.entries(LOSSES))
    for (const [bn, b] of Object.entries(BACKPROPS))
      for (const [on, o] of Object.entries(OPTIMIZERS)) out.push({ name: `${ln} / ${bn} / ${on}`, config: config(l, b, o) });
  return out;
}

/** A random problem: every user has `perUser` distinct items (so users repeat within batches). */
export function randomProblem(numUsers: number, numItems: number, perUser: number, seed: number): TrainingProblem {
  const rng = new CounterRng(seed, 99);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    const chosen = new Set<number>();
    while (chosen.size < perUser) chosen.add(rng.int(numItems));
    for (const i of chosen) {
      users.push(u);
      items.push(i);
    }
  }
  const positives = UserItems.fromPairs(numUsers, numItems, Int32Array.from(users), Int32Array.from(items));
  const pairs = positives.pairs();
  return { numUsers, numItems, pairUsers: pairs.users, pairItems: pairs.items, positives };
}

export function batchOf(users: number[], pos: number[], neg: number[]): Batch {
  return explicitBatch(users, pos, neg);
}

/** Largest |a - b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** 2 users, 6 items, d = 4; a user twice, item 2 both a positive and a negative, item 5 twice as a negative. */
export function gradientFixture(): { user: Float64Array; item: Float64Array; dim: number } {
  const rng = new CounterRng(7, 1);
  const d = 4;
  return { user: Float64Array.from({ length: 2 * d }, () => rng.normal()), item: Float64Array.from({ length: 6 * d }, () => rng.normal()), dim: d };
}
export const gradientBatch = batchOf([0, 1, 0], [2, 3, 3], [1, 4, 5, 0, 2, 5, 2, 4, 5]);

/**
 * Largest |analytic - central difference| over every entry of both tables, and the largest |fd|
 * (the scale a relative error is taken against); `loss` recomputes the loss from the tables.
 */
export function finiteDifferenceError(tables: { user: Float64Array; item: Float64Array }, grads: { gUser: ArrayLike<number>; gItem: ArrayLike<number> }, loss: () => number, h = 1e-6): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (const [table, grad] of [
    [tables.user, grads.gUser],
    [tables.item, grads.gItem],
  ] as const) {
    for (let i = 0; i < table.length; i++) {
      const keep = table[i]!;
      table[i] = keep + h;
      const up = loss();
      table[i] = keep - h;
      const down = loss();
      table[i] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - grad[i]!));
      scale = Math.max(scale, Math.abs(fd));
    }
  }
  return { worst, scale };
}
