import { canonicalJson, sha256Hex } from '../../core/json.js';
import { datasetIsPresplit, findComponent } from '../../components/catalogue.js';
import type { DatasetSpec } from '../../contract/dataset-spec.js';
import type { MetricRef, TrainingParams } from '../../contract/training-schema.js';
import { checkLoaderParams, checkTrialAgainstDataset } from './check-datasets.js';
import { describeValue, pathText, type Identifier, type Property, type DatasetDecl, type EvaluateDecl, type ExperimentDecl, type ReviewDecl, type RunDecl, type SweepDecl } from '../ast/nodes.js';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import type { LoadedProgram } from '../load-program.js';
import type { Override } from '../overrides.js';
import type { DatasetModel, ExperimentModel, ResolvedComponent, RunConfig, RunModel, SweepModel, Trial } from '../../contract/model.js';
import type { Range } from '../source.js';
import { suggest } from '../suggest.js';
import { expandSweep, trialIdFor } from '../sweep/expand-sweeps.js';
import { applyBlock, applyProperty, builtinDraft, cloneDraft, componentFromValue, RUN_PROPERTIES, type ConfigDraft } from './config-draft.js';
import { resolveEvaluate } from './evaluate-block.js';
import { finishDraft } from './finish-draft.js';
import { resolveReview, type NamedPoint } from './review-block.js';
import { validateParams } from './validate-params.js';

const DATASET_PROPERTIES = ['split', 'protocol'] as const;

/** Every trial is a training; beyond this an experiment is almost always a mistake (and would not finish). */
export const MAX_TRIALS = 20000;

/**
 * Names -> declarations -> the checked experiment model. Collects every diagnostic it can
 * (it does not stop at the first) and returns a model only when there is no error.
 */
export function resolveExperiment(loaded: LoadedProgram, overrides: readonly Override[] = []): { model?: ExperimentModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const rootProgram = loaded.programs[loaded.programs.length - 1];
  const fileStart = (): Range => {
    const src = loaded.sources.get(loaded.root);
    return src ? src.range(0, 0) : { file: loaded.root, start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
  };

  // ---- collect declarations; imports first, the root last --------------------------------
  let experiment: ExperimentDecl | undefined;
  const datasets = new Map<string, DatasetDecl>();
  const runs = new Map<string, RunDecl>();
  const sweeps = new Map<string, SweepDecl>();
  const defaults: ConfigDraft = builtinDraft();
  let evaluateDecl: EvaluateDecl | undefined;
  let reviewDecl: ReviewDecl | undefined;
  const unique = <T extends { name: { name: string; range: Range } }>(map: Map<string, T>, d: T, what: string): void => {
    const first = map.get(d.name.name);
    if (first) {
      diagnostics.push(
        error('duplicate-declaration', `${what} '${d.name.name}' is declared twice`, d.name.range, {
          expected: `one ${what} named '${d.name.name}'`,
          found: 'a second declaration',
          related: [{ message: 'first declared here', range: first.name.range }],
        }),
      );
      return;
    }
    map.set(d.name.name, d);
  };
  for (const program of loaded.programs) {
    for (const d of program.declarations) {
      if (d.kind !== 'SweepDecl' && 'properties' in d) d.properties = withoutBlocks(d.properties, d.kind, diagnostics);
      switch (d.kind) {
        case 'ExperimentDecl':
          if (program === rootProgram) experiment = d;
          break;
        case 'ImportDecl':
          break;
        case 'DatasetDecl':
          unique(datasets, d, 'dataset');
          break;
        case 'DefaultsDecl':
          applyBlock(defaults, d.properties, diagnostics);
          break;
        case 'RunDecl':
          unique(runs, d, 'run');
          break;
        case 'SweepDecl':
          unique(sweeps, d, 'sweep');
          break;
        case 'EvaluateDecl':
        case 'ReviewDecl': {
          const prev = d.kind === 'EvaluateDecl' ? evaluateDecl : reviewDecl;
          const word = d.kind === 'EvaluateDecl' ? 'evaluate' : 'review';
          if (prev && prev.range.file === d.range.file) {
            diagnostics.push(error('duplicate-declaration', `a second '${word}' block`, d.range, { expected: `one ${word} block per file`, found: `another ${word} block`, related: [{ message: 'first block here', range: prev.range }] }));
            break;
          }
          // A block in an importing file replaces an imported one.
          if (d.kind === 'EvaluateDecl') evaluateDecl = d;
          else reviewDecl = d;
          break;
        }
      }
    }
  }

  const name = experiment?.name.name ?? baseName(loaded.root);

  // ---- datasets --------------------------------------------------------------------------
  const datasetModels: DatasetModel[] = [];
  for (const d of datasets.values()) {
    const m = resolveDataset(d, diagnostics);
    if (m) datasetModels.push(m);
  }
  if (datasets.size === 0 && loaded.programs.length > 0)
    diagnostics.push(error('missing-declaration', 'the experiment declares no dataset', fileStart(), { expected: 'a dataset, e.g. dataset syn = synthetic()', found: 'none' }));

  // ---- command-line overrides: for every run (`training.epochs`) or one (`onebp.backprop.beta`)
  const scoped = scopeOverrides(overrides, [...runs.keys()], diagnostics);

  // ---- runs ------------------------------------------------------------------------------
  const drafts = new Map<string, ConfigDraft | null>();
  const resolving = new Set<string>();
  const draftOf = (r: RunDecl): ConfigDraft | undefined => {
    const cached = drafts.get(r.name.name);
    if (cached !== undefined) return cached ?? undefined;
    if (resolving.has(r.name.name)) {
      diagnostics.push(error('invalid-value', `run '${r.name.name}' extends itself (through ${[...resolving].join(' -> ')})`, r.extends?.range ?? r.name.range, { expected: 'runs that extend without a cycle', found: [...resolving, r.name.name].join(' -> ') }));
      drafts.set(r.name.name, null);
      return undefined;
    }
    resolving.add(r.name.name);
    let base: ConfigDraft | undefined = defaults;
    if (r.extends) {
      const parent = runs.get(r.extends.name);
      if (!parent) {
        const did = suggest(r.extends.name, [...runs.keys()]);
        diagnostics.push(error('unknown-run', `run '${r.name.name}' extends unknown run '${r.extends.name}'`, r.extends.range, { expected: `one of ${[...runs.keys()].join(', ')}`, found: r.extends.name, hint: did ? `did you mean '${did}'?` : undefined }));
        base = undefined;
      } else base = draftOf(parent);
    }
    resolving.delete(r.name.name);
    if (!base) {
      drafts.set(r.name.name, null);
      return undefined;
    }
    const draft = cloneDraft(base);
    applyBlock(draft, r.properties, diagnostics);
    // After the run's own properties, as if edited into its block: a run that extends this one
    // inherits a run-scoped override; one for every run applies to every run.
    for (const o of scoped)
      if (o.run === undefined || o.run === r.name.name) applyProperty(draft, o.path, o.property.value, diagnostics, o.property.range, { carryParams: true });
    drafts.set(r.name.name, draft);
    return draft;
  };

  const runModels: RunModel[] = [];
  for (const r of runs.values()) {
    const draft = draftOf(r);
    if (!draft) continue;
    const config = finishDraft(draft, r.name.range, diagnostics);
    const selected = selectDatasets(draft, [...datasets.keys()], diagnostics);
    const seeds = config ? seedsOf(draft, config.training.seed, diagnostics) : undefined;
    if (config && selected && seeds) runModels.push({ name: r.name.name, config, datasets: selected, seeds, range: r.range });
  }
  if (runs.size === 0 && loaded.programs.length > 0)
    diagnostics.push(error('missing-declaration', 'the experiment declares no run', fileStart(), { expected: 'a run, e.g. run baseline { }', found: 'none' }));

  // ---- trials: runs x datasets x seeds, then sweep points ---------------------------------
  // Within a run, trials are identified by what they train (dataset, settings, seed), not by their
  // name, so a sweep point equal to its run (or to another sweep's point) is that trial, not a new
  // one. Two runs with the same settings stay two trials (they share a content key, and the cache).
  // Map lookups keep the expansion linear in the number of trials.
  const trials: Trial[] = [];
  const trialByContent = new Map<string, Trial>();
  const datasetByName = new Map(datasetModels.map((d) => [d.name, d]));
  const addTrials = (run: RunModel, id: string, config: RunConfig, seeds: number[], sweep: Trial['sweeps'][number] | undefined, earlyStopAt: Range | undefined, anchor: Range) => {
    for (const dsName of run.datasets) {
      const ds = datasetByName.get(dsName);
      if (!ds) continue;
      const training = trainingFor(config.training, ds, earlyStopAt !== undefined, earlyStopAt ?? anchor, diagnostics);
      if (!training) continue;
      checkTrialAgainstDataset(config, ds, id, anchor, diagnostics);
      for (const seed of seeds) {
        const trialConfig: RunConfig = { ...config, training: { ...training, seed } };
        const contentKey = `${run.name}\u0000${dsName}\u0000${canonicalJson(trialConfig)}`;
        const existing = trialByContent.get(contentKey);
        if (existing) {
          if (sweep && !existing.sweeps.some((x) => x.sweep === sweep.sweep)) existing.sweeps.push(sweep);
          continue;
        }
        const trialId = seeds.length > 1 ? `${id}#seed=${seed}` : id;
        const trial: Trial = { id: trialId, run: run.name, dataset: dsName, seed, sweeps: sweep ? [sweep] : [], config: trialConfig };
        trialByContent.set(contentKey, trial);
        trials.push(trial);
      }
    }
  };
  for (const run of runModels) {
    const draft = drafts.get(run.name)!;
    addTrials(run, run.name, run.config, run.seeds, undefined, draft.training.get('early_stop')?.value.range, run.range);
  }

  const sweepModels: SweepModel[] = [];
  let plannedTrials = trials.length;
  for (const s of sweeps.values()) {
    const runName = s.of?.name ?? s.name.name;
    const runDecl = runs.get(runName);
    const run = runModels.find((r) => r.name === runName);
    if (!runDecl) {
      const did = suggest(runName, [...runs.keys()]);
      diagnostics.push(
        error('unknown-run', `sweep '${s.name.name}' varies unknown run '${runName}'`, (s.of ?? s.name).range, {
          expected: `one of ${[...runs.keys()].join(', ')}`,
          found: runName,
          hint: did ? `did you mean '${did}'?` : s.of ? undefined : `name the run: sweep ${s.name.name} of <run> { ... }`,
        }),
      );
      continue;
    }
    if (!run) continue; // the run itself has errors, already reported
    const expanded = expandSweep(s, runName, diagnostics);
    if (!expanded) continue;
    const runDraft = drafts.get(runName)!;
    if (!seedAxesOk(s, runName, runDraft, diagnostics)) continue;
    // Counted before expanding, so that a sweep of a million trials is refused at once.
    const adds = expanded.points.length * run.datasets.length * run.seeds.length;
    if (plannedTrials + adds > MAX_TRIALS) {
      diagnostics.push(
        error('too-many-trials', `sweep '${s.name.name}' brings the experiment to ${plannedTrials + adds} trials`, s.name.range, {
          expected: `at most ${MAX_TRIALS} trials in one experiment (each one is a training)`,
          found: `${expanded.points.length} point(s) x ${run.datasets.length} dataset(s) x ${run.seeds.length} seed(s) = ${adds} trials here, ${plannedTrials} before`,
          hint: 'use random(budget: N, seed: S) to sample the grid, or split the experiment into several files',
        }),
      );
      continue;
    }
    plannedTrials += adds;
    sweepModels.push(expanded.model);
    expanded.points.forEach((point, i) => {
      const draft = cloneDraft(runDraft);
      for (const a of point.assignments) applyProperty(draft, a.path, a.value, diagnostics, a.value.range, { carryParams: true });
      const config = finishDraft(draft, s.name.range, diagnostics);
      if (!config) return;
      // A point that changes training.seed trains from that seed (and its successors under `seeds: N`).
      const seeds = config.training.seed === run.config.training.seed ? run.seeds : seedsOf(draft, config.training.seed, diagnostics);
      if (!seeds) return;
      const id = trialIdFor(runName, point);
      addTrials(run, id, config, seeds, { sweep: s.name.name, point: expanded.model.points[i]! }, draft.training.get('early_stop')?.value.range, s.range);
    });
  }

  // A dataset no trial uses would still be loaded (and its files hashed) by every run: say so, and leave it out.
  const used = new Set(trials.map((t) => t.dataset));
  for (const d of [...datasetModels]) {
    if (used.has(d.name) || runModels.length === 0) continue;
    diagnostics.push(warning('unused-declaration', `dataset '${d.name}' is used by no run; it is not loaded`, datasets.get(d.name)!.name.range, { hint: `remove it, or name it in a run's datasets:` }));
    datasetModels.splice(datasetModels.indexOf(d), 1);
  }

  // ---- evaluate and review ---------------------------------------------------------------
  const evaluate = resolveEvaluate(evaluateDecl, diagnostics);
  // the sweep points a review may name, each under the name its trials share (seeds stripped)
  const points: NamedPoint[] = trials.flatMap((t) => t.sweeps.map((sw) => ({ run: t.run, values: sw.point, name: t.id.replace(/#seed=[^#\]]*$/, '') })));
  const review = resolveReview(reviewDecl, [...runs.keys()], [...sweeps.keys()], diagnostics, points);

  const uniqueDiagnostics = dedupe(diagnostics);
  if (uniqueDiagnostics.some((d) => d.severity === 'error') || !evaluate) return { diagnostics: uniqueDiagnostics };
  const files = loaded.programs.map((p) => ({ path: p.file, sha256: sha256Hex(loaded.sources.get(p.file)?.text ?? '') }));
  return {
    model: { name, files, datasets: datasetModels, runs: runModels, sweeps: sweepModels, trials, evaluate, review, ...(overrides.length ? { overrides: overrides.map((o) => o.text) } : {}) },
    diagnostics: uniqueDiagnostics,
  };
}

/** `zip { ... }` is a sweep's; anywhere else a block value is reported (once) and left out. */
function withoutBlocks(properties: Property[], kind: string, diagnostics: Diagnostic[]): Property[] {
  return properties.filter((p) => {
    if (p.value.kind !== 'Block') return true;
    const where = kind.replace(/Decl$/, '').toLowerCase();
    diagnostics.push(
      error('invalid-value', `a block of settings ('${pathText(p.key)} { ... }') is only allowed in a sweep, as zip { ... }`, p.value.range, {
        expected: `${pathText(p.key)}: value in ${where === 'defaults' ? 'defaults' : `a ${where}`}`,
        found: describeValue(p.value),
      }),
    );
    return false;
  });
}

/** Splits each override's path into the run it is for (none: every run) and the setting path. */
function scopeOverrides(overrides: readonly Override[], runNames: string[], diagnostics: Diagnostic[]): { run?: string; path: Identifier[]; property: Override['property'] }[] {
  const settings = new Set<string>([...RUN_PROPERTIES, 'seed', 'dataset']);
  const out: { run?: string; path: Identifier[]; property: Override['property'] }[] = [];
  for (const o of overrides) {
    const [head, ...rest] = o.property.key.segments;
    if (!head) continue;
    if (settings.has(head.name)) out.push({ path: o.property.key.segments, property: o.property });
    else if (runNames.includes(head.name) && rest.length > 0) out.push({ run: head.name, path: rest, property: o.property });
    else {
      const did = suggest(head.name, [...settings, ...runNames]);
      diagnostics.push(
        error('invalid-override', runNames.includes(head.name) ? `override of run '${head.name}' names no setting` : `'${head.name}' is neither a setting nor a run`, head.range, {
          expected: `a setting (${RUN_PROPERTIES.join(', ')}) for every run, or RUN.setting for one run (runs: ${runNames.join(', ')})`,
          found: pathText(o.property.key),
          hint: did ? `did you mean '${did}'?` : undefined,
        }),
      );
    }
  }
  return out;
}

/**
 * Seeds are not a sweep axis: `seeds:` on the run repeats every trial per seed (and reviews
 * average over them). `training.seed` may be swept, but not on a run that lists its seeds,
 * where it would change nothing.
 */
function seedAxesOk(s: SweepDecl, runName: string, runDraft: ConfigDraft, diagnostics: Diagnostic[]): boolean {
  let ok = true;
  for (const p of s.properties.flatMap((q) => (q.value.kind === 'Block' ? q.value.properties : [q]))) {
    const text = pathText(p.key);
    if (text === 'seeds' || text === 'seed') {
      diagnostics.push(
        error('invalid-sweep', `a sweep cannot vary '${text}': seeds are repetitions of a trial, not a parameter`, p.key.range, {
          expected: 'a parameter path such as backprop.beta',
          found: text,
          hint: `to train run '${runName}' once per seed, write seeds: [1, 2, 3] (or seeds: 3) in the run; the review then reports mean and std over seeds`,
        }),
      );
      ok = false;
    } else if (text === 'training.seed' && runDraft.seeds?.value.kind === 'List') {
      diagnostics.push(
        error('invalid-sweep', `sweeping training.seed changes nothing: run '${runName}' lists its seeds`, p.key.range, {
          expected: `a run without an explicit seeds: [...] list`,
          found: `seeds: ${describeValue(runDraft.seeds.value)} on run '${runName}'`,
          hint: `list the seeds in the run's seeds: instead`,
          related: [{ message: 'the seeds are listed here', range: runDraft.seeds.range }],
        }),
      );
      ok = false;
    }
  }
  return ok;
}

function baseName(path: string): string {
  const b = path.split(/[\\/]/).pop() ?? path;
  return b.replace(/\.exp$/, '').replace(/[^A-Za-z0-9_]/g, '_') || 'experiment';
}

function resolveDataset(d: DatasetDecl, diagnostics: Diagnostic[]): DatasetModel | undefined {
  const loader = componentFromValue('dataset', d.source, diagnostics);
  let splitValue: DatasetDecl['properties'][number] | undefined;
  let protocol: DatasetModel['protocol'] = 'validation';
  for (const p of d.properties) {
    const key = pathText(p.key);
    if (key === 'split') splitValue = p;
    else if (key === 'protocol') {
      if (p.value.kind === 'Name' && (p.value.name === 'validation' || p.value.name === 'paper')) protocol = p.value.name;
      else
        diagnostics.push(
          error('invalid-value', `protocol must be validation or paper`, p.value.range, {
            expected: 'validation (select by the validation split) or paper (best test value per metric over epochs)',
            found: describeValue(p.value),
            hint: p.value.kind === 'Name' ? (suggest(p.value.name, ['validation', 'paper']) ? `did you mean '${suggest(p.value.name, ['validation', 'paper'])}'?` : undefined) : undefined,
          }),
        );
    } else {
      const did = suggest(key, DATASET_PROPERTIES);
      diagnostics.push(error('unknown-property', `dataset '${d.name.name}' has no setting '${key}'`, p.key.range, { expected: `one of ${DATASET_PROPERTIES.join(', ')}`, found: key, hint: did ? `did you mean '${did}'?` : undefined }));
    }
  }
  const spec = loader?.spec as DatasetSpec | undefined;
  const loaderParams = loader && spec ? validateParams(spec.schema, loader.params, `dataset '${d.name.name}' (${spec.name})`, loader.origin, diagnostics) : undefined;
  // The split is checked even when the loader has errors, so one run reports both.
  const presplit = spec && loaderParams ? datasetIsPresplit(spec, loaderParams) : splitValue?.value.kind === 'Call' && splitValue.value.callee.name === 'predefined';
  let split: ResolvedComponent | undefined;
  if (splitValue) {
    const s = componentFromValue('split', splitValue.value, diagnostics);
    if (!s) return undefined;
    if (s.spec.name === 'predefined' && !presplit && spec) {
      diagnostics.push(
        error('incompatible-components', `dataset '${d.name.name}' (${spec.name}) has no predefined split`, splitValue.value.range, { expected: 'holdout(...)', found: describeValue(splitValue.value) }),
      );
      return undefined;
    }
    const params = validateParams(s.spec.schema, s.params, `split '${s.spec.name}'`, s.origin, diagnostics);
    if (!params) return undefined;
    split = { name: s.spec.name, version: s.spec.version, params };
  } else {
    if (!spec) return undefined;
    const specName = presplit ? 'predefined' : 'holdout';
    const s = findComponent('split', specName)!;
    const params = validateParams(s.schema, new Map(), `split '${specName}'`, d.range, diagnostics);
    if (!params) return undefined;
    split = { name: s.name, version: s.version, params };
  }
  if (!spec || !loaderParams) return undefined;
  checkLoaderParams(spec.name, d.name.name, loaderParams, loader!.params, loader!.origin, diagnostics);
  const hasValidation = typeof split.params['valid'] === 'number' && (split.params['valid'] as number) > 0;
  return {
    name: d.name.name,
    loader: { name: spec.name, version: spec.version, params: loaderParams },
    split,
    protocol,
    hasValidation,
    range: d.range,
  };
}

function selectDatasets(draft: ConfigDraft, all: string[], diagnostics: Diagnostic[]): string[] | undefined {
  if (!draft.datasets) return all;
  const out: string[] = [];
  for (const id of draft.datasets.names) {
    if (!all.includes(id.name)) {
      const did = suggest(id.name, all);
      diagnostics.push(error('unknown-dataset', `unknown dataset '${id.name}'`, id.range, { expected: `one of ${all.join(', ')}`, found: id.name, hint: did ? `did you mean '${did}'?` : undefined }));
      return undefined;
    }
    if (!out.includes(id.name)) out.push(id.name);
  }
  return out;
}

/** `seeds: [1, 2, 3]` (explicit), `seeds: 3` (training.seed, +1, +2); default: training.seed alone. */
function seedsOf(draft: ConfigDraft, baseSeed: number, diagnostics: Diagnostic[]): number[] | undefined {
  const s = draft.seeds;
  if (!s) return [baseSeed];
  const v = s.value;
  const isSeed = (x: number) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  if (v.kind === 'Number' && Number.isInteger(v.value) && v.value >= 1 && v.value <= 100) return Array.from({ length: v.value }, (_, i) => baseSeed + i);
  if (v.kind === 'List' && v.items.length > 0 && v.items.every((x) => x.kind === 'Number' && isSeed(x.value))) {
    const seeds = v.items.map((x) => (x.kind === 'Number' ? x.value : 0));
    if (new Set(seeds).size === seeds.length) return seeds;
  }
  diagnostics.push(error('invalid-value', 'seeds must be a count from 1 to 100 or a list of distinct integer seeds', s.range, { expected: 'seeds: 3, or seeds: [1, 2, 3]', found: describeValue(v) }));
  return undefined;
}

/**
 * Training settings that depend on the dataset: what the kept epoch is selected by.
 * - validation protocol: early_stop must be on the validation split; with no validation split
 *   a written early_stop is an error, the default becomes none (the last epoch is kept);
 * - paper protocol: curves are on test; the kept epoch is the best on early_stop's metric on test.
 */
function trainingFor(t: TrainingParams, ds: DatasetModel, written: boolean, anchor: Range, diagnostics: Diagnostic[]): TrainingParams | undefined {
  const es: MetricRef | null = t.early_stop;
  if (ds.protocol === 'paper') {
    // No validation-based selection under the paper's protocol: the early_stop metric only
    // chooses which epoch's embeddings are kept (by test value), and training never stops early.
    const metric = es ? { ...es, split: 'test' as const } : { metric: 'ndcg' as const, k: 20, split: 'test' as const };
    return { ...t, early_stop: metric, patience: null };
  }
  if (es && es.split === 'test') {
    diagnostics.push(
      error('incompatible-components', `early stopping on the test split selects the model with test data (dataset '${ds.name}' uses the validation protocol)`, anchor, {
        expected: 'early_stop: <metric>@<k> on valid',
        found: `${es.metric}@${es.k} on test`,
        hint: `set 'protocol: paper' on dataset '${ds.name}' to report the paper's best-test-epoch protocol instead`,
      }),
    );
    return undefined;
  }
  if (es && !ds.hasValidation) {
    if (written) {
      diagnostics.push(noValidation(ds, anchor));
      return undefined;
    }
    return { ...t, early_stop: null, patience: null };
  }
  if (!es && t.patience !== null) {
    diagnostics.push(error('incompatible-components', 'patience needs early_stop', anchor, { expected: 'early_stop: ndcg@20 on valid', found: 'early_stop: none' }));
    return undefined;
  }
  return t;
}

function noValidation(ds: DatasetModel, anchor: Range): Diagnostic {
  return error('incompatible-components', `early_stop uses the validation split, but dataset '${ds.name}' holds out none`, anchor, {
    expected: `a split with validation, e.g. ${ds.split.name}(valid: 0.1)`,
    found: `${ds.split.name}(valid: ${String(ds.split.params['valid'] ?? 0)})`,
    hint: 'add valid: 0.1 to the dataset\'s split, or write early_stop: none to keep the last epoch',
  });
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.message}|${d.range?.file}:${d.range?.start.offset}:${d.range?.end.offset}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

