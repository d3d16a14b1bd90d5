import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, brief, compileFiles, errorsOf } from './helpers.js';

const design = `experiment onebp_vs_twobp
dataset ml100k = movielens_100k {
  split: holdout(test: 0.2, valid: 0.1, per_user: true, seed: 2022)
}
defaults {
  encoder:   mf(dim: 32, init: xavier_normal)
  sampler:   uniform(negatives: 5, exclude_positives: true)
  loss:      infonce(temperature: 1.0, similarity: dot)
  optimizer: adam(lr: 5e-4, weight_decay: 1e-5)
  training:  (batch: 1024, epochs: 300, eval_every: 5, early_stop: ndcg@20 on valid, patience: 10)
}
run twobp  { backprop: both }
run onebp  { backprop: onebp(beta: 0.99) }
run userbp { backprop: user_only(beta: 0.99) }
sweep onebp {
  backprop.beta:     [0.9, 0.99]
  sampler.negatives: [1, 5]
}
evaluate { metrics: precision, recall, f1, ndcg @ 5, 10, 20 }
review {
  compare: twobp, onebp, userbp
  baseline: twobp
  significance: paired_t(correction: holm)
  plots: curves, sweep(onebp), popularity_groups(10), item_clusters(6)
}
`;

describe('compile: the DESIGN example', () => {
  const r = compileFiles({ 'x.exp': design });
  it('compiles without diagnostics', () => {
    assert.deepEqual(r.diagnostics, []);
  });
  it('resolves defaults and per-run overrides with schema defaults applied', () => {
    const onebp = r.model!.runs.find((x) => x.name === 'onebp')!;
    assert.deepEqual(onebp.config.backprop, { name: 'onebp', version: 1, params: { beta: 0.99, duplicates: 'last' } });
    assert.deepEqual(onebp.config.optimizer.params, { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-5, lazy: false });
    assert.deepEqual(onebp.config.training, {
      batch: 1024,
      epochs: 300,
      shuffle: true,
      drop_last: false,
      seed: 2022,
      eval_every: 5,
      early_stop: { metric: 'ndcg', k: 20, split: 'valid' },
      patience: 10,
    });
  });
  it('expands the sweep into a grid of trials with deterministic ids, last axis fastest', () => {
    assert.deepEqual(
      r.model!.trials.map((t) => t.id),
      [
        'twobp',
        'onebp',
        'userbp',
        'onebp[backprop.beta=0.9,sampler.negatives=1]',
        'onebp[backprop.beta=0.9,sampler.negatives=5]',
        'onebp[backprop.beta=0.99,sampler.negatives=1]',
      ],
    );
    // beta 0.99 with 5 negatives is the run onebp itself: the same trial, a point of the sweep.
    assert.deepEqual(r.model!.trials[1]!.sweeps, [{ sweep: 'onebp', point: { 'backprop.beta': 0.99, 'sampler.negatives': 5 } }]);
    const t = r.model!.trials[4]!;
    assert.equal(t.config.sampler.params['negatives'], 5);
    assert.equal(t.config.backprop.params['beta'], 0.9);
    assert.deepEqual(t.sweeps, [{ sweep: 'onebp', point: { 'backprop.beta': 0.9, 'sampler.negatives': 5 } }]);
  });
  it('reads the compact metrics form', () => {
    assert.deepEqual(r.model!.evaluate, { metrics: ['precision', 'recall', 'f1', 'ndcg'], cutoffs: [5, 10, 20] });
  });
  it('reads the review block', () => {
    assert.deepEqual(r.model!.review, {
      compare: ['twobp', 'onebp', 'userbp'],
      baseline: 'twobp',
      significance: { tests: ['paired_t'], correction: 'holm', alpha: 0.05 },
      plots: [
        { kind: 'curves', args: {} },
        { kind: 'sweep', args: { sweep: 'onebp' } },
        { kind: 'popularity_groups', args: { groups: 10, k: 20 } },
        { kind: 'item_clusters', args: { k: 6, projection: 'tsne' } },
      ],
    });
  });
  it('builds load -> split -> train -> evaluate per trial', () => {
    const g = r.graph!;
    assert.equal(g.nodes.length, 2 + 2 * 6);
    assert.deepEqual(g.node('evaluate:ml100k/onebp').inputs, ['train:ml100k/onebp', 'split:ml100k']);
    assert.deepEqual(g.node('train:ml100k/onebp').params['monitor'], { split: 'valid', metrics: ['ndcg'], cutoffs: [20] });
  });
});

describe('compile: the shipped experiments', () => {
  for (const f of ['experiments/quickstart.exp', 'experiments/onebp_vs_twobp.exp']) {
    it(`${f} compiles cleanly`, () => {
      const r = compileFiles({ [f]: readFileSync(f, 'utf8') });
      assert.deepEqual(r.diagnostics.map(brief), []);
    });
  }
  it('onebp_vs_twobp: the paper dataset tracks every metric on test at fixed cutoffs and never stops early', () => {
    const r = compileFiles({ e: readFileSync('experiments/onebp_vs_twobp.exp', 'utf8') });
    const train = r.graph!.node('train:ml100k_paper/onebp').params as Record<string, any>;
    assert.deepEqual(train['monitor'], { split: 'test', metrics: ['precision', 'recall', 'f1', 'ndcg', 'hr', 'mrr', 'map'], cutoffs: [1, 3, 5, 10, 20, 50, 100] });
    assert.deepEqual(train['training'].early_stop, { metric: 'ndcg', k: 20, split: 'test' });
    assert.equal(train['training'].patience, null);
    const honest = r.graph!.node('train:ml100k/onebp').params as Record<string, any>;
    assert.deepEqual(honest['monitor'], { split: 'valid', metrics: ['ndcg'], cutoffs: [20] });
  });
});

describe('compile: settings', () => {
  it('a run extends another and overrides one parameter by path', () => {
    const r = compileFiles({ x: BASE + 'run b extends a { sampler.negatives: 9; optimizer.lr: 0.1 }\n' });
    assert.deepEqual(errorsOf(r), []);
    const b = r.model!.runs.find((x) => x.name === 'b')!;
    assert.equal(b.config.sampler.params['negatives'], 9);
    assert.equal(b.config.optimizer.params['lr'], 0.1);
    assert.equal(b.config.backprop.name, 'both');
  });
  it('a component call replaces the component; a record updates only the named settings', () => {
    const r = compileFiles({ x: BASE + 'run b { encoder: mf(dim: 8)  training: (epochs: 5) }\n' });
    const b = r.model!.runs.find((x) => x.name === 'b')!;
    assert.deepEqual(b.config.encoder.params, { dim: 8, init: 'xavier_normal', std: 0.1 });
    assert.equal(b.config.training.epochs, 5);
    assert.equal(b.config.training.batch, 64);
  });
  it('seeds: 3 repeats a run with consecutive seeds', () => {
    const r = compileFiles({ x: BASE + 'run b { seeds: 3 training.seed: 10 }\n' });
    assert.deepEqual(
      r.model!.trials.filter((t) => t.run === 'b').map((t) => [t.id, t.seed, t.config.training.seed]),
      [
        ['b#seed=10', 10, 10],
        ['b#seed=11', 11, 11],
        ['b#seed=12', 12, 12],
      ],
    );
  });
  it('without a validation split the default early_stop becomes none (last epoch)', () => {
    const r = compileFiles({ x: BASE.replace('valid: 0.1', 'valid: 0') });
    assert.deepEqual(errorsOf(r), []);
    assert.equal(r.model!.trials[0]!.config.training.early_stop, null);
    assert.deepEqual(r.graph!.node('train:syn/a').params['monitor'], { split: null, metrics: [], cutoffs: [] });
  });
  it('random search picks budget distinct grid points, the same ones every time', () => {
    const src = BASE + 'sweep r of a random(budget: 3, seed: 5) { optimizer.lr: [0.1, 0.01, 0.001], sampler.negatives: [1, 2, 3] }\n';
    const ids = (s: string) => compileFiles({ x: s }).model!.trials.filter((t) => t.sweeps.length).map((t) => t.id);
    const a = ids(src);
    assert.equal(a.length, 3);
    assert.equal(new Set(a).size, 3);
    assert.deepEqual(ids(src), a);
    assert.notDeepEqual(ids(src.replace('seed: 5', 'seed: 6')), a);
  });
  it('imports share datasets and defaults; the importing file overrides', () => {
    const r = compileFiles({
      'exp/main.exp': 'experiment m\nimport "../shared/common.exp"\ndefaults { sampler.negatives: 7 }\nrun a { }\n',
      'shared/common.exp': 'dataset syn = synthetic(users: 30, items: 20)\ndefaults { sampler: uniform(negatives: 2) optimizer: sgd(lr: 0.5) }\n',
    });
    assert.deepEqual(errorsOf(r).map(brief), []);
    assert.equal(r.model!.runs[0]!.config.sampler.params['negatives'], 7);
    assert.equal(r.model!.runs[0]!.config.optimizer.name, 'sgd');
    assert.deepEqual(r.model!.files.map((f) => f.path), ['shared/common.exp', 'exp/main.exp']);
  });
});
