// Gradient seam: a sample's gradient coefficients, the work lists that route them to the rows'
// owner threads, and each owner's accumulation of its rows' gradients in batch order.
import { CHUNK } from './layout';
import {
  bump, gCos, gItemGrad, gN, gNumItems, gNumUsers, gRowBytes, gS, gThreads, gUserGrad, itemOf, listOf, ownerOf,
  pBUsers, pContrib, pCounts, pGI, pGU, pItem, pItemBuckets, pTouchI, pTouchU, pUser, pUserBuckets,
} from './train-context';
import { axpy, lincombTo, scaleTo } from './vec';

/**
 * Coefficients of sample b (m candidates, user norm nu) from d loss / d score `dS`, written to
 * its pContrib slot: (a_j, c_j, e) such that d/d item row j = a_j u + c_j v_j and
 * d/d user row = sum_j a_j v_j + e u. Dot: a_j = g_j, c_j = e = 0; cosine:
 * ds/dv = u / (|u||v|) - s v / |v|^2, ds/du symmetric.
 */
@inline
export function coefficients(b: i32, m: i32, nu: f64, uClamped: bool, scores: usize, norms: usize, dS: usize): usize {
  const co = pContrib + (<usize>(b * (2 * m + 1)) << 2);
  let e: f64 = 0;
  for (let j = 0; j < m; j++) {
    const g = load<f64>(dS + (<usize>j << 3));
    let a = g;
    let c: f64 = 0;
    if (gCos) {
      const nvs = load<f64>(norms + (<usize>j << 3));
      const nv = Math.abs(nvs);
      const sc = load<f64>(scores + (<usize>j << 3));
      a = g / (nu * nv);
      if (nvs > 0) c = -g * sc / (nv * nv);
      e -= g * sc;
    }
    store<f32>(co + (<usize>j << 2), <f32>a);
    store<f32>(co + (<usize>(m + j) << 2), <f32>c);
  }
  store<f32>(co + (<usize>(2 * m) << 2), gCos && !uClamped ? <f32>(e / (nu * nu)) : 0);
  return co;
}

/** Work for the rows' owners, in (sample, candidate) order within this chunk: item entries, then the user entry. */
@inline
export function postGradientWork(b: i32, u: i32, m: i32, co: usize): void {
  if (gItemGrad) {
    for (let j = 0; j < m; j++) {
      const it = itemOf(b, j);
      const list = listOf(b, ownerOf(it, gNumItems));
      const q = pItemBuckets + (<usize>(list * CHUNK * m + bump(list, 0)) << 4);
      store<i32>(q, it);
      store<i32>(q, u, 4);
      store<f32>(q, load<f32>(co + (<usize>j << 2)), 8);
      store<f32>(q, load<f32>(co + (<usize>(m + j) << 2)), 12);
    }
  }
  if (gUserGrad) {
    const list = listOf(b, ownerOf(u, gNumUsers));
    store<i32>(pUserBuckets + (<usize>(list * CHUNK + bump(list, 1)) << 2), b);
  }
}

/**
 * Adds the batch's gradient contributions to the owned rows' gradient buffers, in batch order
 * (the owner's bucket lists, chunk by chunk), computed from the tables as they were before the
 * step (no thread writes a table in this phase).
 */
export function accumulate(tid: i32, size: i32): void {
  const m = gN + 1;
  const rowBytes = gRowBytes;
  const s = gS;
  const chunks = (size + CHUNK - 1) / CHUNK;
  if (gUserGrad) {
    for (let c = 0; c < chunks; c++) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3 + 1) << 2));
      for (let k = 0; k < count; k++) {
        const b = load<i32>(pUserBuckets + (<usize>(list * CHUNK + k) << 2));
        const u = load<i32>(pBUsers + (<usize>b << 2));
        const co = pContrib + (<usize>(b * (2 * m + 1)) << 2);
        const dst = pGU + <usize>u * rowBytes;
        const first = load<u8>(pTouchU + <usize>u) == 0;
        store<u8>(pTouchU + <usize>u, 1);
        const a0 = load<f32>(co);
        const v0 = pItem + <usize>itemOf(b, 0) * rowBytes;
        if (first) scaleTo(dst, v0, a0, s);
        else axpy(dst, v0, a0, s);
        for (let j = 1; j < m; j++) axpy(dst, pItem + <usize>itemOf(b, j) * rowBytes, load<f32>(co + (<usize>j << 2)), s);
        if (gCos) axpy(dst, pUser + <usize>u * rowBytes, load<f32>(co + (<usize>(2 * m) << 2)), s);
      }
    }
  }
  if (gItemGrad) {
    for (let c = 0; c < chunks; c++) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3) << 2));
      let q = pItemBuckets + (<usize>(list * CHUNK * m) << 4);
      for (let k = 0; k < count; k++, q += 16) {
        const it = load<i32>(q);
        const urow = pUser + <usize>load<i32>(q, 4) * rowBytes;
        const a = load<f32>(q, 8);
        const dst = pGI + <usize>it * rowBytes;
        if (load<u8>(pTouchI + <usize>it) == 0) {
          store<u8>(pTouchI + <usize>it, 1);
          if (gCos) lincombTo(dst, urow, a, pItem + <usize>it * rowBytes, load<f32>(q, 12), s);
          else scaleTo(dst, urow, a, s);
        } else {
          axpy(dst, urow, a, s);
          if (gCos) axpy(dst, pItem + <usize>it * rowBytes, load<f32>(q, 12), s);
        }
      }
    }
  }
}
