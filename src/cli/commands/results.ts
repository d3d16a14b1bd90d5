import type { RunConfig } from '../../contract/model.js';
import { UsageError } from '../../core/errors.js';
import { isJsonObject, type Json } from '../../core/json.js';
import { readRunRecords, type RunRecord } from '../../runtime/record/run-record.js';
import { suggest } from '../../compiler/suggest.js';
import { fitWidth, formatTable, shortMetric, trialMetrics } from '../summary.js';
import { matchingTrials, type RunsFilter } from './runs.js';

export interface ResultsOptions extends RunsFilter {
  cacheDir: string;
  /** Every record, not only the latest one of each experiment. */
  all: boolean;
  /** A column to sort by (a metric such as ndcg@20, a parameter path, trial, seed); metrics sort best first. */
  sort?: string;
  ascending: boolean;
  format: 'text' | 'md' | 'csv' | 'json';
  /** Terminal width for the text table (columns beyond it are dropped and named). */
  width?: number;
  out: (text: string) => void;
  warn: (text: string) => void;
}

export interface ResultRow {
  record: string;
  experiment: string;
  dataset: string;
  trial: string;
  run: string;
  seed: number;
  protocol: string;
  keptEpoch: number | null;
  /** Only the parameters that differ between the rows shown. */
  params: Record<string, Json>;
  metrics: Record<string, number>;
}

export interface ResultsTable {
  params: string[];
  metrics: string[];
  rows: ResultRow[];
}

/** Every setting of a configuration as `slot` (component name), `slot.param` and `training.x`. */
export function flattenConfig(c: RunConfig): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [slot, v] of Object.entries(c)) {
    if (slot === 'training') {
      for (const [k, x] of Object.entries(v as Record<string, Json>)) if (k !== 'seed') out[`training.${k}`] = isJsonObject(x) ? describe(x) : x;
      continue;
    }
    const comp = v as { name: string; params: Record<string, Json> };
    out[slot] = comp.name;
    for (const [k, x] of Object.entries(comp.params)) out[`${slot}.${k}`] = x;
  }
  return out;
}

function describe(x: Json): Json {
  // early_stop: {metric, k, split} reads as the language writes it.
  if (isJsonObject(x) && typeof x['metric'] === 'string' && typeof x['k'] === 'number') return `${x['metric']}@${x['k']} on ${String(x['split'])}`;
  return JSON.stringify(x);
}

/**
 * `expc results`: trials x changed parameters x metrics across recorded runs, as `dvc exp show`:
 * from the latest record of each experiment (--all: every record), filtered like `expc runs`,
 * sorted by any column, as a text table, Markdown, CSV or JSON.
 */
export async function results(o: ResultsOptions): Promise<ResultsTable> {
  const records = readRunRecords(o.cacheDir, (m) => o.warn(`warning: ${m}`));
  const chosen = o.all ? records : latestPerExperiment(records);
  const rows: (Omit<ResultRow, 'params'> & { config: Record<string, Json> })[] = [];
  for (const r of chosen) {
    if (o.experiment !== undefined && r.experiment !== o.experiment) continue;
    const outcomes = new Map(r.nodes.map((n) => [n.id, n]));
    for (const t of matchingTrials(r, o)) {
      const ev = outcomes.get(`evaluate:${t.dataset}/${t.id}`);
      if (!ev || (ev.status !== 'ran' && ev.status !== 'cached')) continue;
      const kept = outcomes.get(`train:${t.dataset}/${t.id}`)?.meta?.['keptEpoch'];
      rows.push({
        record: r.id,
        experiment: r.experiment,
        dataset: t.dataset,
        trial: t.id,
        run: t.run,
        seed: t.seed,
        protocol: r.model.datasets.find((d) => d.name === t.dataset)?.protocol ?? 'validation',
        keptEpoch: typeof kept === 'number' ? kept : null,
        metrics: trialMetrics(r.model, t.dataset, t.id, outcomes),
        config: flattenConfig(t.config),
      });
    }
  }
  const allPaths = [...new Set(rows.flatMap((r) => Object.keys(r.config)))];
  const changed = allPaths.filter((p) => new Set(rows.map((r) => JSON.stringify(r.config[p] ?? null))).size > 1);
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const table: ResultsTable = {
    params: changed,
    metrics,
    rows: rows.map(({ config, ...r }) => ({ ...r, params: Object.fromEntries(changed.map((p) => [p, config[p] ?? null])) })),
  };
  if (o.sort !== undefined) sortRows(table, o.sort, o.ascending);
  o.out(render(table, o, records.length));
  return table;
}

function latestPerExperiment(records: RunRecord[]): RunRecord[] {
  const latest = new Map<string, RunRecord>();
  for (const r of records) {
    const prev = latest.get(r.experiment);
    if (!prev || r.started >= prev.started) latest.set(r.experiment, r);
  }
  return [...latest.values()];
}

const FIXED = ['record', 'experiment', 'dataset', 'trial', 'run', 'seed', 'keptEpoch'] as const;

function sortRows(t: ResultsTable, column: string, ascending: boolean): void {
  const isMetric = t.metrics.includes(column);
  const isParam = t.params.includes(column);
  if (!isMetric && !isParam && !(FIXED as readonly string[]).includes(column)) {
    const options = [...t.metrics, ...t.params, ...FIXED];
    const did = suggest(column, options);
    throw new UsageError(`--sort ${column}: no such column`, did ? `did you mean '${did}'?` : `columns: ${options.join(', ')}`);
  }
  const value = (r: ResultRow): Json | undefined => (isMetric ? r.metrics[column] : isParam ? r.params[column] : (r[column as (typeof FIXED)[number]] as Json));
  // Metrics are best first unless --asc; everything else in ascending order unless --desc.
  const dir = (isMetric ? -1 : 1) * (ascending === isMetric ? -1 : 1);
  t.rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === undefined || x === null) return 1;
    if (y === undefined || y === null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
  });
}

const cell = (v: Json | undefined): string => (v === undefined || v === null ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) : typeof v === 'string' ? v : JSON.stringify(v));

function render(t: ResultsTable, o: ResultsOptions, recordCount: number): string {
  if (o.format === 'json') return JSON.stringify(t, null, 2);
  if (t.rows.length === 0) return recordCount ? `no recorded trial matches (${recordCount} record(s) in ${o.cacheDir})` : `no recorded runs in ${o.cacheDir} (\`expc run FILE\` records one)`;
  const experiments = new Set(t.rows.map((r) => r.experiment)).size > 1;
  const datasets = new Set(t.rows.map((r) => r.dataset)).size > 1;
  const seeds = new Set(t.rows.map((r) => r.seed)).size > 1;
  const head = [...(experiments ? ['experiment'] : []), 'trial', ...(datasets ? ['dataset'] : []), ...(seeds ? ['seed'] : []), ...t.params, ...t.metrics, 'kept'];
  const rows = t.rows.map((r) => [
    ...(experiments ? [r.experiment] : []),
    r.trial,
    ...(datasets ? [r.dataset] : []),
    ...(seeds ? [String(r.seed)] : []),
    ...t.params.map((p) => cell(r.params[p])),
    ...t.metrics.map((m) => (r.metrics[m] === undefined ? '' : r.metrics[m]!.toFixed(4))),
    r.keptEpoch === null ? '' : String(r.keptEpoch),
  ]);
  if (o.format === 'csv') {
    // Full precision and the record id in CSV: it is for tools, not for eyes.
    const csvHead = ['record', 'experiment', 'dataset', 'trial', 'run', 'seed', 'protocol', ...t.params, ...t.metrics, 'kept_epoch'];
    const csvRows = t.rows.map((r) => [r.record, r.experiment, r.dataset, r.trial, r.run, String(r.seed), r.protocol, ...t.params.map((p) => cell(r.params[p])), ...t.metrics.map((m) => (r.metrics[m] === undefined ? '' : String(r.metrics[m]))), r.keptEpoch === null ? '' : String(r.keptEpoch)]);
    const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [csvHead, ...csvRows].map((r) => r.map(q).join(',')).join('\n');
  }
  const shown = head.map((h) => (t.metrics.includes(h) ? shortMetric(h) : h));
  if (o.format === 'md') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    return [`| ${shown.map(esc).join(' | ')} |`, `|${shown.map((_, j) => (j === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
  }
  const paper = t.rows.some((r) => r.protocol === 'paper') ? '\n(paper protocol rows: best test value of each metric over evaluated epochs)' : '';
  return (o.width ? fitWidth(shown, rows, o.width, '--md, --csv or --json show all') : formatTable(shown, rows)) + paper;
}
