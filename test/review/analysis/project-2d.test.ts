import assert from 'node:assert/strict';
import { project2d } from '../../../src/review/analysis/project-2d.js';
import { pca2d } from '../../../src/review/analysis/pca.js';
import { CounterRng } from '../../../src/core/rng.js';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-9) =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < tol, `[${i}] ${a[i]} vs ${v}`));

describe('project2d', () => {
  describe('pca', () => {
    // (2,0), (-2,0), (0,1), (0,-1): variances 8/3 along x and 2/3 along y
    const flat = [2, 0, -2, 0, 0, 1, 0, -1];
    const expected = [2, 0, -2, 0, 0, 1, 0, -1];

    it('projects on the principal axes of a hand-computed example', () => {
      const r = pca2d(Float64Array.from(flat), 4, 2, 1);
      close(r.coords, expected);
      close(r.variances, [8 / 3, 2 / 3]);
      close(r.axes, [1, 0, 0, 1]);
    });

    it('is invariant to translation and, by the sign rule, to a rotation of the data', () => {
      // rotate by 30 degrees, shift by (10, -5), embed in 3-D with a constant third coordinate
      const c = Math.cos(Math.PI / 6);
      const s = Math.sin(Math.PI / 6);
      const data: number[] = [];
      for (let i = 0; i < 4; i++) {
        const x = flat[2 * i]!;
        const y = flat[2 * i + 1]!;
        data.push(c * x - s * y + 10, s * x + c * y - 5, 7);
      }
      // axes (cos, sin, 0) and (-sin, cos, 0): the largest loadings (0.87) are positive already
      close(project2d(Float64Array.from(data), 4, 3, 'pca', 5), expected);
      // seen from the opposite rotation the axes flip sign to keep their largest loading positive
      const flipped = data.map((v, i) => (i % 3 === 2 ? v : -v));
      close(project2d(Float64Array.from(flipped), 4, 3, 'pca', 5), expected.map((v) => -v));
    });

    it('gives zero coordinates along a direction without variance', () => {
      const r = pca2d(Float64Array.from([1, 5, 2, 5, 3, 5]), 3, 2, 0);
      close(r.coords, [-1, 0, 0, 0, 1, 0]);
      assert.equal(r.variances[1], 0);
    });
  });

  describe('tsne', () => {
    // three blobs of 20 points in 5-D, 20 units apart
    const n = 60;
    const dim = 5;
    const data = new Float32Array(n * dim);
    const rng = new CounterRng(11, 1, 0);
    for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) data[i * dim + t] = (t === i % 3 ? 20 : 0) + rng.normal();
    let y: Float64Array = new Float64Array(0);
    before(() => {
      y = project2d(data, n, dim, 'tsne', 7);
    });

    it('is deterministic for a seed and changes with it', () => {
      assert.deepEqual(project2d(data, n, dim, 'tsne', 7), y);
      assert.notDeepEqual(project2d(data, n, dim, 'tsne', 8), y);
    });

    it('keeps well separated clusters apart', () => {
      const d = (i: number, j: number) => Math.hypot(y[2 * i]! - y[2 * j]!, y[2 * i + 1]! - y[2 * j + 1]!);
      let maxIntra = 0;
      let minInter = Infinity;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (i % 3 === j % 3) maxIntra = Math.max(maxIntra, d(i, j));
          else minInter = Math.min(minInter, d(i, j));
        }
      }
      assert.ok(minInter > maxIntra, `closest points of different clusters ${minInter} vs widest cluster ${maxIntra}`);
      assert.ok(y.every(Number.isFinite));
    });
  });
});
