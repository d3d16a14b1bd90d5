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
  /** The epoch each run kept (model selection): drawn as a dashed vertical rule in every panel. */
  kept?: readonly { run: string; epoch: number }[];
  /** panels per row (default 2) */
  columns?: number;
  width?: number;
  height?: number;
}

/**
 * Training curves: one panel per series, its y axis titled with the series ('loss', 'valid
 * ndcg@20'), integer epochs on x, one coloured line per run, and the kept epoch of each run as a
 * dashed rule. A single run gets no legend (the title names it).
 */
export function curvesPlot(rows: readonly CurveRow[], opts: CurvesPlotOptions = {}): TopLevelSpec {
  const series = [...new Set(rows.map((r) => r.series))];
  const values = [...rows].sort((a, b) => a.epoch - b.epoch).map((r) => ({ ...r }));
  const domain = runDomain(rows, opts.runs);
  const color = { field: 'run', type: 'nominal' as const, title: 'run', scale: { domain }, ...(domain.length <= 1 ? { legend: null } : {}) };
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { format: 'd', tickMinStep: 1 } };
  const kept = (opts.kept ?? []).map((k) => ({ run: k.run, epoch: k.epoch }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    columns: opts.columns ?? 2,
    concat: series.map((s) => ({
      width: opts.width ?? 300,
      height: opts.height ?? 180,
      layer: [
        {
          transform: [{ filter: { field: 'series', equal: s } }],
          mark: { type: 'line' as const },
          encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: s, scale: { zero: false } }, color },
        },
        ...(kept.length
          ? [{ data: { values: kept }, mark: { type: 'rule' as const, strokeDash: [4, 3], opacity: 0.8 }, encoding: { x: { field: 'epoch', type: 'quantitative' as const }, color } }]
          : []),
      ],
    })),
    resolve: { scale: { y: 'independent' } },
    config: PLOT_CONFIG,
  } as TopLevelSpec;
}
