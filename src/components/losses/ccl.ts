import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour, Similarity } from '../../contract/training.js';
import { candidateCount, similarityProperty } from './similarity.js';

/**
 * Cosine contrastive loss (CCL; Mao et al. 2021, SimpleX; SSM paper eq. 28): pull the positive's
 * similarity towards 1 and push every candidate's below the margin m. For a row with n_b
 * unmasked candidates and weight w:
 *   loss = (1 - s_0) + (w / n_b) sum_k max(0, s_k - m)
 *   dL/ds_0 = -1 / rows,  dL/ds_k = w [s_k > m] / (n_b rows)
 * averaged over rows. Meant for cosine scores (the paper's f), where s lies in [-1, 1]; the SSM
 * paper tunes m over 0.1..1.0 and w over {1, 150, 300, 1000}.
 */
export interface CclParams {
  margin: number;
  weight: number;
  similarity: Similarity;
}

export const ccl = defineComponent<CclParams, LossBehaviour>({
  slot: 'loss',
  name: 'ccl',
  version: 1,
  summary: 'cosine contrastive loss: (1 - s+) + w * mean over negatives of max(0, s- - margin)',
  schema: {
    type: 'object',
    properties: {
      margin: { type: 'number', minimum: -1, maximum: 1, default: 0.5, description: 'negatives are penalised only above this similarity (m)' },
      weight: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'weight w of the mean negative term' },
      similarity: { ...similarityProperty, default: 'cosine' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    similarity: p.similarity,
    reference(S, rows, cols, mask, dS) {
      let total = 0;
      for (let b = 0; b < rows; b++) {
        const o = b * cols;
        const n = candidateCount(mask, o, cols);
        let row = 1 - S[o]!;
        dS[o] = -1 / rows;
        for (let k = 1; k < cols; k++) {
          const over = S[o + k]! - p.margin;
          if ((mask && mask[o + k]) || over <= 0) {
            dS[o + k] = 0;
            continue;
          }
          row += (p.weight * over) / n;
          dS[o + k] = p.weight / (n * rows);
        }
        total += row;
      }
      return total / rows;
    },
    tf(tf, S, mask) {
      const pos = tf.squeeze(tf.slice(S, [0, 0], [-1, 1]), [1]);
      const hinge = tf.relu(tf.sub(tf.slice(S, [0, 1], [-1, -1]), p.margin));
      let neg;
      if (mask) {
        const keep = tf.sub(1, tf.slice(mask, [0, 1], [-1, -1]));
        neg = tf.div(tf.sum(tf.mul(hinge, keep), 1), tf.maximum(tf.sum(keep, 1), 1));
      } else neg = tf.mean(hinge, 1);
      return tf.mean(tf.add(tf.sub(1, pos), tf.mul(neg, p.weight)));
    },
  }),
});
