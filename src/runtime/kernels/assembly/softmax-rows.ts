// The InfoNCE / softmax rows of a shared-candidate score block (engine/fused/shared-candidates.ts),
// on all threads: per row b, with z_0 = (s_0 + logq_0) / t the positive's logit (given) and
// z_k = (S[b, k] + logq_k) / t over the unmasked shared columns,
//   loss_b = lse(z) - z_0,   dS[b, k] = softmax_k * f,   g0_b = (softmax_0 - 1) * f
// (f = the caller's scale: 1 / (t rows) x rows / B). Arithmetic in f64 as train-loss.ts; the
// exponentials are stored as f32 between the two passes (dS is f32 anyway). Each row is one
// thread's, so results do not depend on the thread count.
import { X_COLS, X_DS, X_F, X_G0, X_INV_T, X_LOGQ, X_LOSS, X_MASK, X_ROWS, X_S, X_W, X_WP, X_Z0 } from './layout';

export function softmaxRowsRun(tid: i32, nthreads: i32, ctx: usize): void {
  const rows = load<i32>(ctx + X_ROWS);
  const w = load<i32>(ctx + X_W);
  const wp = load<i32>(ctx + X_WP);
  const cols = load<i32>(ctx + X_COLS);
  const invT = load<f64>(ctx + X_INV_T);
  const f = load<f64>(ctx + X_F);
  const S = <usize>load<u32>(ctx + X_S);
  const dS = <usize>load<u32>(ctx + X_DS);
  const z0p = <usize>load<u32>(ctx + X_Z0);
  const g0p = <usize>load<u32>(ctx + X_G0);
  const lossp = <usize>load<u32>(ctx + X_LOSS);
  const mask = <usize>load<u32>(ctx + X_MASK);
  const logq = <usize>load<u32>(ctx + X_LOGQ);
  const r0 = <i32>((<i64>rows * <i64>tid) / <i64>nthreads);
  const r1 = <i32>((<i64>rows * <i64>(tid + 1)) / <i64>nthreads);
  for (let b = r0; b < r1; b++) {
    const srow = S + ((<usize>b * <usize>wp) << 2);
    const drow = dS + ((<usize>b * <usize>wp) << 2);
    // column k >= 1 of the block's row b in the (rows x cols) mask and logQ arrays
    const mrow = mask != 0 ? mask + <usize>b * <usize>cols + 1 : 0;
    const lrow = logq != 0 ? logq + ((<usize>b * <usize>cols + 1) << 3) : 0;
    const z0 = load<f64>(z0p + (<usize>b << 3));
    let mx = z0;
    for (let k = 0; k < w; k++) {
      if (mrow != 0 && load<u8>(mrow + <usize>k) != 0) continue;
      let s = <f64>load<f32>(srow + (<usize>k << 2));
      if (lrow != 0) s += load<f64>(lrow + (<usize>k << 3));
      const z = s * invT;
      if (z > mx) mx = z;
    }
    let sum = Math.exp(z0 - mx);
    for (let k = 0; k < w; k++) {
      if (mrow != 0 && load<u8>(mrow + <usize>k) != 0) {
        store<f32>(drow + (<usize>k << 2), 0);
        continue;
      }
      let s = <f64>load<f32>(srow + (<usize>k << 2));
      if (lrow != 0) s += load<f64>(lrow + (<usize>k << 3));
      const e = Math.exp(s * invT - mx);
      store<f32>(drow + (<usize>k << 2), <f32>e);
      sum += e;
    }
    for (let k = w; k < wp; k++) store<f32>(drow + (<usize>k << 2), 0);
    const c = f / sum;
    for (let k = 0; k < w; k++) store<f32>(drow + (<usize>k << 2), <f32>(<f64>load<f32>(drow + (<usize>k << 2)) * c));
    store<f64>(lossp + (<usize>b << 3), mx + Math.log(sum) - z0);
    store<f64>(g0p + (<usize>b << 3), (Math.exp(z0 - mx) / sum - 1) * f);
  }
}
