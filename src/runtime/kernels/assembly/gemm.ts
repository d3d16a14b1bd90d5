// Dense products for training steps: C (+)= A B, with A read through arbitrary strides (so one
// kernel serves S = U C^T on a transposed candidate panel, dU = dS C and dC = dS^T U) and B, C
// row-major. Every element of C is the float32 sum over p in ascending order of the rounded
// products A(i, p) * B(p, j) (mul then add, no FMA), added to the previous C when accumulating;
// the blocking only changes when each partial sum is computed, and threads own disjoint row
// ranges of C, so the result is bit-identical for any block size and thread count.
import { M_A, M_ACC, M_ACS, M_ARS, M_B, M_C, M_K, M_KB, M_LDB, M_LDC, M_M, M_N } from './layout';

/** Rows of C per register tile (the glue pads M to a multiple of it). */
const MR: i32 = 4;
/** Rows of C per cache block: the A block (MB x KB) stays in L2 while every column panel passes. */
const MB: i32 = 64;

/**
 * C[i..i+4, j..j+8] (+)= sum_{p in [p0, p1)} A(i + r, p) B(p, j..j+8): 8 f32x4 accumulators, 2 B
 * vectors and a broadcast fit V8's 15 xmm registers. a: &A(i, p0) for row i; rs, cs: A's row and
 * column strides in bytes.
 */
@inline
function tile4x8(a: usize, rs: usize, cs: usize, b: usize, ldb: usize, n: i32, c: usize, ldc: usize, load: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  if (load) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc);
    c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc);
    c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc);
    c31 = v128.load(c + 3 * ldc, 16);
  }
  const a1 = a + rs;
  const a2 = a1 + rs;
  const a3 = a2 + rs;
  let o: usize = 0;
  for (let p = 0; p < n; p++) {
    const x0 = v128.load(b);
    const x1 = v128.load(b, 16);
    let s = v128.load32_splat(a + o);
    c00 = f32x4.add(c00, f32x4.mul(s, x0));
    c01 = f32x4.add(c01, f32x4.mul(s, x1));
    s = v128.load32_splat(a1 + o);
    c10 = f32x4.add(c10, f32x4.mul(s, x0));
    c11 = f32x4.add(c11, f32x4.mul(s, x1));
    s = v128.load32_splat(a2 + o);
    c20 = f32x4.add(c20, f32x4.mul(s, x0));
    c21 = f32x4.add(c21, f32x4.mul(s, x1));
    s = v128.load32_splat(a3 + o);
    c30 = f32x4.add(c30, f32x4.mul(s, x0));
    c31 = f32x4.add(c31, f32x4.mul(s, x1));
    o += cs;
    b += ldb;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/** The 4-column remainder of a row tile (n of C a multiple of 4, not of 8). */
@inline
function tile4x4(a: usize, rs: usize, cs: usize, b: usize, ldb: usize, n: i32, c: usize, ldc: usize, load: bool): void {
  let c0 = f32x4.splat(0);
  let c1 = f32x4.splat(0);
  let c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0);
  if (load) {
    c0 = v128.load(c);
    c1 = v128.load(c + ldc);
    c2 = v128.load(c + 2 * ldc);
    c3 = v128.load(c + 3 * ldc);
  }
  const a1 = a + rs;
  const a2 = a1 + rs;
  const a3 = a2 + rs;
  let o: usize = 0;
  for (let p = 0; p < n; p++) {
    const x = v128.load(b);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a + o), x));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1 + o), x));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2 + o), x));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3 + o), x));
    o += cs;
    b += ldb;
  }
  v128.store(c, c0);
  v128.store(c + ldc, c1);
  v128.store(c + 2 * ldc, c2);
  v128.store(c + 3 * ldc, c3);
}

/**
 * Thread tid of nthreads computes rows [r0, r1) of C (tiles of MR rows split evenly). Loops: inner
 * dimension in blocks of KB (B's KB x 8 panel stays in L1 across a row block), then row blocks of
 * MB, then column panels, then row tiles.
 */
export function gemmRun(tid: i32, nthreads: i32, ctx: usize): void {
  const m = load<i32>(ctx + M_M);
  const n = load<i32>(ctx + M_N);
  const k = load<i32>(ctx + M_K);
  const kb = max(1, load<i32>(ctx + M_KB));
  const a = <usize>load<u32>(ctx + M_A);
  const rs = <usize>load<i32>(ctx + M_ARS) << 2;
  const cs = <usize>load<i32>(ctx + M_ACS) << 2;
  const b = <usize>load<u32>(ctx + M_B);
  const ldb = <usize>load<i32>(ctx + M_LDB) << 2;
  const c = <usize>load<u32>(ctx + M_C);
  const ldc = <usize>load<i32>(ctx + M_LDC) << 2;
  const acc = load<i32>(ctx + M_ACC) != 0;
  const tiles = m / MR;
  const r0 = <i32>((<i64>tiles * <i64>tid) / <i64>nthreads) * MR;
  const r1 = <i32>((<i64>tiles * <i64>(tid + 1)) / <i64>nthreads) * MR;
  if (r0 >= r1) return;
  if (k == 0) {
    // an empty sum: C = 0 unless accumulating
    if (!acc) for (let i = r0; i < r1; i++) memory.fill(c + <usize>i * ldc, 0, <usize>n << 2);
    return;
  }
  const n8 = n & ~7;
  for (let p0 = 0; p0 < k; p0 += kb) {
    const pl = min(kb, k - p0);
    const load = acc || p0 > 0;
    const aP = a + <usize>p0 * cs;
    const bP = b + <usize>p0 * ldb;
    for (let i0 = r0; i0 < r1; i0 += MB) {
      const i1 = min(r1, i0 + MB);
      for (let j = 0; j < n8; j += 8) {
        const bj = bP + (<usize>j << 2);
        for (let i = i0; i < i1; i += MR) tile4x8(aP + <usize>i * rs, rs, cs, bj, ldb, pl, c + <usize>i * ldc + (<usize>j << 2), ldc, load);
      }
      if (n8 < n) {
        const bj = bP + (<usize>n8 << 2);
        for (let i = i0; i < i1; i += MR) tile4x4(aP + <usize>i * rs, rs, cs, bj, ldb, pl, c + <usize>i * ldc + (<usize>n8 << 2), ldc, load);
      }
    }
  }
}
