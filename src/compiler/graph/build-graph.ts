import { dirname } from 'node:path';
import { PAPER_TRACKED_METRICS } from '../../contract/training-schema.js';
import type { ExperimentModel, Trial } from '../../contract/model.js';
import { ExecutionGraph, type GraphNode } from '../../contract/graph.js';
import { findComponent } from '../../components/catalogue.js';
import { NORMALIZED_ADJACENCY_VERSION } from '../../components/encoders/graph/normalized-adjacency.js';
import { asJson, type AdjacencyParams, type EvaluateStepParams, type LoadDatasetContext, type LoadDatasetParams, type MonitorParams, type SplitParams, type TrainParams } from '../../contract/steps.js';

/**
 * The experiment as steps:
 *
 *   load:<ds> -> split:<ds> -> train:<ds>/<trial> -> evaluate:<ds>/<trial>
 *                        \______________________________^
 *                        \-> adjacency:<ds> -> train (graph encoders only)
 *
 * One load and one split per dataset; one train and one evaluate per trial. Dataset and trial
 * names are not parameters: renaming a run does not invalidate its cached results.
 */
export function buildGraph(model: ExperimentModel): ExecutionGraph {
  const nodes: GraphNode[] = [];
  for (const ds of model.datasets) {
    const file = model.files.find((f) => f.path === ds.range.file)?.path ?? ds.range.file;
    const load: LoadDatasetParams = { loader: ds.loader };
    const context: LoadDatasetContext = { baseDir: dirname(file) };
    nodes.push({ id: `load:${ds.name}`, kind: 'load_dataset', label: `load ${ds.name} (${ds.loader.name})`, params: asJson(load), inputs: [], dataset: ds.name, context: asJson(context) });
    const split: SplitParams = { split: ds.split };
    nodes.push({ id: `split:${ds.name}`, kind: 'split', label: `split ${ds.name} (${ds.split.name})`, params: asJson(split), inputs: [`load:${ds.name}`], dataset: ds.name });
  }
  const adjacencies = new Set<string>();
  for (const trial of model.trials) {
    const ds = model.datasets.find((d) => d.name === trial.dataset)!;
    const train = trainParams(trial, ds.protocol, ds.hasValidation, model);
    const trainId = `train:${trial.dataset}/${trial.id}`;
    const inputs = [`split:${trial.dataset}`];
    // a graph encoder reads the split's normalised adjacency, built once per split and cached
    if (findComponent('encoder', trial.config.encoder.name)?.needs?.includes('adjacency')) {
      const id = `adjacency:${trial.dataset}`;
      if (!adjacencies.has(id)) {
        adjacencies.add(id);
        const adj: AdjacencyParams = { builder: NORMALIZED_ADJACENCY_VERSION };
        nodes.push({ id, kind: 'adjacency', label: `adjacency of ${trial.dataset}`, params: asJson(adj), inputs: [`split:${trial.dataset}`], dataset: trial.dataset });
      }
      inputs.push(id);
    }
    nodes.push({ id: trainId, kind: 'train', label: `train ${trial.id} on ${trial.dataset}`, params: asJson(train), inputs, dataset: trial.dataset, trial: trial.id, run: trial.run });
    const evaluate: EvaluateStepParams = { metrics: model.evaluate.metrics, cutoffs: model.evaluate.cutoffs, ...(model.evaluate.columns ? { columns: model.evaluate.columns } : {}), protocol: ds.protocol };
    nodes.push({
      id: `evaluate:${trial.dataset}/${trial.id}`,
      kind: 'evaluate',
      label: `evaluate ${trial.id} on ${trial.dataset}`,
      params: asJson(evaluate),
      inputs: [trainId, `split:${trial.dataset}`],
      dataset: trial.dataset,
      trial: trial.id,
      run: trial.run,
    });
  }
  return new ExecutionGraph(model.name, nodes);
}

/** Cutoffs tracked on test under the paper protocol whatever the evaluate block says. */
export const PAPER_TRACKED_CUTOFFS = [1, 3, 5, 10, 20, 50, 100] as const;

function trainParams(trial: Trial, protocol: 'validation' | 'paper', hasValidation: boolean, model: ExperimentModel): TrainParams {
  const es = trial.config.training.early_stop;
  let monitor: MonitorParams;
  if (protocol === 'paper') {
    // The paper's protocol reports the best test value of each metric over epochs, so metrics are
    // tracked on test during training: all of them at the usual cutoffs (plus any other the
    // evaluate block asks for), so that editing the evaluate block does not retrain.
    const cutoffs = [...new Set([...PAPER_TRACKED_CUTOFFS, ...model.evaluate.cutoffs])].sort((a, b) => a - b);
    // recall_calibrated joins only when asked for, so experiments without it keep their train keys;
    // beyond-accuracy metrics are never tracked (no best epoch: they are reported from the kept one).
    const extra = model.evaluate.metrics.filter((m) => m === 'recall_calibrated');
    monitor = { split: 'test', metrics: [...PAPER_TRACKED_METRICS, ...extra], cutoffs };
  } else if (es) {
    monitor = { split: 'valid', metrics: [es.metric], cutoffs: [es.k] };
  } else if (hasValidation) {
    monitor = { split: 'valid', metrics: ['ndcg'], cutoffs: [20] };
  } else {
    monitor = { split: null, metrics: [], cutoffs: [] };
  }
  const c = trial.config;
  // an optional slot is in the parameters only when chosen, so runs without one keep their content keys
  return { encoder: c.encoder, sampler: c.sampler, loss: c.loss, backprop: c.backprop, optimizer: c.optimizer, ...(c.regularizer ? { regularizer: c.regularizer } : {}), ...(c.schedule ? { schedule: c.schedule } : {}), training: c.training, monitor };
}
