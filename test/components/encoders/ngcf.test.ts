import assert from 'node:assert/strict';
import { messageMask, ngcf, ngcfWeightShapes } from '../../../src/components/encoders/ngcf.js';
import { UserItems } from '../../../src/core/user-items.js';
import { CounterRng } from '../../../src/core/rng.js';
import type { Tables64, TrainingData, TrainPass } from '../../../src/contract/training.js';
import { selectBackend } from '../../../src/runtime/backend/select-backend.js';
import { referenceGradients } from '../../../src/runtime/engine/reference/reference-step.js';
import { tfjsGradients } from '../../../src/runtime/engine/tfjs/tfjs-engine.js';
import { BACKPROPS, batchOf, config, finiteDifferenceError, LOSSES, maxAbsDiff, OPTIMIZERS, randomProblem } from '../../runtime/reference/configs.js';

/*
 * The 2-user x 3-item graph of the propagation test (u0: i0, i1; u1: i1, i2), nodes u0, u1, i0,
 * i1, i2 with layer-0 values E = (1, 2, 3, 4, 5), d = 1, r = 1/sqrt 2. That test derives by hand
 *   S = L E = (3r + 2, 2 + 5r, r, 1.5, 2r).
 * One NGCF layer with W1 = -1, W2 = 1.5, b1 = 0.1, b2 = -0.2 (u0: Z = 0.96 > 0, i0: Z = -0.62 < 0):
 *   Z = -(S + E) + 0.1 + 1.5 S E - 0.2,   H = Z > 0 ? Z : 0.2 Z,
 * and the final embedding of each node is (E, H) (dim 2).
 */
const users = Int32Array.from([0, 0, 1, 1]);
const items = Int32Array.from([0, 1, 1, 2]);
const hand: TrainingData = { numUsers: 2, numItems: 3, pairUsers: users, pairItems: items, positives: UserItems.fromPairs(2, 3, users, items) };

function tables(problem: { numUsers: number; numItems: number }, d: number, layers: number, seed: number): Tables64 {
  const rng = new CounterRng(seed, 5);
  const t: Tables64 = { user: Float64Array.from({ length: problem.numUsers * d }, () => 0.5 * rng.normal()), item: Float64Array.from({ length: problem.numItems * d }, () => 0.5 * rng.normal()), dim: d, weights: {} };
  for (const [name, [r, c]] of Object.entries(ngcfWeightShapes(d, layers))) t.weights![name] = Float64Array.from({ length: r * c }, () => 0.6 * rng.normal());
  return t;
}

/** Largest |analytic - central difference| over the weights, and the largest |fd|. */
function weightFdError(t: Tables64, g: Record<string, Float64Array>, loss: () => number, h = 1e-6): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (const [name, w] of Object.entries(t.weights!)) {
    for (let i = 0; i < w.length; i++) {
      const keep = w[i]!;
      w[i] = keep + h;
      const up = loss();
      w[i] = keep - h;
      const down = loss();
      w[i] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - g[name]![i]!));
      scale = Math.max(scale, Math.abs(fd));
    }
  }
  return { worst, scale };
}

describe('encoder ngcf (Wang et al. 2019)', () => {
  it('one layer by hand: (L + I) E W1 + b1 + (L E ⊙ E) W2 + b2, LeakyReLU(0.2), layers concatenated', () => {
    const r = Math.SQRT1_2;
    const E = [1, 2, 3, 4, 5];
    const S = [3 * r + 2, 2 + 5 * r, r, 1.5, 2 * r];
    const H = S.map((s, k) => {
      const z = -(s + E[k]!) + 0.1 + 1.5 * s * E[k]! - 0.2;
      return z > 0 ? z : 0.2 * z;
    });
    assert.ok(H.some((h) => h < 0) && H.some((h) => h > 0), 'the example exercises both sides of the LeakyReLU');
    const enc = ngcf.bind({ dim: 1, layers: 1, dropout: 0.5, node_dropout: 0.5 }).prepare(hand);
    const t: Tables64 = { user: Float64Array.from([1, 2]), item: Float64Array.from([3, 4, 5]), dim: 1, weights: { w1_0: Float64Array.from([-1]), w2_0: Float64Array.from([1.5]), b1_0: Float64Array.from([0.1]), b2_0: Float64Array.from([-0.2]) } };
    // no pass: evaluation, so neither dropout applies
    const e = enc.embedReference(t);
    assert.equal(e.dim, 2);
    const got = [...e.user, ...e.item];
    E.forEach((x, k) => {
      assert.ok(Math.abs(got[2 * k]! - x) < 1e-14, `node ${k} layer 0`);
      assert.ok(Math.abs(got[2 * k + 1]! - H[k]!) < 1e-14, `node ${k} layer 1: ${got[2 * k + 1]} vs ${H[k]}`);
    });
  });

  it('layers: 0 is mf: the embeddings are the layer-0 tables', () => {
    const t = tables(hand, 2, 0, 1);
    const e = ngcf.bind({ dim: 2, layers: 0 }).prepare(hand).embedReference(t);
    assert.deepEqual(Array.from(e.user), Array.from(t.user));
    assert.deepEqual(Array.from(e.item), Array.from(t.item));
  });

  it('dropout is seeded and counter-based: the same (seed, step) drops the same entries, another step others, at about the rate', () => {
    const a = messageMask({ seed: 3, step: 7 }, 1, 20000, 0.3)!;
    const b = messageMask({ seed: 3, step: 7 }, 1, 20000, 0.3)!;
    const c = messageMask({ seed: 3, step: 8 }, 1, 20000, 0.3)!;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const dropped = a.filter((x) => x === 0).length / a.length;
    assert.ok(Math.abs(dropped - 0.3) < 0.015, `dropped share ${dropped}`);
    assert.ok(a.every((x) => x === 0 || Math.abs(x - 1 / 0.7) < 1e-15), 'kept entries scaled by 1 / (1 - p)');
    assert.equal(messageMask(undefined, 1, 10, 0.3), null, 'no pass (evaluation): no dropout');
  });

  const problem = randomProblem(6, 8, 3, 9);
  const batch = batchOf([0, 2, 0, 5], [problem.pairItems[0]!, problem.pairItems[6]!, problem.pairItems[1]!, problem.pairItems[15]!], [1, 4, 5, 0, 2, 7, 2, 4, 6, 6, 0, 1]);
  const pass: TrainPass = { seed: 5, step: 3 };
  for (const [label, params, p] of [
    ['no dropout', { dim: 3, layers: 2, dropout: 0, node_dropout: 0 }, undefined],
    ['message and node dropout under a training pass', { dim: 3, layers: 2, dropout: 0.3, node_dropout: 0.2 }, pass],
  ] as const) {
    it(`${label}: the adjoint of tables and weights = central differences (relative error < 1e-6)`, () => {
      const cfg = config(LOSSES['infonce dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'ngcf', params } });
      const enc = cfg.encoder.prepare(problem);
      const t = tables(problem, 3, 2, 2);
      const g = referenceGradients(t, batch, cfg, enc, p);
      const loss = () => referenceGradients(t, batch, cfg, enc, p).loss;
      const tab = finiteDifferenceError(t, g, loss);
      assert.ok(tab.scale > 1e-3 && tab.worst / tab.scale < 1e-6, `tables: ${tab.worst / tab.scale}`);
      const w = weightFdError(t, g.gWeights, loss);
      assert.ok(w.scale > 1e-3 && w.worst / w.scale < 1e-6, `weights: ${w.worst / w.scale}`);
    });

    it(`${label}: tfjs forward + autograd = the reference in float32 (tables and weights)`, async () => {
      const backend = await selectBackend('cpu');
      const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'ngcf', params } });
      const t = tables(problem, 3, 2, 4);
      const f32 = (a: Float64Array) => Float32Array.from(a);
      const t32 = { user: f32(t.user), item: f32(t.item), dim: 3, weights: Object.fromEntries(Object.entries(t.weights!).map(([k, v]) => [k, f32(v)])) };
      const back: Tables64 = { user: Float64Array.from(t32.user), item: Float64Array.from(t32.item), dim: 3, weights: Object.fromEntries(Object.entries(t32.weights).map(([k, v]) => [k, Float64Array.from(v)])) };
      const ref = referenceGradients(back, batch, cfg, cfg.encoder.prepare(problem), p);
      const got = await tfjsGradients(backend, t32, batch, cfg, cfg.encoder.prepare(problem), p);
      assert.ok(Math.abs(got.loss - ref.loss) < 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${got.loss} vs ${ref.loss}`);
      const scale = Math.max(...Array.from(ref.gUser, Math.abs), ...Array.from(ref.gItem, Math.abs));
      assert.ok(maxAbsDiff(got.gUser, ref.gUser) < 1e-5 * scale, `user gradient differs by ${maxAbsDiff(got.gUser, ref.gUser)}`);
      assert.ok(maxAbsDiff(got.gItem, ref.gItem) < 1e-5 * scale, `item gradient differs by ${maxAbsDiff(got.gItem, ref.gItem)}`);
      for (const name of Object.keys(ref.gWeights)) {
        const s = Math.max(1, ...Array.from(ref.gWeights[name]!, Math.abs));
        assert.ok(maxAbsDiff(got.gWeights[name]!, ref.gWeights[name]!) < 1e-5 * s, `${name} gradient differs by ${maxAbsDiff(got.gWeights[name]!, ref.gWeights[name]!)}`);
      }
    });
  }

  it('the dropout masks change the loss (the pass is applied) and depend only on (seed, step)', () => {
    const cfg = config(LOSSES['bpr dot']!, BACKPROPS['both']!, OPTIMIZERS['sgd']!, 3, 3, { encoder: { name: 'ngcf', params: { dim: 3, layers: 2, dropout: 0.3, node_dropout: 0.2 } } });
    const enc = cfg.encoder.prepare(problem);
    const t = tables(problem, 3, 2, 4);
    const l = (p?: TrainPass) => referenceGradients(t, batch, cfg, enc, p).loss;
    assert.equal(l(pass), l({ ...pass }));
    assert.notEqual(l(pass), l({ seed: 5, step: 4 }));
    assert.notEqual(l(pass), l());
  });

  it('init: tables and xavier-uniform weights, a pure function of the seed', () => {
    const enc = ngcf.bind({ dim: 4, layers: 2 });
    const a = enc.init(3, 5, 9);
    assert.deepEqual(a, enc.init(3, 5, 9));
    assert.deepEqual(Object.keys(a.weights!).sort(), ['b1_0', 'b1_1', 'b2_0', 'b2_1', 'w1_0', 'w1_1', 'w2_0', 'w2_1']);
    assert.equal(a.weights!['w1_0']!.length, 16);
    assert.ok(a.weights!['w1_0']!.every((x) => Math.abs(x) <= Math.sqrt(6 / 8)));
    assert.notDeepEqual(a.weights!['w1_0'], a.weights!['w2_0']);
  });
});
