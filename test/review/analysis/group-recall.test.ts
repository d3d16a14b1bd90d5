import assert from 'node:assert/strict';
import { groupRecall } from '../../../src/review/analysis/group-recall.js';
import { UserItems } from '../../../src/core/user-items.js';
import { CounterRng } from '../../../src/core/rng.js';

const rows = (r: number[][]) => ({ row: (u: number) => Int32Array.from(r[u]!) });

describe('groupRecall (SSM eq. 29)', () => {
  // items 0..5 in groups 0,0,1,1,2,2; rankings of length 3 for users 0, 1, 2
  const groupOf = Int32Array.from([0, 0, 1, 1, 2, 2]);
  const users = Int32Array.from([0, 1, 2]);
  const topK = Int32Array.from([0, 2, 4, /**/ 5, 1, -1, /**/ 3, 4, 0]);
  const relevant = rows([[0, 4], [1, 3, 5], []]);

  it('splits Recall@2 into per-group parts by hand', () => {
    // user 0: item 0 hits (group 0): 1/2; user 1: items 5 (group 2) and 1 (group 0) hit: 1/3 each;
    // user 2 has no test items and is skipped, M = 2
    const r = groupRecall(topK, 3, 2, users, relevant, groupOf, 3);
    assert.equal(r.users, 2);
    const expected = [(1 / 2 + 1 / 3) / 2, 0, 1 / 3 / 2];
    expected.forEach((e, g) => assert.ok(Math.abs(r.perGroup[g]! - e) < 1e-15, `group ${g}`));
    assert.ok(Math.abs(r.total - 7 / 12) < 1e-15);
    assert.ok(Math.abs(r.perGroup.reduce((s, v) => s + v, 0) - r.total) < 1e-15);
  });

  it('skips -1 padding and counts hits up to K = 3', () => {
    // user 0 adds item 4 (group 2): 1/2; user 1's third slot is padding
    const r = groupRecall(topK, 3, 3, users, relevant, groupOf, 3);
    assert.ok(Math.abs(r.perGroup[2]! - (1 / 2 + 1 / 3) / 2) < 1e-15);
    assert.ok(Math.abs(r.total - 5 / 6) < 1e-15);
  });

  it('sums to the directly computed recall on a random instance', () => {
    const rng = new CounterRng(5, 1, 0);
    const numUsers = 50;
    const numItems = 40;
    const u: number[] = [];
    const it: number[] = [];
    for (let x = 0; x < 300; x++) {
      u.push(rng.int(numUsers));
      it.push(rng.int(numItems));
    }
    const test = UserItems.fromPairs(numUsers, numItems, Int32Array.from(u), Int32Array.from(it));
    const k = 10;
    const ranking = new Int32Array(numUsers * k);
    for (let x = 0; x < ranking.length; x++) ranking[x] = rng.int(numItems);
    const groups = Int32Array.from({ length: numItems }, (_, i) => i % 4);
    const all = Int32Array.from({ length: numUsers }, (_, i) => i);
    const r = groupRecall(ranking, k, 10, all, test, groups, 4);
    assert.ok(r.total > 0);
    assert.ok(Math.abs(r.perGroup.reduce((s, v) => s + v, 0) - r.total) < 1e-12);
  });

  it('rejects K > k and a topK of the wrong size', () => {
    assert.throws(() => groupRecall(topK, 3, 4, users, relevant, groupOf, 3), RangeError);
    assert.throws(() => groupRecall(topK.subarray(1), 3, 2, users, relevant, groupOf, 3), RangeError);
  });
});
