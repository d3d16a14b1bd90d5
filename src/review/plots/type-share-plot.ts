import type { TopLevelSpec } from 'vega-lite';
import type { TypeSharesAtK } from '../analysis/type-shares.js';
import { PLOT_CONFIG } from './plot-config.js';

export interface TypeShareSeries {
  run: string;
  /** typeShares output, one entry per K */
  shares: readonly TypeSharesAtK[];
}

export interface TypeSharePlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

const ordinal = (r: number) => `${r}${r % 10 === 1 && r !== 11 ? 'st' : r % 10 === 2 && r !== 12 ? 'nd' : r % 10 === 3 && r !== 13 ? 'rd' : 'th'}`;

/** The stacked parts, bottom to top: the majority type, then the user's 2nd, 3rd, ... type by training items. */
export function typeShareParts(numTypes: number): string[] {
  return ['majority type', ...Array.from({ length: numTypes - 1 }, (_, r) => `${ordinal(r + 2)} type`)];
}

/**
 * Share of list slots in the user's majority type and in each minority type (ranked by the
 * user's training items) against K, one panel per run: stacked bars summing to 1 (OneBP Fig. 8).
 */
export function typeSharePlot(series: readonly TypeShareSeries[], opts: TypeSharePlotOptions = {}): TopLevelSpec {
  const numTypes = Math.max(1, ...series.flatMap((s) => s.shares.map((a) => a.minorityByRank.length + 1)));
  const parts = typeShareParts(numTypes);
  const values: { run: string; K: number; part: string; rank: number; share: number }[] = [];
  for (const s of series) {
    for (const a of s.shares) {
      values.push({ run: s.run, K: a.K, part: parts[0]!, rank: 0, share: a.majorityShare });
      for (let r = 0; r < numTypes - 1; r++) {
        const byRank = a.minorityByRank[r] ?? 0;
        // with no minority slots the split over ranks is undefined (NaN); its bar height is 0
        const share = a.minorityShare > 0 ? a.minorityShare * byRank : 0;
        values.push({ run: s.run, K: a.K, part: parts[r + 1]!, rank: r + 1, share });
      }
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    facet: { column: { field: 'run', type: 'nominal', title: null, sort: series.map((s) => s.run) } },
    spec: {
      width: opts.width ?? 220,
      height: opts.height ?? 200,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'K', type: 'ordinal', title: 'list length K', axis: { labelAngle: 0 } },
        y: { field: 'share', type: 'quantitative', title: 'share of list slots', stack: 'zero', scale: { domain: [0, 1] } },
        color: { field: 'part', type: 'nominal', title: "user's type", sort: parts },
        order: { field: 'rank', type: 'quantitative', sort: 'ascending' },
      },
    },
    config: PLOT_CONFIG,
  };
}
