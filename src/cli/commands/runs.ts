import type { RunConfig, Trial } from '../../contract/model.js';
import { UsageError } from '../../core/errors.js';
import { isJsonObject, type Json } from '../../core/json.js';
import { readRunRecords, type RunRecord } from '../../runtime/record/run-record.js';

export interface RunsFilter {
  experiment?: string;
  dataset?: string;
  run?: string;
  /** `path=value` pairs, all of which a trial's resolved configuration must have. */
  params?: string[];
}

export interface RunsOptions extends RunsFilter {
  cacheDir: string;
  json: boolean;
  out: (text: string) => void;
  warn: (text: string) => void;
}

export interface RunSummary {
  id: string;
  started: string;
  experiment: string;
  status: 'ok' | 'failed';
  steps: { ran: number; cached: number; failed: number; skipped: number };
  seconds: number;
  backend: string;
  engines: string[];
  file: string;
  /** Trials of the record that satisfy the dataset/run/parameter filters (all trials without such filters). */
  trials: string[];
}

const SLOTS = ['encoder', 'sampler', 'loss', 'backprop', 'optimizer'] as const;

/**
 * The value at a parameter path of a resolved run configuration, as the .exp language names it:
 * `sampler.negatives`, `backprop.beta`, `training.epochs`, `backprop` (the component's name).
 * Undefined when the configuration has no such path.
 */
export function configValue(config: RunConfig, path: string): Json | undefined {
  const [head, ...rest] = path.split('.');
  if (head === 'training') {
    let v: Json | undefined = config.training as unknown as Json;
    for (const p of rest) v = isJsonObject(v) ? v[p] : undefined;
    return v;
  }
  if (!(SLOTS as readonly string[]).includes(head!)) return undefined;
  const c = config[head as (typeof SLOTS)[number]];
  if (rest.length === 0) return c.name;
  let v: Json | undefined = c.params;
  for (const p of rest) v = isJsonObject(v) ? v[p] : undefined;
  return v;
}

/** `sampler.negatives=10` -> path and the value parsed as JSON when it is JSON (numbers, booleans), else the text. */
export function parseParamFilter(text: string): { path: string; value: Json } {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new UsageError(`--param takes PATH=VALUE (e.g. sampler.negatives=10), got '${text}'`);
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  let value: Json;
  try {
    value = JSON.parse(raw) as Json;
  } catch {
    value = raw;
  }
  return { path, value };
}

function valueMatches(actual: Json | undefined, wanted: Json): boolean {
  if (actual === undefined) return false;
  if (typeof wanted === 'number' && typeof actual === 'number') return actual === wanted;
  if (typeof wanted === 'string' && typeof actual !== 'object') return String(actual) === wanted;
  return JSON.stringify(actual) === JSON.stringify(wanted);
}

/** The trials of a record that pass the dataset, run and parameter filters. */
export function matchingTrials(record: RunRecord, f: RunsFilter): Trial[] {
  const params = (f.params ?? []).map(parseParamFilter);
  return (record.model?.trials ?? []).filter(
    (t) => (f.dataset === undefined || t.dataset === f.dataset) && (f.run === undefined || t.run === f.run) && params.every((p) => valueMatches(configValue(t.config, p.path), p.value)),
  );
}

export function summarizeRecord(r: RunRecord, trials: Trial[]): RunSummary {
  const count = (s: string) => r.nodes.filter((n) => n.status === s).length;
  const engines = [...new Set(r.nodes.filter((n) => n.kind === 'train' && typeof n.meta?.['engine'] === 'string').map((n) => n.meta!['engine'] as string))];
  const b = r.environment['backend'];
  return {
    id: r.id,
    started: r.started,
    experiment: r.experiment,
    status: r.status,
    steps: { ran: count('ran'), cached: count('cached'), failed: count('failed'), skipped: count('skipped') },
    seconds: r.seconds,
    backend: typeof b === 'string' ? b : 'unknown',
    engines,
    file: r.file,
    trials: trials.map((t) => `${t.id} on ${t.dataset}`),
  };
}

/** `expc runs`: one line per recorded run, oldest first, filtered by experiment, dataset, run and parameters. */
export async function runs(o: RunsOptions): Promise<RunSummary[]> {
  (o.params ?? []).forEach(parseParamFilter); // a malformed filter is a usage error even when there is nothing to filter
  const records = readRunRecords(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  const trialFilters = o.dataset !== undefined || o.run !== undefined || (o.params?.length ?? 0) > 0;
  const out: RunSummary[] = [];
  for (const r of records) {
    if (o.experiment !== undefined && r.experiment !== o.experiment) continue;
    const trials = matchingTrials(r, o);
    if (trialFilters && trials.length === 0) continue;
    out.push(summarizeRecord(r, trials));
  }
  if (o.json) {
    o.out(JSON.stringify(out, null, 2));
    return out;
  }
  if (out.length === 0) {
    const experiments = [...new Set(records.map((r) => r.experiment))];
    o.out(
      records.length
        ? `no recorded run matches (${records.length} record(s) of ${experiments.join(', ')} in ${o.cacheDir})`
        : `no recorded runs in ${o.cacheDir} (\`expc run FILE\` records one)`,
    );
    return out;
  }
  const rows = out.map((s) => [
    s.id,
    s.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    s.experiment,
    s.status,
    `${s.steps.ran}/${s.steps.cached}/${s.steps.failed}`,
    s.seconds.toFixed(1),
    `${s.backend}/${s.engines.length ? s.engines.join('+') : '-'}`,
    ...(trialFilters ? [s.trials.length > 3 ? `${s.trials.slice(0, 3).join(', ')}, +${s.trials.length - 3}` : s.trials.join(', ')] : []),
  ]);
  const header = ['id', 'started', 'experiment', 'status', 'ran/cached/failed', 'seconds', 'backend/engine', ...(trialFilters ? ['matching trials'] : [])];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 4 || j === 5 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
  o.out([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', '`expc results` shows the trials of these runs with their parameters and metrics.'].join('\n'));
  return out;
}
