import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { suggest } from '../compiler/suggest.js';
import type { RuntimeOptions } from '../runtime/executor/services.js';
import { EXPC_VERSION } from '../runtime/record/environment.js';
import { dataDirs, defaultThreads, DEFAULT_CACHE_DIR } from './paths.js';

export interface Io {
  out: (text: string) => void;
  warn: (text: string) => void;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const RUNTIME_OPTIONS: Options = {
  'cache-dir': { type: 'string' },
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  engine: { type: 'string' },
  threads: { type: 'string' },
  offline: { type: 'boolean' },
};

interface Command {
  summary: string;
  usage: string;
  options: Options;
  positionals: [min: number, max: number];
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[]; argv: string[] }, io: Io): Promise<void>;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
const ENGINES = ['auto', 'fused', 'tfjs'] as const;

function oneOf<T extends string>(flag: string, value: string | boolean | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const did = typeof value === 'string' ? suggest(value, allowed) : undefined;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${String(value)}'`, did ? `did you mean '${did}'?` : undefined);
}

function runtimeOptions(v: Record<string, string | boolean | undefined>): RuntimeOptions {
  let threads = defaultThreads();
  if (v['threads'] !== undefined) {
    threads = Number(v['threads']);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads must be an integer from 1 to 256, got '${String(v['threads'])}'`);
  }
  return {
    backend: oneOf('backend', v['backend'], BACKENDS, 'auto'),
    engine: oneOf('engine', v['engine'], ENGINES, 'auto'),
    threads,
    dataDirs: dataDirs(v['data-dir'] as string | undefined),
    allowDownload: v['offline'] !== true && process.env['EXPC_OFFLINE'] !== '1',
    checkpointSeconds: checkpointSeconds(),
  };
}

/** How often training checkpoints (seconds; 0: never). $EXPC_CHECKPOINT_SECONDS lets tests and slow disks change it. */
function checkpointSeconds(): number {
  const v = process.env['EXPC_CHECKPOINT_SECONDS'];
  if (v === undefined || v === '') return 30;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`EXPC_CHECKPOINT_SECONDS must be a number of seconds >= 0, got '${v}'`);
  return n;
}

const cacheDirOf = (v: Record<string, string | boolean | undefined>) => (v['cache-dir'] as string | undefined) ?? process.env['EXPC_CACHE_DIR'] ?? DEFAULT_CACHE_DIR;

/** The command table; each command's implementation is loaded only when it runs. */
export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'compile and execute an experiment, recomputing only what changed',
    usage:
      'expc run FILE [--only RUN,...] [--force] [--backend auto|tensorflow|wasm|cpu] [--engine auto|fused|tfjs]\n' +
      '              [--threads N] [--cache-dir DIR] [--data-dir DIR] [--offline] [--plain | --quiet]',
    options: { ...RUNTIME_OPTIONS, only: { type: 'string' }, force: { type: 'boolean' }, plain: { type: 'boolean' }, quiet: { type: 'boolean' } },
    positionals: [1, 1],
    async run({ values, positionals, argv }, io) {
      const { run } = await import('./commands/run.js');
      const only = typeof values['only'] === 'string' ? values['only'].split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      await run({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values),
        runtime: runtimeOptions(values),
        force: values['force'] === true,
        only,
        progress: values['quiet'] ? 'none' : values['plain'] ? 'plain' : 'auto',
        argv,
        ...io,
      });
    },
  },
  check: {
    summary: 'report every error of an experiment file (exit 1 if any)',
    usage: 'expc check FILE',
    options: {},
    positionals: [1, 1],
    async run({ positionals }, io) {
      const { check } = await import('./commands/check.js');
      await check({ file: positionals[0]!, ...io });
    },
  },
  plan: {
    summary: 'show the execution graph: which steps are cached, which will run and why',
    usage: 'expc plan FILE [--json] [--cache-dir DIR] [--data-dir DIR]',
    options: { ...RUNTIME_OPTIONS, json: { type: 'boolean' } },
    positionals: [1, 1],
    async run({ values, positionals }, io) {
      const { plan } = await import('./commands/plan.js');
      await plan({ file: positionals[0]!, cacheDir: cacheDirOf(values), runtime: runtimeOptions(values), json: values['json'] === true, ...io });
    },
  },
  review: {
    summary: "write a versioned review (Markdown, HTML with plots, JSON) of an experiment's results; 'review diff' compares versions",
    usage:
      'expc review FILE [--run] [--reviews-dir DIR] [--cache-dir DIR] [--data-dir DIR] [--offline] [--plain | --quiet]\n' +
      '       expc review diff FILE vA [vB] [--reviews-dir DIR] [--json]     (vB defaults to the latest version)\n' +
      '       expc review diff A.json B.json [--json]',
    options: { ...RUNTIME_OPTIONS, run: { type: 'boolean' }, 'reviews-dir': { type: 'string' }, json: { type: 'boolean' }, plain: { type: 'boolean' }, quiet: { type: 'boolean' } },
    positionals: [1, 4],
    async run({ values, positionals, argv }, io) {
      const { review, reviewDiff, DEFAULT_REVIEWS_DIR } = await import('./commands/review.js');
      const reviewsDir = (values['reviews-dir'] as string | undefined) ?? process.env['EXPC_REVIEWS_DIR'] ?? DEFAULT_REVIEWS_DIR;
      if (positionals[0] === 'diff') {
        await reviewDiff({ args: positionals.slice(1), reviewsDir, json: values['json'] === true, ...io });
        return;
      }
      if (positionals.length !== 1)
        throw new UsageError(`expc review: expected FILE, or diff FILE vA [vB], or diff A.json B.json; got ${positionals.join(' ')}`, `usage: ${COMMANDS['review']!.usage}`);
      await review({
        file: positionals[0]!,
        cacheDir: cacheDirOf(values),
        reviewsDir,
        runtime: runtimeOptions(values),
        run: values['run'] === true,
        progress: values['quiet'] ? 'none' : values['plain'] ? 'plain' : 'auto',
        argv,
        ...io,
      });
    },
  },
  runs: {
    summary: 'list recorded runs, filtered by experiment, dataset, run or parameter value',
    usage: 'expc runs [--experiment NAME] [--dataset NAME] [--run NAME] [--param PATH=VALUE]... [--json] [--cache-dir DIR]',
    options: { 'cache-dir': { type: 'string' }, experiment: { type: 'string' }, dataset: { type: 'string' }, run: { type: 'string' }, param: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    positionals: [0, 0],
    async run({ values }, io) {
      const { runs } = await import('./commands/runs.js');
      const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
      const params = (values as Record<string, unknown>)['param'];
      await runs({
        cacheDir: cacheDirOf(values),
        experiment: str('experiment'),
        dataset: str('dataset'),
        run: str('run'),
        params: Array.isArray(params) ? params.map(String) : [],
        json: values['json'] === true,
        ...io,
      });
    },
  },
  gc: {
    summary: 'remove cache entries that no recorded run references (safe while runs are going)',
    usage: 'expc gc [--dry-run] [--cache-dir DIR]',
    options: { 'cache-dir': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    positionals: [0, 0],
    async run({ values }, io) {
      const { gc } = await import('./commands/gc.js');
      await gc({ cacheDir: cacheDirOf(values), dryRun: values['dry-run'] === true, ...io });
    },
  },
  components: {
    summary: 'list components and their parameters (optionally of one slot)',
    usage: 'expc components [dataset|split|encoder|sampler|loss|backprop|optimizer|training|evaluate]',
    options: {},
    positionals: [0, 1],
    async run({ positionals }, io) {
      const { components } = await import('./commands/components.js');
      await components({ slot: positionals[0], out: io.out });
    },
  },
};

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
    "'expc help <command>' shows a command's options. Exit codes: 0 ok, 1 errors in the input or failed steps, 2 bad usage.",
  ].join('\n');
}

/** Parses argv and runs the command. Throws UsageError for anything wrong with the command line. */
export async function runCli(argv: string[], io: Io): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) io.out(`${COMMANDS[topic].summary}\n\nusage: ${COMMANDS[topic].usage}`);
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
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true }) as typeof parsed;
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
