import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { MAX_NESTING } from '../../src/compiler/parse.js';
import { parse, where } from '../grammar/helpers.js';

const VALUE = 'a value (a number, string, name, call, [list] or (record))';
const DECLARATION = 'a declaration (experiment, import, dataset, defaults, run, sweep, evaluate or review)';

/** The only diagnostic of `text`. */
function only(text: string): Diagnostic {
  const { diagnostics } = parse(text);
  assert.equal(diagnostics.length, 1, diagnostics.map(where).join('\n'));
  return diagnostics[0]!;
}

const fields = (d: Diagnostic) => ({ expected: d.expected, found: d.found, hint: d.hint });

describe('parseSource: syntax errors', () => {
  describe("a missing ':'", () => {
    it('`split: holdout()` parses', () => {
      assert.deepEqual(parse('dataset d = x {\n  split: holdout(test: 0.2)\n}').diagnostics, []);
    });
    it("`split = holdout()` is \"expected ':' after 'split'\" at the '='", () => {
      const d = only('dataset d = x {\n  split = holdout(test: 0.2)\n}');
      assert.equal(where(d), "parsing-error@2:9-2:10 expected ':' after 'split'");
      assert.deepEqual(fields(d), { expected: "':'", found: "'='", hint: "properties are written 'key: value'" });
    });
    it("`split holdout()` is the same error at the word after the key", () => {
      const d = only('defaults { split holdout() }');
      assert.equal(where(d), "parsing-error@1:18-1:25 expected ':' after 'split'");
      assert.deepEqual(fields(d), { expected: "':'", found: "'holdout'", hint: undefined });
    });
  });

  describe('a missing value', () => {
    it('`x: 1` parses', () => assert.deepEqual(parse('run a { x: 1 }').diagnostics, []));
    it("`x: }` is \"expected a value ..., found '}'\"", () => {
      const d = only('run a { x: }');
      assert.equal(where(d), `parsing-error@1:12-1:13 expected ${VALUE}, found '}'`);
      assert.deepEqual(fields(d), { expected: VALUE, found: "'}'", hint: undefined });
    });
    it("`x: 1,` then '}' is the same error after the comma", () => {
      assert.equal(where(only('run a { x: 1, }')), `parsing-error@1:15-1:16 expected ${VALUE}, found '}'`);
    });
  });

  describe("a missing '}'", () => {
    it('at the end of the file: an empty range at the end of the last token, with the brace to close', () => {
      const d = only('run a {\n  x: 1   \n\n');
      assert.equal(where(d), "parsing-error@2:7-2:7 expected '}' after '1'");
      assert.deepEqual(fields(d), { expected: "'}'", found: 'end of file', hint: "add '}' to close the '{' at line 1, column 7" });
    });
    it('before the next declaration: one error, and both declarations are kept', () => {
      const r = parse('run a { x: 1\nrun b { y: 2 }');
      assert.deepEqual(r.diagnostics.map(where), ["parsing-error@2:1-2:4 expected '}' after '1'"]);
      assert.deepEqual(
        r.program.declarations.map((d) => d.kind === 'RunDecl' && `${d.name.name}:${d.properties.length}`),
        ['a:1', 'b:1'],
      );
    });
    it("a missing ']' after a value: a ',' or the ']' that closes the '[' named in the hint", () => {
      const d = only('run a { x: [1, 2 }');
      assert.equal(where(d), "parsing-error@1:18-1:19 expected ',' or ']' after '2'");
      assert.deepEqual(fields(d), { expected: "',' or ']'", found: "'}'", hint: "add ']' to close the '[' at line 1, column 12" });
    });
    it("a missing ']' right after '[' or ',' expects just the ']'", () => {
      assert.equal(only('run a { x: [1,').message, "expected ']' after ','");
    });
    it("a missing ',' between arguments", () => {
      const d = only('defaults { split: holdout(test: 0.2 valid: 0.1) }');
      assert.equal(where(d), "parsing-error@1:37-1:42 expected ',' or ')' after '0.2'");
      assert.deepEqual(fields(d), { expected: "',' or ')'", found: "'valid'", hint: "add ')' to close the '(' at line 1, column 26" });
    });
  });

  describe('a misspelt declaration keyword', () => {
    it('`dataset` parses', () => assert.deepEqual(parse('dataset x = y').diagnostics, []));
    it("`datset` is \"expected a declaration ..., found 'datset'\" with a did-you-mean", () => {
      const d = only('run a\ndatset x = synthetic { split: holdout() }\nrun b');
      assert.equal(where(d), `parsing-error@2:1-2:7 expected ${DECLARATION}, found 'datset'`);
      assert.deepEqual(fields(d), { expected: DECLARATION, found: "'datset'", hint: "did you mean 'dataset'?" });
    });
    it('the declarations around it are kept', () => {
      const r = parse('run a\ndatset x = synthetic { split: holdout() }\nrun b');
      assert.deepEqual(
        r.program.declarations.map((d) => d.kind === 'RunDecl' && d.name.name),
        ['a', 'b'],
      );
    });
    it('a word far from every keyword gets no hint', () => {
      assert.equal(only('banana { }').hint, undefined);
    });
    it("a stray '}' at top level is reported once", () => {
      const d = only('run a { x: 1 } }\nrun b');
      assert.equal(where(d), `parsing-error@1:16-1:17 expected ${DECLARATION}, found '}'`);
    });
  });

  describe('declaration names', () => {
    it('`run review_x` parses: a name that starts with a keyword is a name', () => assert.deepEqual(parse('run review_x').diagnostics, []));
    it("`run { }` is \"expected a name after 'run'\" and the run is dropped", () => {
      const r = parse('run { x: 1 }');
      assert.deepEqual(r.diagnostics.map(where), ["parsing-error@1:5-1:6 expected a name after 'run'"]);
      assert.deepEqual(fields(r.diagnostics[0]!), { expected: 'a name', found: "'{'", hint: undefined });
      assert.deepEqual(r.program.declarations, []);
    });
    it('a keyword is not a declaration name', () => {
      assert.equal(where(only('run review { }')), "parsing-error@1:5-1:11 expected a name after 'run'");
    });
    it('import needs a string', () => {
      const d = only('import shared');
      assert.equal(where(d), "parsing-error@1:8-1:14 expected a string after 'import'");
      assert.deepEqual(fields(d), { expected: 'a string', found: "'shared'", hint: undefined });
    });
  });

  describe('several errors', () => {
    it('three broken declarations give three diagnostics, in order', () => {
      const r = parse('dataset d = x { split = holdout() }\nrun a { x: }\nsweep s of a { y: [1, 2 }\nevaluate { metrics: recall }');
      assert.deepEqual(r.diagnostics.map(where), [
        "parsing-error@1:23-1:24 expected ':' after 'split'",
        `parsing-error@2:12-2:13 expected ${VALUE}, found '}'`,
        "parsing-error@3:25-3:26 expected ',' or ']' after '2'",
      ]);
      assert.deepEqual(
        r.program.declarations.map((d) => d.kind),
        ['DatasetDecl', 'RunDecl', 'SweepDecl', 'EvaluateDecl'],
      );
    });
    it("one syntax error in compare: is one error; sweep(beta) in plots: is a call, not a sweep declaration", () => {
      const r = parse('review {\n  compare: twobp onebp, userbp\n  baseline: twobp\n  plots: curves, sweep(beta), sweep(negatives)\n}\nrun a { }');
      assert.deepEqual(r.diagnostics.map(where), ["parsing-error@2:23-2:24 expected ':' after 'onebp'"]);
      assert.deepEqual(r.program.declarations.map((d) => d.kind), ['ReviewDecl', 'RunDecl']);
    });
    it('two mistakes in one declaration give one diagnostic (the first)', () => {
      const r = parse('run a { x = 1  y = 2  z: }\nrun b { }');
      assert.deepEqual(r.diagnostics.map(where), ["parsing-error@1:11-1:12 expected ':' after 'x'"]);
    });
    it('properties before the error are kept; the broken property is not', () => {
      const r = parse('run a { x: 1  y: (a: }  z: 3 }');
      const run = r.program.declarations[0];
      assert.equal(run?.kind, 'RunDecl');
      assert.deepEqual(
        run.kind === 'RunDecl' && run.properties.map((p) => p.key.segments[0]!.name),
        ['x'],
      );
    });
  });
});

describe('parseSource: lexical errors', () => {
  describe('strings', () => {
    it('a terminated string parses', () => assert.deepEqual(parse('import "a.exp"').diagnostics, []));
    it('an unterminated string is reported at its opening quote, once, with no syntax error after it', () => {
      const r = parse('run a { note: "abc\n}\nrun b');
      assert.deepEqual(r.diagnostics.map(where), ['lexing-error@1:15-1:16 unterminated string']);
      assert.deepEqual(fields(r.diagnostics[0]!), { expected: 'a closing " on the same line', found: 'end of line', hint: undefined });
      assert.equal(r.program.declarations.length, 2);
    });
    it('at the end of the file the string found the end of the file', () => {
      const d = only("import 'a.exp");
      assert.equal(where(d), 'lexing-error@1:8-1:9 unterminated string');
      assert.equal(d.found, 'end of file');
    });
    it('an unknown escape is reported at the escape', () => {
      const d = only('import "a\\qb"');
      assert.equal(where(d), "lexing-error@1:10-1:12 unknown escape '\\q' in string");
      assert.deepEqual(fields(d), { expected: `one of \\" \\' \\\\ \\n \\t \\uXXXX`, found: "'\\q'", hint: undefined });
    });
  });

  describe('comments', () => {
    it('a closed block comment is skipped', () => assert.deepEqual(parse('run a /* x */ { }').diagnostics, []));
    it('an unterminated block comment is reported at its start, and the end of file it hides is not a second error', () => {
      const r = parse('run a {\n  x: 1 /* the rest\n}\n');
      assert.deepEqual(r.diagnostics.map(where), ['lexing-error@2:8-2:10 unterminated comment']);
      assert.deepEqual(fields(r.diagnostics[0]!), { expected: "'*/' closing the comment", found: 'end of file', hint: undefined });
    });
  });

  describe('characters', () => {
    it("an unexpected character shows the character, and parsing goes on around it", () => {
      const r = parse('run a { x: $ 1 }\nrun b');
      assert.deepEqual(r.diagnostics.map(where), ["lexing-error@1:12-1:13 unexpected character '$'"]);
      assert.deepEqual(fields(r.diagnostics[0]!), { expected: 'a name, number, string, punctuation or comment', found: "'$'", hint: undefined });
      assert.equal(r.program.declarations.length, 2);
    });
    it('a run of unexpected characters is one error', () => {
      assert.equal(where(only('run a $%^ ')), "lexing-error@1:7-1:10 unexpected characters '$%^'");
    });
    it('an invisible character is shown as \\uXXXX', () => {
      assert.equal(only('run a \u0007').found, "'\\u0007'");
    });
    it('lexical and syntax errors come together, in file order', () => {
      const r = parse('run a { x: }\nrun b { y: "open\n}\n$');
      assert.deepEqual(r.diagnostics.map(where), [
        `parsing-error@1:12-1:13 expected ${VALUE}, found '}'`,
        'lexing-error@2:12-2:13 unterminated string',
        "lexing-error@4:1-4:2 unexpected character '$'",
      ]);
    });
  });
});

describe('parseSource: nesting limit', () => {
  const nested = (depth: number) => `defaults { x: ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)} }`;

  it(`${MAX_NESTING} levels (the block's brace and ${MAX_NESTING - 1} brackets) parse`, () => {
    assert.deepEqual(parse(nested(MAX_NESTING)).diagnostics, []);
  });

  it(`${MAX_NESTING + 1} levels are reported at the bracket that goes past the limit, with an empty program`, () => {
    const r = parse(nested(MAX_NESTING + 1));
    assert.deepEqual(r.diagnostics.map(where), [`nesting-too-deep@1:${15 + MAX_NESTING - 1}-1:${15 + MAX_NESTING} values nest deeper than 64 levels`]);
    assert.deepEqual(fields(r.diagnostics[0]!), { expected: 'at most 64 levels of brackets, parentheses and braces', found: "'[' opening level 65", hint: undefined });
    assert.deepEqual(r.program.declarations, []);
  });

  it("100,000 nested '[' are one diagnostic, not a stack overflow", () => {
    const r = parse(`run a { x: ${'['.repeat(100_000)} }`);
    assert.deepEqual(r.diagnostics.map(where), ['nesting-too-deep@1:75-1:76 values nest deeper than 64 levels']);
    assert.deepEqual(r.program.declarations, []);
  });

  it('closing brackets bring the depth back down', () => {
    const wide = `defaults { ${Array.from({ length: 100 }, (_, i) => `k${i}: ${'['.repeat(40)}${']'.repeat(40)}`).join(' ')} }`;
    assert.deepEqual(parse(wide).diagnostics, []);
  });
});
