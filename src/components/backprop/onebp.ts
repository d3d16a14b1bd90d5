import { defineComponent } from '../../contract/component.js';
import type { BackpropBehaviour } from '../../contract/training.js';
import { duplicatesProperty } from './duplicates.js';

/**
 * OneBP (OneBP paper 4.2): the gradient updates only the item tower (eq. 5); after the
 * optimiser step each user row in the batch is moved towards its positive item's updated row,
 * u <- beta * u + (1 - beta) * v_pos (eq. 6). For graph encoders both act on the layer-0
 * parameters (OneBP paper 5.3).
 */
export interface MovingAggregationParams {
  beta: number;
  duplicates: 'last' | 'sequential';
}

export function movingAggregationSchema(what: string) {
  return {
    type: 'object',
    properties: {
      beta: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.99, description: `weight of the previous ${what} row in the moving aggregation` },
      duplicates: duplicatesProperty,
    },
    additionalProperties: false,
  } as const;
}

export const onebp = defineComponent<MovingAggregationParams, BackpropBehaviour>({
  slot: 'backprop',
  name: 'onebp',
  version: 1,
  summary: 'OneBP: gradients into the item tower only; users updated by moving aggregation u <- beta u + (1-beta) v+',
  schema: movingAggregationSchema('user'),
  create: (p) => ({ targets: { user: false, item: true }, aggregate: { target: 'user', beta: p.beta, duplicates: p.duplicates }, fused: { code: 'onebp' } }),
});
