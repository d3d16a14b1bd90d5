import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { CsrAdjacency, EncoderBehaviour, PreparedEncoder, Tables64, TrainingData } from '../../contract/training.js';
import { buildNormalizedAdjacency, buildNormalizedAdjacencyReference } from './graph/normalized-adjacency.js';
import { sparseMultiplyTf } from './graph/sparse-multiply-tf.js';
import { initProperties, initTables, type InitParams } from './init-tables.js';

/**
 * SVD++ as the SSM paper writes it (Wu et al., "On the Effectiveness of Sampled Softmax Loss for
 * Item Recommendation", eq. 30 and the user-side rule it mirrors): one message-passing step on
 * one side of the user-item graph, from the other side's ID embeddings p^(0), q^(0):
 *   side: item (eq. 30)  p_u = p_u^(0),  q_i = q_i^(0) + sum_{u in P_i} p_u^(0) / (|P_i|^a0 |P_u|^a1)
 *   side: user           q_i = q_i^(0),  p_u = p_u^(0) + sum_{i in P_u} q_i^(0) / (|P_u|^a0 |P_i|^a1)
 * P_u / P_i are the distinct training items of u / users of i; a0 normalises by the receiving
 * node's degree, a1 by the sender's. In matrix form E = (I + N) E^(0) with N the one-sided block
 * of these coefficients, so the adjoint is dL/dE^(0) = dL/dE + N^T dL/dE.
 *
 * Vanilla SVD++ (Koren 2008, without biases) is side: user, alpha0: 0.5, alpha1: 0,
 *   p_u = p_u^(0) + |P_u|^-1/2 sum_{i in P_u} y_i,
 * with the implicit factors y_i tied to the item ID embeddings q_i^(0), as the SSM paper's
 * "vanilla SVD++ on the user side" does (Koren keeps a separate table y; a tied y is what eq. 30
 * and its mirror describe). These are the defaults.
 * A batch's gradient reaches every neighbour of its rows, so lazy optimisers do not apply; OneBP
 * and user_only act on the layer-0 (ID) rows, as for lightgcn (OneBP paper 5.3).
 */
export interface SvdppParams extends InitParams {
  side: 'user' | 'item';
  alpha0: number;
  alpha1: number;
}

/** The non-zeros of N: message from column `from` (layer-0 row) into row `to`, with coefficient c. */
export interface SvdppMessages {
  to: Int32Array;
  from: Int32Array;
  coef: Float64Array;
}

/**
 * N's entries over n = numUsers + numItems rows (users first), from the adjacency's structure:
 * a user row's columns are its items (numUsers + i), an item row's its users, each distinct.
 */
export function svdppMessages(adj: { numUsers: number; n: number; indptr: Int32Array; indices: Int32Array }, p: Pick<SvdppParams, 'side' | 'alpha0' | 'alpha1'>): SvdppMessages {
  const { numUsers, n, indptr, indices } = adj;
  const deg = (r: number) => indptr[r + 1]! - indptr[r]!;
  const [lo, hi] = p.side === 'user' ? [0, numUsers] : [numUsers, n];
  const count = indptr[hi]! - indptr[lo]!;
  const to = new Int32Array(count);
  const from = new Int32Array(count);
  const coef = new Float64Array(count);
  let e = 0;
  for (let r = lo; r < hi; r++) {
    const receive = Math.pow(deg(r), -p.alpha0);
    for (let j = indptr[r]!; j < indptr[r + 1]!; j++) {
      const c = indices[j]!;
      to[e] = r;
      from[e] = c;
      coef[e] = receive * Math.pow(deg(c), -p.alpha1);
      e++;
    }
  }
  return { to, from, coef };
}

function stack(t: Tables64): Float64Array {
  const out = new Float64Array(t.user.length + t.item.length);
  out.set(t.user, 0);
  out.set(t.item, t.user.length);
  return out;
}
const unstack = (x: Float64Array, numUsers: number, dim: number): Tables64 => ({ user: x.slice(0, numUsers * dim), item: x.slice(numUsers * dim), dim });

/** E = (I + N) E0 (forward) or dE0 = (I + N^T) dE (adjoint), float64. */
function applyReference(m: SvdppMessages, x: Float64Array, dim: number, transposed: boolean): Float64Array {
  const y = Float64Array.from(x);
  for (let e = 0; e < m.to.length; e++) {
    const [dst, src] = transposed ? [m.from[e]!, m.to[e]!] : [m.to[e]!, m.from[e]!];
    const c = m.coef[e]!;
    for (let t = 0; t < dim; t++) y[dst * dim + t]! += c * x[src * dim + t]!;
  }
  return y;
}

export function prepareSvdpp(data: TrainingData, p: SvdppParams): PreparedEncoder {
  const { numUsers, numItems, pairUsers, pairItems } = data;
  // the reference builds its own structure from the pairs; tfjs uses the cached adjacency's
  let reference: SvdppMessages | null = null;
  const ref = () => (reference ??= svdppMessages(buildNormalizedAdjacencyReference(numUsers, numItems, pairUsers, pairItems), p));
  let tfMessages: SvdppMessages | null = null;
  const fromAdjacency = (): SvdppMessages => {
    const adj: CsrAdjacency = data.adjacency ?? buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
    return (tfMessages ??= svdppMessages(adj, p));
  };
  return {
    embedReference: (t) => unstack(applyReference(ref(), stack(t), t.dim, false), numUsers, t.dim),
    backwardReference: (t, g) => unstack(applyReference(ref(), stack(g), t.dim, true), numUsers, t.dim),
    embedTf(tf, user, item) {
      const m = fromAdjacency();
      const x = tf.concat([user, item], 0) as TF.Tensor2D;
      const msgs = sparseMultiplyTf(tf, x, tf.tensor1d(m.to, 'int32'), tf.tensor1d(m.from, 'int32'), tf.tensor2d(Float32Array.from(m.coef), [m.coef.length, 1]), numUsers + numItems);
      const e = tf.add(x, msgs) as TF.Tensor2D;
      return { user: tf.slice(e, [0, 0], [numUsers, -1]), item: tf.slice(e, [numUsers, 0], [-1, -1]) };
    },
  };
}

export const svdpp = defineComponent<SvdppParams, EncoderBehaviour>({
  slot: 'encoder',
  name: 'svdpp',
  version: 1,
  summary: "SVD++ (SSM paper eq. 30): ID embeddings plus the normalised sum of the neighbours' on one side; defaults are vanilla SVD++",
  needs: ['adjacency'],
  schema: {
    type: 'object',
    properties: {
      ...initProperties,
      side: { type: 'string', enum: ['user', 'item'], default: 'user', description: 'which tower aggregates its neighbours: user (vanilla SVD++) or item (SSM eq. 30)' },
      alpha0: { type: 'number', minimum: 0, maximum: 2, default: 0.5, description: "exponent of the receiving node's degree in the normalisation |P_recv|^-a0 (0.5: vanilla SVD++)" },
      alpha1: { type: 'number', minimum: 0, maximum: 2, default: 0, description: "exponent of each sending neighbour's degree |P_send|^-a1 (0: vanilla SVD++)" },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    dim: p.dim,
    init: (numUsers, numItems, seed) => initTables(numUsers, numItems, p, seed),
    embeddingsAreParameters: false,
    batchLocalGradient: false,
    prepare: (data) => prepareSvdpp(data, p),
  }),
});
