/**
 * The programmatic API of expc (`import { compileFile, plan, run, review } from 'expc'`): the
 * same functions the CLI calls, with the CLI's defaults (the project root rule for the cache and
 * reviews, every CPU, automatic engine) and silent output unless `out`/`warn` are given.
 * User mistakes throw `UserError` (its message is what the CLI prints); nothing calls process.exit.
 */
import { dirname, join, resolve } from 'node:path';
import { plan as planCommand, type PlannedNode } from './cli/commands/plan.js';
import { review as reviewCommand, DEFAULT_REVIEWS_DIR, type ReviewResult } from './cli/commands/review.js';
import { run as runCommand, type RunResult } from './cli/commands/run.js';
import { dataDirs, defaultThreads, DEFAULT_CACHE_DIR } from './cli/paths.js';
import { checkCacheDir, findProjectRoot } from './cli/project-root.js';
import { compile, type CompileOptions, type CompileResult } from './compiler/index.js';
import { NodeCompilerHost } from './compiler/host.js';
import type { RuntimeOptions } from './runtime/executor/services.js';

export { compile, type CompileOptions, type CompileResult } from './compiler/index.js';
export { renderDiagnostics, type Diagnostic } from './compiler/diagnostics.js';
export type { ExperimentModel, RunModel, SweepModel, Trial, RunConfig } from './contract/model.js';
export type { ExecutionGraph, GraphNode } from './contract/graph.js';
export { UserError, UsageError } from './core/errors.js';
export { findProjectRoot, type ProjectRoot } from './cli/project-root.js';
export type { PlannedNode, RunResult, ReviewResult };
export { EXPC_VERSION } from './runtime/record/environment.js';

/** Options shared by plan, run and review; every one has the CLI's default. */
export interface ApiOptions {
  /** Default: $EXPC_CACHE_DIR, else <project root>/.expc/cache. */
  cacheDir?: string;
  /** `path=value` overrides, as `-S` (`training.epochs=5`, `onebp.backprop.beta=0.9`). */
  overrides?: string[];
  /** Searched first for dataset files (then $EXPC_DATA_DIR, ./data, <project root>/data). */
  dataDir?: string;
  backend?: RuntimeOptions['backend'];
  engine?: RuntimeOptions['engine'];
  threads?: number;
  /** Trainings at once (default auto: side by side when trials are small; 1: one after another). */
  parallelTrials?: 'auto' | number;
  /** Never download a dataset. */
  offline?: boolean;
  out?: (text: string) => void;
  warn?: (text: string) => void;
}

function resolved(file: string, o: ApiOptions, write: boolean) {
  const root = findProjectRoot(dirname(resolve(file)));
  const cacheDir = o.cacheDir ?? (process.env['EXPC_CACHE_DIR'] || join(root.dir, DEFAULT_CACHE_DIR));
  checkCacheDir(cacheDir, o.cacheDir ? 'cacheDir' : 'the cache folder', write);
  const runtime: RuntimeOptions = {
    backend: o.backend ?? 'auto',
    engine: o.engine ?? 'auto',
    threads: o.threads ?? defaultThreads(),
    dataDirs: dataDirs(o.dataDir, process.env, root.dir),
    allowDownload: o.offline !== true && process.env['EXPC_OFFLINE'] !== '1',
    checkpointSeconds: 30,
    parallelTrials: o.parallelTrials ?? 'auto',
  };
  return { root, cacheDir, runtime, out: o.out ?? (() => {}), warn: o.warn ?? (() => {}) };
}

/** Parses and checks an .exp file (and its imports): the model, the graph and every diagnostic. */
export function compileFile(file: string, options: CompileOptions = {}): CompileResult {
  return compile(file, new NodeCompilerHost(), options);
}

/** Per step: cached or will run, and why. */
export async function plan(file: string, o: ApiOptions = {}): Promise<PlannedNode[]> {
  const r = resolved(file, o, false);
  return planCommand({ file, cacheDir: r.cacheDir, root: r.root, runtime: r.runtime, overrides: o.overrides, json: false, out: r.out, warn: r.warn });
}

/** Runs the experiment (cached steps are reused) and writes its run record. */
export async function run(file: string, o: ApiOptions & { force?: boolean; only?: string[] } = {}): Promise<RunResult> {
  const r = resolved(file, o, true);
  return runCommand({
    file,
    cacheDir: r.cacheDir,
    root: r.root,
    runtime: r.runtime,
    overrides: o.overrides,
    force: o.force ?? false,
    only: o.only,
    progress: o.out ? 'plain' : 'none',
    quiet: !o.out,
    argv: ['api:run', file, ...(o.overrides ?? []).flatMap((x) => ['-S', x])],
    out: r.out,
    warn: r.warn,
  });
}

/** Writes reviews/<experiment>/v<N>.{md,html,json} (with SVG plots) when something changed. */
export async function review(file: string, o: ApiOptions & { reviewsDir?: string; run?: boolean } = {}): Promise<ReviewResult> {
  const r = resolved(file, o, true);
  return reviewCommand({
    file,
    cacheDir: r.cacheDir,
    root: r.root,
    reviewsDir: o.reviewsDir ?? (process.env['EXPC_REVIEWS_DIR'] || join(r.root.dir, DEFAULT_REVIEWS_DIR)),
    runtime: r.runtime,
    overrides: o.overrides,
    run: o.run ?? false,
    progress: 'none',
    quiet: !o.out,
    out: r.out,
    warn: r.warn,
  });
}
