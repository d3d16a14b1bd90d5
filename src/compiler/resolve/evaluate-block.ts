import { evaluateSchema, type EvaluateParams } from '../../contract/evaluate-schema.js';
import { METRIC_NAMES } from '../../contract/training-schema.js';
import { describeValue, pathText, type EvaluateDecl, type NameValue, type NumberLiteral, type StringLiteral, type Value } from '../ast/nodes.js';
import type { Range } from '../source.js';
import { error, type Diagnostic } from '../diagnostics.js';
import { suggest } from '../suggest.js';
import { validateParams, type WrittenParams } from './validate-params.js';

/**
 * The evaluate block. `metrics` accepts the compact form of the design,
 * `metrics: precision, recall, f1, ndcg @ 5, 10, 20` (names, then `@` and the cutoffs shared by
 * all of them), per-metric groups, `metrics: recall@20, ndcg@10, precision @ 5, 10` (each group:
 * names, `@`, its cutoffs; a name after a cutoff starts the next group), or plain names with a
 * separate `cutoffs: [5, 10, 20]`. Groups that together make the full grid are the compact form
 * (same content keys); otherwise the reported pairs are kept as `columns`.
 */
export function resolveEvaluate(decl: EvaluateDecl | undefined, diagnostics: Diagnostic[]): EvaluateParams | undefined {
  const written: WrittenParams = new Map();
  let grouped: { at: Value } | undefined;
  let cutoffsAt: Value | undefined;
  for (const p of decl?.properties ?? []) {
    const key = pathText(p.key);
    if (key === 'metrics') {
      const r = splitMetricList(p.value, diagnostics);
      if (!r) continue;
      written.set('metrics', { value: r.metrics, key: p.key.segments[0] });
      if (r.cutoffs) written.set('cutoffs', { value: r.cutoffs, key: p.key.segments[0] });
      if (r.columns) {
        written.set('columns', { value: r.columns, key: p.key.segments[0] });
        grouped = { at: p.value };
      }
    } else if (key === 'cutoffs') {
      written.set('cutoffs', { value: asList(p.value), key: p.key.segments[0] });
      cutoffsAt = p.value;
    } else {
      const did = suggest(key, ['metrics', 'cutoffs']);
      diagnostics.push(
        error('unknown-property', `evaluate has no setting '${key}'`, p.key.range, { expected: 'metrics or cutoffs', found: key, hint: did ? `did you mean '${did}'?` : undefined }),
      );
    }
  }
  if (grouped && cutoffsAt) {
    diagnostics.push(
      error('invalid-value', 'cutoffs: cannot be combined with per-metric cutoffs in metrics:', cutoffsAt.range, {
        expected: 'either metrics: recall@20, ndcg@10 or metrics: recall, ndcg with cutoffs: [10, 20]',
        found: `cutoffs: ${describeValue(cutoffsAt)}`,
      }),
    );
    return undefined;
  }
  const anchor = decl?.range ?? { file: '', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
  const params = validateParams(evaluateSchema, written, 'evaluate', anchor, diagnostics);
  return params as unknown as EvaluateParams | undefined;
}

function asList(v: Value): Value {
  return v.kind === 'List' ? v : { kind: 'List', items: [v], bracketed: false, range: v.range };
}

interface MetricGroup {
  names: NameValue[];
  cutoffs: NumberLiteral[];
}

/**
 * [precision, recall, ndcg@5, 10, 20] -> metrics [precision, recall, ndcg], cutoffs [5, 10, 20];
 * [recall@20, ndcg@10] -> metrics [recall, ndcg], cutoffs [20, 10], columns [recall@20, ndcg@10].
 */
function splitMetricList(v: Value, diagnostics: Diagnostic[]): { metrics: Value; cutoffs?: Value; columns?: Value } | undefined {
  const items = v.kind === 'List' ? v.items : [v];
  const groups: MetricGroup[] = [];
  let pending: NameValue[] = [];
  let open: MetricGroup | undefined; // the group whose cutoffs are being read
  for (const it of items) {
    if (it.kind === 'Name') {
      open = undefined;
      pending.push(it);
    } else if (it.kind === 'MetricRef') {
      if (it.split) {
        diagnostics.push(error('invalid-value', "evaluate metrics take no split ('on ...'): the test split is evaluated", it.split.range, { expected: 'metric @ cutoffs', found: describeValue(it) }));
        return undefined;
      }
      open = { names: [...pending, { kind: 'Name', name: it.metric.name, range: it.metric.range }], cutoffs: [it.k] };
      groups.push(open);
      pending = [];
    } else if (open && it.kind === 'Number') {
      open.cutoffs.push(it);
    } else {
      diagnostics.push(
        error('invalid-value', 'metrics are written as names followed by @ and the cutoffs', it.range, {
          expected: 'precision, recall, ndcg @ 5, 10, 20 or recall@20, ndcg@10',
          found: describeValue(it),
        }),
      );
      return undefined;
    }
  }
  const names = [...groups.flatMap((g) => g.names), ...pending];
  for (const n of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(n.name)) {
      const did = suggest(n.name, METRIC_NAMES);
      diagnostics.push(
        error('unknown-metric', `unknown metric '${n.name}'`, n.range, { expected: `one of ${METRIC_NAMES.join(', ')}`, found: n.name, hint: did ? `did you mean '${did}'?` : undefined }),
      );
      return undefined;
    }
  }
  const list = (xs: Value[]): Value => ({ kind: 'List', items: xs, bracketed: false, range: v.range });
  // Plain names: the cutoffs come from `cutoffs:` (or its default).
  if (groups.length === 0) return { metrics: list(names) };
  if (pending.length) {
    const last = pending[pending.length - 1]!;
    diagnostics.push(
      error('invalid-value', `metric '${pending.map((n) => n.name).join(', ')}' has no cutoff: every metric after the last '@' needs its own`, spanOf(pending[0]!.range, last.range), {
        expected: `${last.name}@K, e.g. ${last.name}@10`,
        found: pending.map((n) => n.name).join(', '),
      }),
    );
    return undefined;
  }
  if (groups.length === 1) return { metrics: list(groups[0]!.names), cutoffs: list(groups[0]!.cutoffs) };

  // Several groups: the pairs in the order written, each once.
  const seen = new Map<string, Range>();
  const columns: StringLiteral[] = [];
  for (const g of groups)
    for (const n of g.names)
      for (const k of g.cutoffs) {
        const col = `${n.name}@${k.raw}`;
        const first = seen.get(col);
        if (first) {
          diagnostics.push(error('duplicate-property', `'${col}' is listed twice in metrics:`, k.range, { expected: 'each metric@K once', found: `a second ${col}`, related: [{ message: 'first listed here', range: first }] }));
          return undefined;
        }
        seen.set(col, k.range);
        columns.push({ kind: 'String', value: `${n.name}@${k.value}`, range: spanOf(n.range, k.range) });
      }
  const metricNames = uniqueBy(names, (n) => n.name);
  const cutoffs = uniqueBy(groups.flatMap((g) => g.cutoffs), (k) => String(k.value));
  const grid = metricNames.length * cutoffs.length === columns.length;
  // Non-integer cutoffs are reported by the schema at the cutoff; no second error about the pair.
  const integral = cutoffs.every((k) => Number.isInteger(k.value) && k.value >= 1);
  return { metrics: list(metricNames), cutoffs: list(cutoffs), ...(grid || !integral ? {} : { columns: list(columns) }) };
}

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

function spanOf(a: Range, b: Range): Range {
  return { file: a.file, start: a.start, end: b.end };
}
