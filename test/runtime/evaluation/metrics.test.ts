import assert from 'node:assert/strict';
import { UserItems } from '../../../src/core/user-items.js';
import { computeMetrics } from '../../../src/runtime/evaluation/metrics.js';

/*
 * Worked example: 4 users, 10 items, k = 5, cutoffs 3 and 5. Rows of topK follow `users` = [2, 0, 1, 3].
 *
 * user 2, relevant {0, 5, 6, 8} (n = 4), ranked [5, 1, 0, 7, -1] (padded: fewer than 5 candidates);
 *   hits at positions 1 and 3.
 *   K=3: h=2. P = 2/3; R = 2/4; F1 = 2h/(n+K) = 4/7; DCG = 1/log2(2) + 1/log2(4) = 1.5;
 *        IDCG over min(4,3) = 3 positions = 1 + 1/log2(3) + 1/2 = 2.1309298; NDCG = 0.7039180;
 *        HR = 1; MRR = 1; MAP = (P@1 + P@3) / min(4,3) = (1 + 2/3) / 3 = 5/9.
 *   K=5: h=2 (the -1 is never a hit). P = 2/5; R = 1/2; F1 = 4/9; DCG = 1.5;
 *        IDCG over min(4,5) = 4 positions = 2.1309298 + 1/log2(5) = 2.5616064; NDCG = 0.5855700;
 *        HR = 1; MRR = 1; MAP = (1 + 2/3) / 4 = 5/12.
 * user 0, relevant {1, 4, 7} (n = 3), ranked [9, 4, 3, 1, 8]: hits at positions 2 and 4.
 *   K=3: h=1. P = 1/3; R = 1/3; F1 = 2/6; DCG = 1/log2(3) = 0.6309298; IDCG(3) = 2.1309298; NDCG = 0.2960819;
 *        HR = 1; MRR = 1/2; MAP = (P@2) / 3 = (1/2) / 3 = 1/6.
 *   K=5: h=2. P = 2/5; R = 2/3; F1 = 4/8; DCG = 1/log2(3) + 1/log2(5) = 1.0616064; NDCG = 1.0616064 / 2.1309298 = 0.4981892;
 *        HR = 1; MRR = 1/2; MAP = (P@2 + P@4) / 3 = (1/2 + 2/4) / 3 = 1/3.
 * user 1, relevant {2} (n = 1), ranked [0, 3, 5, 7, 2]: a hit at position 5.
 *   K=3: h=0: every metric 0.
 *   K=5: h=1. P = 1/5; R = 1; F1 = 2/6; DCG = 1/log2(6) = 0.3868528; IDCG over min(1,5) = 1 position = 1;
 *        NDCG = 0.3868528; HR = 1; MRR = 1/5; MAP = (P@5) / 1 = 1/5.
 * user 3 has no relevant items (n = 0): left out of every result and mean.
 */
const relevant = UserItems.fromPairs(4, 10, Int32Array.from([0, 0, 0, 1, 2, 2, 2, 2]), Int32Array.from([1, 4, 7, 2, 0, 5, 6, 8]));
const users = Int32Array.from([2, 0, 1, 3]);
const topK = Int32Array.from([5, 1, 0, 7, -1, 9, 4, 3, 1, 8, 0, 3, 5, 7, 2, 0, 1, 2, 3, 4]);

const expected: Record<string, [number, number, number]> = {
  // per user in ascending order: users 0, 1, 2
  'precision@3': [1 / 3, 0, 2 / 3],
  'recall@3': [1 / 3, 0, 1 / 2],
  'f1@3': [1 / 3, 0, 4 / 7],
  'ndcg@3': [0.2960819, 0, 0.703918],
  'hr@3': [1, 0, 1],
  'mrr@3': [1 / 2, 0, 1],
  'map@3': [1 / 6, 0, 5 / 9],
  'precision@5': [2 / 5, 1 / 5, 2 / 5],
  'recall@5': [2 / 3, 1, 1 / 2],
  'f1@5': [1 / 2, 1 / 3, 4 / 9],
  'ndcg@5': [0.4981892, 0.3868528, 0.58557],
  'hr@5': [1, 1, 1],
  'mrr@5': [1 / 2, 1 / 5, 1],
  'map@5': [1 / 3, 1 / 5, 5 / 12],
};

describe('computeMetrics', () => {
  const r = computeMetrics(topK, 5, users, relevant, ['precision', 'recall', 'f1', 'ndcg', 'hr', 'mrr', 'map'], [3, 5]);

  it('keeps only users with relevant items, in ascending order', () => {
    assert.deepEqual(Array.from(r.users), [0, 1, 2]);
  });

  it('matches the worked example for every metric and cutoff', () => {
    assert.deepEqual(Object.keys(r.perUser).sort(), Object.keys(expected).sort());
    for (const [key, values] of Object.entries(expected)) {
      const got = r.perUser[key]!;
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i]! - values[i]!) < 1e-6, `${key} of user ${r.users[i]}: ${got[i]} vs ${values[i]}`);
      const mean = (values[0] + values[1] + values[2]) / 3;
      assert.ok(Math.abs(r.mean[key]! - mean) < 1e-6, `mean ${key}: ${r.mean[key]} vs ${mean}`);
    }
  });

  it('F1 is the harmonic mean of precision and recall', () => {
    for (const K of [3, 5])
      for (let i = 0; i < 3; i++) {
        const p = r.perUser[`precision@${K}`]![i]!;
        const rc = r.perUser[`recall@${K}`]![i]!;
        const f = r.perUser[`f1@${K}`]![i]!;
        assert.ok(Math.abs(f - (p + rc > 0 ? (2 * p * rc) / (p + rc) : 0)) < 1e-12);
      }
  });

  it('a perfect ranking has NDCG 1 whether n < K or n > K', () => {
    const rel = UserItems.fromPairs(2, 8, Int32Array.from([0, 0, 1, 1, 1, 1, 1, 1]), Int32Array.from([3, 6, 0, 1, 2, 3, 4, 5]));
    const m = computeMetrics(Int32Array.from([6, 3, 7, 0, 5, 4, 3, 2]), 4, Int32Array.from([0, 1]), rel, ['ndcg', 'map', 'recall'], [4]);
    assert.deepEqual(Array.from(m.perUser['ndcg@4']!), [1, 1]);
    assert.deepEqual(Array.from(m.perUser['map@4']!), [1, 1]);
    assert.deepEqual(Array.from(m.perUser['recall@4']!), [1, 4 / 6]);
  });

  it('means are NaN when no user has relevant items', () => {
    const empty = UserItems.fromPairs(2, 3, new Int32Array(0), new Int32Array(0));
    const m = computeMetrics(Int32Array.from([0, 1, 2, 0]), 2, Int32Array.from([0, 1]), empty, ['recall'], [2]);
    assert.equal(m.users.length, 0);
    assert.ok(Number.isNaN(m.mean['recall@2']));
  });

  it('rejects a cutoff above k and a topK of the wrong size', () => {
    assert.throws(() => computeMetrics(topK, 5, users, relevant, ['recall'], [6]), { name: 'InternalError', message: 'computeMetrics: cutoff 6 is not in [1, k = 5]' });
    assert.throws(() => computeMetrics(topK.subarray(1), 5, users, relevant, ['recall'], [5]), { name: 'InternalError', message: 'computeMetrics: topK has 19 entries, expected 4 users x k 5' });
  });
});
