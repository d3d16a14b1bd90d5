import { CstParser, tokenMatcher, type IParserErrorMessageProvider } from 'chevrotain';
import * as T from './tokens.js';

/**
 * The `.exp` grammar as a pure Chevrotain CstParser: it only recognises; src/compiler/ast/
 * build-ast.ts turns the CST into the typed AST. Rules are class fields, so a misspelt SUBRULE
 * does not compile. Error recovery is on, so one parse reports every syntax error of a file.
 *
 *   program     := (declaration | stray)*
 *   declaration := 'experiment' Identifier | 'import' String
 *                | 'dataset' Identifier '=' callOrName block?
 *                | 'defaults' block | 'run' Identifier ('extends' Identifier)? block?
 *                | 'sweep' Identifier ('of' Identifier)? callOrName? block
 *                | 'evaluate' block | 'review' block
 *   stray       := any token that cannot start a declaration, repeated
 *   callOrName  := Word ('(' arguments? ')')?          (a dataset source, a sweep strategy)
 *   block       := '{' (property (';' | ',')?)* '}'
 *   property    := path (':' valueList | block)     (a block value: `zip { a: [..], b: [..] }` in a sweep)
 *   path        := Word ('.' Word)*
 *   valueList   := value (',' value)*            (not across a ',' followed by `key:` or `key.`)
 *   value       := Number | String | 'true' | 'false' | 'none' | list | record | wordValue
 *   wordValue   := Word ( '(' arguments? ')' | '@' Number ('on' Word)? | '[' point ']' )?
 *   point       := path '=' value (',' path '=' value)*      (a sweep point: `onebp[backprop.beta=0.9]`)
 *   list        := '[' (value (',' value)* ','?)? ']'
 *   record      := '(' arguments? ')'
 *   arguments   := argument (',' argument)* ','?
 *   argument    := (Word ':')? value
 *
 * Properties need no separator; ';' or ',' may stand between them. A ',' continues a value list
 * unless a property key (`Word ':'`, `Word '.'` or `Word '{'`) follows it, so `lr: [1e-4], wd: [0]` is two
 * properties and `compare: a, b  baseline: a` is a list and a property.
 *
 * Keywords are Words too (`dataset:` as a key, `sweep(onebp)` as a callee). A declaration keyword
 * followed by ':' or '.' is a property key, followed by '(', ',', ')' or ']' a value; anywhere
 * else it starts a declaration, so a block
 * missing its '}' ends at the next declaration instead of swallowing it.
 */
export class ExpParser extends CstParser {
  constructor(errorMessageProvider?: IParserErrorMessageProvider) {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'none', maxLookahead: 2, ...(errorMessageProvider ? { errorMessageProvider } : {}) });
    this.performSelfAnalysis();
  }

  /** True when the next token starts a declaration rather than being a word used as a key. */
  private startsDeclaration(): boolean {
    if (!tokenMatcher(this.LA(1), T.DeclarationKeyword)) return false;
    // `sweep(beta)` in `plots:` is a call, not a sweep declaration: without this, recovering from
    // an error earlier in a review block resynchronised there and invented a second sweep.
    const next = this.LA(2).tokenType;
    return next !== T.Colon && next !== T.Dot && next !== T.LParen && next !== T.Comma && next !== T.RParen && next !== T.RBracket;
  }

  program = this.RULE('program', () => {
    // One token decides, under the gates: the declaration keywords are also in stray's categories.
    this.MANY(() =>
      this.OR({
        MAX_LOOKAHEAD: 1,
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { GATE: () => this.startsDeclaration(), ALT: () => this.SUBRULE(this.declaration) },
          { GATE: () => !this.startsDeclaration(), ALT: () => this.SUBRULE(this.stray) },
        ],
      }),
    );
  });

  /**
   * Top-level input that is no declaration (`datset x = ...`, a stray '}'): consumed up to the
   * next declaration keyword; parse.ts reports it once, with a "did you mean".
   */
  stray = this.RULE('stray', () => {
    this.AT_LEAST_ONE({
      GATE: () => !this.startsDeclaration(),
      DEF: () => this.OR2([{ ALT: () => this.CONSUME(T.NotDeclarationStart) }, { ALT: () => this.CONSUME(T.DeclarationKeyword) }]),
    });
  });

  declaration = this.RULE('declaration', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.experimentDecl) },
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.datasetDecl) },
      { ALT: () => this.SUBRULE(this.defaultsDecl) },
      { ALT: () => this.SUBRULE(this.runDecl) },
      { ALT: () => this.SUBRULE(this.sweepDecl) },
      { ALT: () => this.SUBRULE(this.evaluateDecl) },
      { ALT: () => this.SUBRULE(this.reviewDecl) },
    ]);
  });

  experimentDecl = this.RULE('experimentDecl', () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  datasetDecl = this.RULE('datasetDecl', () => {
    this.CONSUME(T.Dataset);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.callOrName, { LABEL: 'source' });
    this.OPTION(() => this.SUBRULE(this.block));
  });

  defaultsDecl = this.RULE('defaultsDecl', () => {
    this.CONSUME(T.Defaults);
    this.SUBRULE(this.block);
  });

  runDecl = this.RULE('runDecl', () => {
    this.CONSUME(T.Run);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME2(T.Identifier, { LABEL: 'parent' });
    });
    this.OPTION2(() => this.SUBRULE(this.block));
  });

  sweepDecl = this.RULE('sweepDecl', () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    // `of` is also a Word (a strategy could be called `of`); two tokens of lookahead tell `of onebp` from `of {`.
    this.OPTION(() => {
      this.CONSUME(T.Of);
      this.CONSUME2(T.Identifier, { LABEL: 'run' });
    });
    this.OPTION2(() => this.SUBRULE(this.callOrName, { LABEL: 'strategy' }));
    this.SUBRULE(this.block);
  });

  evaluateDecl = this.RULE('evaluateDecl', () => {
    this.CONSUME(T.Evaluate);
    this.SUBRULE(this.block);
  });

  reviewDecl = this.RULE('reviewDecl', () => {
    this.CONSUME(T.Review);
    this.SUBRULE(this.block);
  });

  /** `name` or `name(args)`: a dataset source or a sweep strategy. */
  callOrName = this.RULE('callOrName', () => {
    this.CONSUME(T.Word, { LABEL: 'callee' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => this.SUBRULE(this.arguments));
      this.CONSUME(T.RParen);
    });
  });

  block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY({
      GATE: () => !this.startsDeclaration(),
      DEF: () => {
        this.SUBRULE(this.property);
        this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.CONSUME(T.Comma) }]));
      },
    });
    this.CONSUME(T.RBrace);
  });

  property = this.RULE('property', () => {
    this.SUBRULE(this.path);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.SUBRULE(this.valueList);
        },
      },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  path = this.RULE('path', () => {
    this.CONSUME(T.Word, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Word, { LABEL: 'segment' });
    });
  });

  /** One value, or several separated by commas: a value list only continues after a comma. */
  valueList = this.RULE('valueList', () => {
    this.SUBRULE(this.value);
    this.MANY({
      GATE: () => !this.propertyAfterComma(),
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      },
    });
  });

  /** `, key:`, `, key.path` or `, zip {`: the comma separates two properties (no value is a word followed by ':', '.' or '{'). */
  private propertyAfterComma(): boolean {
    if (!tokenMatcher(this.LA(2), T.Word)) return false;
    const third = this.LA(3).tokenType;
    return third === T.Colon || third === T.Dot || third === T.LBrace;
  }

  value = this.RULE('value', () => {
    // The literal keywords are Words too; listed first, they win over wordValue.
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.CONSUME(T.NumberLiteral) },
        { ALT: () => this.CONSUME(T.StringLiteral) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.None) },
        { ALT: () => this.SUBRULE(this.list) },
        { ALT: () => this.SUBRULE(this.record) },
        { ALT: () => this.SUBRULE(this.wordValue) },
      ],
    });
  });

  /** A name, a call `name(args)` or a metric reference `name@k on split`. */
  wordValue = this.RULE('wordValue', () => {
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.OPTION2(() => this.SUBRULE(this.arguments));
            this.CONSUME(T.RParen);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.At);
            this.CONSUME(T.NumberLiteral, { LABEL: 'k' });
            this.OPTION3(() => {
              this.CONSUME(T.On);
              this.CONSUME2(T.Word, { LABEL: 'split' });
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.point);
            this.CONSUME(T.RBracket);
          },
        },
      ]),
    );
  });

  /** `backprop.beta=0.9, sampler.negatives=5`: the assignments that name a sweep point. */
  point = this.RULE('point', () => {
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        this.SUBRULE(this.path);
        this.CONSUME(T.Equals);
        this.SUBRULE(this.value);
      },
    });
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: 'trailing' }));
    });
    this.CONSUME(T.RBracket);
  });

  record = this.RULE('record', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.arguments));
    this.CONSUME(T.RParen);
  });

  arguments = this.RULE('arguments', () => {
    this.SUBRULE(this.argument);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.argument);
    });
    this.OPTION(() => this.CONSUME2(T.Comma, { LABEL: 'trailing' }));
  });

  argument = this.RULE('argument', () => {
    this.OPTION(() => {
      this.CONSUME(T.Word, { LABEL: 'name' });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.value);
  });
}
