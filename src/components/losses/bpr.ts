import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour, Similarity } from '../../contract/training.js';
import { candidateCount, sigmoid, similarityProperty, softplus } from './similarity.js';

/**
 * Bayesian personalised ranking: a row with positive score s_0 and n_b unmasked candidates s_k has
 *   loss = (1 / n_b) sum_k softplus(s_k - s_0)        (= -log sigmoid(s_0 - s_k))
 *   dL/ds_k = sigmoid(s_k - s_0) / (n_b rows),  dL/ds_0 = -sum_k dL/ds_k
 * averaged over rows; with the same n for every row this is the mean over all (positive,
 * negative) pairs. With one negative it equals InfoNCE at t = 1.
 */
export interface BprParams {
  similarity: Similarity;
}

export const bpr = defineComponent<BprParams, LossBehaviour>({
  slot: 'loss',
  name: 'bpr',
  version: 1,
  summary: 'BPR pairwise loss, -log sigmoid(s+ - s-), averaged over all sampled negatives',
  schema: { type: 'object', properties: { similarity: similarityProperty }, additionalProperties: false },
  create: (p) => ({
    similarity: p.similarity,
    reference(S, rows, cols, mask, dS) {
      let total = 0;
      for (let b = 0; b < rows; b++) {
        const o = b * cols;
        const n = candidateCount(mask, o, cols);
        dS[o] = 0;
        if (n === 0) {
          for (let k = 1; k < cols; k++) dS[o + k] = 0;
          continue;
        }
        let row = 0;
        for (let k = 1; k < cols; k++) {
          if (mask && mask[o + k]) {
            dS[o + k] = 0;
            continue;
          }
          const x = S[o + k]! - S[o]!;
          row += softplus(x);
          dS[o + k] = sigmoid(x) / (n * rows);
          dS[o] -= dS[o + k]!;
        }
        total += row / n;
      }
      return total / rows;
    },
    tf(tf, S, mask) {
      const pos = tf.slice(S, [0, 0], [-1, 1]);
      const neg = tf.slice(S, [0, 1], [-1, -1]);
      const pairs = tf.softplus(tf.sub(neg, pos));
      if (!mask) return tf.mean(pairs);
      const keep = tf.sub(1, tf.slice(mask, [0, 1], [-1, -1]));
      const count = tf.maximum(tf.sum(keep, 1), 1);
      return tf.mean(tf.div(tf.sum(tf.mul(pairs, keep), 1), count));
    },
    fused: { code: 'bpr', temperature: 1 },
  }),
});
