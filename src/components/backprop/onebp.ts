import { defineSpec } from '../../contract/component.js';
import { duplicatesProperty } from './duplicates.js';

/**
 * OneBP (OneBP paper 4.2): the gradient updates only the item tower (eq. 5); after the
 * optimiser step each user row in the batch is moved towards its positive item's updated row,
 * u <- beta * u + (1 - beta) * v_pos (eq. 6).
 */
export const onebpSpec = defineSpec({
  slot: 'backprop',
  name: 'onebp',
  version: 1,
  summary: 'OneBP: gradients into the item tower only; users updated by moving aggregation u <- beta u + (1-beta) v+',
  schema: {
    type: 'object',
    properties: {
      beta: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.99, description: 'weight of the previous user row in the moving aggregation' },
      duplicates: duplicatesProperty,
    },
    additionalProperties: false,
  },
});

export interface MovingAggregationParams {
  beta: number;
  duplicates: 'last' | 'sequential';
}
