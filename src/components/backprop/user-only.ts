import { defineComponent } from '../../contract/component.js';
import type { BackpropBehaviour } from '../../contract/training.js';
import { movingAggregationSchema, type MovingAggregationParams } from './onebp.js';

/**
 * The flip of OneBP (OneBP paper 5.5, Table 4): the gradient updates only the user tower; after
 * the optimiser step each positive item row is moved towards its user's updated row,
 * v <- beta * v + (1 - beta) * u.
 */
export const userOnly = defineComponent<MovingAggregationParams, BackpropBehaviour>({
  slot: 'backprop',
  name: 'user_only',
  version: 1,
  summary: 'the flip of OneBP: gradients into the user tower only; items updated by v <- beta v + (1-beta) u',
  schema: movingAggregationSchema('item'),
  create: (p) => ({ targets: { user: true, item: false }, aggregate: { target: 'item', beta: p.beta, duplicates: p.duplicates }, fused: { code: 'user_only' } }),
});
