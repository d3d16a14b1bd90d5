import { compile, type CompileResult } from '../compiler/index.js';
import { renderDiagnostics } from '../compiler/diagnostics.js';
import { NodeCompilerHost } from '../compiler/host.js';
import { UserError } from '../core/errors.js';

/**
 * Compiles an .exp file for a command. Warnings go to `warn`; errors become a UserError whose
 * message is every diagnostic, rendered with file:line:col and a caret (exit code 1); an
 * override's diagnostics name it as `-S #N` and show its text.
 */
export function compileOrThrow(file: string, warn: (text: string) => void, overrides: readonly string[] = []): Required<Pick<CompileResult, 'model' | 'graph'>> & CompileResult {
  const result = compile(file, new NodeCompilerHost(), { overrides });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new UserError(renderDiagnostics(result.diagnostics, result.sources));
  if (result.diagnostics.length > 0) warn(renderDiagnostics(result.diagnostics, result.sources));
  return result as Required<Pick<CompileResult, 'model' | 'graph'>> & CompileResult;
}
