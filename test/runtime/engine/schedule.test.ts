import assert from 'node:assert/strict';
import { bindModel, type ModelChoice } from '../../../src/components/catalogue.js';
import type { TrainingModel } from '../../../src/contract/training.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import type { EpochSchedule, TrainingEngine } from '../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import { FusedTrainer } from '../../../src/runtime/engine/fused/fused-trainer.js';
import { referenceGradients, referenceStateFrom } from '../../../src/runtime/engine/reference/reference-step.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { allocBatch, epochOrder, fillBatch } from '../../../src/runtime/training/epoch.js';
import { maxAbsDiff, randomProblem } from '../reference/configs.js';

/**
 * multistep(milestones: [1, 3], gamma: 0.1) on every engine: the lr of epoch e (0-based) is
 * lr x 0.1^(milestones <= e) = lr x (1, 0.1, 0.1, 0.01). The reference's step is checked
 * against the SGD formula p_after = p_before - lr_e g with g computed independently; the
 * other engines (tfjs, the fused MF kernel, the fused graph trainer) then agree with it over four
 * epochs, and differ clearly from a run without the schedule.
 */
const problem = randomProblem(10, 12, 3, 7);
const numPairs = problem.pairUsers.length;
// one batch per epoch, so an epoch is one SGD step
const schedule: EpochSchedule = { batch: numPairs, shuffle: true, dropLast: false, seed: 5 };
const LR = 0.5;
const FACTORS = [0, 1, 1, 2].map((k) => Math.pow(0.1, k));
const multistep = { name: 'multistep', params: { milestones: [1, 3], gamma: 0.1 } };

function model(encoder: ModelChoice['encoder'], optimizer: ModelChoice['optimizer'], scheduled = true): TrainingModel {
  return bindModel({
    encoder,
    sampler: { name: 'uniform', params: { negatives: 2 } },
    loss: { name: 'infonce', params: {} },
    backprop: { name: 'both', params: {} },
    optimizer,
    ...(scheduled ? { schedule: multistep } : {}),
  });
}
const mf = { name: 'mf', params: { dim: 4, init: 'normal', std: 0.3 } };
const lightgcn = { name: 'lightgcn', params: { dim: 4, layers: 2, init: 'normal', std: 0.3 } };
const sgd = { name: 'sgd', params: { lr: LR, weight_decay: 0 } };

async function fourEpochs(engine: TrainingEngine, m: TrainingModel, lrs?: number[]): Promise<{ user: Float32Array; item: Float32Array }> {
  const t = await engine.createTrainer(problem, m, schedule, m.encoder.init(problem.numUsers, problem.numItems, 3), { threads: 2 });
  try {
    for (let e = 0; e < 4; e++) {
      await t.trainEpoch(e);
      if (lrs && t instanceof FusedTrainer) lrs.push(t.currentLr);
    }
    return await t.parameters();
  } finally {
    await t.dispose();
  }
}

describe('learning-rate schedule multistep on every engine', function () {
  this.timeout(120000);

  it('reference: each epoch steps with lr x factor(epoch) (p_after = p_before - lr_e g)', async () => {
    const m = model(mf, sgd);
    const init = m.encoder.init(problem.numUsers, problem.numItems, 3);
    const ref = new ReferenceTrainer(problem, m, schedule, init);
    const enc = m.encoder.prepare(problem);
    const buf = allocBatch(schedule.batch, m.sampler);
    for (let e = 0; e < 4; e++) {
      const before = referenceStateFrom(ref.reference);
      fillBatch(problem, schedule, m.sampler, epochOrder(numPairs, schedule.seed, e, true), e, 0, buf);
      const g = referenceGradients(before, buf, m, enc);
      await ref.trainEpoch(e);
      assert.equal(ref.currentLrFactor, FACTORS[e]);
      const lr = LR * FACTORS[e]!;
      for (let i = 0; i < before.item.length; i++) assert.ok(Math.abs(ref.reference.item[i]! - (before.item[i]! - lr * g.gItem[i]!)) < 1e-14, `epoch ${e} item value ${i}`);
      for (let i = 0; i < before.user.length; i++) assert.ok(Math.abs(ref.reference.user[i]! - (before.user[i]! - lr * g.gUser[i]!)) < 1e-14, `epoch ${e} user value ${i}`);
    }
  });

  const cases: [string, () => Promise<TrainingEngine>, ModelChoice['encoder'], ModelChoice['optimizer']][] = [
    ['tfjs, mf + sgd', async () => createTfjsEngine(await selectBackend('cpu')), mf, sgd],
    ['tfjs, ngcf + adamw', async () => createTfjsEngine(await selectBackend('cpu')), { name: 'ngcf', params: { dim: 4, layers: 1, dropout: 0.2 } }, { name: 'adamw', params: { lr: 0.05 } }],
    ['tfjs, svdpp + adagrad', async () => createTfjsEngine(await selectBackend('cpu')), { name: 'svdpp', params: { dim: 4 } }, { name: 'adagrad', params: { lr: 0.1 } }],
    ['fused MF kernel, mf + sgd', async () => fusedEngine, mf, sgd],
    ['fused MF kernel, mf + adam', async () => fusedEngine, mf, { name: 'adam', params: { lr: 0.05 } }],
    ['fused graph trainer, lightgcn + adam', async () => fusedEngine, lightgcn, { name: 'adam', params: { lr: 0.05 } }],
  ];
  for (const [name, engineOf, encoder, optimizer] of cases) {
    it(`${name}: the reference's parameters under the schedule, not those without it`, async () => {
      const engine = await engineOf();
      const m = model(encoder, optimizer);
      assert.ok(engine.supports(m).ok, `${engine.name} supports ${name}`);
      const ref = new ReferenceTrainer(problem, m, schedule, m.encoder.init(problem.numUsers, problem.numItems, 3));
      for (let e = 0; e < 4; e++) await ref.trainEpoch(e);
      const lrs: number[] = [];
      const got = await fourEpochs(engine, m, lrs);
      assert.ok(maxAbsDiff(got.item, ref.reference.item) < 5e-5, `items differ from the scheduled reference by ${maxAbsDiff(got.item, ref.reference.item)}`);
      assert.ok(maxAbsDiff(got.user, ref.reference.user) < 5e-5, `users differ by ${maxAbsDiff(got.user, ref.reference.user)}`);
      const unscheduled = await fourEpochs(engine, model(encoder, optimizer, false));
      assert.ok(maxAbsDiff(unscheduled.item, got.item) > 1e-3, 'the schedule changes the result');
      const base = Number(optimizer.params['lr']);
      if (lrs.length) assert.deepEqual(lrs, FACTORS.map((f) => base * f), 'the fused kernel reads lr x factor each epoch');
    });
  }
});
