import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { defineComponent } from '../../../src/contract/component.js';
import type { SamplerBehaviour, TrainingModel } from '../../../src/contract/training.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import type { EpochSchedule, Trainer, TrainerState, TrainingEngine } from '../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { maxAbsDiff, randomProblem } from '../reference/configs.js';

/**
 * The sampler-state axis of the contract: a sampler whose draws depend on what it drew before
 * (here a counter of filled batches, the simplest memory) resumes exactly from a saved trainer
 * state, on every engine that runs samplers in JS. Without its state the resumed run differs.
 */
const counting = defineComponent<Record<string, never>, SamplerBehaviour>({
  slot: 'sampler',
  name: 'counting',
  version: 1,
  summary: 'test sampler: negative of row b in batch t is (pos + t + b) mod items, t counted across epochs',
  schema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => {
    let t = 0;
    return {
      layout: 'per_positive',
      width: () => 1,
      modelAware: false,
      logq: false,
      check: () => null,
      prepare: () => void (t = 0),
      fill({ data, batch }) {
        for (let b = 0; b < batch.size; b++) batch.neg[b] = (batch.pos[b]! + t + b + 1) % data.numItems;
        t++;
      },
      state: { save: () => Float32Array.of(t), load: (s) => void (t = s[0]!) },
    };
  },
});

const problem = randomProblem(10, 13, 4, 2);
const schedule: EpochSchedule = { batch: 7, shuffle: true, dropLast: false, seed: 5 };

function model(encoder: 'mf' | 'lightgcn'): TrainingModel {
  const m = bindModel({
    encoder: { name: encoder, params: { dim: 4, init: 'normal', std: 0.3, ...(encoder === 'lightgcn' ? { layers: 2 } : {}) } },
    sampler: { name: 'uniform', params: {} },
    loss: { name: 'bpr', params: {} },
    backprop: { name: 'both', params: {} },
    optimizer: { name: 'adam', params: { lr: 0.01 } },
  });
  return { ...m, sampler: counting.bind({}), names: { ...m.names, sampler: 'counting' } };
}

type Make = (m: TrainingModel) => Promise<Omit<Trainer, 'engine'>>;

async function resumeMatches(make: Make, m: TrainingModel, dropSamplerState: boolean): Promise<number> {
  const straight = await make(m);
  for (let e = 0; e < 3; e++) await straight.trainEpoch(e);
  const want = await straight.parameters();
  await straight.dispose();
  const first = await make(m);
  await first.trainEpoch(0);
  await first.trainEpoch(1);
  const saved: TrainerState = await first.saveState();
  await first.dispose();
  const resumed = await make(m);
  const state = dropSamplerState ? { ...saved, sampler: Float32Array.of(0) } : saved;
  await resumed.loadState(state);
  await resumed.trainEpoch(2);
  const got = await resumed.parameters();
  await resumed.dispose();
  return Math.max(maxAbsDiff(got.user, want.user), maxAbsDiff(got.item, want.item));
}

describe('sampler state is saved and restored with the trainer', () => {
  let tfjs: TrainingEngine;
  before(async () => (tfjs = createTfjsEngine(await selectBackend('cpu'))));
  const init = (m: TrainingModel) => m.encoder.init(problem.numUsers, problem.numItems, 3);
  const engines: [string, 'mf' | 'lightgcn', () => Make][] = [
    ['reference', 'mf', () => async (m) => new ReferenceTrainer(problem, m, schedule, init(m))],
    ['tfjs', 'mf', () => (m) => tfjs.createTrainer(problem, m, schedule, init(m), { threads: 1 })],
    ['fused graph trainer', 'lightgcn', () => (m) => fusedEngine.createTrainer(problem, m, schedule, init(m), { threads: 2 })],
  ];
  for (const [name, encoder, make] of engines) {
    it(`${name}: a resumed run equals an uninterrupted one, and not without the sampler's state`, async () => {
      const m = model(encoder);
      // the float64 reference saves float32 snapshots (TrainerState), so its resume rounds once
      const diff = await resumeMatches(make(), m, false);
      if (name === 'reference') assert.ok(diff < 1e-6, `${diff}`);
      else assert.equal(diff, 0);
      assert.ok((await resumeMatches(make(), m, true)) > 1e-4, 'the sampler state made no difference: the test would not catch its loss');
    });
  }

  it('a saved state without the sampler state is refused for a stateful sampler', async () => {
    const m = model('mf');
    const t = new ReferenceTrainer(problem, m, schedule, init(m));
    const s = await t.saveState();
    delete s.sampler;
    await assert.rejects(t.loadState(s), /no sampler state/);
  });
});
