import assert from 'node:assert/strict';
import { CounterRng, Stream } from '../../../src/core/rng.js';
import { exactTsneBytes, MAX_PROJECTED_ITEMS, projectionSample } from '../../../src/review/analysis/projection-sample.js';

describe('projectionSample (the items a 2-D projection shows)', () => {
  it('keeps every item, in order, when there are at most cap', () => {
    const s = projectionSample(5, [4], 7, 5);
    assert.deepEqual([...s.items], [0, 1, 2, 3, 4]);
    assert.deepEqual({ of: s.of, seed: s.seed, kept: s.kept }, { of: 5, seed: 7, kept: 0 });
  });

  it('draws by hand: 4 items, cap 2, item 3 kept; the other is rest[rng.int(3)] of rest = [0, 1, 2]', () => {
    const s = projectionSample(4, [3], 11, 2);
    const j = new CounterRng(11, Stream.kmeans, 0x53414d50).int(3);
    assert.deepEqual([...s.items], [[0, 1, 2][j]!, 3]);
    assert.equal(s.kept, 1);
  });

  it('has exactly cap distinct items in range, ascending, with every kept item, and the same sample for the same seed', () => {
    const keep = [40_980, 17, 17, 5000];
    const a = projectionSample(40_981, keep, 2022);
    assert.equal(a.items.length, MAX_PROJECTED_ITEMS);
    assert.equal(new Set(a.items).size, MAX_PROJECTED_ITEMS);
    for (let i = 1; i < a.items.length; i++) assert.ok(a.items[i - 1]! < a.items[i]!);
    assert.ok(a.items[0]! >= 0 && a.items[a.items.length - 1]! < 40_981);
    for (const k of keep) assert.ok(a.items.includes(k), `kept item ${k}`);
    assert.equal(a.kept, 3, 'a duplicate kept item counts once');
    assert.deepEqual(projectionSample(40_981, keep, 2022).items, a.items);
    assert.notDeepEqual(projectionSample(40_981, keep, 2023).items, a.items, 'another seed, another sample');
  });

  it('draws uniformly: over 2,000 seeds each of 10 items is in a 4-of-10 sample about 40% of the time', () => {
    const hits = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 2000; seed++) for (const i of projectionSample(10, [], seed, 4).items) hits[i]!++;
    // Binomial(2000, 0.4): sd 21.9, so +-110 is 5 sd.
    for (const h of hits) assert.ok(Math.abs(h - 800) < 110, `count ${h}`);
  });

  it('keeps at most cap items when the user has more training items than that', () => {
    const s = projectionSample(100, [9, 8, 7, 6], 1, 2);
    assert.deepEqual([...s.items], [8, 9]);
    assert.equal(s.kept, 2);
  });

  it('states the memory exact t-SNE holds: two n x n float64 matrices (144 MB at the cap, 26.9 GB for all of Gowalla)', () => {
    assert.equal(exactTsneBytes(MAX_PROJECTED_ITEMS + 1), 2 * 3001 * 3001 * 8);
    assert.equal(exactTsneBytes(40_982), 26_872_389_184);
  });

  it('refuses a cap below 1 and items out of range', () => {
    assert.throws(() => projectionSample(10, [], 1, 0), /cap must be an integer >= 1, got 0/);
    assert.throws(() => projectionSample(10, [10], 1, 3), /item 10 is outside 0\.\.9/);
  });
});
