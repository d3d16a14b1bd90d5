import type { ExperimentModel } from '../contract/model.js';
import type { Json } from '../core/json.js';
import type { NodeOutcome } from '../runtime/executor/execute-graph.js';
import { evaluatedColumns } from '../contract/evaluate-schema.js';
import { isBeyondAccuracyColumn } from '../contract/training-schema.js';

const SHORT: Record<string, string> = { precision: 'P', recall: 'R', f1: 'F1', ndcg: 'NDCG', hr: 'HR', mrr: 'MRR', map: 'MAP', recall_calibrated: 'Rc', avg_pop: 'Pop', coverage: 'Cov', gini: 'Gini' };

export function shortMetric(column: string): string {
  const [m, k] = column.split('@');
  return `${SHORT[m!] ?? m}@${k}`;
}

/** The value a table reports for a column: under the paper protocol the best epoch's for accuracy metrics, the kept epoch's for the rest. */
export function reportedValue(mean: Record<string, number>, paperBest: Record<string, { value: number }>, column: string, paper: boolean): number | undefined {
  return paper && !isBeyondAccuracyColumn(column) ? paperBest[column]?.value : mean[column];
}

/** A plain-text table with right-aligned numbers. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The end-of-run summary: per dataset, one row per trial with its test metrics, the kept epoch
 * and speed. Under the paper protocol the numbers are the best test value per metric over
 * epochs, and the heading says so.
 */
export function summaryTables(model: ExperimentModel, outcomes: NodeOutcome[], width?: number): string {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const columns = evaluatedColumns(model.evaluate);
  const parts: string[] = [];
  for (const ds of model.datasets) {
    const trials = model.trials.filter((t) => t.dataset === ds.name);
    if (trials.length === 0) continue;
    const paper = ds.protocol === 'paper';
    const heading = paper
      ? `${ds.name}: PAPER PROTOCOL (best test value of each metric over evaluated epochs; no validation-based selection)`
      : `${ds.name}: test metrics of the epoch kept by validation (${ds.hasValidation ? 'early_stop metric on the validation split' : 'no validation split: last epoch'})`;
    const rows = trials.map((t) => {
      const ev = byId.get(`evaluate:${ds.name}/${t.id}`);
      const tr = byId.get(`train:${ds.name}/${t.id}`);
      const mean = (ev?.meta?.['mean'] ?? {}) as Record<string, number>;
      const best = (ev?.meta?.['paperBest'] ?? {}) as Record<string, { value: number; epoch: number }>;
      const cells = columns.map((c) => {
        const v = reportedValue(mean, best, c, paper);
        return v === undefined ? (ev?.status === 'failed' || ev?.status === 'skipped' ? ev.status : '-') : v.toFixed(4);
      });
      const m = tr?.meta ?? {};
      const secs = typeof m['meanEpochSeconds'] === 'number' ? (m['meanEpochSeconds'] as number).toFixed(3) : '-';
      const kept = m['keptEpoch'] !== undefined ? `${m['keptEpoch']}/${m['epochs']}` : '-';
      const status = tr?.status === 'cached' && ev?.status === 'cached' ? 'cached' : tr?.status ?? '-';
      return [t.id, ...cells, kept, secs, String(m['engine'] ?? '-'), status];
    });
    const header = ['trial', ...columns.map(shortMetric), 'kept', 's/epoch', 'engine', 'train'];
    parts.push(`${heading}\n${width ? fitWidth(header, rows, width, 'the run record has the full table') : formatTable(header, rows)}`);
  }
  return parts.join('\n\n');
}

/**
 * A table cut to the terminal: trailing columns that do not fit are dropped and named, the first
 * column (the row's name) always stays.
 */
export function fitWidth(head: string[], rows: string[][], width: number, where: string): string {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  let used = widths[0]!;
  let keep = 1;
  while (keep < head.length && used + 2 + widths[keep]! <= width) used += 2 + widths[keep++]!;
  if (keep === head.length) return formatTable(head, rows);
  const dropped = head.slice(keep);
  return `${formatTable(head.slice(0, keep), rows.map((r) => r.slice(0, keep)))}\n(${dropped.length} column(s) do not fit the terminal: ${dropped.join(', ')}; ${where})`;
}

/** Test metrics of one trial as the summary shows them (the paper protocol's best test values). */
export function trialMetrics(model: ExperimentModel, datasetName: string, trialId: string, outcomes: ReadonlyMap<string, NodeOutcome>): Record<string, number> {
  const ds = model.datasets.find((d) => d.name === datasetName);
  const ev = outcomes.get(`evaluate:${datasetName}/${trialId}`);
  const mean = (ev?.meta?.['mean'] ?? {}) as Record<string, number>;
  if (ds?.protocol === 'paper') {
    const best = (ev?.meta?.['paperBest'] ?? {}) as Record<string, { value: number }>;
    // beyond-accuracy values have no best epoch: they are the kept epoch's
    const beyond = Object.entries(mean).filter(([k]) => isBeyondAccuracyColumn(k));
    return { ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.value])), ...Object.fromEntries(beyond) };
  }
  return { ...mean };
}

/** What `expc run --json` prints. */
export function runSummaryJson(model: ExperimentModel, outcomes: NodeOutcome[], extra: Record<string, Json>): Json {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const count = (s: string) => outcomes.filter((o) => o.status === s).length;
  return {
    experiment: model.name,
    ...extra,
    steps: { ran: count('ran'), cached: count('cached'), failed: count('failed'), skipped: count('skipped') },
    overrides: model.overrides ?? [],
    trials: model.trials.map((t) => {
      const tr = byId.get(`train:${t.dataset}/${t.id}`);
      return {
        trial: t.id,
        run: t.run,
        dataset: t.dataset,
        seed: t.seed,
        protocol: model.datasets.find((d) => d.name === t.dataset)?.protocol ?? 'validation',
        status: byId.get(`evaluate:${t.dataset}/${t.id}`)?.status ?? 'not run',
        keptEpoch: (tr?.meta?.['keptEpoch'] as Json | undefined) ?? null,
        metrics: trialMetrics(model, t.dataset, t.id, byId),
      };
    }),
  };
}
