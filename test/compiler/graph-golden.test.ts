import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { computeKeys } from '../../src/contract/content-key.js';
import type { Json } from '../../src/core/json.js';
import { compileFiles } from './helpers.js';

/**
 * Golden compiled graphs: the whole graph (ids, kinds, inputs, hashed params and content keys)
 * is compared with a committed JSON. Regenerate deliberately with UPDATE_GOLDEN=1.
 */
const GOLDEN = 'test/golden/graphs';

const sources: Record<string, string> = {
  quick: `experiment golden
dataset syn = synthetic(users: 60, items: 40, types: 3, seed: 9) { split: holdout(test: 0.25, valid: 0.1, seed: 4) }
defaults {
  encoder: mf(dim: 8)
  loss: infonce(temperature: 0.5)
  training: (batch: 32, epochs: 4, eval_every: 2)
}
run twobp { backprop: both }
run onebp { backprop: onebp(beta: 0.95) }
sweep neg of onebp { sampler.negatives: [1, 3] }
evaluate { metrics: recall, ndcg @ 10 }
`,
  paper: `experiment golden_paper
dataset syn = synthetic(users: 60, items: 40, seed: 9) { split: holdout(test: 0.2) protocol: paper }
defaults { training: (epochs: 2) }
run u { backprop: user_only(beta: 0.9, duplicates: sequential) optimizer: sgd(lr: 0.1) loss: bpr }
`,
};

function graphJson(name: string): Json {
  const { graph, diagnostics } = compileFiles({ [`${name}.exp`]: sources[name]! });
  assert.deepEqual(diagnostics, []);
  // A synthetic dataset reads no files: its external facts are the empty list.
  const keys = computeKeys(graph!, new Map(graph!.nodes.filter((n) => n.kind === 'load_dataset').map((n) => [n.id, []])));
  return graph!.nodes.map((n) => ({ id: n.id, kind: n.kind, inputs: n.inputs, params: n.params, key: keys.get(n.id)!.key }));
}

describe('compiled graphs (golden)', () => {
  for (const name of Object.keys(sources)) {
    it(`${name} matches ${GOLDEN}/${name}.graph.json`, () => {
      const actual = graphJson(name);
      const path = `${GOLDEN}/${name}.graph.json`;
      if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
      }
      assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
    });
  }
});

describe('content keys', () => {
  const keysOf = (src: string) => {
    const { graph } = compileFiles({ 'k.exp': src });
    const keys = computeKeys(graph!, new Map([['load:syn', []]]));
    return Object.fromEntries([...keys].map(([id, k]) => [id, k.key]));
  };
  const base = keysOf(sources['quick']!);

  it('pins a few keys, so that any change to hashing is deliberate', () => {
    assert.deepEqual(
      { load: base['load:syn'], split: base['split:syn'], train: base['train:syn/twobp'] },
      {
        load: 'b75ff4a9e35dc779e5383f4a010642752b27a5b97c068f6aea2daffa11ee40fa',
        split: 'eb72161ce8c00624de065b8bdedf83fe52bd4b5de7961bac8c38e05eb2a47678',
        train: 'bff597e1725b8852b939615e9739336822a0c4875b7fde7ad59cce9d17fc1827',
      },
    );
  });
  it('renaming a run keeps every key', () => {
    const renamed = keysOf(sources['quick']!.replace(/twobp/g, 'mf_baseline'));
    assert.equal(renamed['train:syn/mf_baseline'], base['train:syn/twobp']);
  });
  it('writing a default explicitly keeps the key (defaults are applied before hashing)', () => {
    const explicit = keysOf(sources['quick']!.replace('encoder: mf(dim: 8)', 'encoder: mf(dim: 8, init: xavier_normal, std: 0.1)'));
    assert.deepEqual(explicit, base);
  });
  it('changing the evaluate block changes only evaluate keys', () => {
    const changed = keysOf(sources['quick']!.replace('recall, ndcg @ 10', 'recall, ndcg @ 10, 20'));
    for (const id of Object.keys(base)) {
      if (id.startsWith('evaluate:')) assert.notEqual(changed[id], base[id], id);
      else assert.equal(changed[id], base[id], id);
    }
  });
  it('changing a parameter of one run changes only that run\'s train and evaluate keys', () => {
    const changed = keysOf(sources['quick']!.replace('onebp(beta: 0.95)', 'onebp(beta: 0.9)'));
    const differs = Object.keys(base).filter((id) => changed[id] !== base[id]);
    assert.deepEqual(differs.sort(), [
      'evaluate:syn/onebp',
      'evaluate:syn/onebp[sampler.negatives=1]',
      'evaluate:syn/onebp[sampler.negatives=3]',
      'train:syn/onebp',
      'train:syn/onebp[sampler.negatives=1]',
      'train:syn/onebp[sampler.negatives=3]',
    ]);
  });
  it('a changed data file changes the load key and everything downstream', () => {
    const { graph } = compileFiles({ 'k.exp': sources['quick']! });
    const a = computeKeys(graph!, new Map<string, Json>([['load:syn', [{ path: '/d/u.data', sha256: 'aa', bytes: 1 }]]]));
    const b = computeKeys(graph!, new Map<string, Json>([['load:syn', [{ path: '/d/u.data', sha256: 'bb', bytes: 1 }]]]));
    for (const n of graph!.nodes) assert.notEqual(a.get(n.id)!.key, b.get(n.id)!.key, n.id);
  });
});
