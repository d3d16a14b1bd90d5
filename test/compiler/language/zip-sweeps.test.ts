import assert from 'node:assert/strict';
import { brief, compileFiles, errorsOf } from '../helpers.js';
import { parse } from '../../grammar/helpers.js';

const HEAD = `experiment t
dataset syn = synthetic(users: 50, items: 40, seed: 3) { split: holdout(test: 0.2, valid: 0.1) }
defaults { training: (epochs: 3, batch: 64) }
run r { backprop: both }
`;
const compileSweep = (body: string) => compileFiles({ 't.exp': `${HEAD}sweep s of r { ${body} }\n` });

describe('zipped sweep axes', () => {
  it('zip { } lists vary together: one point per position, not the product', () => {
    const r = compileSweep('zip { optimizer.lr: [1e-3, 1e-4], training.batch: [512, 1024] }');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.sweeps[0]!.points, [
      { 'optimizer.lr': 1e-3, 'training.batch': 512 },
      { 'optimizer.lr': 1e-4, 'training.batch': 1024 },
    ]);
    assert.deepEqual(r.model!.trials.map((t) => t.id), ['r', 'r[optimizer.lr=1e-3,training.batch=512]', 'r[optimizer.lr=1e-4,training.batch=1024]']);
    const t = r.model!.trials[2]!;
    assert.equal(t.config.optimizer.params['lr'], 1e-4);
    assert.equal(t.config.training.batch, 1024);
    assert.deepEqual(r.model!.sweeps[0]!.axes, [
      { path: 'optimizer.lr', values: [1e-3, 1e-4], zip: 0 },
      { path: 'training.batch', values: [512, 1024], zip: 0 },
    ]);
  });
  it('combines with ordinary grid axes in the order written (the last axis fastest)', () => {
    const r = compileSweep('sampler.negatives: [1, 2], zip { optimizer.lr: [1e-3, 1e-4], training.batch: [32, 64] }');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(
      r.model!.sweeps[0]!.points.map((p) => [p['sampler.negatives'], p['optimizer.lr'], p['training.batch']]),
      [
        [1, 1e-3, 32],
        [1, 1e-4, 64],
        [2, 1e-3, 32],
        [2, 1e-4, 64],
      ],
    );
  });
  it('takes generators as its lists', () => {
    const r = compileSweep('zip { optimizer.lr: logspace(-3, -1, 3), sampler.negatives: range(1, 3, 1) }');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.sweeps[0]!.points, [
      { 'optimizer.lr': 0.001, 'sampler.negatives': 1 },
      { 'optimizer.lr': 0.01, 'sampler.negatives': 2 },
      { 'optimizer.lr': 0.1, 'sampler.negatives': 3 },
    ]);
  });
  it('lists of different lengths: a located error at the shorter list, naming both lengths', () => {
    const r = compileSweep('zip { optimizer.lr: [1e-3, 1e-4], training.batch: [512] }');
    const e = errorsOf(r);
    assert.deepEqual(e.map(brief), ["invalid-sweep@5:66 zipped lists must have the same length: 'training.batch' has 1 values, 'optimizer.lr' has 2"]);
    assert.equal(e[0]!.expected, '2 values (as optimizer.lr)');
    assert.equal(e[0]!.found, '1 value');
    assert.equal(e[0]!.related?.[0]?.range?.start.column, 36);
  });
  it('a path both zipped and on its own is varied twice', () => {
    const r = compileSweep('optimizer.lr: [1], zip { optimizer.lr: [1e-3], training.batch: [512] }');
    assert.deepEqual(errorsOf(r).map(brief), ["duplicate-property@5:41 sweep 's' varies 'optimizer.lr' twice"]);
  });
  it('an empty zip, a nested block, another block name and a non-list are refused where written', () => {
    assert.deepEqual(errorsOf(compileSweep('zip { }')).map(brief), ['invalid-sweep@5:20 zip { } varies nothing']);
    assert.deepEqual(errorsOf(compileSweep('zip { a { b: [1] } }')).map(brief), ['invalid-sweep@5:24 a zip group holds lists, not another block']);
    assert.deepEqual(errorsOf(compileSweep('zap { optimizer.lr: [1] }')).map(brief), ['invalid-sweep@5:16 a block in a sweep is a zip group']);
    assert.deepEqual(errorsOf(compileSweep('zip { optimizer.lr: 0.1 }')).map(brief), ['invalid-sweep@5:36 a sweep axis takes a [list] of values']);
  });
  it('a block outside a sweep is refused at the block', () => {
    const r = compileFiles({ 't.exp': `${HEAD}run q { zip { optimizer.lr: [1] } }\n` });
    assert.deepEqual(errorsOf(r).map(brief), ["invalid-value@5:13 a block of settings ('zip { ... }') is only allowed in a sweep, as zip { ... }"]);
  });
  it('seeds cannot be zipped either', () => {
    const r = compileSweep('zip { seeds: [1, 2], optimizer.lr: [1e-3, 1e-4] }');
    assert.match(errorsOf(r).map(brief).join('\n'), /invalid-sweep@5:22 a sweep cannot vary 'seeds'/);
  });
  it('a key without ":" still reads as a missing ":" (the block form is only zip { })', () => {
    assert.deepEqual(parse('run a { backprop both }').diagnostics.map((d) => d.message), ["expected ':' after 'backprop'"]);
  });
});
