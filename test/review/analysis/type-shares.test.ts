import assert from 'node:assert/strict';
import { typeShares } from '../../../src/review/analysis/type-shares.js';

const rows = (r: number[][]) => ({ row: (u: number) => Int32Array.from(r[u]!) });
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-15, `${what}: ${a} vs ${b}`);

describe('typeShares (OneBP Fig. 8)', () => {
  // items 0..9 of types 0,0,0,1,1,1,2,2,2,2
  // user 0: training types 0,0,1 -> ranks 0 (majority), 1, 2; test 2 (t0), 4 (t1); list 2, 4, 7
  // user 1: training types 2,2,1 -> ranks 2 (majority), 1, 0; test 5 (t1), 0 (t0); list 8, 5, 0
  // user 2: no training items: left out
  const input = {
    itemTypes: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 2]),
    numTypes: 3,
    users: Int32Array.from([0, 1, 2]),
    topK: Int32Array.from([2, 4, 7, 8, 5, 0, 0, 1, 2]),
    k: 3,
    train: rows([[0, 1, 3], [6, 7, 4], []]),
    test: rows([[2, 4], [5, 0], [1]]),
    Ks: [1, 2, 3],
  };
  const [k1, k2, k3] = typeShares(input);

  it('counts only users with training items and their slots', () => {
    assert.equal(k1!.users, 2);
    assert.equal(k3!.slots, 6);
    near(k1!.trainingMajorityShare, 4 / 6, 'training share');
  });

  it('K = 1: every slot in the majority type', () => {
    assert.equal(k1!.majorityShare, 1);
    assert.equal(k1!.minorityShare, 0);
    near(k1!.majorityPrecision, 1 / 2, 'majority precision'); // user 0's item 2 hits, user 1's item 8 does not
    near(k1!.majorityRecall, 1, 'majority recall'); // 1 majority-type test item (user 0's item 2), hit
    near(k1!.minorityRecall, 0, 'minority recall'); // 3 minority-type test items
  });

  it('K = 2: minority slots all in the second-ranked type, evenness 0', () => {
    near(k2!.majorityShare, 0.5, 'majority share');
    assert.deepEqual(Array.from(k2!.minorityByRank), [1, 0]);
    assert.deepEqual(Array.from(k2!.minorityByType), [0, 1, 0]);
    assert.equal(k2!.minorityUnseenShare, 0);
    assert.equal(k2!.minorityEvenness, 0);
  });

  it('K = 3: minority slots spread evenly over ranks and types', () => {
    near(k3!.majorityShare, 1 / 3, 'majority share');
    assert.deepEqual(Array.from(k3!.minorityByRank), [0.5, 0.5]);
    assert.deepEqual(Array.from(k3!.minorityByType), [0.25, 0.5, 0.25]);
    assert.equal(k3!.minorityUnseenShare, 0.5); // user 0's item 7 (type 2), user 1's item 0 (type 0)
    assert.equal(k3!.minorityEvenness, 1);
    near(k3!.minorityPrecision, 3 / 4, 'minority precision');
    assert.equal(k3!.minorityRecall, 1);
  });

  it('rejects K beyond the ranked length', () => {
    assert.throws(() => typeShares({ ...input, Ks: [4] }), RangeError);
  });
});
