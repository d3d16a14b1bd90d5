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
      description: 'metrics computed by full ranking over all items: `precision, ndcg @ 5, 10` (every metric at every cutoff) or `recall@20, ndcg@10` (each its own)',
    },
    cutoffs: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 10000 },
      minItems: 1,
      uniqueItems: true,
      default: [5, 10, 20],
      description: 'list lengths K',
    },
    columns: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z_]+@[1-9][0-9]*$' },
      minItems: 1,
      uniqueItems: true,
      description: 'not written: set by per-metric cutoffs, `metrics: recall@20, ndcg@10, precision @ 5, 10` (the pairs reported when they are not every metric at every cutoff)',
    },
  },
  additionalProperties: false,
};

export interface EvaluateParams {
  /** Every metric named (the union over the per-metric groups). */
  metrics: MetricName[];
  /** Every cutoff named (the union over the per-metric groups). */
  cutoffs: number[];
  /**
   * Present only when the block names per-metric cutoffs that are not the full grid
   * (`metrics: recall@20, ndcg@10`), so the content keys of grid-form blocks are unchanged.
   */
  columns?: string[];
}

/** The reported `metric@K` columns, in the order written: the full grid metrics x cutoffs unless `columns` narrows it. */
export function evaluatedColumns(p: Pick<EvaluateParams, 'metrics' | 'cutoffs' | 'columns'>): string[] {
  return p.columns ? [...p.columns] : p.metrics.flatMap((m) => p.cutoffs.map((k) => `${m}@${k}`));
}

/** How a dataset's results are selected and reported (a dataset property, since it follows from its split). */
export type Protocol = 'validation' | 'paper';
