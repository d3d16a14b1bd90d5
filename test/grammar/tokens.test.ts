import assert from 'node:assert/strict';
import { tokenMatcher, type IToken } from 'chevrotain';
import * as T from '../../grammar/tokens.js';

const lex = (text: string) => T.expLexer.tokenize(text);
const kinds = (tokens: IToken[]) => tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe('tokens', () => {
  describe('keywords and names', () => {
    it('lexes every keyword as its own token', () => {
      const { tokens, errors } = lex(T.KEYWORDS.join(' '));
      assert.deepEqual(errors, []);
      assert.deepEqual(
        tokens.map((t) => t.tokenType.name),
        ['Experiment', 'Import', 'Dataset', 'Defaults', 'Run', 'Sweep', 'Evaluate', 'Review', 'Extends', 'Of', 'True', 'False', 'None', 'On'],
      );
    });

    it('lexes words that start with a keyword as names (longer_alt)', () => {
      assert.deepEqual(kinds(lex('runs dataset_x offset nonesuch true1 _run').tokens), [
        'Identifier:runs',
        'Identifier:dataset_x',
        'Identifier:offset',
        'Identifier:nonesuch',
        'Identifier:true1',
        'Identifier:_run',
      ]);
    });

    it('puts names and all keywords in the Word category, and only declaration keywords in DeclarationKeyword', () => {
      const { tokens } = lex('name run of true');
      assert.deepEqual(
        tokens.map((t) => tokenMatcher(t, T.Word)),
        [true, true, true, true],
      );
      assert.deepEqual(
        tokens.map((t) => tokenMatcher(t, T.DeclarationKeyword)),
        [false, true, false, false],
      );
      assert.deepEqual(
        tokens.map((t) => tokenMatcher(t, T.NotDeclarationStart)),
        [true, false, true, true],
      );
    });
  });

  describe('numbers', () => {
    it('lexes integers, fractions, exponents and negatives as one token each', () => {
      assert.deepEqual(kinds(lex('0 1024 -3 0.5 .5 2. 5e-4 -1.5E+3 1e10').tokens), [
        'NumberLiteral:0',
        'NumberLiteral:1024',
        'NumberLiteral:-3',
        'NumberLiteral:0.5',
        'NumberLiteral:.5',
        'NumberLiteral:2.',
        'NumberLiteral:5e-4',
        'NumberLiteral:-1.5E+3',
        'NumberLiteral:1e10',
      ]);
    });

    it('keeps a dotted path as name, dot, name', () => {
      assert.deepEqual(kinds(lex('backprop.beta').tokens), ['Identifier:backprop', 'Dot:.', 'Identifier:beta']);
    });

    it('splits ndcg@20 into name, at, number', () => {
      assert.deepEqual(kinds(lex('ndcg@20').tokens), ['Identifier:ndcg', 'At:@', 'NumberLiteral:20']);
    });
  });

  describe('strings', () => {
    it('lexes double- and single-quoted strings with escaped quotes inside', () => {
      assert.deepEqual(kinds(lex(`"a \\"b\\"" 'c \\'d\\''`).tokens), [`QuotedString:"a \\"b\\""`, `QuotedString:'c \\'d\\''`]);
    });

    it('lexes a string that the line ends first as UnterminatedString, up to the line end', () => {
      assert.deepEqual(kinds(lex('"abc\nx').tokens), ['UnterminatedString:"abc', 'Identifier:x']);
    });

    it('treats a string whose last quote is escaped as unterminated', () => {
      assert.deepEqual(kinds(lex('"abc\\"').tokens), ['UnterminatedString:"abc\\"']);
    });

    it('decodes the escapes \\" \\\' \\\\ \\n \\t \\uXXXX', () => {
      assert.deepEqual(T.decodeString(`"q\\" s\\' b\\\\ n\\n t\\t u\\u00e9"`), { value: `q" s' b\\ n\n t\t u\u00e9`, bad: [] });
    });

    it('reports an unknown escape with its offset in the token and keeps the character', () => {
      assert.deepEqual(T.decodeString(`"a\\qb\\u12"`), {
        value: 'aqbu12',
        bad: [
          { index: 2, text: '\\q' },
          { index: 5, text: '\\u12' },
        ],
      });
    });

    it('decodes an unterminated string from after its quote to its end', () => {
      assert.deepEqual(T.decodeString('"abc'), { value: 'abc', bad: [] });
      assert.deepEqual(T.decodeString('"abc\\"'), { value: 'abc"', bad: [] });
    });
  });

  describe('comments and whitespace', () => {
    it('skips # and // line comments and /* */ block comments', () => {
      const { tokens, errors } = lex('a # one\nb // two\nc /* three\n four */ d');
      assert.deepEqual(errors, []);
      assert.deepEqual(kinds(tokens), ['Identifier:a', 'Identifier:b', 'Identifier:c', 'Identifier:d']);
    });

    it('does not start a comment inside a string', () => {
      assert.deepEqual(kinds(lex('"# not // a /* comment"').tokens), ['QuotedString:"# not // a /* comment"']);
    });

    it('puts an unterminated block comment in the errors group, from /* to the end of the file', () => {
      const r = lex('a /* never closed\nb');
      assert.deepEqual(kinds(r.tokens), ['Identifier:a']);
      assert.deepEqual(kinds(r.groups['errors'] ?? []), ['UnterminatedBlockComment:/* never closed\nb']);
    });
  });

  describe('errors', () => {
    it('reports an unexpected character with its offset and continues after it', () => {
      const r = lex('a $ b');
      assert.deepEqual(kinds(r.tokens), ['Identifier:a', 'Identifier:b']);
      assert.deepEqual(
        r.errors.map((e) => [e.offset, e.length]),
        [[2, 1]],
      );
    });
  });

  describe('describeTokenType', () => {
    it('quotes punctuation and keywords and names the other kinds', () => {
      assert.deepEqual(
        [T.Colon, T.RBrace, T.Dataset, T.On, T.Identifier, T.Word, T.NumberLiteral, T.StringLiteral].map(T.describeTokenType),
        ["':'", "'}'", "'dataset'", "'on'", 'a name', 'a name', 'a number', 'a string'],
      );
    });
  });
});
