import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour, Similarity } from '../../contract/training.js';
import { candidateCount, sigmoid, similarityProperty, softplus } from './similarity.js';

/**
 * Binary cross-entropy (SSM paper, "BCE"): the positive is a 1-label and every candidate a
 * 0-label of a logistic model on the scores. For a row with n_b unmasked candidates and w = neg_ratio:
 *   loss = softplus(-s_0) + w (1 / n_b) sum_k softplus(s_k)      (-log sigmoid(s_0) - w mean_k log(1 - sigmoid(s_k)))
 *   dL/ds_0 = -sigmoid(-s_0) / rows,  dL/ds_k = w sigmoid(s_k) / (n_b rows)
 * averaged over rows. neg_ratio = n (the number of negatives) weighs every negative like the
 * positive (the plain sum over binary examples); the default 1 weighs the two labels equally.
 */
export interface BceParams {
  neg_ratio: number;
  similarity: Similarity;
}

export const bce = defineComponent<BceParams, LossBehaviour>({
  slot: 'loss',
  name: 'bce',
  version: 1,
  summary: 'binary cross-entropy: the positive as label 1, each negative as label 0, negatives weighted by neg_ratio',
  schema: {
    type: 'object',
    properties: {
      neg_ratio: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'weight w of the mean negative term against the positive term (w = n: every negative counts as much as the positive)' },
      similarity: similarityProperty,
    },
    additionalProperties: false,
  },
  create: (p) => ({
    similarity: p.similarity,
    reference(S, rows, cols, mask, dS) {
      const w = p.neg_ratio;
      let total = 0;
      for (let b = 0; b < rows; b++) {
        const o = b * cols;
        const n = candidateCount(mask, o, cols);
        let row = softplus(-S[o]!);
        dS[o] = -sigmoid(-S[o]!) / rows;
        for (let k = 1; k < cols; k++) {
          if (mask && mask[o + k]) {
            dS[o + k] = 0;
            continue;
          }
          row += (w * softplus(S[o + k]!)) / n;
          dS[o + k] = (w * sigmoid(S[o + k]!)) / (n * rows);
        }
        total += row;
      }
      return total / rows;
    },
    tf(tf, S, mask) {
      const pos = tf.squeeze(tf.slice(S, [0, 0], [-1, 1]), [1]);
      const negTerms = tf.softplus(tf.slice(S, [0, 1], [-1, -1]));
      let negMean: ReturnType<typeof tf.mean>;
      if (mask) {
        const keep = tf.sub(1, tf.slice(mask, [0, 1], [-1, -1]));
        negMean = tf.div(tf.sum(tf.mul(negTerms, keep), 1), tf.maximum(tf.sum(keep, 1), 1));
      } else negMean = tf.mean(negTerms, 1);
      return tf.mean(tf.add(tf.softplus(tf.neg(pos)), tf.mul(negMean, p.neg_ratio)));
    },
  }),
});
