import { hasErrors, type Diagnostic } from './diagnostics.js';
import { buildGraph } from './graph/build-graph.js';
import type { ExecutionGraph } from '../contract/graph.js';
import type { CompilerHost } from './host.js';
import { loadProgram } from './load-program.js';
import type { ExperimentModel } from '../contract/model.js';
import { parseOverrides } from './overrides.js';
import { resolveExperiment } from './resolve/resolve-experiment.js';
import type { SourceFile } from './source.js';

export interface CompileResult {
  /** Present when there are no errors. */
  model?: ExperimentModel;
  graph?: ExecutionGraph;
  diagnostics: Diagnostic[];
  /** Every file read, for rendering diagnostics with their source lines. */
  sources: Map<string, SourceFile>;
}

/**
 * parse -> resolve -> check -> expand -> graph. Pure given the host: no clock, no network,
 * no throwing for user mistakes. Stops before building the graph when there are errors.
 */
export interface CompileOptions {
  /** Command-line overrides, `path=value` or `run.path=value` (`expc run FILE -S training.epochs=5`). */
  overrides?: readonly string[];
}

export function compile(rootPath: string, host: CompilerHost, options: CompileOptions = {}): CompileResult {
  const loaded = loadProgram(rootPath, host);
  const parsed = parseOverrides(options.overrides ?? []);
  for (const s of parsed.sources) loaded.sources.set(s.path, s);
  const { model, diagnostics } = resolveExperiment(loaded, parsed.overrides);
  const all = [...loaded.diagnostics, ...parsed.diagnostics, ...diagnostics];
  if (!model || hasErrors(all)) return { diagnostics: all, sources: loaded.sources };
  return { model, graph: buildGraph(model), diagnostics: all, sources: loaded.sources };
}
