import { formatLocation, type Range, type SourceFile } from './source.js';

export type Severity = 'error' | 'warning';

/**
 * Stable kebab-case codes (Langium's issue codes): tests and tools match on them, users can
 * search for them. Add new codes here, never reuse one for a different meaning.
 */
export type DiagnosticCode =
  // reading files
  | 'file-not-found'
  | 'file-too-large'
  | 'binary-file'
  | 'import-cycle'
  | 'import-not-found'
  // lexing and parsing
  | 'lexing-error'
  | 'parsing-error'
  | 'nesting-too-deep'
  // names and structure
  | 'duplicate-declaration'
  | 'duplicate-property'
  | 'missing-declaration'
  | 'unknown-component'
  | 'unknown-parameter'
  | 'unknown-property'
  | 'unknown-slot'
  | 'unknown-dataset'
  | 'unknown-run'
  | 'unknown-sweep'
  | 'unknown-metric'
  | 'unknown-point'
  | 'invalid-generator'
  | 'wrong-component-kind'
  // values
  | 'invalid-value'
  | 'invalid-sweep'
  | 'incompatible-components'
  | 'too-many-trials'
  | 'experiment-in-import'
  | 'unused-declaration'
  | 'baseline-not-compared'
  // command-line overrides (-S path=value)
  | 'invalid-override';

export interface RelatedInformation {
  message: string;
  range: Range;
}

/**
 * One finding about the user's input. Phases collect these and never throw for user mistakes.
 * `expected`/`found` are rendered as their own line so every message says both.
 */
export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  range?: Range;
  expected?: string;
  found?: string;
  /** "did you mean 'onebp'?" or another concrete fix. */
  hint?: string;
  related?: RelatedInformation[];
}

export function error(code: DiagnosticCode, message: string, range: Range | undefined, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', code, message, range, ...extra };
}

export function warning(code: DiagnosticCode, message: string, range: Range | undefined, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'warning', code, message, range, ...extra };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Order by file, then position, so the output reads top to bottom. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.range?.file ?? '';
    const fb = b.range?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0);
  });
}

/**
 * Renders like rustc/tsc:
 *
 *   experiments/x.exp:12:19: error[unknown-component]: unknown sampler 'unifrom'
 *      12 |   sampler: unifrom(negatives: 5)
 *         |            ^^^^^^^
 *      = expected: one of uniform
 *      = found: unifrom
 *      = hint: did you mean 'uniform'?
 */
export function renderDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>): string {
  const where = d.range ? `${formatLocation(d.range)}: ` : '';
  const lines = [`${where}${d.severity}[${d.code}]: ${d.message}`];
  const src = d.range ? sources.get(d.range.file) : undefined;
  if (d.range && src) lines.push(...excerpt(src, d.range));
  if (d.expected !== undefined) lines.push(`   = expected: ${d.expected}`);
  if (d.found !== undefined) lines.push(`   = found: ${d.found}`);
  if (d.hint !== undefined) lines.push(`   = hint: ${d.hint}`);
  for (const r of d.related ?? []) lines.push(`   = note: ${r.message} (${formatLocation(r.range)})`);
  return lines.join('\n');
}

const MAX_EXCERPT = 160;

function excerpt(src: SourceFile, r: Range): string[] {
  const line = r.start.line;
  let text = src.lineText(line).replace(/\t/g, ' ');
  let col = r.start.column;
  // Long lines (minified or binary-ish input) are cut around the caret.
  let prefix = '';
  if (text.length > MAX_EXCERPT) {
    const from = Math.max(0, col - 1 - MAX_EXCERPT / 2);
    text = text.slice(from, from + MAX_EXCERPT);
    prefix = from > 0 ? '...' : '';
    col = col - from + prefix.length;
    text = prefix + text;
  }
  const width = r.end.line === line ? Math.max(1, r.end.column - r.start.column) : Math.max(1, text.length - col + 1);
  const gutter = String(line).padStart(5);
  const pad = ' '.repeat(gutter.length);
  return [`${gutter} | ${text}`, `${pad} | ${' '.repeat(Math.max(0, col - 1))}${'^'.repeat(Math.min(width, Math.max(1, text.length - col + 1)))}`];
}

/** Renders all diagnostics plus a one-line summary ("2 errors, 1 warning"). */
export function renderDiagnostics(ds: Diagnostic[], sources: ReadonlyMap<string, SourceFile>): string {
  const sorted = sortDiagnostics(ds);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  const parts = sorted.map((d) => renderDiagnostic(d, sources));
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  parts.push(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return parts.join('\n\n');
}
