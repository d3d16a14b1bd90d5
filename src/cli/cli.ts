import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { suggest } from '../compiler/suggest.js';
import type { RuntimeOptions } from '../runtime/executor/services.js';
import { EXPC_VERSION } from '../runtime/record/environment.js';
import { dirname, join, resolve } from 'node:path';
import { dataDirs, defaultThreads, DEFAULT_CACHE_DIR } from './paths.js';
import { checkCacheDir, findProjectRoot, type ProjectRoot } from './project-root.js';

export interface Io {
  out: (text: string) => void;
  warn: (text: string) => void;
}

/** One option of a command: how it parses, what it means and its default, for --help and completion. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help: DIR, N, PATH=VALUE. */
  arg?: string;
  /** Values a shell can complete. */
  choices?: readonly string[];
  help: string;
  default?: string;
}
type Options = Record<string, OptionSpec>;
type Values = Record<string, string | boolean | string[] | undefined>;

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
const ENGINES = ['auto', 'fused', 'tfjs'] as const;

const CACHE_OPTION: Options = {
  'cache-dir': { type: 'string', arg: 'DIR', help: 'where cached steps and run records are kept', default: '$EXPC_CACHE_DIR, else <project root>/.expc/cache' },
};
const DATA_OPTIONS: Options = {
  'data-dir': { type: 'string', arg: 'DIR', help: 'folder with the benchmark datasets', default: '$EXPC_DATA_DIR, then ./data, then <project root>/data' },
  offline: { type: 'boolean', help: 'never download a dataset; $EXPC_OFFLINE=1 does the same' },
};
const RUNTIME_OPTIONS: Options = {
  ...CACHE_OPTION,
  ...DATA_OPTIONS,
  backend: { type: 'string', arg: 'NAME', choices: BACKENDS, help: 'tfjs backend for what the fused kernels do not cover; webgpu: the WGSL kernels on a WebGPU adapter (auto takes a real GPU when there is one)', default: 'auto' },
  engine: { type: 'string', arg: 'NAME', choices: ENGINES, help: 'training engine: fused WebAssembly kernels or generic tfjs', default: 'auto (fused where supported)' },
  threads: { type: 'string', arg: 'N', help: 'worker threads of the fused kernels (1 to 256)', default: 'the number of CPUs' },
  'parallel-trials': { type: 'string', arg: 'auto|N', help: 'trainings at once, each with threads/N kernel threads (1: one after another with all threads; auto: side by side when trials are small)', default: 'auto' },
};
const SET_OPTION: Options = {
  set: {
    type: 'string',
    short: 'S',
    multiple: true,
    arg: 'PATH=VALUE',
    help: "override a setting as if written in the file: for every run (-S training.epochs=5) or one run (-S onebp.backprop.beta=0.9); repeatable, validated like the file and recorded",
  },
};
const OUTPUT_OPTIONS: Options = {
  plain: { type: 'boolean', help: 'line output: evaluated epochs and a periodic line (the default when stdout is not a terminal)' },
  quiet: { type: 'boolean', help: 'print only errors and the final line' },
};
const JSON_OPTION: Options = { json: { type: 'boolean', help: 'print the result as JSON' } };

const QUEUE_OPTION: Options = { queue: { type: 'string', arg: 'URL', help: 'the BullMQ queue: redis://HOST:PORT' } };
const QUEUE_RUN_OPTIONS: Options = {
  queue: { type: 'string', arg: 'URL', help: 'run train and evaluate steps on `expc worker` processes through this Redis (redis://HOST:PORT); the workers must share the --cache-dir' },
  detach: { type: 'boolean', help: 'with --queue: Ctrl-C leaves the queued steps running (default: Ctrl-C cancels them)' },
};

/** `--queue URL`: the queue executor (loaded only then: bullmq is not needed for local runs). */
async function executorOf(v: Values): Promise<{ executor?: import('../runtime/executor/executor.js').Executor }> {
  const url = str(v, 'queue');
  if (url === undefined) {
    if (v['detach']) throw new UsageError('--detach needs --queue URL');
    return {};
  }
  const { queueExecutor } = await import('../runtime/executor/queue/queue-executor.js');
  const { queueConnection } = await import('../runtime/executor/queue/queued-step.js');
  queueConnection(url); // a bad URL is a usage error before anything is compiled
  return { executor: queueExecutor({ url, detach: v['detach'] === true }) };
}

function positiveInt(flag: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--${flag} must be an integer from 1 to 256, got '${value}'`);
  return n;
}

export interface Command {
  summary: string;
  usage: string;
  options: Options;
  positionals: [min: number, max: number];
  /** What positionals a shell completes: .exp files, or nothing. */
  completes?: 'exp' | 'slot';
  run(args: { values: Values; positionals: string[]; argv: string[] }, io: Io): Promise<void>;
}

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const did = typeof value === 'string' ? suggest(value, allowed) : undefined;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${String(value)}'`, did ? `did you mean '${did}'?` : undefined);
}

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
const list = (v: Values, k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : typeof v[k] === 'string' ? [v[k] as string] : []);

function runtimeOptions(v: Values, root: ProjectRoot | undefined): RuntimeOptions {
  let threads = defaultThreads();
  if (v['threads'] !== undefined) {
    threads = Number(v['threads']);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got '${String(v['threads'])}'`);
  }
  return {
    backend: oneOf('backend', v['backend'], BACKENDS, 'auto'),
    engine: oneOf('engine', v['engine'], ENGINES, 'auto'),
    threads,
    dataDirs: dataDirs(str(v, 'data-dir'), process.env, root?.dir),
    allowDownload: v['offline'] !== true && process.env['EXPC_OFFLINE'] !== '1',
    checkpointSeconds: checkpointSeconds(),
    parallelTrials: parallelTrialsOf(v['parallel-trials']),
  };
}

function parallelTrialsOf(value: unknown): 'auto' | number {
  if (value === undefined || value === 'auto') return 'auto';
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1 || n > 256) throw new UsageError(`--parallel-trials must be auto or an integer from 1 to 256, got '${String(value)}'`);
  return n;
}

/** How often training checkpoints (seconds; 0: never). $EXPC_CHECKPOINT_SECONDS lets tests and slow disks change it. */
function checkpointSeconds(): number {
  const v = process.env['EXPC_CHECKPOINT_SECONDS'];
  if (v === undefined || v === '') return 30;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`EXPC_CHECKPOINT_SECONDS must be a number of seconds >= 0, got '${v}'`);
  return n;
}


/** The project root of a command: from the .exp file's folder, or the working directory. */
function rootFor(file: string | undefined): ProjectRoot {
  return findProjectRoot(file ? dirname(resolve(file)) : process.cwd());
}

/**
 * The cache folder (--cache-dir, $EXPC_CACHE_DIR, else <root>/.expc/cache), checked up front:
 * a folder that cannot be used is a clear error naming the flag, not a failure halfway through.
 * `run` and `review` check it without a write probe: a read-only cache that holds every step
 * still serves them, and a write it refuses is a clear error from the store.
 */
function cacheDirOf(v: Values, root: ProjectRoot, write: boolean): string {
  const flag = str(v, 'cache-dir');
  const env = process.env['EXPC_CACHE_DIR'] || undefined;
  const dir = flag ?? env ?? join(root.dir, DEFAULT_CACHE_DIR);
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--cache-dir needs a folder, got an empty string');
  checkCacheDir(dir, flag !== undefined ? '--cache-dir' : env !== undefined ? '$EXPC_CACHE_DIR' : 'the cache folder', write);
  return dir;
}

function progressOf(v: Values): 'auto' | 'plain' | 'none' {
  if (v['quiet'] && v['plain']) throw new UsageError('--plain and --quiet exclude each other');
  return v['quiet'] ? 'none' : v['plain'] ? 'plain' : 'auto';
}

/** The command table; each command's implementation is loaded only when it runs. */
export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'compile and execute an experiment, recomputing only what changed',
    usage: 'expc run FILE [options]',
    options: {
      ...SET_OPTION,
      only: { type: 'string', arg: 'RUN,...', help: 'run only these runs (and what they need)', default: 'every run' },
      force: { type: 'boolean', help: 'recompute cached steps too' },
      ...QUEUE_RUN_OPTIONS,
      ...RUNTIME_OPTIONS,
      ...OUTPUT_OPTIONS,
      ...JSON_OPTION,
    },
    positionals: [1, 1],
    completes: 'exp',
    async run({ values, positionals, argv }, io) {
      const { run } = await import('./commands/run.js');
      const only = typeof values['only'] === 'string' ? values['only'].split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const root = rootFor(positionals[0]);
      const result = await run({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values, root, false),
        root,
        runtime: runtimeOptions(values, root),
        ...(await executorOf(values)),
        force: values['force'] === true,
        only,
        overrides: list(values, 'set'),
        progress: values['json'] ? 'none' : progressOf(values),
        quiet: values['quiet'] === true,
        json: values['json'] === true,
        argv,
        ...io,
      });
      if (values['json']) io.out(JSON.stringify(result.summary, null, 2));
    },
  },
  check: {
    summary: 'report every error of an experiment file (exit 1 if any)',
    usage: 'expc check FILE [-S PATH=VALUE]... [--json]',
    options: { ...SET_OPTION, ...JSON_OPTION },
    positionals: [1, 1],
    completes: 'exp',
    async run({ values, positionals }, io) {
      const { check } = await import('./commands/check.js');
      await check({ file: positionals[0]!, overrides: list(values, 'set'), json: values['json'] === true, ...io });
    },
  },
  plan: {
    summary: 'show the execution graph: which steps are cached, which will run and why',
    usage: 'expc plan FILE [options]',
    options: { ...SET_OPTION, ...RUNTIME_OPTIONS, ...JSON_OPTION },
    positionals: [1, 1],
    completes: 'exp',
    async run({ values, positionals }, io) {
      const { plan } = await import('./commands/plan.js');
      const root = rootFor(positionals[0]);
      await plan({ file: positionals[0]!, cacheDir: cacheDirOf(values, root, false), root, runtime: runtimeOptions(values, root), overrides: list(values, 'set'), json: values['json'] === true, ...io });
    },
  },
  review: {
    summary: "write a versioned review (Markdown with SVG plots, HTML, JSON) of an experiment's results; 'review diff' compares versions",
    usage: 'expc review FILE [options]\n       expc review diff FILE vA [vB] [--json]     (vB defaults to the latest version)\n       expc review diff A.json B.json [--json]',
    options: {
      ...SET_OPTION,
      run: { type: 'boolean', help: 'run the experiment first (cached steps are reused) instead of failing on missing steps' },
      'reviews-dir': { type: 'string', arg: 'DIR', help: 'where reviews/<experiment>/v<N>.* are written', default: '$EXPC_REVIEWS_DIR, else <project root>/reviews' },
      ...RUNTIME_OPTIONS,
      ...OUTPUT_OPTIONS,
      ...JSON_OPTION,
    },
    positionals: [1, 4],
    completes: 'exp',
    async run({ values, positionals, argv }, io) {
      const { review, reviewDiff, DEFAULT_REVIEWS_DIR } = await import('./commands/review.js');
      const fileArg = positionals[0] === 'diff' ? positionals[1] : positionals[0];
      const root = rootFor(fileArg?.endsWith('.json') ? undefined : fileArg);
      const reviewsDir = str(values, 'reviews-dir') ?? (process.env['EXPC_REVIEWS_DIR'] || undefined) ?? join(root.dir, DEFAULT_REVIEWS_DIR);
      if (positionals[0] === 'diff') {
        await reviewDiff({ args: positionals.slice(1), reviewsDir, json: values['json'] === true, ...io });
        return;
      }
      if (positionals.length !== 1)
        throw new UsageError(`expc review: expected FILE, or diff FILE vA [vB], or diff A.json B.json; got ${positionals.join(' ')}`, `usage: ${COMMANDS['review']!.usage}`);
      const result = await review({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values, root, false),
        root,
        reviewsDir,
        runtime: runtimeOptions(values, root),
        overrides: list(values, 'set'),
        run: values['run'] === true,
        progress: values['json'] ? 'none' : progressOf(values),
        quiet: values['quiet'] === true || values['json'] === true,
        argv,
        ...io,
        out: values['json'] ? () => {} : io.out,
      });
      if (values['json']) io.out(JSON.stringify({ status: result.status, version: result.version, dir: result.dir, paths: result.paths ?? null, seconds: result.seconds }, null, 2));
    },
  },
  runs: {
    summary: 'list recorded runs, filtered by experiment, dataset, run or parameter value',
    usage: 'expc runs [options]',
    options: {
      ...CACHE_OPTION,
      experiment: { type: 'string', arg: 'NAME', help: 'only runs of this experiment' },
      dataset: { type: 'string', arg: 'NAME', help: 'only runs with a trial on this dataset' },
      run: { type: 'string', arg: 'NAME', help: 'only runs with a trial of this run' },
      param: { type: 'string', multiple: true, arg: 'PATH=VALUE', help: "only runs with a trial whose setting PATH has VALUE (e.g. sampler.negatives=10); repeatable" },
      ...JSON_OPTION,
    },
    positionals: [0, 0],
    async run({ values }, io) {
      const { runs } = await import('./commands/runs.js');
      const root = rootFor(undefined);
      await runs({
        cacheDir: cacheDirOf(values, root, false),
        experiment: str(values, 'experiment'),
        dataset: str(values, 'dataset'),
        run: str(values, 'run'),
        params: list(values, 'param'),
        json: values['json'] === true,
        ...io,
      });
    },
  },
  results: {
    summary: 'a results table across recorded runs: trials x changed parameters x metrics (as dvc exp show)',
    usage: 'expc results [options]',
    options: {
      ...CACHE_OPTION,
      experiment: { type: 'string', arg: 'NAME', help: 'only trials of this experiment' },
      dataset: { type: 'string', arg: 'NAME', help: 'only trials on this dataset' },
      run: { type: 'string', arg: 'NAME', help: 'only trials of this run (its sweep points included)' },
      param: { type: 'string', multiple: true, arg: 'PATH=VALUE', help: 'only trials whose setting PATH has VALUE; repeatable' },
      sort: { type: 'string', arg: 'COLUMN', help: 'sort by a metric (ndcg@20: best first), a parameter path, trial or seed' },
      asc: { type: 'boolean', help: 'sort metrics ascending (worst first)' },
      all: { type: 'boolean', help: 'every recorded run, not only the latest of each experiment' },
      md: { type: 'boolean', help: 'print a Markdown table' },
      csv: { type: 'boolean', help: 'print CSV (full precision, with record ids)' },
      ...JSON_OPTION,
    },
    positionals: [0, 0],
    async run({ values }, io) {
      const { results } = await import('./commands/results.js');
      const formats = (['md', 'csv', 'json'] as const).filter((f) => values[f] === true);
      if (formats.length > 1) throw new UsageError(`--${formats.join(', --')}: choose one output format`);
      const root = rootFor(undefined);
      await results({
        cacheDir: cacheDirOf(values, root, false),
        experiment: str(values, 'experiment'),
        dataset: str(values, 'dataset'),
        run: str(values, 'run'),
        params: list(values, 'param'),
        sort: str(values, 'sort'),
        ascending: values['asc'] === true,
        all: values['all'] === true,
        format: formats[0] ?? 'text',
        width: process.stdout.isTTY ? process.stdout.columns : undefined,
        ...io,
      });
    },
  },
  recommend: {
    summary: "top-K items with scores for given users from a trained run (the user's training items excluded)",
    usage: 'expc recommend FILE --run RUN --users ID,... [-k K] [options]',
    options: {
      run: { type: 'string', arg: 'RUN', help: 'the run (or trial id, e.g. onebp[backprop.beta=0.9]) whose trained model is used' },
      users: { type: 'string', arg: 'ID,...', help: 'user ids as the dataset names them' },
      k: { type: 'string', short: 'k', arg: 'K', help: 'how many items per user', default: '20' },
      dataset: { type: 'string', arg: 'NAME', help: 'the dataset the run was trained on', default: "the run's only dataset" },
      seed: { type: 'string', arg: 'N', help: 'which seed of a run trained with several', default: 'the first' },
      ...SET_OPTION,
      ...CACHE_OPTION,
      ...DATA_OPTIONS,
      ...JSON_OPTION,
    },
    positionals: [1, 1],
    completes: 'exp',
    async run({ values, positionals }, io) {
      const { recommend } = await import('./commands/recommend.js');
      const root = rootFor(positionals[0]);
      const run = str(values, 'run');
      if (!run) throw new UsageError('expc recommend needs --run RUN', `usage: ${COMMANDS['recommend']!.usage}`);
      const k = Number(str(values, 'k') ?? '20');
      if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be an integer >= 1, got '${str(values, 'k')}'`);
      await recommend({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values, root, false),
        runtime: runtimeOptions(values, root),
        overrides: list(values, 'set'),
        run,
        dataset: str(values, 'dataset'),
        seed: seedOf(values),
        users: (str(values, 'users') ?? '').split(',').map((x) => x.trim()).filter(Boolean),
        k,
        json: values['json'] === true,
        ...io,
      });
    },
  },
  export: {
    summary: 'write the trained embeddings of a run as .npy files with their id maps',
    usage: 'expc export FILE --run RUN --out DIR [options]',
    options: {
      run: { type: 'string', arg: 'RUN', help: 'the run (or trial id) to export' },
      out: { type: 'string', short: 'o', arg: 'DIR', help: 'the folder to write user_embeddings.npy, item_embeddings.npy, user_ids.json, item_ids.json, model.json' },
      dataset: { type: 'string', arg: 'NAME', help: 'the dataset the run was trained on', default: "the run's only dataset" },
      seed: { type: 'string', arg: 'N', help: 'which seed of a run trained with several', default: 'the first' },
      ...SET_OPTION,
      ...CACHE_OPTION,
      ...DATA_OPTIONS,
      ...JSON_OPTION,
    },
    positionals: [1, 1],
    completes: 'exp',
    async run({ values, positionals }, io) {
      const { exportModel } = await import('./commands/recommend.js');
      const root = rootFor(positionals[0]);
      const run = str(values, 'run');
      const outDir = str(values, 'out');
      if (!run || !outDir) throw new UsageError(`expc export needs --run RUN and --out DIR`, `usage: ${COMMANDS['export']!.usage}`);
      await exportModel({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values, root, false),
        runtime: runtimeOptions(values, root),
        overrides: list(values, 'set'),
        run,
        dataset: str(values, 'dataset'),
        seed: seedOf(values),
        outDir,
        json: values['json'] === true,
        ...io,
      });
    },
  },
  gc: {
    summary: 'remove cache entries that no recorded run references (safe while runs are going)',
    usage: 'expc gc [--dry-run] [--cache-dir DIR]',
    options: { ...CACHE_OPTION, 'dry-run': { type: 'boolean', help: 'list what would be removed, remove nothing' } },
    positionals: [0, 0],
    async run({ values }, io) {
      const { gc } = await import('./commands/gc.js');
      await gc({ cacheDir: cacheDirOf(values, rootFor(undefined), true), dryRun: values['dry-run'] === true, ...io });
    },
  },
  components: {
    summary: 'list components and their parameters (optionally of one slot)',
    usage: 'expc components [dataset|split|encoder|sampler|loss|backprop|optimizer|training|evaluate] [--json]',
    options: { ...JSON_OPTION },
    positionals: [0, 1],
    completes: 'slot',
    async run({ values, positionals }, io) {
      const { components } = await import('./commands/components.js');
      await components({ slot: positionals[0], json: values['json'] === true, out: io.out });
    },
  },
};

COMMANDS['worker'] = {
  summary: 'compute the train/evaluate steps that `expc run --queue` puts on a BullMQ queue (until SIGINT/SIGTERM)',
  usage: 'expc worker --queue redis://HOST:PORT [--concurrency N] [--cache-dir DIR]',
  options: {
    ...QUEUE_OPTION,
    concurrency: { type: 'string', arg: 'N', help: 'steps computed at once, each in its own thread', default: '1' },
    name: { type: 'string', arg: 'NAME', help: 'how progress and records name this worker', default: 'HOST:PID' },
    ...CACHE_OPTION,
    shared: { type: 'boolean', help: 'the cache folder is mounted by several machines (NFS): checks that renames stay within it; locks of other hosts expire by heartbeat' },
    threads: { type: 'string', arg: 'N', help: 'kernel threads per step (1 to 256)', default: 'the number of CPUs / concurrency' },
  },
  positionals: [0, 0],
  async run({ values }, io) {
    const url = str(values, 'queue');
    if (!url) throw new UsageError('expc worker needs --queue redis://HOST:PORT', `usage: ${COMMANDS['worker']!.usage}`);
    const { queueConnection } = await import('../runtime/executor/queue/queued-step.js');
    queueConnection(url);
    const concurrency = positiveInt('concurrency', str(values, 'concurrency'), 1);
    const root = rootFor(undefined);
    // Engine and backend come with each job (the submitter's choice); threads and paths are this machine's.
    const runtime = runtimeOptions({ threads: values['threads'] ?? String(Math.max(1, Math.floor(defaultThreads() / concurrency))) }, root);
    const { worker } = await import('./commands/worker.js');
    await worker({ queue: url, cacheDir: cacheDirOf(values, root, true), shared: values['shared'] === true, concurrency, runtime, ...(str(values, 'name') ? { name: str(values, 'name')! } : {}), out: io.out });
  },
};

COMMANDS['queue'] = {
  summary: 'the sweeps on a BullMQ queue: status (per state, running trials with worker and epoch) or cancel',
  usage: 'expc queue status [SWEEP] --queue URL [--json]\n       expc queue cancel SWEEP --queue URL',
  options: { ...QUEUE_OPTION, ...JSON_OPTION },
  positionals: [1, 2],
  async run({ values, positionals }, io) {
    const action = positionals[0];
    if (action !== 'status' && action !== 'cancel') throw new UsageError(`expc queue: expected status or cancel, got '${action}'`, `usage: ${COMMANDS['queue']!.usage}`);
    const url = str(values, 'queue') ?? (process.env['EXPC_QUEUE'] || undefined);
    if (!url) throw new UsageError(`expc queue ${action} needs --queue redis://HOST:PORT (or $EXPC_QUEUE)`, `usage: ${COMMANDS['queue']!.usage}`);
    if (action === 'cancel' && !positionals[1]) throw new UsageError('expc queue cancel needs the SWEEP id (expc queue status lists them)', `usage: ${COMMANDS['queue']!.usage}`);
    const { queueCommand } = await import('./commands/queue.js');
    await queueCommand({ action, queue: url, ...(positionals[1] ? { sweep: positionals[1] } : {}), json: values['json'] === true, out: io.out });
  },
};

COMMANDS['completion'] = {
  summary: 'print a shell completion script: eval "$(expc completion bash)" (or zsh)',
  usage: 'expc completion bash|zsh',
  options: {},
  positionals: [1, 1],
  async run({ positionals }, io) {
    const { completionScript } = await import('./completion.js');
    io.out(completionScript(oneOf('shell', positionals[0], ['bash', 'zsh'] as const, 'bash'), COMMANDS));
  },
};

function seedOf(v: Values): number | undefined {
  const s = str(v, 'seed');
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seed must be an integer >= 0, got '${s}'`);
  return n;
}

/** `--set, -S PATH=VALUE   meaning (default: ...)` lines of a command's options. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const lines = [`expc ${name}: ${c.summary}`, '', `usage: ${c.usage}`];
  const entries = Object.entries(c.options);
  const heads = entries.map(([flag, o]) => `${o.short ? `-${o.short}, ` : '    '}--${flag}${o.arg ? ` ${o.arg}` : ''}`);
  const width = Math.min(32, Math.max(10, ...heads.map((h) => h.length)));
  lines.push('', 'options:');
  entries.forEach(([, o], i) => {
    const more = [o.choices ? `one of ${o.choices.join(', ')}` : '', o.default ? `default: ${o.default}` : ''].filter(Boolean).join('; ');
    const text = `${o.help}${more ? ` (${more})` : ''}`;
    const head = heads[i]!;
    lines.push(head.length > width ? `  ${head}\n  ${' '.repeat(width)}  ${text}` : `  ${head.padEnd(width)}  ${text}`);
  });
  lines.push(`  ${'    --help'.padEnd(width)}  show this help`);
  return lines.join('\n');
}

export function helpText(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `expc ${EXPC_VERSION}: declarative experiments for two-tower recommender training strategies`,
    '',
    'usage: expc <command> [options]',
    '',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    "'expc help <command>' or 'expc <command> --help' shows a command's options with their defaults.",
    'Exit codes: 0 ok, 1 errors in the input or failed steps, 2 bad usage.',
  ].join('\n');
}

/** Parses argv and runs the command. Throws UsageError for anything wrong with the command line. */
export async function runCli(argv: string[], io: Io): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) io.out(commandHelp(topic));
    else if (topic) throw unknownCommand(topic);
    else io.out(helpText());
    return;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(EXPC_VERSION);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw unknownCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(name));
    return;
  }
  let parsed: { values: Values; positionals: string[] };
  const config: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
    Object.entries(command.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  try {
    parsed = parseArgs({ args: rest, options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const flag = /'(--?[\w-]+)'/.exec(msg)?.[1];
    const did = flag ? suggest(flag.replace(/^-+/, ''), Object.keys(command.options)) : undefined;
    throw new UsageError(`expc ${name}: ${msg}`, did ? `did you mean '--${did}'? usage: ${command.usage}` : `usage: ${command.usage}`);
  }
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max)
    throw new UsageError(
      `expc ${name}: expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}${parsed.positionals.length ? ` (${parsed.positionals.join(' ')})` : ''}`,
      `usage: ${command.usage}`,
    );
  await command.run({ ...parsed, argv }, io);
}

function unknownCommand(name: string): UsageError {
  const did = suggest(name, Object.keys(COMMANDS));
  return new UsageError(`unknown command '${name}'`, did ? `did you mean 'expc ${did}'?` : `commands: ${Object.keys(COMMANDS).join(', ')}`);
}
