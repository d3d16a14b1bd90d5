import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { OptimizerBehaviour, Slots64, SlotsTf } from '../../contract/training.js';

/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, amsgrad off, dense): the weight decay is
 * decoupled, a shrink of the parameter by lr wd before the Adam step on the raw gradient:
 *   p = p (1 - lr wd);  m = b1 m + (1 - b1) G;  v = b2 v + (1 - b2) G^2;
 *   p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * Under a schedule, lr is the epoch's lr in both places (as torch's scheduler sets group['lr']).
 * Every row of an optimised table steps at every step.
 */
export interface AdamwParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
}

/** One AdamW step on a float64 table (every row) at step t >= 1. Mutates table, m and v. */
export function referenceAdamw(table: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, t: number, p: AdamwParams, lrFactor = 1): void {
  const { beta1: b1, beta2: b2, eps } = p;
  const lr = p.lr * lrFactor;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2 = 1 - Math.pow(b2, t);
  const shrink = 1 - lr * p.weight_decay;
  for (let i = 0; i < table.length; i++) {
    const g = grad[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * g;
    v[i] = b2 * v[i]! + (1 - b2) * g * g;
    table[i] = table[i]! * shrink - (lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  }
}

/** The same step in tfjs. Call inside tf.tidy. */
export function adamwTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, slots: SlotsTf, t: number, p: AdamwParams, lrFactor = 1): void {
  const lr = p.lr * lrFactor;
  const sm = slots['m']!;
  const sv = slots['v']!;
  const bc1 = 1 - Math.pow(p.beta1, t);
  const bc2 = 1 - Math.pow(p.beta2, t);
  const m = tf.add(tf.mul(sm, p.beta1), tf.mul(grad, 1 - p.beta1));
  const v = tf.add(tf.mul(sv, p.beta2), tf.mul(tf.square(grad), 1 - p.beta2));
  const step = tf.div(tf.mul(tf.div(m, bc1), lr), tf.add(tf.sqrt(tf.div(v, bc2)), p.eps));
  param.assign(tf.sub(tf.mul(param, 1 - lr * p.weight_decay), step));
  sm.assign(m);
  sv.assign(v);
}

export const adamw = defineComponent<AdamwParams, OptimizerBehaviour>({
  slot: 'optimizer',
  name: 'adamw',
  version: 1,
  summary: 'AdamW (PyTorch semantics): Adam with decoupled weight decay p <- p (1 - lr wd), dense',
  schema: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'learning rate' },
      beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'decay of the first moment' },
      beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999, description: 'decay of the second moment' },
      eps: { type: 'number', exclusiveMinimum: 0, default: 1e-8, description: 'added to the square root of the second moment' },
      weight_decay: { type: 'number', minimum: 0, default: 0.01, description: 'decoupled decay: every step multiplies the parameters by 1 - lr wd (torch default 0.01)' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    slots: ['m', 'v'],
    lazy: false,
    reference: (table, grad, slots: Slots64, _rows, _dim, t, lrFactor) => referenceAdamw(table, grad, slots['m']!, slots['v']!, t, p, lrFactor),
    tf: (tf, param, grad, slots, t, _rows, lrFactor) => adamwTf(tf, param, grad, slots, t, p, lrFactor),
  }),
});
