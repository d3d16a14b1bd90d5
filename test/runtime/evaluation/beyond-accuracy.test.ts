import assert from 'node:assert/strict';
import { UserItems } from '../../../src/core/user-items.js';
import { InternalError } from '../../../src/core/errors.js';
import { catalogueOf, computeMetrics, coverage, gini } from '../../../src/runtime/evaluation/metrics.js';

/*
 * Worked example: 6 items with training counts c = [5, 3, 0, 2, 1, 4]; k = 3, cutoffs 2 and 3.
 * Rows of topK follow `users` = [0, 1, 2, 3].
 *
 * user 0, relevant {1, 2} (n = 2), ranked [0, 1, 3]
 * user 1, relevant {4}    (n = 1), ranked [0, 5, 4]
 * user 2, relevant {0, 2, 3, 5} (n = 4), ranked [1, 0, -1]   (padded)
 * user 3, relevant {}     (n = 0), ranked [2, 4, 3]          left out: item 2 must not count as covered
 *
 * recall_calibrated = h / min(n, K)   (recall = h / n for contrast)
 *   K=2: u0 [0, 1]: h=1, min(2,2)=2 -> 1/2 (recall 1/2); u1 [0, 5]: h=0 -> 0; u2 [1, 0]: h=1, min(4,2)=2 -> 1/2 (recall 1/4)
 *   K=3: u0 h=1, min(2,3)=2 -> 1/2;  u1 h=1, min(1,3)=1 -> 1 (recall 1);  u2 h=1, min(4,3)=3 -> 1/3 (recall 1/4)
 * avg_pop = mean of c over the listed items (padding left out)
 *   K=2: u0 (5+3)/2 = 4; u1 (5+4)/2 = 4.5; u2 (3+5)/2 = 4              mean 12.5/3
 *   K=3: u0 (5+3+2)/3 = 10/3; u1 (5+4+1)/3 = 10/3; u2 (3+5)/2 = 4      mean 32/9
 * exposure x_i (lists of the users kept holding item i)
 *   K=2: item 0: 3, item 1: 2, item 5: 1, items 2, 3, 4: 0   -> coverage 3/6
 *        sorted [0, 0, 0, 1, 2, 3], sum 6, weights 2j - 7 = -5 -3 -1 1 3 5:
 *        gini = (1*1 + 3*2 + 5*3) / (6 * 6) = 22/36
 *   K=3: item 0: 3, item 1: 2, items 3, 4, 5: 1, item 2: 0   -> coverage 5/6
 *        sorted [0, 1, 1, 1, 2, 3], sum 8: gini = (-3 - 1 + 1 + 6 + 15) / (6 * 8) = 18/48
 */
const relevant = UserItems.fromPairs(4, 6, Int32Array.from([0, 0, 1, 2, 2, 2, 2]), Int32Array.from([1, 2, 4, 0, 2, 3, 5]));
const users = Int32Array.from([0, 1, 2, 3]);
const topK = Int32Array.from([0, 1, 3, 0, 5, 4, 1, 0, -1, 2, 4, 3]);
const catalogue = { numItems: 6, itemCounts: Float64Array.from([5, 3, 0, 2, 1, 4]) };

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

describe('beyond-accuracy and calibrated metrics', () => {
  const r = computeMetrics(topK, 3, users, relevant, ['recall', 'recall_calibrated', 'avg_pop', 'coverage', 'gini'], [2, 3], catalogue);

  it('recall_calibrated divides the hits by min(n, K), recall by n', () => {
    assert.deepEqual([...r.users], [0, 1, 2]);
    const expect: Record<string, number[]> = {
      'recall_calibrated@2': [1 / 2, 0, 1 / 2],
      'recall_calibrated@3': [1 / 2, 1, 1 / 3],
      'recall@2': [1 / 2, 0, 1 / 4],
      'recall@3': [1 / 2, 1, 1 / 4],
    };
    for (const [key, values] of Object.entries(expect)) values.forEach((v, i) => close(r.perUser[key]![i]!, v, `${key} user ${i}`));
    close(r.mean['recall_calibrated@3']!, (1 / 2 + 1 + 1 / 3) / 3, 'mean recall_calibrated@3');
  });

  it('avg_pop is per user: the mean training count of the listed items, padding left out', () => {
    [4, 4.5, 4].forEach((v, i) => close(r.perUser['avg_pop@2']![i]!, v, `avg_pop@2 user ${i}`));
    [10 / 3, 10 / 3, 4].forEach((v, i) => close(r.perUser['avg_pop@3']![i]!, v, `avg_pop@3 user ${i}`));
    close(r.mean['avg_pop@2']!, 12.5 / 3, 'mean avg_pop@2');
    close(r.mean['avg_pop@3']!, 32 / 9, 'mean avg_pop@3');
  });

  it('coverage and gini are corpus-level: values in mean, none per user', () => {
    close(r.mean['coverage@2']!, 3 / 6, 'coverage@2');
    close(r.mean['coverage@3']!, 5 / 6, 'coverage@3');
    close(r.mean['gini@2']!, 22 / 36, 'gini@2');
    close(r.mean['gini@3']!, 18 / 48, 'gini@3');
    assert.deepEqual(r.corpus, ['coverage@2', 'coverage@3', 'gini@2', 'gini@3']);
    assert.deepEqual(Object.keys(r.perUser).sort(), ['avg_pop@2', 'avg_pop@3', 'recall@2', 'recall@3', 'recall_calibrated@2', 'recall_calibrated@3']);
  });

  it('gini is 0 for equal exposure and (N - 1) / N when one item takes every slot; coverage counts items listed at all', () => {
    assert.equal(gini(Float64Array.from([2, 2, 2, 2])), 0);
    // sorted [0, 0, 0, 4]: (2*4 - 4 - 1) * 4 / (4 * 4) = 3/4
    assert.equal(gini(Float64Array.from([0, 4, 0, 0])), 3 / 4);
    assert.ok(Number.isNaN(gini(Float64Array.from([0, 0]))));
    assert.equal(coverage(Float64Array.from([0, 1, 0, 7])), 1 / 2);
  });

  it('counts training interactions per item from the split', () => {
    const train = UserItems.fromPairs(3, 4, Int32Array.from([0, 0, 1, 2, 2]), Int32Array.from([0, 3, 3, 1, 3]));
    const c = catalogueOf(train);
    assert.equal(c.numItems, 4);
    assert.deepEqual(Array.from(c.itemCounts), [1, 1, 0, 3]);
  });

  it('refuses beyond-accuracy metrics without the item catalogue', () => {
    assert.throws(() => computeMetrics(topK, 3, users, relevant, ['gini'], [2]), InternalError);
    assert.throws(() => computeMetrics(topK, 3, users, relevant, ['avg_pop'], [2]), InternalError);
  });
});
