import type { Range } from '../source.js';

/**
 * The typed AST of one `.exp` file. Every node has a `kind` discriminant and the source `range`
 * it was built from, so any later phase can point a diagnostic at the exact text.
 * The AST is syntax only: it says nothing about which names or parameters are valid.
 */

export interface Identifier {
  kind: 'Identifier';
  name: string;
  range: Range;
}

// ---- values -----------------------------------------------------------------------------

export interface NumberLiteral {
  kind: 'Number';
  value: number;
  /** The text as written (`5e-4`), for messages. */
  raw: string;
  /** Written without a fraction or exponent (`1024`, `-3`). */
  isInteger: boolean;
  range: Range;
}

export interface StringLiteral {
  kind: 'String';
  value: string;
  range: Range;
}

export interface BooleanLiteral {
  kind: 'Boolean';
  value: boolean;
  range: Range;
}

/** `none`: an explicitly absent value (e.g. `early_stop: none`). */
export interface NoneLiteral {
  kind: 'None';
  range: Range;
}

/** A bare word: an enum value (`xavier_normal`, `dot`), a run name, or a component without arguments. */
export interface NameValue {
  kind: 'Name';
  name: string;
  range: Range;
}

/** `name: value` inside a call or record; `name` is absent for a positional argument (`popularity_groups(10)`). */
export interface Argument {
  kind: 'Argument';
  name?: Identifier;
  value: Value;
  range: Range;
}

/** `mf(dim: 32, init: xavier_normal)`; `holdout(test: 0.2)`; `sweep(onebp)`. */
export interface CallValue {
  kind: 'Call';
  callee: Identifier;
  args: Argument[];
  range: Range;
}

/** `[1, 5, 10]` (bracketed) or the unbracketed `compare: twobp, onebp` form. */
export interface ListValue {
  kind: 'List';
  items: Value[];
  bracketed: boolean;
  range: Range;
}

/** `(batch: 1024, epochs: 300)`: a parenthesised group of named arguments. */
export interface RecordValue {
  kind: 'Record';
  entries: Argument[];
  range: Range;
}

/** `ndcg@20`, `ndcg @ 20 on valid`. */
export interface MetricRefValue {
  kind: 'MetricRef';
  metric: Identifier;
  k: NumberLiteral;
  split?: Identifier;
  range: Range;
}

/** `{ optimizer.lr: [1e-3, 1e-4], training.batch: [512, 1024] }` after a key: `zip { ... }` in a sweep. */
export interface BlockValue {
  kind: 'Block';
  properties: Property[];
  range: Range;
}

/** One `path=value` of a sweep point reference. */
export interface PointAssignment {
  kind: 'PointAssignment';
  path: PropertyPath;
  value: Value;
  range: Range;
}

/** `onebp[backprop.beta=0.99]`: a sweep point of a run, named as its trial is. */
export interface PointRefValue {
  kind: 'PointRef';
  run: Identifier;
  assignments: PointAssignment[];
  range: Range;
}

export type Value =
  | BlockValue
  | PointRefValue
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NoneLiteral
  | NameValue
  | CallValue
  | ListValue
  | RecordValue
  | MetricRefValue;

// ---- properties -------------------------------------------------------------------------

/** `backprop.beta` */
export interface PropertyPath {
  kind: 'PropertyPath';
  segments: Identifier[];
  range: Range;
}

/** `key: value` inside a block; `key` may be a dotted path. */
export interface Property {
  kind: 'Property';
  key: PropertyPath;
  value: Value;
  range: Range;
}

// ---- declarations -----------------------------------------------------------------------

/** `experiment onebp_vs_twobp` */
export interface ExperimentDecl {
  kind: 'ExperimentDecl';
  name: Identifier;
  range: Range;
}

/** `import "shared/datasets.exp"`: the path is relative to the importing file. */
export interface ImportDecl {
  kind: 'ImportDecl';
  path: StringLiteral;
  range: Range;
}

/** `dataset ml100k = movielens_100k(...) { split: holdout(...) }` (the block is optional). */
export interface DatasetDecl {
  kind: 'DatasetDecl';
  name: Identifier;
  /** The loader: a call, or a bare name for a loader with default parameters. */
  source: CallValue | NameValue;
  properties: Property[];
  range: Range;
}

/** `defaults { encoder: mf(dim: 32) ... }` */
export interface DefaultsDecl {
  kind: 'DefaultsDecl';
  properties: Property[];
  range: Range;
}

/** `run onebp { backprop: onebp(beta: 0.99) }`, optionally `run b extends a { ... }`. */
export interface RunDecl {
  kind: 'RunDecl';
  name: Identifier;
  extends?: Identifier;
  properties: Property[];
  range: Range;
}

/**
 * `sweep beta of onebp { backprop.beta: [0.9, 0.99] }`; `sweep onebp { ... }` (the sweep is named
 * after its run); `sweep lr of onebp random(budget: 8, seed: 1) { ... }`.
 */
export interface SweepDecl {
  kind: 'SweepDecl';
  name: Identifier;
  /** The run the sweep varies; absent when the sweep is named after its run. */
  of?: Identifier;
  /** `grid` (default) or `random(budget: N, seed: S)`. */
  strategy?: CallValue | NameValue;
  properties: Property[];
  range: Range;
}

/** `evaluate { metrics: precision, recall, ndcg @ 5, 10, 20 }` */
export interface EvaluateDecl {
  kind: 'EvaluateDecl';
  properties: Property[];
  range: Range;
}

/** `review { compare: twobp, onebp  baseline: twobp ... }` */
export interface ReviewDecl {
  kind: 'ReviewDecl';
  properties: Property[];
  range: Range;
}

export type Declaration =
  | ExperimentDecl
  | ImportDecl
  | DatasetDecl
  | DefaultsDecl
  | RunDecl
  | SweepDecl
  | EvaluateDecl
  | ReviewDecl;

export interface Program {
  kind: 'Program';
  file: string;
  declarations: Declaration[];
  range: Range;
}

export type AstNode = Program | Declaration | Property | PropertyPath | Value | Argument | Identifier;

export function pathText(p: PropertyPath): string {
  return p.segments.map((s) => s.name).join('.');
}

/** The source text a value was written as, for "found: ..." in messages. */
export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'Number':
      return v.raw;
    case 'String':
      return JSON.stringify(v.value);
    case 'Boolean':
      return String(v.value);
    case 'None':
      return 'none';
    case 'Name':
      return v.name;
    case 'Call':
      return `${v.callee.name}(${v.args.map((a) => (a.name ? `${a.name.name}: ` : '') + describeValue(a.value)).join(', ')})`;
    case 'List':
      return v.bracketed ? `[${v.items.map(describeValue).join(', ')}]` : v.items.map(describeValue).join(', ');
    case 'Record':
      return `(${v.entries.map((a) => (a.name ? `${a.name.name}: ` : '') + describeValue(a.value)).join(', ')})`;
    case 'MetricRef':
      return `${v.metric.name}@${v.k.raw}${v.split ? ` on ${v.split.name}` : ''}`;
    case 'Block':
      return `{ ${v.properties.map((p) => `${pathText(p.key)}: ${describeValue(p.value)}`).join('; ')} }`;
    case 'PointRef':
      return `${v.run.name}[${v.assignments.map((a) => `${pathText(a.path)}=${describeValue(a.value)}`).join(',')}]`;
  }
}
