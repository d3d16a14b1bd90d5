import assert from 'node:assert/strict';
import { bindModel } from '../../../src/components/catalogue.js';
import { dynamicDissimilar, leastSimilarTable } from '../../../src/components/samplers/dynamic-dissimilar.js';
import { drawUniformNegatives, negativesStream } from '../../../src/components/samplers/uniform.js';
import { CounterRng } from '../../../src/core/rng.js';
import type { EmbeddingReader } from '../../../src/contract/training.js';
import { ReferenceTrainer } from '../../../src/runtime/engine/reference/reference-trainer.js';
import { allocBatch, epochOrder, fillBatch } from '../../../src/runtime/training/epoch.js';
import { randomProblem } from '../../runtime/reference/configs.js';

const problem = randomProblem(7, 11, 3, 5);

function tables(seed: number, d: number): { user: Float64Array; item: Float64Array } {
  const rng = new CounterRng(seed, 4);
  return { user: Float64Array.from({ length: problem.numUsers * d }, () => rng.normal()), item: Float64Array.from({ length: problem.numItems * d }, () => rng.normal()) };
}

function reader(t: { user: Float64Array; item: Float64Array }, d: number): EmbeddingReader {
  return (which, ids, count) => {
    const out = new Float64Array(count * d);
    for (let r = 0; r < count; r++) out.set(t[which].subarray(ids[r]! * d, ids[r]! * d + d), r * d);
    return out;
  };
}

describe('sampler dynamic_dissimilar (DNS eq. 4)', () => {
  it('the table holds each user\'s k least cosine-similar non-interacted items (brute force)', () => {
    const d = 3;
    const t = tables(2, d);
    const k = 4;
    const table = leastSimilarTable(problem, k, reader(t, d));
    for (let u = 0; u < problem.numUsers; u++) {
      const cos = (i: number) => {
        let dot = 0, nu = 0, ni = 0;
        for (let j = 0; j < d; j++) {
          dot += t.user[u * d + j]! * t.item[i * d + j]!;
          nu += t.user[u * d + j]! ** 2;
          ni += t.item[i * d + j]! ** 2;
        }
        return dot / Math.sqrt(nu * ni);
      };
      const brute = [...Array(problem.numItems).keys()].filter((i) => !problem.positives.has(u, i)).sort((a, b) => cos(a) - cos(b)).slice(0, k);
      assert.deepEqual(Array.from(table.subarray(u * k, u * k + k)), brute, `user ${u}`);
    }
  });

  it('instances get a uniform negative and one of the user\'s table items, at random', () => {
    const d = 3;
    const t = tables(3, d);
    const s = dynamicDissimilar.bind({ k: 3, interval: 2 });
    s.prepare(problem);
    const buf = allocBatch(21, s);
    const order = epochOrder(21, 8, 0, true);
    const b = fillBatch(problem, { batch: 21, seed: 8 }, s, order, 0, 0, buf, null, reader(t, d));
    const table = leastSimilarTable(problem, 3, reader(t, d));
    const picked = new Set<number>();
    for (let r = 0; r < b.size; r++) {
      const u = b.users[r]!;
      const want = new Int32Array(1);
      drawUniformNegatives(want, 0, 1, u, r, 8, negativesStream(0), problem.numItems, problem.positives);
      assert.equal(b.neg[r * 2], want[0]);
      const row = Array.from(table.subarray(u * 3, u * 3 + 3));
      assert.ok(row.includes(b.neg[r * 2 + 1]!), `row ${r}: ${b.neg[r * 2 + 1]} not in ${row}`);
      picked.add(row.indexOf(b.neg[r * 2 + 1]!));
    }
    assert.equal(picked.size, 3, 'every table position is assigned to some instance');
  });

  it('the table is rebuilt exactly at epochs 0, n, 2n, ... from the embeddings of that moment, and kept in between', async () => {
    const model = bindModel({
      encoder: { name: 'mf', params: { dim: 4, init: 'normal', std: 0.5 } },
      sampler: { name: 'dynamic_dissimilar', params: { k: 3, interval: 2 } },
      loss: { name: 'dns_contrastive', params: { temperature: 0.5 } },
      backprop: { name: 'both', params: {} },
      optimizer: { name: 'adam', params: { lr: 0.2 } },
    });
    const trainer = new ReferenceTrainer(problem, model, { batch: 8, shuffle: true, dropLast: false, seed: 3 }, model.encoder.init(problem.numUsers, problem.numItems, 1));
    const builtAt: number[] = [];
    const saved: Float32Array[] = [];
    for (let e = 0; e < 5; e++) {
      const before = await trainer.embeddings();
      await trainer.trainEpoch(e);
      const s = model.sampler.state!.save();
      builtAt.push(s[0]!);
      saved.push(s);
      if (e % 2 === 0) {
        const want = leastSimilarTable(problem, 3, reader({ user: Float64Array.from(before.user), item: Float64Array.from(before.item) }, 4));
        assert.deepEqual(Array.from(s.subarray(2)), Array.from(want), `epoch ${e}: the table of the embeddings before the epoch`);
      }
    }
    assert.deepEqual(builtAt, [0, 0, 2, 2, 4]);
    assert.deepEqual(saved[1], saved[0]);
    assert.notDeepEqual(Array.from(saved[2]!.subarray(2)), Array.from(saved[0]!.subarray(2)), 'training moved the embeddings enough to change the table');
  });

  it('check(): k larger than a user\'s non-interacted items (or the item count) is refused with the numbers', () => {
    const s = dynamicDissimilar.bind({ k: 9, interval: 1 });
    assert.match(s.check(problem) ?? '', /k = 9 non-interacted items per user, but user \d+ has only 8 \(the dataset has 11 items\)/);
    assert.equal(dynamicDissimilar.bind({ k: 8, interval: 1 }).check(problem), null);
  });

  it('a saved table of the wrong shape is refused', () => {
    const s = dynamicDissimilar.bind({ k: 3, interval: 1 });
    s.prepare(problem);
    assert.throws(() => s.state!.load(Float32Array.of(0, 3, 1, 2, 3)), /does not fit 7 users x k = 3/);
  });
});

describe('dynamic_dissimilar in the train artifact', () => {
  it('the train step stores the last table as sampler_dissimilar_table.npy: users x k non-interacted items', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { compileFiles } = await import('../../compiler/helpers.js');
    const { executeGraph } = await import('../../../src/runtime/executor/execute-graph.js');
    const { ArtifactStore } = await import('../../../src/runtime/cache/artifact-store.js');
    const { RuntimeServices } = await import('../../../src/runtime/executor/services.js');
    const src = `experiment t
dataset syn = synthetic(users: 30, items: 40, per_user: 6, seed: 4)
defaults { encoder: mf(dim: 4); sampler: dynamic_dissimilar(k: 5, interval: 2); loss: dns_contrastive; training: (epochs: 3, batch: 16) }
run a { }
`;
    const { graph, diagnostics } = compileFiles({ 't.exp': src });
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    const root = mkdtempSync(join(tmpdir(), 'expc-dd-'));
    const services = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    try {
      const r = await executeGraph(graph!, { store: new ArtifactStore(root, () => {}), services, emit: () => {} });
      assert.deepEqual(r.outcomes.filter((o) => o.status === 'failed').map((o) => o.error), []);
      const train = r.artifacts.get(graph!.nodes.find((n) => n.kind === 'train')!.id)!;
      const split = r.artifacts.get(graph!.nodes.find((n) => n.kind === 'split')!.id)!;
      const { data, shape } = train.npy('sampler_dissimilar_table.npy');
      assert.deepEqual(shape, [30, 5]);
      const pairs = split.npy('train.npy').data as Int32Array;
      const seen = new Set<string>();
      for (let q = 0; q < pairs.length; q += 2) seen.add(`${pairs[q]}:${pairs[q + 1]}`);
      for (let u = 0; u < 30; u++) {
        const row = Array.from((data as Int32Array).subarray(u * 5, u * 5 + 5));
        assert.equal(new Set(row).size, 5, `user ${u}: distinct items`);
        for (const i of row) assert.ok(i >= 0 && i < 40 && !seen.has(`${u}:${i}`), `user ${u}: item ${i} is a non-interacted item`);
      }
    } finally {
      await services.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
