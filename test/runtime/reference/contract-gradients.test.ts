import assert from 'node:assert/strict';
import type { ComponentChoice } from '../../../src/components/catalogue.js';
import { CounterRng } from '../../../src/core/rng.js';
import type { Batch, Tables64 } from '../../../src/contract/training.js';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { allocBatch, epochOrder, fillBatch } from '../../../src/runtime/training/epoch.js';
import { BACKPROPS, batchOf, config, LOSSES, OPTIMIZERS, prep, randomProblem, finiteDifferenceError } from './configs.js';

/**
 * Central finite differences against the reference's analytic gradients for every axis the
 * training contract added: the bce loss, shared (in-batch) candidates with a mask and logQ
 * terms, the L2 penalty, and the LightGCN encoder's adjoint.
 */
const problem = randomProblem(5, 7, 2, 3);

function params(seed: number, d: number): Tables64 {
  const rng = new CounterRng(seed, 2);
  return { user: Float64Array.from({ length: problem.numUsers * d }, () => 0.5 * rng.normal()), item: Float64Array.from({ length: problem.numItems * d }, () => 0.5 * rng.normal()), dim: d };
}

function allItemsBatch(): Batch {
  const cfg = config({ name: 'softmax', params: { temperature: 0.5, similarity: 'cosine' } }, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { sampler: { name: 'all_items', params: {} } });
  cfg.sampler.prepare(problem);
  return fillBatch(problem, { batch: 4, seed: 4 }, cfg.sampler, epochOrder(problem.pairUsers.length, 4, 0, true), 0, 0, allocBatch(4, cfg.sampler));
}

function inBatchBatch(logq: boolean): Batch {
  const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { sampler: { name: 'in_batch', params: { logq } } });
  cfg.sampler.prepare(problem);
  return fillBatch(problem, { batch: 6, seed: 4 }, cfg.sampler, epochOrder(problem.pairUsers.length, 4, 0, true), 0, 0, allocBatch(6, cfg.sampler));
}

const perPositive = batchOf([0, 1, 0, 3], [2, 3, 3, 1], [1, 4, 5, 0, 2, 5, 2, 4, 6, 6, 0, 1]);

const cases: { name: string; loss: ComponentChoice; extra: Parameters<typeof config>[5]; batch: () => Batch; backprop?: ComponentChoice }[] = [
  { name: 'bce dot, per positive', loss: { name: 'bce', params: { neg_ratio: 2, similarity: 'dot' } }, extra: {}, batch: () => perPositive },
  { name: 'bce cosine, per positive', loss: { name: 'bce', params: { neg_ratio: 1, similarity: 'cosine' } }, extra: {}, batch: () => perPositive },
  { name: 'infonce, in-batch with logQ', loss: LOSSES['infonce cosine t=0.5']!, extra: { sampler: { name: 'in_batch', params: { logq: true } } }, batch: () => inBatchBatch(true) },
  { name: 'bpr, in-batch (masked)', loss: LOSSES['bpr dot']!, extra: { sampler: { name: 'in_batch', params: { logq: false } } }, batch: () => inBatchBatch(false) },
  { name: 'bce, in-batch with logQ', loss: { name: 'bce', params: { neg_ratio: 1, similarity: 'dot' } }, extra: { sampler: { name: 'in_batch', params: { logq: true } } }, batch: () => inBatchBatch(true) },
  { name: 'softmax cosine over all_items (full softmax)', loss: { name: 'softmax', params: { temperature: 0.5, similarity: 'cosine' } }, extra: { sampler: { name: 'all_items', params: {} } }, batch: allItemsBatch },
  { name: 'infonce + l2 penalty', loss: LOSSES['infonce dot']!, extra: { regularizer: { name: 'l2', params: { weight: 0.3 } } }, batch: () => perPositive },
  { name: 'l2 penalty under onebp: users are no parameter, no penalty', loss: LOSSES['bpr dot']!, extra: { regularizer: { name: 'l2', params: { weight: 0.3 } } }, batch: () => perPositive, backprop: BACKPROPS['onebp last'] },
  { name: 'lightgcn(layers: 2), bpr dot', loss: LOSSES['bpr dot']!, extra: { encoder: { name: 'lightgcn', params: { dim: 3, layers: 2, init: 'normal', std: 0.3 } } }, batch: () => perPositive },
  {
    name: 'lightgcn(layers: 1), infonce cosine + l2',
    loss: LOSSES['infonce cosine t=0.5']!,
    extra: { encoder: { name: 'lightgcn', params: { dim: 3, layers: 1, init: 'normal', std: 0.3 } }, regularizer: { name: 'l2', params: { weight: 0.1 } } },
    batch: () => perPositive,
  },
];

describe('reference gradients of the training contract (finite differences)', () => {
  for (const c of cases) {
    it(`${c.name}: analytic = central differences (relative error < 1e-6)`, () => {
      const cfg = config(c.loss, c.backprop ?? BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, c.extra);
      const enc = prep(cfg, problem);
      const batch = c.batch();
      const t = params(11, 3);
      const { loss, gUser, gItem } = referenceGradients(t, batch, cfg, enc);
      assert.ok(Number.isFinite(loss));
      const { worst, scale } = finiteDifferenceError(t, { gUser, gItem }, () => referenceGradients(t, batch, cfg, enc).loss);
      assert.ok(scale > 1e-3, `gradient too small to test: ${scale}`);
      assert.ok(worst / scale < 1e-6, `${c.name}: max |analytic - fd| / max |fd| = ${worst / scale}`);
    });
  }

  it('the l2 penalty adds weight/2 |row|^2 / B per gathered row of the owned tables', () => {
    const base = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 1, 2);
    const reg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 1, 2, { regularizer: { name: 'l2', params: { weight: 0.5 } } });
    const onebp = config(LOSSES['bpr dot']!, BACKPROPS['onebp last']!, OPTIMIZERS['sgd']!, 1, 2, { regularizer: { name: 'l2', params: { weight: 0.5 } } });
    // u0 = (1, 2), v0 = (3, 0), v1 = (0, 1); batch of 2: (u0, v0, neg v1) twice
    const t: Tables64 = { user: Float64Array.from([1, 2]), item: Float64Array.from([3, 0, 0, 1]), dim: 2 };
    const b = batchOf([0, 0], [0, 0], [1, 1]);
    const l0 = referenceGradients(t, b, base, prep(base)).loss;
    // per occurrence: |u0|^2 + |v0|^2 + |v1|^2 = 5 + 9 + 1 = 15; two occurrences, / B = 2: 15; times 0.5 / 2
    assert.ok(Math.abs(referenceGradients(t, b, reg, prep(reg)).loss - (l0 + 0.25 * 15)) < 1e-12);
    // under onebp the user table is not a parameter: only the items' 10 per occurrence
    assert.ok(Math.abs(referenceGradients(t, b, onebp, prep(onebp)).loss - (l0 + 0.25 * 10)) < 1e-12);
  });

  it('lightgcn with 0 layers is mf: the same loss and gradients', () => {
    const mf = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3);
    const lg0 = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'lightgcn', params: { dim: 3, layers: 0 } } });
    const t = params(5, 3);
    const a = referenceGradients(t, perPositive, mf, prep(mf, problem));
    const g = referenceGradients(t, perPositive, lg0, prep(lg0, problem));
    assert.ok(Math.abs(a.loss - g.loss) < 1e-15);
    assert.deepEqual(Array.from(g.gItem), Array.from(a.gItem));
  });
});
