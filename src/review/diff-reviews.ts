import type { ResolvedComponent } from '../contract/model.js';
import { canonicalJson, isJsonObject, type Json } from '../core/json.js';
import type { ConfigSnapshot, ReviewDocument } from './review-data.js';
import { shortColumn } from './review-blocks.js';

export interface MetricDelta {
  dataset: string;
  trial: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** 100 * delta / a; null when a is 0 or missing. */
  deltaPct: number | null;
}

export interface ReviewDiff {
  a: { experiment: string; version: number; contentHash: string };
  b: { experiment: string; version: number; contentHash: string };
  /** One readable line per change: `run onebp: sampler.negatives 5 -> 10`. */
  config: string[];
  /** Reported metrics that differ, per dataset, trial and column. */
  metrics: MetricDelta[];
  /** Trials present in both versions whose reported metrics are all equal. */
  unchangedTrials: number;
}

/** A JSON value as the .exp language writes it. */
export function showValue(v: Json | undefined): string {
  if (v === undefined) return '(unset)';
  if (v === null) return 'none';
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (isJsonObject(v)) {
    if (typeof v['metric'] === 'string' && typeof v['k'] === 'number' && typeof v['split'] === 'string') return `${v['metric']}@${v['k']} on ${v['split']}`;
    return `(${Object.entries(v).map(([k, x]) => `${k}: ${showValue(x)}`).join(', ')})`;
  }
  return String(v);
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function showComponent(c: ResolvedComponent): string {
  const params = Object.entries(c.params);
  return params.length ? `${c.name}(${params.map(([k, v]) => `${k}: ${showValue(v)}`).join(', ')})` : c.name;
}

/** Changes between two JSON objects as `prefix.key a -> b`, recursing into nested objects. */
function objectChanges(prefix: string, a: Record<string, Json>, b: Record<string, Json>, out: string[]): void {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (same(x ?? null, y ?? null) && (x === undefined) === (y === undefined)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (isJsonObject(x) && isJsonObject(y) && !('metric' in x && 'metric' in y)) objectChanges(path, x, y, out);
    else out.push(`${path} ${showValue(x)} -> ${showValue(y)}`);
  }
}

function componentChanges(slot: string, a: ResolvedComponent, b: ResolvedComponent, out: string[]): void {
  if (a.name !== b.name) {
    out.push(`${slot} ${showComponent(a)} -> ${showComponent(b)}`);
    return;
  }
  if (a.version !== b.version) out.push(`${slot} (${a.name}) component version ${a.version} -> ${b.version}`);
  objectChanges(slot, a.params, b.params, out);
}

function byName<T extends { name: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.name, x]));
}

/** Configuration changes between two snapshots, one line each, in a fixed order. */
export function configChanges(a: ConfigSnapshot, b: ConfigSnapshot): string[] {
  const out: string[] = [];
  const entity = <T extends { name: string }>(kind: string, xs: readonly T[], ys: readonly T[], describe: (x: T) => string, compare: (x: T, y: T, lines: string[]) => void) => {
    const A = byName(xs);
    const B = byName(ys);
    for (const n of A.keys()) if (!B.has(n)) out.push(`${kind} ${n} removed`);
    for (const [n, y] of B) if (!A.has(n)) out.push(`${kind} ${n} added: ${describe(y)}`);
    for (const [n, x] of A) {
      const y = B.get(n);
      if (!y) continue;
      const lines: string[] = [];
      compare(x, y, lines);
      for (const l of lines) out.push(`${kind} ${n}: ${l}`);
    }
  };

  entity(
    'dataset',
    a.datasets,
    b.datasets,
    (d) => `${showComponent(d.loader)}, split ${showComponent(d.split)}${d.protocol === 'paper' ? ', paper protocol' : ''}`,
    (x, y, lines) => {
      componentChanges('loader', x.loader, y.loader, lines);
      componentChanges('split', x.split, y.split, lines);
      if (x.protocol !== y.protocol) lines.push(`protocol ${x.protocol} -> ${y.protocol}`);
    },
  );

  const SLOTS = ['encoder', 'sampler', 'loss', 'backprop', 'optimizer'] as const;
  entity(
    'run',
    a.runs,
    b.runs,
    (r) => SLOTS.map((s) => `${s}: ${showComponent(r.config[s])}`).join(', '),
    (x, y, lines) => {
      for (const s of SLOTS) componentChanges(s, x.config[s], y.config[s], lines);
      objectChanges('training', x.config.training as unknown as Record<string, Json>, y.config.training as unknown as Record<string, Json>, lines);
      if (!same(x.datasets, y.datasets)) lines.push(`datasets ${x.datasets.join(', ')} -> ${y.datasets.join(', ')}`);
      if (!same(x.seeds, y.seeds)) lines.push(`seeds ${x.seeds.join(', ')} -> ${y.seeds.join(', ')}`);
    },
  );

  entity(
    'sweep',
    a.sweeps,
    b.sweeps,
    (s) => `of ${s.run}, ${s.axes.map((ax) => `${ax.path}: ${showValue(ax.values)}`).join(', ')}`,
    (x, y, lines) => {
      if (x.run !== y.run) lines.push(`run ${x.run} -> ${y.run}`);
      if (!same(x.strategy, y.strategy)) lines.push(`strategy ${showValue(x.strategy)} -> ${showValue(y.strategy)}`);
      const ax = new Map(x.axes.map((v) => [v.path, v.values]));
      const ay = new Map(y.axes.map((v) => [v.path, v.values]));
      for (const [p, v] of ax) if (!ay.has(p)) lines.push(`axis ${p} removed (was ${showValue(v)})`);
      for (const [p, v] of ay) if (!ax.has(p)) lines.push(`axis ${p} added: ${showValue(v)}`);
      for (const [p, v] of ax) if (ay.has(p) && !same(v, ay.get(p))) lines.push(`${p} ${showValue(v)} -> ${showValue(ay.get(p))}`);
    },
  );

  // Trials follow from runs and sweeps; added and removed ones are still worth naming.
  const tid = (t: ConfigSnapshot['trials'][number]) => `${t.id} on ${t.dataset}`;
  const ta = new Set(a.trials.map(tid));
  const tb = new Set(b.trials.map(tid));
  for (const t of ta) if (!tb.has(t)) out.push(`trial ${t} removed`);
  for (const t of tb) if (!ta.has(t)) out.push(`trial ${t} added`);

  const ev: string[] = [];
  // the reported metric@K columns: the grid, or the per-metric pairs when written so
  const evaluate = (c: ConfigSnapshot) => ({ metrics: c.evaluate.metrics, cutoffs: c.evaluate.cutoffs, ...(c.evaluate.columns ? { columns: c.evaluate.columns } : {}) });
  objectChanges('evaluate', evaluate(a), evaluate(b), ev);
  out.push(...ev);
  const rv: string[] = [];
  const review = (c: ConfigSnapshot) => ({
    compare: c.review.compare,
    baseline: c.review.baseline,
    significance: c.review.significance as unknown as Json,
    plots: c.review.plots.map((p) => `${p.kind}${Object.keys(p.args).length ? `(${Object.entries(p.args).map(([k, v]) => `${k}: ${showValue(v)}`).join(', ')})` : ''}`),
  });
  objectChanges('review', review(a), review(b), rv);
  out.push(...rv);
  return out;
}

/** Reported metrics that differ between two versions, per dataset, trial and column. */
export function metricDeltas(a: ReviewDocument, b: ReviewDocument): { deltas: MetricDelta[]; unchangedTrials: number } {
  const deltas: MetricDelta[] = [];
  let unchangedTrials = 0;
  for (const da of a.content.datasets) {
    const db = b.content.datasets.find((d) => d.name === da.name);
    if (!db) continue;
    for (const ta of da.trials) {
      const tb = db.trials.find((t) => t.id === ta.id);
      if (!tb) continue;
      let changed = false;
      for (const c of da.columns) {
        if (!db.columns.includes(c)) continue;
        const x = ta.metrics[c] ?? null;
        const y = tb.metrics[c] ?? null;
        if (x === y) continue;
        changed = true;
        const delta = x !== null && y !== null ? y - x : null;
        deltas.push({ dataset: da.name, trial: ta.id, metric: c, a: x, b: y, delta, deltaPct: delta !== null && x !== null && x !== 0 ? (100 * delta) / x : null });
      }
      if (!changed) unchangedTrials++;
    }
  }
  return { deltas, unchangedTrials };
}

export function diffReviews(a: ReviewDocument, b: ReviewDocument): ReviewDiff {
  const { deltas, unchangedTrials } = metricDeltas(a, b);
  return {
    a: { experiment: a.experiment, version: a.version, contentHash: a.contentHash },
    b: { experiment: b.experiment, version: b.version, contentHash: b.contentHash },
    config: configChanges(a.content.config, b.content.config),
    metrics: deltas,
    unchangedTrials,
  };
}

const num = (x: number | null, d = 4) => (x === null ? '-' : x.toFixed(d));
const signed = (x: number | null, d = 4, suffix = '') => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(d)}${suffix}`);

/** The diff as text for the terminal: configuration lines, then a table of metric deltas per dataset. */
export function renderDiff(d: ReviewDiff): string {
  const va = `v${d.a.version}`;
  const vb = `v${d.b.version}`;
  const lines = [`review diff ${d.a.experiment} ${va} -> ${d.b.experiment === d.a.experiment ? '' : `${d.b.experiment} `}${vb}`, ''];
  if (d.config.length) {
    lines.push(`configuration changes (${d.config.length}):`);
    for (const c of d.config) lines.push(`  ${c}`);
  } else lines.push('configuration: no changes');
  lines.push('');
  if (!d.metrics.length) lines.push(`metrics: no reported metric changed (${d.unchangedTrials} trial(s) compared)`);
  for (const ds of [...new Set(d.metrics.map((m) => m.dataset))]) {
    const rows = d.metrics.filter((m) => m.dataset === ds).map((m) => [m.trial, shortColumn(m.metric), num(m.a), num(m.b), signed(m.delta), signed(m.deltaPct, 2, '%')]);
    const header = ['trial', 'metric', va, vb, 'Δ', 'Δ%'];
    const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
    const fmtRow = (r: string[]) => `  ${r.map((c, j) => (j < 2 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')}`;
    const trials = new Set(d.metrics.filter((m) => m.dataset === ds).map((m) => m.trial)).size;
    lines.push(`metric changes on ${ds} (${trials} trial(s); ${d.unchangedTrials} trial(s) unchanged in all datasets):`);
    lines.push(fmtRow(header), fmtRow(widths.map((w) => '-'.repeat(w))), ...rows.map(fmtRow));
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
