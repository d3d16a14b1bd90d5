import { EOF, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import { ExpParser } from '../../grammar/parser.js';
import * as T from '../../grammar/tokens.js';
import type { Program } from './ast/nodes.js';
import { buildAst } from './ast/build-ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import type { Range, SourceFile } from './source.js';
import { suggest } from './suggest.js';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Values nested deeper than this are rejected before parsing (recursion would overflow the stack). */
export const MAX_NESTING = 64;

const PUNCTUATION = new Set<TokenType>([T.LCurly, T.RCurly, T.LParen, T.RParen, T.LBracket, T.RBracket, T.Colon, T.Comma, T.Semicolon, T.Dot, T.At, T.Equals]);

/** How a kind of token is named in "expected ..." (Chevrotain's labels, in words). */
function describeType(t: TokenType): string {
  if (t === EOF) return 'end of file';
  if (PUNCTUATION.has(t)) return t.LABEL ?? `'${String(t.PATTERN)}'`;
  if ((T.KEYWORDS as TokenType[]).includes(t)) return `'${String(t.PATTERN)}'`;
  if (t === T.Identifier || t === T.Word) return 'a name';
  if (t === T.NumberLiteral) return 'a number';
  if (t === T.StringLiteral) return 'a string';
  return t.name;
}

/** How an actual token is shown in "found ...": its text, or "end of file". */
function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return 'end of file';
  const text = tok.image.length > 40 ? `${tok.image.slice(0, 37)}...` : tok.image;
  return `'${text}'`;
}

const DECLARATION = `a declaration (${T.DECLARATION_WORDS.slice(0, -1).join(', ')} or ${T.DECLARATION_WORDS[T.DECLARATION_WORDS.length - 1]})`;
const VALUE = 'a value (a number, string, name, call, [list] or (record))';

interface Expectation {
  expected: string;
  after?: string;
}

/**
 * Chevrotain asks this for the message of each syntax error. It answers with the expectation
 * as JSON; toDiagnostic() turns that into the final "expected X after Y, found Z".
 */
const messages = {
  buildMismatchTokenMessage: ({ expected, previous }: { expected: TokenType; previous: IToken }) =>
    // Expecting the end of the file means the token there cannot start a declaration.
    expected === EOF ? JSON.stringify({ expected: DECLARATION } satisfies Expectation) : JSON.stringify({ expected: describeType(expected), after: previous && previous.tokenType !== EOF && previous.image ? previous.image : undefined } satisfies Expectation),
  buildNotAllInputParsedMessage: () => JSON.stringify({ expected: DECLARATION } satisfies Expectation),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName, previous }: { expectedPathsPerAlt: TokenType[][][]; ruleName: string; previous: IToken }) => {
    const after = previous && previous.tokenType !== EOF && previous.image ? previous.image : undefined;
    if (ruleName === 'declaration') return JSON.stringify({ expected: DECLARATION } satisfies Expectation);
    if (ruleName === 'value' || ruleName === 'valueList' || ruleName === 'argument') return JSON.stringify({ expected: VALUE, after } satisfies Expectation);
    const firsts = [...new Set(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => describeType(path[0]!))))];
    return JSON.stringify({ expected: firsts.join(' or '), after } satisfies Expectation);
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, previous }: { expectedIterationPaths: TokenType[][]; previous: IToken }) =>
    JSON.stringify({
      expected: [...new Set(expectedIterationPaths.map((p) => describeType(p[0]!)))].join(' or '),
      after: previous && previous.tokenType !== EOF ? previous.image : undefined,
    } satisfies Expectation),
};

// Building a Chevrotain parser runs its grammar analysis: once per process.
let parser: ExpParser | undefined;
const getParser = () => (parser ??= new ExpParser(messages as never));

function tokenRange(source: SourceFile, tok: IToken): Range {
  return source.range(tok.startOffset, tok.startOffset + tok.image.length);
}

/**
 * Tokenizes and parses one file. Pure: reports every lexical and syntax error as a diagnostic
 * (never throws for bad input) and returns the AST of whatever could be parsed.
 */
export function parseSource(source: SourceFile): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = T.ExpLexer.tokenize(source.text);
  for (const e of lexed.errors) {
    const ch = source.text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 1)));
    const shown = /^[\x20-\x7e]$/.test(ch) ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    diagnostics.push(error('lexing-error', `unexpected character '${shown}'`, source.range(e.offset, e.offset + 1), { expected: 'a name, number, string, punctuation or comment', found: `'${shown}'` }));
  }
  // Unterminated strings and comments are recognised as tokens so that the error points at their start.
  const tokens: IToken[] = [];
  for (const tok of lexed.tokens) {
    if (tok.tokenType === T.UnterminatedString)
      diagnostics.push(error('lexing-error', 'unterminated string', source.range(tok.startOffset, tok.startOffset + 1), { expected: `a closing ${tok.image[0]} on the same line`, found: 'the end of the line' }));
    else if (tok.tokenType === T.UnterminatedBlockComment)
      diagnostics.push(error('lexing-error', 'unterminated comment', source.range(tok.startOffset, tok.startOffset + 2), { expected: "'*/' closing the comment", found: 'end of file' }));
    else tokens.push(tok);
  }

  const emptyProgram: Program = { kind: 'Program', file: source.path, declarations: [], range: source.range(0, source.text.length) };
  const tooDeep = checkNesting(tokens, source);
  if (tooDeep) return { program: emptyProgram, diagnostics: [...diagnostics, tooDeep] };

  const p = getParser();
  p.input = tokens;
  const cst = p.program();
  const syntax = p.errors.map((e) => toDiagnostic(e, source, tokens));
  diagnostics.push(...suppressCascades(syntax, declarationStarts(tokens)));
  const program = buildAst(cst, source);
  return { program, diagnostics };
}

function toDiagnostic(e: IRecognitionException, source: SourceFile, tokens: IToken[]): Diagnostic {
  let exp: Expectation;
  try {
    exp = JSON.parse(e.message) as Expectation;
  } catch {
    exp = { expected: e.message };
  }
  const tok = e.token;
  const atEof = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
  let range: Range;
  if (atEof) {
    const last = tokens[tokens.length - 1];
    const end = last ? last.startOffset + last.image.length : source.text.length;
    range = source.range(end, end);
  } else range = tokenRange(source, tok);
  const found = atEof ? 'end of file' : describeToken(tok);
  const message = `expected ${exp.expected}${exp.after ? ` after '${exp.after}'` : ''}, found ${found}`;
  let hint: string | undefined;
  if (exp.expected === DECLARATION && !atEof && tok.tokenType === T.Identifier) {
    const did = suggest(tok.image, T.DECLARATION_WORDS);
    if (did) hint = `did you mean '${did}'?`;
  }
  return error('parsing-error', message, range, { expected: exp.expected, found, hint });
}

/** Offsets of tokens that start a top-level declaration (outside any brackets). */
function declarationStarts(tokens: IToken[]): number[] {
  const starts: number[] = [];
  let depth = 0;
  const opens = new Set<TokenType>([T.LCurly, T.LParen, T.LBracket]);
  const closes = new Set<TokenType>([T.RCurly, T.RParen, T.RBracket]);
  const decl = new Set<TokenType>([T.Experiment, T.Import, T.Dataset, T.Defaults, T.Run, T.Sweep, T.Evaluate, T.Review]);
  for (const t of tokens) {
    if (opens.has(t.tokenType)) depth++;
    else if (closes.has(t.tokenType)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && decl.has(t.tokenType)) starts.push(t.startOffset);
  }
  return starts;
}

/**
 * Recovery can report follow-on errors of one mistake; keep the first syntax error of each
 * top-level declaration (and never two at the same place).
 */
function suppressCascades(ds: Diagnostic[], starts: number[]): Diagnostic[] {
  const sorted = [...ds].sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  const kept: Diagnostic[] = [];
  const declOf = (offset: number) => {
    let lo = -1;
    for (const s of starts) if (s <= offset) lo = s;
    return lo;
  };
  const seenDecl = new Set<number>();
  for (const d of sorted) {
    const off = d.range?.start.offset ?? 0;
    const decl = declOf(off);
    if (seenDecl.has(decl)) continue;
    seenDecl.add(decl);
    kept.push(d);
  }
  return kept;
}

function checkNesting(tokens: IToken[], source: SourceFile): Diagnostic | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LCurly || t.tokenType === T.LParen || t.tokenType === T.LBracket) {
      depth++;
      if (depth > MAX_NESTING)
        return error('nesting-too-deep', `values nest deeper than ${MAX_NESTING} levels`, tokenRange(source, t), {
          expected: `at most ${MAX_NESTING} nested brackets`,
          found: `a ${depth}th level`,
        });
    } else if (t.tokenType === T.RCurly || t.tokenType === T.RParen || t.tokenType === T.RBracket) depth = Math.max(0, depth - 1);
  }
  return undefined;
}
