import type * as TF from '@tensorflow/tfjs-core';
import { defineSpec } from '../../contract/component.js';

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

/**
 * BPR forward in tfjs: scores [B, 1 + n] (column 0 the positive) -> the mean over all B x n
 * (positive, negative) pairs of softplus(s_k - s_0) = -log sigmoid(s_0 - s_k); every sample has
 * n negatives, so this is also the batch mean of the per-sample means.
 */
export function bprTf(tf: typeof TF, scores: TF.Tensor2D, _p: BprParams): TF.Scalar {
  const pos = tf.slice(scores, [0, 0], [-1, 1]);
  const neg = tf.slice(scores, [0, 1], [-1, -1]);
  return tf.mean(tf.softplus(tf.sub(neg, pos)));
}
