import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, runDomain, spansDecades } from './plot-config.js';

export interface SweepRow {
  /** the swept parameter's value */
  param: number;
  /** e.g. 'ndcg@20' */
  metric: string;
  value: number;
  run: string;
}

export interface SweepPlotOptions {
  /** x-axis title, naming the transformed parameter when there is one (e.g. '1 - beta') */
  parameterTitle: string;
  /** applied to each parameter value before plotting, e.g. (b) => 1 - b for OneBP's Fig. 4 */
  transform?: (param: number) => number;
  /** log x-scale; default: when the plotted values are positive and span >= 2 decades */
  logX?: boolean;
  title?: string;
  /** colour order of the runs (default: first appearance) */
  runs?: readonly string[];
  /** The baseline run's value per metric: drawn as a dashed horizontal rule, labelled. */
  baseline?: { run: string; values: Record<string, number> };
  /** size of one panel in pixels (default 260 x 180) */
  width?: number;
  height?: number;
}

/**
 * Metric against a swept parameter: one panel per metric with its y axis titled by the metric,
 * one coloured line with points per run (rows sorted by parameter so lines run left to right),
 * the baseline as a dashed rule. x: log10 over two or more decades; for powers of two
 * (dimensions: 16, 32, 64), a log2 axis labelled with exactly the swept values.
 */
export function sweepPlot(rows: readonly SweepRow[], opts: SweepPlotOptions): TopLevelSpec {
  const f = opts.transform ?? ((p: number) => p);
  const values = rows.map((r) => ({ x: f(r.param), metric: r.metric, value: r.value, run: r.run })).sort((a, b) => a.x - b.x);
  const xs = [...new Set(values.map((v) => v.x))].sort((a, b) => a - b);
  const log2 = opts.logX === undefined && isDoubling(xs);
  const log = !log2 && (opts.logX ?? spansDecades(xs));
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const domain = runDomain(rows, opts.runs);
  const color = { field: 'run', type: 'nominal' as const, title: 'run', scale: { domain }, ...(domain.length <= 1 ? { legend: null } : {}) };
  const x = log2
    ? { field: 'x', type: 'quantitative' as const, title: opts.parameterTitle, scale: { type: 'log' as const, base: 2 }, axis: { values: xs, format: 'd' } }
    : log
      ? { field: 'x', type: 'quantitative' as const, title: opts.parameterTitle, scale: { type: 'log' as const, nice: true }, axis: { format: '~e', values: decades(xs), labelFlush: false } }
      : { field: 'x', type: 'quantitative' as const, title: opts.parameterTitle, scale: { zero: false }, ...(xs.every(Number.isInteger) ? { axis: { format: 'd', tickMinStep: 1 } } : {}) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    concat: metrics.map((m) => {
      const base = opts.baseline?.values[m];
      return {
        width: opts.width ?? 260,
        height: opts.height ?? 180,
        layer: [
          {
            transform: [{ filter: { field: 'metric', equal: m } }],
            encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: m, scale: { zero: false } }, color },
            layer: [{ mark: { type: 'line' as const } }, { mark: { type: 'point' as const, filled: true, size: 40 } }],
          },
          ...(base !== undefined
            ? [
                {
                  data: { values: [{ value: base, label: `${opts.baseline!.run} (baseline)` }] },
                  layer: [
                    { mark: { type: 'rule' as const, strokeDash: [5, 4], color: '#666' }, encoding: { y: { field: 'value', type: 'quantitative' as const } } },
                    { mark: { type: 'text' as const, align: 'left' as const, dx: 3, dy: -6, x: 0, fontSize: 10, color: '#444' }, encoding: { y: { field: 'value', type: 'quantitative' as const }, text: { field: 'label' } } },
                  ],
                },
              ]
            : []),
        ],
      };
    }),
    columns: Math.min(3, metrics.length),
    resolve: { scale: { y: 'independent' } },
    config: PLOT_CONFIG,
  } as TopLevelSpec;
}

/** Three or more powers of two (embedding sizes 16, 32, 64, 128): a log2 axis spaces them evenly. */
function isDoubling(xs: readonly number[]): boolean {
  return xs.length >= 3 && xs.every((v) => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0);
}

/** Powers of ten covering the values (labels of a log axis: 1e-6, 1e-5, ... rather than vega's 2e-5). */
function decades(values: readonly number[]): number[] {
  const lo = Math.floor(Math.log10(Math.min(...values)) + 1e-9);
  const hi = Math.ceil(Math.log10(Math.max(...values)) - 1e-9);
  return Array.from({ length: hi - lo + 1 }, (_, i) => Number(`1e${lo + i}`));
}
