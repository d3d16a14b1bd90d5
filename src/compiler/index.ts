import { hasErrors, type Diagnostic } from './diagnostics.js';
import { buildGraph } from './graph/build-graph.js';
import type { ExecutionGraph } from '../contract/graph.js';
import type { CompilerHost } from './host.js';
import { loadProgram } from './load-program.js';
import type { ExperimentModel } from '../contract/model.js';
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
export function compile(rootPath: string, host: CompilerHost): CompileResult {
  const loaded = loadProgram(rootPath, host);
  const { model, diagnostics } = resolveExperiment(loaded);
  const all = [...loaded.diagnostics, ...diagnostics];
  if (!model || hasErrors(all)) return { diagnostics: all, sources: loaded.sources };
  return { model, graph: buildGraph(model), diagnostics: all, sources: loaded.sources };
}
