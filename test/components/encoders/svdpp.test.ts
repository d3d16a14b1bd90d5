import assert from 'node:assert/strict';
import { svdpp } from '../../../src/components/encoders/svdpp.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { tfjsGradients } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { UserItems } from '../../../src/core/user-items.js';
import type { Tables64, TrainingData } from '../../../src/contract/training.js';
import { BACKPROPS, batchOf, config, finiteDifferenceError, LOSSES, maxAbsDiff, OPTIMIZERS, randomProblem } from '../../runtime/reference/configs.js';
import { CounterRng } from '../../../src/core/rng.js';

/*
 * A hand-computed graph: 2 users, 3 items, d = 2; user 0 has items {0, 1}, user 1 has {1, 2}
 * (the pair (1, 1) given twice: degrees count distinct items). Degrees: |P_u0| = |P_u1| = 2,
 * |P_i0| = 1, |P_i1| = 2, |P_i2| = 1.
 *   p0 = (1, 0), p1 = (0, 2);  q0 = (1, 1), q1 = (2, 0), q2 = (0, -1)
 * Vanilla SVD++ (side user, a0 = 0.5, a1 = 0): p_u = p_u0 + |P_u|^-1/2 sum_{i in P_u} q_i0, items unchanged:
 *   p_0 = (1, 0) + ((1, 1) + (2, 0)) / sqrt 2 = (1 + 3/sqrt2, 1/sqrt2)
 *   p_1 = (0, 2) + ((2, 0) + (0, -1)) / sqrt 2 = (2/sqrt2, 2 - 1/sqrt2)
 * Item side, a0 = a1 = 0.5 (eq. 30): q_i = q_i0 + sum_{u in P_i} p_u0 / (sqrt|P_i| sqrt|P_u|), users unchanged:
 *   q_0 = (1, 1) + (1, 0) / sqrt(1 * 2)              = (1 + 1/sqrt2, 1)
 *   q_1 = (2, 0) + ((1, 0) + (0, 2)) / sqrt(2 * 2)    = (2.5, 1)
 *   q_2 = (0, -1) + (0, 2) / sqrt(1 * 2)             = (0, -1 + 2/sqrt2)
 */
const users = Int32Array.from([0, 0, 1, 1, 1]);
const items = Int32Array.from([0, 1, 1, 2, 1]);
const positives = UserItems.fromPairs(2, 3, users, items);
const hand: TrainingData = { numUsers: 2, numItems: 3, pairUsers: users, pairItems: items, positives };
const E0: Tables64 = { user: Float64Array.from([1, 0, 0, 2]), item: Float64Array.from([1, 1, 2, 0, 0, -1]), dim: 2 };
const r2 = Math.SQRT2;

const close = (a: ArrayLike<number>, b: number[], what: string) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-14, `${what}[${i}] = ${a[i]}, expected ${b[i]}`);
};

const enc = (params: Record<string, unknown>) => svdpp.bind({ dim: 2, ...params } as never);

describe('encoder svdpp (SSM eq. 30; vanilla SVD++ its special case)', () => {
  it('defaults are vanilla SVD++: side user, alpha0 0.5, alpha1 0, matching the hand computation', () => {
    const e = enc({}).prepare(hand).embedReference(E0);
    close(e.user, [1 + 3 / r2, 1 / r2, 2 / r2, 2 - 1 / r2], 'users');
    close(e.item, Array.from(E0.item), 'items (unchanged on the user side)');
  });

  it('item side with alpha0 = alpha1 = 0.5 (eq. 30): the hand computation', () => {
    const e = enc({ side: 'item', alpha0: 0.5, alpha1: 0.5 }).prepare(hand).embedReference(E0);
    close(e.user, Array.from(E0.user), 'users (unchanged on the item side)');
    close(e.item, [1 + 1 / r2, 1, 2.5, 1, 0, -1 + 2 / r2], 'items');
  });

  it('alpha0 = 1, alpha1 = 0 averages the neighbours', () => {
    const e = enc({ alpha0: 1, alpha1: 0 }).prepare(hand).embedReference(E0);
    close(e.user, [1 + 1.5, 0.5, 1, 2 - 0.5], 'users');
  });

  const problem = randomProblem(6, 8, 3, 9);
  const rng = new CounterRng(4, 3);
  const t: Tables64 = { user: Float64Array.from({ length: 6 * 3 }, () => 0.5 * rng.normal()), item: Float64Array.from({ length: 8 * 3 }, () => 0.5 * rng.normal()), dim: 3 };
  const batch = batchOf([0, 2, 0, 5], [problem.pairItems[0]!, problem.pairItems[6]!, problem.pairItems[1]!, problem.pairItems[15]!], [1, 4, 5, 0, 2, 7, 2, 4, 6, 6, 0, 1]);
  for (const side of ['user', 'item'] as const) {
    for (const [a0, a1] of [
      [0.5, 0],
      [0.5, 0.5],
    ] as const) {
      const params = { dim: 3, init: 'normal', std: 0.3, side, alpha0: a0, alpha1: a1 };
      it(`side ${side}, alpha0 ${a0}, alpha1 ${a1}: the adjoint = central differences of the loss (relative error < 1e-6)`, () => {
        const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'svdpp', params } });
        const prepared = cfg.encoder.prepare(problem);
        const g = referenceGradients(t, batch, cfg, prepared);
        const { worst, scale } = finiteDifferenceError(t, g, () => referenceGradients(t, batch, cfg, prepared).loss);
        assert.ok(scale > 1e-3, `gradient too small to test: ${scale}`);
        assert.ok(worst / scale < 1e-6, `max |analytic - fd| / max |fd| = ${worst / scale}`);
      });
      it(`side ${side}, alpha0 ${a0}, alpha1 ${a1}: tfjs forward + autograd = the reference in float32`, async () => {
        const backend = await selectBackend('cpu');
        const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'svdpp', params } });
        const t32 = { user: Float32Array.from(t.user), item: Float32Array.from(t.item), dim: 3 };
        const ref = referenceGradients({ user: Float64Array.from(t32.user), item: Float64Array.from(t32.item), dim: 3 }, batch, cfg, cfg.encoder.prepare(problem));
        const tfg = await tfjsGradients(backend, t32, batch, cfg, cfg.encoder.prepare(problem));
        assert.ok(Math.abs(tfg.loss - ref.loss) < 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${tfg.loss} vs ${ref.loss}`);
        const scale = Math.max(...Array.from(ref.gUser, Math.abs), ...Array.from(ref.gItem, Math.abs));
        assert.ok(maxAbsDiff(tfg.gUser, ref.gUser) < 1e-5 * scale, `user gradient differs by ${maxAbsDiff(tfg.gUser, ref.gUser)}`);
        assert.ok(maxAbsDiff(tfg.gItem, ref.gItem) < 1e-5 * scale, `item gradient differs by ${maxAbsDiff(tfg.gItem, ref.gItem)}`);
      });
    }
  }

  it('a batch gradient reaches rows outside the batch (neighbours), so it is not batch-local', () => {
    assert.equal(enc({}).batchLocalGradient, false);
    const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 1, 2, { encoder: { name: 'svdpp', params: { dim: 2 } } });
    // user 1 with positive item 2 and negative 0: p_1 depends on q_1 (a neighbour, not in the batch)
    const g = referenceGradients(E0, batchOf([1], [2], [0]), cfg, cfg.encoder.prepare(hand));
    assert.ok(Math.abs(g.gItem[2]!) + Math.abs(g.gItem[3]!) > 1e-6, 'item 1 gets gradient through user 1');
  });

  it('the tfjs forward gives the hand-computed item-side embeddings (float32)', async () => {
    const { tf } = await selectBackend('cpu');
    const e = enc({ side: 'item', alpha0: 0.5, alpha1: 0.5 }).prepare(hand);
    const out = tf.tidy(() => {
      const r = e.embedTf(tf, tf.tensor2d(Float32Array.from(E0.user), [2, 2]), tf.tensor2d(Float32Array.from(E0.item), [3, 2]));
      return [Array.from(r.user.dataSync()), Array.from(r.item.dataSync())];
    });
    const want = [1 + 1 / r2, 1, 2.5, 1, 0, -1 + 2 / r2];
    out[1]!.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-6));
  });
});
