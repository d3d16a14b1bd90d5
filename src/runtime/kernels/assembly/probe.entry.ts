// Machine probes for the bench (bench/ranking.ts), not used by expc itself: the f32x4 mul + add
// rate and the copy bandwidth that bound the ranking kernel, measured in the same WebAssembly
// code generation as the kernels.

/**
 * iters x (6 f32x4 multiplies + 6 f32x4 adds) = 48 flops per iteration, on 12 independent
 * chains: with a 3-cycle latency and 2 multiply + 2 add pipes (Zen 4), 6 chains of each kind
 * keep every pipe busy, so the rate is the machine's 128-bit mul + add peak (no FMA: the
 * ranking kernel rounds after each multiply, and wasm SIMD has no fused op).
 * Returns a sum of the chains so that nothing is optimised away.
 */
export function peakMulAdd(iters: i32): f32 {
  const m = f32x4.splat(0.99999994);
  const c = f32x4.splat(1e-7);
  let x0 = f32x4.splat(1.0);
  let x1 = f32x4.splat(1.1);
  let x2 = f32x4.splat(1.2);
  let x3 = f32x4.splat(1.3);
  let x4 = f32x4.splat(1.4);
  let x5 = f32x4.splat(1.5);
  let y0 = f32x4.splat(0.0);
  let y1 = f32x4.splat(0.1);
  let y2 = f32x4.splat(0.2);
  let y3 = f32x4.splat(0.3);
  let y4 = f32x4.splat(0.4);
  let y5 = f32x4.splat(0.5);
  for (let i = 0; i < iters; i++) {
    x0 = f32x4.mul(x0, m);
    y0 = f32x4.add(y0, c);
    x1 = f32x4.mul(x1, m);
    y1 = f32x4.add(y1, c);
    x2 = f32x4.mul(x2, m);
    y2 = f32x4.add(y2, c);
    x3 = f32x4.mul(x3, m);
    y3 = f32x4.add(y3, c);
    x4 = f32x4.mul(x4, m);
    y4 = f32x4.add(y4, c);
    x5 = f32x4.mul(x5, m);
    y5 = f32x4.add(y5, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(x4, x5), f32x4.add(f32x4.add(y0, y1), f32x4.add(f32x4.add(y2, y3), f32x4.add(y4, y5)))));
  return f32x4.extract_lane(s, 0);
}

/** Copies n bytes (a multiple of 64) from src to dst with f32x4 loads and stores: 2n bytes of traffic. */
export function copyBytes(dst: usize, src: usize, n: i32): void {
  for (let o: usize = 0; o < <usize>n; o += 64) {
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
    v128.store(dst + o, v128.load(src + o, 32), 32);
    v128.store(dst + o, v128.load(src + o, 48), 48);
  }
}

export function heapBase(): usize {
  return __heap_base;
}
