import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { compileFiles } from '../../compiler/helpers.js';

/**
 * Learning tests: on the seeded synthetic dataset, every component the training contract added
 * lifts test NDCG@10 clearly above the untrained model (the initial tables: one SGD epoch at
 * lr 1e-12), through the whole pipeline (compile, engine selection, train, evaluate).
 */
const src = `experiment learning
dataset syn = synthetic(users: 300, items: 200, types: 5, interests: 2, per_user: 24, seed: 4) {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 1)
}
defaults {
  encoder: mf(dim: 16)
  optimizer: adam(lr: 0.01)
  loss: bpr
  training: (batch: 128, epochs: 12, eval_every: 4, early_stop: ndcg@10 on valid, seed: 3)
}
run untrained { optimizer: sgd(lr: 1e-12); training.epochs: 1; training.early_stop: none }
run popularity { sampler: popularity(negatives: 3, power: 1) }
run in_batch { sampler: in_batch(logq: true); loss: infonce(temperature: 0.2, similarity: cosine) }
run hard { sampler: hard(candidates: 8, negatives: 1) }
run bce { loss: bce(neg_ratio: 1); sampler: uniform(negatives: 4) }
run l2 { regularizer: l2(weight: 1e-3) }
run lightgcn { encoder: lightgcn(dim: 16, layers: 2) }
evaluate { metrics: ndcg @ 10 }
`;

describe('every new component learns on the synthetic dataset', function () {
  this.timeout(300000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'expc-learn-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('NDCG@10 of each run is well above the untrained model', async () => {
    const { graph, diagnostics } = compileFiles({ 'l.exp': src });
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    const services = new RuntimeServices({ backend: 'cpu', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    try {
      const r = await executeGraph(graph!, { store: new ArtifactStore(root, () => {}), services, emit: () => {} });
      const failed = r.outcomes.filter((o) => o.status === 'failed');
      assert.deepEqual(failed.map((o) => `${o.id}: ${o.error}`), []);
      const ndcg = new Map(r.outcomes.filter((o) => o.kind === 'evaluate').map((o) => [o.id.split('/')[1]!, (o.meta!['mean'] as Record<string, number>)['ndcg@10']!]));
      const engines = new Map(r.outcomes.filter((o) => o.kind === 'train').map((o) => [o.id.split('/')[1]!, o.meta!['engine'] as string]));
      const base = ndcg.get('untrained')!;
      for (const run of ['popularity', 'in_batch', 'hard', 'bce', 'l2', 'lightgcn']) {
        const v = ndcg.get(run)!;
        assert.ok(v > base + 0.05 && v > 1.5 * base, `${run}: NDCG@10 ${v.toFixed(4)} vs untrained ${base.toFixed(4)}`);
      }
      // lightgcn trains on the fused graph trainer, and mf with components the MF kernel lacks on its row trainer
      assert.equal(engines.get('lightgcn'), 'fused');
      assert.equal(engines.get('bce'), 'fused');
    } finally {
      await services.dispose();
    }
  });
});
