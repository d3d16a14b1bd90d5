import {
  R_D, R_E, R_EXCL, R_ITEMS_T, R_K, R_NI, R_NIP, R_OUT, R_Q, R_SCRATCH, R_SCRATCH_SIZE, R_SYNC, R_UIDS, R_USERS,
  RANK_USER_BLOCK, S_TICKET0,
} from './layout';
import { heapPush as pushTopK, heapSiftRoot as siftTopK } from './top-k-heap';

/** Most exclusion sets a request may carry (the glue checks). */
export const MAX_EXCLUDE: i32 = 8;

/**
 * Scores of 4 users (rows u0..u3, d floats each) against all items of the transposed table
 * `it` (d x nip), into out (4 rows of nip floats). The micro-kernel keeps a 4 x 8 block of
 * scores in registers: per dimension, two item vectors times four broadcast user values.
 */
function scoreBlock(u0: usize, u1: usize, u2: usize, u3: usize, it: usize, d: i32, nip: i32, out: usize): void {
  const rowStride = <usize>nip << 2;
  for (let i = 0; i < nip; i += 8) {
    let a00 = f32x4.splat(0);
    let a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0);
    let a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0);
    let a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0);
    let a31 = f32x4.splat(0);
    let p = it + (<usize>i << 2);
    for (let k = 0; k < d; k++) {
      const x0 = v128.load(p);
      const x1 = v128.load(p, 16);
      const ko = <usize>k << 2;
      const s0 = v128.load32_splat(u0 + ko);
      a00 = f32x4.add(a00, f32x4.mul(s0, x0));
      a01 = f32x4.add(a01, f32x4.mul(s0, x1));
      const s1 = v128.load32_splat(u1 + ko);
      a10 = f32x4.add(a10, f32x4.mul(s1, x0));
      a11 = f32x4.add(a11, f32x4.mul(s1, x1));
      const s2 = v128.load32_splat(u2 + ko);
      a20 = f32x4.add(a20, f32x4.mul(s2, x0));
      a21 = f32x4.add(a21, f32x4.mul(s2, x1));
      const s3 = v128.load32_splat(u3 + ko);
      a30 = f32x4.add(a30, f32x4.mul(s3, x0));
      a31 = f32x4.add(a31, f32x4.mul(s3, x1));
      p += rowStride;
    }
    const o = out + (<usize>i << 2);
    v128.store(o, a00);
    v128.store(o, a01, 16);
    v128.store(o + rowStride, a10);
    v128.store(o + rowStride, a11, 16);
    v128.store(o + 2 * rowStride, a20);
    v128.store(o + 2 * rowStride, a21, 16);
    v128.store(o + 3 * rowStride, a30);
    v128.store(o + 3 * rowStride, a31, 16);
  }
}

// A bounded heap of (score, item), the worst at the root; worse = lower score, then higher id.
let hScores: usize = 0;
let hItems: usize = 0;
let hSize: i32 = 0;

function heapPush(score: f32, item: i32): void {
  pushTopK(hScores, hItems, hSize++, score, item);
}

/** Puts (score, item) at the root and sifts it down among the first n entries. */
function heapSiftRoot(score: f32, item: i32, n: i32): void {
  siftTopK(hScores, hItems, n, score, item);
}

// Exclusion cursors of the current user: position and end in each set's sorted row.
let xCur: usize = 0;
let xEnd: usize = 0;
let xIdx: usize = 0;
let xE: i32 = 0;

/** Whether item i is excluded; items must be asked in ascending order (the cursors only move forward). */
@inline
function excluded(i: i32): bool {
  for (let e = 0; e < xE; e++) {
    const cp = xCur + (<usize>e << 2);
    let c = load<i32>(cp);
    const end = load<i32>(xEnd + (<usize>e << 2));
    const idx = <usize>load<u32>(xIdx + (<usize>e << 2));
    while (c < end && load<i32>(idx + (<usize>c << 2)) < i) c++;
    store<i32>(cp, c);
    if (c < end && load<i32>(idx + (<usize>c << 2)) == i) return true;
  }
  return false;
}

/** The top k of one user's score row, best first, -1 padded, into out. */
function selectTopK(scores: usize, ni: i32, k: i32, out: usize): void {
  hSize = 0;
  let i = 0;
  // fill: the first k candidates enter unconditionally
  for (; i < ni && hSize < k; i++) {
    if (!excluded(i)) heapPush(load<f32>(scores + (<usize>i << 2)), i);
  }
  if (hSize == k) {
    // Later items have higher ids than every kept one, so only a strictly higher score beats the root.
    let thr = load<f32>(hScores);
    for (; i < ni && (i & 3) != 0; i++) {
      const sc = load<f32>(scores + (<usize>i << 2));
      if (sc > thr && !excluded(i)) {
        heapSiftRoot(sc, i, k);
        thr = load<f32>(hScores);
      }
    }
    for (; i + 4 <= ni; i += 4) {
      const v = v128.load(scores + (<usize>i << 2));
      let mask = i32x4.bitmask(f32x4.gt(v, f32x4.splat(thr)));
      while (mask != 0) {
        const l = ctz(mask);
        mask &= mask - 1;
        const sc = load<f32>(scores + (<usize>(i + l) << 2));
        if (sc > thr && !excluded(i + l)) {
          heapSiftRoot(sc, i + l, k);
          thr = load<f32>(hScores);
        }
      }
    }
    for (; i < ni; i++) {
      const sc = load<f32>(scores + (<usize>i << 2));
      if (sc > thr && !excluded(i)) {
        heapSiftRoot(sc, i, k);
        thr = load<f32>(hScores);
      }
    }
  }
  // drain worst first into the back
  const n = hSize;
  for (let p = k - 1; p >= n; p--) store<i32>(out + (<usize>p << 2), -1);
  for (let p = n - 1; p >= 0; p--) {
    store<i32>(out + (<usize>p << 2), load<i32>(hItems));
    const last = p;
    if (last > 0) heapSiftRoot(load<f32>(hScores + (<usize>last << 2)), load<i32>(hItems + (<usize>last << 2)), last);
  }
}

/**
 * Full-ranking top-K for the users of the context, on `nthreads` threads: blocks of 4 users are
 * claimed from a shared ticket; each block is scored against all items (never more than 4 score
 * rows per thread), masked by the exclusion sets' sorted rows and reduced to its top k.
 */
export function rankRun(tid: i32, nthreads: i32, ctx: usize): void {
  const q = load<i32>(ctx + R_Q);
  const ni = load<i32>(ctx + R_NI);
  const nip = load<i32>(ctx + R_NIP);
  const d = load<i32>(ctx + R_D);
  const k = load<i32>(ctx + R_K);
  const e = load<i32>(ctx + R_E);
  const users = <usize>load<u32>(ctx + R_USERS);
  const itemsT = <usize>load<u32>(ctx + R_ITEMS_T);
  const excl = <usize>load<u32>(ctx + R_EXCL);
  const uids = <usize>load<u32>(ctx + R_UIDS);
  const out = <usize>load<u32>(ctx + R_OUT);
  const ticket = <usize>load<u32>(ctx + R_SYNC) + S_TICKET0;
  const scratch = <usize>load<u32>(ctx + R_SCRATCH) + <usize>tid * <usize>load<u32>(ctx + R_SCRATCH_SIZE);
  const rowBytes = <usize>nip << 2;
  const scores = scratch;
  hScores = scores + <usize>RANK_USER_BLOCK * rowBytes;
  hItems = hScores + (<usize>k << 2);
  xCur = hItems + (<usize>k << 2);
  xEnd = xCur + (<usize>MAX_EXCLUDE << 2);
  xIdx = xEnd + (<usize>MAX_EXCLUDE << 2);
  xE = e;
  for (let x = 0; x < e; x++) store<u32>(xIdx + (<usize>x << 2), load<u32>(excl + (<usize>(2 * x + 1) << 2)));
  const ub = <usize>d << 2;
  for (;;) {
    const q0 = atomic.add<i32>(ticket, 1) * RANK_USER_BLOCK;
    if (q0 >= q) break;
    const nb = min(RANK_USER_BLOCK, q - q0);
    // a short last block repeats its last user; those rows are ignored
    const r0 = users + <usize>q0 * ub;
    const r1 = users + <usize>(q0 + min(1, nb - 1)) * ub;
    const r2 = users + <usize>(q0 + min(2, nb - 1)) * ub;
    const r3 = users + <usize>(q0 + min(3, nb - 1)) * ub;
    scoreBlock(r0, r1, r2, r3, itemsT, d, nip, scores);
    for (let j = 0; j < nb; j++) {
      const u = load<i32>(uids + (<usize>(q0 + j) << 2));
      for (let x = 0; x < e; x++) {
        const indptr = <usize>load<u32>(excl + (<usize>(2 * x) << 2));
        store<i32>(xCur + (<usize>x << 2), load<i32>(indptr + (<usize>u << 2)));
        store<i32>(xEnd + (<usize>x << 2), load<i32>(indptr + (<usize>(u + 1) << 2)));
      }
      selectTopK(scores + <usize>j * rowBytes, ni, k, out + (<usize>((q0 + j) * k) << 2));
    }
  }
}
