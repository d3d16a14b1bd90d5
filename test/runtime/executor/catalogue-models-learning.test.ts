import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { compileFiles } from '../../compiler/helpers.js';

/**
 * Learning tests of svdpp, ngcf, adagrad, adamw and the multistep schedule through the whole
 * pipeline on the seeded synthetic dataset: test NDCG@10 well above the untrained model, and
 * `--engine auto` records why the components without a kernel trained on tfjs (tfjs-wasm: tfjs-cpu
 * takes minutes for ngcf's propagation); ngcf without node dropout trains fused.
 */
const src = `experiment learning_models
dataset syn = synthetic(users: 200, items: 150, types: 5, interests: 2, per_user: 20, seed: 4) {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 1)
}
defaults {
  encoder: mf(dim: 16)
  optimizer: adam(lr: 0.01)
  loss: bpr
  training: (batch: 256, epochs: 10, eval_every: 5, early_stop: ndcg@10 on valid, seed: 3)
}
run untrained { optimizer: sgd(lr: 1e-12); training.epochs: 1; training.early_stop: none }
run svdpp_user { encoder: svdpp(dim: 16) }
run svdpp_item { encoder: svdpp(dim: 16, side: item, alpha0: 0.5, alpha1: 0.5) }
run ngcf { encoder: ngcf(dim: 16, layers: 1, dropout: 0.1, node_dropout: 0.1) }
run ngcf_onebp { encoder: ngcf(dim: 16, layers: 1, dropout: 0.1); backprop: onebp(beta: 0.9); loss: infonce; sampler: uniform(negatives: 5) }
run adagrad { optimizer: adagrad(lr: 0.1) }
run adamw { optimizer: adamw(lr: 0.01, weight_decay: 0.01) }
run multistep { schedule: multistep(milestones: [5, 8], gamma: 0.5) }
evaluate { metrics: ndcg @ 10 }
`;

describe('svdpp, ngcf, adagrad, adamw and multistep learn on the synthetic dataset', function () {
  this.timeout(300000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'expc-learn-models-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('NDCG@10 of each run is well above the untrained model; engines and reasons are recorded', async () => {
    const { graph, diagnostics } = compileFiles({ 'l.exp': src });
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    const services = new RuntimeServices({ backend: 'wasm', engine: 'auto', threads: 2, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    try {
      const r = await executeGraph(graph!, { store: new ArtifactStore(root, () => {}), services, emit: () => {} });
      assert.deepEqual(r.outcomes.filter((o) => o.status === 'failed').map((o) => `${o.id}: ${o.error}`), []);
      const ndcg = new Map(r.outcomes.filter((o) => o.kind === 'evaluate').map((o) => [o.id.split('/')[1]!, (o.meta!['mean'] as Record<string, number>)['ndcg@10']!]));
      const train = new Map(r.outcomes.filter((o) => o.kind === 'train').map((o) => [o.id.split('/')[1]!, o.meta!]));
      const base = ndcg.get('untrained')!;
      for (const run of ['svdpp_user', 'svdpp_item', 'ngcf', 'ngcf_onebp', 'adagrad', 'adamw', 'multistep']) {
        const v = ndcg.get(run)!;
        assert.ok(v > base + 0.05 && v > 1.5 * base, `${run}: NDCG@10 ${v.toFixed(4)} vs untrained ${base.toFixed(4)}`);
      }
      assert.equal(train.get('ngcf')!['engine'], 'tfjs');
      assert.ok(String(train.get('ngcf')!['engineReason']).includes('the fused NGCF pass has no node dropout'), String(train.get('ngcf')!['engineReason']));
      // without node dropout NGCF trains fused (engine/fused/ngcf-pass.ts)
      assert.equal(train.get('ngcf_onebp')!['engine'], 'fused');
      assert.ok(String(train.get('svdpp_item')!['engineReason']).includes("the fused kernels have no encoder 'svdpp'"), String(train.get('svdpp_item')!['engineReason']));
      assert.ok(String(train.get('adagrad')!['engineReason']).includes("the fused kernels have no optimizer 'adagrad'"), String(train.get('adagrad')!['engineReason']));
      // mf + adam + a schedule: the fused MF kernel applies it
      assert.equal(train.get('multistep')!['engine'], 'fused');
    } finally {
      await services.dispose();
    }
  });
});
