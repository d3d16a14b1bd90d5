import assert from 'node:assert/strict';
import { describe as describeValues, mean, median, sampleStd } from '../../../src/review/stats/describe.js';
import { pairedTTest } from '../../../src/review/stats/paired-t-test.js';
import { wilcoxonNullPmf, wilcoxonSignedRank } from '../../../src/review/stats/wilcoxon-signed-rank.js';
import { holmBonferroni } from '../../../src/review/stats/holm-bonferroni.js';
import { normalTwoSidedP, studentTTwoSidedP } from '../../../src/review/stats/distributions.js';

const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('stats by hand', () => {
  it('describe: mean, sample std (ddof 1), sem, median, range', () => {
    const d = describeValues([4, 1, 3, 2]);
    assert.deepEqual({ ...d, std: 0, sem: 0 }, { n: 4, mean: 2.5, std: 0, sem: 0, min: 1, median: 2.5, max: 4 });
    near(d.std, Math.sqrt(5 / 3));
    near(d.sem, Math.sqrt(5 / 3) / 2);
    assert.equal(median([3, 1, 2]), 2);
    assert.ok(Number.isNaN(sampleStd([1])));
    assert.ok(Number.isNaN(mean([])));
  });

  it('Student t tails equal the closed forms for 1, 2 and 3 degrees of freedom', () => {
    for (const t of [0.1, 0.5, 1, 2.5, 10, 1e4]) {
      near(studentTTwoSidedP(t, 1), 1 - (2 / Math.PI) * Math.atan(t)); // Cauchy
      near(studentTTwoSidedP(-t, 2), 1 - t / Math.sqrt(2 + t * t));
      near(studentTTwoSidedP(t, 3), 1 - (2 / Math.PI) * (Math.atan(t / Math.sqrt(3)) + (Math.sqrt(3) * t) / (3 + t * t)), 1e-11);
    }
    assert.equal(studentTTwoSidedP(0, 5), 1);
    assert.equal(studentTTwoSidedP(Infinity, 5), 0);
  });

  it('normal two-sided p: 0.05 at z = 1.959963984540054', () => {
    near(normalTwoSidedP(1.959963984540054), 0.05, 1e-13);
    near(normalTwoSidedP(-1), 0.31731050786291415, 1e-13);
  });

  it('pairedTTest on d = (0, 0, 0, -1): t = -0.25 / (0.5 / 2) = -1, df 3', () => {
    const r = pairedTTest([1, 2, 3, 4], [1, 2, 3, 5]);
    near(r.statistic, -1);
    assert.equal(r.df, 3);
    assert.equal(r.meanDiff, -0.25);
    near(r.pValue, 1 - (2 / Math.PI) * (Math.PI / 6 + Math.sqrt(3) / 4));
  });

  it('pairedTTest degenerate input: constant shift -> t = inf, p = 0; identical -> NaN', () => {
    const shift = pairedTTest([2, 3, 4], [1, 2, 3]);
    assert.equal(shift.statistic, Infinity);
    assert.equal(shift.pValue, 0);
    const same = pairedTTest([1, 2, 3], [1, 2, 3]);
    assert.ok(Number.isNaN(same.statistic) && Number.isNaN(same.pValue));
    assert.throws(() => pairedTTest([1, 2], [1]), RangeError);
  });

  it('Wilcoxon null distribution for n = 3: W+ in 0..6 with counts 1,1,1,2,1,1,1 over 8', () => {
    assert.deepEqual(Array.from(wilcoxonNullPmf(3)).map((p) => p * 8), [1, 1, 1, 2, 1, 1, 1]);
  });

  it('Wilcoxon exact by hand: d = (1, -2, 3, 4, 5): W- = 2, p = 2 P(W+ <= 2) = 2 x 3/32', () => {
    const r = wilcoxonSignedRank([1, -2, 3, 4, 5], [0, 0, 0, 0, 0]);
    assert.deepEqual(r, { statistic: 2, pValue: 6 / 32, method: 'exact', n: 5 });
  });

  it('Wilcoxon normal approximation by hand: n = 10 all positive, T = 0', () => {
    const r = wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], new Array(10).fill(0), { method: 'normal' });
    const z = (0 - 27.5) / Math.sqrt((10 * 11 * 21) / 24);
    assert.equal(r.method, 'normal');
    near(r.pValue, normalTwoSidedP(z));
  });

  it('Wilcoxon drops zero differences and then uses the tie-corrected normal approximation', () => {
    // d = (0, 1, 1, -2): ranks of |d| over the non-zero ones: 1.5, 1.5, 3; W+ = 3, W- = 3
    const r = wilcoxonSignedRank([5, 2, 3, 0], [5, 1, 2, 2]);
    assert.equal(r.n, 3);
    assert.equal(r.statistic, 3);
    assert.equal(r.method, 'normal');
    const se = Math.sqrt((3 * 4 * 7 - (2 * 3) / 2) / 24);
    near(r.pValue, normalTwoSidedP((3 - 3) / se));
    const zero = wilcoxonSignedRank([1, 2], [1, 2]);
    assert.deepEqual([zero.statistic, zero.n, Number.isNaN(zero.pValue)], [0, 0, true]);
  });

  it('Holm: step-down, monotone, capped at 1, ties equal, NaN left out of the family', () => {
    // sorted 0.005 x 4, 0.01 x 3, 0.03 x 2, 0.04 x 1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.06
    const adj = holmBonferroni([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((e, i) => near(adj[i]!, e));
    assert.deepEqual(holmBonferroni([0.6, 0.5]), [1, 1]);
    assert.deepEqual(holmBonferroni([0.02, 0.02, 0.02]), [0.06, 0.06, 0.06]);
    const withNaN = holmBonferroni([0.01, NaN, 0.04]);
    near(withNaN[0]!, 0.02);
    assert.ok(Number.isNaN(withNaN[1]!));
    near(withNaN[2]!, 0.04);
    assert.deepEqual(holmBonferroni([]), []);
    assert.throws(() => holmBonferroni([1.5]), RangeError);
  });
});
