import assert from 'node:assert/strict';
import { evaluatedColumns } from '../../../src/contract/evaluate-schema.js';
import { BASE, brief, compileFiles, errorsOf } from '../helpers.js';

const withEvaluate = (block: string, extra = '') => compileFiles({ 't.exp': `${BASE}${extra}evaluate { ${block} }\n` });

describe('evaluate: per-metric cutoffs', () => {
  it('recall@20, ndcg@10, precision @ 5, 10: each group its own cutoffs, in the order written', () => {
    const r = withEvaluate('metrics: recall@20, ndcg@10, precision @ 5, 10');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.evaluate, { metrics: ['recall', 'ndcg', 'precision'], cutoffs: [20, 10, 5], columns: ['recall@20', 'ndcg@10', 'precision@5', 'precision@10'] });
    assert.deepEqual(evaluatedColumns(r.model!.evaluate), ['recall@20', 'ndcg@10', 'precision@5', 'precision@10']);
    const ev = r.graph!.nodes.find((n) => n.kind === 'evaluate')!;
    assert.deepEqual(ev.params['columns'], ['recall@20', 'ndcg@10', 'precision@5', 'precision@10']);
  });
  it('the compact form keeps its meaning and its content keys (no columns)', () => {
    const compact = withEvaluate('metrics: precision, recall @ 5, 10');
    assert.deepEqual(compact.model!.evaluate, { metrics: ['precision', 'recall'], cutoffs: [5, 10] });
    // groups that make the full grid are the compact form: same parameters, same keys
    const grid = withEvaluate('metrics: precision @ 5, 10, recall @ 5, 10');
    assert.deepEqual(grid.model!.evaluate, compact.model!.evaluate);
    assert.deepEqual(grid.graph!.nodes.map((n) => n.params), compact.graph!.nodes.map((n) => n.params));
    assert.deepEqual(evaluatedColumns(compact.model!.evaluate), ['precision@5', 'precision@10', 'recall@5', 'recall@10']);
  });
  it('per-metric cutoffs change only evaluate steps, never training', () => {
    const a = withEvaluate('metrics: precision, recall @ 5, 10');
    const b = withEvaluate('metrics: recall@20, ndcg@10');
    const params = (r: typeof a, kind: string) => r.graph!.nodes.filter((n) => n.kind === kind).map((n) => n.params);
    assert.deepEqual(params(a, 'train'), params(b, 'train'));
    assert.notDeepEqual(params(a, 'evaluate'), params(b, 'evaluate'));
  });
  it('early_stop is independent of the evaluate block: it monitors its own metric@K on validation', () => {
    const r = withEvaluate('metrics: recall@5, ndcg@10', 'defaults { training: (early_stop: hr@50 on valid) }\n');
    assert.deepEqual(errorsOf(r), []);
    const train = r.graph!.nodes.find((n) => n.kind === 'train')!;
    assert.deepEqual(train.params['monitor'], { split: 'valid', metrics: ['hr'], cutoffs: [50] });
  });
  it('names the new metrics', () => {
    const r = withEvaluate('metrics: recall_calibrated, avg_pop, coverage, gini @ 10, 20');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.evaluate.metrics, ['recall_calibrated', 'avg_pop', 'coverage', 'gini']);
  });
  it('refuses early stopping on a beyond-accuracy metric, at the metric', () => {
    const r = withEvaluate('metrics: ndcg @ 10', 'defaults { training: (early_stop: gini@10 on valid) }\n');
    const e = errorsOf(r);
    assert.equal(e.length, 1, e.map(brief).join('\n'));
    assert.equal(e[0]!.range?.start.line, 5);
    assert.match(`${e[0]!.message} ${e[0]!.found}`, /gini/);
  });
  it('errors: a metric after the last @ without a cutoff, a pair listed twice, cutoffs: with groups, an unknown metric', () => {
    assert.deepEqual(errorsOf(withEvaluate('metrics: recall@20, ndcg, map')).map(brief), ["invalid-value@5:32 metric 'ndcg, map' has no cutoff: every metric after the last '@' needs its own"]);
    const twice = errorsOf(withEvaluate('metrics: recall@20, ndcg@10, recall@20'));
    assert.deepEqual(twice.map(brief), ["duplicate-property@5:48 'recall@20' is listed twice in metrics:"]);
    assert.equal(twice[0]!.related?.[0]?.range?.start.column, 28);
    assert.deepEqual(errorsOf(withEvaluate('metrics: recall@20, ndcg@10  cutoffs: [5]')).map(brief), ['invalid-value@5:50 cutoffs: cannot be combined with per-metric cutoffs in metrics:']);
    const unknown = errorsOf(withEvaluate('metrics: recall@20, giny@10'));
    assert.deepEqual(unknown.map(brief), ["unknown-metric@5:32 unknown metric 'giny'"]);
    assert.equal(unknown[0]!.hint, "did you mean 'gini'?");
    assert.deepEqual(errorsOf(withEvaluate('metrics: recall@20, ndcg@0')).map((d) => `${d.code}@${d.range?.start.line}:${d.range?.start.column}`), ['invalid-value@5:21']);
  });
});
