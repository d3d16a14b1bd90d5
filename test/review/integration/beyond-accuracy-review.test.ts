import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { review } from '../../../src/cli/commands/review.js';
import { results } from '../../../src/cli/commands/results.js';
import { io, RUNTIME, runExperiment } from './helpers.js';
import { readRunRecords } from '../../../src/runtime/record/run-record.js';

/** Per-metric cutoffs, the beyond-accuracy metrics and a sweep point in compare, under both protocols. */
const EXPERIMENT = `experiment beyond
dataset syn = synthetic(users: 80, items: 60, types: 3, interests: 2, per_user: 10, seed: 5) {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 1)
}
dataset synp = synthetic(users: 80, items: 60, types: 3, interests: 2, per_user: 10, seed: 5) {
  split: holdout(test: 0.2, valid: 0, per_user: true, seed: 1)
  protocol: paper
}
defaults {
  encoder:  mf(dim: 8)
  optimizer: adam(lr: 0.01)
  training: (batch: 64, epochs: 4, eval_every: 2, early_stop: ndcg@10 on valid, seed: 3)
}
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.9) }
sweep beta of onebp { backprop.beta: range(0.5, 0.9, 0.4) }
evaluate { metrics: recall@10, ndcg@5, coverage, gini, avg_pop, recall_calibrated @ 10 }
review {
  compare: twobp, onebp[backprop.beta=0.5]
  baseline: twobp
  plots: curves
}
`;
const COLUMNS = ['recall@10', 'ndcg@5', 'coverage@10', 'gini@10', 'avg_pop@10', 'recall_calibrated@10'];

describe('reviews and results with beyond-accuracy metrics', function () {
  this.timeout(120_000);
  let root: string;
  let file: string;
  let cacheDir: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'expc-beyond-'));
    file = join(root, 'beyond.exp');
    cacheDir = join(root, 'cache');
    writeFileSync(file, EXPERIMENT);
    await runExperiment(file, cacheDir);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('tables carry the pairs written; corpus-level metrics have deltas but no tests; sweep points are rows', async () => {
    const o = io();
    const r = await review({ file, cacheDir, reviewsDir: join(root, 'reviews'), runtime: RUNTIME, out: o.out, warn: o.warn });
    for (const ds of r.doc.content.datasets) {
      assert.deepEqual(ds.columns, COLUMNS);
      assert.deepEqual(ds.table.map((row) => row.run), ['twobp', 'onebp[backprop.beta=0.5]']);
      const c = ds.comparisons[0]!;
      assert.equal(c.run, 'onebp[backprop.beta=0.5]');
      for (const col of ['coverage@10', 'gini@10']) {
        assert.equal(c.metrics[col]!.corpusLevel, true, col);
        assert.deepEqual(c.metrics[col]!.tests, {}, col);
        assert.ok(c.metrics[col]!.delta !== null, col);
      }
      for (const col of ['avg_pop@10', 'recall_calibrated@10', 'recall@10']) assert.ok(c.metrics[col]!.tests.paired_t, `${ds.name} ${col} is tested`);
      for (const t of ds.trials) {
        const cov = t.metrics['coverage@10']!;
        const gini = t.metrics['gini@10']!;
        assert.ok(cov > 0 && cov <= 1, `${t.id} coverage ${cov}`);
        assert.ok(gini >= 0 && gini < 1, `${t.id} gini ${gini}`);
        assert.ok(t.metrics['avg_pop@10']! > 0);
        // Rc >= R whenever min(n, K) <= n, which always holds
        assert.ok(t.metrics['recall_calibrated@10']! >= t.metrics['recall@10']! - 1e-12, t.id);
      }
    }
    const md = readFileSync(join(root, 'reviews', 'beyond', 'v1.md'), 'utf8');
    assert.match(md, /Cov@10, Gini@10 are corpus-level \(one value per trial over all users' lists, no per-user values\): not tested\./);
    assert.match(md, /\| Cov@10 \| [-\d.]+ \| [-+\d.%]+ \| corpus-level \| - \| - \|/);
    assert.match(md, /across the 4 per-user metrics of the comparison/);
    assert.match(md, /Gini@K = sum over j = 1\.\.N of \(2j - N - 1\) x_\(j\)/);
  });

  it('under the paper protocol accuracy metrics are the best epoch\'s, beyond-accuracy ones the kept epoch\'s', async () => {
    const o = io();
    const t = await results({ cacheDir, all: false, ascending: false, format: 'json', dataset: 'synp', out: o.out, warn: o.warn });
    assert.ok(t.rows.length > 0);
    for (const row of t.rows) {
      for (const c of COLUMNS) assert.equal(typeof row.metrics[c], 'number', `${row.trial} ${c}`);
      assert.equal(row.protocol, 'paper');
    }
    assert.deepEqual([...t.metrics].sort(), [...COLUMNS].sort());
    // against the evaluate steps' own record: best over epochs for accuracy, the kept epoch's mean otherwise
    const [record] = readRunRecords(cacheDir, () => {});
    for (const row of t.rows) {
      const meta = record!.nodes.find((n) => n.id === `evaluate:synp/${row.trial}`)!.meta!;
      const best = meta['paperBest'] as Record<string, { value: number }>;
      const mean = meta['mean'] as Record<string, number>;
      assert.equal(row.metrics['recall@10'], best['recall@10']!.value);
      assert.equal(row.metrics['recall_calibrated@10'], best['recall_calibrated@10']!.value, 'tracked on test when asked for');
      assert.equal(best['coverage@10'], undefined);
      assert.equal(row.metrics['coverage@10'], mean['coverage@10']);
      assert.equal(row.metrics['avg_pop@10'], mean['avg_pop@10']);
      assert.deepEqual(meta['corpus'], ['coverage@10', 'gini@10']);
    }
  });
});
