import assert from 'node:assert/strict';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import type { Batch, EpochSchedule, Trainer, TrainingEngine, TrainingProblem } from '../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import type { ModelConfig } from '../reference/configs.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { allocBatch, copyBatch, epochOrder, fillBatch } from '../../../src/runtime/training/epoch.js';
import { allCombinations, BACKPROPS, config, LOSSES, maxAbsDiff, OPTIMIZERS, randomProblem } from '../reference/configs.js';

/**
 * Every engine computes the same numbers: for each supported combination (loss x similarity x
 * backprop x duplicates x optimizer), the same initial tables and the same batches give the same
 * losses and parameters as the float64 reference, within float32 tolerance.
 */

// 12 users x 4 items = 48 pairs, batch 10: 5 steps per epoch (the last of 8); users and items repeat within batches.
const problem = randomProblem(12, 15, 4, 5);
const schedule: EpochSchedule = { batch: 10, shuffle: true, dropLast: false, seed: 11 };
// float32 against float64 after a few steps; the variants (dense vs lazy, last vs sequential) differ by ~1e-2.
const TOL = 2e-5;

const init = (cfg: ModelConfig) => cfg.encoder.init(problem.numUsers, problem.numItems, 3);

async function withTrainer<T>(engine: TrainingEngine, cfg: ModelConfig, p: TrainingProblem, f: (t: Trainer) => Promise<T>, threads = 1): Promise<T> {
  const trainer = await engine.createTrainer(p, cfg, schedule, cfg.encoder.init(p.numUsers, p.numItems, 3), { threads });
  try {
    return await f(trainer);
  } finally {
    await trainer.dispose();
  }
}

function assertClose(label: string, got: { user: Float32Array; item: Float32Array }, want: { user: ArrayLike<number>; item: ArrayLike<number> }): void {
  assert.ok(maxAbsDiff(got.user, want.user) < TOL, `${label}: user table differs by ${maxAbsDiff(got.user, want.user)}`);
  assert.ok(maxAbsDiff(got.item, want.item) < TOL, `${label}: item table differs by ${maxAbsDiff(got.item, want.item)}`);
}

/** Batches of epochs 0 and 1 exactly as every engine cuts them (fillBatch). */
function explicitBatches(cfg: ModelConfig): Batch[] {
  const out: Batch[] = [];
  for (const epoch of [0, 1]) {
    const order = epochOrder(problem.pairUsers.length, schedule.seed, epoch, schedule.shuffle);
    for (let b = 0; b < 5; b++) {
      out.push(copyBatch(fillBatch(problem, schedule, cfg.sampler, order, epoch, b, allocBatch(schedule.batch, cfg.sampler))));
    }
  }
  return out;
}

describe('engine agreement: fused kernels vs the float64 reference vs tfjs', () => {
  let tfjsCpu: TrainingEngine;
  before(async () => {
    tfjsCpu = createTfjsEngine(await selectBackend('cpu'));
  });

  for (const { name, config: cfg } of allCombinations()) {
    it(name, async () => {
      // whole epochs: order, batches and negatives computed inside the kernels vs fillBatch in JS
      const ref = new ReferenceTrainer(problem, cfg, schedule, init(cfg));
      const r0 = await ref.trainEpoch(0);
      const r1 = await ref.trainEpoch(1);
      await withTrainer(fusedEngine, cfg, problem, async (t) => {
        const e0 = await t.trainEpoch(0);
        assert.deepEqual([e0.batches, e0.samples], [r0.batches, r0.samples]);
        assert.ok(Math.abs(e0.loss - r0.loss) < TOL, `epoch 0 loss ${e0.loss} vs ${r0.loss}`);
        const e1 = await t.trainEpoch(1);
        assert.ok(Math.abs(e1.loss - r1.loss) < TOL, `epoch 1 loss ${e1.loss} vs ${r1.loss}`);
        assertClose('after 2 epochs', await t.parameters(), ref.reference);
        const s = await t.saveState();
        assert.equal(s.step, ref.reference.step);
        for (const [k, v] of Object.entries(ref.reference.slots)) assert.ok(maxAbsDiff(s.slots[k]!, v) < TOL, `slot ${k} differs by ${maxAbsDiff(s.slots[k]!, v)}`);
        assert.deepEqual(Object.keys(s.slots).sort(), Object.keys(ref.reference.slots).sort());
      });

      // the generic tfjs engine (cpu backend), the same two epochs
      await withTrainer(tfjsCpu, cfg, problem, async (t) => {
        const e0 = await t.trainEpoch(0);
        const e1 = await t.trainEpoch(1);
        assert.ok(Math.abs(e0.loss - r0.loss) < TOL && Math.abs(e1.loss - r1.loss) < TOL, `tfjs epoch losses ${e0.loss}, ${e1.loss} vs ${r0.loss}, ${r1.loss}`);
        assertClose('tfjs after 2 epochs', await t.parameters(), ref.reference);
      });

      // explicit batches through trainBatch: step losses one by one
      const batches = explicitBatches(cfg);
      const ref2 = new ReferenceTrainer(problem, cfg, schedule, init(cfg));
      await withTrainer(fusedEngine, cfg, problem, async (t) => {
        for (const [i, b] of batches.entries()) {
          const want = await ref2.trainBatch(b);
          const got = await t.trainBatch(b);
          assert.ok(Math.abs(got - want) < TOL, `step ${i}: loss ${got} vs ${want}`);
        }
        assertClose('after 10 explicit steps', await t.parameters(), ref2.reference);
        const start = init(cfg);
        assert.ok(maxAbsDiff((await t.parameters()).user, start.user) > 1e-3 || maxAbsDiff((await t.parameters()).item, start.item) > 1e-3, 'nothing was trained');
      });
    });
  }

  it('tfjs on the wasm backend and fused give the same tables for representative combinations', async () => {
    for (const backendName of ['wasm'] as const) {
      const tfjs = createTfjsEngine(await selectBackend(backendName));
      for (const [l, b, o] of [
        ['infonce dot', 'both', 'adam dense'],
        ['infonce cosine t=0.5', 'onebp last', 'adam lazy'],
        ['bpr cosine', 'user_only sequential', 'sgd'],
        ['bpr dot', 'onebp sequential', 'adam dense'],
      ] as const) {
        const cfg = config(LOSSES[l]!, BACKPROPS[b]!, OPTIMIZERS[o]!);
        const fromTfjs = await withTrainer(tfjs, cfg, problem, async (t) => ({ e: await t.trainEpoch(0), tables: await t.parameters() }));
        const fromFused = await withTrainer(fusedEngine, cfg, problem, async (t) => ({ e: await t.trainEpoch(0), tables: await t.parameters() }));
        assert.ok(Math.abs(fromTfjs.e.loss - fromFused.e.loss) < TOL, `${backendName} ${l}/${b}/${o}: loss ${fromTfjs.e.loss} vs ${fromFused.e.loss}`);
        assertClose(`${backendName} ${l}/${b}/${o}`, fromFused.tables, fromTfjs.tables);
      }
    }
  });

  it('a larger problem, odd dim, 2 threads and drop_last: three epochs agree with the reference', async () => {
    const p = randomProblem(60, 90, 12, 7);
    const cfg = config(LOSSES['infonce cosine t=0.5']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!, 7, 13);
    const sched: EpochSchedule = { batch: 64, shuffle: true, dropLast: true, seed: 2022 };
    const ref = new ReferenceTrainer(p, cfg, sched, cfg.encoder.init(p.numUsers, p.numItems, 3));
    const trainer = await fusedEngine.createTrainer(p, cfg, sched, cfg.encoder.init(p.numUsers, p.numItems, 3), { threads: 2 });
    try {
      for (let epoch = 0; epoch < 3; epoch++) {
        const r = await ref.trainEpoch(epoch);
        const e = await trainer.trainEpoch(epoch);
        assert.deepEqual([e.batches, e.samples], [11, 704]);
        assert.deepEqual([e.batches, e.samples], [r.batches, r.samples]);
        assert.ok(Math.abs(e.loss - r.loss) < TOL, `epoch ${epoch}: loss ${e.loss} vs ${r.loss}`);
      }
      assertClose('after 3 epochs', await trainer.parameters(), ref.reference);
    } finally {
      await trainer.dispose();
    }
  });
});
