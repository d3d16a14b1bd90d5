import type { Config } from 'vega-lite';

/**
 * Shared look of the review's plots. A generic font family keeps the SVG independent of the
 * fonts installed where it is rendered or viewed; a white background makes the standalone SVG
 * readable in dark viewers too.
 */
export const PLOT_CONFIG: Config = {
  font: 'sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
};

/**
 * The colour domain of the runs: `runs` when given, else the order of first appearance. A review
 * passes the same list to every plot so a run keeps its colour throughout.
 */
export function runDomain(rows: readonly { run: string }[], runs?: readonly string[]): string[] {
  return runs ? [...runs] : [...new Set(rows.map((r) => r.run))];
}

/** True when positive values span at least two decades, the point where a log axis reads better. */
export function spansDecades(values: readonly number[], decades = 2): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.log10(Math.max(...values) / Math.min(...values)) >= decades;
}
