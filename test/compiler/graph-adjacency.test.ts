import assert from 'node:assert/strict';
import { BASE, compileFiles } from './helpers.js';

describe('graph: the adjacency step of graph encoders', () => {
  it('one adjacency node per dataset, read by every lightgcn trial and by no mf trial', () => {
    const r = compileFiles({ 'x.exp': BASE + 'run g { encoder: lightgcn(layers: 2) }\nsweep k of g { encoder.layers: [1, 3] }\n' });
    const nodes = r.graph!.nodes;
    const adj = nodes.filter((n) => n.kind === 'adjacency');
    assert.deepEqual(adj.map((n) => [n.id, n.inputs]), [['adjacency:syn', ['split:syn']]]);
    const trains = nodes.filter((n) => n.kind === 'train');
    for (const t of trains) assert.deepEqual(t.inputs, t.run === 'a' ? ['split:syn'] : ['split:syn', 'adjacency:syn'], t.id);
    assert.equal(trains.filter((t) => t.inputs.includes('adjacency:syn')).length, 3);
  });

  it('an experiment without graph encoders has no adjacency node (its graph and keys are as before)', () => {
    const r = compileFiles({ 'x.exp': BASE });
    assert.deepEqual(r.graph!.nodes.map((n) => n.kind), ['load_dataset', 'split', 'train', 'evaluate']);
  });
});
