import type { ExperimentModel, Trial } from '../contract/model.js';
import { UserError } from '../core/errors.js';
import { ArtifactStore } from '../runtime/cache/artifact-store.js';
import type { LoadedDataset, SplitData } from '../runtime/data/dataset.js';
import type { Tables } from '../runtime/engine/engine.js';
import { graphKeys } from '../runtime/executor/graph-keys.js';
import { RuntimeServices, type RuntimeOptions } from '../runtime/executor/services.js';
import { decodeDataset, decodeModel, decodeSplit, decodeTables } from '../runtime/steps/artifact-codecs.js';
import { suggest } from '../compiler/suggest.js';
import { compileOrThrow } from './compile-file.js';
import { keysWithRecordedData } from './recorded-keys.js';

export interface TrainedModelOptions {
  file: string;
  cacheDir: string;
  runtime: RuntimeOptions;
  overrides?: string[];
  /** A run name (its own trial) or a trial id (`onebp[backprop.beta=0.9]`). */
  run: string;
  dataset?: string;
  seed?: number;
  warn: (text: string) => void;
}

export interface TrainedModel {
  model: ExperimentModel;
  trial: Trial;
  key: string;
  /** The trained tables, read through the train artifact's codec (one place for its format). */
  tables: Tables;
  dataset: LoadedDataset;
  split: SplitData;
  /** The similarity the model was trained with: how its scores are computed. */
  similarity: 'dot' | 'cosine';
}

/**
 * The trained embeddings of one trial, looked up in the cache by content key (nothing is
 * trained here): what `expc recommend` and `expc export` read. Every miss is a UserError that
 * says what to pass or to run.
 */
export async function loadTrainedModel(o: TrainedModelOptions): Promise<TrainedModel> {
  const { model, graph } = compileOrThrow(o.file, o.warn, o.overrides ?? []);
  const ofRun = model.trials.filter((t) => t.id === o.run || (t.run === o.run && t.id.replace(/#seed=\d+$/, '') === o.run));
  if (ofRun.length === 0) {
    const names = [...new Set([...model.runs.map((r) => r.name), ...model.trials.map((t) => t.id.replace(/#seed=\d+$/, ''))])];
    const did = suggest(o.run, names);
    throw new UserError(`--run ${o.run}: no such run or trial in ${model.name}`, { hint: did ? `did you mean '${did}'?` : `runs: ${model.runs.map((r) => r.name).join(', ')}` });
  }
  const datasets = [...new Set(ofRun.map((t) => t.dataset))];
  const dataset = o.dataset ?? (datasets.length === 1 ? datasets[0] : undefined);
  if (dataset === undefined) throw new UserError(`--run ${o.run} is trained on ${datasets.length} datasets: pass --dataset (one of ${datasets.join(', ')})`, { exitCode: 2 });
  const onDataset = ofRun.filter((t) => t.dataset === dataset);
  if (onDataset.length === 0) throw new UserError(`--dataset ${dataset}: run ${o.run} is not trained on it (datasets: ${datasets.join(', ')})`, { exitCode: 2 });
  const seeds = onDataset.map((t) => t.seed);
  const trial = o.seed === undefined ? onDataset[0]! : onDataset.find((t) => t.seed === o.seed);
  if (!trial) throw new UserError(`--seed ${o.seed}: run ${o.run} is trained with seeds ${seeds.join(', ')}`, { exitCode: 2 });
  if (o.seed === undefined && onDataset.length > 1) o.warn(`note: ${o.run} is trained with seeds ${seeds.join(', ')}; using seed ${trial.seed} (--seed chooses)`);

  const services = new RuntimeServices({ ...o.runtime, allowDownload: false });
  let keyed: Awaited<ReturnType<typeof graphKeys>>;
  try {
    keyed = await graphKeys(graph, services);
  } finally {
    await services.dispose();
  }
  const keys = keysWithRecordedData(graph, keyed, o.cacheDir, (m) => o.warn(`note: ${m}`));
  const store = new ArtifactStore(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  const get = (id: string) => {
    const k = keys.get(id);
    const a = k ? store.get(k.key) : null;
    if (!a || !k) throw new UserError(`${graph.node(id).label} is not computed yet; run \`expc run ${o.file}\` first`, { hint: o.overrides?.length ? 'with the same -S overrides' : undefined });
    return { a, key: k.key };
  };
  const train = get(`train:${dataset}/${trial.id}`);
  return {
    model,
    trial,
    key: train.key,
    tables: decodeTables(train.a),
    dataset: decodeDataset(get(`load:${dataset}`).a),
    split: decodeSplit(get(`split:${dataset}`).a),
    // from the model description the train step wrote (never from the loss's parameters)
    similarity: decodeModel(train.a).scorer,
  };
}

/** The original id of dense user/item `i` as the data named it. */
export const originalId = (ids: string[] | null, i: number): string => (ids ? ids[i]! : String(i));
