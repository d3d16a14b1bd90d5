import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainParams } from '../../../src/contract/steps.js';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { divergenceHint } from '../../../src/runtime/training/divergence-hint.js';
import { compileFiles } from '../../compiler/helpers.js';

const params = (over: { optimizer?: object; encoder?: object; loss?: object }): TrainParams =>
  ({
    encoder: { name: 'mf', params: { dim: 32, init: 'xavier_normal', std: 0.1, ...over.encoder } },
    optimizer: { name: 'adam', params: { lr: 1e-3, weight_decay: 0, ...over.optimizer } },
    loss: { name: 'infonce', params: { temperature: 1, similarity: 'dot', ...over.loss } },
  }) as unknown as TrainParams;

describe('divergence hints name the likely cause (finding 12)', function () {
  this.timeout(60000);
  it('a huge weight decay, initialisation or temperature is named instead of the learning rate', () => {
    assert.match(divergenceHint(params({ optimizer: { weight_decay: 50 } })), /optimizer\.weight_decay is 50/);
    assert.doesNotMatch(divergenceHint(params({ optimizer: { weight_decay: 50 } })), /lower optimizer\.lr/);
    assert.match(divergenceHint(params({ encoder: { init: 'normal', std: 10 } })), /encoder\.std is 10 with dim 32/);
    assert.match(divergenceHint(params({ loss: { temperature: 1e-4 } })), /loss\.temperature is 0\.0001/);
    assert.match(divergenceHint(params({ optimizer: { lr: 5 } })), /optimizer\.lr is 5/);
    assert.match(divergenceHint(params({})), /^lower optimizer\.lr \(now 0\.001\), or add weight decay$/);
  });

  it('a run that diverges through its weight decay is reported with that hint, per trial with its epoch', async () => {
    const root = mkdtempSync(join(tmpdir(), 'expc-div-'));
    const src = `experiment div\ndataset syn = synthetic(users: 40, items: 30, per_user: 8, seed: 1)\ndefaults { encoder: mf(dim: 8) training: (epochs: 20, batch: 16) }\nrun a { optimizer: sgd(lr: 0.5, weight_decay: 100) }\n`;
    const { graph } = compileFiles({ 'e.exp': src });
    const services = new RuntimeServices({ backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
    try {
      const r = await executeGraph(graph!, { store: new ArtifactStore(root), services, emit: () => {} });
      const train = r.outcomes.find((o) => o.id === 'train:syn/a')!;
      assert.equal(train.status, 'failed');
      assert.match(train.error!, /training diverged at epoch \d+: the loss is (NaN|Infinity)\nhint: optimizer\.weight_decay is 100/);
    } finally {
      await services.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
