import { hash4, shuffleInPlace, Stream } from '../../core/rng.js';
import type { Batch, EpochSchedule, TrainingProblem } from '../engine/engine.js';
import type { UniformParams } from '../../components/samplers/uniform.js';
import { drawUniformNegatives } from '../../components/samplers/uniform.js';

/**
 * The order in which an epoch visits the training pairs: a seeded permutation of pair indices
 * (identity without shuffle). A pure function of (seed, epoch), so a resumed run, another
 * engine or another thread count sees the same order.
 */
export function epochOrder(numPairs: number, seed: number, epoch: number, shuffle: boolean): Int32Array {
  const order = new Int32Array(numPairs);
  for (let i = 0; i < numPairs; i++) order[i] = i;
  if (shuffle) shuffleInPlace(order, seed, Stream.shuffle, epoch);
  return order;
}

export function batchCount(numPairs: number, batch: number, dropLast: boolean): number {
  return dropLast ? Math.floor(numPairs / batch) : Math.ceil(numPairs / batch);
}

/** Positions [start, end) in the epoch order covered by batch b. */
export function batchBounds(numPairs: number, batch: number, b: number): [number, number] {
  const start = b * batch;
  return [start, Math.min(numPairs, start + batch)];
}

/** The stream word of negative draws: epoch and stream packed so that every epoch draws afresh. */
export function negativesStream(epoch: number): number {
  return (epoch * 16 + Stream.negatives) >>> 0;
}

/** Allocates a batch buffer for at most `batch` pairs with `negatives` each. */
export function allocBatch(batch: number, negatives: number): Batch {
  return { size: 0, users: new Int32Array(batch), pos: new Int32Array(batch), neg: new Int32Array(batch * negatives) };
}

/**
 * Fills `out` with batch b of an epoch: pairs order[start..end), and for the pair at epoch
 * position p its negatives drawn by drawUniformNegatives(..., position = p, ...).
 */
export function fillBatch(
  problem: TrainingProblem,
  schedule: EpochSchedule,
  sampler: UniformParams,
  order: Int32Array,
  epoch: number,
  b: number,
  out: Batch,
): Batch {
  const [start, end] = batchBounds(order.length, schedule.batch, b);
  const n = sampler.negatives;
  const stream = negativesStream(epoch);
  const positives = sampler.exclude_positives ? problem.positives : null;
  out.size = end - start;
  for (let p = start; p < end; p++) {
    const j = p - start;
    const pair = order[p]!;
    const u = problem.pairUsers[pair]!;
    out.users[j] = u;
    out.pos[j] = problem.pairItems[pair]!;
    drawUniformNegatives(out.neg, j * n, n, u, p, schedule.seed, stream, problem.numItems, positives);
  }
  return out;
}

/** hash4 re-exported for kernels' tests that mirror the draw sequence. */
export { hash4 };
