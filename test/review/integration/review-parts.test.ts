import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../../src/core/errors.js';
import { UserItems } from '../../../src/core/user-items.js';
import { chooseUser } from '../../../src/review/analyses.js';
import { configSnapshot, isOwnTrial, pointOf } from '../../../src/review/build-review.js';
import { averagedByUser, compareRuns, meanStd, pairByUser, type PerUserValues } from '../../../src/review/compare-runs.js';
import { configChanges, showValue } from '../../../src/review/diff-reviews.js';
import { holmBonferroni } from '../../../src/review/stats/holm-bonferroni.js';
import { pairedTTest } from '../../../src/review/stats/paired-t-test.js';
import { wilcoxonSignedRank } from '../../../src/review/stats/wilcoxon-signed-rank.js';
import { contentHash, roundNumbers, type ConfigSnapshot, type ReviewContent } from '../../../src/review/review-data.js';
import { listVersions, readReviewFile, resolveVersion } from '../../../src/review/versions.js';
import { ProjectionRunner } from '../../../src/review/project-in-worker.js';
import { project2d } from '../../../src/review/analysis/project-2d.js';
import { compileFiles } from '../../compiler/helpers.js';

const values = (users: number[], columns: string[], rows: number[][]): PerUserValues => ({ users: Int32Array.from(users), columns, perUser: Float64Array.from(rows.flat()) });

describe('review parts on hand-made inputs', () => {
  describe('seeds and per-user pairing', () => {
    it('meanStd: mean and sample std of the values present; one value has no std', () => {
      assert.deepEqual(meanStd([1, 2, 3, 4]), { mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
      assert.deepEqual(meanStd([0.5, null]), { mean: 0.5, std: null, n: 1 });
      assert.deepEqual(meanStd([null]), { mean: null, std: null, n: 0 });
    });

    it('averages a run\'s seeds per user id and pairs runs on the users both have', () => {
      const s1 = values([1, 2, 5], ['r@5'], [[0.2], [0.4], [1]]);
      const s2 = values([1, 5], ['r@5'], [[0.4], [0]]);
      assert.deepEqual([...averagedByUser([s1, s2], 'r@5')].sort((a, b) => a[0] - b[0]), [
        [1, 0.30000000000000004],
        [2, 0.4],
        [5, 0.5],
      ]);
      const p = pairByUser(new Map([[5, 1], [1, 2], [9, 3]]), new Map([[1, 10], [5, 20], [7, 30]]));
      assert.deepEqual(p.users, [1, 5]);
      assert.deepEqual([...p.a], [2, 1]);
      assert.deepEqual([...p.b], [10, 20]);
    });

    it('compareRuns: deltas, tests on user-matched values, Holm across the columns of the comparison', () => {
      const cols = ['p@1', 'r@1', 'n@1'];
      // The baseline lists users in another order and has one user the run lacks.
      const base = values([4, 1, 2, 3, 9], cols, [[0.1, 0.3, 0.2], [0.2, 0.1, 0.3], [0.3, 0.2, 0.1], [0.1, 0.1, 0.1], [1, 1, 1]]);
      const run = values([1, 2, 3, 4], cols, [[0.5, 0.2, 0.3], [0.6, 0.4, 0.1], [0.2, 0.3, 0.15], [0.45, 0.35, 0.2]]);
      const reported = { run: { 'p@1': { mean: 0.4, std: null, n: 1 }, 'r@1': { mean: 0.3, std: null, n: 1 }, 'n@1': { mean: 0.2, std: null, n: 1 } }, baseline: { 'p@1': { mean: 0.2, std: null, n: 1 }, 'r@1': { mean: 0, std: null, n: 1 }, 'n@1': { mean: 0.25, std: null, n: 1 } } };
      const c = compareRuns('b', 'a', reported, { run: [run], baseline: [base] }, cols, { tests: ['paired_t', 'wilcoxon'], correction: 'holm', alpha: 0.05 });
      assert.equal(c.users, 4);
      assert.equal(c.metrics['p@1']!.delta, 0.4 - 0.2);
      assert.ok(Math.abs(c.metrics['p@1']!.deltaPct! - 100) < 1e-12);
      assert.equal(c.metrics['r@1']!.deltaPct, null, 'no % of a zero baseline');
      // By hand: users 1..4 in id order.
      const a = { 'p@1': [0.5, 0.6, 0.2, 0.45], 'r@1': [0.2, 0.4, 0.3, 0.35], 'n@1': [0.3, 0.1, 0.15, 0.2] };
      const b = { 'p@1': [0.2, 0.3, 0.1, 0.1], 'r@1': [0.1, 0.2, 0.1, 0.3], 'n@1': [0.3, 0.1, 0.1, 0.2] };
      const t = cols.map((k) => pairedTTest(a[k as keyof typeof a], b[k as keyof typeof b]));
      const holm = holmBonferroni(t.map((x) => x.pValue));
      cols.forEach((k, i) => {
        const o = c.metrics[k]!.tests['paired_t']!;
        assert.equal(o.statistic, Number.isFinite(t[i]!.statistic) ? t[i]!.statistic : null);
        assert.equal(o.pValue, Number.isFinite(t[i]!.pValue) ? t[i]!.pValue : null);
        assert.equal(o.pAdjusted, Number.isFinite(holm[i]!) ? holm[i]! : null);
        assert.equal(o.significant, o.pAdjusted !== null && o.pAdjusted < 0.05);
      });
      const w = wilcoxonSignedRank(a['r@1'], b['r@1']);
      assert.equal(c.metrics['r@1']!.tests['wilcoxon']!.pValue, w.pValue);
    });

    it('without correction the adjusted p-value is the p-value', () => {
      const cols = ['p@1', 'r@1'];
      const x = values([1, 2, 3], cols, [[1, 0], [0.5, 0.5], [0.2, 0.1]]);
      const y = values([1, 2, 3], cols, [[0.5, 0.1], [0.1, 0.2], [0.1, 0.3]]);
      const rep = { 'p@1': { mean: 1, std: null, n: 1 }, 'r@1': { mean: 1, std: null, n: 1 } };
      const c = compareRuns('x', 'y', { run: rep, baseline: rep }, { run: [x], baseline: [y] }, cols, { tests: ['paired_t'], correction: 'none', alpha: 0.05 });
      for (const k of cols) assert.equal(c.metrics[k]!.tests['paired_t']!.pAdjusted, c.metrics[k]!.tests['paired_t']!.pValue);
    });
  });

  describe('trial names', () => {
    it('a run\'s own trials are its seeds; sweep points are not', () => {
      assert.equal(pointOf('onebp[backprop.beta=0.9]#seed=3'), 'onebp[backprop.beta=0.9]');
      assert.equal(isOwnTrial({ id: 'onebp#seed=2', run: 'onebp' }), true);
      assert.equal(isOwnTrial({ id: 'onebp', run: 'onebp' }), true);
      assert.equal(isOwnTrial({ id: 'onebp[backprop.beta=0.9]', run: 'onebp' }), false);
    });
  });

  describe('the user marked in the projections', () => {
    it('median training count among users spanning 3 types in every clustering, lowest id on ties', () => {
      // user: training items. Types under run A: item % 3; under run B: item < 3 ? 0 : item % 3.
      const rows: Record<number, number[]> = { 0: [0, 1, 2], 1: [3, 4, 5, 6], 2: [3, 4, 5, 7, 8], 3: [3, 4, 5, 6, 7], 4: [0, 3] };
      const users: number[] = [];
      const items: number[] = [];
      for (const [u, xs] of Object.entries(rows)) for (const i of xs) (users.push(Number(u)), items.push(i));
      const train = UserItems.fromPairs(5, 9, Int32Array.from(users), Int32Array.from(items));
      const a = Int32Array.from({ length: 9 }, (_, i) => i % 3);
      const b = Int32Array.from({ length: 9 }, (_, i) => (i < 3 ? 0 : i % 3));
      // Under both: user 0 spans 1 type in B; users 1, 2, 3 span 3 types; user 4 spans 1.
      // Counts 4, 5, 5: the lower median is 5, users 2 and 3 -> 2.
      const chosen = chooseUser(Int32Array.from([0, 1, 2, 3, 4]), train, [a, b], 3);
      assert.equal(chosen.user, 2);
      assert.match(chosen.why, /median number of training items \(5\) among the 3 test users whose training items span at least 3 latent types/);
      // With only clustering A, user 0 (3 items) joins: counts 3, 4, 5, 5 -> lower median 4 -> user 1.
      assert.equal(chooseUser(Int32Array.from([0, 1, 2, 3, 4]), train, [a], 3).user, 1);
    });
  });

  describe('projections on worker threads', () => {
    it('give the same coordinates as in process, several at a time', async () => {
      const n = 700;
      const dim = 6;
      const data = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7) + (i % dim === 0 ? Math.floor(i / dim / 100) : 0));
      const runner = new ProjectionRunner(2);
      const jobs = [1, 2, 3].map((seed) => ({ data, n, dim, method: 'pca' as const, seed }));
      const got = await Promise.all(jobs.map((j) => runner.project(j)));
      jobs.forEach((j, i) => assert.deepEqual(got[i], project2d(j.data, j.n, j.dim, j.method, j.seed)));
      assert.equal(got[0]!.length, 2 * n);
    });
  });

  describe('configuration changes', () => {
    const snapshot = (src: string): ConfigSnapshot => {
      const r = compileFiles({ 'e.exp': src });
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      return configSnapshot(r.model!);
    };
    const base = (runs: string, more = '') => `experiment e
dataset syn = synthetic(users: 50, items: 40, seed: 3) { split: holdout(test: 0.2, valid: 0.1) }
defaults { training: (epochs: 3, batch: 64) }
${runs}
${more}`;

    it('names one changed parameter of one run, and nothing for equal configurations', () => {
      const a = snapshot(base('run a { backprop: both }\nrun b { backprop: onebp(beta: 0.9) }'));
      assert.deepEqual(configChanges(a, a), []);
      const b = snapshot(base('run a { backprop: both }\nrun b { backprop: onebp(beta: 0.99) }'));
      assert.deepEqual(configChanges(a, b), ['run b: backprop.beta 0.9 -> 0.99']);
    });

    it('component swaps, training records, added and removed runs, sweeps, trials, evaluate and review', () => {
      const a = snapshot(base('run a { backprop: both }\nrun b { backprop: onebp(beta: 0.9) }', 'sweep s of b { backprop.beta: [0.5, 0.9] }\nevaluate { metrics: recall @ 10 }'));
      const b = snapshot(
        base(
          'run a { backprop: onebp(beta: 0.9); training.epochs: 5 }\nrun c { backprop: both }',
          'sweep s of a { backprop.beta: [0.5] }\nevaluate { metrics: recall, ndcg @ 10 }\nreview { baseline: c }',
        ),
      );
      const lines = configChanges(a, b);
      // An added run is described with all its components (their defaults included).
      const added = lines.filter((l) => l.startsWith('run c added: '));
      assert.equal(added.length, 1);
      assert.match(added[0]!, /^run c added: encoder: mf\(dim: \d+.*\), sampler: uniform\(.*\), loss: infonce\(.*\), backprop: both, optimizer: adam\(.*\)$/);
      assert.deepEqual(
        lines.filter((l) => !l.startsWith('run c added: ')),
        [
          'run b removed',
          'run a: backprop both -> onebp(beta: 0.9, duplicates: last)',
          'run a: training.epochs 3 -> 5',
          'sweep s: run b -> a',
          'sweep s: backprop.beta [0.5, 0.9] -> [0.5]',
          'trial b on syn removed',
          'trial b[backprop.beta=0.5] on syn removed',
                'trial c on syn added',
          'trial a[backprop.beta=0.5] on syn added',
          'evaluate.metrics [recall] -> [recall, ndcg]',
          'review.compare [a, b] -> [a, c]',
          'review.baseline a -> c',
        ],
      );
    });

    it('shows values the way the language writes them', () => {
      assert.equal(showValue({ metric: 'ndcg', k: 20, split: 'valid' }), 'ndcg@20 on valid');
      assert.equal(showValue(null), 'none');
      assert.equal(showValue([1, 'a']), '[1, a]');
    });
  });

  describe('content hash and versions', () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'expc-versions-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('last-bit differences and non-finite numbers do not change the hash; a real change does', () => {
      const content = { datasets: [{ x: 0.1 + 0.2, y: NaN }] } as unknown as ReviewContent;
      assert.equal(contentHash(content), contentHash({ datasets: [{ x: 0.3, y: null }] } as unknown as ReviewContent));
      assert.notEqual(contentHash(content), contentHash({ datasets: [{ x: 0.3000001, y: null }] } as unknown as ReviewContent));
      assert.deepEqual(roundNumbers({ a: [1 / 3, -0, Infinity] }), { a: [0.3333333333, 0, null] });
    });

    it('lists versions by their JSON, resolves v<N>, N and latest, and lists the available ones on a miss', () => {
      for (const n of [1, 2, 10]) writeFileSync(join(dir, `v${n}.json`), JSON.stringify({ format: 1, contentHash: 'h', content: {}, facts: {} }));
      writeFileSync(join(dir, 'v3.md'), '# an orphan page: no JSON, so no version');
      assert.deepEqual(listVersions(dir), [1, 2, 10]);
      assert.equal(resolveVersion(dir, 'v2', 'e'), 2);
      assert.equal(resolveVersion(dir, '10', 'e'), 10);
      assert.equal(resolveVersion(dir, 'latest', 'e'), 10);
      assert.throws(() => resolveVersion(dir, 'v3', 'e'), (e: unknown) => e instanceof UserError && e.message === 'review e has no version v3' && e.options.hint === 'available: v1, v2, v10');
      assert.throws(() => resolveVersion(join(dir, 'none'), 'v1', 'e'), /no version v1/);
      writeFileSync(join(dir, 'bad.json'), '{"format": 1}');
      assert.throws(() => readReviewFile(join(dir, 'bad.json')), /is not an expc review/);
      assert.throws(() => readReviewFile(join(dir, 'missing.json')), /cannot read review .*missing\.json: no such file/);
    });
  });
});
