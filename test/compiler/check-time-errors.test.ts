import assert from 'node:assert/strict';
import { brief, compileFiles } from './helpers.js';

/** Files that used to pass `check` and fail (or misbehave) only at run time (finding 11). */
const at = (src: string) => compileFiles({ 'a.exp': src }).diagnostics.map(brief);
const head = 'experiment t\ndefaults { training: (epochs: 2, batch: 64) }\n';

describe('check: run-time failures found at check time, located (finding 11)', () => {
  it('csv: the same column for user and item', () => {
    assert.deepEqual(at(`${head}dataset d = csv(train: "r.csv", user: 1, item: 1)\nrun a { }\n`), [
      "invalid-value@3:48 dataset 'd' (csv): the user and item columns are the same column (1)",
    ]);
  });

  it('csv: min_rating without a rating column', () => {
    assert.deepEqual(at(`${head}dataset d = csv(train: "r.csv", min_rating: 4)\nrun a { }\n`), ["invalid-value@3:45 dataset 'd' (csv): min_rating needs a rating column"]);
  });

  it('lightgcn: both name and path', () => {
    assert.deepEqual(at(`${head}dataset g = lightgcn(name: "gowalla", path: "x")\nrun a { }\n`), ["invalid-value@3:45 dataset 'g' (lightgcn): give either name or path, not both"]);
  });

  it('a synthetic dataset with fewer items than negatives', () => {
    assert.deepEqual(at(`${head}dataset s = synthetic(items: 5)\nrun a { sampler.negatives: 5 }\n`), [
      "incompatible-components@4:1 trial 'a': sampler.negatives is 5, but dataset 's' has only 5 items",
    ]);
  });

  it('drop_last with a batch larger than the data is a warning', () => {
    const r = compileFiles({ 'a.exp': `${head}dataset s = synthetic(users: 10, per_user: 5)\nrun a { training.drop_last: true; training.batch: 4096 }\n` });
    assert.deepEqual(r.diagnostics.map(brief), ["incompatible-components@4:1 trial 'a': drop_last with batch 4096 leaves no batch: dataset 's' has about 40 training pairs"]);
    assert.equal(r.diagnostics[0]!.severity, 'warning');
  });

  it('a baseline missing from compare: is said, not silently added', () => {
    const r = compileFiles({ 'a.exp': `${head}dataset s = synthetic()\nrun a { }\nrun b { }\nrun c { }\nreview { compare: a, b; baseline: c }\n` });
    assert.deepEqual(r.diagnostics.map(brief), ["baseline-not-compared@7:35 baseline 'c' is not in compare:; it is compared too"]);
    assert.deepEqual(r.model!.review.compare, ['c', 'a', 'b']);
  });

  it('a dataset no run uses is reported and not loaded', () => {
    const r = compileFiles({ 'a.exp': `${head}dataset s = synthetic()\ndataset unused = synthetic(seed: 2)\nrun a { datasets: s }\n` });
    assert.deepEqual(r.diagnostics.map(brief), ["unused-declaration@4:9 dataset 'unused' is used by no run; it is not loaded"]);
    assert.deepEqual(r.model!.datasets.map((d) => d.name), ['s']);
    assert.ok(!r.graph!.nodes.some((n) => n.id.includes('unused')));
  });

  it('a 500 KB name is refused at its location', () => {
    const r = at(`${head}dataset s = synthetic()\nrun ${'x'.repeat(500_000)} { }\n`);
    assert.equal(r.length, 1);
    assert.match(r[0]!, /^lexing-error@4:5 a name of 500000 characters$/);
  });
});
