import { defineSpec } from '../component.js';

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
