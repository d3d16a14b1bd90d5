import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { OptimizerBehaviour, Slots64, SlotsTf } from '../../contract/training.js';

/**
 * Adam with PyTorch's semantics (torch.optim.Adam): weight decay is coupled L2 (wd * param is
 * added to the gradient), bias-corrected moments, eps added after the square root. Dense by
 * default: every row of an optimised table is updated at every step, as on a dense
 * nn.Embedding. `lazy: true` updates only the rows a batch touches (torch.optim.SparseAdam /
 * tf LazyAdam); a different algorithm, recorded as such.
 *
 * At step t >= 1 with gradient G: g = G + wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  lazy: boolean;
}

/** Adam on a float64 table: rows null = dense (every row), else only those rows (lazy). Mutates table, m and v. */
export function referenceAdam(table: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, rows: readonly number[] | null, dim: number, t: number, p: AdamParams, lrFactor = 1): void {
  const { beta1: b1, beta2: b2, eps, weight_decay: wd } = p;
  const lr = p.lr * lrFactor;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2 = 1 - Math.pow(b2, t);
  const update = (i: number) => {
    const g = grad[i]! + wd * table[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * g;
    v[i] = b2 * v[i]! + (1 - b2) * g * g;
    table[i] = table[i]! - (lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  };
  if (rows === null) for (let i = 0; i < table.length; i++) update(i);
  else for (const r of rows) for (let j = 0; j < dim; j++) update(r * dim + j);
}

/**
 * The same step in tfjs. `rows` null: dense, every row. `rows` given (distinct row ids): lazy,
 * only those rows and their moments change. tf.train.adam is not used: it puts eps inside the
 * bias correction and has no coupled weight decay. Call inside tf.tidy.
 */
export function adamTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, slots: SlotsTf, t: number, p: AdamParams, rows: TF.Tensor1D | null, lrFactor = 1): void {
  const lr = p.lr * lrFactor;
  const sm = slots['m']!;
  const sv = slots['v']!;
  const bc1 = 1 - Math.pow(p.beta1, t);
  const bc2 = 1 - Math.pow(p.beta2, t);
  const pick = (x: TF.Tensor) => (rows ? tf.gather(x, rows) : x);
  const p0 = pick(param);
  let g = pick(grad);
  if (p.weight_decay !== 0) g = tf.add(g, tf.mul(p0, p.weight_decay));
  const m = tf.add(tf.mul(pick(sm), p.beta1), tf.mul(g, 1 - p.beta1));
  const v = tf.add(tf.mul(pick(sv), p.beta2), tf.mul(tf.square(g), 1 - p.beta2));
  const step = tf.div(tf.mul(tf.div(m, bc1), lr), tf.add(tf.sqrt(tf.div(v, bc2)), p.eps));
  const p1 = tf.sub(p0, step);
  if (rows) {
    const at = tf.expandDims(rows, 1);
    param.assign(tf.tensorScatterUpdate(param, at, p1));
    sm.assign(tf.tensorScatterUpdate(sm, at, m));
    sv.assign(tf.tensorScatterUpdate(sv, at, v));
  } else {
    param.assign(p1);
    sm.assign(m);
    sv.assign(v);
  }
}

export const adam = defineComponent<AdamParams, OptimizerBehaviour>({
  slot: 'optimizer',
  name: 'adam',
  version: 1,
  summary: 'Adam (PyTorch semantics, coupled weight decay), dense or lazy',
  schema: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'learning rate' },
      beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'decay of the first moment' },
      beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999, description: 'decay of the second moment' },
      eps: { type: 'number', exclusiveMinimum: 0, default: 1e-8, description: 'added to the square root of the second moment' },
      weight_decay: { type: 'number', minimum: 0, default: 0, description: 'coupled L2: wd * param is added to the gradient' },
      lazy: { type: 'boolean', default: false, description: 'update only the rows that the batch touches (SparseAdam); false = dense, every row every step' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    slots: ['m', 'v'],
    lazy: p.lazy,
    reference: (table, grad, slots: Slots64, rows, dim, t, lrFactor) => referenceAdam(table, grad, slots['m']!, slots['v']!, rows, dim, t, p, lrFactor),
    tf: (tf, param, grad, slots, t, rows, lrFactor) => adamTf(tf, param, grad, slots, t, p, rows, lrFactor),
    fused: { code: p.lazy ? 'adam-lazy' : 'adam-dense', lr: p.lr, weightDecay: p.weight_decay, beta1: p.beta1, beta2: p.beta2, eps: p.eps },
  }),
});
