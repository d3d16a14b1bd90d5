import type { CstNode, IToken } from 'chevrotain';
import type {
  ArgumentCstNode,
  ArgumentsCstNode,
  BlockCstNode,
  CallOrNameCstNode,
  DeclarationCstNode,
  ListCstNode,
  PathCstNode,
  PointCstNode,
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
  PointAssignment,
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
 *
 * Ranges are built bottom-up from the tokens and the children's ranges (a node ends where its
 * last real part ends), so the parser needs no CST location tracking.
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

/** Tokens really in the text: single-token-insertion recovery adds ones with no position. */
function isReal(t: IToken): boolean {
  return !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

function token(ts: IToken[] | undefined): IToken | undefined {
  if (!ts) return undefined;
  for (const t of ts) if (isReal(t)) return t;
  return undefined;
}

function defined<V>(v: V | undefined): v is V {
  return v !== undefined;
}

/** A token or a built node: what a node's range is made from. */
type Spanned = IToken | { range: Range };
type Part = Spanned | undefined;

function endOffset(p: Spanned): number {
  if ('range' in p) return p.range.end.offset;
  return isReal(p) ? p.startOffset + p.image.length : -1;
}

class AstBuilder {
  constructor(private readonly source: SourceFile) {}

  private tokRange(t: IToken): Range {
    return this.source.range(t.startOffset, t.startOffset + t.image.length);
  }

  /**
   * From the start of `first` to the end of the part that ends last (parts that exist). A composite
   * node shares its parts' Position objects: a 1 MiB file has hundreds of thousands of nodes.
   */
  private span(first: Spanned, ...rest: Part[]): Range {
    let last = first;
    let lastEnd = endOffset(first);
    for (const p of rest)
      if (p && endOffset(p) > lastEnd) {
        last = p;
        lastEnd = endOffset(p);
      }
    const start = 'range' in first ? first.range.start : this.source.positionAt(first.startOffset);
    const end = 'range' in last ? last.range.end : this.source.positionAt(lastEnd);
    return { file: this.source.path, start, end };
  }

  private identifier(t: IToken | undefined): Identifier | undefined {
    return t && { kind: 'Identifier', name: t.image, range: this.tokRange(t) };
  }

  declaration(d: DeclarationCstNode): Declaration | undefined {
    const c = d.children;
    if (c.experimentDecl) {
      const n = c.experimentDecl[0]!.children;
      const kw = token(n.Experiment);
      const name = this.identifier(token(n.name));
      return kw && name && { kind: 'ExperimentDecl', name, range: this.span(kw, name) };
    }
    if (c.importDecl) {
      const n = c.importDecl[0]!.children;
      const kw = token(n.Import);
      const t = token(n.path);
      const path = t && this.stringLiteral(t);
      return kw && path && { kind: 'ImportDecl', path, range: this.span(kw, path) };
    }
    if (c.datasetDecl) {
      const n = c.datasetDecl[0]!.children;
      const kw = token(n.Dataset);
      const name = this.identifier(token(n.name));
      const src = node(n.source);
      const source = src && this.callOrName(src);
      if (!kw || !name || !source) return undefined;
      const block = this.block(n.block);
      return { kind: 'DatasetDecl', name, source, properties: block.properties, range: this.span(kw, source, block.end) };
    }
    if (c.defaultsDecl) {
      const n = c.defaultsDecl[0]!.children;
      const kw = token(n.Defaults);
      const block = this.block(n.block);
      return kw && { kind: 'DefaultsDecl', properties: block.properties, range: this.span(kw, kw, block.end) };
    }
    if (c.runDecl) {
      const n = c.runDecl[0]!.children;
      const kw = token(n.Run);
      const name = this.identifier(token(n.name));
      if (!kw || !name) return undefined;
      const parent = this.identifier(token(n.parent));
      const block = this.block(n.block);
      return {
        kind: 'RunDecl',
        name,
        ...(parent ? { extends: parent } : {}),
        properties: block.properties,
        range: this.span(kw, name, parent, block.end),
      };
    }
    if (c.sweepDecl) {
      const n = c.sweepDecl[0]!.children;
      const kw = token(n.Sweep);
      const name = this.identifier(token(n.name));
      if (!kw || !name) return undefined;
      const of = this.identifier(token(n.run));
      const st = node(n.strategy);
      const strategy = st && this.callOrName(st);
      const block = this.block(n.block);
      return {
        kind: 'SweepDecl',
        name,
        ...(of ? { of } : {}),
        ...(strategy ? { strategy } : {}),
        properties: block.properties,
        range: this.span(kw, name, of, strategy, block.end),
      };
    }
    if (c.evaluateDecl) {
      const n = c.evaluateDecl[0]!.children;
      const kw = token(n.Evaluate);
      const block = this.block(n.block);
      return kw && { kind: 'EvaluateDecl', properties: block.properties, range: this.span(kw, kw, block.end) };
    }
    if (c.reviewDecl) {
      const n = c.reviewDecl[0]!.children;
      const kw = token(n.Review);
      const block = this.block(n.block);
      return kw && { kind: 'ReviewDecl', properties: block.properties, range: this.span(kw, kw, block.end) };
    }
    return undefined;
  }

  private callOrName(n: CallOrNameCstNode): CallValue | NameValue | undefined {
    const c = n.children;
    const callee = this.identifier(token(c.callee));
    if (!callee) return undefined;
    if (!c.LParen) return { kind: 'Name', name: callee.name, range: callee.range };
    const args = this.arguments(c.arguments);
    return { kind: 'Call', callee, args, range: this.span(callee, token(c.LParen), args[args.length - 1], token(c.RParen)) };
  }

  /** A block that recovery abandoned still yields the properties parsed before the error. */
  private block(ns: BlockCstNode[] | undefined): { properties: Property[]; end: Part } {
    const n = ns?.[0];
    if (!n) return { properties: [], end: undefined };
    const properties = nodes(n.children.property)
      .map((p) => this.property(p))
      .filter(defined);
    const close = token(n.children.RBrace);
    return { properties, end: close ?? properties[properties.length - 1] ?? token(n.children.LBrace) };
  }

  private property(n: PropertyCstNode): Property | undefined {
    const pathNode = node(n.children.path);
    const key = pathNode && this.path(pathNode);
    if (!key) return undefined;
    if (n.children.block) {
      // `zip { ... }`: a block as the value
      const blockNode = n.children.block[0]!;
      const open = token(blockNode.children.LBrace);
      const block = this.block(n.children.block);
      if (!open || !token(blockNode.children.RBrace)) return undefined;
      const value: Value = { kind: 'Block', properties: block.properties, range: this.span(open, block.end) };
      return { kind: 'Property', key, value, range: this.span(key, value) };
    }
    const listNode = node(n.children.valueList);
    if (!listNode || !token(n.children.Colon)) return undefined;
    const value = this.valueList(listNode);
    return value && { kind: 'Property', key, value, range: this.span(key, value) };
  }

  private path(pathNode: PathCstNode): PropertyPath | undefined {
    const segments: Identifier[] = [];
    for (const t of pathNode.children.segment ?? []) if (isReal(t)) segments.push(this.identifier(t)!);
    if (segments.length === 0) return undefined;
    return { kind: 'PropertyPath', segments, range: this.span(segments[0]!, segments[segments.length - 1]) };
  }

  private valueList(n: ValueListCstNode): Value | undefined {
    const values = this.values(n.children.value);
    if (values.length === 0) return undefined;
    if (!n.children.Comma) return values[0];
    return { kind: 'List', items: values, bracketed: false, range: this.span(values[0]!, values[values.length - 1]) };
  }

  private values(ns: ValueCstNode[] | undefined): Value[] {
    return nodes(ns)
      .map((v) => this.value(v))
      .filter(defined);
  }

  private value(n: ValueCstNode): Value | undefined {
    const c = n.children;
    if (c.NumberLiteral) {
      const t = token(c.NumberLiteral);
      return t && this.numberLiteral(t);
    }
    if (c.StringLiteral) {
      const t = token(c.StringLiteral);
      return t && this.stringLiteral(t);
    }
    const bool = token(c.True) ?? token(c.False);
    if (bool) return { kind: 'Boolean', value: bool.image === 'true', range: this.tokRange(bool) };
    const none = token(c.None);
    if (none) return { kind: 'None', range: this.tokRange(none) };
    const list = node<ListCstNode>(c.list);
    if (list) {
      const open = token(list.children.LBracket);
      const items = this.values(list.children.value);
      return open && { kind: 'List', items, bracketed: true, range: this.span(open, items[items.length - 1], token(list.children.RBracket)) };
    }
    const record = node<RecordCstNode>(c.record);
    if (record) {
      const open = token(record.children.LParen);
      const entries = this.arguments(record.children.arguments);
      return open && { kind: 'Record', entries, range: this.span(open, entries[entries.length - 1], token(record.children.RParen)) };
    }
    const word = node<WordValueCstNode>(c.wordValue);
    return word && this.wordValue(word);
  }

  private wordValue(n: WordValueCstNode): Value | undefined {
    const c = n.children;
    const name = this.identifier(token(c.name));
    if (!name) return undefined;
    if (c.LParen) {
      const args = this.arguments(c.arguments);
      return { kind: 'Call', callee: name, args, range: this.span(name, token(c.LParen), args[args.length - 1], token(c.RParen)) };
    }
    if (c.LBracket) {
      const pn = node<PointCstNode>(c.point);
      const close = token(c.RBracket);
      if (!pn || !close) return undefined;
      const paths = nodes(pn.children.path);
      const values = nodes(pn.children.value);
      // recovery may leave the parts unaligned: then the reference is dropped, not guessed
      if (paths.length !== values.length || paths.length !== (pn.children.Equals ?? []).length) return undefined;
      const assignments: PointAssignment[] = [];
      for (let i = 0; i < paths.length; i++) {
        const path = this.path(paths[i]!);
        const value = this.value(values[i]!);
        if (!path || !value) return undefined;
        assignments.push({ kind: 'PointAssignment', path, value, range: this.span(path, value) });
      }
      return { kind: 'PointRef', run: name, assignments, range: this.span(name, close) };
    }
    if (c.At) {
      const kt = token(c.k);
      if (!kt) return undefined;
      const k = this.numberLiteral(kt);
      const split = c.On ? this.identifier(token(c.split)) : undefined;
      if (c.On && !split) return undefined;
      return { kind: 'MetricRef', metric: name, k, ...(split ? { split } : {}), range: this.span(name, k, split) };
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
    return { kind: 'Argument', ...(name ? { name } : {}), value, range: this.span(name ?? value, value) };
  }

  private numberLiteral(t: IToken): NumberLiteral {
    return { kind: 'Number', value: Number(t.image), raw: t.image, isInteger: /^-?\d+$/.test(t.image), range: this.tokRange(t) };
  }

  private stringLiteral(t: IToken): StringLiteral {
    return { kind: 'String', value: decodeString(t.image).value, range: this.tokRange(t) };
  }
}
