import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../../src/runtime/cache/artifact-store.js';
import { executeGraph } from '../../../src/runtime/executor/execute-graph.js';
import { RuntimeServices } from '../../../src/runtime/executor/services.js';
import { compileFiles } from '../../compiler/helpers.js';

const SRC = `experiment meta
dataset syn = synthetic(users: 70, items: 50, per_user: 8, seed: 3) { split: holdout(test: 0.2, valid: 0.1, seed: 1) }
defaults { encoder: mf(dim: 8) training: (epochs: 3, batch: 32, eval_every: 1) loss: infonce(similarity: cosine) }
run a { }
`;

async function execute(root: string, warnings: string[]) {
  const { graph } = compileFiles({ 'e.exp': SRC });
  const services = new RuntimeServices({ backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 });
  try {
    return await executeGraph(graph!, { store: new ArtifactStore(root, (m) => warnings.push(m)), services, emit: () => {} });
  } finally {
    await services.dispose();
  }
}

/** Metadata that later steps or reviews use as data, per kind of entry, and a one-character change to it. */
const EDITS: { id: string; from: RegExp; to: string }[] = [
  { id: 'load:syn', from: /"numUsers": 70/, to: '"numUsers": 71' },
  { id: 'split:syn', from: /"numUsers": 70/, to: '"numUsers": 71' },
  { id: 'train:syn/a', from: /"similarity": "cosine"/, to: '"similarity": "dot"' },
  { id: 'evaluate:syn/a', from: /("ndcg@20": 0\.)(\d)/, to: '$19' },
];

describe('manifest metadata is verified for every kind of entry (finding 1)', function () {
  this.timeout(60000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'expc-meta-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const edit of EDITS) {
    it(`a one-digit change to the metadata of ${edit.id} is detected; only it is recomputed; the reported result stays`, async () => {
      const first = await execute(root, []);
      const key = first.keys.get(edit.id)!.key;
      const manifest = join(new ArtifactStore(root).entryDir(key), 'manifest.json');
      const text = readFileSync(manifest, 'utf8');
      assert.match(text, edit.from);
      writeFileSync(manifest, text.replace(edit.from, edit.to));
      const warnings: string[] = [];
      const again = await execute(root, warnings);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /\(manifest\.json \(its metadata\) does not match its sha256\); removing it and recomputing/);
      assert.deepEqual(again.outcomes.filter((o) => o.status === 'ran').map((o) => o.id), [edit.id]);
      const mean = (r: typeof first) => r.outcomes.find((o) => o.id === 'evaluate:syn/a')!.meta!['mean'];
      assert.deepEqual(mean(again), mean(first));
    });
  }
});
