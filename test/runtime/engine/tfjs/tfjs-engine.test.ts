import assert from 'node:assert/strict';
import { selectBackend } from '../../../../src/runtime/backend/select-backend.js';
import type { EpochSchedule, Trainer } from '../../../../src/runtime/engine/engine.js';
import { ReferenceTrainer } from '../../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { allocBatch, epochOrder, fillBatch } from '../../../../src/runtime/training/epoch.js';
import { allCombinations, BACKPROPS, config, LOSSES, maxAbsDiff, OPTIMIZERS, randomProblem } from '../../reference/configs.js';

// 12 users x 4 items each = 48 pairs; batch 10 -> 5 steps per epoch (the last of 8), users and items repeat within batches.
const problem = randomProblem(12, 15, 4, 5);
const schedule: EpochSchedule = { batch: 10, shuffle: true, dropLast: false, seed: 11 };
// Measured worst difference 1.8e-7; the variants (dense vs lazy, last vs sequential) differ by 1e-2.
const TOL = 1e-5;

async function withTrainer<T>(backendName: 'cpu' | 'wasm', cfg: ReturnType<typeof config>, f: (t: Trainer) => Promise<T>): Promise<T> {
  const engine = createTfjsEngine(await selectBackend(backendName));
  const trainer = await engine.createTrainer(problem, cfg, schedule, cfg.encoder.init(problem.numUsers, problem.numItems, 3), { threads: 1 });
  try {
    return await f(trainer);
  } finally {
    await trainer.dispose();
  }
}

describe('tfjs engine vs the float64 reference (5 steps, same batches and initial tables)', () => {
  for (const { name, config: cfg } of allCombinations()) {
    it(`cpu: ${name}`, async () => {
      const ref = new ReferenceTrainer(problem, cfg, schedule, cfg.encoder.init(problem.numUsers, problem.numItems, 3));
      const r = await ref.trainEpoch(0);
      await withTrainer('cpu', cfg, async (trainer) => {
        const e = await trainer.trainEpoch(0);
        assert.deepEqual([e.batches, e.samples], [5, 48]);
        assert.deepEqual([r.batches, r.samples], [5, 48]);
        assert.ok(Math.abs(e.loss - r.loss) < TOL, `epoch loss ${e.loss} vs ${r.loss}`);
        const t = await trainer.parameters();
        const ru = ref.reference.user;
        const ri = ref.reference.item;
        assert.ok(maxAbsDiff(t.user, ru) < TOL, `user table differs by ${maxAbsDiff(t.user, ru)}`);
        assert.ok(maxAbsDiff(t.item, ri) < TOL, `item table differs by ${maxAbsDiff(t.item, ri)}`);
        const init = cfg.encoder.init(problem.numUsers, problem.numItems, 3);
        assert.ok(maxAbsDiff(t.user, init.user) > 1e-3 || maxAbsDiff(t.item, init.item) > 1e-3, 'nothing was trained');
      });
    });
  }

  it('wasm: a few combinations agree with the reference too', async function () {
    for (const [l, b, o] of [
      ['infonce cosine t=0.5', 'onebp sequential', 'adam lazy'],
      ['bpr dot', 'user_only last', 'adam dense'],
      ['infonce dot', 'both', 'sgd'],
    ] as const) {
      const cfg = config(LOSSES[l]!, BACKPROPS[b]!, OPTIMIZERS[o]!);
      const ref = new ReferenceTrainer(problem, cfg, schedule, cfg.encoder.init(problem.numUsers, problem.numItems, 3));
      const r = await ref.trainEpoch(0);
      await withTrainer('wasm', cfg, async (trainer) => {
        const e = await trainer.trainEpoch(0);
        assert.ok(Math.abs(e.loss - r.loss) < TOL, `${l}/${b}/${o}: loss ${e.loss} vs ${r.loss}`);
        const t = await trainer.parameters();
        assert.ok(maxAbsDiff(t.user, ref.reference.user) < TOL && maxAbsDiff(t.item, ref.reference.item) < TOL, `${l}/${b}/${o}: tables differ`);
      });
    }
  });

  it('trainBatch over fillBatch batches equals trainEpoch (the same batches)', async () => {
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!);
    const viaEpoch = await withTrainer('cpu', cfg, async (t) => ({ loss: (await t.trainEpoch(0)).loss, tables: await t.parameters() }));
    const viaBatches = await withTrainer('cpu', cfg, async (t) => {
      const order = epochOrder(problem.pairUsers.length, schedule.seed, 0, true);
      const buf = allocBatch(schedule.batch, cfg.sampler);
      let sum = 0;
      for (let b = 0; b < 5; b++) sum += await t.trainBatch(fillBatch(problem, schedule, cfg.sampler, order, 0, b, buf));
      return { loss: sum / 5, tables: await t.parameters() };
    });
    assert.ok(Math.abs(viaEpoch.loss - viaBatches.loss) < 1e-6);
    assert.equal(maxAbsDiff(viaEpoch.tables.user, viaBatches.tables.user), 0);
    assert.equal(maxAbsDiff(viaEpoch.tables.item, viaBatches.tables.item), 0);
  });

  it('saveState / loadState resumes exactly (Adam moments and step included)', async () => {
    const cfg = config(LOSSES['bpr cosine']!, BACKPROPS['both']!, OPTIMIZERS['adam dense']!);
    const straight = await withTrainer('cpu', cfg, async (t) => {
      await t.trainEpoch(0);
      await t.trainEpoch(1);
      return t.parameters();
    });
    const saved = await withTrainer('cpu', cfg, async (t) => {
      await t.trainEpoch(0);
      return t.saveState();
    });
    assert.equal(saved.step, 5);
    assert.deepEqual(Object.keys(saved.slots).sort(), ['m.item', 'm.user', 'v.item', 'v.user']);
    const resumed = await withTrainer('cpu', cfg, async (t) => {
      await t.loadState(saved);
      await t.trainEpoch(1);
      return t.parameters();
    });
    assert.equal(maxAbsDiff(straight.user, resumed.user), 0);
    assert.equal(maxAbsDiff(straight.item, resumed.item), 0);
  });

  it('allocates no tensors across steps and epochs (tf.tidy per step)', async () => {
    const backend = await selectBackend('cpu');
    for (const o of ['adam lazy', 'sgd'] as const) {
      const cfg = config(LOSSES['infonce cosine t=0.5']!, BACKPROPS['user_only sequential']!, OPTIMIZERS[o]!);
      await withTrainer('cpu', cfg, async (t) => {
        await t.trainEpoch(0);
        const after1 = backend.tf.memory().numTensors;
        await t.trainEpoch(1);
        await t.trainBatch(fillBatch(problem, schedule, cfg.sampler, epochOrder(48, 1, 2, true), 2, 0, allocBatch(10, cfg.sampler)));
        await t.parameters();
        await t.saveState();
        assert.equal(backend.tf.memory().numTensors, after1, `${o}: tensors grew`);
      });
    }
  });

  it('supports every combination of the catalogue', async () => {
    const engine = createTfjsEngine(await selectBackend('cpu'));
    for (const { config: cfg } of allCombinations()) assert.deepEqual(engine.supports(cfg), { ok: true });
  });
});
