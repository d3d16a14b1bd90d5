import { EOF, type CstNode, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { ProgramCstNode } from '../../grammar/cst.generated.js';
import { ExpParser } from '../../grammar/parser.js';
import * as T from '../../grammar/tokens.js';
import { buildAst } from './ast/build-ast.js';
import { expandListGenerators } from './ast/list-generators.js';
import type { Program } from './ast/nodes.js';
import { error, type Diagnostic } from './diagnostics.js';
import type { Range, SourceFile } from './source.js';
import { suggest } from './suggest.js';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Brackets, parentheses and braces nested deeper than this are rejected before parsing, so deep input cannot overflow the stack. */
export const MAX_NESTING = 64;
/** Names are for people and end up in paths, table columns and trial ids: longer is a mistake. */
export const MAX_IDENTIFIER = 128;

// Building a Chevrotain parser runs its grammar analysis (tens of ms): once per process.
let shared: { parser: ExpParser; messages: ExpErrorMessages } | undefined;
function parserInstance(): { parser: ExpParser; messages: ExpErrorMessages } {
  if (!shared) {
    const messages = new ExpErrorMessages();
    shared = { parser: new ExpParser(messages), messages };
  }
  return shared;
}

/**
 * Tokenizes and parses one file. Pure: no fs, and no throwing for user mistakes. Reports every
 * lexical and syntax error of the file in one go (at most one syntax error per declaration, as
 * later ones are usually echoes of the first) and returns the AST of whatever could be parsed.
 */
export function parseSource(source: SourceFile): ParseResult {
  const lexed = T.expLexer.tokenize(source.text);
  const tokens = lexed.tokens;
  const lexical = lexicalDiagnostics(source, lexed.errors, lexed.groups['errors'] ?? [], tokens);

  const tooDeep = checkNesting(source, tokens);
  if (tooDeep) {
    const empty: Program = { kind: 'Program', file: source.path, declarations: [], range: source.range(0, source.text.length) };
    return { program: empty, diagnostics: byPosition([...lexical, tooDeep]) };
  }

  const { parser, messages } = parserInstance();
  messages.reset();
  parser.input = tokens;
  const cst = parser.program();
  const errors = parser.errors;
  // An unterminated comment runs to the end of the file: what the parser then misses at the end is its echo.
  const commentRunsToEof = (lexed.groups['errors'] ?? []).some((t) => t.tokenType === T.UnterminatedBlockComment);
  const syntax = syntaxDiagnostics(source, cst, errors, tokens, messages, commentRunsToEof);
  parser.input = []; // do not keep the file's tokens alive between calls
  const program = buildAst(cst, source);
  // range(...) and logspace(...) become lists here, so every later phase sees plain lists
  const generated: Diagnostic[] = [];
  expandListGenerators(program, generated);
  return { program, diagnostics: byPosition([...lexical, ...syntax, ...generated]) };
}

function byPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds.map((d, i) => ({ d, i })).sort((a, b) => (a.d.range?.start.offset ?? 0) - (b.d.range?.start.offset ?? 0) || a.i - b.i).map((x) => x.d);
}

function tokenRange(source: SourceFile, t: IToken): Range {
  return source.range(t.startOffset, t.startOffset + t.image.length);
}

// ---- lexical errors ---------------------------------------------------------------------

const ESCAPES = `one of \\" \\' \\\\ \\n \\t \\uXXXX`;

function lexicalDiagnostics(
  source: SourceFile,
  lexErrors: readonly { offset: number; length: number }[],
  errorTokens: readonly IToken[],
  tokens: readonly IToken[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of lexErrors) {
    const text = source.text.slice(e.offset, e.offset + e.length);
    const shown = showCharacters(text);
    const several = [...text].length > 1;
    out.push(
      error('lexing-error', `unexpected character${several ? 's' : ''} '${shown}'`, source.range(e.offset, e.offset + e.length), {
        expected: 'a name, number, string, punctuation or comment',
        found: `'${shown}'`,
      }),
    );
  }
  for (const t of errorTokens) {
    if (t.tokenType === T.UnterminatedBlockComment)
      out.push(error('lexing-error', 'unterminated comment', source.range(t.startOffset, t.startOffset + 2), { expected: "'*/' closing the comment", found: 'end of file' }));
  }
  for (const t of tokens) {
    if (t.tokenType === T.Identifier && t.image.length > MAX_IDENTIFIER) {
      out.push(
        error('lexing-error', `a name of ${t.image.length} characters`, source.range(t.startOffset, t.startOffset + MAX_IDENTIFIER), {
          expected: `a name of at most ${MAX_IDENTIFIER} characters`,
          found: `'${t.image.slice(0, 20)}...'`,
        }),
      );
      continue;
    }
    if (t.tokenType === T.UnterminatedString) {
      const endOfFile = t.startOffset + t.image.length >= source.text.length;
      out.push(
        error('lexing-error', 'unterminated string', source.range(t.startOffset, t.startOffset + 1), {
          expected: `a closing ${t.image[0]} on the same line`,
          found: endOfFile ? 'end of file' : 'end of line',
        }),
      );
    } else if (t.tokenType === T.QuotedString && t.image.includes('\\')) {
      for (const bad of T.decodeString(t.image).bad) {
        const at = t.startOffset + bad.index;
        out.push(error('lexing-error', `unknown escape '${bad.text}' in string`, source.range(at, at + bad.text.length), { expected: ESCAPES, found: `'${bad.text}'` }));
      }
    }
  }
  return out;
}

/** Printable characters as they are; control and invisible ones as \uXXXX so the message shows something. */
function showCharacters(text: string): string {
  const cut = [...text].slice(0, 20);
  const shown = cut.map((ch) => (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch) ? ch : `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`)).join('');
  return cut.length < [...text].length ? `${shown}...` : shown;
}

// ---- nesting limit ----------------------------------------------------------------------

function checkNesting(source: SourceFile, tokens: readonly IToken[]): Diagnostic | undefined {
  let depth = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LBrace || tt === T.LBracket || tt === T.LParen) {
      if (++depth > MAX_NESTING)
        return error('nesting-too-deep', `values nest deeper than ${MAX_NESTING} levels`, tokenRange(source, t), {
          expected: `at most ${MAX_NESTING} levels of brackets, parentheses and braces`,
          found: `'${t.image}' opening level ${depth}`,
        });
    } else if ((tt === T.RBrace || tt === T.RBracket || tt === T.RParen) && depth > 0) depth--;
  }
  return undefined;
}

// ---- syntax errors ----------------------------------------------------------------------

interface Segment {
  start: number;
  stray?: IToken;
}

function syntaxDiagnostics(
  source: SourceFile,
  cst: CstNode,
  errors: readonly IRecognitionException[],
  tokens: readonly IToken[],
  messages: ExpErrorMessages,
  dropAtEof: boolean,
): Diagnostic[] {
  const last = tokens[tokens.length - 1];
  const eofOffset = last ? last.startOffset + last.image.length : 0;
  const atEof = (t: IToken) => t.tokenType === EOF || !Number.isFinite(t.startOffset);
  const offsetOf = (t: IToken) => (atEof(t) ? eofOffset : t.startOffset);

  // Top-level segments (declarations and stray input) in source order, to keep one error per declaration.
  const children = (cst as ProgramCstNode).children;
  const segments: Segment[] = [
    ...(children.declaration ?? []).map((d) => ({ start: firstOffset(d) })),
    ...(children.stray ?? []).map((s) => {
      const first = s.children.NotDeclarationStart?.[0] ?? s.children.DeclarationKeyword?.[0];
      return { start: first?.startOffset ?? NaN, ...(first ? { stray: first } : {}) };
    }),
  ]
    .filter((s) => Number.isFinite(s.start))
    .sort((a, b) => a.start - b.start);
  const segmentOf = (offset: number): number => {
    let lo = 0;
    let hi = segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid]!.start <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  const found: { segment: number; offset: number; d: Diagnostic }[] = [];
  for (const e of errors) {
    if (dropAtEof && atEof(e.token)) continue;
    const offset = offsetOf(e.token);
    found.push({ segment: segmentOf(offset), offset, d: recognitionDiagnostic(source, e, messages, eofOffset) });
  }
  found.sort((a, b) => a.offset - b.offset);
  addCloserHints(source, tokens, found);

  // Input left over by a broken declaration belongs to that mistake; other stray input is reported once.
  const broken = new Set(found.map((f) => f.segment));
  const owner = segments.map((_, i) => i);
  segments.forEach((seg, i) => {
    if (!seg.stray) return;
    if (i > 0 && !segments[i - 1]!.stray && broken.has(i - 1)) owner[i] = i - 1;
    else found.push({ segment: i, offset: seg.stray.startOffset, d: strayDiagnostic(source, seg.stray) });
  });
  found.sort((a, b) => a.offset - b.offset);

  const kept: Diagnostic[] = [];
  const seen = new Set<number>();
  let previous: Range | undefined;
  for (const f of found) {
    const key = f.segment >= 0 ? owner[f.segment]! : -1;
    if (seen.has(key)) continue;
    const r = f.d.range;
    if (previous && r && r.start.offset === previous.start.offset && r.end.offset === previous.end.offset) continue;
    seen.add(key);
    kept.push(f.d);
    previous = r;
  }
  return kept;
}

/** The offset of a declaration's keyword (the token that chose it, so always real). */
function firstOffset(d: CstNode): number {
  let first = NaN;
  for (const decl of Object.values(d.children))
    for (const n of decl)
      if ('children' in n)
        for (const ts of Object.values(n.children))
          for (const t of ts) if (!('children' in t) && Number.isFinite(t.startOffset) && (Number.isNaN(first) || t.startOffset < first)) first = t.startOffset;
  return first;
}

function recognitionDiagnostic(source: SourceFile, e: IRecognitionException, messages: ExpErrorMessages, eofOffset: number): Diagnostic {
  const t = e.token;
  const atEof = t.tokenType === EOF || !Number.isFinite(t.startOffset);
  const range = atEof ? source.range(eofOffset, eofOffset) : tokenRange(source, t);
  const detail = messages.detail(e.message);
  return error('parsing-error', e.message, range, {
    expected: detail?.expected ?? 'valid syntax',
    found: describeFound(t),
    ...(detail?.hint ? { hint: detail.hint } : {}),
  });
}

function strayDiagnostic(source: SourceFile, t: IToken): Diagnostic {
  const found = describeFound(t);
  const did = t.tokenType === T.Identifier ? suggest(t.image, T.DECLARATION_KEYWORDS) : undefined;
  return error('parsing-error', `expected ${DECLARATION_EXPECTED}, found ${found}`, tokenRange(source, t), {
    expected: DECLARATION_EXPECTED,
    found,
    ...(did ? { hint: `did you mean '${did}'?` } : {}),
  });
}

const CLOSER_OF: ReadonlyMap<string, string> = new Map([
  ['{', '}'],
  ['[', ']'],
  ['(', ')'],
]);

/**
 * "expected '}'" is easier to act on with the '{' it would close: one sweep over the tokens keeps
 * the stack of open brackets and reads it at each error that expects a closing one.
 */
function addCloserHints(source: SourceFile, tokens: readonly IToken[], found: readonly { offset: number; d: Diagnostic }[]): void {
  const closerIn = (expected: string | undefined) => /'([\]})])'$/.exec(expected ?? '')?.[1];
  const wanting = found.filter((f) => closerIn(f.d.expected) !== undefined);
  if (wanting.length === 0) return;
  const stack: IToken[] = [];
  let i = 0;
  for (const f of wanting) {
    for (; i < tokens.length && tokens[i]!.startOffset < f.offset; i++) {
      const t = tokens[i]!;
      if (t.tokenType === T.LBrace || t.tokenType === T.LBracket || t.tokenType === T.LParen) stack.push(t);
      else if ((t.tokenType === T.RBrace || t.tokenType === T.RBracket || t.tokenType === T.RParen) && stack.length > 0 && CLOSER_OF.get(stack[stack.length - 1]!.image) === t.image) stack.pop();
    }
    const closer = closerIn(f.d.expected)!;
    const open = [...stack].reverse().find((t) => CLOSER_OF.get(t.image) === closer);
    if (open && !f.d.hint) {
      const at = source.positionAt(open.startOffset);
      f.d.hint = `add '${closer}' to close the '${open.image}' at line ${at.line}, column ${at.column}`;
    }
  }
}

// ---- messages ---------------------------------------------------------------------------

export const DECLARATION_EXPECTED = `a declaration (${T.DECLARATION_KEYWORDS.slice(0, -1).join(', ')} or ${T.DECLARATION_KEYWORDS[T.DECLARATION_KEYWORDS.length - 1]})`;
const VALUE_EXPECTED = 'a value (a number, string, name, call, [list] or (record))';

/** A token as "found ..." shows it: its text quoted (a string as written), or `end of file`. */
export function describeFound(t: IToken): string {
  if (t.tokenType === EOF || !Number.isFinite(t.startOffset)) return 'end of file';
  const text = t.image.length > 40 ? `${t.image.slice(0, 37)}...` : t.image;
  return t.tokenType === T.QuotedString || t.tokenType === T.UnterminatedString ? text : `'${text}'`;
}

function after(previous: IToken | undefined): string {
  return previous && previous.tokenType !== EOF && Number.isFinite(previous.startOffset) ? ` after ${describeFound(previous)}` : '';
}

/**
 * Chevrotain's messages in words for people. A Chevrotain error carries only its message and
 * token, so the expectation behind each message is kept here for the diagnostic's `expected`.
 */
export class ExpErrorMessages implements IParserErrorMessageProvider {
  private readonly details = new Map<string, { expected: string; hint?: string }>();

  reset(): void {
    this.details.clear();
  }

  detail(message: string): { expected: string; hint?: string } | undefined {
    return this.details.get(message);
  }

  private note(message: string, expected: string, hint?: string): string {
    this.details.set(message, hint ? { expected, hint } : { expected });
    return message;
  }

  buildMismatchTokenMessage(o: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    // After a value inside (...) or [...], a ',' could have come as well as the closing bracket.
    const afterValue = (o.expected === T.RParen || o.expected === T.RBracket) && ![T.LParen, T.LBracket, T.Comma].includes(o.previous.tokenType);
    const expected = afterValue ? `',' or ${T.describeTokenType(o.expected)}` : T.describeTokenType(o.expected);
    const message = `expected ${expected}${after(o.previous)}`;
    const hint = o.expected === T.Colon && o.actual.tokenType === T.Equals ? "properties are written 'key: value'" : undefined;
    return this.note(message, expected, hint);
  }

  buildNoViableAltMessage(o: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; ruleName: string }): string {
    const found = describeFound(o.actual[0]!);
    if (o.ruleName === 'value') return this.note(`expected ${VALUE_EXPECTED}, found ${found}`, VALUE_EXPECTED);
    if (o.ruleName === 'declaration' || o.ruleName === 'program') return this.note(`expected ${DECLARATION_EXPECTED}, found ${found}`, DECLARATION_EXPECTED);
    // After a key only ':' is usual (`zip {` is a sweep's rare block): said as a missing ':'
    if (o.ruleName === 'property') return this.buildMismatchTokenMessage({ expected: T.Colon, actual: o.actual[0]!, previous: o.previous, ruleName: o.ruleName });
    const expected = oneOf(o.expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0]!)));
    return this.note(`expected ${expected}${after(o.previous)}, found ${found}`, expected);
  }

  buildEarlyExitMessage(o: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; ruleName: string }): string {
    const expected = oneOf(o.expectedIterationPaths.map((p) => p[0]!));
    return this.note(`expected ${expected}${after(o.previous)}, found ${describeFound(o.actual[0]!)}`, expected);
  }

  buildNotAllInputParsedMessage(o: { firstRedundant: IToken; ruleName: string }): string {
    return this.note(`expected ${DECLARATION_EXPECTED}, found ${describeFound(o.firstRedundant)}`, DECLARATION_EXPECTED);
  }
}

function oneOf(types: TokenType[]): string {
  const words = [...new Set(types.filter((t) => t !== undefined).map((t) => T.describeTokenType(t)))];
  if (words.length <= 1) return words[0] ?? 'more input';
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
