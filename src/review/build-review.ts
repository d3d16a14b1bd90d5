import type { ExperimentModel, Trial } from '../contract/model.js';
import { UserError } from '../core/errors.js';
import { evaluatedColumns } from '../contract/evaluate-schema.js';
import { isBeyondAccuracyColumn } from '../contract/training-schema.js';
import { canonicalJson, type Json } from '../core/json.js';
import type { RunRecord } from '../runtime/record/run-record.js';
import { ANALYSIS_SEED, itemClustersAnalysis, popularityGroupsAnalysis, type AnalysisCache, type AnalysisTrial } from './analyses.js';
import { compareRuns, meanStd } from './compare-runs.js';
import type { ReviewInputs, TrialInputs } from './load-results.js';
import { describeProtocol, PAPER_PROTOCOL_NOTE, selectionText } from './protocol-text.js';
import { finite, type ConfigSnapshot, type CurvePoint, type DatasetSection, type ReviewContent, type ReviewFacts, type RunRow, type SweepSection, type TrialFacts, type TrialSection } from './review-data.js';
import { RunFacts } from './run-facts.js';

/** Loss points kept per training curve besides the evaluated epochs. */
const MAX_CURVE_POINTS = 200;

/** `onebp[backprop.beta=0.9]#seed=3` -> `onebp[backprop.beta=0.9]`: the trials of one configuration. */
export function pointOf(trialId: string): string {
  return trialId.replace(/#seed=[^#\]]*$/, '');
}

/** The run's own trials (one per seed), not its sweep points. */
export function isOwnTrial(t: Pick<Trial, 'id' | 'run'>): boolean {
  return pointOf(t.id) === t.run;
}

export function metricColumns(model: ExperimentModel): string[] {
  return evaluatedColumns(model.evaluate);
}

/** The compiled experiment as configuration only: no source positions, no file paths. */
export function configSnapshot(model: ExperimentModel): ConfigSnapshot {
  return {
    datasets: model.datasets.map((d) => ({ name: d.name, loader: d.loader, split: d.split, protocol: d.protocol, hasValidation: d.hasValidation })),
    runs: model.runs.map((r) => ({ name: r.name, config: r.config, datasets: r.datasets, seeds: r.seeds })),
    sweeps: model.sweeps.map((s) => ({ name: s.name, run: s.run, strategy: s.strategy as unknown as Json, axes: s.axes, points: s.points })),
    trials: model.trials.map((t) => ({ id: t.id, run: t.run, dataset: t.dataset, seed: t.seed, sweeps: t.sweeps })),
    evaluate: model.evaluate,
    review: model.review,
  };
}

function trialSection(t: TrialInputs, protocol: 'validation' | 'paper', columns: string[]): TrialSection {
  const ev = t.evaluateMeta;
  const mean = (ev['mean'] ?? {}) as Record<string, number>;
  const best = (ev['paperBest'] ?? {}) as Record<string, { value: number; epoch: number }>;
  const metrics: Record<string, number | null> = {};
  // Beyond-accuracy metrics have no best epoch: under the paper protocol they come from the kept epoch.
  for (const c of columns) metrics[c] = finite(protocol === 'paper' && !isBeyondAccuracyColumn(c) ? best[c]?.value : mean[c]);
  const es = t.trial.config.training.early_stop;
  const firstEvaluated = t.curves.epochs.find((e) => e.metrics)?.metrics;
  const selected = es ? `${es.metric}@${es.k}` : firstEvaluated ? Object.keys(firstEvaluated)[0] ?? null : null;
  // Every evaluated epoch, and the loss of at most about MAX_CURVE_POINTS others: a 2,000-epoch
  // curve stays readable and the review small enough to commit.
  const stride = Math.max(1, Math.ceil(t.curves.epochs.length / MAX_CURVE_POINTS));
  const last = t.curves.epochs.length - 1;
  const curves: CurvePoint[] = t.curves.epochs
    .map((e) => ({ epoch: e.epoch, loss: e.loss, metric: selected !== null ? (e.metrics?.[selected] ?? null) : null }))
    .filter((p, i) => p.metric !== null || i % stride === 0 || i === last);
  const m = t.trainMeta;
  return {
    id: t.trial.id,
    run: t.trial.run,
    seed: t.trial.seed,
    sweeps: t.trial.sweeps,
    metrics,
    bestEpochs: protocol === 'paper' ? Object.fromEntries(columns.filter((c) => best[c]).map((c) => [c, best[c]!.epoch])) : null,
    keptEpoch: Number(m['keptEpoch'] ?? 0),
    epochs: Number(m['epochs'] ?? t.curves.epochs.length),
    plannedEpochs: Number(m['plannedEpochs'] ?? t.trial.config.training.epochs),
    stoppedEarly: m['stoppedEarly'] === true,
    selection: String(m['selection'] ?? ''),
    users: t.users.length,
    monitored: t.curves.monitored && selected ? `${t.curves.monitored} ${selected}` : null,
    curves,
  };
}

function runRow(run: string, trials: TrialSection[], columns: string[]): RunRow {
  return {
    run,
    trials: trials.map((t) => t.id),
    seeds: trials.map((t) => t.seed),
    metrics: Object.fromEntries(columns.map((c) => [c, meanStd(trials.map((t) => t.metrics[c] ?? null))])),
    keptEpochs: trials.map((t) => t.keptEpoch),
  };
}

const analysisTrial = (t: TrialInputs): AnalysisTrial => ({ id: t.trial.id, trainKey: t.trainKey, evaluateKey: t.evaluateKey, users: t.users, topK: t.topK, k: t.k, tables: t.tables });

async function datasetSection(model: ExperimentModel, inputs: ReviewInputs, name: string, cache: AnalysisCache): Promise<DatasetSection> {
  const ds = model.datasets.find((d) => d.name === name)!;
  const di = inputs.datasets.get(name)!;
  const columns = metricColumns(model);
  const trialInputs = inputs.trials.filter((t) => t.trial.dataset === name);
  const trials = trialInputs.map((t) => trialSection(t, ds.protocol, columns));
  const sectionOf = new Map(trials.map((t) => [t.id, t]));

  // Runs of review.compare that were trained on this dataset, baseline first.
  const { compare, baseline, significance, plots } = model.review;
  const order = [baseline, ...compare.filter((r) => r !== baseline)];
  // A compared name is a run (its own trials) or a sweep point (`onebp[backprop.beta=0.9]`): its seeds.
  const own = (name: string) => trialInputs.filter((t) => pointOf(t.trial.id) === name);
  const compared = order.filter((r) => own(r).length > 0);
  const table = compared.map((r) => runRow(r, own(r).map((t) => sectionOf.get(t.trial.id)!), columns));

  const base = table.find((r) => r.run === baseline);
  const comparisons = base
    ? table
        .filter((r) => r.run !== baseline)
        .map((r) => compareRuns(r.run, baseline, { run: r.metrics, baseline: base.metrics }, { run: own(r.run), baseline: own(baseline) }, columns, significance))
    : [];

  const sweeps: SweepSection[] = [];
  for (const s of model.sweeps) {
    // Grouped by the point's values, not the trial id: the point equal to the run is the run's own
    // trial (named 'onebp', not 'onebp[backprop.beta=0.99]'), and its seeds belong together.
    const points = new Map<string, TrialSection[]>();
    for (const t of trials) {
      const values = t.sweeps.find((x) => x.sweep === s.name)?.point;
      if (!values) continue;
      const label = `${s.run}[${Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',')}]`;
      points.set(label, [...(points.get(label) ?? []), t]);
    }
    if (points.size === 0) continue;
    const pointOrder = new Map(s.points.map((p, i) => [canonicalJson(p), i]));
    const order = (t: TrialSection) => pointOrder.get(canonicalJson(t.sweeps.find((x) => x.sweep === s.name)!.point)) ?? 0;
    sweeps.push({
      name: s.name,
      run: s.run,
      axes: s.axes,
      // In the sweep's own order (grid order), whatever order the trials come in.
      rows: [...points]
        .sort(([, a], [, b]) => order(a[0]!) - order(b[0]!))
        .map(([point, ts]) => ({
        point,
        trials: ts.map((t) => t.id),
        values: ts[0]!.sweeps.find((x) => x.sweep === s.name)!.point,
        metrics: Object.fromEntries(columns.map((c) => [c, meanStd(ts.map((t) => t.metrics[c] ?? null))])),
        keptEpochs: ts.map((t) => t.keptEpoch),
      })),
    });
  }

  const pg = plots.find((p) => p.kind === 'popularity_groups');
  let popularityGroups: DatasetSection['popularityGroups'] = null;
  if (pg && compared.length) {
    const K = Number(pg.args['k'] ?? 20);
    const ranked = Math.min(...trialInputs.map((t) => t.k));
    if (K > ranked)
      throw new UserError(`popularity_groups(k: ${K}) needs top-${K} lists, but the evaluate block ranks only the top ${ranked} (its largest cutoff)`, {
        hint: `add ${K} to the evaluate cutoffs, or use popularity_groups(${Number(pg.args['groups'] ?? 10)}, k: ${ranked})`,
      });
    popularityGroups = await popularityGroupsAnalysis(cache, di.split, di.splitKey, compared.map((r) => ({ run: r, trials: own(r).map(analysisTrial) })), Number(pg.args['groups'] ?? 10), K);
  }

  const ic = plots.find((p) => p.kind === 'item_clusters');
  let itemClusters: DatasetSection['itemClusters'] = null;
  if (ic && compared.length) {
    const projection = ic.args['projection'] === 'pca' ? 'pca' : 'tsne';
    itemClusters = await itemClustersAnalysis(cache, di.split, di.splitKey, di.userIds, compared.map((r) => ({ run: r, trial: analysisTrial(own(r)[0]!) })), Number(ic.args['k'] ?? 6), projection, model.evaluate.cutoffs);
  }

  const sm = di.splitMeta;
  return {
    name,
    protocol: ds.protocol,
    reported: ds.protocol === 'paper' ? `${PAPER_PROTOCOL_NOTE} (each from its own epoch)` : `test metrics of the kept epoch: ${selectionText(model, name)}`,
    columns,
    split: { users: Number(sm['numUsers']), items: Number(sm['numItems']), train: Number(sm['train']), valid: Number(sm['valid'] ?? 0), test: Number(sm['test']), testUsers: Number(sm['testUsers'] ?? 0) },
    trials,
    baseline,
    table,
    comparisons,
    sweeps,
    popularityGroups,
    itemClusters,
  };
}

export interface BuildReviewOptions {
  model: ExperimentModel;
  inputs: ReviewInputs;
  /** Run records of any experiment, oldest first: facts are matched by content key. */
  records: readonly RunRecord[];
  cache: AnalysisCache;
  git: ReviewFacts['git'];
  reviewer: ReviewFacts['reviewer'];
}

/** The content (configuration and results) and facts of a review, from cached results. */
export async function buildReview(o: BuildReviewOptions): Promise<{ content: ReviewContent; facts: ReviewFacts }> {
  const { model, inputs, cache } = o;
  // Concurrently, so that the projections of every dataset share the worker threads.
  const t0 = performance.now();
  const datasets: DatasetSection[] = await Promise.all(
    model.datasets.filter((d) => inputs.trials.some((t) => t.trial.dataset === d.name)).map((d) => datasetSection(model, inputs, d.name, cache)),
  );

  const runFacts = new RunFacts(o.records);
  const trials: Record<string, TrialFacts> = {};
  for (const t of inputs.trials) {
    const m = t.trainMeta;
    const train = runFacts.step(t.trainKey);
    const evaluate = runFacts.step(t.evaluateKey);
    trials[`${t.trial.dataset}/${t.trial.id}`] = {
      engine: typeof m['engine'] === 'string' ? m['engine'] : null,
      backend: typeof m['backend'] === 'string' ? m['backend'] : null,
      secondsPerEpoch: typeof m['meanEpochSeconds'] === 'number' ? m['meanEpochSeconds'] : null,
      trainSeconds: typeof m['trainSeconds'] === 'number' ? m['trainSeconds'] : null,
      train: train.status,
      evaluate: evaluate.status,
      record: evaluate.record ?? train.record,
    };
  }
  const keys = [...inputs.keys.values()];
  const content: ReviewContent = {
    config: configSnapshot(model),
    protocol: describeProtocol(model),
    seeds: {
      splits: Object.fromEntries(model.datasets.map((d) => [d.name, d.split.params['seed'] ?? null])),
      trials: Object.fromEntries(model.trials.map((t) => [`${t.dataset}/${t.id}`, t.seed])),
      analyses: ANALYSIS_SEED,
    },
    datasets,
  };
  const facts: ReviewFacts = {
    files: model.files,
    git: o.git,
    environment: runFacts.environmentFor(keys),
    reviewer: o.reviewer,
    records: [...new Set([...runFacts.recordsFor(keys), ...runFacts.computedBy(keys)].sort((a, b) => (a.started < b.started ? 1 : -1)).map((r) => r.id))],
    trials,
    analyses: { computed: cache.computed, cached: cache.cached, seconds: (performance.now() - t0) / 1000 },
  };
  return { content, facts };
}
