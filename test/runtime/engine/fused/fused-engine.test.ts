import assert from 'node:assert/strict';
import { InternalError, UsageError, UserError } from '../../../../src/core/errors.js';
import { UserItems } from '../../../../src/core/user-items.js';
import type { EpochSchedule, Support, Tables, TrainingEngine, TrainingProblem } from '../../../../src/runtime/engine/engine.js';
import { fusedEngine } from '../../../../src/runtime/engine/fused/fused-engine.js';
import { FusedTrainer } from '../../../../src/runtime/engine/fused/fused-trainer.js';
import type { ModelConfig } from '../../reference/configs.js';
import { selectEngine } from '../../../../src/runtime/engine/select-engine.js';
import { BACKPROPS, config, LOSSES, OPTIMIZERS, randomProblem } from '../../reference/configs.js';
import { explicitBatch } from '../../../../src/runtime/training/epoch.js';

const problem = randomProblem(80, 120, 15, 9);
const schedule: EpochSchedule = { batch: 128, shuffle: true, dropLast: false, seed: 5 };
const initFor = (cfg: ModelConfig, p: TrainingProblem = problem): Tables => cfg.encoder.init(p.numUsers, p.numItems, 4);

async function trainFor(cfg: ModelConfig, threads: number, epochs: number): Promise<{ losses: number[]; tables: Tables }> {
  const t = await fusedEngine.createTrainer(problem, cfg, schedule, initFor(cfg), { threads });
  try {
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) losses.push((await t.trainEpoch(e)).loss);
    return { losses, tables: await t.parameters() };
  } finally {
    await t.dispose();
  }
}

describe('fused engine', () => {
  describe('determinism', () => {
    for (const [l, b, o] of [
      ['infonce dot', 'both', 'adam dense'],
      ['infonce cosine t=0.5', 'onebp last', 'adam lazy'],
      ['bpr dot', 'onebp sequential', 'sgd'],
      ['bpr cosine', 'user_only last', 'adam dense'],
      ['infonce dot', 'user_only sequential', 'adam lazy'],
    ] as const) {
      it(`1, 2 and 3 threads give bit-identical losses and tables: ${l} / ${b} / ${o}`, async () => {
        const cfg = config(LOSSES[l]!, BACKPROPS[b]!, OPTIMIZERS[o]!, 5, 10);
        const one = await trainFor(cfg, 1, 3);
        for (const threads of [2, 3]) {
          const many = await trainFor(cfg, threads, 3);
          assert.deepEqual(many.losses, one.losses);
          assert.deepEqual(many.tables.user, one.tables.user);
          assert.deepEqual(many.tables.item, one.tables.item);
        }
      });
    }

    it('saveState / loadState resumes to bit-identical results, also on a trainer with another thread count', async () => {
      const cfg = config(LOSSES['infonce cosine t=0.5']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!, 5, 10);
      const straight = await trainFor(cfg, 1, 4);
      const a = await fusedEngine.createTrainer(problem, cfg, schedule, initFor(cfg), { threads: 1 });
      await a.trainEpoch(0);
      await a.trainEpoch(1);
      const state = await a.saveState();
      assert.equal(state.step, 2 * Math.ceil(problem.pairUsers.length / schedule.batch));
      assert.deepEqual(Object.keys(state.slots).sort(), ['m.item', 'v.item']);
      await a.trainEpoch(2); // moves a away from the saved state
      await a.dispose();
      // a fresh trainer from other initial tables: everything must come from the state
      const other = cfg.encoder.init(problem.numUsers, problem.numItems, 99);
      const b = await fusedEngine.createTrainer(problem, cfg, schedule, other, { threads: 2 });
      try {
        await b.loadState(state);
        const losses = [(await b.trainEpoch(2)).loss, (await b.trainEpoch(3)).loss];
        assert.deepEqual(losses, straight.losses.slice(2));
        const t = await b.parameters();
        assert.deepEqual(t.user, straight.tables.user);
        assert.deepEqual(t.item, straight.tables.item);
      } finally {
        await b.dispose();
      }
    });
  });

  it('trains: the loss falls on a problem with structure', async () => {
    // users 0-39 like items 0-59, users 40-79 items 60-119
    const us: number[] = [];
    const is: number[] = [];
    for (let u = 0; u < 80; u++) for (let k = 0; k < 20; k++) {
      us.push(u);
      is.push((u < 40 ? 0 : 60) + ((u * 7 + k * 3) % 60));
    }
    const pos = UserItems.fromPairs(80, 120, Int32Array.from(us), Int32Array.from(is));
    const pairs = pos.pairs();
    const p: TrainingProblem = { numUsers: 80, numItems: 120, pairUsers: pairs.users, pairItems: pairs.items, positives: pos };
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['onebp last']!, { name: 'adam', params: { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, lazy: false } }, 5, 16);
    const t = await fusedEngine.createTrainer(p, cfg, schedule, initFor(cfg, p), { threads: 2 });
    try {
      const first = (await t.trainEpoch(0)).loss;
      let last = first;
      for (let e = 1; e < 30; e++) last = (await t.trainEpoch(e)).loss;
      assert.ok(first > 1.5 && last < 0.6 * first, `loss ${first} -> ${last}`);
    } finally {
      await t.dispose();
    }
  });

  it('records its details: threads, SIMD, optimiser variant, kernel build', async () => {
    for (const [o, variant] of [['adam dense', 'adam-dense'], ['adam lazy', 'adam-lazy'], ['sgd', 'sgd']] as const) {
      const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS[o]!);
      const t = await fusedEngine.createTrainer(problem, cfg, schedule, initFor(cfg), { threads: 2 });
      assert.equal(t.engine, 'fused');
      assert.equal(t.details['threads'], 2);
      assert.equal(t.details['simd'], true);
      assert.equal(t.details['optimizer'], variant);
      assert.match(String(t.details['kernelBuild']), /^[0-9a-f]{12}$/);
      await t.dispose();
    }
  });

  it('dispose() stops every worker; a disposed trainer refuses work; the process can exit (mocha exits by itself)', async () => {
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!);
    const t = (await fusedEngine.createTrainer(problem, cfg, schedule, initFor(cfg), { threads: 3 })) as FusedTrainer;
    assert.equal(t.liveWorkers, 3);
    await t.trainEpoch(0);
    await t.dispose();
    assert.equal(t.liveWorkers, 0);
    await assert.rejects(t.trainEpoch(1), /used after dispose/);
    await t.dispose(); // idempotent
  });

  it('rejects malformed batches and states as internal errors, before touching memory', async () => {
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['adam dense']!, 3, 8);
    const t = await fusedEngine.createTrainer(problem, cfg, schedule, initFor(cfg), { threads: 1 });
    try {
      const batch = (users: number[], pos: number[], neg: number[]) => ({ ...explicitBatch(users, pos, neg), width: 3 });
      await assert.rejects(t.trainBatch(batch([80], [0], [1, 2, 3])), (e: unknown) => e instanceof InternalError && /batch user 80 is not in \[0, 80\)/.test(e.message));
      await assert.rejects(t.trainBatch(batch([0], [0], [1, 2, 120])), /batch negative 120 is not in \[0, 120\)/);
      await assert.rejects(t.trainBatch(batch([0], [0], [1, 2])), /fewer than 1 pairs with 3 negatives/);
      await assert.rejects(t.trainBatch(explicitBatch(new Int32Array(129), new Int32Array(129), new Int32Array(387))), /129 pairs does not fit the schedule's batch of 128/);
      const s = await t.saveState();
      await assert.rejects(t.loadState({ ...s, slots: { 'm.user': s.slots['m.user']! } }), /lacks optimiser slot 'v.user'/);
      await assert.rejects(t.loadState({ ...s, tables: { ...s.tables, dim: 4 } }), /do not match 80 users, 120 items, dim 8/);
    } finally {
      await t.dispose();
    }
  });

  it('refuses, as a user error, to sample negatives for a user who has every item', async () => {
    const pos = UserItems.fromPairs(2, 3, Int32Array.from([0, 0, 0, 1]), Int32Array.from([0, 1, 2, 0]));
    const pairs = pos.pairs();
    const p: TrainingProblem = { numUsers: 2, numItems: 3, pairUsers: pairs.users, pairItems: pairs.items, positives: pos };
    const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 1, 4);
    await assert.rejects(fusedEngine.createTrainer(p, cfg, schedule, initFor(cfg, p), { threads: 1 }), (e: unknown) => e instanceof UserError && /1 user\(s\) \(first: 0\) interacted with every item/.test(e.message));
  });

  it('supports every mf x uniform x {infonce, bpr} x {both, onebp, user_only} x {adam, sgd} configuration and names what it lacks', () => {
    for (const l of Object.values(LOSSES)) for (const b of Object.values(BACKPROPS)) for (const o of Object.values(OPTIMIZERS)) assert.deepEqual(fusedEngine.supports(config(l, b, o)), { ok: true });
    const odd = (slot: 'sampler' | 'loss', name: string) => config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 8, { [slot]: { name, params: {} } });
    // what the MF kernel lacks trains on the row trainer (zero-layer graph trainer) unless the optimiser is lazy
    const lazy = (slot: 'sampler' | 'loss' | 'regularizer', name: string) =>
      config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['adam lazy']!, 3, 8, { [slot]: { name, params: {} } });
    const rowTrainer = 'the fused graph trainer has no lazy optimiser (every row gets gradient through the graph)';
    assert.deepEqual(fusedEngine.supports(odd('sampler', 'popularity')), { ok: true });
    assert.deepEqual(fusedEngine.supports(lazy('sampler', 'popularity')), { ok: false, reason: `the fused kernels have no sampler 'popularity', and ${rowTrainer}` });
    assert.deepEqual(fusedEngine.supports(lazy('loss', 'bce')), { ok: false, reason: `the fused kernels have no loss 'bce', and ${rowTrainer}` });
    assert.deepEqual(fusedEngine.supports(lazy('regularizer', 'l2')), { ok: false, reason: `the fused kernels have no regularizer 'l2', and ${rowTrainer}` });
  });
});

describe('selectEngine', () => {
  const stub = (name: 'tfjs' | 'fused', support: Support = { ok: true }): TrainingEngine => ({
    name,
    supports: () => support,
    createTrainer: () => Promise.reject(new Error('not used')),
  });
  const cfg = config(LOSSES['infonce dot']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!);
  const tfjs = stub('tfjs');
  const fused = stub('fused');
  const lacking = stub('fused', { ok: false, reason: "the fused kernels have no encoder 'lightgcn' (they implement mf)" });

  it('auto: fused on CPU-bound backends, tfjs on a GPU or when the kernels lack a component', () => {
    for (const name of ['cpu', 'wasm', 'tensorflow']) {
      const r = selectEngine('auto', cfg, { name, cpuBound: true }, { tfjs, fused });
      assert.equal(r.engine, fused);
      assert.equal(r.reason, `fused CPU kernels: the ${name} backend computes on the CPU`);
    }
    const gpu = selectEngine('auto', cfg, { name: 'tensorflow', cpuBound: false }, { tfjs, fused });
    assert.equal(gpu.engine, tfjs);
    assert.equal(gpu.reason, 'tfjs: the tensorflow backend computes on a GPU');
    const lack = selectEngine('auto', cfg, { name: 'cpu', cpuBound: true }, { tfjs, fused: lacking });
    assert.equal(lack.engine, tfjs);
    assert.equal(lack.reason, "tfjs: the fused kernels have no encoder 'lightgcn' (they implement mf)");
  });

  it('explicit choices are honoured; an explicit fused that cannot train the configuration is a usage error with the reason', () => {
    assert.equal(selectEngine('tfjs', cfg, { name: 'cpu', cpuBound: true }, { tfjs, fused }).engine, tfjs);
    assert.equal(selectEngine('fused', cfg, { name: 'tensorflow', cpuBound: false }, { tfjs, fused }).engine, fused);
    assert.throws(
      () => selectEngine('fused', cfg, { name: 'cpu', cpuBound: true }, { tfjs, fused: lacking }),
      (e: unknown) =>
        e instanceof UsageError && e instanceof UserError && e.message === "--engine fused cannot train this configuration: the fused kernels have no encoder 'lightgcn' (they implement mf)",
    );
  });
});
