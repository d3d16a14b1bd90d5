import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { EncoderBehaviour, PreparedEncoder, Tables, Tables64, TrainingData, TrainPass } from '../../contract/training.js';
import { InternalError } from '../../core/errors.js';
import { hash4, unitFrom } from '../../core/rng.js';
import { buildNormalizedAdjacency, buildNormalizedAdjacencyReference } from './graph/normalized-adjacency.js';
import { multiplyTransposedReference, type CsrMatrix } from './graph/propagation-reference.js';
import { sparseMultiplyTf } from './graph/sparse-multiply-tf.js';
import { initProperties, initTables, type InitParams } from './init-tables.js';

/**
 * NGCF (Wang et al. 2019, "Neural Graph Collaborative Filtering", eq. 7 in matrix form), over the
 * normalised adjacency L = D^-1/2 A D^-1/2 of the training pairs (graph/normalized-adjacency.ts):
 *   S^l     = L E^l                                     (neighbour messages)
 *   Z^l     = (S^l + E^l) W1_l + b1_l + (S^l ⊙ E^l) W2_l + b2_l     (= (L + I) E W1 + (L E) ⊙ E W2 + biases)
 *   E^(l+1) = dropout( LeakyReLU(Z^l, 0.2) )            (message dropout, rate `dropout`)
 * and the final embedding of a node is the concatenation [E^0 | E^1 | ... | E^K] (the paper's
 * eq. 9; the authors' code L2-normalises each layer before concatenating, the paper does not:
 * expc follows the paper). Embeddings therefore have dim (K + 1) d; every layer keeps width d.
 * Node dropout (rate `node_dropout`) drops entries of L for the whole step, keeping the others
 * scaled by 1 / (1 - rate), as the authors' code does to the sparse Laplacian; message dropout
 * zeroes entries of each layer's output, scaling the rest by 1 / (1 - rate). Both draw
 * counter-based uniforms from (run seed, step, layer, entry), so runs and engines agree, and
 * neither applies outside training (evaluation, model-aware samplers).
 * Parameters: the layer-0 tables [U; V] = E^0 plus W1_l, W2_l (d x d) and b1_l, b2_l (1 x d) per
 * layer, xavier-uniform initialised as in the authors' code. OneBP and user_only act on the
 * layer-0 rows (OneBP paper 5.3, as for lightgcn); the weights are trained by the loss gradient
 * whichever tower gets it.
 *
 * Adjoint of one layer (input E, output H' = M ⊙ LeakyReLU(Z)), from dH':
 *   dZ = dH' ⊙ M ⊙ (Z > 0 ? 1 : 0.2);  dW1 = (S + E)^T dZ;  dW2 = (S ⊙ E)^T dZ;  db1 = db2 = 1^T dZ
 *   P = dZ W1^T;  Q = dZ W2^T;  dS = P + Q ⊙ E;  dE = P + Q ⊙ S + L^T dS
 * (L^T with the dropped entries, so node dropout's mask is transposed too).
 */
export interface NgcfParams extends InitParams {
  layers: number;
  dropout: number;
  node_dropout: number;
}

/** LeakyReLU's negative slope (the authors' code), shared with the fused pass. */
export const NGCF_SLOPE = 0.2;
const SLOPE = NGCF_SLOPE;
/** Counter streams of NGCF's random draws (distinct from core/rng's Stream values). */
const STREAM_MESSAGE_DROPOUT = 0x4e470001;
const STREAM_NODE_DROPOUT = 0x4e470002;
const STREAM_WEIGHTS = 0x4e470003;

/** The weight names of layer l, in parameter order. */
export const ngcfWeightNames = (l: number): [string, string, string, string] => [`w1_${l}`, `w2_${l}`, `b1_${l}`, `b2_${l}`];

export function ngcfWeightShapes(dim: number, layers: number): Record<string, readonly [number, number]> {
  const out: Record<string, readonly [number, number]> = {};
  for (let l = 0; l < layers; l++) {
    const [w1, w2, b1, b2] = ngcfWeightNames(l);
    out[w1] = [dim, dim];
    out[w2] = [dim, dim];
    out[b1] = [1, dim];
    out[b2] = [1, dim];
  }
  return out;
}

/** Xavier-uniform on +-sqrt(6 / (rows + cols)) (torch.nn.init.xavier_uniform_ of a rows x cols matrix), counter-based. */
function initWeights(dim: number, layers: number, seed: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  let k = 0;
  for (const [name, [rows, cols]] of Object.entries(ngcfWeightShapes(dim, layers))) {
    const bound = Math.sqrt(6 / (rows + cols));
    const w = new Float32Array(rows * cols);
    for (let i = 0; i < w.length; i++) w[i] = bound * (2 * unitFrom(hash4(seed, STREAM_WEIGHTS, k, i)) - 1);
    out[name] = w;
    k++;
  }
  return out;
}

/** Whether entry `index` of `layer`'s output is kept at `pass` (rate p > 0). */
const keptMessage = (pass: TrainPass, layer: number, index: number, p: number) => unitFrom(hash4(pass.seed, STREAM_MESSAGE_DROPOUT + ((layer + 1) << 8), pass.step, index)) >= p;
const keptEdge = (pass: TrainPass, entry: number, p: number) => unitFrom(hash4(pass.seed, STREAM_NODE_DROPOUT, pass.step, entry)) >= p;

/** The message-dropout scale of every entry of a layer's n x d output (0 or 1 / (1 - p)); null when nothing is dropped. */
export function messageMask(pass: TrainPass | undefined, layer: number, size: number, p: number): Float64Array | null {
  if (!pass || p <= 0) return null;
  const m = new Float64Array(size);
  const keep = 1 / (1 - p);
  for (let i = 0; i < size; i++) m[i] = keptMessage(pass, layer, i, p) ? keep : 0;
  return m;
}

/** The adjacency's values after node dropout at `pass` (dropped entries 0, kept ones scaled by 1 / (1 - p)). */
export function droppedValues(values: ArrayLike<number>, pass: TrainPass | undefined, p: number): Float64Array {
  const out = Float64Array.from(values);
  if (!pass || p <= 0) return out;
  const keep = 1 / (1 - p);
  for (let j = 0; j < out.length; j++) out[j] = keptEdge(pass, j, p) ? out[j]! * keep : 0;
  return out;
}

function multiplyRef(a: CsrMatrix, x: Float64Array, d: number): Float64Array {
  const y = new Float64Array(a.n * d);
  for (let r = 0; r < a.n; r++)
    for (let j = a.indptr[r]!; j < a.indptr[r + 1]!; j++) {
      const c = a.indices[j]!;
      const v = a.values[j]!;
      if (v === 0) continue;
      for (let t = 0; t < d; t++) y[r * d + t]! += v * x[c * d + t]!;
    }
  return y;
}

/** Y = X W (+ b) with X n x d, W d x d row-major, b 1 x d. */
function matmul(X: Float64Array, W: Float64Array, n: number, d: number, b?: Float64Array): Float64Array {
  const Y = new Float64Array(n * d);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < d; c++) {
      let s = b ? b[c]! : 0;
      for (let k = 0; k < d; k++) s += X[r * d + k]! * W[k * d + c]!;
      Y[r * d + c] = s;
    }
  return Y;
}

interface LayerTape {
  input: Float64Array;
  S: Float64Array;
  Z: Float64Array;
  mask: Float64Array | null;
}

const stack = (u: Float64Array, i: Float64Array) => {
  const x = new Float64Array(u.length + i.length);
  x.set(u, 0);
  x.set(i, u.length);
  return x;
};

function weight(t: Tables64, name: string): Float64Array {
  const w = t.weights?.[name];
  if (!w) throw new InternalError(`ngcf: parameter '${name}' is missing`);
  return w;
}

export function prepareNgcf(data: TrainingData, p: NgcfParams): PreparedEncoder {
  const { numUsers, numItems, pairUsers, pairItems } = data;
  const n = numUsers + numItems;
  const K = p.layers;
  let reference: ReturnType<typeof buildNormalizedAdjacencyReference> | null = null;
  const ref = () => (reference ??= buildNormalizedAdjacencyReference(numUsers, numItems, pairUsers, pairItems));
  const adjacency = () => data.adjacency ?? buildNormalizedAdjacency(numUsers, numItems, pairUsers, pairItems);
  let edgeRows: Int32Array | null = null;

  function forward(t: Tables64, pass: TrainPass | undefined): { layers: Float64Array[]; tape: LayerTape[]; L: CsrMatrix } {
    const d = t.dim;
    const a = ref();
    const L: CsrMatrix = { n: a.n, indptr: a.indptr, indices: a.indices, values: droppedValues(a.values, pass, p.node_dropout) };
    let E = stack(t.user, t.item);
    const layers = [E];
    const tape: LayerTape[] = [];
    for (let l = 0; l < K; l++) {
      const [w1, w2, b1, b2] = ngcfWeightNames(l);
      const S = multiplyRef(L, E, d);
      const sum = new Float64Array(n * d);
      const prod = new Float64Array(n * d);
      for (let i = 0; i < sum.length; i++) {
        sum[i] = S[i]! + E[i]!;
        prod[i] = S[i]! * E[i]!;
      }
      const A = matmul(sum, weight(t, w1), n, d, weight(t, b1));
      const B = matmul(prod, weight(t, w2), n, d, weight(t, b2));
      const Z = new Float64Array(n * d);
      const H = new Float64Array(n * d);
      const mask = messageMask(pass, l, n * d, p.dropout);
      for (let i = 0; i < Z.length; i++) {
        Z[i] = A[i]! + B[i]!;
        const h = Z[i]! > 0 ? Z[i]! : SLOPE * Z[i]!;
        H[i] = mask ? h * mask[i]! : h;
      }
      tape.push({ input: E, S, Z, mask });
      E = H;
      layers.push(E);
    }
    return { layers, tape, L };
  }

  function concat(layers: Float64Array[], d: number): Tables64 {
    const D = d * layers.length;
    const out = new Float64Array(n * D);
    for (let r = 0; r < n; r++) layers.forEach((x, l) => out.set(x.subarray(r * d, (r + 1) * d), r * D + l * d));
    return { user: out.slice(0, numUsers * D), item: out.slice(numUsers * D), dim: D };
  }

  return {
    embedReference: (t, pass) => concat(forward(t, pass).layers, t.dim),
    backwardReference(t, grad, pass) {
      const d = t.dim;
      const D = grad.dim;
      const { tape, L } = forward(t, pass);
      const g = stack(grad.user, grad.item);
      const slice = (l: number) => {
        const s = new Float64Array(n * d);
        for (let r = 0; r < n; r++) s.set(g.subarray(r * D + l * d, r * D + (l + 1) * d), r * d);
        return s;
      };
      const weights: Record<string, Float64Array> = {};
      let gE = slice(K);
      for (let l = K - 1; l >= 0; l--) {
        const { input: E, S, Z, mask } = tape[l]!;
        const [w1, w2, b1, b2] = ngcfWeightNames(l);
        const W1 = weight(t, w1);
        const W2 = weight(t, w2);
        const dZ = new Float64Array(n * d);
        for (let i = 0; i < dZ.length; i++) dZ[i] = gE[i]! * (mask ? mask[i]! : 1) * (Z[i]! > 0 ? 1 : SLOPE);
        const dW1 = new Float64Array(d * d);
        const dW2 = new Float64Array(d * d);
        const db = new Float64Array(d);
        for (let r = 0; r < n; r++)
          for (let k = 0; k < d; k++) {
            const sum = S[r * d + k]! + E[r * d + k]!;
            const prod = S[r * d + k]! * E[r * d + k]!;
            for (let c = 0; c < d; c++) {
              dW1[k * d + c]! += sum * dZ[r * d + c]!;
              dW2[k * d + c]! += prod * dZ[r * d + c]!;
            }
          }
        for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) db[c]! += dZ[r * d + c]!;
        weights[w1] = dW1;
        weights[w2] = dW2;
        weights[b1] = db;
        weights[b2] = Float64Array.from(db);
        const dS = new Float64Array(n * d);
        const dIn = new Float64Array(n * d);
        for (let r = 0; r < n; r++)
          for (let k = 0; k < d; k++) {
            let P = 0;
            let Q = 0;
            for (let c = 0; c < d; c++) {
              P += dZ[r * d + c]! * W1[k * d + c]!;
              Q += dZ[r * d + c]! * W2[k * d + c]!;
            }
            const i = r * d + k;
            dS[i] = P + Q * E[i]!;
            dIn[i] = P + Q * S[i]!;
          }
        const back = multiplyTransposedReference(L, dS, d);
        const below = slice(l);
        for (let i = 0; i < dIn.length; i++) dIn[i] = dIn[i]! + back[i]! + below[i]!;
        gE = dIn;
      }
      return { user: gE.slice(0, numUsers * d), item: gE.slice(numUsers * d), dim: d, weights };
    },
    embedTf(tf, user, item, weights, pass) {
      const adj = adjacency();
      if (!edgeRows) {
        edgeRows = new Int32Array(adj.nnz);
        for (let r = 0; r < adj.n; r++) edgeRows.fill(r, adj.indptr[r]!, adj.indptr[r + 1]!);
      }
      const d = user.shape[1];
      const rows = tf.tensor1d(edgeRows, 'int32');
      const cols = tf.tensor1d(adj.indices.subarray(0, adj.nnz), 'int32');
      const values = tf.tensor2d(Float32Array.from(droppedValues(adj.values.subarray(0, adj.nnz), pass, p.node_dropout)), [adj.nnz, 1]);
      let x = tf.concat([user, item], 0) as TF.Tensor2D;
      const outs: TF.Tensor2D[] = [x];
      for (let l = 0; l < K; l++) {
        const [w1, w2, b1, b2] = ngcfWeightNames(l).map((name) => {
          const w = weights?.[name];
          if (!w) throw new InternalError(`ngcf: tfjs weight '${name}' is missing`);
          return w;
        }) as [TF.Tensor2D, TF.Tensor2D, TF.Tensor2D, TF.Tensor2D];
        const S = sparseMultiplyTf(tf, x, rows, cols, values, n);
        const Z = tf.add(tf.add(tf.matMul(tf.add(S, x), w1), b1), tf.add(tf.matMul(tf.mul(S, x), w2), b2)) as TF.Tensor2D;
        let H = tf.leakyRelu(Z, SLOPE) as TF.Tensor2D;
        const mask = messageMask(pass, l, n * d, p.dropout);
        if (mask) H = tf.mul(H, tf.tensor2d(Float32Array.from(mask), [n, d])) as TF.Tensor2D;
        outs.push(H);
        x = H;
      }
      const e = tf.concat(outs, 1) as TF.Tensor2D;
      return { user: tf.slice(e, [0, 0], [numUsers, -1]), item: tf.slice(e, [numUsers, 0], [-1, -1]) };
    },
  };
}

export const ngcf = defineComponent<NgcfParams, EncoderBehaviour>({
  slot: 'encoder',
  name: 'ngcf',
  version: 1,
  summary: 'NGCF: K graph-convolution layers with feature transforms and bi-interaction, LeakyReLU, message and node dropout; layers concatenated',
  needs: ['adjacency'],
  schema: {
    type: 'object',
    properties: {
      ...initProperties,
      layers: { type: 'integer', minimum: 0, maximum: 8, default: 3, description: 'propagation layers K (0 = MF); embeddings have dim (K + 1) d' },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.1, description: "message dropout rate on each layer's output during training" },
      node_dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'rate at which entries of the normalised adjacency are dropped for a training step' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    dim: p.dim,
    init: (numUsers, numItems, seed): Tables => ({ ...initTables(numUsers, numItems, p, seed), weights: initWeights(p.dim, p.layers, seed) }),
    weights: ngcfWeightShapes(p.dim, p.layers),
    embeddingsAreParameters: false,
    batchLocalGradient: false,
    prepare: (data) => prepareNgcf(data, p),
    fused: { kind: 'ngcf', layers: p.layers, dropout: p.dropout, nodeDropout: p.node_dropout },
  }),
});
