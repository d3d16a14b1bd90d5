import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../../../src/cli/commands/run.js';
import type { GraphNode } from '../../../src/contract/graph.js';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { chooseParallelism, idleCoresBetween, SMALL_TRIAL_WORK, trialBytes, trialShape, type TrialShape } from '../../../src/runtime/executor/parallel-trials.js';
import type { RuntimeOptions } from '../../../src/runtime/executor/services.js';

const ML100K: TrialShape = { trainPairs: 80_000, numUsers: 943, numItems: 1682, dim: 32, negatives: 5 };
const GIB = 2 ** 30;
const idle = (cores: number, freeBytes = 8 * GIB) => ({ freeBytes, load1: 0.3, cores });

describe('parallel trials: the choice', () => {
  it('auto runs small trials one per thread, each on one kernel thread', () => {
    assert.deepEqual(chooseParallelism('auto', 2, 28, ML100K, idle(2)), { trials: 2, threadsPerTrial: 1, reason: 'auto: small trials (15.4M pair-dims per epoch <= 100M): one per thread' });
    const four = chooseParallelism('auto', 4, 3, ML100K, idle(4));
    assert.deepEqual([four.trials, four.threadsPerTrial], [3, 1], 'never more at once than there are trainings');
  });

  it('auto keeps one trial on all threads when trials are large, single, or there is one thread', () => {
    // ML-1M-sized: 800k pairs x 64 x 6 = 307M > SMALL_TRIAL_WORK
    const big = chooseParallelism('auto', 2, 28, { ...ML100K, trainPairs: 800_000, dim: 64 }, idle(2));
    assert.deepEqual([big.trials, big.threadsPerTrial], [1, 2]);
    assert.match(big.reason, /^auto: trials are large \(307M pair-dims per epoch > 100M\)/);
    assert.equal(80_000 * 32 * 6 <= SMALL_TRIAL_WORK, true);
    assert.deepEqual(chooseParallelism('auto', 2, 1, ML100K, idle(2)), { trials: 1, threadsPerTrial: 2, reason: 'auto: fewer than two trainings' });
    assert.deepEqual(chooseParallelism('auto', 1, 28, ML100K, idle(2)), { trials: 1, threadsPerTrial: 1, reason: 'auto: one thread' });
    assert.equal(chooseParallelism('auto', 2, 28, null).trials, 1);
  });

  it('auto runs only as many at once as fit in half the free memory', () => {
    const one = trialBytes(ML100K);
    assert.equal(one, (943 + 1682) * 32 * 4 * 6 + 80_000 * 16 + (96 << 20));
    assert.equal(chooseParallelism('auto', 8, 28, ML100K, idle(8, 2 * 3 * one + 1)).trials, 3);
    assert.match(chooseParallelism('auto', 8, 28, ML100K, idle(8, 2 * one)).reason, /^auto: two trials do not fit in half the free memory/);
  });

  it('auto runs only as many at once as there are idle cores (cores - load average)', () => {
    assert.deepEqual(chooseParallelism('auto', 2, 28, ML100K, { freeBytes: 8 * GIB, load1: 11.2, cores: 2 }), { trials: 1, threadsPerTrial: 2, reason: 'auto: the machine is busy (load 11.20 on 2 cores): one trial at a time on all threads' });
    assert.equal(chooseParallelism('auto', 8, 28, ML100K, { freeBytes: 8 * GIB, load1: 5.6, cores: 8 }).trials, 3, '8 cores - 5.6 + this process: about 3 idle');
    assert.equal(chooseParallelism('auto', 2, 28, ML100K, { freeBytes: 8 * GIB, load1: 1.05, cores: 2 }).trials, 2, 'a quiet 2-core machine: load 1 is this process');
  });

  it('idle cores measured since the run started (own CPU time counted as idle) decide before the lagging load average', () => {
    // 1 s of wall time on 2 cores: 0.9 s idle across the cores, this process used 0.95 s itself -> 1.85 idle
    const a = { atMs: 1000, idleMs: 50_000, ownMs: 200 };
    const b = { atMs: 2000, idleMs: 50_900, ownMs: 1150 };
    assert.ok(Math.abs(idleCoresBetween(a, b, 2)! - 1.85) < 1e-12);
    assert.equal(idleCoresBetween(a, { ...b, atMs: 1100 }, 2), undefined, 'under 150 ms: too short to tell');
    assert.equal(idleCoresBetween(a, { ...b, idleMs: 60_000 }, 2), 2, 'never more than the cores');
    // the load average still says 1.87 right after a busy minute, but the cores are idle now
    assert.equal(chooseParallelism('auto', 2, 28, ML100K, { freeBytes: 8 * GIB, load1: 1.87, cores: 2 }).trials, 1);
    assert.equal(chooseParallelism('auto', 2, 28, ML100K, { freeBytes: 8 * GIB, load1: 1.87, cores: 2, idleCores: 1.85 }).trials, 2);
    assert.deepEqual(chooseParallelism('auto', 2, 28, ML100K, { freeBytes: 8 * GIB, load1: 0.2, cores: 2, idleCores: 0.6 }), {
      trials: 1,
      threadsPerTrial: 2,
      reason: 'auto: the machine is busy (0.60 of 2 cores idle since the run started): one trial at a time on all threads',
    });
  });

  it('a number is taken as given (at most the trainings), threads shared out', () => {
    assert.deepEqual(chooseParallelism(3, 8, 28, null), { trials: 3, threadsPerTrial: 2, reason: '--parallel-trials 3' });
    assert.deepEqual(chooseParallelism(4, 2, 28, null), { trials: 4, threadsPerTrial: 1, reason: '--parallel-trials 4' });
    assert.deepEqual(chooseParallelism(1, 2, 28, ML100K), { trials: 1, threadsPerTrial: 2, reason: '--parallel-trials 1' });
    assert.equal(chooseParallelism(5, 2, 2, null).trials, 2);
  });

  it('reads a trial\'s shape from its params and its split\'s metadata', () => {
    const node = { id: 't', kind: 'train', label: 't', inputs: ['s'], dataset: 'd', params: { encoder: { name: 'mf', params: { dim: 16 } }, sampler: { name: 'uniform', params: { negatives: 3 } } } } as unknown as GraphNode;
    const split = { meta: { numUsers: 10, numItems: 20, train: 300 } } as never;
    assert.deepEqual(trialShape(node, split), { trainPairs: 300, numUsers: 10, numItems: 20, dim: 16, negatives: 3 });
    assert.equal(trialShape(node, undefined), null);
  });
});

const experiment = `experiment par
dataset syn = synthetic(users: 120, items: 90, types: 3, interests: 2, per_user: 14, seed: 4) {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 1)
}
defaults {
  encoder:   mf(dim: 8)
  sampler:   uniform(negatives: 3, exclude_positives: true)
  optimizer: adam(lr: 0.01)
  training:  (batch: 64, epochs: 6, eval_every: 2, early_stop: ndcg@10 on valid, seed: 3)
}
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.9) }
run bpr   { loss: bpr; encoder: mf(dim: 12) }
sweep beta of onebp { backprop.beta: [0.5, 0.99] }
evaluate { metrics: precision, recall, ndcg @ 5, 10 }
`;

describe('parallel trials: the same results as one after another', function () {
  this.timeout(180_000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'expc-par-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  const runtime = (parallelTrials: RuntimeOptions['parallelTrials']): RuntimeOptions => ({ backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0, parallelTrials });
  const execute = (name: string, source: string, parallelTrials: RuntimeOptions['parallelTrials']): Promise<RunResult> => {
    const file = join(root, `${name}.exp`);
    writeFileSync(file, source);
    return run({ file, cacheDir: join(root, name), runtime: runtime(parallelTrials), force: false, progress: 'none', argv: ['run'], out: () => {}, warn: () => {} });
  };

  it('gives the same content keys, the same metrics bit for bit and the same trained files, and records the choice', async () => {
    const serial = await execute('serial', experiment, 1);
    const parallel = await execute('parallel', experiment, 2);
    const facts = (r: RunResult, cache: string) => {
      const store = new ArtifactStore(join(root, cache));
      return r.execution.outcomes.map((o) => {
        const a = store.get(o.key!)!;
        // curves.json also holds each epoch's seconds: compare its losses and metrics, not its bytes
        const { ['curves.json']: _timed, ...files } = a.manifest.files;
        const curves = a.has('curves.json') ? a.json<{ epochs: { loss: number; metrics?: unknown }[] }>('curves.json').epochs.map((e) => [e.loss, e.metrics ?? null]) : null;
        return { id: o.id, key: o.key, status: o.status, files, curves, mean: o.meta?.['mean'] ?? null, keptEpoch: o.meta?.['keptEpoch'] ?? null };
      });
    };
    const a = facts(serial, 'serial');
    const b = facts(parallel, 'parallel');
    assert.equal(a.filter((x) => x.id.startsWith('train')).length, 5);
    assert.deepEqual(b, a, 'keys, file hashes (embeddings, per-user metrics, top-K lists), losses and metrics of every epoch identical');
    assert.deepEqual(serial.record.options['parallelTrials'], { setting: 1, threads: 2, trialsAtOnce: 1, threadsPerTrial: 2, reason: '--parallel-trials 1', trainingsInWorkers: 0 });
    assert.deepEqual(parallel.record.options['parallelTrials'], { setting: 2, threads: 2, trialsAtOnce: 2, threadsPerTrial: 1, reason: '--parallel-trials 2', trainingsInWorkers: 5 });
    const threads = parallel.execution.outcomes.filter((o) => o.kind === 'train').map((o) => (o.meta!['engineDetails'] as Record<string, unknown>)['threads']);
    assert.deepEqual(threads, [1, 1, 1, 1, 1], 'each trial trained on its share of the threads');
  });

  it('reports a trial\'s user error from a worker as it would in this thread, and still runs the others', async () => {
    const bad = experiment.replace('run bpr   { loss: bpr; encoder: mf(dim: 12) }', 'run bpr   { loss: bpr; training.batch: 5000; training.drop_last: true }');
    const messages = async (name: string, p: RuntimeOptions['parallelTrials']) => {
      await assert.rejects(execute(name, bad, p), (e: Error) => {
        assert.match(e.message, /^1 step\(s\) failed \(everything else completed and is cached\):\n- train bpr on syn: drop_last with batch 5000 leaves no batch: the training split has only \d+ pairs\nhint: lower training\.batch or set drop_last: false$/);
        return true;
      });
    };
    await messages('bad-serial', 1);
    await messages('bad-parallel', 2);
  });

  it('refuses a bad --parallel-trials with exit 2', () => {
    const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/expc.js'), 'run', 'experiments/quickstart.exp', '--parallel-trials', '0'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--parallel-trials must be auto or an integer from 1 to 256, got '0'/);
  });
});
