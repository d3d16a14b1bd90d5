// Optimiser seam: Adam (dense or lazy, torch.optim.Adam semantics) or SGD on each thread's owned rows.
import { OPT_ADAM_LAZY, OPT_SGD } from './layout';
import {
  fB1, fB2, fEps, fLr, fWd, gItemGrad, gNumItems, gNumUsers, gOpt, gRowBytes, gUserGrad, rangeStart,
  pGI, pGU, pItem, pMI, pMU, pTouchI, pTouchU, pUser, pVI, pVU,
} from './train-context';

/** Adam on one row (torch.optim.Adam): g = grad + wd p; moments; p -= stepSize m / (sqrt(v) / sqrt(bc2) + eps). */
@inline
function adamRow(p: usize, mp: usize, vp: usize, gp: usize, hasGrad: bool, bytes: usize, b1: v128, c1: v128, b2: v128, c2: v128, wd: v128, invBc2: v128, eps: v128, step: v128): void {
  for (let o: usize = 0; o < bytes; o += 16) {
    const pv = v128.load(p + o);
    let g = f32x4.mul(wd, pv);
    if (hasGrad) g = f32x4.add(v128.load(gp + o), g);
    const m = f32x4.add(f32x4.mul(b1, v128.load(mp + o)), f32x4.mul(c1, g));
    const v = f32x4.add(f32x4.mul(b2, v128.load(vp + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(mp + o, m);
    v128.store(vp + o, v);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(v), invBc2), eps);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(step, m), denom)));
  }
}

/** SGD on one row: p -= lr (g + wd p). */
@inline
function sgdRow(p: usize, gp: usize, hasGrad: bool, bytes: usize, lr: v128, wd: v128): void {
  for (let o: usize = 0; o < bytes; o += 16) {
    const pv = v128.load(p + o);
    let g = f32x4.mul(wd, pv);
    if (hasGrad) g = f32x4.add(v128.load(gp + o), g);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lr, g)));
  }
}

/** The optimiser step on rows [lo, hi) of one table; clears their touched marks. */
function optimizeRows(table: usize, mt: usize, vt: usize, gt: usize, touch: usize, lo: i32, hi: i32, t: i32): void {
  const rowBytes = gRowBytes;
  if (gOpt == OPT_SGD) {
    const lr = f32x4.splat(<f32>fLr);
    const wd = f32x4.splat(<f32>fWd);
    const all = fWd != 0;
    for (let r = lo; r < hi; r++) {
      const touched = load<u8>(touch + <usize>r) != 0;
      if (!touched && !all) continue;
      const off = <usize>r * rowBytes;
      if (touched) {
        sgdRow(table + off, gt + off, true, rowBytes, lr, wd);
        store<u8>(touch + <usize>r, 0);
      } else sgdRow(table + off, gt + off, false, rowBytes, lr, wd);
    }
    return;
  }
  const lazy = gOpt == OPT_ADAM_LAZY;
  const bc1 = 1.0 - Math.pow(fB1, <f64>t);
  const bc2 = 1.0 - Math.pow(fB2, <f64>t);
  const b1 = f32x4.splat(<f32>fB1);
  const c1 = f32x4.splat(<f32>(1.0 - fB1));
  const b2 = f32x4.splat(<f32>fB2);
  const c2 = f32x4.splat(<f32>(1.0 - fB2));
  const wd = f32x4.splat(<f32>fWd);
  const invBc2 = f32x4.splat(<f32>(1.0 / Math.sqrt(bc2)));
  const eps = f32x4.splat(<f32>fEps);
  const step = f32x4.splat(<f32>(fLr / bc1));
  for (let r = lo; r < hi; r++) {
    const touched = load<u8>(touch + <usize>r) != 0;
    const off = <usize>r * rowBytes;
    if (touched) {
      adamRow(table + off, mt + off, vt + off, gt + off, true, rowBytes, b1, c1, b2, c2, wd, invBc2, eps, step);
      store<u8>(touch + <usize>r, 0);
    } else if (!lazy) {
      adamRow(table + off, mt + off, vt + off, gt + off, false, rowBytes, b1, c1, b2, c2, wd, invBc2, eps, step);
    }
  }
}

/** Step t of the optimiser on thread tid's share of each trained table. */
export function optimize(tid: i32, nthreads: i32, t: i32): void {
  if (gUserGrad) optimizeRows(pUser, pMU, pVU, pGU, pTouchU, rangeStart(tid, nthreads, gNumUsers), rangeStart(tid + 1, nthreads, gNumUsers), t);
  if (gItemGrad) optimizeRows(pItem, pMI, pVI, pGI, pTouchI, rangeStart(tid, nthreads, gNumItems), rangeStart(tid + 1, nthreads, gNumItems), t);
}
