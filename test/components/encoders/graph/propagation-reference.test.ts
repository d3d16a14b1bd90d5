import assert from 'node:assert/strict';
import { buildNormalizedAdjacencyReference } from '../../../../src/components/encoders/graph/normalized-adjacency.js';
import {
  multiplyReference, multiplyTransposedReference, propagateBackwardReference, propagateForwardReference,
} from '../../../../src/components/encoders/graph/propagation-reference.js';
import { randomPairs, randomTable } from './random-graph.js';

const i32 = (a: number[]) => Int32Array.from(a);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t]! * b[t]!;
  return s;
};

describe('LightGCN propagation, float64 reference', () => {
  // the 2-user x 3-item graph of the adjacency test: nodes u0, u1, i0, i1, i2
  const adj = buildNormalizedAdjacencyReference(2, 3, i32([0, 0, 1, 1]), i32([0, 1, 1, 2]));
  const r = Math.SQRT1_2;

  it('one layer by hand, d = 1', () => {
    const y = multiplyReference(adj, [1, 2, 3, 4, 5], 1);
    // u0 = r*3 + 4/2, u1 = 4/2 + r*5, i0 = r*1, i1 = 1/2 + 2/2, i2 = r*2
    const want = [3 * r + 2, 2 + 5 * r, r, 1.5, 2 * r];
    want.forEach((w, k) => assert.ok(Math.abs(y[k]! - w) < 1e-14, `row ${k}: ${y[k]} vs ${w}`));
    // K = 1: the mean of layers 0 and 1
    const e = propagateForwardReference(adj, [1, 2, 3, 4, 5], 1, 1);
    want.forEach((w, k) => assert.ok(Math.abs(e[k]! - (k + 1 + w) / 2) < 1e-14));
    // K = 0: the layer-0 embeddings themselves
    assert.deepEqual(Array.from(propagateForwardReference(adj, [1, 2, 3, 4, 5], 1, 0)), [1, 2, 3, 4, 5]);
  });

  it('backward is the adjoint of forward, and the gradient of a quadratic loss by central differences', () => {
    const { numUsers, numItems, pairUsers, pairItems } = randomPairs(9, 7, 30, 2);
    const a = buildNormalizedAdjacencyReference(numUsers, numItems, pairUsers, pairItems);
    const d = 2;
    const K = 3;
    const x = randomTable(a.n, d, 1);
    const g = randomTable(a.n, d, 2);
    const lhs = dot(propagateForwardReference(a, x, d, K), g);
    const rhs = dot(x, propagateBackwardReference(a, g, d, K));
    assert.ok(Math.abs(lhs - rhs) < 1e-12 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
    // Â^T built by scattering equals Â: the symmetry the kernels rely on
    const t = multiplyTransposedReference(a, g, d);
    const m = multiplyReference(a, g, d);
    t.forEach((v, k) => assert.ok(Math.abs(v - m[k]!) < 1e-14));
    // L(E) = w . E + E . E / 2, so dL/dE = w + E
    const w = randomTable(a.n, d, 3);
    const loss = (x0: ArrayLike<number>) => {
      const e = propagateForwardReference(a, x0, d, K);
      return dot(w, e) + dot(e, e) / 2;
    };
    const e = propagateForwardReference(a, x, d, K);
    const grad = propagateBackwardReference(a, e.map((v, k) => v + w[k]!), d, K);
    const h = 1e-4;
    const xp = Float64Array.from(x);
    for (let k = 0; k < xp.length; k++) {
      const x0 = xp[k]!;
      xp[k] = x0 + h;
      const up = loss(xp);
      xp[k] = x0 - h;
      const down = loss(xp);
      xp[k] = x0;
      // L is quadratic: the central difference is exact up to rounding
      assert.ok(Math.abs((up - down) / (2 * h) - grad[k]!) < 1e-8, `coordinate ${k}`);
    }
  });
});
