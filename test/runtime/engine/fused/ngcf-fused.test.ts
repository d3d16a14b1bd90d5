import assert from 'node:assert/strict';
import { bindModel, type ComponentChoice } from '../../../../src/components/catalogue.js';
import type { TrainingModel } from '../../../../src/contract/training.js';
import type { EpochSchedule } from '../../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../../src/runtime/engine/fused/fused-engine.js';
import { ReferenceTrainer } from '../../../../src/runtime/engine/reference/reference-trainer.js';
import { maxAbsDiff, randomProblem } from '../../reference/configs.js';

/**
 * NGCF on the fused engine (engine/fused/ngcf-pass.ts: propagation and GEMM kernels) against the
 * float64 reference (components/encoders/ngcf.ts): losses, parameters and the dense weights
 * after three epochs, with message dropout, for samplers of every kind (per positive, shared,
 * model-aware, a bank of embeddings) and both backprops; bit-identical for 1 and 3 threads and
 * across a save/load resume.
 */
const problem = randomProblem(14, 17, 5, 7);
const schedule: EpochSchedule = { batch: 11, shuffle: true, dropLast: false, seed: 5 };
const TOL = 5e-5;

function model(sampler: ComponentChoice, loss: ComponentChoice, backprop: string, extra: { l2?: boolean; dropout?: number } = {}): TrainingModel {
  return bindModel({
    encoder: { name: 'ngcf', params: { dim: 5, layers: 2, dropout: extra.dropout ?? 0.2, node_dropout: 0, init: 'normal', std: 0.3 } },
    sampler,
    loss,
    backprop: { name: backprop, params: backprop === 'both' ? {} : { beta: 0.9 } },
    optimizer: { name: 'adam', params: { lr: 0.01, weight_decay: 1e-3 } },
    ...(extra.l2 ? { regularizer: { name: 'l2', params: { weight: 0.05 } } } : {}),
  });
}

const cases: { name: string; model: TrainingModel }[] = [
  { name: 'uniform / infonce dot / both', model: model({ name: 'uniform', params: { negatives: 3 } }, { name: 'infonce', params: {} }, 'both') },
  { name: 'in_batch / ssm cosine / onebp + l2', model: model({ name: 'in_batch', params: { logq: true } }, { name: 'ssm', params: { temperature: 0.3, similarity: 'cosine' } }, 'onebp', { l2: true }) },
  { name: 'hard (model-aware) / bpr / both', model: model({ name: 'hard', params: { candidates: 5, negatives: 2 } }, { name: 'bpr', params: {} }, 'both') },
  { name: 'cross_batch (bank of embeddings) / bce / user_only', model: model({ name: 'cross_batch', params: { memory: 8, warmup: 1 } }, { name: 'bce', params: {} }, 'user_only') },
  { name: 'all_items / softmax cosine / both, no dropout', model: model({ name: 'all_items', params: {} }, { name: 'softmax', params: { temperature: 0.5, similarity: 'cosine' } }, 'both', { dropout: 0 }) },
];

async function train(m: TrainingModel, threads: number, epochs: number) {
  const t = await fusedEngine.createTrainer(problem, m, schedule, m.encoder.init(problem.numUsers, problem.numItems, 3), { threads });
  try {
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) losses.push((await t.trainEpoch(e)).loss);
    return { losses, params: await t.parameters(), state: await t.saveState(), details: t.details };
  } finally {
    await t.dispose();
  }
}

describe('fused NGCF (propagation and GEMM kernels) against the float64 reference', function () {
  this.timeout(60000);
  for (const c of cases) {
    it(`${c.name}: losses, tables and weights after 3 epochs`, async () => {
      assert.deepEqual(fusedEngine.supports(c.model), { ok: true });
      const ref = new ReferenceTrainer(problem, c.model, schedule, c.model.encoder.init(problem.numUsers, problem.numItems, 3));
      const want = [(await ref.trainEpoch(0)).loss, (await ref.trainEpoch(1)).loss, (await ref.trainEpoch(2)).loss];
      const got = await train(c.model, 2, 3);
      assert.match(String(got.details['kernels']), /^NGCF layers/);
      for (let e = 0; e < 3; e++) assert.ok(Math.abs(got.losses[e]! - want[e]!) < TOL, `epoch ${e}: ${got.losses[e]} vs ${want[e]}`);
      assert.ok(maxAbsDiff(got.params.user, ref.reference.user) < TOL, `user ${maxAbsDiff(got.params.user, ref.reference.user)}`);
      assert.ok(maxAbsDiff(got.params.item, ref.reference.item) < TOL, `item ${maxAbsDiff(got.params.item, ref.reference.item)}`);
      for (const [name, w] of Object.entries(ref.reference.weights!)) assert.ok(maxAbsDiff(got.params.weights![name]!, w) < TOL, `weight ${name}: ${maxAbsDiff(got.params.weights![name]!, w)}`);
    });
  }

  it('bit-identical for 1 and 3 threads, and a run resumed from a saved state equals an uninterrupted one', async () => {
    const m = cases[1]!.model;
    const [a, b] = [await train(m, 1, 3), await train(m, 3, 3)];
    assert.deepEqual(a.losses, b.losses);
    assert.equal(maxAbsDiff(a.params.item, b.params.item), 0);
    const first = await fusedEngine.createTrainer(problem, m, schedule, m.encoder.init(problem.numUsers, problem.numItems, 3), { threads: 2 });
    await first.trainEpoch(0);
    const saved = await first.saveState();
    await first.dispose();
    const resumed = await fusedEngine.createTrainer(problem, m, schedule, saved.tables, { threads: 2 });
    try {
      await resumed.loadState(saved);
      const l1 = (await resumed.trainEpoch(1)).loss;
      const l2 = (await resumed.trainEpoch(2)).loss;
      assert.deepEqual([l1, l2], a.losses.slice(1));
      const p = await resumed.parameters();
      assert.equal(maxAbsDiff(p.user, a.params.user), 0);
      for (const [name, w] of Object.entries(a.params.weights!)) assert.equal(maxAbsDiff(p.weights![name]!, w), 0, name);
    } finally {
      await resumed.dispose();
    }
  });

  it('node dropout stays on the other engines, with the reason', () => {
    const m = bindModel({
      encoder: { name: 'ngcf', params: { dim: 4, layers: 1, node_dropout: 0.1 } },
      sampler: { name: 'uniform', params: {} },
      loss: { name: 'infonce', params: {} },
      backprop: { name: 'both', params: {} },
      optimizer: { name: 'adam', params: {} },
    });
    assert.deepEqual(fusedEngine.supports(m), { ok: false, reason: 'the fused NGCF pass has no node dropout (node_dropout > 0)' });
  });
});
