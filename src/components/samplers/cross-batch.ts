import { InternalError } from '../../core/errors.js';
import { defineComponent } from '../../contract/component.js';
import type { Batch, SamplerBehaviour } from '../../contract/training.js';
import { itemCounts } from './popularity.js';

/**
 * Cross-batch negative sampling (CBNS; Wang et al. 2021, cbns paper 3.3.2, eq. 9): every row's
 * negatives are the batch's other positives (in-batch, as `in_batch`) plus a FIFO memory bank of
 * the item embeddings of the last `memory` positives of earlier batches (the paper's M counts
 * embeddings: with batch B the bank spans the last M / B batches).
 *
 * What is stale and what gets gradients: a banked vector is the item embedding computed in the
 * forward pass of the step that enqueued it (under the parameters of that step, before its
 * update), stored as a constant. Its score u . v_bank is differentiated with respect to the
 * user only; no gradient reaches the banked vector, the item's current row or a penalty
 * (Batch.bank). The in-batch columns are live item rows, as in `in_batch`.
 *
 * Order of a step: the batch's score matrix has columns [positive | B in-batch | M bank, oldest
 * first]; then the batch's positives' embeddings (the same numbers the step's forward uses) are
 * enqueued and the oldest dequeued, as the paper does at the end of each iteration. Empty bank
 * slots, a banked item equal to the row's positive (eq. 9: M u B \ {I}) and, during the first
 * `warmup` steps, the whole bank are masked: warm-up trains on in-batch negatives alone (the
 * paper warms up for 4e4 iterations), while the bank already fills so it is full when it opens.
 *
 * logQ (eq. 4 and 9): with `logq: true` every column's score gets -log q(i), q(i) = count(i) /
 * (training pairs), the unigram probability that a batch position holds item i; the bank keeps
 * each entry's -log q with its vector, as the paper stores (v_i, q(I_i)).
 *
 * The bank is sampler state: saved with checkpoints and restored on resume (`state`), so a
 * resumed run draws what an uninterrupted one draws (up to the float32 rounding of the saved
 * vectors). It persists across epochs and is reset by prepare().
 */
export interface CrossBatchParams {
  memory: number;
  warmup: number;
  logq: boolean;
}

/** The FIFO bank: a ring of `capacity` entries; `head` is the oldest once full. */
export class EmbeddingBank {
  ids: Int32Array;
  minusLogQ: Float64Array;
  vectors: Float64Array = new Float64Array(0);
  dim = 0;
  size = 0;
  head = 0;

  constructor(readonly capacity: number) {
    this.ids = new Int32Array(capacity);
    this.minusLogQ = new Float64Array(capacity);
  }

  /** Appends count entries (rows of `vectors`), evicting the oldest beyond capacity. */
  enqueue(ids: Int32Array, count: number, vectors: Float64Array, minusLogQ: Float64Array, dim: number): void {
    this.ensureDim(dim);
    for (let r = 0; r < count; r++) {
      const slot = (this.head + this.size) % this.capacity;
      this.ids[slot] = ids[r]!;
      this.minusLogQ[slot] = minusLogQ[ids[r]!]!;
      this.vectors.set(vectors.subarray(r * dim, (r + 1) * dim), slot * dim);
      if (this.size < this.capacity) this.size++;
      else this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The bank learns its dimension from the first embeddings it sees. */
  ensureDim(dim: number): void {
    if (this.dim === 0) {
      this.dim = dim;
      this.vectors = new Float64Array(this.capacity * dim);
    } else if (dim !== this.dim) throw new InternalError(`cross_batch: embeddings of dim ${dim} for a bank of dim ${this.dim}`);
  }

  /** Slot of the j-th entry, oldest first (j < size). */
  slot(j: number): number {
    return (this.head + j) % this.capacity;
  }

  /** [capacity, dim, size, head, extra..., ids..., vectors...]; the -log q terms are recomputed from the ids on load (exact). */
  save(extra: number[]): Float32Array {
    const out = new Float32Array(4 + extra.length + this.capacity + this.capacity * this.dim);
    out.set([this.capacity, this.dim, this.size, this.head, ...extra]);
    out.set(this.ids, 4 + extra.length);
    out.set(this.vectors, 4 + extra.length + this.capacity);
    return out;
  }

  load(s: Float32Array, extras: number, minusLogQ: Float64Array): number[] {
    const [capacity, dim, size, head] = [s[0]!, s[1]!, s[2]!, s[3]!];
    if (capacity !== this.capacity || s.length !== 4 + extras + capacity + capacity * dim || size > capacity || head >= Math.max(capacity, 1))
      throw new InternalError(`cross_batch: a saved bank of ${s.length} values does not fit memory ${this.capacity}`);
    this.dim = dim;
    this.size = size;
    this.head = head;
    const o = 4 + extras;
    this.ids = Int32Array.from(s.subarray(o, o + capacity));
    this.minusLogQ = Float64Array.from(this.ids, (i) => minusLogQ[i] ?? 0);
    this.vectors = Float64Array.from(s.subarray(o + capacity));
    return Array.from(s.subarray(4, o));
  }
}

/** -log q(i) of the unigram distribution of training positives (0 for items never seen). */
export function unigramMinusLogQ(counts: Float64Array, total: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! > 0 ? -Math.log(counts[i]! / total) : 0;
  return out;
}

/** Columns 1..B of a shared batch: the batch's positives, a row's own item masked (in_batch's rule). */
export function fillInBatchColumns(batch: Batch, minusLogQ: Float64Array | null): void {
  const B = batch.size;
  const cols = 1 + batch.width;
  batch.neg.set(batch.pos.subarray(0, B));
  const mask = batch.mask!;
  for (let b = 0; b < B; b++) {
    mask[b * cols] = 0;
    for (let k = 0; k < B; k++) mask[b * cols + 1 + k] = batch.pos[k] === batch.pos[b] ? 1 : 0;
  }
  if (!minusLogQ) return;
  const lq = batch.logq!;
  for (let b = 0; b < B; b++) {
    lq[b * cols] = minusLogQ[batch.pos[b]!]!;
    for (let k = 0; k < B; k++) lq[b * cols + 1 + k] = minusLogQ[batch.pos[k]!]!;
  }
}

export const crossBatch = defineComponent<CrossBatchParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'cross_batch',
  version: 1,
  summary: 'cross-batch negatives (CBNS): in-batch plus a FIFO bank of the last M positives\' item embeddings (constants), optional logQ',
  schema: {
    type: 'object',
    properties: {
      memory: { type: 'integer', minimum: 1, maximum: 65536, default: 2432, description: 'bank size M: item embeddings of the most recent positives kept as extra negatives (the paper\'s default 2432)' },
      warmup: { type: 'integer', minimum: 0, default: 0, description: 'steps (mini-batches) trained on in-batch negatives only before the bank is used (the paper: 40000)' },
      logq: { type: 'boolean', default: false, description: 'subtract log q(i), the item\'s unigram frequency, from every score, the bank\'s included (eq. 9)' },
    },
    additionalProperties: false,
  },
  create: (p) => {
    const M = p.memory;
    let bank = new EmbeddingBank(M);
    let minusLogQ: Float64Array = new Float64Array(0);
    let steps = 0;
    let ordered = new Float64Array(0);
    return {
      layout: 'shared',
      width: (size) => size + M,
      modelAware: false,
      readsEmbeddings: true,
      logq: p.logq,
      check: (data) => (data.pairUsers.length < 2 ? 'cross_batch needs at least two training pairs: a batch of one has no in-batch negative' : null),
      prepare(data) {
        bank = new EmbeddingBank(M);
        minusLogQ = unigramMinusLogQ(itemCounts(data), data.pairUsers.length);
        steps = 0;
        ordered = new Float64Array(0);
      },
      fill({ batch, embeddings }) {
        if (!embeddings) throw new InternalError('cross_batch needs the engine to read item embeddings');
        const B = batch.size;
        const cols = 1 + batch.width;
        fillInBatchColumns(batch, p.logq ? minusLogQ : null);
        // the positives' embeddings before this step: what the step's forward scores, and what it enqueues
        const vectors = embeddings('item', batch.pos, B);
        const d = vectors.length / B;
        bank.ensureDim(d);
        const open = steps >= p.warmup;
        if (ordered.length < M * d) ordered = new Float64Array(M * d);
        const mask = batch.mask!;
        for (let j = 0; j < M; j++) {
          const filled = j < bank.size;
          const slot = filled ? bank.slot(j) : 0;
          batch.neg[B + j] = filled ? bank.ids[slot]! : 0;
          if (filled) ordered.set(bank.vectors.subarray(slot * d, (slot + 1) * d), j * d);
          for (let b = 0; b < B; b++) {
            const o = b * cols + 1 + B + j;
            mask[o] = open && filled && bank.ids[slot] !== batch.pos[b] ? 0 : 1;
            if (batch.logq) batch.logq[o] = filled ? bank.minusLogQ[slot]! : 0;
          }
        }
        batch.bank = { count: M, vectors: ordered };
        bank.enqueue(batch.pos, B, vectors, minusLogQ, d);
        steps++;
      },
      state: {
        save: () => bank.save([steps]),
        load: (s) => void ([steps] = bank.load(s, 1, minusLogQ) as [number]),
      },
    };
  },
});
