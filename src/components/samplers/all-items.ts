import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour } from '../../contract/training.js';

/**
 * Every item as a candidate of every row: the candidate set of the full softmax (SSM paper eq.
 * 27, loss `softmax`). The batch shares one list, items 0..N-1 in id order; column 1 + pos_b of
 * row b is masked because column 0 already holds the positive, so each row's denominator sums
 * over the whole catalogue exactly once:
 *   sum_{k unmasked} exp(s_k) = exp(s(u, i)) + sum_{j != i} exp(s(u, j)) = sum_{j=1..N} exp(s(u, j)).
 * Other training items of the user stay candidates, as in eq. 27. No draw is random, so no
 * logQ term is needed: the proposal is the uniform distribution over all items, a constant shift.
 * A batch scores B x N pairs; the fused engine does so in row blocks of dense products.
 */
export const allItems = defineComponent<Record<string, never>, SamplerBehaviour>({
  slot: 'sampler',
  name: 'all_items',
  version: 1,
  summary: 'every item is a candidate of every row (the full softmax of loss softmax); the own positive column is masked',
  schema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => {
    let numItems = 0;
    return {
      layout: 'shared',
      width: () => numItems,
      modelAware: false,
      logq: false,
      check: (data) => (data.numItems < 2 ? 'all_items needs at least two items: with one there is nothing to normalise against' : null),
      prepare(data) {
        numItems = data.numItems;
      },
      fill({ batch }) {
        const B = batch.size;
        const cols = 1 + numItems;
        for (let k = 0; k < numItems; k++) batch.neg[k] = k;
        const mask = batch.mask!;
        mask.fill(0, 0, B * cols);
        for (let b = 0; b < B; b++) mask[b * cols + 1 + batch.pos[b]!] = 1;
      },
    };
  },
});
