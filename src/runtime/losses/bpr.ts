import { defineSpec } from '../component.js';

/**
 * Bayesian personalised ranking: loss = -log sigmoid(s+ - s-), averaged over every
 * (positive, negative) pair of the batch. With one negative it equals InfoNCE at t = 1.
 */
export const bprSpec = defineSpec({
  slot: 'loss',
  name: 'bpr',
  version: 1,
  summary: 'BPR pairwise loss, -log sigmoid(s+ - s-), averaged over all sampled negatives',
  schema: {
    type: 'object',
    properties: {
      similarity: { type: 'string', enum: ['dot', 'cosine'], default: 'dot', description: 'score function: inner product or cosine of the two embeddings' },
    },
    additionalProperties: false,
  },
});

export interface BprParams {
  similarity: 'dot' | 'cosine';
}
