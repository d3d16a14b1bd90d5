import type { Json } from '../../core/json.js';
import { boundedFrom, hash4 } from '../../core/rng.js';
import { describeValue, pathText, type Identifier, type Property, type SweepDecl, type Value } from '../ast/nodes.js';
import { error, type Diagnostic } from '../diagnostics.js';
import { isFailedGenerator } from '../ast/list-generators.js';
import type { SweepModel } from '../../contract/model.js';
import { toJson } from '../resolve/to-json.js';

/** A sweep point as written: for each axis, the path's identifiers and the chosen value's AST. */
export interface SweepPoint {
  assignments: { path: readonly Identifier[]; pathText: string; value: Value }[];
}

/** Grids larger than this are almost always a mistake (and would not finish). */
export const MAX_GRID_POINTS = 10000;

/** Stream id of random-search draws (kept apart from training streams in core/rng.ts). */
const RANDOM_SEARCH_STREAM = 101;

/**
 * Expands a sweep into its points, deterministically: a grid is the cartesian product of the
 * axes in the order written, the last axis varying fastest (DVC's matrix); a `zip { ... }` group
 * is one axis whose lists (of equal length) vary together; `random(budget, seed)`
 * picks `budget` distinct grid points with a seeded partial Fisher-Yates, kept in grid order.
 */
export function expandSweep(decl: SweepDecl, run: string, diagnostics: Diagnostic[]): { model: SweepModel; points: SweepPoint[] } | undefined {
  const before = diagnostics.length;
  // An axis is one path, or a zip group of paths whose lists vary together (values[point][path]).
  const axes: { paths: { path: readonly Identifier[]; pathText: string }[]; values: Value[][]; zip?: number }[] = [];
  const seen = new Set<string>();
  let zips = 0;
  /** The [list] of one path, or undefined (reported) when it is not one or repeats a path. */
  const axisList = (p: Property): Value[] | undefined => {
    const text = pathText(p.key);
    if (seen.has(text)) {
      diagnostics.push(error('duplicate-property', `sweep '${decl.name.name}' varies '${text}' twice`, p.key.range, { expected: 'each path once', found: `a second '${text}'` }));
      return undefined;
    }
    seen.add(text);
    if (isFailedGenerator(p.value)) return undefined;
    if (p.value.kind !== 'List' || !p.value.bracketed) {
      diagnostics.push(
        error('invalid-sweep', `a sweep axis takes a [list] of values`, p.value.range, { expected: `${text}: [value, value, ...] or range(a, b, step)`, found: describeValue(p.value) }),
      );
      return undefined;
    }
    if (p.value.items.length === 0) {
      diagnostics.push(error('invalid-sweep', `sweep axis '${text}' has no values`, p.value.range, { expected: 'at least one value', found: '[]' }));
      return undefined;
    }
    return p.value.items;
  };
  for (const p of decl.properties) {
    if (p.value.kind !== 'Block') {
      const values = axisList(p);
      if (values) axes.push({ paths: [{ path: p.key.segments, pathText: pathText(p.key) }], values: values.map((v) => [v]) });
      continue;
    }
    // zip { a: [..], b: [..] }: one axis whose i-th point takes the i-th value of every list
    if (pathText(p.key) !== 'zip') {
      diagnostics.push(error('invalid-sweep', `a block in a sweep is a zip group`, p.key.range, { expected: 'zip { path: [..], path: [..] }', found: pathText(p.key) }));
      continue;
    }
    const group: { path: readonly Identifier[]; pathText: string; values: Value[]; at: Property }[] = [];
    for (const q of p.value.properties) {
      if (q.value.kind === 'Block') {
        diagnostics.push(error('invalid-sweep', 'a zip group holds lists, not another block', q.value.range, { expected: 'path: [value, ...]', found: describeValue(q.value) }));
        continue;
      }
      const values = axisList(q);
      if (values) group.push({ path: q.key.segments, pathText: pathText(q.key), values, at: q });
    }
    if (group.length === 0) {
      if (p.value.properties.length === 0) diagnostics.push(error('invalid-sweep', 'zip { } varies nothing', p.value.range, { expected: 'zip { optimizer.lr: [1e-3, 1e-4], training.batch: [512, 1024] }', found: 'an empty block' }));
      continue;
    }
    const n = group[0]!.values.length;
    const bad = group.filter((g) => g.values.length !== n);
    for (const g of bad)
      diagnostics.push(
        error('invalid-sweep', `zipped lists must have the same length: '${g.pathText}' has ${g.values.length} values, '${group[0]!.pathText}' has ${n}`, g.at.value.range, {
          expected: `${n} values (as ${group[0]!.pathText})`,
          found: `${g.values.length} value${g.values.length === 1 ? '' : 's'}`,
          related: [{ message: `${group[0]!.pathText} has ${n} values`, range: group[0]!.at.value.range }],
        }),
      );
    if (bad.length) continue;
    axes.push({ paths: group.map((g) => ({ path: g.path, pathText: g.pathText })), values: Array.from({ length: n }, (_, i) => group.map((g) => g.values[i]!)), zip: zips++ });
  }
  if (axes.length === 0 && diagnostics.length === before)
    diagnostics.push(error('invalid-sweep', `sweep '${decl.name.name}' varies nothing`, decl.range, { expected: 'at least one axis, e.g. backprop.beta: [0.9, 0.99]', found: 'an empty block' }));

  let strategy: SweepModel['strategy'] = { kind: 'grid' };
  const st = decl.strategy;
  if (st) {
    const name = st.kind === 'Call' ? st.callee.name : st.name;
    const args = st.kind === 'Call' ? st.args : [];
    if (name === 'grid' && args.length === 0) strategy = { kind: 'grid' };
    else if (name === 'random') {
      let budget: number | undefined;
      let seed = 0;
      for (const a of args) {
        const v = a.value;
        const isInt = v.kind === 'Number' && Number.isInteger(v.value);
        if (a.name?.name === 'budget' && isInt && v.value >= 1) budget = v.value;
        else if (a.name?.name === 'seed' && isInt && v.value >= 0) seed = v.value;
        else diagnostics.push(error('invalid-sweep', 'random takes budget (an integer >= 1) and seed (an integer >= 0)', a.range, { expected: 'random(budget: 8, seed: 1)', found: describeValue(v) }));
      }
      if (budget === undefined) diagnostics.push(error('invalid-sweep', 'random search needs a budget', st.range, { expected: 'random(budget: 8, seed: 1)', found: describeValue(st) }));
      else strategy = { kind: 'random', budget, seed };
    } else {
      diagnostics.push(error('invalid-sweep', `unknown sweep strategy '${name}'`, st.range, { expected: 'grid or random(budget: N, seed: S)', found: describeValue(st) }));
    }
  }
  if (diagnostics.length > before) return undefined;

  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_GRID_POINTS) {
    diagnostics.push(error('invalid-sweep', `sweep '${decl.name.name}' has ${total} grid points`, decl.range, { expected: `at most ${MAX_GRID_POINTS} points (use random(budget: N))`, found: String(total) }));
    return undefined;
  }
  let indices = Array.from({ length: total }, (_, i) => i);
  if (strategy.kind === 'random' && strategy.budget < total) {
    const pick = indices.slice();
    for (let i = 0; i < strategy.budget; i++) {
      const j = i + boundedFrom(hash4(strategy.seed, RANDOM_SEARCH_STREAM, total, i), total - i);
      [pick[i], pick[j]] = [pick[j]!, pick[i]!];
    }
    indices = pick.slice(0, strategy.budget).sort((a, b) => a - b);
  }
  const points: SweepPoint[] = indices.map((index) => {
    const assignments: SweepPoint['assignments'] = [];
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const axis = axes[a]!;
      const tuple = axis.values[rest % axis.values.length]!;
      assignments.unshift(...axis.paths.map((p, j) => ({ path: p.path, pathText: p.pathText, value: tuple[j]! })));
      rest = Math.floor(rest / axis.values.length);
    }
    return { assignments };
  });
  const scratch: Diagnostic[] = [];
  const jsonOf = (v: Value): Json => toJson(v, scratch, 'sweep value') ?? describeValue(v);
  const model: SweepModel = {
    name: decl.name.name,
    run,
    strategy,
    // a zip group's paths are listed one by one, each with `zip` (the group's index in the sweep)
    axes: axes.flatMap((a) => a.paths.map((p, j) => ({ path: p.pathText, values: a.values.map((t) => jsonOf(t[j]!)), ...(a.zip !== undefined ? { zip: a.zip } : {}) }))),
    points: points.map((pt) => Object.fromEntries(pt.assignments.map((x) => [x.pathText, jsonOf(x.value)]))),
    range: decl.range,
  };
  return { model, points };
}

/** `onebp[backprop.beta=0.9,sampler.negatives=5]`: stable, readable, unique per point. */
export function trialIdFor(run: string, point: SweepPoint): string {
  const parts = point.assignments.map((a) => `${a.pathText}=${describeValue(a.value).replace(/\s+/g, '')}`);
  return `${run}[${parts.join(',')}]`;
}
