import { defineSpec } from '../component.js';

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
