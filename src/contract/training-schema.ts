import type { ParamSchema } from './component.js';

/** Per-user accuracy metrics of a top-K list (higher is better): what early stopping may monitor. */
export const ACCURACY_METRICS = ['precision', 'recall', 'f1', 'ndcg', 'hr', 'mrr', 'map', 'recall_calibrated'] as const;
/** Beyond-accuracy metrics with a value per user (their mean is reported; significance tests apply). */
export const PER_USER_BEYOND_ACCURACY = ['avg_pop'] as const;
/** Corpus-level metrics: one number per evaluation over every user's list, no per-user values. */
export const CORPUS_METRICS = ['coverage', 'gini'] as const;
export const METRIC_NAMES = [...ACCURACY_METRICS, ...PER_USER_BEYOND_ACCURACY, ...CORPUS_METRICS] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type AccuracyMetric = (typeof ACCURACY_METRICS)[number];

/** The metrics the paper protocol tracked on test before the beyond-accuracy ones existed (part of train content keys). */
export const PAPER_TRACKED_METRICS: readonly MetricName[] = ['precision', 'recall', 'f1', 'ndcg', 'hr', 'mrr', 'map'];

/** `coverage@10` -> 'coverage'; a column of a results table back to its metric. */
export function metricOfColumn(column: string): string {
  const at = column.lastIndexOf('@');
  return at < 0 ? column : column.slice(0, at);
}

/** Corpus-level columns (coverage@K, gini@K) have no per-user values: no significance test, no per-user mean. */
export function isCorpusColumn(column: string): boolean {
  return (CORPUS_METRICS as readonly string[]).includes(metricOfColumn(column));
}

/** Columns that are not accuracy (popularity, coverage, Gini): "best over epochs" has no direction for them. */
export function isBeyondAccuracyColumn(column: string): boolean {
  return !(ACCURACY_METRICS as readonly string[]).includes(metricOfColumn(column));
}

/** `ndcg@20 on valid` */
export interface MetricRef {
  metric: AccuracyMetric;
  k: number;
  split: 'valid' | 'test';
}

export const metricRefSchema = {
  type: 'object',
  properties: {
    // only accuracy metrics select epochs: a larger coverage or popularity is not a better model
    metric: { type: 'string', enum: [...ACCURACY_METRICS] },
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
