import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour } from '../../contract/training.js';
import { infonceBehaviour, infonceSchema, type InfonceParams } from './infonce.js';

/**
 * The full softmax loss (SM; SSM paper eq. 27): the probability of the positive normalised over
 * the whole catalogue,
 *   loss(u, i) = -log( exp(f(u, i)) / sum_{j=1..N} exp(f(u, j)) ),   f = sim / t,
 *   dL/df(u, j) = softmax_j - [j = i]   (per row; averaged over the rows of the batch).
 * It is InfoNCE (infonce.ts) with every item as a candidate, so it requires `sampler: all_items`,
 * which supplies exactly that column set (the positive once); the compatibility rule
 * `softmax-needs-all-items` says so. A batch costs B x N scores: the fused engine computes them
 * in row blocks of dense products (engine/fused/shared-candidates.ts), never the whole matrix.
 * The SSM paper tries both dot and cosine similarity for it and keeps the better.
 */
export const softmax = defineComponent<InfonceParams, LossBehaviour>({
  slot: 'loss',
  name: 'softmax',
  version: 1,
  summary: 'full softmax over every item (SSM paper eq. 27); requires sampler: all_items',
  schema: infonceSchema,
  create: (p) => infonceBehaviour(p),
});
