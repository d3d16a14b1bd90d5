import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Declaration, Property, Value } from '../../src/compiler/ast/nodes.js';
import { noRanges, parse, parseClean, REPO_ROOT } from '../grammar/helpers.js';

const id = (name: string) => ({ kind: 'Identifier', name });
const num = (raw: string) => ({ kind: 'Number', value: Number(raw), raw, isInteger: /^-?\d+$/.test(raw) });
const nameV = (name: string) => ({ kind: 'Name', name });
const arg = (name: string | undefined, value: unknown) => (name ? { kind: 'Argument', name: id(name), value } : { kind: 'Argument', value });
const call = (callee: string, ...args: unknown[]) => ({ kind: 'Call', callee: id(callee), args });
const prop = (path: string, value: unknown) => ({ kind: 'Property', key: { kind: 'PropertyPath', segments: path.split('.').map(id) }, value });

/** The declarations of a clean file, without ranges. */
function decls(text: string): Declaration[] {
  return noRanges(parseClean(text).declarations);
}
/** The value of the only property of `defaults { x: <text> }`. */
function valueOf(text: string): Value {
  const [d] = decls(`defaults { x: ${text} }`);
  assert.equal(d?.kind, 'DefaultsDecl');
  return (d as { properties: Property[] }).properties[0]!.value;
}

describe('parseSource: declarations', () => {
  it('parses an empty file to an empty program with a range at 1:1', () => {
    const r = parse('');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.program, { kind: 'Program', file: 't.exp', declarations: [], range: { file: 't.exp', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } } });
  });

  it('parses a file of only comments and blank lines to an empty program', () => {
    assert.deepEqual(parseClean('\n# a\n// b\n/* c */\n').declarations, []);
  });

  it('experiment', () => {
    assert.deepEqual(decls('experiment onebp_vs_twobp'), [{ kind: 'ExperimentDecl', name: id('onebp_vs_twobp') }]);
  });

  it('import, with double or single quotes', () => {
    assert.deepEqual(decls(`import "shared/datasets.exp" import 'b.exp'`), [
      { kind: 'ImportDecl', path: { kind: 'String', value: 'shared/datasets.exp' } },
      { kind: 'ImportDecl', path: { kind: 'String', value: 'b.exp' } },
    ]);
  });

  it('dataset with a call source and a block', () => {
    assert.deepEqual(decls('dataset syn = synthetic(users: 300, seed: 7) { split: holdout(test: 0.2) protocol: validation }'), [
      {
        kind: 'DatasetDecl',
        name: id('syn'),
        source: call('synthetic', arg('users', num('300')), arg('seed', num('7'))),
        properties: [prop('split', call('holdout', arg('test', num('0.2')))), prop('protocol', nameV('validation'))],
      },
    ]);
  });

  it('dataset with a bare-name source and no block', () => {
    assert.deepEqual(decls('dataset ml = movielens_100k'), [{ kind: 'DatasetDecl', name: id('ml'), source: nameV('movielens_100k'), properties: [] }]);
  });

  it('dataset with an empty argument list is a call, not a name', () => {
    assert.deepEqual(decls('dataset ml = movielens_100k()'), [{ kind: 'DatasetDecl', name: id('ml'), source: call('movielens_100k'), properties: [] }]);
  });

  it('defaults', () => {
    assert.deepEqual(decls('defaults { encoder: mf(dim: 32) }'), [{ kind: 'DefaultsDecl', properties: [prop('encoder', call('mf', arg('dim', num('32'))))] }]);
  });

  it('run without a block, and run extends with a block', () => {
    assert.deepEqual(decls('run twobp run onebp extends twobp { backprop: onebp(beta: 0.99) }'), [
      { kind: 'RunDecl', name: id('twobp'), properties: [] },
      { kind: 'RunDecl', name: id('onebp'), extends: id('twobp'), properties: [prop('backprop', call('onebp', arg('beta', num('0.99'))))] },
    ]);
  });

  it('sweep named after its run', () => {
    assert.deepEqual(decls('sweep onebp { backprop.beta: [0.9, 0.99] }'), [
      { kind: 'SweepDecl', name: id('onebp'), properties: [prop('backprop.beta', { kind: 'List', items: [num('0.9'), num('0.99')], bracketed: true })] },
    ]);
  });

  it('sweep ... of ... with a random strategy', () => {
    assert.deepEqual(decls('sweep lr of twobp random(budget: 4, seed: 1) { optimizer.lr: [1e-4] }'), [
      {
        kind: 'SweepDecl',
        name: id('lr'),
        of: id('twobp'),
        strategy: call('random', arg('budget', num('4')), arg('seed', num('1'))),
        properties: [prop('optimizer.lr', { kind: 'List', items: [num('1e-4')], bracketed: true })],
      },
    ]);
  });

  it('sweep with a bare strategy name and no of', () => {
    assert.deepEqual(decls('sweep onebp grid { x: [1] }'), [{ kind: 'SweepDecl', name: id('onebp'), strategy: nameV('grid'), properties: [prop('x', { kind: 'List', items: [num('1')], bracketed: true })] }]);
  });

  it('evaluate and review', () => {
    assert.deepEqual(decls('evaluate { metrics: recall } review { baseline: twobp }'), [
      { kind: 'EvaluateDecl', properties: [prop('metrics', nameV('recall'))] },
      { kind: 'ReviewDecl', properties: [prop('baseline', nameV('twobp'))] },
    ]);
  });

  it('an empty block has no properties', () => {
    assert.deepEqual(decls('review { }'), [{ kind: 'ReviewDecl', properties: [] }]);
  });
});

describe('parseSource: values', () => {
  it('integers and negative integers are integers', () => {
    assert.deepEqual(valueOf('1024'), { kind: 'Number', value: 1024, raw: '1024', isInteger: true });
    assert.deepEqual(valueOf('-3'), { kind: 'Number', value: -3, raw: '-3', isInteger: true });
  });

  it('fractions and exponents are not integers, even when whole', () => {
    assert.deepEqual(valueOf('5e-4'), { kind: 'Number', value: 0.0005, raw: '5e-4', isInteger: false });
    assert.deepEqual(valueOf('-1.5E+3'), { kind: 'Number', value: -1500, raw: '-1.5E+3', isInteger: false });
    assert.deepEqual(valueOf('1e3'), { kind: 'Number', value: 1000, raw: '1e3', isInteger: false });
    assert.deepEqual(valueOf('2.'), { kind: 'Number', value: 2, raw: '2.', isInteger: false });
    assert.deepEqual(valueOf('.5'), { kind: 'Number', value: 0.5, raw: '.5', isInteger: false });
  });

  it('strings with escapes', () => {
    assert.deepEqual(valueOf(`"a\\tb \\"c\\" \\u00e9\\\\"`), { kind: 'String', value: 'a\tb "c" é\\' });
    assert.deepEqual(valueOf(`'it\\'s'`), { kind: 'String', value: "it's" });
  });

  it('true, false and none', () => {
    assert.deepEqual(valueOf('true'), { kind: 'Boolean', value: true });
    assert.deepEqual(valueOf('false'), { kind: 'Boolean', value: false });
    assert.deepEqual(valueOf('none'), { kind: 'None' });
  });

  it('a bare word is a name', () => {
    assert.deepEqual(valueOf('xavier_normal'), nameV('xavier_normal'));
  });

  it('bracketed lists: empty, nested, with a trailing comma', () => {
    assert.deepEqual(valueOf('[]'), { kind: 'List', items: [], bracketed: true });
    assert.deepEqual(valueOf('[1, [2], "x",]'), { kind: 'List', items: [num('1'), { kind: 'List', items: [num('2')], bracketed: true }, { kind: 'String', value: 'x' }], bracketed: true });
  });

  it('a record of named arguments, and an empty record', () => {
    assert.deepEqual(valueOf('(batch: 1024, early_stop: none)'), { kind: 'Record', entries: [arg('batch', num('1024')), arg('early_stop', { kind: 'None' })] });
    assert.deepEqual(valueOf('()'), { kind: 'Record', entries: [] });
  });

  it('calls with positional, named and trailing-comma arguments', () => {
    assert.deepEqual(valueOf('popularity_groups(10)'), call('popularity_groups', arg(undefined, num('10'))));
    assert.deepEqual(valueOf('item_clusters(k: 6, 2,)'), call('item_clusters', arg('k', num('6')), arg(undefined, num('2'))));
    assert.deepEqual(valueOf('curves()'), call('curves'));
  });

  it('metric references with and without spaces and a split', () => {
    assert.deepEqual(valueOf('ndcg@20'), { kind: 'MetricRef', metric: id('ndcg'), k: num('20') });
    assert.deepEqual(valueOf('ndcg @ 20 on valid'), { kind: 'MetricRef', metric: id('ndcg'), k: num('20'), split: id('valid') });
  });

  it('commas make an unbracketed list; `ndcg @ 5, 10, 20` is a metric ref and two numbers', () => {
    assert.deepEqual(valueOf('precision, recall, ndcg @ 5, 10, 20'), {
      kind: 'List',
      items: [nameV('precision'), nameV('recall'), { kind: 'MetricRef', metric: id('ndcg'), k: num('5') }, num('10'), num('20')],
      bracketed: false,
    });
  });
});

describe('parseSource: properties', () => {
  const props = (block: string) => (decls(`review { ${block} }`)[0] as { properties: Property[] }).properties;

  it('need no separator: a value list only continues after a comma', () => {
    assert.deepEqual(props('compare: twobp, onebp  baseline: twobp'), [prop('compare', { kind: 'List', items: [nameV('twobp'), nameV('onebp')], bracketed: false }), prop('baseline', nameV('twobp'))]);
  });

  it('may be separated by ";"', () => {
    assert.deepEqual(props('a: 1; b: 2;'), [prop('a', num('1')), prop('b', num('2'))]);
  });

  it('may be separated by "," when a key follows (`x: [1], y.z: [2]` is two properties)', () => {
    assert.deepEqual(props('x: [1], y.z: [2], w: 3, 4'), [
      prop('x', { kind: 'List', items: [num('1')], bracketed: true }),
      prop('y.z', { kind: 'List', items: [num('2')], bracketed: true }),
      prop('w', { kind: 'List', items: [num('3'), num('4')], bracketed: false }),
    ]);
  });

  it('dotted paths', () => {
    assert.deepEqual(props('sampler.negatives: 10'), [prop('sampler.negatives', num('10'))]);
  });

  it('keywords work as property keys, path segments, callees, argument names and values', () => {
    assert.deepEqual(props('dataset: ml; run: twobp; sweep.of: 1; plots: sweep(onebp), review(of: none, true), evaluate'), [
      prop('dataset', nameV('ml')),
      prop('run', nameV('twobp')),
      prop('sweep.of', num('1')),
      prop('plots', {
        kind: 'List',
        items: [call('sweep', arg(undefined, nameV('onebp'))), call('review', arg('of', { kind: 'None' }), arg(undefined, { kind: 'Boolean', value: true })), nameV('evaluate')],
        bracketed: false,
      }),
    ]);
  });
});

describe('parseSource: ranges', () => {
  const text = 'experiment x # c\n/* two\n lines */ run onebp extends twobp {\n  backprop: onebp(beta: 0.99)\n}\n';
  const program = parseClean(text);
  const at = (r: { start: { line: number; column: number }; end: { line: number; column: number } }) => `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;

  it('a declaration spans its keyword to its closing brace, after comments', () => {
    assert.equal(at(program.declarations[1]!.range), '3:11-5:2');
  });

  it('identifiers, properties, paths and calls have their own exact ranges', () => {
    const run = program.declarations[1] as Extract<Declaration, { kind: 'RunDecl' }>;
    assert.equal(at(run.name.range), '3:15-3:20');
    assert.equal(at(run.extends!.range), '3:29-3:34');
    const p = run.properties[0]!;
    assert.equal(at(p.range), '4:3-4:30');
    assert.equal(at(p.key.range), '4:3-4:11');
    assert.equal(at(p.value.range), '4:13-4:30');
    const c = p.value as Extract<Value, { kind: 'Call' }>;
    assert.equal(at(c.args[0]!.range), '4:19-4:29');
    assert.equal(at(c.args[0]!.value.range), '4:25-4:29');
  });

  it('the program spans the whole file and every range names the file', () => {
    assert.equal(at(program.range), '1:1-6:1');
    assert.equal(program.file, 't.exp');
    assert.equal(program.declarations[0]!.range.file, 't.exp');
  });

  it('an unbracketed list spans its first to its last value', () => {
    const [d] = parseClean('review { compare: a,  b }').declarations;
    assert.equal(at((d as { properties: Property[] }).properties[0]!.value.range), '1:19-1:24');
  });
});

// ---- golden ASTs of the example programs --------------------------------------------------

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

for (const name of ['design', 'quick', 'syntax']) {
  describe(`grammar/examples/${name}.exp`, () => {
    it('parses with no diagnostics to the golden AST (ranges included)', () => {
      const path = `grammar/examples/${name}.exp`;
      const result = parse(readFileSync(join(REPO_ROOT, path), 'utf8'), path);
      assert.deepEqual(result.diagnostics, []);
      const golden = join(REPO_ROOT, 'test', 'golden', 'parse', `${name}.ast.json`);
      const actual = `${JSON.stringify(result.program, null, 1)}\n`;
      if (UPDATE) {
        mkdirSync(dirname(golden), { recursive: true });
        writeFileSync(golden, actual);
      }
      assert.equal(actual, readFileSync(golden, 'utf8'));
    });
  });
}
