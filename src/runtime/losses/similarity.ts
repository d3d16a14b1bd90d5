import type * as TF from '@tensorflow/tfjs-core';

type Tf = typeof TF;

/** Smallest norm a row is divided by under cosine similarity (a zero row scores 0, not NaN). */
export const COSINE_NORM_FLOOR = 1e-12;

/** Rows of x divided by max(|row|, 1e-12), along the last axis. */
export function normalizeRowsTf<T extends TF.Tensor>(tf: Tf, x: T): T {
  const norm = tf.sqrt(tf.sum(tf.square(x), -1, true));
  return tf.div(x, tf.maximum(norm, COSINE_NORM_FLOOR));
}

/**
 * Scores of every sample's candidates: u [B, d], v [B, c, d] -> s [B, c] with
 * s_bk = sim(u_b, v_bk); dot = u . v, cosine = (u / max(|u|, 1e-12)) . (v / max(|v|, 1e-12)).
 * A forward pass only: gradients come from tfjs autograd.
 */
export function scoresTf(tf: Tf, u: TF.Tensor2D, v: TF.Tensor3D, similarity: 'dot' | 'cosine'): TF.Tensor2D {
  let uu: TF.Tensor2D = u;
  let vv: TF.Tensor3D = v;
  if (similarity === 'cosine') {
    uu = normalizeRowsTf(tf, u);
    vv = normalizeRowsTf(tf, v);
  }
  return tf.sum(tf.mul(tf.expandDims(uu, 1), vv), -1);
}
