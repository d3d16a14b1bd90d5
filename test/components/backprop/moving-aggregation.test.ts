import assert from 'node:assert/strict';
import { UserItems } from '../../../src/core/user-items.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { aggregationPlan } from '../../../src/components/backprop/moving-aggregation.js';
import type { Tables, TrainingProblem } from '../../../src/runtime/engine/engine.js';
import type { ModelConfig } from '../../runtime/reference/configs.js';
import { referenceStateFrom, referenceStep } from '../../../src/runtime/engine/reference/reference-step.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { batchOf, config, LOSSES, maxAbsDiff, prep } from '../../runtime/reference/configs.js';
import type { ComponentChoice } from '../../../src/components/catalogue.js';

/*
 * Hand-made example: 2 users, 4 items, d = 2, InfoNCE (dot, t = 1) with one negative,
 * SGD lr = 0.6 with weight decay 0.1, beta = 0.5, one batch of three samples:
 *   b=0: user 0, pos 0, neg 2      b=1: user 1, pos 1, neg 3      b=2: user 0, pos 1, neg 2
 * onebp: u0 = (1,0), u1 = (0,1); v0 = (1,0), v1 = (1,1), v2 = (1,0), v3 = (0,1).
 *   Every sample's positive and negative score 1, so loss_b = log(2e) - 1 = log 2 and
 *   dL/ds+ = -1/(2B) = -1/6, dL/ds- = +1/6; ds/dv = u.
 *   Item gradients: g0 = -u0/6 = (-1/6, 0); g1 = -(u1 + u0)/6 = (-1/6, -1/6); g2 = 2 u0/6 = (1/3, 0); g3 = u1/6 = (0, 1/6).
 *   SGD: v <- v - 0.6 (g + 0.1 v) = 0.94 v - 0.6 g:
 *     v0 = (1.04, 0), v1 = (1.04, 1.04), v2 = (0.74, 0), v3 = (0, 0.84).
 *   The user table gets no gradient and no decay; eq. (6) with the post-step items:
 *     last:       u0 = 0.5 (1,0) + 0.5 v1 = (1.02, 0.52) (the last occurrence, b=2, wins); u1 = 0.5 (0,1) + 0.5 v1 = (0.52, 1.02)
 *     sequential: u0 = 0.5 [0.5 (1,0) + 0.5 v0] + 0.5 v1 = 0.5 (1.02, 0) + (0.52, 0.52) = (1.03, 0.52); u1 = (0.52, 1.02)
 * user_only (the mirror, same tables and batch; item 1 is the duplicated positive):
 *   User gradients: g_u0 = (-v0 + v2 - v1 + v2)/6 = (0, -1/6); g_u1 = (-v1 + v3)/6 = (-1/6, 0).
 *   SGD: u0 = 0.94 (1,0) + (0, 0.1) = (0.94, 0.1); u1 = 0.94 (0,1) + (0.1, 0) = (0.1, 0.94).
 *   Items (no gradient, no decay): v0 = 0.5 (1,0) + 0.5 u0 = (0.97, 0.05);
 *     last:       v1 = 0.5 (1,1) + 0.5 u0 = (0.97, 0.55) (b=2 wins)
 *     sequential: v1 = 0.5 [0.5 (1,1) + 0.5 u1] + 0.5 u0 = 0.5 (0.55, 0.97) + (0.47, 0.05) = (0.745, 0.535)
 *   v2 = (1, 0) and v3 = (0, 1) unchanged.
 */
const tables = (): Tables => ({ user: Float32Array.from([1, 0, 0, 1]), item: Float32Array.from([1, 0, 1, 1, 1, 0, 0, 1]), dim: 2 });
const batch = batchOf([0, 1, 0], [0, 1, 1], [2, 3, 2]);
type BackpropConfig = ComponentChoice;
const cfg = (backprop: BackpropConfig, optimizer: ComponentChoice = { name: 'sgd', params: { lr: 0.6, weight_decay: 0.1 } }): ModelConfig => config(LOSSES['infonce dot']!, backprop, optimizer, 1, 2);
const problem: TrainingProblem = {
  numUsers: 2,
  numItems: 4,
  pairUsers: batch.users,
  pairItems: batch.pos,
  positives: UserItems.fromPairs(2, 4, batch.users, batch.pos),
};

const cases: { name: string; backprop: BackpropConfig; user: number[]; item: number[] }[] = [
  { name: 'onebp, duplicates last', backprop: { name: 'onebp', params: { beta: 0.5, duplicates: 'last' } }, user: [1.02, 0.52, 0.52, 1.02], item: [1.04, 0, 1.04, 1.04, 0.74, 0, 0, 0.84] },
  { name: 'onebp, duplicates sequential', backprop: { name: 'onebp', params: { beta: 0.5, duplicates: 'sequential' } }, user: [1.03, 0.52, 0.52, 1.02], item: [1.04, 0, 1.04, 1.04, 0.74, 0, 0, 0.84] },
  { name: 'user_only, duplicates last', backprop: { name: 'user_only', params: { beta: 0.5, duplicates: 'last' } }, user: [0.94, 0.1, 0.1, 0.94], item: [0.97, 0.05, 0.97, 0.55, 1, 0, 0, 1] },
  { name: 'user_only, duplicates sequential', backprop: { name: 'user_only', params: { beta: 0.5, duplicates: 'sequential' } }, user: [0.94, 0.1, 0.1, 0.94], item: [0.97, 0.05, 0.745, 0.535, 1, 0, 0, 1] },
];

describe('moving aggregation (OneBP eq. 6 and its flip) on a hand-made example', () => {
  for (const c of cases) {
    it(`reference: ${c.name}`, () => {
      const state = referenceStateFrom(tables());
      const loss = referenceStep(state, batch, cfg(c.backprop), prep(cfg(c.backprop)));
      assert.ok(Math.abs(loss - Math.LN2) < 1e-12, `loss ${loss}`);
      assert.ok(maxAbsDiff(state.user, c.user) < 1e-12, `user ${Array.from(state.user)}`);
      assert.ok(maxAbsDiff(state.item, c.item) < 1e-12, `item ${Array.from(state.item)}`);
    });
    it(`tfjs engine (cpu): ${c.name}`, async () => {
      const engine = createTfjsEngine(await selectBackend('cpu'));
      const trainer = await engine.createTrainer(problem, cfg(c.backprop), { batch: 3, shuffle: false, dropLast: false, seed: 1 }, tables(), { threads: 1 });
      try {
        const loss = await trainer.trainBatch(batch);
        assert.ok(Math.abs(loss - Math.LN2) < 1e-6, `loss ${loss}`);
        const t = await trainer.parameters();
        assert.ok(maxAbsDiff(t.user, c.user) < 1e-6, `user ${Array.from(t.user)}`);
        assert.ok(maxAbsDiff(t.item, c.item) < 1e-6, `item ${Array.from(t.item)}`);
      } finally {
        await trainer.dispose();
      }
    });
  }

  it('onebp under Adam keeps no moments for the user table (it is not a parameter)', async () => {
    const adam = cfg(cases[0]!.backprop, { name: 'adam', params: { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1, lazy: false } });
    const state = referenceStateFrom(tables());
    referenceStep(state, batch, adam, prep(adam));
    assert.deepEqual(Object.keys(state.slots).sort(), ['m.item', 'v.item']);
    const trainer = await createTfjsEngine(await selectBackend('cpu')).createTrainer(problem, adam, { batch: 3, shuffle: false, dropLast: false, seed: 1 }, tables(), { threads: 1 });
    await trainer.trainBatch(batch);
    const saved = await trainer.saveState();
    assert.deepEqual(Object.keys(saved.slots).sort(), ['m.item', 'v.item']);
    assert.ok(maxAbsDiff(saved.tables.user, state.user) < 1e-6);
    await trainer.dispose();
  });

  it('aggregationPlan folds duplicates into weights', () => {
    // target rows 4, 7, 4, 4 from sources 0, 1, 2, 3
    const t = Int32Array.from([4, 7, 4, 4]);
    const s = Int32Array.from([0, 1, 2, 3]);
    const last = aggregationPlan(t, s, 4, { beta: 0.5, duplicates: 'last' });
    assert.deepEqual(Array.from(last.rows), [4, 7]);
    assert.deepEqual(Array.from(last.keep), [0.5, 0.5]);
    assert.deepEqual(Array.from(last.src), [3, 1]);
    assert.deepEqual(Array.from(last.weight), [0.5, 0.5]);
    assert.deepEqual(Array.from(last.seg), [0, 1]);
    const seq = aggregationPlan(t, s, 4, { beta: 0.5, duplicates: 'sequential' });
    // row 4: beta^3 old + (1-beta) (beta^2 x0 + beta x2 + x3)
    assert.deepEqual(Array.from(seq.keep), [0.125, 0.5]);
    assert.deepEqual(Array.from(seq.src), [0, 2, 3, 1]);
    assert.deepEqual(Array.from(seq.weight), [0.125, 0.25, 0.5, 0.5]);
    assert.deepEqual(Array.from(seq.seg), [0, 0, 0, 1]);
  });
});
