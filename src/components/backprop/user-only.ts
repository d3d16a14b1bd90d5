import { defineSpec } from '../../contract/component.js';
import { duplicatesProperty } from './duplicates.js';

/**
 * The flip of OneBP (OneBP paper 5.5, Table 4): the gradient updates only the user tower; after
 * the optimiser step each positive item row is moved towards its user's updated row,
 * v <- beta * v + (1 - beta) * u.
 */
export const userOnlySpec = defineSpec({
  slot: 'backprop',
  name: 'user_only',
  version: 1,
  summary: 'the flip of OneBP: gradients into the user tower only; items updated by v <- beta v + (1-beta) u',
  schema: {
    type: 'object',
    properties: {
      beta: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.99, description: 'weight of the previous item row in the moving aggregation' },
      duplicates: duplicatesProperty,
    },
    additionalProperties: false,
  },
});
