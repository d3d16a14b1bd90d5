import assert from 'node:assert/strict';
import { MAX_TRIALS } from '../../../src/compiler/resolve/resolve-experiment.js';
import { BASE, brief, compileFiles, errorsOf } from '../helpers.js';

describe('sweeps: trials', () => {
  it('a sweep point equal to its run is the run trial, counted once and credited to the sweep', () => {
    const r = compileFiles({ x: BASE + 'sweep s of a { backprop: [both, onebp] }\n' });
    assert.deepEqual(errorsOf(r).map(brief), []);
    const trials = r.model!.trials;
    assert.deepEqual(trials.map((t) => t.id), ['a', 'a[backprop=onebp]']);
    assert.deepEqual(trials[0]!.sweeps, [{ sweep: 's', point: { backprop: 'both' } }]);
    assert.equal(r.graph!.nodes.length, 2 + 2 * 2);
  });

  it('a point shared by two sweeps is one trial that belongs to both', () => {
    const r = compileFiles({ x: BASE + 'sweep s of a { optimizer.lr: [0.1, 0.2] }\nsweep t of a { optimizer.lr: [0.2, 0.3] }\n' });
    const shared = r.model!.trials.filter((t) => t.sweeps.length === 2);
    assert.deepEqual(shared.map((t) => t.id), ['a[optimizer.lr=0.2]']);
    assert.equal(r.model!.trials.length, 4);
  });

  it("a sweep over whole components keeps the run's own parameters of the same component", () => {
    const src = BASE.replace('run a { backprop: both }', 'run a { backprop: both; loss: infonce(temperature: 0.5) }') + 'sweep s of a { loss: [infonce, bpr] }\n';
    const r = compileFiles({ x: src });
    assert.deepEqual(errorsOf(r).map(brief), []);
    const byId = new Map(r.model!.trials.map((t) => [t.id, t]));
    // The infonce point is the run itself: temperature 0.5 carried over, not reset to 1.0.
    assert.equal(byId.get('a')!.config.loss.params['temperature'], 0.5);
    assert.equal(byId.has('a[loss=infonce]'), false);
    assert.equal(byId.get('a[loss=bpr]')!.config.loss.name, 'bpr');
    assert.equal(byId.get('a[loss=bpr]')!.config.loss.params['temperature'], undefined);
  });

  it('a component point with arguments changes only the given parameters of the same component', () => {
    const src = BASE.replace('run a { backprop: both }', 'run a { backprop: both; loss: infonce(temperature: 0.5, similarity: cosine) }') + 'sweep s of a { loss: [infonce(temperature: 0.1)] }\n';
    const t = compileFiles({ x: src }).model!.trials.find((x) => x.sweeps.length)!;
    assert.deepEqual(t.config.loss.params, { temperature: 0.1, similarity: 'cosine' });
  });
});

describe('sweeps: seeds', () => {
  it('a sweep over training.seed gives distinct trainings, each trained with its seed', () => {
    const r = compileFiles({ x: BASE + 'sweep s of a { training.seed: [1, 2, 3] }\n' });
    assert.deepEqual(errorsOf(r).map(brief), []);
    const points = r.model!.trials.filter((t) => t.sweeps.length);
    assert.deepEqual(points.map((t) => [t.id, t.seed, t.config.training.seed]), [
      ['a[training.seed=1]', 1, 1],
      ['a[training.seed=2]', 2, 2],
      ['a[training.seed=3]', 3, 3],
    ]);
    // Three distinct content (three training steps with different parameters).
    const trainParams = points.map((t) => JSON.stringify(r.graph!.node(`train:syn/${t.id}`).params));
    assert.equal(new Set(trainParams).size, 3);
  });

  it('under seeds: N, a swept training.seed is the first of N seeds', () => {
    const src = BASE.replace('run a { backprop: both }', 'run a { backprop: both; seeds: 2 }') + 'sweep s of a { training.seed: [10] }\n';
    const points = compileFiles({ x: src }).model!.trials.filter((t) => t.sweeps.length);
    assert.deepEqual(points.map((t) => [t.id, t.seed]), [['a[training.seed=10]#seed=10', 10], ['a[training.seed=10]#seed=11', 11]]);
  });

  it('a sweep over seeds is refused, pointing at seeds: on the run', () => {
    const r = compileFiles({ x: BASE + 'sweep s of a { seeds: [1, 2, 3] }\n' });
    const [d, ...rest] = errorsOf(r);
    assert.deepEqual(rest, []);
    assert.equal(brief(d!), "invalid-sweep@5:16 a sweep cannot vary 'seeds': seeds are repetitions of a trial, not a parameter");
    assert.match(d!.hint!, /write seeds: \[1, 2, 3\]/);
  });

  it('sweeping training.seed on a run that lists its seeds is refused', () => {
    const src = BASE.replace('run a { backprop: both }', 'run a { backprop: both; seeds: [4, 5] }') + 'sweep s of a { training.seed: [1, 2] }\n';
    const errors = errorsOf(compileFiles({ x: src }));
    assert.deepEqual(errors.map(brief), ["invalid-sweep@5:16 sweeping training.seed changes nothing: run 'a' lists its seeds"]);
  });
});

describe('sweeps: size', () => {
  it(`refuses more than ${MAX_TRIALS} trials at once, located at the sweep that exceeds the limit`, () => {
    const axis = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;
    const src = BASE + `sweep big of a { training.batch: ${axis(100)}, optimizer.lr: ${axis(100).replace(/(\d+)/g, '0.$1')} }\n`.replace('0.100', '1.0') + `sweep more of a { encoder.dim: ${axis(100)}, optimizer.weight_decay: ${axis(100).replace(/(\d+)/g, '0.$1')} }\n`.replace('0.100', '1.0');
    const started = performance.now();
    const errors = errorsOf(compileFiles({ x: src }));
    assert.ok(performance.now() - started < 20000);
    assert.deepEqual(errors.map((d) => d.code), ['too-many-trials']);
    assert.equal(errors[0]!.range!.start.line, 6);
    assert.match(errors[0]!.message, /sweep 'more' brings the experiment to 20001 trials/);
  });

  it('expands trials in time linear in their number', function () {
    // Quadratic expansion (a scan of all trials per new trial) made 100,000 trials take minutes.
    const time = (n: number) => {
      const values = Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
      const src = BASE + `sweep s of a { optimizer.lr: [${values.join(', ')}] }\n`;
      const started = performance.now();
      const r = compileFiles({ x: src });
      assert.equal(r.model!.trials.length, n + 1);
      return performance.now() - started;
    };
    time(500); // warm up ajv and the parser
    const small = time(1000);
    const large = time(8000);
    // 8x the trials: linear is ~8x; quadratic would be ~64x. Generous for a loaded machine.
    assert.ok(large / small < 24, `1000 trials: ${small.toFixed(0)} ms, 8000 trials: ${large.toFixed(0)} ms`);
  });
});
