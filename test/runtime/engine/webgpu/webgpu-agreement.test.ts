import assert from 'node:assert/strict';
import type { Batch, EpochSchedule, Trainer, TrainingProblem } from '../../../../src/runtime/engine/engine.js';
import { ReferenceTrainer } from '../../../../src/runtime/engine/reference/reference-trainer.js';
import type { GpuContext } from '../../../../src/runtime/engine/webgpu/gpu-device.js';
import { createWebgpuEngine } from '../../../../src/runtime/engine/webgpu/webgpu-engine.js';
import { allocBatch, copyBatch, epochOrder, fillBatch } from '../../../../src/runtime/training/epoch.js';
import { allCombinations, BACKPROPS, config, LOSSES, maxAbsDiff, OPTIMIZERS, randomProblem, type ModelConfig } from '../../reference/configs.js';
import { gpuOrSkip } from './gpu-for-tests.js';

/**
 * The WGSL training kernels compute what the float64 reference computes: for every combination
 * (loss x similarity x backprop x duplicates x optimizer), whole epochs (order, negatives drawn
 * on the device) and explicit batches give the same losses, parameters and optimiser moments
 * within float32 tolerance. Same problem and schedule as test/runtime/engine/agreement.test.ts.
 */

const problem = randomProblem(12, 15, 4, 5);
const schedule: EpochSchedule = { batch: 10, shuffle: true, dropLast: false, seed: 11 };
const TOL = 2e-5;

const init = (cfg: ModelConfig, p: TrainingProblem = problem) => cfg.encoder.init(p.numUsers, p.numItems, 3);

function assertClose(label: string, got: { user: Float32Array; item: Float32Array }, want: { user: ArrayLike<number>; item: ArrayLike<number> }, tol = TOL): void {
  assert.ok(maxAbsDiff(got.user, want.user) < tol, `${label}: user table differs by ${maxAbsDiff(got.user, want.user)}`);
  assert.ok(maxAbsDiff(got.item, want.item) < tol, `${label}: item table differs by ${maxAbsDiff(got.item, want.item)}`);
}

function explicitBatches(cfg: ModelConfig): Batch[] {
  const out: Batch[] = [];
  for (const epoch of [0, 1]) {
    const order = epochOrder(problem.pairUsers.length, schedule.seed, epoch, schedule.shuffle);
    for (let b = 0; b < 5; b++) out.push(copyBatch(fillBatch(problem, schedule, cfg.sampler, order, epoch, b, allocBatch(schedule.batch, cfg.sampler))));
  }
  return out;
}

describe('webgpu engine: WGSL training kernels vs the float64 reference', function () {
  this.timeout(300000);
  let gpu: GpuContext;
  let engine: ReturnType<typeof createWebgpuEngine>;
  before(async function () {
    gpu = await gpuOrSkip(this);
    engine = createWebgpuEngine(gpu);
  });

  async function withTrainer<T>(cfg: ModelConfig, p: TrainingProblem, sched: EpochSchedule, f: (t: Trainer) => Promise<T>): Promise<T> {
    const t = await engine.createTrainer(p, cfg, sched, init(cfg, p), { threads: 1 });
    try {
      return await f(t);
    } finally {
      await t.dispose();
    }
  }

  for (const { name, config: cfg } of allCombinations()) {
    it(name, async () => {
      assert.ok(engine.supports(cfg).ok);
      const ref = new ReferenceTrainer(problem, cfg, schedule, init(cfg));
      const r0 = await ref.trainEpoch(0);
      const r1 = await ref.trainEpoch(1);
      await withTrainer(cfg, problem, schedule, async (t) => {
        const e0 = await t.trainEpoch(0);
        assert.deepEqual([e0.batches, e0.samples], [r0.batches, r0.samples]);
        assert.ok(Math.abs(e0.loss - r0.loss) < TOL, `epoch 0 loss ${e0.loss} vs ${r0.loss}`);
        const e1 = await t.trainEpoch(1);
        assert.ok(Math.abs(e1.loss - r1.loss) < TOL, `epoch 1 loss ${e1.loss} vs ${r1.loss}`);
        assertClose('after 2 epochs', await t.parameters(), ref.reference);
        const s = await t.saveState();
        assert.equal(s.step, ref.reference.step);
        assert.deepEqual(Object.keys(s.slots).sort(), Object.keys(ref.reference.slots).sort());
        for (const [k, v] of Object.entries(ref.reference.slots)) assert.ok(maxAbsDiff(s.slots[k]!, v) < TOL, `slot ${k} differs by ${maxAbsDiff(s.slots[k]!, v)}`);
      });

      const ref2 = new ReferenceTrainer(problem, cfg, schedule, init(cfg));
      await withTrainer(cfg, problem, schedule, async (t) => {
        for (const [i, b] of explicitBatches(cfg).entries()) {
          const want = await ref2.trainBatch(b);
          const got = await t.trainBatch(b);
          assert.ok(Math.abs(got - want) < TOL, `step ${i}: loss ${got} vs ${want}`);
        }
        assertClose('after 10 explicit steps', await t.parameters(), ref2.reference);
        assert.ok(maxAbsDiff((await t.parameters()).item, init(cfg).item) > 1e-3 || maxAbsDiff((await t.parameters()).user, init(cfg).user) > 1e-3, 'nothing was trained');
      });
    });
  }

  it('a larger problem, odd dim, 7 negatives and drop_last: three epochs agree, and a saved state resumes exactly', async () => {
    const p = randomProblem(60, 90, 12, 7);
    const cfg = config(LOSSES['infonce cosine t=0.5']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!, 7, 13);
    const sched: EpochSchedule = { batch: 64, shuffle: true, dropLast: true, seed: 2022 };
    const ref = new ReferenceTrainer(p, cfg, sched, init(cfg, p));
    await withTrainer(cfg, p, sched, async (t) => {
      for (let epoch = 0; epoch < 2; epoch++) {
        const r = await ref.trainEpoch(epoch);
        const e = await t.trainEpoch(epoch);
        assert.deepEqual([e.batches, e.samples], [11, 704]);
        assert.ok(Math.abs(e.loss - r.loss) < TOL, `epoch ${epoch}: loss ${e.loss} vs ${r.loss}`);
      }
      const saved = await t.saveState();
      const r2 = await ref.trainEpoch(2);
      await withTrainer(cfg, p, sched, async (t2) => {
        await t2.loadState(saved);
        const e2 = await t2.trainEpoch(2);
        assert.ok(Math.abs(e2.loss - r2.loss) < TOL, `resumed epoch 2: loss ${e2.loss} vs ${r2.loss}`);
        assertClose('resumed after 3 epochs', await t2.parameters(), ref.reference);
      });
    });
  });

  it('refuses what it has no kernel for, naming it', () => {
    const lightgcn = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 8, { encoder: { name: 'lightgcn', params: { dim: 8, layers: 2, init: 'normal', std: 0.1 } } });
    const s = engine.supports(lightgcn);
    assert.equal(s.ok, false);
    assert.match((s as { reason: string }).reason, /webgpu engine has no trainer for the graph encoder 'lightgcn'/);
  });
});
