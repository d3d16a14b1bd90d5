import assert from 'node:assert/strict';
import { InternalError } from '../../../src/core/errors.js';
import { DenseGemm } from '../../../src/runtime/kernels/dense-gemm.js';
import { KernelPool } from '../../../src/runtime/kernels/kernel-pool.js';

/** Deterministic values in [-1, 1). */
function fill(a: Float32Array, seed: number): void {
  let x = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = x / 2 ** 31 - 1;
  }
}

/** C = acc? C0 + A B in float64 from the same float32 operands; also sum |A||B| (the error scale). */
function reference(m: number, n: number, k: number, A: (i: number, p: number) => number, B: Float32Array, ldb: number, C0: Float32Array | null, ldc: number) {
  const want = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = C0 ? C0[i * ldc + j]! : 0;
      let t = Math.abs(s);
      for (let p = 0; p < k; p++) {
        s += A(i, p) * B[p * ldb + j]!;
        t += Math.abs(A(i, p) * B[p * ldb + j]!);
      }
      want[i * n + j] = s;
      scale[i * n + j] = t;
    }
  return { want, scale };
}

describe('dense training GEMM kernel (assembly/gemm.ts)', function () {
  const pools: KernelPool[] = [];
  after(async () => {
    for (const p of pools) await p.dispose();
  });
  async function pool(threads: number): Promise<KernelPool> {
    const p = await KernelPool.create(threads, 8 << 20);
    pools.push(p);
    return p;
  }

  /** Runs one product with A row-major (lda) or transposed (A(i, p) = T[p * lda + i]) and returns C. */
  async function product(p: KernelPool, m: number, n: number, k: number, transposedA: boolean, accumulate: boolean, seed: number) {
    const mark = p.mark();
    const lda = transposedA ? m + 4 : k + 3;
    const aLen = transposedA ? k * lda : m * lda;
    const ldb = n + 4;
    const ldc = n + 8;
    const aPtr = p.alloc(Math.max(aLen, 1) * 4);
    const bPtr = p.alloc(Math.max(k * ldb, 1) * 4);
    const cPtr = p.alloc(m * ldc * 4);
    fill(p.f32(aPtr, aLen), seed);
    fill(p.f32(bPtr, k * ldb), seed + 1);
    fill(p.f32(cPtr, m * ldc), seed + 2);
    const A = p.f32(aPtr, aLen).slice();
    const B = p.f32(bPtr, k * ldb).slice();
    const C0 = p.f32(cPtr, m * ldc).slice();
    await new DenseGemm(p).run({ m, n, k, a: aPtr, aRowStride: transposedA ? 1 : lda, aColStride: transposedA ? lda : 1, b: bPtr, ldb, c: cPtr, ldc, accumulate });
    const C = p.f32(cPtr, m * ldc).slice();
    p.release(mark);
    const at = transposedA ? (i: number, q: number) => A[q * lda + i]! : (i: number, q: number) => A[i * lda + q]!;
    return { C, ldc, C0, ...reference(m, n, k, at, B, ldb, accumulate ? C0 : null, ldc) };
  }

  for (const [m, n, k, tA, acc] of [
    [4, 4, 1, false, false],
    [8, 12, 7, false, true],
    [64, 72, 300, false, false], // k spans two inner blocks, n an 8-panel tail of 4
    [68, 8, 517, true, true], // dC = dS^T U: A read transposed
    [132, 20, 64, true, false],
  ] as const) {
    it(`C ${acc ? '+' : ''}= A${tA ? '^T' : ''} B for m=${m}, n=${n}, k=${k}: within float32 rounding of float64, padding columns untouched`, async () => {
      const p = await pool(1);
      const r = await product(p, m, n, k, tA, acc, m + n + k);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const got = r.C[i * r.ldc + j]!;
          const err = Math.abs(got - r.want[i * n + j]!);
          assert.ok(err <= 2e-6 * (k + 1) * r.scale[i * n + j]! + 1e-30, `C[${i},${j}] = ${got}, float64 ${r.want[i * n + j]} (scale ${r.scale[i * n + j]})`);
        }
        for (let j = n; j < r.ldc; j++) assert.equal(r.C[i * r.ldc + j], r.C0[i * r.ldc + j], `padding C[${i},${j}] was written`);
      }
    });
  }

  it('the result is bit-identical for 1, 2 and 3 threads (threads own whole row ranges)', async () => {
    const one = await product(await pool(1), 72, 36, 333, true, true, 5);
    for (const threads of [2, 3]) {
      const other = await product(await pool(threads), 72, 36, 333, true, true, 5);
      assert.deepEqual(Buffer.from(other.C.buffer), Buffer.from(one.C.buffer), `${threads} threads`);
    }
  });

  it('k = 0 gives C = 0, or leaves C as it was when accumulating', async () => {
    const p = await pool(1);
    const zero = await product(p, 4, 8, 0, false, false, 9);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) assert.equal(zero.C[i * zero.ldc + j], 0);
    const kept = await product(p, 4, 8, 0, false, true, 9);
    assert.deepEqual(Array.from(kept.C), Array.from(kept.C0));
  });

  it('refuses shapes and pointers the kernel would misread', async () => {
    const p = await pool(1);
    const g = new DenseGemm(p);
    const c = p.alloc(64 * 4);
    const base = { m: 4, n: 4, k: 1, a: c, aRowStride: 1, aColStride: 4, b: c, ldb: 4, c, ldc: 4, accumulate: false };
    assert.throws(() => g.run({ ...base, m: 3 }), InternalError);
    assert.throws(() => g.run({ ...base, n: 6, ldb: 8, ldc: 8 }), InternalError);
    assert.throws(() => g.run({ ...base, c: c + 4 }), /16-byte aligned/);
    assert.throws(() => g.run({ ...base, b: p.memory.buffer.byteLength - 16, k: 2 }), /outside the kernel memory/);
  });
});
