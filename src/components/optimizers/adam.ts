import type * as TF from '@tensorflow/tfjs-core';
import { defineSpec } from '../../contract/component.js';

/**
 * Adam with PyTorch's semantics (torch.optim.Adam): weight decay is coupled L2 (wd * param is
 * added to the gradient), bias-corrected moments, eps added after the square root. Dense by
 * default: every row of an optimised table is updated at every step, as on a dense
 * nn.Embedding. `lazy: true` updates only the rows a batch touches (torch.optim.SparseAdam /
 * tf LazyAdam); a different algorithm, recorded as such.
 */
export const adamSpec = defineSpec({
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
});

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  lazy: boolean;
}

/** Adam's moments of one table, same shape as the table. */
export interface AdamSlotsTf {
  m: TF.Variable;
  v: TF.Variable;
}

/**
 * One Adam step in tfjs on `param` with the loss gradient `grad` (same shape), at step t >= 1:
 * g = grad + wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * `rows` null: dense, every row. `rows` given (distinct row ids): lazy, only those rows and
 * their moments change. tf.train.adam is not used: it puts eps inside the bias correction and
 * has no coupled weight decay. Call inside tf.tidy.
 */
export function adamTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, slots: AdamSlotsTf, t: number, p: AdamParams, rows: TF.Tensor1D | null): void {
  const bc1 = 1 - Math.pow(p.beta1, t);
  const bc2 = 1 - Math.pow(p.beta2, t);
  const pick = (x: TF.Tensor) => (rows ? tf.gather(x, rows) : x);
  const p0 = pick(param);
  let g = pick(grad);
  if (p.weight_decay !== 0) g = tf.add(g, tf.mul(p0, p.weight_decay));
  const m = tf.add(tf.mul(pick(slots.m), p.beta1), tf.mul(g, 1 - p.beta1));
  const v = tf.add(tf.mul(pick(slots.v), p.beta2), tf.mul(tf.square(g), 1 - p.beta2));
  const step = tf.div(tf.mul(tf.div(m, bc1), p.lr), tf.add(tf.sqrt(tf.div(v, bc2)), p.eps));
  const p1 = tf.sub(p0, step);
  if (rows) {
    const at = tf.expandDims(rows, 1);
    param.assign(tf.tensorScatterUpdate(param, at, p1));
    slots.m.assign(tf.tensorScatterUpdate(slots.m, at, m));
    slots.v.assign(tf.tensorScatterUpdate(slots.v, at, v));
  } else {
    param.assign(p1);
    slots.m.assign(m);
    slots.v.assign(v);
  }
}
