import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { CsrAdjacency, EncoderBehaviour, PreparedEncoder, Tables64, TrainingData } from '../../contract/training.js';
import { buildNormalizedAdjacency, buildNormalizedAdjacencyReference } from './graph/normalized-adjacency.js';
import { propagateBackwardReference, propagateForwardReference } from './graph/propagation-reference.js';
import { initProperties, initTables, type InitParams } from './init-tables.js';

/**
 * LightGCN (He et al. 2020): the parameters are layer-0 embeddings E0 = [U; V] of the users and
 * items; the embeddings that score are the mean of K propagations over the user-item graph,
 *   E = 1/(K+1) sum_{k=0..K} Â^k E0,   Â = D^-1/2 A D^-1/2,
 * A the symmetric bipartite adjacency of the training pairs (graph/normalized-adjacency.ts).
 * Backward: dL/dE0 = 1/(K+1) sum_k Â^k dL/dE (Â is symmetric). Every row gets gradient from
 * every batch (the graph spreads it), so lazy optimisers do not apply; OneBP and user_only act
 * on the layer-0 rows (OneBP paper 5.3). K = 0 is MF.
 */
export interface LightgcnParams extends InitParams {
  layers: number;
}

/** [user; item] rows as one n x d table, and back. */
function stack(t: Tables64): Float64Array {
  const out = new Float64Array(t.user.length + t.item.length);
  out.set(t.user, 0);
  out.set(t.item, t.user.length);
  return out;
}
function unstack(x: Float64Array, numUsers: number, dim: number): Tables64 {
  return { user: x.slice(0, numUsers * dim), item: x.slice(numUsers * dim), dim };
}

/**
 * One propagation y = Â x in tfjs as a gather of neighbour rows, scaled by the edge values, and
 * a segment sum into the rows: autograd's backward is the transposed scatter, Â^T g = Â g.
 */
function propagateTf(tf: typeof TF, x: TF.Tensor2D, adj: CsrAdjacency, edges: { rows: Int32Array; cols: Int32Array }): TF.Tensor2D {
  const msgs = tf.mul(tf.gather(x, tf.tensor1d(edges.cols, 'int32')), tf.tensor2d(adj.values, [adj.nnz, 1]));
  return tf.unsortedSegmentSum(msgs, tf.tensor1d(edges.rows, 'int32'), adj.n) as TF.Tensor2D;
}

export function prepareLightgcn(data: TrainingData, layers: number): PreparedEncoder & { adjacency: CsrAdjacency } {
  const { numUsers, numItems, pairUsers, pairItems } = data;
  const adjacency = data.adjacency ?? buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
  let reference: ReturnType<typeof buildNormalizedAdjacencyReference> | null = null;
  const ref = () => (reference ??= buildNormalizedAdjacencyReference(numUsers, numItems, pairUsers, pairItems));
  let edges: { rows: Int32Array; cols: Int32Array } | null = null;
  const edgeList = () => {
    if (edges) return edges;
    const rows = new Int32Array(adjacency.nnz);
    for (let r = 0; r < adjacency.n; r++) rows.fill(r, adjacency.indptr[r]!, adjacency.indptr[r + 1]!);
    return (edges = { rows, cols: adjacency.indices });
  };
  return {
    adjacency,
    embedReference: (p) => unstack(propagateForwardReference(ref(), stack(p), p.dim, layers), numUsers, p.dim),
    backwardReference: (p, g) => unstack(propagateBackwardReference(ref(), stack(g), p.dim, layers), numUsers, p.dim),
    embedTf(tf, user, item) {
      let x = tf.concat([user, item], 0) as TF.Tensor2D;
      let sum = x;
      for (let k = 1; k <= layers; k++) {
        x = propagateTf(tf, x, adjacency, edgeList());
        sum = tf.add(sum, x);
      }
      const e = tf.div(sum, layers + 1) as TF.Tensor2D;
      return { user: tf.slice(e, [0, 0], [numUsers, -1]), item: tf.slice(e, [numUsers, 0], [-1, -1]) };
    },
  };
}

export const lightgcn = defineComponent<LightgcnParams, EncoderBehaviour>({
  slot: 'encoder',
  name: 'lightgcn',
  version: 1,
  summary: 'LightGCN: layer-0 embeddings propagated K times over the normalised user-item graph, layers averaged',
  needs: ['adjacency'],
  schema: {
    type: 'object',
    properties: {
      ...initProperties,
      layers: { type: 'integer', minimum: 0, maximum: 8, default: 3, description: 'propagation layers K (0 = MF)' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    dim: p.dim,
    init: (numUsers, numItems, seed) => initTables(numUsers, numItems, p, seed),
    embeddingsAreParameters: false,
    batchLocalGradient: p.layers === 0,
    prepare: (data) => prepareLightgcn(data, p.layers),
    fused: { kind: 'graph', layers: p.layers },
  }),
});
