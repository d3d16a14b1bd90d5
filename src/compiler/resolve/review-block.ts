import { canonicalJson, type Json, type JsonObject } from '../../core/json.js';
import { describeValue, pathText, type Argument, type PointRefValue, type ReviewDecl, type Value } from '../ast/nodes.js';
import { formatJson, toJson } from './to-json.js';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import type { Range } from '../source.js';
import type { ReviewModel, ReviewPlot, SignificanceTest } from '../../contract/model.js';
import { suggest } from '../suggest.js';

const REVIEW_SETTINGS = ['compare', 'baseline', 'significance', 'plots'] as const;
const TESTS: readonly SignificanceTest[] = ['paired_t', 'wilcoxon'];
const PLOTS = ['curves', 'sweep', 'popularity_groups', 'item_clusters'] as const;

/**
 * The review block:
 *   compare: twobp, onebp         runs in the tables (default: all runs, in declaration order),
 *                                 or sweep points: onebp[backprop.beta=0.9]
 *   baseline: twobp               deltas and tests against this run (default: the first compared)
 *   significance: paired_t(correction: holm, alpha: 0.05), wilcoxon     or none
 *   plots: curves, sweep(beta), popularity_groups(10), item_clusters(k: 6, projection: pca)
 */
/** A sweep point as the review can name it: its run, its values and the trial name its seeds share. */
export interface NamedPoint {
  run: string;
  values: Record<string, Json>;
  /** `onebp[backprop.beta=0.9]`, or the run's own name when the point equals the run. */
  name: string;
}

export function resolveReview(
  decl: ReviewDecl | undefined,
  runNames: readonly string[],
  sweepNames: readonly string[],
  diagnostics: Diagnostic[],
  points: readonly NamedPoint[] = [],
): ReviewModel {
  let compare = [...runNames];
  let baseline: string | undefined;
  let baselineAt: Range | undefined;
  let compareWritten = false;
  let tests: SignificanceTest[] = ['paired_t', 'wilcoxon'];
  let correction: 'holm' | 'none' = 'holm';
  let alpha = 0.05;
  let plots: ReviewPlot[] = [{ kind: 'curves', args: {} }];
  for (const p of decl?.properties ?? []) {
    const key = pathText(p.key);
    const items = p.value.kind === 'List' && !p.value.bracketed ? p.value.items : p.value.kind === 'List' ? p.value.items : [p.value];
    switch (key) {
      case 'compare': {
        const names = items.map((v) => runName(v, runNames, diagnostics, points)).filter((x): x is string => x !== undefined);
        compare = names;
        compareWritten = true;
        break;
      }
      case 'baseline':
        baseline = runName(p.value, runNames, diagnostics, points);
        baselineAt = p.value.range;
        break;
      case 'significance': {
        if (p.value.kind === 'None') {
          tests = [];
          break;
        }
        tests = [];
        for (const v of items) {
          const callee = v.kind === 'Call' ? v.callee.name : v.kind === 'Name' ? v.name : undefined;
          if (callee === undefined || !(TESTS as readonly string[]).includes(callee)) {
            const did = callee ? suggest(callee, TESTS) : undefined;
            diagnostics.push(error('unknown-component', `unknown significance test '${describeValue(v)}'`, v.range, { expected: `${TESTS.join(', ')} or none`, found: describeValue(v), hint: did ? `did you mean '${did}'?` : undefined }));
            continue;
          }
          tests.push(callee as SignificanceTest);
          for (const a of v.kind === 'Call' ? v.args : []) {
            const name = a.name?.name;
            if (name === 'correction' && a.value.kind === 'Name' && (a.value.name === 'holm' || a.value.name === 'none')) correction = a.value.name;
            else if (name === 'alpha' && a.value.kind === 'Number' && a.value.value > 0 && a.value.value < 1) alpha = a.value.value;
            else diagnostics.push(error('invalid-value', `significance takes correction: holm | none and alpha: a number in (0, 1)`, a.range, { expected: 'correction: holm, alpha: 0.05', found: describeValue(a.value) }));
          }
        }
        break;
      }
      case 'plots':
        plots = [];
        for (const v of items) {
          const plot = resolvePlot(v, sweepNames, diagnostics);
          if (plot) plots.push(plot);
        }
        break;
      default: {
        const did = suggest(key, REVIEW_SETTINGS);
        diagnostics.push(error('unknown-property', `review has no setting '${key}'`, p.key.range, { expected: `one of ${REVIEW_SETTINGS.join(', ')}`, found: key, hint: did ? `did you mean '${did}'?` : undefined }));
      }
    }
  }
  if (baseline !== undefined && !compare.includes(baseline)) {
    // Compared anyway (deltas need it), but never silently: the table gets a row the user did not list.
    if (compareWritten)
      diagnostics.push(
        warning('baseline-not-compared', `baseline '${baseline}' is not in compare:; it is compared too`, baselineAt, {
          expected: `a baseline among ${compare.join(', ') || 'the compared runs'}`,
          found: baseline,
          hint: `add ${baseline} to compare:`,
        }),
      );
    compare = [baseline, ...compare];
  }
  return { compare, baseline: baseline ?? compare[0] ?? '', significance: { tests, correction, alpha }, plots };
}

function runName(v: Value, runNames: readonly string[], diagnostics: Diagnostic[], points: readonly NamedPoint[]): string | undefined {
  if (v.kind === 'PointRef') return pointName(v, runNames, diagnostics, points);
  if (v.kind !== 'Name') {
    diagnostics.push(error('invalid-value', 'expected a run name or a sweep point', v.range, { expected: 'a run name, or a point such as onebp[backprop.beta=0.9]', found: describeValue(v) }));
    return undefined;
  }
  if (!runNames.includes(v.name)) {
    const did = suggest(v.name, runNames);
    diagnostics.push(error('unknown-run', `unknown run '${v.name}'`, v.range, { expected: `one of ${runNames.join(', ')}`, found: v.name, hint: did ? `did you mean '${did}'?` : undefined }));
    return undefined;
  }
  return v.name;
}

/** The point's label as trials are named: `onebp[backprop.beta=0.9,sampler.negatives=5]`. */
function pointLabel(run: string, values: Record<string, Json>): string {
  return `${run}[${Object.entries(values).map(([k, x]) => `${k}=${formatJson(x).replace(/\s+/g, '')}`).join(',')}]`;
}

/**
 * `onebp[backprop.beta=0.99]` -> the trial name of that point: the values are compared as values
 * (0.99 and 9.9e-1 are one point; the paths in any order), against every point of every sweep of
 * the run. A point equal to the run itself is the run's own trial, so it is named as the run.
 */
function pointName(v: PointRefValue, runNames: readonly string[], diagnostics: Diagnostic[], points: readonly NamedPoint[]): string | undefined {
  const run = v.run.name;
  if (!runNames.includes(run)) {
    const did = suggest(run, runNames);
    diagnostics.push(error('unknown-run', `unknown run '${run}'`, v.run.range, { expected: `one of ${runNames.join(', ')}`, found: run, hint: did ? `did you mean '${did}'?` : undefined }));
    return undefined;
  }
  const scratch: Diagnostic[] = [];
  const written: Record<string, Json> = {};
  for (const a of v.assignments) {
    const key = pathText(a.path);
    if (key in written) {
      diagnostics.push(error('duplicate-property', `sweep point sets '${key}' twice`, a.path.range, { expected: 'each path once', found: `a second '${key}'` }));
      return undefined;
    }
    written[key] = toJson(a.value, scratch, 'sweep value') ?? describeValue(a.value);
  }
  const own = points.filter((p) => p.run === run);
  const labels = [...new Set(own.map((p) => pointLabel(run, p.values)))];
  const match = own.find((p) => {
    const keys = Object.keys(p.values);
    return keys.length === Object.keys(written).length && keys.every((k) => k in written && canonicalJson(p.values[k]!) === canonicalJson(written[k]!));
  });
  if (match) return match.name;
  const shown = labels.length > 8 ? `${labels.slice(0, 8).join(', ')}, ... (${labels.length} in all)` : labels.join(', ');
  const did = suggest(describeValue(v).replace(/\s+/g, ''), labels);
  diagnostics.push(
    error('unknown-point', labels.length ? `run '${run}' has no sweep point ${describeValue(v)}` : `run '${run}' has no sweep points`, v.range, {
      expected: labels.length ? `one of ${shown}` : `a sweep of ${run}: sweep s of ${run} { path: [values] }`,
      found: describeValue(v),
      hint: did ? `did you mean '${did}'?` : undefined,
    }),
  );
  return undefined;
}

function positionalOrNamed(args: readonly Argument[], name: string, index: number): Value | undefined {
  const named = args.find((a) => a.name?.name === name);
  if (named) return named.value;
  const positional = args.filter((a) => !a.name);
  return positional[index]?.value;
}

function resolvePlot(v: Value, sweepNames: readonly string[], diagnostics: Diagnostic[]): ReviewPlot | undefined {
  const callee = v.kind === 'Call' ? v.callee.name : v.kind === 'Name' ? v.name : undefined;
  const args = v.kind === 'Call' ? v.args : [];
  if (callee === undefined || !(PLOTS as readonly string[]).includes(callee)) {
    const did = callee ? suggest(callee, PLOTS) : undefined;
    diagnostics.push(error('unknown-component', `unknown plot '${describeValue(v)}'`, v.range, { expected: `one of ${PLOTS.join(', ')}`, found: describeValue(v), hint: did ? `did you mean '${did}'?` : undefined }));
    return undefined;
  }
  const bad = (msg: string, expected: string, at: Value = v): undefined => {
    diagnostics.push(error('invalid-value', msg, at.range, { expected, found: describeValue(at) }));
    return undefined;
  };
  const int = (name: string, index: number, dflt: number, min: number, max: number): number | undefined => {
    const a = positionalOrNamed(args, name, index);
    if (a === undefined) return dflt;
    if (a.kind !== 'Number' || !Number.isInteger(a.value) || a.value < min || a.value > max) return bad(`${callee}: ${name} must be an integer from ${min} to ${max}`, `an integer in [${min}, ${max}]`, a);
    return a.value;
  };
  const out: JsonObject = {};
  switch (callee) {
    case 'curves':
      break;
    case 'sweep': {
      const a = positionalOrNamed(args, 'name', 0);
      if (!a || a.kind !== 'Name') return bad('sweep(...) names the sweep to plot', 'sweep(<sweep name>)');
      if (!sweepNames.includes(a.name)) {
        const did = suggest(a.name, sweepNames);
        diagnostics.push(error('unknown-sweep', `unknown sweep '${a.name}'`, a.range, { expected: sweepNames.length ? `one of ${sweepNames.join(', ')}` : 'a declared sweep', found: a.name, hint: did ? `did you mean '${did}'?` : undefined }));
        return undefined;
      }
      out['sweep'] = a.name;
      break;
    }
    case 'popularity_groups': {
      const g = int('groups', 0, 10, 2, 100);
      if (g === undefined) return undefined;
      out['groups'] = g;
      const k = int('k', 1, 20, 1, 10000);
      if (k === undefined) return undefined;
      out['k'] = k;
      break;
    }
    case 'item_clusters': {
      const k = int('k', 0, 6, 2, 100);
      if (k === undefined) return undefined;
      out['k'] = k;
      const proj = positionalOrNamed(args, 'projection', 1);
      if (proj && !(proj.kind === 'Name' && (proj.name === 'pca' || proj.name === 'tsne'))) return bad('item_clusters: projection must be pca or tsne', 'pca or tsne', proj);
      out['projection'] = proj && proj.kind === 'Name' ? proj.name : 'tsne';
      break;
    }
  }
  return { kind: callee as ReviewPlot['kind'], args: out };
}
