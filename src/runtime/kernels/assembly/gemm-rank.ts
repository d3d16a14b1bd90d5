// Full-ranking top-K of GEMM class: cache-blocked, register-tiled scoring with masking and a
// bounded top-K fused into the blocks. The scores are bit-identical to rank.ts (rankRun): every
// score is the float32 sum, in ascending dimension order from +0, of the float32 products
// user[j] * item[j], each rounded (mul then add, no FMA); the blocking below only changes which
// (user, item) pairs are computed when, and a partial sum that leaves the registers between two
// dimension blocks is stored and reloaded as the same float32. So the candidates, their order
// and their ties are those of rankRun, whatever the block sizes and thread count.
import {
  GEMM_MR, GEMM_NR, GR_D, GR_E, GR_EXCL, GR_ITEMS, GR_K, GR_KB, GR_MB, GR_NB, GR_NI, GR_NIP, GR_OUT, GR_Q,
  GR_SCRATCH, GR_SCRATCH_SIZE, GR_SYNC, GR_UIDS, GR_USERS,
} from './gemm-rank-layout';
import { S_TICKET0 } from './layout';
import { MAX_EXCLUDE } from './rank';
import { heapPush, heapSiftRoot } from './top-k-heap';

const TILE_BYTES: usize = <usize>(GEMM_MR * GEMM_NR) << 2;

/**
 * Bytes of one thread's scratch: the block's packed users (MB x D), the score tiles (one, or
 * MB x NB partial sums when D is split into blocks), per user a heap of K (score, item), its size
 * and threshold, and per (user, set) an exclusion cursor and end. The glue sizes the scratch
 * with this same function, so the two never disagree.
 */
export function gemmRankScratchBytes(mb: i32, nb: i32, kb: i32, d: i32, k: i32, e: i32): u32 {
  const tiles: usize = kb < d ? (<usize>mb * <usize>nb) << 2 : TILE_BYTES;
  const bytes = (<usize>mb * <usize>d << 2) + tiles + (<usize>mb * <usize>k << 3) + (<usize>mb << 3) + (<usize>mb * <usize>e << 3) + (<usize>MAX_EXCLUDE << 2);
  return <u32>((bytes + 63) & ~63);
}

// Per-thread state (each worker has its own instance, so module globals are thread-local).
let gK: i32 = 0;
let gE: i32 = 0;
/** heap scores (MB x K f32), heap items (MB x K i32), sizes (MB i32), thresholds (MB f32) */
let gHS: usize = 0;
let gHI: usize = 0;
let gHN: usize = 0;
let gHT: usize = 0;
/** exclusion cursor and end per (user, set), and each set's indices pointer */
let gXC: usize = 0;
let gXE: usize = 0;
let gXI: usize = 0;

/**
 * One MR x NR tile over kl dimensions: c (MR rows of NR f32) = (accumulate ? c : 0) + sum over
 * the kl dimensions of user x item, in ascending dimension order. up: the user micro-panel,
 * MR floats per dimension; ip: the item panel, NR floats per dimension.
 * Why 5 x 8: 10 accumulators, 2 item vectors, 1 broadcast and 1 product fit the 15 xmm registers
 * V8 allocates (6 x 8 would need 16 and spill; 4 x 12 needs 17). Per dimension: 10 mul + 10 add
 * (5 cycles at 2 + 2 per cycle) against 7 loads. Measured on the 2-core EPYC (1 thread, CPU
 * seconds, load ~6): the same time as 4 x 8 at d = 64 and ~2% less at d = 1024, about 71% and 82%
 * of the probe's mul + add peak; the rest is the tile's store/reload, the filter and loop overhead.
 */
function tile(up: usize, ip: usize, kl: i32, c: usize, accumulate: bool): void {
  let a00 = f32x4.splat(0);
  let a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0);
  let a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0);
  let a21 = f32x4.splat(0);
  let a30 = f32x4.splat(0);
  let a31 = f32x4.splat(0);
  let a40 = f32x4.splat(0);
  let a41 = f32x4.splat(0);
  if (accumulate) {
    a00 = v128.load(c, 0);
    a01 = v128.load(c, 16);
    a10 = v128.load(c, 32);
    a11 = v128.load(c, 48);
    a20 = v128.load(c, 64);
    a21 = v128.load(c, 80);
    a30 = v128.load(c, 96);
    a31 = v128.load(c, 112);
    a40 = v128.load(c, 128);
    a41 = v128.load(c, 144);
  }
  let x0: v128;
  let x1: v128;
  let s: v128;
  let k = 0;
  // two dimensions per iteration: half the loop overhead; each accumulator still adds in order
  for (; k + 2 <= kl; k += 2) {
    x0 = v128.load(ip, 0);
    x1 = v128.load(ip, 16);
    s = v128.load32_splat(up, 0);
    a00 = f32x4.add(a00, f32x4.mul(s, x0));
    a01 = f32x4.add(a01, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 4);
    a10 = f32x4.add(a10, f32x4.mul(s, x0));
    a11 = f32x4.add(a11, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 8);
    a20 = f32x4.add(a20, f32x4.mul(s, x0));
    a21 = f32x4.add(a21, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 12);
    a30 = f32x4.add(a30, f32x4.mul(s, x0));
    a31 = f32x4.add(a31, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 16);
    a40 = f32x4.add(a40, f32x4.mul(s, x0));
    a41 = f32x4.add(a41, f32x4.mul(s, x1));
    x0 = v128.load(ip, 32);
    x1 = v128.load(ip, 48);
    s = v128.load32_splat(up, 20);
    a00 = f32x4.add(a00, f32x4.mul(s, x0));
    a01 = f32x4.add(a01, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 24);
    a10 = f32x4.add(a10, f32x4.mul(s, x0));
    a11 = f32x4.add(a11, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 28);
    a20 = f32x4.add(a20, f32x4.mul(s, x0));
    a21 = f32x4.add(a21, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 32);
    a30 = f32x4.add(a30, f32x4.mul(s, x0));
    a31 = f32x4.add(a31, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 36);
    a40 = f32x4.add(a40, f32x4.mul(s, x0));
    a41 = f32x4.add(a41, f32x4.mul(s, x1));
    up += 40;
    ip += 64;
  }
  if (k < kl) {
    x0 = v128.load(ip, 0);
    x1 = v128.load(ip, 16);
    s = v128.load32_splat(up, 0);
    a00 = f32x4.add(a00, f32x4.mul(s, x0));
    a01 = f32x4.add(a01, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 4);
    a10 = f32x4.add(a10, f32x4.mul(s, x0));
    a11 = f32x4.add(a11, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 8);
    a20 = f32x4.add(a20, f32x4.mul(s, x0));
    a21 = f32x4.add(a21, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 12);
    a30 = f32x4.add(a30, f32x4.mul(s, x0));
    a31 = f32x4.add(a31, f32x4.mul(s, x1));
    s = v128.load32_splat(up, 16);
    a40 = f32x4.add(a40, f32x4.mul(s, x0));
    a41 = f32x4.add(a41, f32x4.mul(s, x1));
  }
  v128.store(c, a00, 0);
  v128.store(c, a01, 16);
  v128.store(c, a10, 32);
  v128.store(c, a11, 48);
  v128.store(c, a20, 64);
  v128.store(c, a21, 80);
  v128.store(c, a30, 96);
  v128.store(c, a31, 112);
  v128.store(c, a40, 128);
  v128.store(c, a41, 144);
}

/** Whether block user u excludes item i; a user's items are asked in ascending order (its cursors only move forward). */
function excluded(u: i32, i: i32): bool {
  for (let e = 0; e < gE; e++) {
    const o = <usize>(u * gE + e) << 2;
    let c = load<i32>(gXC + o);
    const end = load<i32>(gXE + o);
    const idx = <usize>load<u32>(gXI + (<usize>e << 2));
    while (c < end && load<i32>(idx + (<usize>c << 2)) < i) c++;
    store<i32>(gXC + o, c);
    if (c < end && load<i32>(idx + (<usize>c << 2)) == i) return true;
  }
  return false;
}

/**
 * Offers (score, item) to block user u's heap. Items reach a user in ascending id order, so once
 * the heap is full a later item beats the root only with a strictly higher score: the threshold
 * test is exact, and the exclusion cursors are only advanced for the few items that pass it.
 */
function offer(u: i32, score: f32, item: i32): void {
  const k = gK;
  const hs = gHS + (<usize>(u * k) << 2);
  const hi = gHI + (<usize>(u * k) << 2);
  const np = gHN + (<usize>u << 2);
  const n = load<i32>(np);
  if (n < k) {
    if (excluded(u, item)) return;
    heapPush(hs, hi, n, score, item);
    store<i32>(np, n + 1);
    if (n + 1 == k) store<f32>(gHT + (<usize>u << 2), load<f32>(hs));
    return;
  }
  if (!(score > load<f32>(gHT + (<usize>u << 2))) || excluded(u, item)) return;
  heapSiftRoot(hs, hi, k, score, item);
  store<f32>(gHT + (<usize>u << 2), load<f32>(hs));
}

/**
 * The masked top-K step of a finished tile: rows users from block user u0, items i0 .. i0 + NR
 * (lanes at or past ni are padding and never offered). A full heap's threshold filters a row's
 * 8 scores with two SIMD compares; only the lanes above it are offered.
 */
function filterTile(c: usize, rows: i32, u0: i32, i0: i32, ni: i32): void {
  const valid = i0 + GEMM_NR <= ni ? (1 << GEMM_NR) - 1 : (1 << (ni - i0)) - 1;
  for (let r = 0; r < rows; r++) {
    const u = u0 + r;
    const row = c + (<usize>(r * GEMM_NR) << 2);
    let m = valid;
    if (load<i32>(gHN + (<usize>u << 2)) == gK) {
      const t = f32x4.splat(load<f32>(gHT + (<usize>u << 2)));
      m &= i32x4.bitmask(f32x4.gt(v128.load(row), t)) | (i32x4.bitmask(f32x4.gt(v128.load(row, 16), t)) << 4);
    }
    while (m != 0) {
      const l = ctz(m);
      m &= m - 1;
      offer(u, load<f32>(row + (<usize>l << 2)), i0 + l);
    }
  }
}

/** Block user u's kept items, best first, -1 padded, into out (drained worst first into the back, as rank.ts). */
function drain(u: i32, out: usize): void {
  const k = gK;
  const hs = gHS + (<usize>(u * k) << 2);
  const hi = gHI + (<usize>(u * k) << 2);
  const n = load<i32>(gHN + (<usize>u << 2));
  for (let p = k - 1; p >= n; p--) store<i32>(out + (<usize>p << 2), -1);
  for (let p = n - 1; p >= 0; p--) {
    store<i32>(out + (<usize>p << 2), load<i32>(hi));
    if (p > 0) heapSiftRoot(hs, hi, p, load<f32>(hs + (<usize>p << 2)), load<i32>(hi + (<usize>p << 2)));
  }
}

/**
 * Full-ranking top-K of the context's users on `nthreads` threads. Blocks of MB users are
 * claimed from a shared ticket (each user's result depends only on its own block, so any thread
 * count gives the same bits). Per block: the users are packed into micro-panels of MR (one
 * broadcast load per user and dimension); then for each block of NB items (NB x KB floats of
 * packed item panels, sized by the glue to stay in L2) and each block of KB dimensions, every
 * MR x NR tile is computed in registers with its user slice in L1; after the last dimension
 * block the tile goes through the threshold filter into the users' heaps. Items of one user are
 * visited in ascending id order across all blocks, which the exact threshold test relies on.
 */
export function gemmRankRun(tid: i32, nthreads: i32, ctx: usize): void {
  const q = load<i32>(ctx + GR_Q);
  const ni = load<i32>(ctx + GR_NI);
  const nip = load<i32>(ctx + GR_NIP);
  const d = load<i32>(ctx + GR_D);
  const k = load<i32>(ctx + GR_K);
  const e = load<i32>(ctx + GR_E);
  const mb = load<i32>(ctx + GR_MB);
  const nbk = load<i32>(ctx + GR_NB);
  const kbk = load<i32>(ctx + GR_KB);
  const users = <usize>load<u32>(ctx + GR_USERS);
  const items = <usize>load<u32>(ctx + GR_ITEMS);
  const excl = <usize>load<u32>(ctx + GR_EXCL);
  const uids = <usize>load<u32>(ctx + GR_UIDS);
  const out = <usize>load<u32>(ctx + GR_OUT);
  const ticket = <usize>load<u32>(ctx + GR_SYNC) + S_TICKET0;
  const scratch = <usize>load<u32>(ctx + GR_SCRATCH) + <usize>tid * <usize>load<u32>(ctx + GR_SCRATCH_SIZE);
  const blocked = kbk < d;
  const panel = <usize>d * <usize>(GEMM_MR << 2); // bytes of one user micro-panel: MR floats per dimension
  const itemPanel = <usize>d << 5; // bytes of one item panel: NR floats per dimension
  const P = scratch;
  const C = P + <usize>mb * (<usize>d << 2);
  const tileCols = nbk / GEMM_NR;
  gHS = C + (blocked ? (<usize>mb * <usize>nbk) << 2 : TILE_BYTES);
  gHI = gHS + (<usize>mb * <usize>k << 2);
  gHN = gHI + (<usize>mb * <usize>k << 2);
  gHT = gHN + (<usize>mb << 2);
  gXC = gHT + (<usize>mb << 2);
  gXE = gXC + (<usize>mb * <usize>e << 2);
  gXI = gXE + (<usize>mb * <usize>e << 2);
  gK = k;
  gE = e;
  for (let x = 0; x < e; x++) store<u32>(gXI + (<usize>x << 2), load<u32>(excl + (<usize>(2 * x + 1) << 2)));
  const rowBytes = <usize>d << 2;
  for (;;) {
    const q0 = atomic.add<i32>(ticket, 1) * mb;
    if (q0 >= q) break;
    const nb = min(mb, q - q0);
    const nmp = (nb + GEMM_MR - 1) / GEMM_MR;
    // pack: micro-panel mp holds users MR mp .. MR mp + MR - 1 interleaved by dimension; a short last panel
    // repeats its last user (those rows are computed but never filtered)
    for (let mp = 0; mp < nmp; mp++) {
      const dst = P + <usize>mp * panel;
      for (let r = 0; r < GEMM_MR; r++) {
        const src = users + <usize>(q0 + min(mp * GEMM_MR + r, nb - 1)) * rowBytes;
        const o = dst + (<usize>r << 2);
        for (let j = 0; j < d; j++) store<f32>(o + <usize>j * <usize>(GEMM_MR << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
    for (let u = 0; u < nb; u++) {
      store<i32>(gHN + (<usize>u << 2), 0);
      const uid = load<i32>(uids + (<usize>(q0 + u) << 2));
      for (let x = 0; x < e; x++) {
        const indptr = <usize>load<u32>(excl + (<usize>(2 * x) << 2));
        const o = <usize>(u * e + x) << 2;
        store<i32>(gXC + o, load<i32>(indptr + (<usize>uid << 2)));
        store<i32>(gXE + o, load<i32>(indptr + (<usize>(uid + 1) << 2)));
      }
    }
    for (let ib = 0; ib < nip; ib += nbk) {
      const cols = min(nbk, nip - ib) / GEMM_NR;
      const firstPanel = ib / GEMM_NR;
      for (let kb = 0; kb < d; kb += kbk) {
        const kl = min(kbk, d - kb);
        const accumulate = kb > 0;
        const last = kb + kl >= d;
        for (let mp = 0; mp < nmp; mp++) {
          const up = P + <usize>mp * panel + <usize>kb * <usize>(GEMM_MR << 2);
          const rows = min(GEMM_MR, nb - mp * GEMM_MR);
          let c = C + (blocked ? <usize>(mp * tileCols) * TILE_BYTES : 0);
          let ip = items + <usize>firstPanel * itemPanel + (<usize>kb << 5);
          for (let np = 0; np < cols; np++) {
            tile(up, ip, kl, c, accumulate);
            if (last) filterTile(c, rows, mp * GEMM_MR, ib + np * GEMM_NR, ni);
            ip += itemPanel;
            if (blocked) c += TILE_BYTES;
          }
        }
      }
    }
    for (let u = 0; u < nb; u++) drain(u, out + (<usize>((q0 + u) * k) << 2));
  }
}
