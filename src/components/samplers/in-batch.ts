import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour } from '../../contract/training.js';
import { itemCounts } from './popularity.js';

/**
 * In-batch negatives (SSM paper; CBNS paper eq. 3): the positives of the other rows of the batch
 * are every row's negatives, so the batch shares one candidate list, the batch's positive items
 * in batch order. A candidate equal to the row's own positive (its own column, and any other row
 * with the same item) is masked: a row never scores its positive as a negative.
 *
 * Popular items appear in batches more often, so in-batch softmax is biased towards them; with
 * `logq: true` every score of item i gets the logQ correction s - log q(i) (Yi et al. 2019, CBNS
 * paper eq. 4), q(i) = count(i) / (number of training pairs), the probability that a pair drawn
 * for the batch has item i. The positive's column is corrected too, as in the papers.
 */
export interface InBatchParams {
  logq: boolean;
}

export const inBatch = defineComponent<InBatchParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'in_batch',
  version: 1,
  summary: "in-batch negatives: the batch's other positives, shared by all rows (own positive masked), optional logQ correction",
  schema: {
    type: 'object',
    properties: { logq: { type: 'boolean', default: false, description: 'subtract log q(i), the item\'s in-batch frequency, from every score (sampling-bias correction)' } },
    additionalProperties: false,
  },
  create: (p) => {
    let minusLogQ = new Float64Array(0);
    return {
      layout: 'shared',
      width: (size) => size,
      modelAware: false,
      logq: p.logq,
      check: (data) => (data.pairUsers.length < 2 ? 'in_batch needs at least two training pairs: a batch of one has no negatives' : null),
      prepare(data) {
        const counts = itemCounts(data);
        minusLogQ = new Float64Array(counts.length);
        const total = data.pairUsers.length;
        for (let i = 0; i < counts.length; i++) minusLogQ[i] = counts[i]! > 0 ? -Math.log(counts[i]! / total) : 0;
      },
      fill({ batch }) {
        const B = batch.size;
        const cols = 1 + B;
        batch.neg.set(batch.pos.subarray(0, B));
        const mask = batch.mask!;
        for (let b = 0; b < B; b++) {
          mask[b * cols] = 0;
          for (let k = 0; k < B; k++) mask[b * cols + 1 + k] = batch.pos[k] === batch.pos[b] ? 1 : 0;
        }
        if (!p.logq) return;
        const lq = batch.logq!;
        for (let b = 0; b < B; b++) {
          lq[b * cols] = minusLogQ[batch.pos[b]!]!;
          for (let k = 0; k < B; k++) lq[b * cols + 1 + k] = minusLogQ[batch.pos[k]!]!;
        }
      },
    };
  },
});
