import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Scenegraph hooks vega exports at runtime but its typings leave out (checked before use). */
const resetSVGDefIds: unknown = Reflect.get(vega, 'resetSVGDefIds');
const textMetrics: unknown = Reflect.get(vega, 'textMetrics');

function useEstimatedTextWidths(): void {
  const canvas: unknown = typeof textMetrics === 'object' && textMetrics !== null ? Reflect.get(textMetrics, 'canvas') : undefined;
  if (typeof canvas === 'function') canvas(false);
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document in Node, without a browser or canvas:
 * vega-lite compile -> vega.View with renderer 'none' -> view.toSVG().
 *
 * Byte-identical output for equal specs, whatever was rendered before and whatever is installed:
 * clip-path/gradient ids restart at 1 for every render (vega numbers them with a global counter,
 * so renders are also queued: concurrent calls run one after another),
 * and text widths always come from vega's font-size estimate, never from a canvas that
 * would measure with the machine's fonts (the specs also name a generic font family).
 */
export function renderSvg(spec: TopLevelSpec): Promise<string> {
  // One render at a time: the id counter is global, and concurrent renders would interleave it.
  const run = queue.then(() => renderNow(spec));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function renderNow(spec: TopLevelSpec): Promise<string> {
  useEstimatedTextWidths();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    if (typeof resetSVGDefIds === 'function') resetSVGDefIds();
    const svg = compactGeometry(await view.toSVG());
    return svg.endsWith('\n') ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}

/**
 * Geometry to a hundredth of a pixel: vega writes coordinates with up to 14 decimals, which
 * makes a 1,700-point scatter weigh half a megabyte. Only path data and transforms are touched,
 * never text, so no number that a reader sees changes.
 */
export function compactGeometry(svg: string): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_, attr: string, value: string) => ` ${attr}="${value.replace(/(\d+\.\d\d)\d+/g, '$1')}"`);
}
