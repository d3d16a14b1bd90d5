import type { CstNode, IToken } from 'chevrotain';
import type {
  ArgumentCstNode,
  ArgumentsCstNode,
  BlockCstNode,
  CallOrNameCstNode,
  DeclarationCstNode,
  ListCstNode,
  ProgramCstNode,
  PropertyCstNode,
  RecordCstNode,
  ValueCstNode,
  ValueListCstNode,
  WordValueCstNode,
} from '../../../grammar/cst.generated.js';
import { decodeString } from '../../../grammar/tokens.js';
import type { Range, SourceFile } from '../source.js';
import type {
  Argument,
  CallValue,
  Declaration,
  Identifier,
  NameValue,
  NumberLiteral,
  Program,
  Property,
  PropertyPath,
  StringLiteral,
  Value,
} from './nodes.js';

/**
 * CST -> AST. Error recovery leaves nodes incomplete (children missing, tokens inserted with no
 * position): a node that lacks a part it needs is dropped rather than guessed, so later phases
 * see only what was written. Never throws on a partial tree.
 */
export function buildAst(cst: CstNode, source: SourceFile): Program {
  const b = new AstBuilder(source);
  const declarations: Declaration[] = [];
  for (const d of (cst as ProgramCstNode).children.declaration ?? []) {
    const decl = b.declaration(d);
    if (decl) declarations.push(decl);
  }
  return { kind: 'Program', file: source.path, declarations, range: source.range(0, source.text.length) };
}

/**
 * Child nodes that recovery did not abandon half-way. Declarations and blocks are kept even when
 * abandoned (with the properties read before the error); properties and values are not.
 */
function nodes<N extends CstNode>(ns: N[] | undefined): N[] {
  return ns ? ns.filter((n) => !n.recoveredNode) : [];
}

function node<N extends CstNode>(ns: N[] | undefined): N | undefined {
  const n = ns?.[0];
  return n && !n.recoveredNode ? n : undefined;
}

/** The declaration itself, complete or not: its parts are checked one by one. */
function partial<N extends CstNode>(ns: N[] | undefined): N | undefined {
  return ns?.[0];
}

/** Tokens really in the text: single-token-insertion recovery adds ones with no position. */
function realTokens(ts: IToken[] | undefined): IToken[] {
  return ts ? ts.filter((t) => !t.isInsertedInRecovery && Number.isFinite(t.startOffset)) : [];
}

function token(ts: IToken[] | undefined): IToken | undefined {
  return realTokens(ts)[0];
}

function defined<V>(v: V | undefined): v is V {
  return v !== undefined;
}

class AstBuilder {
  constructor(private readonly source: SourceFile) {}

  private tokRange(t: IToken): Range {
    return this.source.range(t.startOffset, t.startOffset + t.image.length);
  }

  /** From the node's first to the end of its last real token (Chevrotain's endOffset is inclusive). */
  private nodeRange(n: CstNode): Range {
    const loc = n.location;
    const start = loc && Number.isFinite(loc.startOffset) ? loc.startOffset : 0;
    const end = loc && Number.isFinite(loc.endOffset) ? loc.endOffset! + 1 : start;
    return this.source.range(start, end);
  }

  private identifier(t: IToken | undefined): Identifier | undefined {
    return t && { kind: 'Identifier', name: t.image, range: this.tokRange(t) };
  }

  declaration(d: DeclarationCstNode): Declaration | undefined {
    const c = d.children;
    if (c.experimentDecl) {
      const n = partial(c.experimentDecl);
      const name = n && this.identifier(token(n.children.name));
      return name && { kind: 'ExperimentDecl', name, range: this.nodeRange(n!) };
    }
    if (c.importDecl) {
      const n = partial(c.importDecl);
      const t = n && token(n.children.path);
      return t && { kind: 'ImportDecl', path: this.stringLiteral(t), range: this.nodeRange(n!) };
    }
    if (c.datasetDecl) {
      const n = partial(c.datasetDecl);
      if (!n) return undefined;
      const name = this.identifier(token(n.children.name));
      const src = node(n.children.source);
      const source = src && this.callOrName(src);
      if (!name || !source) return undefined;
      return { kind: 'DatasetDecl', name, source, properties: this.block(n.children.block), range: this.nodeRange(n) };
    }
    if (c.defaultsDecl) {
      const n = partial(c.defaultsDecl);
      return n && { kind: 'DefaultsDecl', properties: this.block(n.children.block), range: this.nodeRange(n) };
    }
    if (c.runDecl) {
      const n = partial(c.runDecl);
      const name = n && this.identifier(token(n.children.name));
      if (!n || !name) return undefined;
      const parent = this.identifier(token(n.children.parent));
      return { kind: 'RunDecl', name, ...(parent ? { extends: parent } : {}), properties: this.block(n.children.block), range: this.nodeRange(n) };
    }
    if (c.sweepDecl) {
      const n = partial(c.sweepDecl);
      const name = n && this.identifier(token(n.children.name));
      if (!n || !name) return undefined;
      const of = this.identifier(token(n.children.run));
      const st = node(n.children.strategy);
      const strategy = st && this.callOrName(st);
      return {
        kind: 'SweepDecl',
        name,
        ...(of ? { of } : {}),
        ...(strategy ? { strategy } : {}),
        properties: this.block(n.children.block),
        range: this.nodeRange(n),
      };
    }
    if (c.evaluateDecl) {
      const n = partial(c.evaluateDecl);
      return n && { kind: 'EvaluateDecl', properties: this.block(n.children.block), range: this.nodeRange(n) };
    }
    if (c.reviewDecl) {
      const n = partial(c.reviewDecl);
      return n && { kind: 'ReviewDecl', properties: this.block(n.children.block), range: this.nodeRange(n) };
    }
    return undefined;
  }

  private callOrName(n: CallOrNameCstNode): CallValue | NameValue | undefined {
    const callee = this.identifier(token(n.children.callee));
    if (!callee) return undefined;
    if (!n.children.LParen) return { kind: 'Name', name: callee.name, range: callee.range };
    return { kind: 'Call', callee, args: this.arguments(n.children.arguments), range: this.nodeRange(n) };
  }

  /** A block that recovery abandoned still yields the properties parsed before the error. */
  private block(ns: BlockCstNode[] | undefined): Property[] {
    const n = ns?.[0];
    if (!n) return [];
    return nodes(n.children.property)
      .map((p) => this.property(p))
      .filter(defined);
  }

  private property(n: PropertyCstNode): Property | undefined {
    const pathNode = node(n.children.path);
    const listNode = node(n.children.valueList);
    if (!pathNode || !listNode || !token(n.children.Colon)) return undefined;
    const segments = realTokens(pathNode.children.segment).map((t) => this.identifier(t)!);
    if (segments.length === 0) return undefined;
    const key: PropertyPath = { kind: 'PropertyPath', segments, range: this.nodeRange(pathNode) };
    const value = this.valueList(listNode);
    return value && { kind: 'Property', key, value, range: this.nodeRange(n) };
  }

  private valueList(n: ValueListCstNode): Value | undefined {
    const values = this.values(n.children.value);
    if (values.length === 0) return undefined;
    if (!n.children.Comma) return values[0];
    return { kind: 'List', items: values, bracketed: false, range: this.nodeRange(n) };
  }

  private values(ns: ValueCstNode[] | undefined): Value[] {
    return nodes(ns)
      .map((v) => this.value(v))
      .filter(defined);
  }

  private value(n: ValueCstNode): Value | undefined {
    const c = n.children;
    const num = token(c.NumberLiteral);
    if (num) return this.numberLiteral(num);
    const str = token(c.StringLiteral);
    if (str) return this.stringLiteral(str);
    const bool = token(c.True) ?? token(c.False);
    if (bool) return { kind: 'Boolean', value: bool.image === 'true', range: this.tokRange(bool) };
    const none = token(c.None);
    if (none) return { kind: 'None', range: this.tokRange(none) };
    const list = node<ListCstNode>(c.list);
    if (list) return { kind: 'List', items: this.values(list.children.value), bracketed: true, range: this.nodeRange(list) };
    const record = node<RecordCstNode>(c.record);
    if (record) return { kind: 'Record', entries: this.arguments(record.children.arguments), range: this.nodeRange(record) };
    const word = node<WordValueCstNode>(c.wordValue);
    return word && this.wordValue(word);
  }

  private wordValue(n: WordValueCstNode): Value | undefined {
    const c = n.children;
    const name = this.identifier(token(c.name));
    if (!name) return undefined;
    if (c.LParen) return { kind: 'Call', callee: name, args: this.arguments(c.arguments), range: this.nodeRange(n) };
    if (c.At) {
      const k = token(c.k);
      if (!k) return undefined;
      const split = c.On ? this.identifier(token(c.split)) : undefined;
      if (c.On && !split) return undefined;
      return { kind: 'MetricRef', metric: name, k: this.numberLiteral(k), ...(split ? { split } : {}), range: this.nodeRange(n) };
    }
    return { kind: 'Name', name: name.name, range: name.range };
  }

  private arguments(ns: ArgumentsCstNode[] | undefined): Argument[] {
    const n = ns?.[0];
    if (!n) return [];
    return nodes<ArgumentCstNode>(n.children.argument)
      .map((a) => this.argument(a))
      .filter(defined);
  }

  private argument(a: ArgumentCstNode): Argument | undefined {
    const v = node(a.children.value);
    const value = v && this.value(v);
    if (!value) return undefined;
    const name = this.identifier(token(a.children.name));
    return { kind: 'Argument', ...(name ? { name } : {}), value, range: this.nodeRange(a) };
  }

  private numberLiteral(t: IToken): NumberLiteral {
    return { kind: 'Number', value: Number(t.image), raw: t.image, isInteger: /^-?\d+$/.test(t.image), range: this.tokRange(t) };
  }

  private stringLiteral(t: IToken): StringLiteral {
    return { kind: 'String', value: decodeString(t.image).value, range: this.tokRange(t) };
  }
}
