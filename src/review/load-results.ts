import type { ExecutionGraph } from '../contract/graph.js';
import type { NodeKey } from '../contract/content-key.js';
import type { ExperimentModel, Trial } from '../contract/model.js';
import { InternalError, UserError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { Artifact, ArtifactStore } from '../runtime/cache/artifact-store.js';
import type { SplitData } from '../runtime/data/dataset.js';
import type { Tables } from '../runtime/engine/engine.js';
import { type Curves, decodeSplit, decodeTables } from '../runtime/steps/artifact-codecs.js';

/** What the review reads of one trial's cached train and evaluate steps. */
export interface TrialInputs {
  trial: Trial;
  trainKey: string;
  evaluateKey: string;
  trainMeta: JsonObject;
  curves: Curves;
  /** The kept epoch's embeddings (read on demand: only the analyses need them). */
  tables: () => Tables;
  evaluateMeta: JsonObject;
  /** Test users with at least one test item, ascending; rows of perUser and topK. */
  users: Int32Array;
  columns: string[];
  /** users x columns, row-major. */
  perUser: Float64Array;
  /** users x k ranked item ids. */
  topK: Int32Array;
  k: number;
}

export interface DatasetInputs {
  name: string;
  splitKey: string;
  splitMeta: JsonObject;
  split: () => SplitData;
  /** Raw user ids of the loaded data (null when the loader numbers users itself). */
  userIds: () => string[] | null;
}

export interface ReviewInputs {
  datasets: Map<string, DatasetInputs>;
  /** In model.trials order. */
  trials: TrialInputs[];
  /** Every node's content key, by node id. */
  keys: Map<string, string>;
}

export interface MissingSteps {
  missing: { id: string; label: string; reason?: string }[];
  total: number;
}

/** The error a review gives when results are not in the cache yet (exit code 1). */
export function missingStepsError(experiment: string, file: string, m: MissingSteps): UserError {
  const first = m.missing[0]!;
  return new UserError(
    `${m.missing.length} of ${m.total} steps of ${experiment} are not computed yet (first missing: ${first.label}); run \`expc run ${file}\` first`,
    { hint: first.reason ?? 'or pass --run to run them before writing the review' },
  );
}

const once = <T>(f: () => T): (() => T) => {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
};

/**
 * Looks every step of the experiment up in the cache by its content key (computed without
 * running anything). Returns the steps that are not there, or the inputs of the review.
 */
export function loadResults(
  model: ExperimentModel,
  graph: ExecutionGraph,
  keys: ReadonlyMap<string, NodeKey>,
  blocked: ReadonlyMap<string, Error>,
  store: ArtifactStore,
): { inputs: ReviewInputs } | { missing: MissingSteps } {
  const artifacts = new Map<string, Artifact>();
  const missing: MissingSteps['missing'] = [];
  for (const n of graph.nodes) {
    const b = blocked.get(n.id);
    const k = keys.get(n.id);
    const a = k ? store.get(k.key) : null;
    if (a) artifacts.set(n.id, a);
    else missing.push({ id: n.id, label: n.label, ...(b ? { reason: b.message } : {}) });
  }
  if (missing.length) return { missing: { missing, total: graph.nodes.length } };

  const datasets = new Map<string, DatasetInputs>();
  for (const ds of model.datasets) {
    const split = artifacts.get(`split:${ds.name}`)!;
    const load = artifacts.get(`load:${ds.name}`)!;
    datasets.set(ds.name, {
      name: ds.name,
      splitKey: split.key,
      splitMeta: split.meta,
      split: once(() => decodeSplit(split)),
      userIds: once(() => load.json<{ users: string[] | null }>('ids.json').users),
    });
  }
  const trials = model.trials.map((trial): TrialInputs => {
    const train = artifacts.get(`train:${trial.dataset}/${trial.id}`)!;
    const ev = artifacts.get(`evaluate:${trial.dataset}/${trial.id}`)!;
    const per = ev.npy('per_user.npy');
    const users = ev.npy('users.npy').data;
    const top = ev.npy('top_k.npy');
    if (!(per.data instanceof Float64Array) || !(users instanceof Int32Array) || !(top.data instanceof Int32Array))
      throw new InternalError(`evaluate artifact of ${trial.id} on ${trial.dataset} has unexpected array types`);
    const columns = ev.meta['columns'] as string[];
    if (per.shape[0] !== users.length || per.shape[1] !== columns.length || top.shape[0] !== users.length)
      throw new InternalError(`evaluate artifact of ${trial.id} on ${trial.dataset}: per_user ${per.shape.join('x')}, users ${users.length}, top_k ${top.shape.join('x')} do not agree`);
    return {
      trial,
      trainKey: train.key,
      evaluateKey: ev.key,
      trainMeta: train.meta,
      curves: train.json<Curves>('curves.json'),
      tables: once(() => decodeTables(train)),
      evaluateMeta: ev.meta,
      users,
      columns,
      perUser: per.data,
      topK: top.data,
      k: top.shape[1]!,
    };
  });
  return { inputs: { datasets, trials, keys: new Map([...keys].map(([id, k]) => [id, k.key])) } };
}
