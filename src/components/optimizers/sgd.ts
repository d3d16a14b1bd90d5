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

export function referenceSgd(table: Float64Array, grad: Float64Array, p: SgdParams): void {
  for (let i = 0; i < table.length; i++) table[i] = table[i]! - p.lr * (grad[i]! + p.weight_decay * table[i]!);
}

/** One SGD step in tfjs on every row. Call inside tf.tidy. */
export function sgdTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, p: SgdParams): void {
  const g = p.weight_decay !== 0 ? tf.add(grad, tf.mul(param, p.weight_decay)) : grad;
  param.assign(tf.sub(param, tf.mul(g, p.lr)));
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
    reference: (table, grad) => referenceSgd(table, grad, p),
    tf: (tf, param, grad) => sgdTf(tf, param, grad, p),
    fused: { code: 'sgd', lr: p.lr, weightDecay: p.weight_decay, beta1: 0, beta2: 0, eps: 0 },
  }),
});
