import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, runDomain } from './plot-config.js';

export interface CurveRow {
  run: string;
  epoch: number;
  /** 'loss', 'valid ndcg@20', ... */
  series: string;
  value: number;
}

export interface CurvesPlotOptions {
  title?: string;
  /** colour order of the runs (default: first appearance) */
  runs?: readonly string[];
  /** panels per row (default 2) */
  columns?: number;
  width?: number;
  height?: number;
}

/** Training curves: one panel per series (independent y scales), one coloured line per run. */
export function curvesPlot(rows: readonly CurveRow[], opts: CurvesPlotOptions = {}): TopLevelSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const values = [...rows].sort((a, b) => a.epoch - b.epoch).map((r) => ({ ...r }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    facet: { field: 'series', type: 'nominal', title: null, sort: series },
    columns: opts.columns ?? 2,
    spec: {
      width: opts.width ?? 300,
      height: opts.height ?? 180,
      mark: { type: 'line' },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: { field: 'value', type: 'quantitative', title: 'value', scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runDomain(rows, opts.runs) } },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: PLOT_CONFIG,
  };
}
