import assert from 'node:assert/strict';
import { InternalError } from '../../../src/core/errors.js';
import { DenseAdam } from '../../../src/runtime/kernels/dense-adam.js';
import { KernelPool } from '../../../src/runtime/kernels/kernel-pool.js';

/** The loop the kernel replaced (graph-trainer.ts), element by element in float64: the specification. */
function adamLoop(P: Float32Array, G: Float32Array, m: Float32Array, v: Float32Array, o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }, step: number): void {
  const bc1 = 1 - Math.pow(o.beta1, step);
  const bc2 = 1 - Math.pow(o.beta2, step);
  for (let j = 0; j < P.length; j++) {
    const g = G[j]! + o.weightDecay * P[j]!;
    m[j] = o.beta1 * m[j]! + (1 - o.beta1) * g;
    v[j] = o.beta2 * v[j]! + (1 - o.beta2) * g * g;
    P[j] = P[j]! - (o.lr * (m[j]! / bc1)) / (Math.sqrt(v[j]! / bc2) + o.eps);
  }
}

describe('dense Adam kernel (assembly/adam-dense.ts)', () => {
  for (const threads of [1, 3]) {
    it(`bit-identical to the float64 JavaScript loop over 5 steps (${threads} thread(s)), padding lanes stay 0`, async () => {
      const pool = await KernelPool.create(threads, 1 << 20);
      try {
        const n = 1004; // 251 rows of stride 4 with 3 used lanes
        const ptr = { p: pool.alloc(n * 4), g: pool.alloc(n * 4), m: pool.alloc(n * 4), v: pool.alloc(n * 4) };
        const want = { P: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
        let x = 12345;
        const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1);
        for (let i = 0; i < n; i++) want.P[i] = i % 4 === 3 ? 0 : rnd();
        pool.f32(ptr.p, n).set(want.P);
        const o = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 };
        const adam = new DenseAdam(pool);
        for (let step = 1; step <= 5; step++) {
          const G = Float32Array.from({ length: n }, (_, i) => (i % 4 === 3 ? 0 : rnd() * 10 ** (i % 5 - 3)));
          pool.f32(ptr.g, n).set(G);
          adamLoop(want.P, G, want.m, want.v, o, step);
          await adam.run({ n, ...ptr, ...o, bc1: 1 - Math.pow(o.beta1, step), bc2: 1 - Math.pow(o.beta2, step) });
        }
        assert.deepEqual(Buffer.from(pool.f32(ptr.p, n).slice().buffer), Buffer.from(want.P.buffer));
        assert.deepEqual(Buffer.from(pool.f32(ptr.m, n).slice().buffer), Buffer.from(want.m.buffer));
        assert.deepEqual(Buffer.from(pool.f32(ptr.v, n).slice().buffer), Buffer.from(want.v.buffer));
        for (let i = 3; i < n; i += 4) assert.equal(pool.f32(ptr.p, n)[i], 0);
        assert.throws(() => adam.run({ n: 6, ...ptr, ...o, bc1: 0.1, bc2: 0.1 }), InternalError);
        assert.throws(() => adam.run({ n, ...ptr, p: ptr.p + 4, ...o, bc1: 0.1, bc2: 0.1 }), /16-byte aligned/);
      } finally {
        await pool.dispose();
      }
    });
  }
});
