import assert from 'node:assert/strict';
import { compareRuns, meanStd } from '../../src/review/compare-runs.js';
import { holmBonferroni } from '../../src/review/stats/holm-bonferroni.js';
import { pairedTTest } from '../../src/review/stats/paired-t-test.js';

/** Two per-user columns and one corpus-level column (coverage has no per-user values in the artifact). */
describe('compareRuns with corpus-level metrics', () => {
  const users = Int32Array.from([0, 1, 2, 3]);
  const columns = ['recall@10', 'avg_pop@10'];
  // users x columns, row-major
  const run = { users, columns, perUser: Float64Array.from([0.5, 10, 0.4, 12, 0.9, 11, 0.7, 15]) };
  const base = { users, columns, perUser: Float64Array.from([0.3, 14, 0.4, 13, 0.5, 16, 0.2, 15]) };
  const reported = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, meanStd([v])]));
  const c = compareRuns(
    'b',
    'a',
    { run: reported({ 'recall@10': 0.625, 'avg_pop@10': 12, 'coverage@10': 0.5 }), baseline: reported({ 'recall@10': 0.35, 'avg_pop@10': 14.5, 'coverage@10': 0.4 }) },
    { run: [run], baseline: [base] },
    ['recall@10', 'coverage@10', 'avg_pop@10'],
    { tests: ['paired_t'], correction: 'holm', alpha: 0.05 },
  );

  it('gives a corpus-level metric its delta and no test', () => {
    const cov = c.metrics['coverage@10']!;
    assert.equal(cov.corpusLevel, true);
    assert.deepEqual(cov.tests, {});
    assert.ok(Math.abs(cov.delta! - 0.1) < 1e-12);
    assert.ok(Math.abs(cov.deltaPct! - 25) < 1e-9);
  });
  it('leaves corpus-level metrics out of the Holm-Bonferroni family', () => {
    const p = [
      pairedTTest(Float64Array.from([0.5, 0.4, 0.9, 0.7]), Float64Array.from([0.3, 0.4, 0.5, 0.2])).pValue,
      pairedTTest(Float64Array.from([10, 12, 11, 15]), Float64Array.from([14, 13, 16, 15])).pValue,
    ];
    const adjusted = holmBonferroni(p);
    assert.equal(c.metrics['recall@10']!.tests.paired_t!.pValue, p[0]);
    assert.equal(c.metrics['recall@10']!.tests.paired_t!.pAdjusted, adjusted[0]);
    assert.equal(c.metrics['avg_pop@10']!.tests.paired_t!.pAdjusted, adjusted[1]);
    assert.equal(c.metrics['recall@10']!.corpusLevel, undefined);
  });
  it('a comparison of corpus-level metrics only runs no test at all', () => {
    const only = compareRuns('b', 'a', { run: reported({ 'gini@10': 0.3 }), baseline: reported({ 'gini@10': 0.2 }) }, { run: [run], baseline: [base] }, ['gini@10'], { tests: ['paired_t', 'wilcoxon'], correction: 'holm', alpha: 0.05 });
    assert.deepEqual(only.metrics['gini@10']!.tests, {});
  });
});

describe('sweep shape in reviews', () => {
  it('writes a zip group as one axis', async () => {
    const { sweepShape } = await import('../../src/review/review-blocks.js');
    assert.equal(sweepShape([{ path: 'sampler.negatives' }, { path: 'optimizer.lr', zip: 0 }, { path: 'training.batch', zip: 0 }]), 'sampler.negatives x zip(optimizer.lr, training.batch)');
    assert.equal(sweepShape([{ path: 'a' }, { path: 'b' }]), 'a x b');
  });
});
