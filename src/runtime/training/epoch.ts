import { shuffleInPlace, Stream } from '../../core/rng.js';
import type { Batch, CandidateScorer, EmbeddingReader, SamplerBehaviour, TrainingData } from '../../contract/training.js';

export { negativesStream } from '../../components/samplers/uniform.js';

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

/** Allocates a batch buffer for at most `capacity` pairs with the sampler's candidates. */
export function allocBatch(capacity: number, sampler: SamplerBehaviour): Batch {
  const width = sampler.width(capacity);
  const cols = 1 + width;
  const shared = sampler.layout === 'shared';
  return {
    size: 0,
    users: new Int32Array(capacity),
    pos: new Int32Array(capacity),
    layout: sampler.layout,
    width,
    neg: new Int32Array(shared ? width : capacity * width),
    mask: shared ? new Uint8Array(capacity * cols) : null,
    logq: sampler.logq ? new Float64Array(capacity * cols) : null,
  };
}

/** A per-positive batch from explicit arrays (tests, trainBatch callers). */
export function explicitBatch(users: ArrayLike<number>, pos: ArrayLike<number>, neg: ArrayLike<number>): Batch {
  const size = users.length;
  return { size, users: Int32Array.from(users), pos: Int32Array.from(pos), layout: 'per_positive', width: size > 0 ? neg.length / size : 0, neg: Int32Array.from(neg), mask: null, logq: null };
}

/** A deep copy of the used part of a batch. */
export function copyBatch(b: Batch): Batch {
  const cols = 1 + b.width;
  return {
    ...b,
    users: b.users.slice(0, b.size),
    pos: b.pos.slice(0, b.size),
    neg: b.neg.slice(0, b.layout === 'shared' ? b.width : b.size * b.width),
    mask: b.mask ? b.mask.slice(0, b.size * cols) : null,
    logq: b.logq ? b.logq.slice(0, b.size * cols) : null,
    bank: b.bank ? { count: b.bank.count, vectors: b.bank.vectors.slice() } : null,
  };
}

/**
 * Fills `out` with batch b of an epoch: pairs order[start..end), then the sampler's candidates
 * (the pair at epoch position p draws with position = p, so every engine draws the same).
 * A shared layout's width is the batch's size (the last batch of an epoch may be smaller).
 */
export function fillBatch(data: TrainingData, schedule: { batch: number; seed: number }, sampler: SamplerBehaviour, order: Int32Array, epoch: number, b: number, out: Batch, score: CandidateScorer | null = null, embeddings: EmbeddingReader | null = null): Batch {
  const [start, end] = batchBounds(order.length, schedule.batch, b);
  out.size = end - start;
  for (let p = start; p < end; p++) {
    const pair = order[p]!;
    out.users[p - start] = data.pairUsers[pair]!;
    out.pos[p - start] = data.pairItems[pair]!;
  }
  out.width = sampler.width(out.size);
  sampler.fill({ data, order, start, end, epoch, seed: schedule.seed, batch: out, score, embeddings });
  return out;
}
