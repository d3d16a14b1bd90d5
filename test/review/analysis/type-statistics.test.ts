import assert from 'node:assert/strict';
import { majorityType, typeStatistics } from '../../../src/review/analysis/type-statistics.js';

// items 0..9 of types 0,0,0,1,1,1,2,2,2,2
const itemTypes = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 2]);

describe('typeStatistics (OneBP Fig. 7)', () => {
  it('gives share, precision and recall per type for one user', () => {
    // training types 0,0,1 -> majority 0; test items 2 (t0), 4 (t1), 7, 8 (t2); list 2,5,7,9 + padding
    const s = typeStatistics(itemTypes, 3, [0, 1, 3], [2, 4, 7, 8], [2, 5, 7, 9, -1], 5);
    assert.equal(s.majorityType, 0);
    assert.deepEqual(s.perType, [
      { type: 0, training: 2, relevant: 1, recommended: 1, hits: 1, listShare: 0.2, precision: 1, recall: 1 },
      { type: 1, training: 1, relevant: 1, recommended: 1, hits: 0, listShare: 0.2, precision: 0, recall: 0 },
      { type: 2, training: 0, relevant: 2, recommended: 2, hits: 1, listShare: 0.4, precision: 0.5, recall: 0.5 },
    ]);
    assert.equal(s.hits, 2);
    assert.equal(s.precision, 2 / 5);
    assert.equal(s.recall, 2 / 4);
  });

  it('uses only the first K entries and marks undefined ratios NaN', () => {
    const s = typeStatistics(itemTypes, 3, [0], [], [6, 0, 1], 1);
    assert.equal(s.perType[2]!.recommended, 1);
    assert.equal(s.perType[0]!.recommended, 0);
    assert.ok(Number.isNaN(s.perType[0]!.precision));
    assert.ok(Number.isNaN(s.perType[2]!.recall));
    assert.ok(Number.isNaN(s.recall));
    assert.throws(() => typeStatistics(itemTypes, 3, [0], [], [6], 2), RangeError);
  });

  it('breaks majority ties towards the lower type id', () => {
    assert.equal(majorityType(itemTypes, 3, [0, 3]), 0);
    assert.equal(majorityType(itemTypes, 3, [3, 6]), 1);
    assert.equal(majorityType(itemTypes, 3, [6, 7, 0, 3]), 2);
    assert.equal(majorityType(itemTypes, 3, []), -1);
  });
});
