import { boundedFrom, hash4 } from '../../core/rng.js';
import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour } from '../../contract/training.js';
import { fillInBatchColumns } from './cross-batch.js';
import { itemCounts } from './popularity.js';
import { negativesStream } from './uniform.js';

/**
 * Mixed negative sampling (MNS; Yang et al. 2020, as the CBNS paper 4.1 and the SSM paper
 * describe it): the batch shares one candidate list, its B positives (in-batch, a row's own item
 * masked) followed by `uniform` items drawn uniformly from all items, also shared by every row
 * (a draw equal to the row's positive is masked). Draw k of the batch starting at epoch position
 * p is boundedFrom(hash4(seed, negativesStream(epoch), p, k), items), with replacement.
 *
 * logQ: the list is a mixture of two proposals, the unigram q_u(i) = count(i) / pairs for the B
 * in-batch slots and 1 / N for the n uniform ones, so a slot holds item i with probability
 *   q_mix(i) = (B q_u(i) + n / N) / (B + n),
 * and with `logq: true` every column (the positive's too) gets -log q_mix(i), the correction of
 * eq. 4 of the CBNS paper under MNS's own proposal. Without it the scores are uncorrected.
 */
export interface MixedParams {
  uniform: number;
  logq: boolean;
}

/** -log q_mix(i) for a batch of B in-batch slots and n uniform ones. */
export function mixedMinusLogQ(counts: Float64Array, pairs: number, B: number, n: number): Float64Array {
  const N = counts.length;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = -Math.log((B * (counts[i]! / pairs) + n / N) / (B + n));
  return out;
}

export const mixed = defineComponent<MixedParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'mixed',
  version: 1,
  summary: 'mixed negatives (MNS): in-batch plus n uniform items shared by the batch, optional logQ under the mixture',
  schema: {
    type: 'object',
    properties: {
      uniform: { type: 'integer', minimum: 1, maximum: 65536, default: 128, description: 'uniform items drawn per batch and shared by its rows (B\')' },
      logq: { type: 'boolean', default: false, description: 'subtract log q_mix(i) (the mixture of the unigram and the uniform proposal) from every score' },
    },
    additionalProperties: false,
  },
  create: (p) => {
    let counts: Float64Array = new Float64Array(0);
    let pairs = 0;
    let table: { B: number; minusLogQ: Float64Array } = { B: -1, minusLogQ: new Float64Array(0) };
    return {
      layout: 'shared',
      width: (size) => size + p.uniform,
      modelAware: false,
      logq: p.logq,
      check: () => null,
      prepare(data) {
        counts = itemCounts(data);
        pairs = data.pairUsers.length;
        table = { B: -1, minusLogQ: new Float64Array(0) };
      },
      fill({ data, start, epoch, seed, batch }) {
        const B = batch.size;
        const n = p.uniform;
        const cols = 1 + batch.width;
        // q_mix depends on B: recomputed only when the batch size changes (the last batch)
        if (p.logq && table.B !== B) table = { B, minusLogQ: mixedMinusLogQ(counts, pairs, B, n) };
        fillInBatchColumns(batch, p.logq ? table.minusLogQ : null);
        const stream = negativesStream(epoch);
        for (let k = 0; k < n; k++) batch.neg[B + k] = boundedFrom(hash4(seed, stream, start, k), data.numItems);
        const mask = batch.mask!;
        for (let b = 0; b < B; b++) {
          for (let k = 0; k < n; k++) {
            const o = b * cols + 1 + B + k;
            mask[o] = batch.neg[B + k] === batch.pos[b] ? 1 : 0;
            if (batch.logq) batch.logq[o] = table.minusLogQ[batch.neg[B + k]!]!;
          }
        }
      },
    };
  },
});
