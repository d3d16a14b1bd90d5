import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * The token vocabulary of `.exp` files. The order of `allTokens` is the lexer's priority:
 * skipped trivia first, then keywords (each with `longer_alt: Identifier`, so `runs` and
 * `dataset_name` stay names), then names, literals and punctuation.
 */

// ---- categories -------------------------------------------------------------------------

/** Anything usable as a plain word: a name or a keyword (property keys, callees, argument names). */
export const Word = createToken({ name: 'Word', pattern: Lexer.NA });
/** The eight keywords that can start a declaration; the parser re-synchronises on them. */
export const DeclarationKeyword = createToken({ name: 'DeclarationKeyword', pattern: Lexer.NA });
/** Every token that cannot start a declaration: what the parser skips as stray input at top level. */
export const NotDeclarationStart = createToken({ name: 'NotDeclarationStart', pattern: Lexer.NA });
/** A quoted string, terminated or not: an unterminated one stays in the token stream so the parser does not cascade. */
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: Lexer.NA, categories: [NotDeclarationStart] });

// ---- trivia -----------------------------------------------------------------------------

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /(?:#|\/\/)[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
/** Tried after BlockComment: a `/*` without its `*\/` runs to the end of the file and is reported at its start. */
export const UnterminatedBlockComment = createToken({ name: 'UnterminatedBlockComment', pattern: /\/\*[\s\S]*/, group: 'errors' });

// ---- names and keywords -----------------------------------------------------------------

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Word, NotDeclarationStart] });

function declarationKeyword(word: string): TokenType {
  return createToken({ name: keywordTokenName(word), pattern: new RegExp(word), longer_alt: Identifier, categories: [Word, DeclarationKeyword] });
}
function keyword(word: string): TokenType {
  return createToken({ name: keywordTokenName(word), pattern: new RegExp(word), longer_alt: Identifier, categories: [Word, NotDeclarationStart] });
}
function keywordTokenName(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

export const Experiment = declarationKeyword('experiment');
export const Import = declarationKeyword('import');
export const Dataset = declarationKeyword('dataset');
export const Defaults = declarationKeyword('defaults');
export const Run = declarationKeyword('run');
export const Sweep = declarationKeyword('sweep');
export const Evaluate = declarationKeyword('evaluate');
export const Review = declarationKeyword('review');
export const Extends = keyword('extends');
export const Of = keyword('of');
export const True = keyword('true');
export const False = keyword('false');
export const None = keyword('none');
export const On = keyword('on');

/** The declaration keywords in the order messages list them. */
export const DECLARATION_KEYWORDS = ['experiment', 'import', 'dataset', 'defaults', 'run', 'sweep', 'evaluate', 'review'] as const;
export const KEYWORDS = [...DECLARATION_KEYWORDS, 'extends', 'of', 'true', 'false', 'none', 'on'] as const;

// ---- literals ---------------------------------------------------------------------------

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  categories: [NotDeclarationStart],
});
/** Escapes are checked when the value is decoded; here any backslash pair is part of the string. */
export const QuotedString = createToken({ name: 'QuotedString', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"|'(?:[^'\\\n\r]|\\[^\n\r])*'/, categories: [StringLiteral] });
/** Tried after QuotedString: an opening quote whose line (or the file) ends first. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\[^\n\r]?)*|'(?:[^'\\\n\r]|\\[^\n\r]?)*/, categories: [StringLiteral] });

// ---- punctuation ------------------------------------------------------------------------

function punctuation(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `'${text}'`, categories: [NotDeclarationStart] });
}
export const LBrace = punctuation('LBrace', '{');
export const RBrace = punctuation('RBrace', '}');
export const LBracket = punctuation('LBracket', '[');
export const RBracket = punctuation('RBracket', ']');
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const Colon = punctuation('Colon', ':');
export const Semicolon = punctuation('Semicolon', ';');
export const Comma = punctuation('Comma', ',');
export const Dot = punctuation('Dot', '.');
export const Equals = punctuation('Equals', '=');
export const At = punctuation('At', '@');

export const allTokens: TokenType[] = [
  // Trivia first; the block comment before its unterminated fallback.
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  // Keywords before Identifier (longer_alt hands `runs`, `of_x` back to Identifier).
  Experiment,
  Import,
  Dataset,
  Defaults,
  Run,
  Sweep,
  Evaluate,
  Review,
  Extends,
  Of,
  True,
  False,
  None,
  On,
  Identifier,
  // Number before Dot so `.5` is a number; `a.b` still lexes as name, dot, name.
  NumberLiteral,
  QuotedString,
  UnterminatedString,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Colon,
  Semicolon,
  Comma,
  Dot,
  Equals,
  At,
  // Categories are listed so the parser knows them; they match nothing themselves.
  Word,
  DeclarationKeyword,
  NotDeclarationStart,
  StringLiteral,
];

/** Offsets only: SourceFile turns offsets into lines and columns, and the AST builder computes node ranges. */
export const expLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });

/** How a token type reads in a message: punctuation and keywords quoted, the rest by what they are. */
export function describeTokenType(t: TokenType): string {
  switch (t.name) {
    case 'Identifier':
    case 'Word':
      return 'a name';
    case 'NumberLiteral':
      return 'a number';
    case 'StringLiteral':
    case 'QuotedString':
    case 'UnterminatedString':
      return 'a string';
    case 'EOF':
      return 'end of file';
    case 'DeclarationKeyword':
      return 'a declaration';
    case 'NotDeclarationStart':
      return 'any token';
  }
  if (typeof t.LABEL === 'string') return t.LABEL;
  if (typeof t.PATTERN === 'string') return `'${t.PATTERN}'`;
  if (t.PATTERN instanceof RegExp) return `'${t.PATTERN.source}'`;
  return t.name;
}

// ---- string values ----------------------------------------------------------------------

export interface BadEscape {
  /** Offset of the backslash within the token's image. */
  index: number;
  /** The escape as written, e.g. `\x` or `\u12`. */
  text: string;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t' };

/**
 * The value of a string token (terminated or not): the escapes are \" \' \\ \n \t and \uXXXX.
 * Any other escape keeps its character and is listed in `bad`, for a lexing error.
 */
export function decodeString(image: string): { value: string; bad: BadEscape[] } {
  const quote = image[0];
  const end = image.length >= 2 && image[image.length - 1] === quote && !endsInsideEscape(image) ? image.length - 1 : image.length;
  let value = '';
  const bad: BadEscape[] = [];
  for (let i = 1; i < end; i++) {
    const ch = image[i]!;
    if (ch !== '\\') {
      value += ch;
      continue;
    }
    const e = image[i + 1];
    if (e === undefined || i + 1 >= end) {
      bad.push({ index: i, text: '\\' });
      break;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i++;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(image.slice(i + 2, i + 6)) && i + 6 <= end) {
      value += String.fromCharCode(parseInt(image.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      const text = e === 'u' ? image.slice(i, Math.min(end, i + 6)) : `\\${e}`;
      bad.push({ index: i, text });
      value += e;
      i++;
    }
  }
  return { value, bad };
}

/** `"abc\"` (unterminated: the last quote is escaped) vs `"abc\\"` (terminated). */
function endsInsideEscape(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}
