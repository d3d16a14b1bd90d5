import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import type { ExecutorEvent } from '../../../src/runtime/events.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { decodeTables } from '../../../src/runtime/steps/artifact-codecs.js';
import { compileFiles } from '../../compiler/helpers.js';

const src = `experiment resume
dataset syn = synthetic(users: 80, items: 60, per_user: 10, seed: 2) { split: holdout(test: 0.2, valid: 0.1) }
defaults { encoder: mf(dim: 8) optimizer: adam(lr: 0.01) training: (batch: 32, epochs: 6, eval_every: 2, seed: 5) }
run a { backprop: onebp(beta: 0.9) }
`;

/** Runs the experiment; `crashAt` makes the progress sink throw at that epoch, like a killed process. */
async function execute(root: string, crashAt?: number, force = false) {
  const { graph } = compileFiles({ 'e.exp': src });
  const store = new ArtifactStore(root);
  // Checkpoint after every epoch (any positive interval shorter than an epoch).
  const services = new RuntimeServices({ backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 1e-9 });
  const events: ExecutorEvent[] = [];
  try {
    const r = await executeGraph(graph!, {
      force,
      store,
      services,
      emit: (e) => {
        events.push(e);
        if (crashAt !== undefined && e.type === 'epoch' && e.epoch === crashAt) throw new Error('simulated crash');
      },
    });
    return { r, events, store };
  } finally {
    await services.dispose();
  }
}

describe('training checkpoints', function () {
  this.timeout(60000);
  it('an interrupted training resumes after its last checkpoint and ends with the same tables as an uninterrupted one', async () => {
    const straight = mkdtempSync(join(tmpdir(), 'expc-ckpt-a-'));
    const broken = mkdtempSync(join(tmpdir(), 'expc-ckpt-b-'));
    try {
      const reference = await execute(straight);
      const crashed = await execute(broken, 4);
      assert.equal(crashed.r.outcomes.find((o) => o.id === 'train:syn/a')!.status, 'failed');
      assert.equal(readdirSync(join(broken, 'checkpoints')).length, 1, 'a checkpoint survives the crash');

      const resumed = await execute(broken);
      const log = resumed.events.find((e) => e.type === 'log' && e.message.startsWith('resuming'));
      assert.deepEqual(log && log.type === 'log' ? log.message : undefined, 'resuming from the checkpoint after epoch 3');
      const epochs = resumed.events.filter((e): e is Extract<ExecutorEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.epoch);
      assert.deepEqual(epochs, [4, 5, 6], 'only the remaining epochs are trained');

      const key = reference.r.keys.get('train:syn/a')!.key;
      assert.equal(resumed.r.keys.get('train:syn/a')!.key, key);
      const a = decodeTables(reference.store.get(key)!);
      const b = decodeTables(resumed.store.get(key)!);
      assert.deepEqual(Array.from(b.user), Array.from(a.user));
      assert.deepEqual(Array.from(b.item), Array.from(a.item));
      const curvesA = reference.store.get(key)!.json<{ epochs: unknown[] }>('curves.json');
      const curvesB = resumed.store.get(key)!.json<{ epochs: { epoch: number; loss: number; metrics?: unknown }[] }>('curves.json');
      assert.deepEqual(
        curvesB.epochs.map((e) => [e.epoch, e.loss, e.metrics]),
        (curvesA.epochs as { epoch: number; loss: number; metrics?: unknown }[]).map((e) => [e.epoch, e.loss, e.metrics]),
      );
      assert.equal(existsSync(join(broken, 'checkpoints', `${key}.ckpt`)), false, 'the checkpoint is removed once the result is stored');
    } finally {
      rmSync(straight, { recursive: true, force: true });
      rmSync(broken, { recursive: true, force: true });
    }
  });

  const trainedEpochs = (events: ExecutorEvent[]) => events.filter((e): e is Extract<ExecutorEvent, { type: 'epoch' }> => e.type === 'epoch').map((e) => e.epoch);

  it('a checkpoint whose header was altered (nextEpoch) is not used: all epochs are trained, the same tables result (finding 2)', async () => {
    const straight = mkdtempSync(join(tmpdir(), 'expc-ckpt-a-'));
    const broken = mkdtempSync(join(tmpdir(), 'expc-ckpt-b-'));
    try {
      const reference = await execute(straight);
      await execute(broken, 4);
      const [name] = readdirSync(join(broken, 'checkpoints'));
      const p = join(broken, 'checkpoints', name!);
      const b = readFileSync(p);
      const at = b.indexOf('"nextEpoch":3');
      assert.ok(at > 0);
      b[at + '"nextEpoch":'.length] = '5'.charCodeAt(0);
      writeFileSync(p, b);
      const again = await execute(broken);
      assert.deepEqual(trainedEpochs(again.events), [1, 2, 3, 4, 5, 6]);
      assert.ok(again.events.some((e) => e.type === 'log' && e.level === 'warn' && /does not match its sha256/.test(e.message)));
      const key = reference.r.keys.get('train:syn/a')!.key;
      assert.deepEqual(Array.from(decodeTables(again.store.get(key)!).user), Array.from(decodeTables(reference.store.get(key)!).user));
    } finally {
      rmSync(straight, { recursive: true, force: true });
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('--force trains from the start even when a checkpoint exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-ckpt-f-'));
    try {
      await execute(root, 4);
      const again = await execute(root, undefined, true);
      assert.deepEqual(trainedEpochs(again.events), [1, 2, 3, 4, 5, 6]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a checkpoint the file system refuses is a warning: training goes on and the result is stored (finding 5)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-ckpt-w-'));
    try {
      writeFileSync(join(root, 'checkpoints'), 'a file where the checkpoint folder should be');
      const r = await execute(root);
      assert.equal(r.r.outcomes.find((o) => o.id === 'train:syn/a')!.status, 'ran');
      const warnings = r.events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => (e.type === 'log' ? e.message : ''));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /cannot write the training checkpoint .*\(ENOTDIR|EEXIST\).*; training goes on without checkpoints/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
