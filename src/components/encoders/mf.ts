import { defineSpec } from '../../contract/component.js';

/**
 * Matrix factorisation: the user and item towers are plain embedding tables (OneBP paper 4.1,
 * "projection-based encoding"). The encoder's output for a user is its row.
 */
export const mfSpec = defineSpec({
  slot: 'encoder',
  name: 'mf',
  version: 1,
  summary: 'matrix factorisation: one trainable d-dimensional row per user and per item',
  schema: {
    type: 'object',
    properties: {
      dim: { type: 'integer', minimum: 1, maximum: 4096, default: 64, description: 'embedding dimension d' },
      init: {
        type: 'string',
        enum: ['xavier_normal', 'xavier_uniform', 'normal', 'uniform'],
        default: 'xavier_normal',
        description: "initialisation of both tables; xavier_* use fan_in = d, fan_out = rows as torch's nn.init on an nn.Embedding weight",
      },
      std: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'standard deviation for init: normal, half-width for init: uniform' },
    },
    additionalProperties: false,
  },
});

export interface MfParams {
  dim: number;
  init: 'xavier_normal' | 'xavier_uniform' | 'normal' | 'uniform';
  std: number;
}
