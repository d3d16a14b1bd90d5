import { compile, type CompileResult } from '../../src/compiler/index.js';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { MemoryCompilerHost } from '../../src/compiler/host.js';

/** Compiles in-memory files; the first one is the root. */
export function compileFiles(files: Record<string, string | Uint8Array>, root = Object.keys(files)[0]!): CompileResult {
  return compile(root, new MemoryCompilerHost(files));
}

/** A minimal valid experiment to which a test adds or changes one thing. */
export const BASE = `experiment t
dataset syn = synthetic(users: 50, items: 40, seed: 3) { split: holdout(test: 0.2, valid: 0.1) }
defaults { training: (epochs: 3, batch: 64) }
run a { backprop: both }
`;

export function errorsOf(r: CompileResult): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error');
}

/** "code@line:col message" for compact exact assertions. */
export function brief(d: Diagnostic): string {
  return `${d.code}@${d.range?.start.line}:${d.range?.start.column} ${d.message}`;
}
