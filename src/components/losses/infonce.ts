import type * as TF from '@tensorflow/tfjs-core';
import { defineSpec } from '../../contract/component.js';

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

/**
 * InfoNCE forward in tfjs: scores [B, 1 + n] (column 0 the positive) -> the batch mean of
 * logsumexp_k(s_k / t) - s_0 / t. logSumExp subtracts the row maximum, so large s / t cannot overflow.
 */
export function infonceTf(tf: typeof TF, scores: TF.Tensor2D, p: InfonceParams): TF.Scalar {
  const z = tf.div(scores, p.temperature);
  const pos = tf.squeeze(tf.slice(z, [0, 0], [-1, 1]), [1]);
  return tf.mean(tf.sub(tf.logSumExp(z, 1), pos));
}
