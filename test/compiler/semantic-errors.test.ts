import assert from 'node:assert/strict';
import { renderDiagnostics } from '../../src/compiler/diagnostics.js';
import { BASE, brief, compileFiles, errorsOf } from './helpers.js';

/** Each case: a source that differs from BASE by one mistake, and the exact diagnostic it must give. */
const cases: { name: string; src: string; expect: string; hint?: string; expected?: string; found?: string }[] = [
  {
    name: 'unknown component, with did-you-mean',
    src: BASE + 'run b { sampler: unifrom(negatives: 5) }\n',
    expect: "unknown-component@5:18 unknown sampler 'unifrom'",
    hint: "did you mean 'uniform'?",
    expected: 'one of uniform, popularity, in_batch, hard, hars, cross_batch, mixed, dynamic_dissimilar, all_items',
    found: 'unifrom',
  },
  {
    name: 'a component of the wrong slot',
    src: BASE + 'run b { loss: uniform }\n',
    expect: "wrong-component-kind@5:15 'uniform' is a sampler, not a loss",
  },
  {
    name: 'unknown parameter, with did-you-mean',
    src: BASE + 'run b { encoder: mf(dimm: 8) }\n',
    expect: "unknown-parameter@5:21 encoder 'mf' has no parameter 'dimm'",
    hint: "did you mean 'dim'?",
  },
  {
    name: 'unknown parameter by path',
    src: BASE + 'run b { sampler.negatifs: 3 }\n',
    expect: "unknown-parameter@5:17 sampler 'uniform' has no parameter 'negatifs'",
    hint: "did you mean 'negatives'?",
  },
  {
    name: 'out-of-range value points at the value',
    src: BASE + 'run b { backprop: onebp(beta: 1.5) }\n',
    expect: "invalid-value@5:31 parameter 'beta' of backprop 'onebp' must be a number >= 0 and < 1",
    expected: 'a number >= 0 and < 1',
    found: '1.5',
  },
  {
    name: 'wrong type',
    src: BASE + 'run b { encoder.dim: "big" }\n',
    expect: "invalid-value@5:22 parameter 'dim' of encoder 'mf' must be an integer >= 1 and <= 4096",
    found: '"big"',
  },
  {
    name: 'enum value, with did-you-mean',
    src: BASE + 'run b { loss: infonce(similarity: cosin) }\n',
    expect: "invalid-value@5:35 parameter 'similarity' of loss 'infonce' must be one of dot, cosine",
    hint: "did you mean 'cosine'?",
  },
  {
    name: 'unknown setting',
    src: BASE + 'run b { sampeler: uniform }\n',
    expect: "unknown-slot@5:9 unknown setting 'sampeler'",
    hint: "did you mean 'sampler'?",
  },
  {
    name: 'unknown training setting',
    src: BASE + 'run b { training.epoch: 3 }\n',
    expect: "unknown-parameter@5:18 training has no parameter 'epoch'",
    hint: "did you mean 'epochs'?",
  },
  {
    name: 'unknown dataset in a run',
    src: BASE + 'run b { datasets: sin }\n',
    expect: "unknown-dataset@5:19 unknown dataset 'sin'",
    hint: "did you mean 'syn'?",
  },
  {
    name: 'sweep of an unknown run',
    src: BASE + 'sweep s of aa { optimizer.lr: [0.1] }\n',
    expect: "unknown-run@5:12 sweep 's' varies unknown run 'aa'",
    hint: "did you mean 'a'?",
  },
  {
    name: 'a sweep axis needs a list',
    src: BASE + 'sweep s of a { optimizer.lr: 0.1 }\n',
    expect: 'invalid-sweep@5:30 a sweep axis takes a [list] of values',
  },
  {
    name: 'a bad sweep value is located in the list',
    src: BASE + 'sweep s of a { optimizer.lr: [0.1, -2] }\n',
    expect: "invalid-value@5:36 parameter 'lr' of optimizer 'adam' must be a number > 0",
  },
  {
    name: 'duplicate run',
    src: BASE + 'run a { }\n',
    expect: "duplicate-declaration@5:5 run 'a' is declared twice",
  },
  {
    name: 'early_stop on valid without a validation split',
    src: BASE.replace('valid: 0.1', 'valid: 0').replace('epochs: 3,', 'epochs: 3, early_stop: ndcg@20 on valid,'),
    expect: "incompatible-components@3:46 early_stop uses the validation split, but dataset 'syn' holds out none",
  },
  {
    name: 'early stopping on test under the validation protocol',
    src: BASE.replace('epochs: 3,', 'epochs: 3, early_stop: recall@10 on test,'),
    expect: "incompatible-components@3:46 early stopping on the test split selects the model with test data (dataset 'syn' uses the validation protocol)",
  },
  {
    name: 'unknown metric in evaluate',
    src: BASE + 'evaluate { metrics: precision, ndgc @ 5, 10 }\n',
    expect: "unknown-metric@5:32 unknown metric 'ndgc'",
    hint: "did you mean 'ndcg'?",
  },
  {
    name: 'unknown plot in review',
    src: BASE + 'review { plots: curvs }\n',
    expect: "unknown-component@5:17 unknown plot 'curvs'",
    hint: "did you mean 'curves'?",
  },
  {
    name: 'review plot of an unknown sweep',
    src: BASE + 'review { plots: sweep(bta) }\n',
    expect: "unknown-sweep@5:23 unknown sweep 'bta'",
  },
  {
    name: 'unknown dataset loader',
    src: BASE + 'dataset m = movielens100k\n',
    expect: "unknown-component@5:13 unknown dataset 'movielens100k'",
    hint: "did you mean 'movielens_100k'?",
  },
  {
    name: 'predefined split on a dataset without one',
    src: BASE + 'dataset s2 = synthetic { split: predefined(valid: 0.1) }\n',
    expect: "incompatible-components@5:33 dataset 's2' (synthetic) has no predefined split",
  },
];

describe('compile: semantic errors, each located with expected and found', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = compileFiles({ 'x.exp': c.src });
      const errors = errorsOf(r);
      assert.deepEqual(errors.map(brief), [c.expect]);
      const d = errors[0]!;
      assert.ok(d.expected, 'every error says what was expected');
      assert.ok(d.found, 'every error says what was found');
      if (c.hint !== undefined) assert.equal(d.hint, c.hint);
      if (c.expected !== undefined) assert.equal(d.expected, c.expected);
      if (c.found !== undefined) assert.equal(d.found, c.found);
    });
  }
  it('the corrected file (positive pair) compiles clean', () => {
    assert.deepEqual(errorsOf(compileFiles({ 'x.exp': BASE + 'run b { sampler: uniform(negatives: 5) loss: infonce(similarity: cosine) }\n' })), []);
  });
  it('reports every error of a file in one go, in source order', () => {
    const r = compileFiles({ 'x.exp': BASE + 'run b { sampler: unifrom\n encoder.dim: 0 }\nrun c { loss: bprr }\n' });
    assert.deepEqual(
      errorsOf(r).map((d) => `${d.range!.start.line}:${d.range!.start.column}`),
      ['5:18', '6:15', '7:15'],
    );
  });
  it('renders file:line:col, the source line and a caret under the offending text', () => {
    const r = compileFiles({ 'exp/x.exp': BASE + 'run b { encoder: mf(dimm: 8) }\n' });
    assert.equal(
      renderDiagnostics(r.diagnostics, r.sources),
      [
        "exp/x.exp:5:21: error[unknown-parameter]: encoder 'mf' has no parameter 'dimm'",
        '    5 | run b { encoder: mf(dimm: 8) }',
        '      |                     ^^^^',
        '   = expected: one of dim, init, std',
        '   = found: dimm',
        "   = hint: did you mean 'dim'?",
        '',
        '1 error, 0 warnings',
      ].join('\n'),
    );
  });
});

describe('compile: files', () => {
  it('an import cycle is reported at the import that closes it, with the chain', () => {
    const r = compileFiles({
      'a.exp': 'experiment a\nimport "b.exp"\n' + BASE.split('\n').slice(1).join('\n'),
      'b.exp': 'import "c.exp"\n',
      'c.exp': 'import "a.exp"\n',
    });
    assert.deepEqual(errorsOf(r).map(brief), ['import-cycle@1:8 import cycle: a.exp -> b.exp -> c.exp -> a.exp']);
  });
  it('a missing import is located at its path', () => {
    const r = compileFiles({ 'a.exp': 'import "nope.exp"\n' + BASE });
    assert.deepEqual(errorsOf(r).map(brief), ["import-not-found@1:8 cannot import 'nope.exp': no such file"]);
  });
  it('a missing root file', () => {
    const r = compileFiles({}, 'none.exp');
    assert.deepEqual(errorsOf(r).map((d) => `${d.code} ${d.message}`), ["file-not-found cannot read 'none.exp': no such file"]);
  });
  it('a binary file is a user error', () => {
    const r = compileFiles({ 'a.exp': new Uint8Array([0x65, 0x78, 0x00, 0xff, 0x10]) });
    assert.deepEqual(errorsOf(r).map((d) => `${d.code} ${d.message}`), ["binary-file cannot read 'a.exp': a NUL byte at offset 2 (line 1, column 3)"]);
    assert.deepEqual(errorsOf(r).map((d) => [d.range?.file, d.range?.start.line, d.range?.start.column]), [['a.exp', 1, 3]], 'located in the file (finding 11)');
  });
  it('invalid UTF-8 is a user error', () => {
    const r = compileFiles({ 'a.exp': new Uint8Array([0x65, 0x0a, 0x61, 0xc3, 0xa9, 0xc3, 0x28]) });
    assert.deepEqual(errorsOf(r).map((d) => `${d.code} ${d.message}`), ["binary-file cannot read 'a.exp': not valid UTF-8 text: byte 0xc3 at offset 5 (line 2, column 3)"]);
    assert.deepEqual(errorsOf(r).map((d) => [d.range?.start.line, d.range?.start.column]), [[2, 3]]);
  });
  it('a file over 1 MiB is a user error', () => {
    const r = compileFiles({ 'a.exp': `${'#'.repeat(99)}\n${'#'.repeat(1024 * 1024 + 1)}` });
    assert.deepEqual(errorsOf(r).map((d) => d.code), ['file-too-large']);
    assert.deepEqual(errorsOf(r).map((d) => [d.range?.start.line, d.range?.start.column]), [[2, 1024 * 1024 - 100 + 1]], 'where the limit is reached');
  });
  it('an experiment without datasets or runs says so', () => {
    const r = compileFiles({ 'a.exp': 'experiment e\n' });
    assert.deepEqual(errorsOf(r).map((d) => d.message), ['the experiment declares no dataset', 'the experiment declares no run']);
  });
});
