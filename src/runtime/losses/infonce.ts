import { defineSpec } from '../component.js';

/**
 * InfoNCE / sampled softmax (OneBP eq. 2, SSM paper): for one positive score s+ and negative
 * scores s-_k, loss = -log( exp(s+/t) / (exp(s+/t) + sum_k exp(s-_k/t)) ), averaged over the batch.
 */
export const infonceSpec = defineSpec({
  slot: 'loss',
  name: 'infonce',
  aliases: ['ssm'],
  version: 1,
  summary: 'InfoNCE / sampled softmax over the positive and its sampled negatives',
  schema: {
    type: 'object',
    properties: {
      temperature: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'softmax temperature t: scores are divided by t' },
      similarity: { type: 'string', enum: ['dot', 'cosine'], default: 'dot', description: 'score function: inner product or cosine of the two embeddings' },
    },
    additionalProperties: false,
  },
});

export interface InfonceParams {
  temperature: number;
  similarity: 'dot' | 'cosine';
}
