import assert from 'node:assert/strict';
import { groupSizes, popularityGroups } from '../../../src/review/analysis/popularity-groups.js';

describe('popularityGroups', () => {
  it('cuts the degree-sorted items where the cumulative degree is nearest to equal shares', () => {
    // order 0,1,2,3,4 (degrees 0,1,1,2,4), T = 8; midpoints 0, .5, 1.5, 3, 6 -> x 2/8 -> 0,0,0,0,1
    assert.deepEqual(Array.from(popularityGroups([0, 1, 1, 2, 4], 2)), [0, 0, 0, 0, 1]);
  });

  it('orders equal degrees by item id and prefers the cut closest to T / groups', () => {
    // order 1,3,0,2 (degrees 1,1,3,3); cut after item 0 gives 5 | 3 (1 from 4), after item 3 gives 2 | 6 (2 from 4)
    const g = popularityGroups([3, 1, 3, 1], 2);
    assert.deepEqual(Array.from(g), [0, 0, 1, 0]);
    assert.deepEqual(Array.from(groupSizes([3, 1, 3, 1], g, 2).interactions), [5, 3]);
  });

  it('gives equal-degree items equal groups of consecutive ids', () => {
    const g = popularityGroups(new Array(20).fill(1), 10);
    assert.deepEqual(Array.from(g), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const sizes = groupSizes(new Array(20).fill(1), g, 10);
    assert.deepEqual(Array.from(sizes.items), new Array(10).fill(2));
  });

  it('leaves groups empty when one item spans several boundaries', () => {
    // T = 104: the big item's midpoint 54 falls in group floor(4 * 54 / 104) = 2; group 3 stays empty
    assert.deepEqual(Array.from(popularityGroups([1, 1, 1, 1, 100], 4)), [0, 0, 0, 0, 2]);
  });

  it('puts degree-0 items in group 0, and everything there when there are no interactions', () => {
    const g = popularityGroups([5, 0, 5, 0, 5, 5], 3);
    assert.equal(g[1], 0);
    assert.equal(g[3], 0);
    assert.deepEqual(Array.from(popularityGroups([0, 0, 0], 10)), [0, 0, 0]);
  });

  it('keeps groups monotone in degree with totals near T / groups on a skewed distribution', () => {
    const degrees = Array.from({ length: 500 }, (_, i) => Math.floor(1000 / (i + 1))); // Zipf-like
    const g = popularityGroups(degrees, 10);
    const order = degrees.map((_, i) => i).sort((a, b) => degrees[a]! - degrees[b]! || a - b);
    for (let r = 1; r < order.length; r++) assert.ok(g[order[r]!]! >= g[order[r - 1]!]!);
    const { interactions } = groupSizes(degrees, g, 10);
    const T = degrees.reduce((s, d) => s + d, 0);
    // each cut is off by at most half the degree of the item it falls on: here the top items
    // (1000, 500, 333, ...) each fill a group alone, so only the lower groups are checked tightly
    for (let k = 0; k < 6; k++) assert.ok(Math.abs(interactions[k]! - T / 10) <= 100, `group ${k}: ${interactions[k]}`);
  });

  it('rejects a bad group count and negative degrees', () => {
    assert.throws(() => popularityGroups([1, 2], 0), RangeError);
    assert.throws(() => popularityGroups([1, -2], 2), RangeError);
  });
});
