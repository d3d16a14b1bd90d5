import assert from 'node:assert/strict';
import { bindModel } from '../../../../src/components/catalogue.js';
import { CounterRng } from '../../../../src/core/rng.js';
import type { Batch } from '../../../../src/contract/training.js';
import { accumulateScoreGradients, batchScores } from '../../../../src/runtime/engine/batch-scores.js';
import { SharedCandidateStep } from '../../../../src/runtime/engine/fused/shared-candidates.js';
import { KernelPool } from '../../../../src/runtime/kernels/kernel-pool.js';

/**
 * The fused engine's shared-candidate step (row blocks of dense products) against the float64
 * definition (batch-scores.ts + the loss's reference): the same loss and embedding gradients, for
 * several row blocks, a bank of constant vectors, logQ terms, a mask and duplicate candidates.
 */
const USERS = 9;
const ITEMS = 23;
const D = 6;
const STRIDE = 8;

function batch(rng: CounterRng, B: number, W: number, bank: number): Batch {
  const users = Int32Array.from({ length: B }, () => rng.int(USERS));
  const pos = Int32Array.from({ length: B }, () => rng.int(ITEMS));
  const neg = Int32Array.from({ length: W }, (_, k) => (k < 3 ? pos[k]! : rng.int(ITEMS))); // duplicates of positives
  const cols = 1 + W;
  const mask = new Uint8Array(B * cols);
  for (let b = 0; b < B; b++) for (let k = 1; k < cols; k++) mask[b * cols + k] = neg[k - 1] === pos[b] ? 1 : 0;
  const logq = Float64Array.from({ length: B * cols }, () => rng.normal() * 0.3);
  const vectors = Float64Array.from({ length: bank * D }, () => rng.normal() * 0.4);
  return { size: B, users, pos, layout: 'shared', width: W, neg, mask, logq, bank: bank > 0 ? { count: bank, vectors } : null };
}

describe('fused shared-candidate step (row blocks of GEMMs)', () => {
  let pool: KernelPool;
  before(async () => {
    pool = await KernelPool.create(2, 16 << 20);
  });
  after(async () => {
    await pool.dispose();
  });

  for (const [loss, params] of [
    ['infonce', { temperature: 1, similarity: 'dot' }],
    ['infonce', { temperature: 0.3, similarity: 'cosine' }],
    ['bce', { similarity: 'cosine' }],
    ['ccl', { margin: 0.1, weight: 3, similarity: 'cosine' }],
    ['bpr', { similarity: 'dot' }],
  ] as const) {
    it(`${loss} ${params.similarity}: loss and gradients of the float64 definition over 4 row blocks, with bank, logQ and mask`, async () => {
      const rng = new CounterRng(7, 1);
      const user = Float32Array.from({ length: USERS * STRIDE }, (_, i) => (i % STRIDE < D ? rng.normal() * 0.5 : 0));
      const item = Float32Array.from({ length: ITEMS * STRIDE }, (_, i) => (i % STRIDE < D ? rng.normal() * 0.5 : 0));
      const b = batch(rng, 30, 41, 5);
      const L = bindModel({
        encoder: { name: 'mf', params: { dim: D } },
        sampler: { name: 'in_batch', params: {} },
        loss: { name: loss, params },
        backprop: { name: 'both', params: {} },
        optimizer: { name: 'sgd', params: {} },
      }).loss;
      const E = { user, item, dim: D, stride: STRIDE };
      const S = batchScores(E, b, L.similarity);
      const dS = new Float64Array(S.length);
      const want = L.reference(S, b.size, 1 + b.width, b.mask, dS);
      const wantU = new Float64Array(user.length);
      const wantI = new Float64Array(item.length);
      accumulateScoreGradients(E, b, L.similarity, S, dS, wantU, wantI);

      const mark = pool.mark();
      const step = new SharedCandidateStep(pool, 30, 41, STRIDE, true, 8 * 44); // 8 rows per block: 4 blocks, the last of 6
      const gUser = new Float32Array(user.length);
      const gItem = new Float32Array(item.length);
      const got = await step.run({ user, item, gUser, gItem, dim: D, stride: STRIDE }, b, L);
      pool.release(mark);
      assert.ok(Math.abs(got - want) < 1e-5 * Math.max(1, Math.abs(want)), `loss ${got} vs ${want}`);
      const scale = Math.max(...Array.from(wantU, Math.abs), ...Array.from(wantI, Math.abs));
      for (let i = 0; i < user.length; i++) assert.ok(Math.abs(gUser[i]! - wantU[i]!) < 1e-5 * scale, `user gradient ${i}: ${gUser[i]} vs ${wantU[i]}`);
      for (let i = 0; i < item.length; i++) assert.ok(Math.abs(gItem[i]! - wantI[i]!) < 1e-5 * scale, `item gradient ${i}: ${gItem[i]} vs ${wantI[i]}`);
    });
  }
});
