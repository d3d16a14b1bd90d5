import assert from 'node:assert/strict';
import { COMPATIBILITY_RULES } from '../../src/components/compatibility.js';
import { BASE, brief, compileFiles, errorsOf } from './helpers.js';

/** Each rule of the compatibility table: the located diagnostic when broken, silence when kept. */
const cases: { rule: string; bad: string; good: string; expect: string; severity?: 'warning' }[] = [
  {
    rule: 'lazy-optimizer-propagating-encoder',
    bad: 'run b { encoder: ngcf(layers: 1); optimizer: adam(lazy: true) }\n',
    good: 'run b { encoder: svdpp(side: item); optimizer: adam(lazy: false) }\n',
    expect: "incompatible-components@5:46 adam(lazy: true) cannot train ngcf: its propagation gives the neighbours of a batch's rows gradient too, and a lazy optimiser would drop it",
  },
  {
    rule: 'multistep-milestones-increasing',
    bad: 'run b { schedule: multistep(milestones: [2, 2]) }\n',
    good: 'run b { schedule: multistep(milestones: [1, 2]) }\n',
    expect: 'incompatible-components@5:19 multistep milestones must increase strictly: 2 follows 2',
  },
  {
    rule: 'multistep-milestone-after-training',
    bad: 'run b { schedule: multistep(milestones: [1, 3]) }\n',
    good: 'run b { schedule: multistep(milestones: [1, 2]) }\n',
    expect: 'incompatible-components@5:19 multistep milestone 3 is not before the last epoch (training.epochs: 3), so it never lowers the lr',
    severity: 'warning',
  },
  {
    rule: 'lazy-optimizer-graph-encoder',
    bad: 'run b { encoder: lightgcn(layers: 2); optimizer: adam(lazy: true) }\n',
    good: 'run b { encoder: lightgcn(layers: 2); optimizer: adam(lazy: false) }\n',
    expect: "incompatible-components@5:50 adam(lazy: true) cannot train lightgcn: propagation gives every row gradient, and a lazy optimiser would drop all but the batch's rows",
  },
  {
    rule: 'hard-negatives-above-candidates',
    bad: 'run b { sampler: hard(candidates: 4, negatives: 5) }\n',
    good: 'run b { sampler: hard(candidates: 4, negatives: 4) }\n',
    expect: 'incompatible-components@5:18 hard keeps the best 5 of 4 candidates: negatives must be at most candidates',
  },
  {
    rule: 'in-batch-needs-a-batch',
    bad: 'run b { sampler: in_batch; training: (batch: 1) }\n',
    good: 'run b { sampler: in_batch; training: (batch: 2) }\n',
    expect: 'incompatible-components@5:38 in_batch takes the other positives of the batch as negatives: a batch of 1 has none',
  },
  {
    rule: 'l2-and-weight-decay',
    bad: 'run b { regularizer: l2(weight: 1e-4); optimizer: adam(weight_decay: 1e-5) }\n',
    good: 'run b { regularizer: l2(weight: 1e-4); optimizer: adam(weight_decay: 0) }\n',
    expect: 'incompatible-components@5:22 both an l2 penalty and adam(weight_decay: 0.00001) regularise the embeddings',
    severity: 'warning',
  },
  {
    rule: 'dns-contrastive-needs-dynamic-dissimilar',
    bad: 'run b { sampler: uniform(negatives: 2); loss: dns_contrastive }\n',
    good: 'run b { sampler: dynamic_dissimilar(k: 3, interval: 1); loss: dns_contrastive }\n',
    expect: "incompatible-components@5:47 dns_contrastive is the DNS paper's loss over a static and a dynamic dissimilar negative, which only the dynamic_dissimilar sampler gives; with uniform it would be a plain sampled softmax",
  },
  {
    rule: 'softmax-needs-all-items',
    bad: 'run b { sampler: uniform(negatives: 2); loss: softmax(temperature: 0.1) }\n',
    good: 'run b { sampler: all_items; loss: softmax(temperature: 0.1) }\n',
    expect:
      "incompatible-components@5:47 softmax is the full softmax over every item (SSM paper eq. 27), whose candidates only the all_items sampler gives; over uniform's candidates it would be a sampled softmax",
  },
  {
    rule: 'logq-with-pairwise-loss',
    bad: 'run b { sampler: cross_batch(memory: 8, logq: true); loss: bpr }\n',
    good: 'run b { sampler: cross_batch(memory: 8, logq: true); loss: infonce }\n',
    expect: 'incompatible-components@5:18 cross_batch(logq: true) corrects the sampling bias of a softmax; under bpr it only shifts every score by -log q',
    severity: 'warning',
  },
  {
    rule: 'dynamic-dissimilar-never-refreshed',
    bad: 'run b { sampler: dynamic_dissimilar(k: 3, interval: 3) }\n',
    good: 'run b { sampler: dynamic_dissimilar(k: 3, interval: 2) }\n',
    expect: 'incompatible-components@5:18 dynamic_dissimilar(interval: 3) rebuilds its table every 3 epochs, but training has 3: only the table of the initial embeddings is ever used',
    severity: 'warning',
  },
];

describe('compile: the compatibility table of the catalogue', () => {
  it('every rule has a case here', () => {
    assert.equal(cases.length, COMPATIBILITY_RULES.length);
  });
  for (const c of cases) {
    it(`${c.rule}: reported at the conflicting choice`, () => {
      const r = compileFiles({ 'x.exp': BASE + c.bad });
      const found = r.diagnostics.filter((d) => d.code === 'incompatible-components');
      assert.deepEqual(found.map(brief), [c.expect]);
      assert.equal(found[0]!.severity, c.severity ?? 'error');
      assert.ok(found[0]!.expected && found[0]!.found, 'says what was expected and found');
      if (c.severity !== 'warning') assert.equal(r.graph, undefined);
    });
    it(`${c.rule}: silent when the combination is valid`, () => {
      const r = compileFiles({ 'x.exp': BASE + c.good });
      assert.deepEqual(r.diagnostics.filter((d) => d.code === 'incompatible-components'), []);
      assert.deepEqual(errorsOf(r), []);
    });
  }

  it('regularizer: none clears a default, and a parameter path without a chosen regularizer is located', () => {
    const cleared = compileFiles({ 'x.exp': BASE.replace('defaults {', 'defaults { regularizer: l2(weight: 0.1)\n') + 'run b { regularizer: none }\n' });
    assert.deepEqual(errorsOf(cleared), []);
    const b = cleared.model!.runs.find((r) => r.name === 'b')!;
    assert.equal(b.config.regularizer, undefined);
    assert.equal(cleared.model!.runs.find((r) => r.name === 'a')!.config.regularizer?.name, 'l2');
    const dangling = compileFiles({ 'x.exp': BASE + 'run b { regularizer.weight: 0.1 }\n' });
    assert.deepEqual(errorsOf(dangling).map(brief), ["invalid-value@5:9 'regularizer.weight' is set, but no regularizer is chosen"]);
  });

  it('hard-negatives-above-candidates covers hars (the same candidate ranking) too', () => {
    const bad = compileFiles({ 'x.exp': BASE + 'run b { sampler: hars(candidates: 4, negatives: 5) }\n' });
    assert.deepEqual(bad.diagnostics.filter((d) => d.code === 'incompatible-components').map(brief), ['incompatible-components@5:18 hars keeps the best 5 of 4 candidates: negatives must be at most candidates']);
    const good = compileFiles({ 'x.exp': BASE + 'run b { sampler: hars(candidates: 4, negatives: 4) }\n' });
    assert.deepEqual(errorsOf(good), []);
  });

  it('a run without a regularizer keeps the content key it had before the slot existed', () => {
    const r = compileFiles({ 'x.exp': BASE });
    const train = r.graph!.nodes.find((n) => n.kind === 'train')!;
    assert.equal('regularizer' in train.params, false);
  });
});
