import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { parseSource, type ParseResult } from '../../src/compiler/parse.js';
import { SourceFile } from '../../src/compiler/source.js';

/** The repository root, from dist/test/grammar/helpers.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function parse(text: string, file = 't.exp'): ParseResult {
  return parseSource(new SourceFile(file, text));
}

/** `code@line:col-line:col message`: one diagnostic's identity in one line. */
export function where(d: Diagnostic): string {
  const r = d.range;
  return `${d.code}@${r ? `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}` : '?'} ${d.message}`;
}

/** A value with every `range` removed, to compare shapes where the positions are tested elsewhere. */
export function noRanges<V>(v: V): V {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'range' ? undefined : x))) as V;
}

/** The AST of a file that must parse cleanly. */
export function parseClean(text: string): ParseResult['program'] {
  const r = parse(text);
  if (r.diagnostics.length > 0) throw new Error(`expected no diagnostics, got:\n${r.diagnostics.map(where).join('\n')}`);
  return r.program;
}
