import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour, Similarity } from '../../contract/training.js';
import { MASKED_SCORE, similarityProperty } from './similarity.js';

/**
 * InfoNCE / sampled softmax (OneBP eq. 2; the SSM paper calls cosine + temperature "SSM"): for a
 * row with positive score s_0 and candidate scores s_k,
 *   loss = logsumexp_k(s_k / t) - s_0 / t     (k over column 0 and every unmasked candidate)
 *   dL/ds_k = (softmax_k(s / t) - [k = 0]) / (t * rows)
 * averaged over the rows of the batch. logsumexp subtracts the row maximum, so large s / t cannot overflow.
 */
export interface InfonceParams {
  temperature: number;
  similarity: Similarity;
}

/** The parameters of InfoNCE, shared by `softmax` (the same formula over every item). */
export const infonceSchema = {
  type: 'object',
  properties: {
    temperature: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'softmax temperature t: scores are divided by t' },
    similarity: similarityProperty,
  },
  additionalProperties: false,
} as const;

export const infonce = defineComponent<InfonceParams, LossBehaviour>({
  slot: 'loss',
  name: 'infonce',
  aliases: ['ssm'],
  version: 1,
  summary: 'InfoNCE / sampled softmax over the positive and its candidates (ssm: the SSM paper\'s name, with similarity: cosine)',
  schema: infonceSchema,
  create: (p) => infonceBehaviour(p),
});

/** The behaviour of InfoNCE with these parameters; `softmax` (softmax.ts) is the same formula over every item. */
export function infonceBehaviour(p: InfonceParams): LossBehaviour {
  return {
    similarity: p.similarity,
    reference(S, rows, cols, mask, dS) {
      const t = p.temperature;
      let total = 0;
      for (let b = 0; b < rows; b++) {
        const o = b * cols;
        let max = -Infinity;
        for (let k = 0; k < cols; k++) if (!mask || !mask[o + k]) max = Math.max(max, S[o + k]! / t);
        let sum = 0;
        for (let k = 0; k < cols; k++) if (!mask || !mask[o + k]) sum += Math.exp(S[o + k]! / t - max);
        const lse = max + Math.log(sum);
        total += lse - S[o]! / t;
        for (let k = 0; k < cols; k++) dS[o + k] = mask && mask[o + k] ? 0 : (Math.exp(S[o + k]! / t - lse) - (k === 0 ? 1 : 0)) / (t * rows);
      }
      return total / rows;
    },
    tf(tf, S, mask) {
      let z = tf.div(S, p.temperature);
      if (mask) z = tf.add(z, tf.mul(mask, MASKED_SCORE));
      const pos = tf.squeeze(tf.slice(z, [0, 0], [-1, 1]), [1]);
      return tf.mean(tf.sub(tf.logSumExp(z, 1), pos));
    },
    fused: { code: 'infonce', temperature: p.temperature },
  };
}
