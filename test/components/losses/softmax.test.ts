import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { allItems } from '../../../src/components/samplers/all-items.js';
import { softmax } from '../../../src/components/losses/softmax.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { TrainingData } from '../../../src/contract/training.js';
import { batchScores } from '../../../src/runtime/engine/batch-scores.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import { allocBatch, fillBatch } from '../../../src/runtime/training/epoch.js';

/** 2 users, 4 items: user 0 has items 0 and 2, user 1 has item 3. */
function data(): TrainingData {
  const positives = UserItems.fromPairs(2, 4, Int32Array.of(0, 0, 1), Int32Array.of(0, 2, 3));
  const p = positives.pairs();
  return { numUsers: 2, numItems: 4, pairUsers: p.users, pairItems: p.items, positives };
}

describe('full softmax: sampler all_items and loss softmax (SSM paper eq. 27)', () => {
  it('all_items: every item is a shared candidate in id order, and only the row\'s own positive column is masked', () => {
    const d = data();
    const s = allItems.bind({});
    s.prepare(d);
    const b = fillBatch(d, { batch: 3, seed: 1 }, s, Int32Array.of(2, 0, 1), 0, 0, allocBatch(3, s));
    assert.equal(b.layout, 'shared');
    assert.equal(b.width, 4);
    assert.deepEqual(Array.from(b.neg), [0, 1, 2, 3]);
    assert.deepEqual(Array.from(b.pos), [3, 0, 2]);
    // rows: pos 3, 0, 2 -> masked columns 4, 1, 3; the user's other training item (row 1: item 2) stays a candidate
    assert.deepEqual(Array.from(b.mask!), [0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    // a second, smaller batch clears the first batch's flags
    const again = fillBatch(d, { batch: 2, seed: 1 }, s, Int32Array.of(2, 0, 1), 0, 1, b);
    assert.equal(again.size, 1);
    assert.deepEqual(Array.from(again.mask!.subarray(0, 5)), [0, 0, 0, 1, 0]); // pair 1: item 2
  });

  it('softmax = -log(exp(s_ui / t) / sum_j exp(s_uj / t)) over the whole catalogue (hand-computed), gradient softmax - onehot', () => {
    const d = data();
    const s = allItems.bind({});
    s.prepare(d);
    const b = fillBatch(d, { batch: 1, seed: 1 }, s, Int32Array.of(1), 0, 0, allocBatch(1, s)); // user 0, positive item 2
    // dot scores of user (1, 0) with items (x_j, .): 0.5, -1, 2, 0
    const E = { user: Float64Array.of(1, 0, 0, 0), item: Float64Array.of(0.5, 0, -1, 0, 2, 0, 0, 0), dim: 2, stride: 2 };
    const S = batchScores(E, b, 'dot');
    assert.deepEqual(Array.from(S), [2, 0.5, -1, 2, 0]);
    const t = 0.5;
    const loss = softmax.bind({ temperature: t, similarity: 'dot' });
    const dS = new Float64Array(S.length);
    const got = loss.reference(S, 1, 5, b.mask, dS);
    const z = [0.5, -1, 2, 0].map((x) => Math.exp(x / t));
    const sum = z.reduce((a, x) => a + x, 0);
    assert.ok(Math.abs(got - -Math.log(z[2]! / sum)) < 1e-12, `loss ${got}`);
    // column 0 carries the positive: softmax_2 - 1; the masked duplicate column gets nothing
    assert.ok(Math.abs(dS[0]! - (z[2]! / sum - 1) / t) < 1e-12);
    assert.equal(dS[3], 0);
    for (const [col, j] of [[1, 0], [2, 1], [4, 3]] as const) assert.ok(Math.abs(dS[col]! - z[j]! / sum / t) < 1e-12, `column ${col}`);
  });

  it('the fused engine trains it in row blocks of dense products and agrees with the float64 reference', async () => {
    const d = data();
    const model = bindModel({
      encoder: { name: 'mf', params: { dim: 6, init: 'normal', std: 0.3 } },
      sampler: { name: 'all_items', params: {} },
      loss: { name: 'softmax', params: { temperature: 0.2, similarity: 'cosine' } },
      backprop: { name: 'both', params: {} },
      optimizer: { name: 'adam', params: { lr: 0.01 } },
    });
    const problem = { ...d };
    const schedule = { batch: 2, shuffle: true, dropLast: false, seed: 3 };
    const init = model.encoder.init(2, 4, 5);
    const ref = new ReferenceTrainer(problem, model, schedule, init);
    const t = await fusedEngine.createTrainer(problem, model, schedule, init, { threads: 2 });
    try {
      assert.match(String(t.details['kernels']), /GEMM/);
      for (let e = 0; e < 3; e++) {
        const [a, b] = [await ref.trainEpoch(e), await t.trainEpoch(e)];
        assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `epoch ${e}: ${b.loss} vs ${a.loss}`);
      }
      const p = await t.parameters();
      for (let i = 0; i < p.item.length; i++) assert.ok(Math.abs(p.item[i]! - ref.reference.item[i]!) < 1e-5);
    } finally {
      await t.dispose();
    }
  });
});
