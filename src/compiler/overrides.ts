import type { Property } from './ast/nodes.js';
import { error, type Diagnostic } from './diagnostics.js';
import { parseSource } from './parse.js';
import { SourceFile, type Range } from './source.js';

/**
 * A command-line override, `-S training.epochs=5` or `-S onebp.backprop.beta=0.9` (as
 * `dvc exp run -S` and RecBole's `--key=value`): one property written in the language's own
 * syntax, `path=value`, applied to every run or to the run its path starts with. It is parsed
 * and validated like the file, and its diagnostics point into the override's own text.
 */
export interface Override {
  /** As given on the command line. */
  text: string;
  /** `training.epochs: 5` as a property of the .exp language (ranges in `source`). */
  property: Property;
}

/** The name an override's diagnostics carry instead of a file: `-S #2:1:17: error...`. */
export const overrideLabel = (index: number): string => `-S #${index + 1}`;

const PREFIX = 'run __override__ { ';

/**
 * Parses each `path=value`. The first '=' separates the path from the value (so a string value may
 * hold '='); it is parsed as `path: value` inside a run block, and every range is mapped back onto
 * the text as the user typed it, so carets land under the right characters.
 */
export function parseOverrides(texts: readonly string[]): { overrides: Override[]; sources: SourceFile[]; diagnostics: Diagnostic[] } {
  const overrides: Override[] = [];
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  texts.forEach((text, index) => {
    const shown = new SourceFile(overrideLabel(index), text);
    sources.push(shown);
    const eq = text.indexOf('=');
    if (eq <= 0 || /[\r\n]/.test(text)) {
      diagnostics.push(
        error('invalid-override', `an override is PATH=VALUE`, shown.range(0, text.length), {
          expected: 'PATH=VALUE, e.g. -S training.epochs=5 or -S onebp.backprop.beta=0.9',
          found: text === '' ? 'an empty override' : /[\r\n]/.test(text) ? 'a line break' : eq === 0 ? 'no path before =' : `'${text}' (no =)`,
        }),
      );
      return;
    }
    const wrapped = new SourceFile(shown.path, `${PREFIX}${text.slice(0, eq)}:${text.slice(eq + 1)} }`);
    const parsed = parseSource(wrapped);
    const remap = (r: Range): Range => shown.range(Math.max(0, r.start.offset - PREFIX.length), Math.max(0, Math.min(text.length, r.end.offset - PREFIX.length)));
    const parseErrors = parsed.diagnostics.filter((d) => d.severity === 'error');
    const decls = parsed.program.declarations;
    const run = decls[0];
    // Text that closes the block and declares more (`-S 'x=1 } run y {'`) is not one setting.
    if (parseErrors.length && decls.length <= 1) {
      for (const d of parseErrors) diagnostics.push({ ...d, range: d.range ? remap(d.range) : shown.range(0, text.length) });
      return;
    }
    if (decls.length !== 1 || run?.kind !== 'RunDecl' || run.properties.length !== 1) {
      diagnostics.push(
        error('invalid-override', 'an override sets exactly one setting', shown.range(0, text.length), {
          expected: 'PATH=VALUE, one setting per -S',
          found: text,
        }),
      );
      return;
    }
    overrides.push({ text, property: mapRanges(run.properties[0]!, remap) });
  });
  return { overrides, sources, diagnostics };
}

/** A deep copy of an AST node with every `range` mapped. */
function mapRanges<T>(node: T, remap: (r: Range) => Range): T {
  if (Array.isArray(node)) return node.map((x) => mapRanges(x, remap)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = k === 'range' && v && typeof v === 'object' && 'start' in v ? remap(v as Range) : mapRanges(v, remap);
  return out as T;
}
