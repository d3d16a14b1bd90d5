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
  /** size of one panel in pixels (default 260 x 180) */
  width?: number;
  height?: number;
}

/**
 * Metric against a swept parameter: one panel per metric (independent y scales), one coloured
 * line with points per run, rows sorted by parameter so lines run left to right.
 */
export function sweepPlot(rows: readonly SweepRow[], opts: SweepPlotOptions): TopLevelSpec {
  const f = opts.transform ?? ((p: number) => p);
  const values = rows.map((r) => ({ x: f(r.param), metric: r.metric, value: r.value, run: r.run })).sort((a, b) => a.x - b.x);
  const log = opts.logX ?? spansDecades(values.map((v) => v.x));
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: metrics } },
    spec: {
      width: opts.width ?? 260,
      height: opts.height ?? 180,
      encoding: {
        x: log
          ? { field: 'x', type: 'quantitative', title: opts.parameterTitle, scale: { type: 'log', nice: true }, axis: { format: '~e', values: decades(values.map((v) => v.x)), labelFlush: false } }
          : { field: 'x', type: 'quantitative', title: opts.parameterTitle, scale: { zero: false } },
        y: { field: 'value', type: 'quantitative', title: 'value', scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runDomain(rows, opts.runs) } },
      },
      layer: [{ mark: { type: 'line' } }, { mark: { type: 'point', filled: true, size: 40 } }],
    },
    resolve: { scale: { y: 'independent' } },
    config: PLOT_CONFIG,
  };
}

/** Powers of ten covering the values (labels of a log axis: 1e-6, 1e-5, ... rather than vega's 2e-5). */
function decades(values: readonly number[]): number[] {
  const lo = Math.floor(Math.log10(Math.min(...values)) + 1e-9);
  const hi = Math.ceil(Math.log10(Math.max(...values)) - 1e-9);
  return Array.from({ length: hi - lo + 1 }, (_, i) => Number(`1e${lo + i}`));
}
