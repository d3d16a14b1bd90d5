import type { StepKind } from '../../contract/steps.js';
import type { Step } from './step.js';
import { adjacencyStep } from '../steps/adjacency.js';
import { evaluateStep } from '../steps/evaluate.js';
import { loadDatasetStep } from '../steps/load-dataset.js';
import { splitStep } from '../steps/split.js';
import { trainStep } from '../steps/train.js';

/** Step kind -> implementation. Explicit, so that the set of steps is visible in one place. */
export const STEPS: Record<StepKind, Step> = {
  load_dataset: loadDatasetStep,
  split: splitStep,
  adjacency: adjacencyStep,
  train: trainStep,
  evaluate: evaluateStep,
};
