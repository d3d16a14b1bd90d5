import { compile } from '../../compiler/index.js';
import { renderDiagnostics } from '../../compiler/diagnostics.js';
import { NodeCompilerHost } from '../../compiler/host.js';
import { UserError } from '../../core/errors.js';

export interface CheckOptions {
  file: string;
  /** Command-line overrides, checked like the file. */
  overrides?: string[];
  json?: boolean;
  out: (text: string) => void;
}

/** `expc check FILE`: every lexical, syntax and semantic error of the file in one go; exit 1 if any. */
export async function check(o: CheckOptions): Promise<void> {
  const r = compile(o.file, new NodeCompilerHost(), { overrides: o.overrides ?? [] });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) throw new UserError(renderDiagnostics(r.diagnostics, r.sources));
  if (r.diagnostics.length > 0 && !o.json) o.out(renderDiagnostics(r.diagnostics, r.sources));
  const m = r.model!;
  if (o.json) {
    o.out(JSON.stringify({ file: o.file, ok: true, experiment: m.name, datasets: m.datasets.length, runs: m.runs.length, sweeps: m.sweeps.length, trials: m.trials.length, steps: r.graph!.nodes.length, warnings: r.diagnostics.length }, null, 2));
    return;
  }
  o.out(`${o.file}: ok (experiment ${m.name}: ${m.datasets.length} dataset(s), ${m.runs.length} run(s), ${m.sweeps.length} sweep(s), ${m.trials.length} trial(s), ${r.graph!.nodes.length} steps)`);
}
