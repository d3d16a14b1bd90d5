import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindModel } from '../../../src/components/catalogue.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { createTfjsEngine } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import type { EpochSchedule } from '../../../src/runtime/engine/engine.js';
import { readCheckpoint, writeCheckpoint, type TrainingCheckpoint } from '../../../src/runtime/steps/checkpoint.js';
import { maxAbsDiff, randomProblem } from '../reference/configs.js';

/**
 * Encoders with dense weights (ngcf) checkpoint them with the tables and the optimiser slots,
 * and best embeddings wider than the parameters ((K + 1) d) are kept: a run resumed from a
 * checkpoint trains exactly as an uninterrupted one. All trainers get the same init arrays, so
 * this also checks that a trainer never writes into them (tfjs-cpu aliased them under onebp).
 */
describe('checkpoints of an encoder with dense weights (ngcf)', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'expc-ckpt-w-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips weights, their slots and wider best embeddings; resuming on tfjs gives the uninterrupted run', async () => {
    const problem = randomProblem(8, 10, 3, 2);
    const model = bindModel({
      encoder: { name: 'ngcf', params: { dim: 3, layers: 2, dropout: 0.2 } },
      sampler: { name: 'uniform', params: { negatives: 2 } },
      loss: { name: 'bpr', params: {} },
      backprop: { name: 'onebp', params: { beta: 0.9 } },
      optimizer: { name: 'adamw', params: { lr: 0.05 } },
    });
    const schedule: EpochSchedule = { batch: 8, shuffle: true, dropLast: false, seed: 4 };
    const engine = createTfjsEngine(await selectBackend('cpu'));
    const init = model.encoder.init(problem.numUsers, problem.numItems, 1);
    const straight = await engine.createTrainer(problem, model, schedule, init, { threads: 1 });
    for (let e = 0; e < 4; e++) await straight.trainEpoch(e);
    const want = await straight.parameters();
    await straight.dispose();

    const first = await engine.createTrainer(problem, model, schedule, init, { threads: 1 });
    for (let e = 0; e < 2; e++) await first.trainEpoch(e);
    const emb = await first.embeddings();
    assert.equal(emb.dim, 9, 'embeddings are the 3 layers concatenated');
    const c: TrainingCheckpoint = { nextEpoch: 2, state: await first.saveState(), curves: { epochs: [], monitored: null }, best: { epoch: 2, value: 0.5, tables: emb, params: await first.parameters() }, evalsSinceBest: 0 };
    await first.dispose();
    assert.ok(Object.keys(c.state.slots).includes('m.w:w1_0'), 'optimiser slots of the weights are saved');
    const path = join(dir, 'k.ckpt');
    writeCheckpoint(path, c);
    const warnings: string[] = [];
    const back = readCheckpoint(path, (m) => warnings.push(m), { numUsers: 8, numItems: 10, dim: 3, epochs: 4 })!;
    assert.deepEqual(warnings, []);
    assert.deepEqual(Object.keys(back.state.tables.weights!).sort(), Object.keys(c.state.tables.weights!).sort());
    assert.deepEqual(back.best!.tables.dim, 9);
    assert.deepEqual(back.best!.params!.weights, c.best!.params!.weights);

    const resumed = await engine.createTrainer(problem, model, schedule, init, { threads: 1 });
    await resumed.loadState(back.state);
    for (let e = 2; e < 4; e++) await resumed.trainEpoch(e);
    const got = await resumed.parameters();
    await resumed.dispose();
    assert.equal(maxAbsDiff(got.item, want.item), 0);
    for (const k of Object.keys(want.weights!)) assert.equal(maxAbsDiff(got.weights![k]!, want.weights![k]!), 0, k);
  });
});
