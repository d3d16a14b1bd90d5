import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG, runDomain } from './plot-config.js';

export interface GroupRecallRow {
  run: string;
  /** popularity group, 0 = least popular */
  group: number;
  /** Recall^(g): the group's part of Recall@K (SSM eq. 29) */
  recall: number;
}

export interface GroupRecallPlotOptions {
  /** the list length, for the y-axis title (default 20) */
  K?: number;
  title?: string;
  /** colour and bar order of the runs (default: first appearance) */
  runs?: readonly string[];
  width?: number;
  height?: number;
}

/** Grouped bars of each run's Recall@K contribution per popularity group (SSM Fig. 1). */
export function groupRecallPlot(rows: readonly GroupRecallRow[], opts: GroupRecallPlotOptions = {}): TopLevelSpec {
  const runs = runDomain(rows, opts.runs);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    width: opts.width ?? 480,
    height: opts.height ?? 220,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'group', type: 'ordinal', title: 'popularity group (0 = least popular)', axis: { labelAngle: 0 } },
      xOffset: { field: 'run', type: 'nominal', sort: runs },
      y: { field: 'recall', type: 'quantitative', title: `Recall@${opts.K ?? 20} contribution` },
      color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runs }, ...(runs.length <= 1 ? { legend: null } : {}) },
    },
    config: PLOT_CONFIG,
  };
}
