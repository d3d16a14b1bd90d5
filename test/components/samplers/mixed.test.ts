import assert from 'node:assert/strict';
import { mixed, mixedMinusLogQ } from '../../../src/components/samplers/mixed.js';
import { itemCounts } from '../../../src/components/samplers/popularity.js';
import { negativesStream } from '../../../src/components/samplers/uniform.js';
import { boundedFrom, hash4 } from '../../../src/core/rng.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { TrainingData } from '../../../src/contract/training.js';
import { allocBatch, fillBatch } from '../../../src/runtime/training/epoch.js';

/** 3 users, 5 items: user 0 has items 0, 1, 2; user 1 items 1, 2; user 2 item 2. Counts 1, 2, 3, 0, 0 over 6 pairs. */
function data(): TrainingData {
  const positives = UserItems.fromPairs(3, 5, Int32Array.of(0, 0, 0, 1, 1, 2), Int32Array.of(0, 1, 2, 1, 2, 2));
  const p = positives.pairs();
  return { numUsers: 3, numItems: 5, pairUsers: p.users, pairItems: p.items, positives };
}

describe('sampler mixed (MNS)', () => {
  it('columns: the B in-batch positives, then n uniform draws shared by the rows; a row\'s own item is masked in both', () => {
    const d = data();
    const s = mixed.bind({ uniform: 40, logq: false });
    s.prepare(d);
    const buf = allocBatch(3, s);
    const order = Int32Array.of(0, 1, 2, 3, 4, 5);
    const b = fillBatch(d, { batch: 3, seed: 4 }, s, order, 2, 1, buf); // pairs 3..5: items 1, 2, 2
    assert.equal(b.width, 3 + 40);
    assert.deepEqual(Array.from(b.neg.subarray(0, 3)), [1, 2, 2]);
    for (let k = 0; k < 40; k++) assert.equal(b.neg[3 + k], boundedFrom(hash4(4, negativesStream(2), 3, k), 5));
    const cols = 44;
    for (let r = 0; r < 3; r++)
      for (let k = 1; k < cols; k++) assert.equal(b.mask![r * cols + k], b.neg[k - 1] === b.pos[r] ? 1 : 0, `row ${r} column ${k}`);
    // 40 uniform draws over 5 items: every item appears (the draws are not restricted to the batch)
    assert.equal(new Set(b.neg.subarray(3, 43)).size, 5);
  });

  it('logQ: -log q_mix(i), q_mix = (B count(i) / pairs + n / N) / (B + n), on every column (hand-computed)', () => {
    const d = data();
    assert.deepEqual(Array.from(itemCounts(d)), [1, 2, 3, 0, 0]);
    // B = 2, n = 3, N = 5, pairs 6: q_mix(0) = (2/6 + 3/5) / 5, q_mix(3) = (0 + 3/5) / 5
    const t = mixedMinusLogQ(itemCounts(d), 6, 2, 3);
    assert.ok(Math.abs(t[0]! + Math.log((2 / 6 + 0.6) / 5)) < 1e-12);
    assert.ok(Math.abs(t[2]! + Math.log((6 / 6 + 0.6) / 5)) < 1e-12);
    assert.ok(Math.abs(t[3]! + Math.log(0.6 / 5)) < 1e-12);
    const s = mixed.bind({ uniform: 3, logq: true });
    s.prepare(d);
    const buf = allocBatch(2, s);
    const b = fillBatch(d, { batch: 2, seed: 1 }, s, Int32Array.of(0, 1, 2, 3, 4, 5), 0, 0, buf);
    for (let r = 0; r < 2; r++)
      for (let k = 0; k < 6; k++) {
        const item = k === 0 ? b.pos[r]! : b.neg[k - 1]!;
        assert.ok(Math.abs(b.logq![r * 6 + k]! - t[item]!) < 1e-12, `row ${r} column ${k}`);
      }
    // the last, smaller batch gets the table of its own B
    const last = fillBatch(d, { batch: 4, seed: 1 }, s, Int32Array.of(0, 1, 2, 3, 4, 5), 0, 1, allocBatch(4, s));
    assert.equal(last.size, 2);
    assert.ok(Math.abs(last.logq![0]! - mixedMinusLogQ(itemCounts(d), 6, 2, 3)[last.pos[0]!]!) < 1e-12);
  });
});
