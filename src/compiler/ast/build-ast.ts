import type { CstElement, CstNode, IToken } from 'chevrotain';
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
 * CST -> AST. Error recovery can leave nodes incomplete (missing children, tokens inserted with
 * no position): anything incomplete is skipped rather than guessed, so later phases only see
 * what was really written.
 */
export function buildAst(cst: CstNode, source: SourceFile): Program {
  const b = new AstBuilder(source);
  const declarations: Declaration[] = [];
  for (const d of nodes(cst, 'declaration')) {
    const decl = b.declaration(d);
    if (decl) declarations.push(decl);
  }
  return { kind: 'Program', file: source.path, declarations, range: source.range(0, source.text.length) };
}

const isToken = (e: CstElement): e is IToken => 'image' in e;

function nodes(n: CstNode, name: string): CstNode[] {
  return ((n.children[name] ?? []) as CstElement[]).filter((e): e is CstNode => !isToken(e) && !e.recoveredNode);
}

function tokens(n: CstNode, name: string): IToken[] {
  return ((n.children[name] ?? []) as CstElement[]).filter((e): e is IToken => isToken(e) && !e.isInsertedInRecovery && !Number.isNaN(e.startOffset));
}

function first(n: CstNode, name: string): CstNode | undefined {
  return nodes(n, name)[0];
}

function firstToken(n: CstNode, name: string): IToken | undefined {
  return tokens(n, name)[0];
}

class AstBuilder {
  constructor(private readonly source: SourceFile) {}

  private range(startOffset: number, endOffset: number): Range {
    return this.source.range(startOffset, endOffset);
  }

  private tokRange(t: IToken): Range {
    return this.range(t.startOffset, t.startOffset + t.image.length);
  }

  /** From the start of the node to the end of its last real token. */
  private nodeRange(n: CstNode): Range {
    const loc = n.location;
    const start = loc && Number.isFinite(loc.startOffset) ? loc.startOffset : 0;
    const end = loc && Number.isFinite(loc.endOffset) ? (loc.endOffset as number) + 1 : start;
    return this.range(start, end);
  }

  private identifier(t: IToken | undefined): Identifier | undefined {
    return t ? { kind: 'Identifier', name: t.image, range: this.tokRange(t) } : undefined;
  }

  declaration(d: CstNode): Declaration | undefined {
    const [kind] = Object.keys(d.children);
    const n = kind ? first(d, kind) : undefined;
    if (!n) return undefined;
    const range = this.nodeRange(n);
    switch (kind) {
      case 'experimentDecl': {
        const name = this.identifier(firstToken(n, 'name'));
        return name && { kind: 'ExperimentDecl', name, range };
      }
      case 'importDecl': {
        const t = firstToken(n, 'path');
        return t && { kind: 'ImportDecl', path: this.stringLiteral(t), range };
      }
      case 'datasetDecl': {
        const name = this.identifier(firstToken(n, 'name'));
        const src = first(n, 'source');
        const source = src && this.callOrName(src);
        if (!name || !source) return undefined;
        return { kind: 'DatasetDecl', name, source, properties: this.block(first(n, 'block')), range };
      }
      case 'defaultsDecl':
        return { kind: 'DefaultsDecl', properties: this.block(first(n, 'block')), range };
      case 'runDecl': {
        const name = this.identifier(firstToken(n, 'name'));
        if (!name) return undefined;
        const parent = this.identifier(firstToken(n, 'parent'));
        return { kind: 'RunDecl', name, ...(parent ? { extends: parent } : {}), properties: this.block(first(n, 'block')), range };
      }
      case 'sweepDecl': {
        const name = this.identifier(firstToken(n, 'name'));
        if (!name) return undefined;
        const of = this.identifier(firstToken(n, 'run'));
        const st = first(n, 'strategy');
        const strategy = st && this.callOrName(st);
        return { kind: 'SweepDecl', name, ...(of ? { of } : {}), ...(strategy ? { strategy } : {}), properties: this.block(first(n, 'block')), range };
      }
      case 'evaluateDecl':
        return { kind: 'EvaluateDecl', properties: this.block(first(n, 'block')), range };
      case 'reviewDecl':
        return { kind: 'ReviewDecl', properties: this.block(first(n, 'block')), range };
      default:
        return undefined;
    }
  }

  private callOrName(n: CstNode): CallValue | NameValue | undefined {
    const callee = this.identifier(firstToken(n, 'callee'));
    if (!callee) return undefined;
    if (tokens(n, 'LParen').length === 0) return { kind: 'Name', name: callee.name, range: callee.range };
    return { kind: 'Call', callee, args: this.arguments(first(n, 'arguments')), range: this.nodeRange(n) };
  }

  private block(n: CstNode | undefined): Property[] {
    if (!n) return [];
    const out: Property[] = [];
    for (const p of nodes(n, 'property')) {
      const prop = this.property(p);
      if (prop) out.push(prop);
    }
    return out;
  }

  private property(n: CstNode): Property | undefined {
    const pathNode = first(n, 'path');
    const listNode = first(n, 'valueList');
    if (!pathNode || !listNode) return undefined;
    const segments = tokens(pathNode, 'segment').map((t) => this.identifier(t)!);
    if (segments.length === 0) return undefined;
    const key: PropertyPath = { kind: 'PropertyPath', segments, range: this.nodeRange(pathNode) };
    const values = nodes(listNode, 'value')
      .map((v) => this.value(v))
      .filter((v): v is Value => v !== undefined);
    if (values.length === 0) return undefined;
    const value: Value = values.length === 1 ? values[0]! : { kind: 'List', items: values, bracketed: false, range: this.nodeRange(listNode) };
    return { kind: 'Property', key, value, range: this.nodeRange(n) };
  }

  private value(n: CstNode): Value | undefined {
    const num = firstToken(n, 'NumberLiteral');
    if (num) return this.numberLiteral(num);
    const str = firstToken(n, 'StringLiteral');
    if (str) return this.stringLiteral(str);
    const t = firstToken(n, 'True') ?? firstToken(n, 'False');
    if (t) return { kind: 'Boolean', value: t.image === 'true', range: this.tokRange(t) };
    const none = firstToken(n, 'None');
    if (none) return { kind: 'None', range: this.tokRange(none) };
    const list = first(n, 'list');
    if (list) {
      const items = nodes(list, 'value')
        .map((v) => this.value(v))
        .filter((v): v is Value => v !== undefined);
      return { kind: 'List', items, bracketed: true, range: this.nodeRange(list) };
    }
    const record = first(n, 'record');
    if (record) return { kind: 'Record', entries: this.arguments(first(record, 'arguments')), range: this.nodeRange(record) };
    const wv = first(n, 'wordValue');
    if (wv) return this.wordValue(wv);
    return undefined;
  }

  private wordValue(n: CstNode): Value | undefined {
    const name = this.identifier(firstToken(n, 'name'));
    if (!name) return undefined;
    const range = this.nodeRange(n);
    if (tokens(n, 'LParen').length > 0) return { kind: 'Call', callee: name, args: this.arguments(first(n, 'arguments')), range };
    if (tokens(n, 'At').length > 0) {
      const k = firstToken(n, 'k');
      if (!k) return undefined;
      const split = this.identifier(firstToken(n, 'split'));
      return { kind: 'MetricRef', metric: name, k: this.numberLiteral(k), ...(split ? { split } : {}), range };
    }
    return { kind: 'Name', name: name.name, range: name.range };
  }

  private arguments(n: CstNode | undefined): Argument[] {
    if (!n) return [];
    const out: Argument[] = [];
    for (const a of nodes(n, 'argument')) {
      const v = first(a, 'value');
      const value = v && this.value(v);
      if (!value) continue;
      const name = this.identifier(firstToken(a, 'name'));
      out.push({ kind: 'Argument', ...(name ? { name } : {}), value, range: this.nodeRange(a) });
    }
    return out;
  }

  private numberLiteral(t: IToken): NumberLiteral {
    return { kind: 'Number', value: Number(t.image), raw: t.image, isInteger: /^-?\d+$/.test(t.image), range: this.tokRange(t) };
  }

  private stringLiteral(t: IToken): StringLiteral {
    return { kind: 'String', value: unescape(t.image.slice(1, -1)), range: this.tokRange(t) };
  }
}

/** The escapes of .exp strings: \" \' \\ \n \t \r \uXXXX; any other escaped character stands for itself. */
function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
  });
}
