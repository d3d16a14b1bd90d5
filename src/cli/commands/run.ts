import { resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { CacheFsError } from '../../runtime/cache/cache-fs-error.js';
import type { Json } from '../../core/json.js';
import { ArtifactStore } from '../../runtime/cache/artifact-store.js';
import type { ExecutionResult, NodeOutcome } from '../../runtime/executor/execute-graph.js';
import { localExecutor, type Executor } from '../../runtime/executor/executor.js';
import { readKeyIndex, writeKeyIndex } from '../../runtime/executor/index-file.js';
import { RuntimeServices, type RuntimeOptions } from '../../runtime/executor/services.js';
import { environmentFacts, gitFacts } from '../../runtime/record/environment.js';
import { newRunId, reserveRecordSpace, writeRunRecord, type RunRecord } from '../../runtime/record/run-record.js';
import { compileOrThrow } from '../compile-file.js';
import { displayPath } from '../paths.js';
import { lineRenderer, listrRenderer, type ProgressRenderer } from '../progress.js';
import { describeRoot, type ProjectRoot } from '../project-root.js';
import { runSummaryJson, summaryTables } from '../summary.js';

export interface RunOptions {
  file: string;
  cacheDir: string;
  /** The project root the cache was found from, printed so that nobody has to guess. */
  root?: ProjectRoot;
  /** Command-line overrides, `path=value` (`-S training.epochs=5`). */
  overrides?: string[];
  /** Print nothing but errors: the caller prints the JSON summary. */
  json?: boolean;
  /** Only errors and the final line (`--quiet`). */
  quiet?: boolean;
  runtime: RuntimeOptions;
  /** Where the steps run (default: this process; `--queue`: BullMQ workers). */
  executor?: Executor;
  /** Recompute even cached steps. */
  force: boolean;
  /** Only these runs (and what they need). */
  only?: string[];
  progress: 'auto' | 'plain' | 'none';
  argv: string[];
  out: (text: string) => void;
  warn: (text: string) => void;
}

export interface RunResult {
  record: RunRecord;
  /** null when the cache refused the record (a read-only cache that held every step, a full disk). */
  recordPath: string | null;
  execution: ExecutionResult;
  /** What `--json` prints: the record's path, step counts and every trial's test metrics. */
  summary: Json;
}

/**
 * `expc run FILE`: compile, execute the graph with caching, print progress and a summary, and
 * record the run. Failed steps do not stop independent ones; the command exits 1 if any failed.
 */
export async function run(o: RunOptions): Promise<RunResult> {
  const started = new Date();
  const { model, graph: fullGraph } = compileOrThrow(o.file, o.warn, o.overrides ?? []);
  // --quiet and --json print only errors and the final line (or the JSON).
  const say = o.quiet || o.json ? () => {} : o.out;
  let graph = fullGraph;
  if (o.only?.length) {
    const unknown = o.only.filter((r) => !model.runs.some((m) => m.name === r));
    if (unknown.length) throw new UserError(`--only names unknown run(s): ${unknown.join(', ')} (runs: ${model.runs.map((r) => r.name).join(', ')})`, { exitCode: 2 });
    graph = fullGraph.restrictTo(fullGraph.nodes.filter((n) => n.run !== undefined && o.only!.includes(n.run)).map((n) => n.id));
  }
  const store = new ArtifactStore(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  store.checkRoot();
  store.cleanTmp();
  const runId = newRunId(started, model.name);
  // The record of a run that fills the disk must still fit: room for the model and the outcomes.
  reserveRecordSpace(o.cacheDir, runId, JSON.stringify(model).length * 2 + graph.nodes.length * 1024 + 16384);
  const tty = o.progress === 'auto' && process.stdout.isTTY === true;
  // The backend is reported after the run, with the engine and thread count that actually trained.
  let backendText: string | undefined;
  const services = new RuntimeServices(o.runtime, (b) => {
    backendText = `${b.name} (${b.package} ${b.version}${b.gpu ? ', GPU' : ''})${b.note ? `; ${b.note}` : ''}`;
  });
  services.onGpu = (g) => say(`webgpu: ${g.description}; limits ${JSON.stringify(g.facts['limits'])}`);
  const renderer: ProgressRenderer = o.progress === 'none' ? { sink: () => {}, done: async () => {} } : tty ? listrRenderer(graph) : lineRenderer(o.out, graph);
  say(`expc: ${model.name}: ${model.datasets.length} dataset(s), ${model.trials.length} trial(s), ${graph.nodes.length} steps; cache ${displayPath(resolve(o.cacheDir))}${o.root ? `; ${describeRoot(o.root)}` : ''}`);
  if (model.overrides?.length) say(`overrides: ${model.overrides.map((x) => `-S ${x}`).join(' ')}`);

  // Ctrl-C: say what is kept and how to go on, then end with 130 (128 + SIGINT) at once; finished
  // steps are in the store and a training in progress has its checkpoint. Exiting directly rather
  // than re-raising the signal: a listener a dependency may have added would swallow a re-raise.
  const tracker = renderer.tracker;
  const executor = o.executor ?? localExecutor;
  const onInterrupt = () => {
    const text = `\n${tracker ? tracker.interruptedMessage(o.file) : `interrupted: finished steps are cached. Run \`expc run ${o.file}\` again to continue.`}`;
    o.warn(text); // the CLI's warn writes synchronously, so process.exit cannot drop it
    if (!executor.interrupt) process.exit(130);
    // Queued work outlives this process: cancel it or leave it running (--detach), then exit.
    const late = new Promise<string>((r) => setTimeout(() => r('the queue did not answer within 5 s; `expc queue cancel` can cancel later'), 5000).unref());
    void Promise.race([executor.interrupt().catch((e: Error) => `could not reach the queue: ${e.message}`), late]).then((line) => {
      o.warn(line);
      process.exit(130);
    });
  };
  process.once('SIGINT', onInterrupt);
  let execution: ExecutionResult;
  try {
    execution = await executor.execute(graph, { store, services, emit: renderer.sink, force: o.force });
    await renderer.done();
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await services.dispose();
  }
  say(trainedWithLine(execution.outcomes, backendText));

  // Remember each node's key and details, so `expc plan` can say what changed next time.
  // Only an aid to `plan`: a cache that refuses it (read-only, full) still served the run.
  const index = readKeyIndex(o.cacheDir, model.name, (m) => o.warn(`warning: ${m}`));
  const settled = new Set(execution.outcomes.filter((x) => x.status === 'ran' || x.status === 'cached').map((x) => x.id));
  for (const [id, k] of execution.keys) if (settled.has(id)) index.nodes[id] = k;
  const unwritten: string[] = [];
  try {
    writeKeyIndex(o.cacheDir, index);
  } catch (e) {
    if (!(e instanceof CacheFsError)) throw e;
    unwritten.push(e.message);
  }

  const finished = new Date();
  const failed = execution.outcomes.filter((x) => x.status === 'failed');
  const record: RunRecord = {
    format: 1,
    id: runId,
    experiment: model.name,
    file: o.file,
    files: model.files,
    command: o.argv,
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    status: failed.length ? 'failed' : 'ok',
    git: gitFacts(model.files.map((f) => f.path)),
    environment: { ...environmentFacts(), ...(await services.describe()) },
    options: {
      backend: o.runtime.backend,
      engine: o.runtime.engine,
      threads: o.runtime.threads,
      parallelTrials: execution.scheduling,
      cacheDir: o.cacheDir,
      dataDirs: o.runtime.dataDirs,
      force: o.force,
      only: (o.only ?? null) as Json,
      overrides: o.overrides ?? [],
      ...executor.describe(),
    },
    model,
    nodes: execution.outcomes,
    // The full summary table (the terminal may show fewer columns) and every epoch of what trained now.
    summary: summaryTables(model, execution.outcomes),
    curves: curvesOf(execution.outcomes, store),
  };
  let recordPath: string | null = null;
  try {
    recordPath = writeRunRecord(o.cacheDir, record);
  } catch (e) {
    if (!(e instanceof CacheFsError)) throw e;
    unwritten.push(e.message);
  }
  for (const m of unwritten) o.warn(`warning: ${m}`);

  const ran = execution.outcomes.filter((x) => x.status === 'ran').length;
  const cached = execution.outcomes.filter((x) => x.status === 'cached').length;
  say('');
  say(summaryTables(model, execution.outcomes, tty ? process.stdout.columns : undefined));
  say('');
  const final = `${ran} step(s) ran, ${cached} cached, ${failed.length} failed in ${record.seconds.toFixed(1)} s; ${recordPath ? `record ${displayPath(recordPath)}` : 'no run record (the cache refused it)'}`;
  if (!o.json) o.out(final);
  if (execution.cacheFailure) {
    const e = execution.cacheFailure;
    const skipped = execution.outcomes.filter((x) => x.status === 'skipped').length;
    throw new UserError(`${e.message}\n${ran + cached} step(s) completed and are cached; ${skipped} step(s) were not started`, { hint: e.options.hint });
  }
  if (failed.length) {
    const details = failed.map((f) => `- ${f.label}: ${f.error}`).join('\n');
    throw new UserError(`${failed.length} step(s) failed (everything else completed and is cached):\n${details}`);
  }
  return { record, recordPath, execution, summary: runSummaryJson(model, execution.outcomes, { record: recordPath, status: record.status, seconds: record.seconds }) };
}

/** "trained with: fused engine, 2 threads (3 trainings); tfjs backend cpu (...)" from what actually ran. */
function trainedWithLine(outcomes: NodeOutcome[], backend: string | undefined): string {
  const ran = outcomes.filter((x) => x.kind === 'train' && x.status === 'ran' && x.meta);
  const groups = new Map<string, number>();
  for (const x of ran) {
    const details = (x.meta!['engineDetails'] ?? {}) as Record<string, Json>;
    const threads = typeof details['threads'] === 'number' ? `, ${details['threads']} thread${details['threads'] === 1 ? '' : 's'}` : '';
    const label = `${String(x.meta!['engine'])} engine${threads}`;
    groups.set(label, (groups.get(label) ?? 0) + 1);
  }
  const engines = [...groups].map(([label, n]) => `${label} (${n} training${n === 1 ? '' : 's'})`).join('; ');
  const trains = outcomes.filter((x) => x.kind === 'train');
  const count = (st: string) => trains.filter((x) => x.status === st).length;
  const other = [`${count('cached')} cached`, count('skipped') ? `${count('skipped')} skipped` : '', count('failed') ? `${count('failed')} failed` : ''].filter(Boolean).join(', ');
  return `trained with: ${engines || `nothing trained now (${other})`}${backend ? `; tfjs backend ${backend}` : ''}`;
}

/** Every epoch's loss and metrics of the trainings that ran now, read from their artifacts. */
function curvesOf(outcomes: NodeOutcome[], store: ArtifactStore): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const x of outcomes) {
    if (x.kind !== 'train' || x.status !== 'ran' || !x.key) continue;
    const a = store.get(x.key);
    if (a?.has('curves.json')) out[x.id] = a.json<Json>('curves.json');
  }
  return out;
}
