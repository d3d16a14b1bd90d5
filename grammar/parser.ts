import { CstParser, type CstNode, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/**
 * The `.exp` grammar as a pure Chevrotain CstParser: it only recognises; src/compiler/ast/
 * build-ast.ts turns the CST into the typed AST. Rules are class fields, so a misspelt SUBRULE
 * does not compile. Error recovery is on: one parse reports every syntax error of a file.
 *
 *   program     := declaration*
 *   declaration := 'experiment' Word | 'import' String | 'dataset' Word '=' source block?
 *                | 'defaults' block | 'run' Word ('extends' Word)? block?
 *                | 'sweep' Word ('of' Word)? strategy? block | 'evaluate' block | 'review' block
 *   source      := Word ('(' arguments? ')')?            (strategy has the same shape)
 *   block       := '{' (property ';'?)* '}'
 *   property    := path ':' valueList
 *   path        := Word ('.' Word)*
 *   valueList   := value (',' value)*
 *   value       := Number | String | 'true' | 'false' | 'none' | list | record
 *                | Word ( '(' arguments? ')' | '@' Number ('on' Word)? )?
 *   list        := '[' (value (',' value)* ','?)? ']'
 *   record      := '(' arguments? ')'
 *   arguments   := argument (',' argument)* ','?
 *   argument    := (Word ':')? value
 */
export class ExpParser extends CstParser {
  constructor(errorMessageProvider?: IParserErrorMessageProvider) {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'onlyOffset', maxLookahead: 3, errorMessageProvider });
    this.performSelfAnalysis();
  }

  program = this.RULE('program', () => {
    this.MANY(() => this.SUBRULE(this.declaration));
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
    this.CONSUME(T.Word, { LABEL: 'name' });
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  datasetDecl = this.RULE('datasetDecl', () => {
    this.CONSUME(T.Dataset);
    this.CONSUME(T.Word, { LABEL: 'name' });
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
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME2(T.Word, { LABEL: 'parent' });
    });
    this.OPTION2(() => this.SUBRULE(this.block));
  });

  sweepDecl = this.RULE('sweepDecl', () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Of);
      this.CONSUME2(T.Word, { LABEL: 'run' });
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
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.property);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RCurly);
  });

  property = this.RULE('property', () => {
    this.SUBRULE(this.path);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.valueList);
  });

  path = this.RULE('path', () => {
    this.CONSUME(T.Word, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Word, { LABEL: 'segment' });
    });
  });

  valueList = this.RULE('valueList', () => {
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.value);
    });
  });

  value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.record) },
      { ALT: () => this.SUBRULE(this.wordValue) },
    ]);
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
      ]),
    );
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

export type { CstNode, IToken, TokenType };
