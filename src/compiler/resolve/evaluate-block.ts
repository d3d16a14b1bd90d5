import { evaluateSchema, type EvaluateParams } from '../../contract/evaluate-schema.js';
import { METRIC_NAMES } from '../../contract/training-schema.js';
import { describeValue, pathText, type EvaluateDecl, type Value } from '../ast/nodes.js';
import { error, type Diagnostic } from '../diagnostics.js';
import { suggest } from '../suggest.js';
import { validateParams, type WrittenParams } from './validate-params.js';

/**
 * The evaluate block. `metrics` accepts the compact form of the design,
 * `metrics: precision, recall, f1, ndcg @ 5, 10, 20` (names, then `@` and the cutoffs shared by
 * all of them), or plain names with a separate `cutoffs: [5, 10, 20]`.
 */
export function resolveEvaluate(decl: EvaluateDecl | undefined, diagnostics: Diagnostic[]): EvaluateParams | undefined {
  const written: WrittenParams = new Map();
  for (const p of decl?.properties ?? []) {
    const key = pathText(p.key);
    if (key === 'metrics') {
      const r = splitMetricList(p.value, diagnostics);
      if (!r) continue;
      written.set('metrics', { value: r.metrics, key: p.key.segments[0] });
      if (r.cutoffs) written.set('cutoffs', { value: r.cutoffs, key: p.key.segments[0] });
    } else if (key === 'cutoffs') {
      written.set('cutoffs', { value: asList(p.value), key: p.key.segments[0] });
    } else {
      const did = suggest(key, ['metrics', 'cutoffs']);
      diagnostics.push(
        error('unknown-property', `evaluate has no setting '${key}'`, p.key.range, { expected: 'metrics or cutoffs', found: key, hint: did ? `did you mean '${did}'?` : undefined }),
      );
    }
  }
  const anchor = decl?.range ?? { file: '', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
  const params = validateParams(evaluateSchema, written, 'evaluate', anchor, diagnostics);
  return params as unknown as EvaluateParams | undefined;
}

function asList(v: Value): Value {
  return v.kind === 'List' ? v : { kind: 'List', items: [v], bracketed: false, range: v.range };
}

/** [precision, recall, ndcg@5, 10, 20] -> metrics [precision, recall, ndcg], cutoffs [5, 10, 20]. */
function splitMetricList(v: Value, diagnostics: Diagnostic[]): { metrics: Value; cutoffs?: Value } | undefined {
  const items = v.kind === 'List' ? v.items : [v];
  const names: Value[] = [];
  const cutoffs: Value[] = [];
  let seenAt = false;
  for (const it of items) {
    if (!seenAt && it.kind === 'Name') {
      names.push(it);
    } else if (!seenAt && it.kind === 'MetricRef') {
      if (it.split) {
        diagnostics.push(error('invalid-value', "evaluate metrics take no split ('on ...'): the test split is evaluated", it.split.range, { expected: 'metric @ cutoffs', found: describeValue(it) }));
        return undefined;
      }
      names.push({ kind: 'Name', name: it.metric.name, range: it.metric.range });
      cutoffs.push(it.k);
      seenAt = true;
    } else if (seenAt && it.kind === 'Number') {
      cutoffs.push(it);
    } else {
      diagnostics.push(
        error('invalid-value', 'metrics are written as names followed by @ and the cutoffs', it.range, {
          expected: 'precision, recall, ndcg @ 5, 10, 20',
          found: describeValue(it),
        }),
      );
      return undefined;
    }
  }
  for (const n of names) {
    if (n.kind === 'Name' && !(METRIC_NAMES as readonly string[]).includes(n.name)) {
      const did = suggest(n.name, METRIC_NAMES);
      diagnostics.push(
        error('unknown-metric', `unknown metric '${n.name}'`, n.range, { expected: `one of ${METRIC_NAMES.join(', ')}`, found: n.name, hint: did ? `did you mean '${did}'?` : undefined }),
      );
      return undefined;
    }
  }
  const list = (xs: Value[]): Value => ({ kind: 'List', items: xs, bracketed: false, range: v.range });
  return { metrics: list(names), cutoffs: seenAt ? list(cutoffs) : undefined };
}
