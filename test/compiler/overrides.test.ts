import assert from 'node:assert/strict';
import { renderDiagnostics } from '../../src/compiler/diagnostics.js';
import { compile } from '../../src/compiler/index.js';
import { MemoryCompilerHost } from '../../src/compiler/host.js';
import { BASE, brief, errorsOf } from './helpers.js';

const SRC = BASE + 'run b extends a { backprop: onebp(beta: 0.9) }\nrun c { backprop: onebp(beta: 0.99); training.epochs: 7 }\n';
const withOverrides = (overrides: string[], src = SRC) => compile('x.exp', new MemoryCompilerHost({ 'x.exp': src }), { overrides });

describe('command-line overrides (-S PATH=VALUE)', () => {
  it('a setting path applies to every run, over what the runs set themselves', () => {
    const r = withOverrides(['training.epochs=5']);
    assert.deepEqual(errorsOf(r).map(brief), []);
    assert.deepEqual(r.model!.runs.map((x) => [x.name, x.config.training.epochs]), [['a', 5], ['b', 5], ['c', 5]]);
    assert.deepEqual(r.model!.overrides, ['training.epochs=5']);
  });

  it('RUN.path applies to that run and to the runs that extend it', () => {
    const r = withOverrides(['a.optimizer.lr=0.5', 'c.backprop.beta=0.9']);
    assert.deepEqual(errorsOf(r).map(brief), []);
    const run = (n: string) => r.model!.runs.find((x) => x.name === n)!.config;
    assert.equal(run('a').optimizer.params['lr'], 0.5);
    assert.equal(run('b').optimizer.params['lr'], 0.5);
    assert.notEqual(run('c').optimizer.params['lr'], 0.5);
    assert.equal(run('c').backprop.params['beta'], 0.9);
  });

  it('values are written in the language: components, records, lists', () => {
    const r = withOverrides(['loss=bpr(similarity: cosine)', 'training=(epochs: 2, batch: 16)', 'seeds=[1, 2]']);
    assert.deepEqual(errorsOf(r).map(brief), []);
    const a = r.model!.runs[0]!;
    assert.deepEqual([a.config.loss.name, a.config.loss.params['similarity'], a.config.training.epochs, a.config.training.batch, a.seeds], ['bpr', 'cosine', 2, 16, [1, 2]]);
  });

  it('no overrides leaves the model as the file says (no overrides field)', () => {
    assert.equal(withOverrides([]).model!.overrides, undefined);
  });

  it('a wrong value is located in the override, with its text under the caret', () => {
    const r = withOverrides(['training.epochs=abc']);
    const errors = errorsOf(r);
    assert.deepEqual(errors.map(brief), ["invalid-value@1:17 parameter 'epochs' of training must be an integer >= 1 and <= 1000000"]);
    assert.equal(errors[0]!.range!.file, '-S #1');
    const text = renderDiagnostics(r.diagnostics, r.sources);
    assert.match(text, /^-S #1:1:17: error\[invalid-value\]/);
    assert.match(text, /\n\s+1 \| training\.epochs=abc\n\s+\|\s{17}\^{3}\n/);
  });

  it('a misspelt parameter of one run gets a did-you-mean, at the override', () => {
    const errors = errorsOf(withOverrides(['training.epochs=2', 'c.backprop.bta=0.5']));
    assert.deepEqual(errors.map(brief), ["unknown-parameter@1:12 backprop 'onebp' has no parameter 'bta'"]);
    assert.equal(errors[0]!.range!.file, '-S #2');
    assert.equal(errors[0]!.hint, "did you mean 'beta'?");
  });

  it('an unknown run or setting, a missing =, a syntax error and two settings in one are each one located error', () => {
    const r = withOverrides(['z.backprop.beta=0.9', 'trainng.epochs=3', 'epochs', 'training.epochs=(', 'training.epochs=1 } run x { }']);
    assert.deepEqual(
      errorsOf(r).map((d) => `${d.range!.file} ${brief(d)}`).sort(),
      [
        "-S #1 invalid-override@1:1 'z' is neither a setting nor a run",
        "-S #2 invalid-override@1:1 'trainng' is neither a setting nor a run",
        '-S #3 invalid-override@1:1 an override is PATH=VALUE',
        "-S #4 parsing-error@1:18 expected ')' after '('",
        '-S #5 invalid-override@1:1 an override sets exactly one setting',
      ],
    );
    assert.equal(errorsOf(r).find((d) => d.range!.file === '-S #2')!.hint, "did you mean 'training'?");
  });

  it('sweep points still vary an overridden setting', () => {
    const r = withOverrides(['optimizer.lr=0.3'], BASE + 'sweep s of a { optimizer.lr: [0.1, 0.2] }\n');
    assert.deepEqual(r.model!.trials.map((t) => [t.id, t.config.optimizer.params['lr']]), [['a', 0.3], ['a[optimizer.lr=0.1]', 0.1], ['a[optimizer.lr=0.2]', 0.2]]);
  });
});
