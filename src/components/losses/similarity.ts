import type * as TF from '@tensorflow/tfjs-core';

type Tf = typeof TF;

/** Smallest norm a row is divided by under cosine similarity (a zero row scores 0, not NaN). */
export const COSINE_NORM_FLOOR = 1e-12;

/**
 * Row-wise dot products of a [N, d] and b [N, d] -> [N]. On tfjs-cpu as a batched matMul
 * [N, 1, d] x [N, d, 1]: the gradient of sum(mul(a, b), -1) broadcasts dy back over d, and
 * tfjs-cpu's broadcasting path costs far more than its matMul. Elsewhere sum(mul(a, b), -1),
 * which is the faster of the two on wasm. The same number either way.
 */
export function rowDotTf(tf: Tf, a: TF.Tensor2D, b: TF.Tensor2D): TF.Tensor1D {
  if (tf.getBackend() !== 'cpu') return tf.sum(tf.mul(a, b), -1);
  const [n, d] = a.shape;
  return tf.reshape(tf.matMul(tf.reshape(a, [n, 1, d]) as TF.Tensor3D, tf.reshape(b, [n, d, 1]) as TF.Tensor3D), [n]);
}

/**
 * Scores of pairs of rows: a [N, d], b [N, d] -> s [N] with s_i = sim(a_i, b_i);
 * dot = a . b, cosine = (a / max(|a|, 1e-12)) . (b / max(|b|, 1e-12)), computed as
 * (a . b) / (max(|a|, 1e-12) max(|b|, 1e-12)), the same number. A forward pass only:
 * gradients come from tfjs autograd.
 */
export function rowScoresTf(tf: Tf, a: TF.Tensor2D, b: TF.Tensor2D, similarity: 'dot' | 'cosine'): TF.Tensor1D {
  const dot = rowDotTf(tf, a, b);
  if (similarity === 'dot') return dot;
  const na = tf.maximum(tf.sqrt(rowDotTf(tf, a, a)), COSINE_NORM_FLOOR);
  const nb = tf.maximum(tf.sqrt(rowDotTf(tf, b, b)), COSINE_NORM_FLOOR);
  return tf.div(dot, tf.mul(na, nb));
}

/** The schema property every loss shares: how a (user, item) pair is scored. */
export const similarityProperty = {
  type: 'string',
  enum: ['dot', 'cosine'],
  default: 'dot',
  description: 'score function: inner product or cosine of the two embeddings',
} as const;

/** softplus(x) = log(1 + e^x), without overflow for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The logistic function, stable on both sides. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** A large negative added to masked scores in tfjs: exp() of it is 0 in float32, and no inf - inf arises. */
export const MASKED_SCORE = -1e9;

/** Unmasked candidate columns (1..cols-1) of the score-matrix row starting at o. */
export function candidateCount(mask: Uint8Array | null, o: number, cols: number): number {
  if (!mask) return cols - 1;
  let n = 0;
  for (let k = 1; k < cols; k++) if (!mask[o + k]) n++;
  return n;
}
