import assert from 'node:assert/strict';
import { brief, compileFiles, errorsOf } from '../helpers.js';
import { parse } from '../../grammar/helpers.js';

const SRC = (review: string, seeds = '') => `experiment t
dataset syn = synthetic(users: 50, items: 40, seed: 3) { split: holdout(test: 0.2, valid: 0.1) }
defaults { training: (epochs: 3, batch: 64) }
run twobp { backprop: both ${seeds} }
run onebp { backprop: onebp(beta: 0.9) ${seeds} }
sweep beta of onebp { backprop.beta: [0.9, 0.99], sampler.negatives: [1, 5] }
review { ${review} }
`;
const compileReview = (review: string, seeds = '') => compileFiles({ 't.exp': SRC(review, seeds) });

describe('review: sweep points in compare and baseline', () => {
  it('parses onebp[backprop.beta=0.99, sampler.negatives=1] as a point reference', () => {
    const r = parse('review { compare: twobp, onebp[backprop.beta=0.99, sampler.negatives=1] }');
    assert.deepEqual(r.diagnostics, []);
    const v = (r.program.declarations[0] as { properties: { value: { items: { kind: string }[] } }[] }).properties[0]!.value.items[1]!;
    assert.equal(v.kind, 'PointRef');
  });
  it('names the trial of that point, whatever the order of paths or the spelling of numbers', () => {
    const r = compileReview('compare: twobp, onebp[sampler.negatives=1, backprop.beta=9.9e-1]');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.review.compare, ['twobp', 'onebp[backprop.beta=0.99,sampler.negatives=1]']);
    assert.ok(r.model!.trials.some((t) => t.id === 'onebp[backprop.beta=0.99,sampler.negatives=1]'));
  });
  it('a point equal to the run is the run itself; a point may be the baseline', () => {
    const r = compileReview('compare: twobp, onebp[backprop.beta=0.9, sampler.negatives=5]  baseline: onebp[backprop.beta=0.99, sampler.negatives=5]');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.review.compare, ['onebp[backprop.beta=0.99,sampler.negatives=5]', 'twobp', 'onebp']);
    assert.equal(r.model!.review.baseline, 'onebp[backprop.beta=0.99,sampler.negatives=5]');
  });
  it('with several seeds the point names the trials of all its seeds', () => {
    const r = compileReview('compare: onebp[backprop.beta=0.99, sampler.negatives=1]', 'seeds: 2');
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.review.compare, ['onebp[backprop.beta=0.99,sampler.negatives=1]']);
  });
  it('an unknown point: located, with the existing points and a suggestion', () => {
    const e = errorsOf(compileReview('compare: twobp, onebp[backprop.beta=0.991, sampler.negatives=1]'));
    assert.deepEqual(e.map(brief), ["unknown-point@7:26 run 'onebp' has no sweep point onebp[backprop.beta=0.991,sampler.negatives=1]"]);
    assert.equal(
      e[0]!.expected,
      // in trial order: the point equal to the run first (it is the run's trial)
      'one of onebp[backprop.beta=0.9,sampler.negatives=5], onebp[backprop.beta=0.9,sampler.negatives=1], onebp[backprop.beta=0.99,sampler.negatives=1], onebp[backprop.beta=0.99,sampler.negatives=5]',
    );
    assert.equal(e[0]!.hint, "did you mean 'onebp[backprop.beta=0.99,sampler.negatives=1]'?");
  });
  it('a partial point is not a point; a run without sweeps; an unknown run; a path set twice', () => {
    assert.match(errorsOf(compileReview('compare: onebp[backprop.beta=0.99]')).map(brief).join(), /unknown-point@7:19 run 'onebp' has no sweep point/);
    const none = errorsOf(compileReview('compare: twobp[backprop.beta=0.99]'));
    assert.deepEqual(none.map(brief), ["unknown-point@7:19 run 'twobp' has no sweep points"]);
    assert.equal(none[0]!.expected, 'a sweep of twobp: sweep s of twobp { path: [values] }');
    assert.deepEqual(errorsOf(compileReview('compare: onebq[backprop.beta=0.99]')).map(brief), ["unknown-run@7:19 unknown run 'onebq'"]);
    assert.deepEqual(errorsOf(compileReview('compare: onebp[backprop.beta=0.9, backprop.beta=0.99]')).map(brief), ["duplicate-property@7:44 sweep point sets 'backprop.beta' twice"]);
  });
  it('syntax errors inside the brackets are located', () => {
    const d = parse('review { compare: onebp[backprop.beta 0.9] }').diagnostics;
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, 'parsing-error');
    assert.equal(`${d[0]!.range?.start.line}:${d[0]!.range?.start.column}`, '1:39');
    assert.match(d[0]!.message, /expected '='/);
  });
});
