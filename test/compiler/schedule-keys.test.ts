import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compileFile } from '../../src/index.js';
import { computeKeys } from '../../src/contract/content-key.js';
import { compileFiles } from './helpers.js';
import { BASE } from './helpers.js';

/**
 * The optional `schedule` slot (and the new optimisers and encoders) leave every content key of
 * the committed experiments as it was: the digests below are of "id key" lines of each graph,
 * computed with the main branch's build before these components existed
 * (the script: for each file, compileFile, computeKeys with no data facts, sha256 of the sorted lines).
 */
const BEFORE: Record<string, [number, string]> = {
  'experiments/quickstart.exp': [12, '17a95fafbd4fa0f589595f80d73cf46555a73cd4019a4471b15b2d4c029e8ca8'],
  'experiments/onebp_vs_twobp.exp': [52, '65eb6e481e9eca39a569a4a40ff1e1af61420cfce6ebd0406e2dc613a8a62253'],
  'experiments/lightgcn_vs_mf.exp': [15, '9abb96fe316ce7e3d9f6d061f988a381b230fd649e4de9afdd1482c05b77d923'],
};

const keyLines = (graph: NonNullable<ReturnType<typeof compileFiles>['graph']>) => {
  const keys = computeKeys(graph, new Map(graph.nodes.filter((n) => n.kind === 'load_dataset').map((n) => [n.id, []])));
  return Object.fromEntries([...keys].map(([id, k]) => [id, k.key]));
};

describe('content keys with the schedule slot', () => {
  for (const [file, [count, digest]] of Object.entries(BEFORE)) {
    it(`${file}: every key as before the slot existed`, () => {
      const r = compileFile(file);
      assert.ok(r.graph, 'compiles');
      const lines = Object.entries(keyLines(r.graph!)).map(([id, k]) => `${id} ${k}`).sort();
      assert.equal(lines.length, count);
      assert.equal(createHash('sha256').update(lines.join('\n')).digest('hex'), digest);
    });
  }

  it('schedule: none keeps the keys; a schedule changes only the train and evaluate keys of its run', () => {
    const base = keyLines(compileFiles({ 'x.exp': BASE }).graph!);
    assert.deepEqual(keyLines(compileFiles({ 'x.exp': BASE.replace('run a { backprop: both }', 'run a { backprop: both; schedule: none }') }).graph!), base);
    const scheduled = keyLines(compileFiles({ 'x.exp': BASE.replace('run a { backprop: both }', 'run a { backprop: both; schedule: multistep(milestones: [1], gamma: 0.5) }') }).graph!);
    const differs = Object.keys(base).filter((id) => scheduled[id] !== base[id]).sort();
    assert.deepEqual(differs, ['evaluate:syn/a', 'train:syn/a']);
  });

  it('a schedule reaches the train step parameters only when chosen', () => {
    const g = compileFiles({ 'x.exp': BASE.replace('run a { backprop: both }', 'run a { backprop: both; schedule: multistep(milestones: [2]) }') }).graph!;
    const train = g.nodes.find((n) => n.kind === 'train')!;
    assert.deepEqual(train.params['schedule'], { name: 'multistep', version: 1, params: { milestones: [2], gamma: 0.1 } });
    const plain = compileFiles({ 'x.exp': BASE }).graph!.nodes.find((n) => n.kind === 'train')!;
    assert.equal('schedule' in plain.params, false);
  });
});
