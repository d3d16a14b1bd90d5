import type * as TF from '@tensorflow/tfjs-core';
import { defineComponent } from '../../contract/component.js';
import type { OptimizerBehaviour } from '../../contract/training.js';

/**
 * Plain stochastic gradient descent with optional coupled weight decay (torch.optim.SGD without
 * momentum): p <- p - lr (G + wd p) on every row of an optimised table.
 */
export interface SgdParams {
  lr: number;
  weight_decay: number;
}

export function referenceSgd(table: Float64Array, grad: Float64Array, p: SgdParams, lrFactor = 1): void {
  const lr = p.lr * lrFactor;
  for (let i = 0; i < table.length; i++) table[i] = table[i]! - lr * (grad[i]! + p.weight_decay * table[i]!);
}

/** One SGD step in tfjs on every row. Call inside tf.tidy. */
export function sgdTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, p: SgdParams, lrFactor = 1): void {
  const g = p.weight_decay !== 0 ? tf.add(grad, tf.mul(param, p.weight_decay)) : grad;
  param.assign(tf.sub(param, tf.mul(g, p.lr * lrFactor)));
}

export const sgd = defineComponent<SgdParams, OptimizerBehaviour>({
  slot: 'optimizer',
  name: 'sgd',
  version: 1,
  summary: 'stochastic gradient descent, p <- p - lr (g + wd p); only touched rows change when wd = 0',
  schema: {
    type: 'object',
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'learning rate' },
      weight_decay: { type: 'number', minimum: 0, default: 0, description: 'coupled L2: wd * param is added to the gradient of every row' },
    },
    additionalProperties: false,
  },
  create: (p) => ({
    slots: [],
    lazy: false,
    reference: (table, grad, _slots, _rows, _dim, _t, lrFactor) => referenceSgd(table, grad, p, lrFactor),
    tf: (tf, param, grad, _slots, _t, _rows, lrFactor) => sgdTf(tf, param, grad, p, lrFactor),
    fused: { code: 'sgd', lr: p.lr, weightDecay: p.weight_decay, beta1: 0, beta2: 0, eps: 0 },
  }),
});
