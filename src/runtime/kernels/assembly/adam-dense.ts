// Dense Adam over a whole f32 table (the graph trainer's optimiser step, engine/fused/graph-trainer.ts),
// on all threads, with exactly the float64 arithmetic the trainer's JavaScript defined, element by element:
//   g  = G + wd P
//   m  = f32(b1 m + (1 - b1) g)
//   v  = f32(b2 v + ((1 - b2) g) g)
//   P  = f32(P - (lr (m / bc1)) / (sqrt(v / bc2) + eps))     (m, v: the rounded values just stored)
// Every f64 operation is IEEE-exact in both, so the result is bit-identical to the JavaScript loop
// (test/runtime/kernels/adam-dense.test.ts) and to any thread count. Padding lanes (P = G = m = v = 0) stay 0.
import { A_B1, A_B2, A_BC1, A_BC2, A_EPS, A_G, A_LR, A_M, A_N, A_P, A_V, A_WD } from './layout';

@inline
function lo(x: v128): v128 {
  return f64x2.promote_low_f32x4(x);
}

@inline
function hi(x: v128): v128 {
  return f64x2.promote_low_f32x4(i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
}

/** f32x4 of (a0, a1, b0, b1), each rounded to nearest. */
@inline
function demote(a: v128, b: v128): v128 {
  const x = f32x4.demote_f64x2_zero(a);
  const y = f32x4.demote_f64x2_zero(b);
  return i8x16.shuffle(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}

export function adamDenseRun(tid: i32, nthreads: i32, ctx: usize): void {
  const n = load<i32>(ctx + A_N); // floats, a multiple of 4
  const P = <usize>load<u32>(ctx + A_P);
  const G = <usize>load<u32>(ctx + A_G);
  const M = <usize>load<u32>(ctx + A_M);
  const V = <usize>load<u32>(ctx + A_V);
  const lr = f64x2.splat(load<f64>(ctx + A_LR));
  const b1 = load<f64>(ctx + A_B1);
  const b2 = load<f64>(ctx + A_B2);
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const C1 = f64x2.splat(1 - b1);
  const C2 = f64x2.splat(1 - b2);
  const eps = f64x2.splat(load<f64>(ctx + A_EPS));
  const wd = f64x2.splat(load<f64>(ctx + A_WD));
  const bc1 = f64x2.splat(load<f64>(ctx + A_BC1));
  const bc2 = f64x2.splat(load<f64>(ctx + A_BC2));
  const quads = n >> 2;
  const q0 = <i32>((<i64>quads * <i64>tid) / <i64>nthreads);
  const q1 = <i32>((<i64>quads * <i64>(tid + 1)) / <i64>nthreads);
  for (let q = q0; q < q1; q++) {
    const o = <usize>q << 4;
    const p4 = v128.load(P + o);
    const g4 = v128.load(G + o);
    const m4 = v128.load(M + o);
    const v4 = v128.load(V + o);
    const pl = lo(p4);
    const ph = hi(p4);
    const gl = f64x2.add(lo(g4), f64x2.mul(wd, pl));
    const gh = f64x2.add(hi(g4), f64x2.mul(wd, ph));
    const mn = demote(f64x2.add(f64x2.mul(B1, lo(m4)), f64x2.mul(C1, gl)), f64x2.add(f64x2.mul(B1, hi(m4)), f64x2.mul(C1, gh)));
    const vn = demote(f64x2.add(f64x2.mul(B2, lo(v4)), f64x2.mul(f64x2.mul(C2, gl), gl)), f64x2.add(f64x2.mul(B2, hi(v4)), f64x2.mul(f64x2.mul(C2, gh), gh)));
    v128.store(M + o, mn);
    v128.store(V + o, vn);
    const stepL = f64x2.div(f64x2.mul(lr, f64x2.div(lo(mn), bc1)), f64x2.add(f64x2.sqrt(f64x2.div(lo(vn), bc2)), eps));
    const stepH = f64x2.div(f64x2.mul(lr, f64x2.div(hi(mn), bc1)), f64x2.add(f64x2.sqrt(f64x2.div(hi(vn), bc2)), eps));
    v128.store(P + o, demote(f64x2.sub(pl, stepL), f64x2.sub(ph, stepH)));
  }
}
