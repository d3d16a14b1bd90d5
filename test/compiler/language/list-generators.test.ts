import assert from 'node:assert/strict';
import type { Property, Value } from '../../../src/compiler/ast/nodes.js';
import { brief, compileFiles, errorsOf } from '../helpers.js';
import { compile } from '../../../src/compiler/index.js';
import { MemoryCompilerHost } from '../../../src/compiler/host.js';
import { parse, parseClean } from '../../grammar/helpers.js';

/** The value of `defaults { x: <text> }` after generators are expanded. */
function valueOf(text: string): Value {
  const d = parseClean(`defaults { x: ${text} }`).declarations[0] as { properties: Property[] };
  return d.properties[0]!.value;
}
function numbers(text: string): { values: number[]; raws: string[] } {
  const v = valueOf(text);
  assert.equal(v.kind, 'List');
  const items = (v as { items: Value[] }).items;
  return { values: items.map((x) => (x as { value: number }).value), raws: items.map((x) => (x as { raw: string }).raw) };
}
const errorOf = (text: string) => parse(`defaults { x: ${text} }`).diagnostics.map((d) => `${d.code}@${d.range?.start.line}:${d.range?.start.column} ${d.message}`);

describe('list generators: range and logspace', () => {
  it('range(0.1, 0.5, 0.1) is exactly 0.1, 0.2, 0.3, 0.4, 0.5 (b included; no 0.30000000000000004)', () => {
    const r = numbers('range(0.1, 0.5, 0.1)');
    assert.deepEqual(r.values, [0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(r.raws, ['0.1', '0.2', '0.3', '0.4', '0.5']);
    // what naive accumulation would give, for the record
    assert.notEqual(0.1 + 0.1 + 0.1, 0.3);
  });
  it('includes b only when a whole number of steps reaches it; steps down with a negative step', () => {
    assert.deepEqual(numbers('range(1, 10, 3)').values, [1, 4, 7, 10]);
    assert.deepEqual(numbers('range(1, 9, 3)').values, [1, 4, 7]);
    assert.deepEqual(numbers('range(0.5, 0.1, -0.2)').values, [0.5, 0.3, 0.1]);
    assert.deepEqual(numbers('range(2, 2, 1)').values, [2]);
    assert.deepEqual(numbers('range(1e-3, 3e-3, 1e-3)').values, [0.001, 0.002, 0.003]);
    assert.deepEqual(numbers('range(start: 0, stop: 1, step: 0.25)').values, [0, 0.25, 0.5, 0.75, 1]);
  });
  it('logspace(a, b, n) is 10^a .. 10^b in n points, exact literals for integer exponents (numpy.logspace)', () => {
    assert.deepEqual(numbers('logspace(-4, -1, 4)').values, [1e-4, 1e-3, 1e-2, 1e-1]);
    assert.deepEqual(numbers('logspace(-4, -1, 4)').raws, ['0.0001', '0.001', '0.01', '0.1']);
    // exponents 0, 0.5, 1: numpy gives 1, 3.1622776601683795, 10
    assert.deepEqual(numbers('logspace(0, 1, 3)').values, [1, 10 ** 0.5, 10]);
    assert.deepEqual(numbers('logspace(2, 2, 1)').values, [100]);
    assert.deepEqual(numbers('logspace(-6, -2, 3)').values, [1e-6, 1e-4, 1e-2]);
  });
  it('inside a list its values are spliced in', () => {
    assert.deepEqual(numbers('[0, range(1, 3, 1), 9]').values, [0, 1, 2, 3, 9]);
  });
  it('reports wrong arguments at the argument, once', () => {
    assert.deepEqual(errorOf('range(0.1, 0.5, 0)'), ['invalid-generator@1:31 range: step must not be 0']);
    assert.deepEqual(errorOf('range(1, 0, 0.5)'), ['invalid-generator@1:27 range: a step of 0.5 never goes from 1 to 0']);
    assert.deepEqual(errorOf('range(1, x, 1)'), ['invalid-generator@1:24 range: stop must be a number']);
    assert.deepEqual(errorOf('range(1, 2)'), ['invalid-generator@1:15 range needs step']);
    assert.deepEqual(errorOf('range(1, 2, 1, 4)'), ['invalid-generator@1:30 range takes three numbers: start, stop, step']);
    assert.deepEqual(errorOf('range(0, 1, 0.00001)'), ['invalid-generator@1:27 range: 100001 values (at most 10000)']);
    assert.deepEqual(errorOf('logspace(-4, -1, 0)'), ['invalid-generator@1:32 logspace: num must be an integer >= 1']);
    assert.deepEqual(errorOf('logspace(-4, -1, 2.5)'), ['invalid-generator@1:32 logspace: num must be an integer >= 1']);
    const d = parse('defaults { x: range(1, 0, 1) }').diagnostics[0]!;
    assert.equal(d.expected, 'range(start, stop, step), e.g. range(0.1, 0.5, 0.1)');
    assert.equal(d.found, '1');
  });
});

describe('list generators in experiments', () => {
  const src = (axis: string, extra = '') => `experiment t
dataset syn = synthetic(users: 50, items: 40, seed: 3) { split: holdout(test: 0.2, valid: 0.1) }
defaults { training: (epochs: 3, batch: 64) }
run a { backprop: onebp(beta: 0.9) ${extra} }
sweep s of a { backprop.beta: ${axis} }
`;
  it('a sweep axis: trials are named with the exact decimals', () => {
    const r = compileFiles({ 't.exp': src('range(0.1, 0.5, 0.1)') });
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.trials.map((t) => t.id), ['a', 'a[backprop.beta=0.1]', 'a[backprop.beta=0.2]', 'a[backprop.beta=0.3]', 'a[backprop.beta=0.4]', 'a[backprop.beta=0.5]']);
    assert.deepEqual(r.model!.sweeps[0]!.axes, [{ path: 'backprop.beta', values: [0.1, 0.2, 0.3, 0.4, 0.5] }]);
  });
  it('gives the same content keys as the list written out', () => {
    const a = compileFiles({ 't.exp': src('range(0.1, 0.3, 0.1)') }).graph!;
    const b = compileFiles({ 't.exp': src('[0.1, 0.2, 0.3]') }).graph!;
    assert.deepEqual(a.nodes.map((n) => [n.id, n.params]), b.nodes.map((n) => [n.id, n.params]));
  });
  it('works for seeds and in command-line overrides', () => {
    const r = compileFiles({ 't.exp': src('[0.5]', 'seeds: range(1, 3, 1)') });
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.model!.runs[0]!.seeds, [1, 2, 3]);
    const o = compile('t.exp', new MemoryCompilerHost({ 't.exp': src('[0.5]') }), { overrides: ['a.seeds=range(4, 8, 2)'] });
    assert.deepEqual(errorsOf(o), []);
    assert.deepEqual(o.model!.runs[0]!.seeds, [4, 6, 8]);
  });
  it('a value out of the schema is reported at the generator that made it', () => {
    const r = compileFiles({ 't.exp': src('range(0.5, 1.5, 0.5)') });
    const errors = errorsOf(r).map(brief);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, /^invalid-value@5:31 /);
  });
});
