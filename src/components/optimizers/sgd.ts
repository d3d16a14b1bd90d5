import type * as TF from '@tensorflow/tfjs-core';
import { defineSpec } from '../../contract/component.js';

/** Plain stochastic gradient descent with optional coupled weight decay (torch.optim.SGD without momentum). */
export const sgdSpec = defineSpec({
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
});

export interface SgdParams {
  lr: number;
  weight_decay: number;
}

/** One SGD step in tfjs on every row: p = p - lr (grad + wd p). Call inside tf.tidy. */
export function sgdTf(tf: typeof TF, param: TF.Variable, grad: TF.Tensor, p: SgdParams): void {
  const g = p.weight_decay !== 0 ? tf.add(grad, tf.mul(param, p.weight_decay)) : grad;
  param.assign(tf.sub(param, tf.mul(g, p.lr)));
}
