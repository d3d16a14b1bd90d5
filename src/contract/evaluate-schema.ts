import type { ParamSchema } from './component.js';
import { METRIC_NAMES, type MetricName } from './training-schema.js';

/** The `evaluate { ... }` block. */
export const evaluateSchema: ParamSchema = {
  type: 'object',
  properties: {
    metrics: {
      type: 'array',
      items: { type: 'string', enum: [...METRIC_NAMES] },
      minItems: 1,
      uniqueItems: true,
      default: ['precision', 'recall', 'f1', 'ndcg'],
      description: 'metrics computed by full ranking over all items',
    },
    cutoffs: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 10000 },
      minItems: 1,
      uniqueItems: true,
      default: [5, 10, 20],
      description: 'list lengths K',
    },
  },
  additionalProperties: false,
};

export interface EvaluateParams {
  metrics: MetricName[];
  cutoffs: number[];
}

/** How a dataset's results are selected and reported (a dataset property, since it follows from its split). */
export type Protocol = 'validation' | 'paper';
