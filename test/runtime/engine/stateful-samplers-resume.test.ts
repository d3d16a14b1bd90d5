import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import type { TrainingModel } from '../../../src/contract/training.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import type { EpochSchedule, Trainer, TrainerState, TrainingEngine } from '../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { maxAbsDiff, randomProblem } from '../reference/configs.js';

/**
 * The catalogue's stateful samplers through a trainer checkpoint: cross_batch's bank and
 * dynamic_dissimilar's table travel in TrainerState.sampler, so a run resumed after epoch 2
 * ends where an uninterrupted one ends; resuming cross_batch with an empty bank does not.
 */
const problem = randomProblem(10, 14, 4, 6);
const schedule: EpochSchedule = { batch: 8, shuffle: true, dropLast: false, seed: 5 };

function model(encoder: 'mf' | 'lightgcn', sampler: 'cross_batch' | 'dynamic_dissimilar'): TrainingModel {
  return bindModel({
    encoder: { name: encoder, params: { dim: 4, init: 'normal', std: 0.3, ...(encoder === 'lightgcn' ? { layers: 2 } : {}) } },
    sampler: sampler === 'cross_batch' ? { name: 'cross_batch', params: { memory: 12, warmup: 2, logq: true } } : { name: 'dynamic_dissimilar', params: { k: 3, interval: 2 } },
    loss: { name: sampler === 'cross_batch' ? 'infonce' : 'dns_contrastive', params: { temperature: 0.5 } },
    backprop: { name: 'both', params: {} },
    optimizer: { name: 'adam', params: { lr: 0.05 } },
  });
}

type Make = (m: TrainingModel) => Promise<Omit<Trainer, 'engine'>>;

async function resumedDiff(make: Make, m: TrainingModel, emptyBank: boolean): Promise<number> {
  const straight = await make(m);
  for (let e = 0; e < 4; e++) await straight.trainEpoch(e);
  const want = await straight.parameters();
  await straight.dispose();
  const first = await make(m);
  for (let e = 0; e < 3; e++) await first.trainEpoch(e);
  const saved: TrainerState = await first.saveState();
  await first.dispose();
  const resumed = await make(m);
  // a fresh trainer's sampler state is the empty bank (prepare() reset it)
  const state = emptyBank ? { ...saved, sampler: m.sampler.state!.save() } : saved;
  await resumed.loadState(state);
  await resumed.trainEpoch(3);
  const got = await resumed.parameters();
  await resumed.dispose();
  return Math.max(maxAbsDiff(got.user, want.user), maxAbsDiff(got.item, want.item));
}

describe('stateful samplers of the catalogue resume from trainer checkpoints', () => {
  let tfjs: TrainingEngine;
  before(async () => (tfjs = createTfjsEngine(await selectBackend('cpu'))));
  const init = (m: TrainingModel) => m.encoder.init(problem.numUsers, problem.numItems, 3);
  const engines: [string, 'mf' | 'lightgcn', Make][] = [
    ['reference', 'mf', async (m) => new ReferenceTrainer(problem, m, schedule, init(m))],
    ['tfjs', 'mf', (m) => tfjs.createTrainer(problem, m, schedule, init(m), { threads: 1 })],
    ['fused graph trainer', 'lightgcn', (m) => fusedEngine.createTrainer(problem, m, schedule, init(m), { threads: 2 })],
  ];
  for (const sampler of ['cross_batch', 'dynamic_dissimilar'] as const) {
    for (const [name, encoder, make] of engines) {
      it(`${sampler} on ${name}: resumed equals uninterrupted${sampler === 'cross_batch' ? ', and not with an empty bank' : ''}`, async () => {
        const m = model(encoder, sampler);
        const diff = await resumedDiff(make, m, false);
        // the reference's checkpoint is a float32 snapshot of its float64 state (bank included)
        if (name === 'reference') assert.ok(diff < 1e-5, `${diff}`);
        else assert.equal(diff, 0);
        if (sampler === 'cross_batch') assert.ok((await resumedDiff(make, m, true)) > 1e-4, 'the bank made no difference: the test would not catch its loss');
      });
    }
  }
});
