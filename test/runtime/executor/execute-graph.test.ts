import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import type { ExecutorEvent } from '../../../src/runtime/events.js';
import { executeGraph, type ExecutionResult } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { compileFiles } from '../../compiler/helpers.js';

const exp = (evaluate = 'precision, ndcg @ 5, 10', betas = '[0.5, 0.9]') => `experiment cachetest
dataset syn = synthetic(users: 120, items: 80, types: 4, per_user: 12, seed: 5) { split: holdout(test: 0.2, valid: 0.1, seed: 1) }
defaults {
  encoder: mf(dim: 8)
  optimizer: adam(lr: 0.01)
  training: (batch: 64, epochs: 3, eval_every: 1, seed: 3)
}
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.9) }
sweep beta of onebp { backprop.beta: ${betas} }
evaluate { metrics: ${evaluate} }
`;

/** Runs an experiment source against a store and returns which steps ran. */
async function execute(src: string, store: ArtifactStore, events: ExecutorEvent[] = []): Promise<ExecutionResult & { ran: string[]; cached: string[] }> {
  const { graph, diagnostics } = compileFiles({ 'e.exp': src });
  assert.deepEqual(diagnostics, []);
  const services = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
  try {
    const r = await executeGraph(graph!, { store, services, emit: (e) => events.push(e) });
    return { ...r, ran: r.outcomes.filter((o) => o.status === 'ran').map((o) => o.id), cached: r.outcomes.filter((o) => o.status === 'cached').map((o) => o.id) };
  } finally {
    await services.dispose();
  }
}

describe('executeGraph: caching', function () {
  this.timeout(120000);
  let root: string;
  let store: ArtifactStore;
  let warnings: string[];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'expc-exec-'));
    warnings = [];
    store = new ArtifactStore(root, (m) => warnings.push(m));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a first run computes every step once (a sweep point equal to its run is the run trial)', async () => {
    const r = await execute(exp(), store);
    assert.equal(r.ran.length, 2 + 2 * 3);
    assert.deepEqual(r.cached, []);
    for (const o of r.outcomes.filter((x) => x.kind === 'evaluate')) assert.ok(typeof (o.meta!['mean'] as Record<string, number>)['ndcg@10'] === 'number');
  });

  it('a second run computes nothing', async () => {
    const r = await execute(exp(), store);
    assert.deepEqual(r.ran, []);
    assert.equal(r.cached.length, 8);
  });

  it('changing only the evaluate block re-runs evaluation only', async () => {
    const r = await execute(exp('precision, recall, ndcg @ 5, 10, 20'), store);
    assert.deepEqual(r.ran.sort(), ['evaluate:syn/onebp', 'evaluate:syn/onebp[backprop.beta=0.5]', 'evaluate:syn/twobp']);
    assert.deepEqual(r.cached.filter((id) => id.startsWith('evaluate:')), []);
  });

  it('adding one sweep value trains only that trial', async () => {
    const r = await execute(exp('precision, recall, ndcg @ 5, 10, 20', '[0.5, 0.9, 0.99]'), store);
    assert.deepEqual(r.ran, ['train:syn/onebp[backprop.beta=0.99]', 'evaluate:syn/onebp[backprop.beta=0.99]']);
  });

  it('two runs with the same settings share one content key (and the cache)', async () => {
    const r = await execute(exp('precision, recall, ndcg @ 5, 10, 20', '[0.5, 0.9, 0.99]') + 'run onebp_again { backprop: onebp(beta: 0.9) }\n', store);
    const key = (id: string) => r.keys.get(id)!.key;
    assert.equal(key('train:syn/onebp'), key('train:syn/onebp_again'));
    assert.ok(r.cached.includes('train:syn/onebp_again'));
  });

  it('a corrupt artifact is reported, recomputed, and everything downstream of it is reused when unchanged', async () => {
    const { keys } = await execute(exp('precision, recall, ndcg @ 5, 10, 20', '[0.5, 0.9, 0.99]'), store);
    const trainKey = keys.get('train:syn/twobp')!.key;
    const dir = store.entryDir(trainKey);
    writeFileSync(join(dir, 'item.npy'), 'not what was stored');
    const events: ExecutorEvent[] = [];
    const r = await execute(exp('precision, recall, ndcg @ 5, 10, 20', '[0.5, 0.9, 0.99]'), store, events);
    assert.deepEqual(r.ran, ['train:syn/twobp']);
    assert.ok(warnings.some((w) => w.includes(`cache entry ${trainKey.slice(0, 12)} is corrupt`)));
    // Training is deterministic: the recomputed artifact has the same key and the evaluation stays cached.
    assert.ok(r.cached.includes('evaluate:syn/twobp'));
  });

  it('emits epoch progress with loss and the monitored metric', async () => {
    const events: ExecutorEvent[] = [];
    rmSync(join(root, 'objects'), { recursive: true, force: true });
    await execute(exp(), store, events);
    const epochs = events.filter((e): e is Extract<ExecutorEvent, { type: 'epoch' }> => e.type === 'epoch' && e.id === 'train:syn/twobp');
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2, 3]);
    assert.ok(epochs.every((e) => Number.isFinite(e.loss) && e.metric?.name === 'valid ndcg@20'));
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });
});

describe('executeGraph: failures', function () {
  this.timeout(60000);
  it('a dataset whose file is missing fails with its loader message; other datasets still run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-fail-'));
    try {
      const src = `experiment f
dataset good = synthetic(users: 40, items: 30, per_user: 8)
dataset bad = csv(train: "definitely-missing.csv")
defaults { encoder: mf(dim: 4)  training: (epochs: 1, batch: 32) }
run a { }
`;
      const { graph } = compileFiles({ 'e.exp': src });
      const services = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 1, dataDirs: [root], allowDownload: false, checkpointSeconds: 0 });
      const r = await executeGraph(graph!, { store: new ArtifactStore(root), services, emit: () => {} });
      await services.dispose();
      const status = Object.fromEntries(r.outcomes.map((o) => [o.id, o.status]));
      assert.deepEqual(status, {
        'load:good': 'ran',
        'split:good': 'ran',
        'load:bad': 'failed',
        'split:bad': 'skipped',
        'train:good/a': 'ran',
        'evaluate:good/a': 'ran',
        'train:bad/a': 'skipped',
        'evaluate:bad/a': 'skipped',
      });
      const failure = r.outcomes.find((o) => o.id === 'load:bad')!;
      assert.equal(failure.internal, false);
      assert.match(failure.error!, /definitely-missing\.csv/);
      // Skipped steps name the step that failed by its label, not by an internal step id.
      assert.equal(r.outcomes.find((o) => o.id === 'split:bad')!.error, 'load bad (csv) failed');
      assert.equal(r.outcomes.find((o) => o.id === 'train:bad/a')!.error, 'split bad (holdout) was skipped');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('executeGraph: --force', function () {
  this.timeout(60000);
  it('recomputes every content key once, even when two nodes share it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-force-'));
    try {
      const store = new ArtifactStore(root);
      const src = exp() + 'run onebp_again { backprop: onebp(beta: 0.9) }\n';
      await execute(src, store);
      const { graph } = compileFiles({ 'e.exp': src });
      const services = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
      const r = await executeGraph(graph!, { store, services, emit: () => {}, force: true });
      await services.dispose();
      const status = (id: string) => r.outcomes.find((o) => o.id === id)!.status;
      assert.equal(status('train:syn/onebp'), 'ran');
      assert.equal(status('train:syn/onebp_again'), 'cached');
      assert.equal(r.outcomes.filter((o) => o.status === 'ran').length, 8);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--force replaces the stored result (recomputing with another engine stores that engine\'s result)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-force-'));
    try {
      const src = 'experiment f\ndataset syn = synthetic(users: 40, items: 30, per_user: 8, seed: 5)\ndefaults { encoder: mf(dim: 4) training: (epochs: 2, batch: 32) }\nrun a { }\n';
      const { graph } = compileFiles({ 'e.exp': src });
      const store = new ArtifactStore(root);
      for (const [engine, force] of [['fused', false], ['tfjs', true]] as const) {
        const services = new RuntimeServices({ backend: 'cpu', engine, threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
        try {
          const r = await executeGraph(graph!, { store, services, emit: () => {}, force });
          const key = r.keys.get('train:syn/a')!.key;
          assert.equal(store.get(key)!.meta['engine'], engine);
          assert.equal(r.outcomes.find((o) => o.id === 'train:syn/a')!.meta!['engine'], engine);
        } finally {
          await services.dispose();
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
