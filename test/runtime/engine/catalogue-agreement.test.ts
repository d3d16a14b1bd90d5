import assert from 'node:assert/strict';
import { BACKPROPS, ENCODERS, LOSSES, OPTIMIZERS, SAMPLERS, bindModel, type ComponentChoice, type ModelChoice } from '../../../src/components/catalogue.js';
import type { TrainingModel } from '../../../src/contract/training.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import type { EpochSchedule, Trainer, TrainingEngine } from '../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../src/runtime/engine/fused/fused-engine.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { maxAbsDiff, randomProblem } from '../reference/configs.js';

/**
 * Every encoder x sampler x loss of the catalogue, enumerated from the catalogue itself (a new
 * component is tested here without touching this file): two epochs on each engine that supports
 * the model give the float64 reference's losses and parameters within float32 tolerance. The
 * backprop strategy, optimiser and regulariser rotate over the combinations so that each meets
 * every encoder and sampler.
 */
const problem = randomProblem(12, 15, 4, 5);
const schedule: EpochSchedule = { batch: 10, shuffle: true, dropLast: false, seed: 11 };
const TOL = 5e-5;

/** Parameters that keep the tests small; components not listed use their defaults. */
const TEST_PARAMS: Record<string, ComponentChoice['params']> = {
  mf: { dim: 4, init: 'normal', std: 0.3 },
  lightgcn: { dim: 4, layers: 2, init: 'normal', std: 0.3 },
  svdpp: { dim: 4, init: 'normal', std: 0.3, side: 'item', alpha0: 0.5, alpha1: 0.5 },
  ngcf: { dim: 4, layers: 2, dropout: 0.2, node_dropout: 0.1, init: 'normal', std: 0.3 },
  adagrad: { lr: 0.05, weight_decay: 0.01 },
  adamw: { lr: 0.01, weight_decay: 0.05 },
  uniform: { negatives: 3 },
  popularity: { negatives: 3, power: 1, exclude_positives: false },
  in_batch: { logq: true },
  hard: { candidates: 5, negatives: 2 },
  hars: { candidates: 5, negatives: 2 },
  cross_batch: { memory: 12, warmup: 1, logq: true },
  mixed: { uniform: 4, logq: true },
  dynamic_dissimilar: { k: 3, interval: 1 },
  adam: { lr: 0.01, weight_decay: 0.01 },
  sgd: { lr: 0.5, weight_decay: 0.01 },
  onebp: { beta: 0.9 },
  user_only: { beta: 0.9 },
};
const choice = (name: string): ComponentChoice => ({ name, params: TEST_PARAMS[name] ?? {} });

function combinations(): { name: string; model: TrainingModel }[] {
  const out: { name: string; model: TrainingModel }[] = [];
  let i = 0;
  for (const e of ENCODERS)
    for (const s of SAMPLERS)
      for (const l of LOSSES) {
        const backprop = BACKPROPS[i % BACKPROPS.length]!.name;
        const optimizer = OPTIMIZERS[i % OPTIMIZERS.length]!.name;
        const c: ModelChoice = { encoder: choice(e.name), sampler: choice(s.name), loss: choice(l.name), backprop: choice(backprop), optimizer: choice(optimizer) };
        if (i % 3 === 2) c.regularizer = { name: 'l2', params: { weight: 0.05 } };
        out.push({ name: `${e.name} / ${s.name} / ${l.name} / ${backprop} / ${optimizer}${c.regularizer ? ' / l2' : ''}`, model: bindModel(c) });
        i++;
      }
  return out;
}

async function twoEpochs(engine: TrainingEngine, model: TrainingModel, threads = 2): Promise<{ losses: number[]; params: { user: Float32Array; item: Float32Array } }> {
  const t: Trainer = await engine.createTrainer(problem, model, schedule, model.encoder.init(problem.numUsers, problem.numItems, 3), { threads });
  try {
    const losses = [(await t.trainEpoch(0)).loss, (await t.trainEpoch(1)).loss];
    return { losses, params: await t.parameters() };
  } finally {
    await t.dispose();
  }
}

describe('engine agreement over the whole catalogue (enumerated from it)', function () {
  this.timeout(120000);
  let tfjs: TrainingEngine;
  before(async () => {
    tfjs = createTfjsEngine(await selectBackend('cpu'));
  });

  for (const { name, model } of combinations()) {
    it(name, async () => {
      const ref = new ReferenceTrainer(problem, model, schedule, model.encoder.init(problem.numUsers, problem.numItems, 3));
      const want = [(await ref.trainEpoch(0)).loss, (await ref.trainEpoch(1)).loss];
      assert.ok(want.every(Number.isFinite), `reference losses ${want}`);
      const engines = [tfjs, fusedEngine].filter((e) => e.supports(model).ok);
      assert.ok(engines.includes(tfjs), 'the tfjs engine trains every combination');
      for (const engine of engines) {
        const got = await twoEpochs(engine, model);
        for (let e = 0; e < 2; e++) assert.ok(Math.abs(got.losses[e]! - want[e]!) < TOL, `${engine.name}: epoch ${e} loss ${got.losses[e]} vs ${want[e]}`);
        assert.ok(maxAbsDiff(got.params.user, ref.reference.user) < TOL, `${engine.name}: user parameters differ by ${maxAbsDiff(got.params.user, ref.reference.user)}`);
        assert.ok(maxAbsDiff(got.params.item, ref.reference.item) < TOL, `${engine.name}: item parameters differ by ${maxAbsDiff(got.params.item, ref.reference.item)}`);
      }
    });
  }

  it('the fused engine trains lightgcn with any sampler and loss, bit-identically for 1 and 3 threads', async () => {
    const model = bindModel({ encoder: choice('lightgcn'), sampler: choice('in_batch'), loss: choice('bce'), backprop: choice('onebp'), optimizer: choice('adam') });
    assert.deepEqual(fusedEngine.supports(model), { ok: true });
    const a = await twoEpochs(fusedEngine, model, 1);
    const b = await twoEpochs(fusedEngine, model, 3);
    assert.deepEqual(a.losses, b.losses);
    assert.equal(maxAbsDiff(a.params.item, b.params.item), 0);
  });

  it('the fused engine names what it lacks: a lazy optimiser under a graph encoder; under mf, a loss without a kernel and a lazy optimiser', () => {
    const lazy = bindModel({ encoder: choice('lightgcn'), sampler: choice('uniform'), loss: choice('bpr'), backprop: choice('both'), optimizer: { name: 'adam', params: { lazy: true } } });
    assert.deepEqual(fusedEngine.supports(lazy), { ok: false, reason: 'the fused graph trainer has no lazy optimiser (every row gets gradient through the graph)' });
    const bceLazy = bindModel({ encoder: choice('mf'), sampler: choice('uniform'), loss: choice('bce'), backprop: choice('both'), optimizer: { name: 'adam', params: { lazy: true } } });
    assert.deepEqual(fusedEngine.supports(bceLazy), {
      ok: false,
      reason: "the fused kernels have no loss 'bce', and the fused graph trainer has no lazy optimiser (every row gets gradient through the graph)",
    });
  });

  it('mf with a component the MF kernel lacks trains fused on the row trainer (zero propagation layers), recorded as such', async () => {
    const bce = bindModel({ encoder: choice('mf'), sampler: choice('hard'), loss: choice('bce'), backprop: choice('onebp'), optimizer: choice('adam') });
    assert.deepEqual(fusedEngine.supports(bce), { ok: true });
    const t = await fusedEngine.createTrainer(problem, bce, schedule, bce.encoder.init(problem.numUsers, problem.numItems, 3), { threads: 1 });
    try {
      assert.equal(t.details['layers'], 0);
      assert.match(String(t.details['kernels']), /^row trainer/);
      // E = P: with zero layers the embeddings are the parameters
      await t.trainEpoch(0);
      const [p, e] = [await t.parameters(), await t.embeddings()];
      assert.deepEqual(Array.from(e.user), Array.from(p.user));
      assert.deepEqual(Array.from(e.item), Array.from(p.item));
    } finally {
      await t.dispose();
    }
  });
});
