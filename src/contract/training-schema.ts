import type { ParamSchema } from './component.js';

export const METRIC_NAMES = ['precision', 'recall', 'f1', 'ndcg', 'hr', 'mrr', 'map'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** `ndcg@20 on valid` */
export interface MetricRef {
  metric: MetricName;
  k: number;
  split: 'valid' | 'test';
}

export const metricRefSchema = {
  type: 'object',
  properties: {
    metric: { type: 'string', enum: [...METRIC_NAMES] },
    k: { type: 'integer', minimum: 1, maximum: 10000 },
    split: { type: 'string', enum: ['valid', 'test'] },
  },
  required: ['metric', 'k', 'split'],
  additionalProperties: false,
} as const;

/** The `training: (...)` record. */
export const trainingSchema: ParamSchema = {
  type: 'object',
  properties: {
    batch: { type: 'integer', minimum: 1, maximum: 1048576, default: 1024, description: 'positive pairs per mini-batch' },
    epochs: { type: 'integer', minimum: 1, maximum: 1000000, default: 100, description: 'passes over the training pairs (the most; early stopping may end sooner)' },
    shuffle: { type: 'boolean', default: true, description: 'reshuffle the training pairs every epoch (seeded)' },
    drop_last: { type: 'boolean', default: false, description: 'skip the last, smaller batch of an epoch' },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: 2022, description: 'seed of initialisation, shuffling and negative sampling' },
    eval_every: { type: 'integer', minimum: 1, default: 1, description: 'evaluate the monitored split every this many epochs (and after the last)' },
    early_stop: {
      anyOf: [metricRefSchema, { type: 'null' }],
      default: { metric: 'ndcg', k: 20, split: 'valid' },
      description: 'the metric that selects the kept epoch (`ndcg@20 on valid`); none keeps the last epoch',
    },
    patience: {
      type: ['integer', 'null'],
      minimum: 1,
      default: null,
      description: 'stop after this many evaluations without improvement of early_stop; none trains all epochs and keeps the best',
    },
  },
  additionalProperties: false,
};

export interface TrainingParams {
  batch: number;
  epochs: number;
  shuffle: boolean;
  drop_last: boolean;
  seed: number;
  eval_every: number;
  early_stop: MetricRef | null;
  patience: number | null;
}
