import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG } from './plot-config.js';

export interface ScatterPoint {
  x: number;
  y: number;
  /** latent type (k-means cluster) */
  type: number;
  /** one of the selected user's training items */
  isUserItem: boolean;
}

export interface ItemScatterOptions {
  title?: string;
  width?: number;
  height?: number;
}

/**
 * A 2-D projection of item embeddings coloured by latent type (OneBP Fig. 5): other items as
 * small circles, the user's training items as larger outlined squares in their type's colour,
 * the user as a black cross drawn last. t-SNE cannot place a point after the fact, so project the
 * user's embedding together with the items (e.g. as the last row given to project2d).
 */
export function itemScatter(points: readonly ScatterPoint[], user: { x: number; y: number } | null, opts: ItemScatterOptions = {}): TopLevelSpec {
  const others = points.filter((p) => !p.isUserItem).map((p) => ({ x: p.x, y: p.y, type: p.type }));
  const mine = points.filter((p) => p.isUserItem).map((p) => ({ x: p.x, y: p.y, type: p.type }));
  const types = [...new Set(points.map((p) => p.type))].sort((a, b) => a - b);
  const x = { field: 'x', type: 'quantitative', title: 'dimension 1', axis: { grid: false } } as const;
  const y = { field: 'y', type: 'quantitative', title: 'dimension 2', axis: { grid: false } } as const;
  const color = { field: 'type', type: 'nominal', title: 'latent type', scale: { domain: types } } as const;
  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    // aria: false leaves out a per-point label and roles: the plot of 1,700 items halves in size.
    { data: { values: others }, mark: { type: 'circle', size: 14, opacity: 0.6, aria: false }, encoding: { x, y, color } },
    { data: { values: mine }, mark: { type: 'square', size: 60, opacity: 1, stroke: 'black', strokeWidth: 1 }, encoding: { x, y, color } },
  ];
  if (user) {
    layer.push({
      data: { values: [user] },
      mark: { type: 'point', shape: 'cross', size: 220, filled: true, color: 'black' },
      encoding: { x, y },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: opts.title ?? 'Item embeddings by latent type',
      subtitle: user ? "squares: the user's training items; cross: the user" : "squares: the user's training items",
    },
    width: opts.width ?? 420,
    height: opts.height ?? 420,
    layer,
    config: PLOT_CONFIG,
  };
}
