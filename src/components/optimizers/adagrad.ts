import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { OptimizerBehaviour, Slots64, SlotsTf } from '../../contract/training.js';

/**
 * Adagrad with PyTorch's semantics (torch.optim.Adagrad, lr_decay 0, dense): coupled weight
 * decay, one accumulator of squared gradients per element, started at initial_accumulator:
 *   g = G + wd p;  s = s + g^2;  p = p - lr g / (sqrt(s) + eps).
 * Every row of an optimised table steps at every step (a row without gradient only decays when
 * wd > 0, and then its accumulator grows too, as on a dense nn.Embedding).
 * The slot `s` starts at initial_accumulator: engines create slots as zeros, so the stored slot
 * is s - initial_accumulator and the step adds it back (the same numbers, one slot layout for all).
 */
export interface AdagradParams {
  lr: number;
  eps: number;
  initial_accumulator: number;
  weight_decay: number;
}

/** One Adagrad step on a float64 table (every row). `acc` holds s - initial_accumulator. Mutates table and acc. */
export function referenceAdagrad(table: Float64Array, grad: Float64Array, acc: Float64Array, p: AdagradParams, lrFactor = 1): void {
  const lr = p.lr * lrFactor;
  for (let i = 0; i < table.length; i++) {
    const g = grad[i]! + p.weight_decay * table[i]!;
    acc[i] = acc[i]! + g * g;
    table[i] = table[i]! - (lr * g) / (Math.sqrt(acc[i]! + p.initial_accumulator) + p.eps);
  }
}

/** The same step in tfjs. Call inside tf.tidy. */
export function adagradTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, slots: SlotsTf, p: AdagradParams, lrFactor = 1): void {
  const acc = slots['s']!;
  const g = p.weight_decay !== 0 ? tf.add(grad, tf.mul(param, p.weight_decay)) : grad;
  const s = tf.add(acc, tf.square(g));
  const std = tf.add(tf.sqrt(tf.add(s, p.initial_accumulator)), p.eps);
  param.assign(tf.sub(param, tf.div(tf.mul(g, p.lr * lrFactor), std)));
  acc.assign(s);
}

export const adagrad = defineComponent<AdagradParams, OptimizerBehaviour>({
  slot: 'optimizer',
  name: 'adagrad',
  version: 1,
  summary: 'Adagrad (PyTorch semantics, coupled weight decay, dense): p <- p - lr g / (sqrt(sum g^2) + eps)',
  schema: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'learning rate' },
      eps: { type: 'number', exclusiveMinimum: 0, default: 1e-10, description: 'added to the square root of the accumulator' },
      initial_accumulator: { type: 'number', minimum: 0, default: 0, description: "starting value of every element's sum of squared gradients (torch's initial_accumulator_value)" },
      weight_decay: { type: 'number', minimum: 0, default: 0, description: 'coupled L2: wd * param is added to the gradient' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    slots: ['s'],
    lazy: false,
    reference: (table, grad, slots: Slots64, _rows, _dim, _t, lrFactor) => referenceAdagrad(table, grad, slots['s']!, p, lrFactor),
    tf: (tf, param, grad, slots, _t, _rows, lrFactor) => adagradTf(tf, param, grad, slots, p, lrFactor),
  }),
});
