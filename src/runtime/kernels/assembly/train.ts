import {
  F_B1, F_B2, F_BETA, F_EPS, F_LAST_LOSS, F_LOSS_SUM, F_LR, F_TEMP, F_WD,
  CHUNK, P_BITSET, P_BUCKET_COUNTS, P_ITEM_BUCKETS, P_MOVE_BUCKETS, P_USER_BUCKETS, P_BNEG, P_BPOS, P_BUSERS, P_COEF, P_CONTRIB, P_GI, P_GU, P_INDICES, P_INDPTR, P_ITEM, P_MI, P_MU,
  P_ORDER, P_PAIR_I, P_PAIR_U, P_SLOSS, P_STAMPI, P_STAMPU, P_SYNC, P_TOUCHI, P_TOUCHU, P_USER, P_VI, P_VU,
  S_TICKET0, S_TICKET1,
  T_BACKPROP, T_BATCH, T_BATCHES_DONE, T_COSINE, T_DROP_LAST, T_DUP_SEQ, T_EPOCH, T_EXCLUDE, T_EXPLICIT_SIZE,
  T_LOSS, T_MODE, T_NEG, T_NUM_ITEMS, T_NUM_PAIRS, T_NUM_USERS, T_OPT, T_SEED, T_SHUFFLE, T_STEP, T_STREAM, T_STRIDE,
} from './layout';
import { shuffleU64 } from './rng';
import { drawNegatives } from './sampler';
import { barrier } from './sync';
import { axpy, dot, lincombTo, scaleTo } from './vec';

/** Stream.shuffle in src/core/rng.ts. */
const STREAM_SHUFFLE: u32 = 1;
const NORM_FLOOR: f64 = 1e-12;

// The context, copied into this instance's globals (each thread has its own instance).
let gNumUsers: i32 = 0;
let gNumItems: i32 = 0;
let gS: i32 = 0;
let gRowBytes: usize = 0;
let gN: i32 = 0;
let gBatch: i32 = 0;
let gBpr: bool = false;
let gCos: bool = false;
let gBackprop: i32 = 0;
let gUserGrad: bool = false;
let gItemGrad: bool = false;
let gDupSeq: bool = false;
let gOpt: i32 = 0;
let gExclude: bool = false;
let gSeed: u32 = 0;
let gStream: u32 = 0;
let gMode: i32 = 0;
let pUser: usize = 0;
let pItem: usize = 0;
let pMU: usize = 0;
let pVU: usize = 0;
let pMI: usize = 0;
let pVI: usize = 0;
let pGU: usize = 0;
let pGI: usize = 0;
let pTouchU: usize = 0;
let pTouchI: usize = 0;
let pStampU: usize = 0;
let pStampI: usize = 0;
let pPairU: usize = 0;
let pPairI: usize = 0;
let pOrder: usize = 0;
let pIndptr: usize = 0;
let pIndices: usize = 0;
let pBUsers: usize = 0;
let pBPos: usize = 0;
let pBNeg: usize = 0;
let pSLoss: usize = 0;
let pContrib: usize = 0;
let pCoef: usize = 0;
let pBitset: usize = 0;
let pItemBuckets: usize = 0;
let pUserBuckets: usize = 0;
let pMoveBuckets: usize = 0;
let pCounts: usize = 0;
/** Threads of the current call: the owners that bucket lists are kept for. */
let gThreads: i32 = 1;
let fTemp: f64 = 1;
let fLr: f64 = 0;
let fB1: f64 = 0;
let fB2: f64 = 0;
let fEps: f64 = 0;
let fWd: f64 = 0;
let fBeta: f64 = 0;

function loadCtx(ctx: usize): void {
  gNumUsers = load<i32>(ctx + T_NUM_USERS);
  gNumItems = load<i32>(ctx + T_NUM_ITEMS);
  gS = load<i32>(ctx + T_STRIDE);
  gRowBytes = <usize>gS << 2;
  gN = load<i32>(ctx + T_NEG);
  gBatch = load<i32>(ctx + T_BATCH);
  gBpr = load<i32>(ctx + T_LOSS) == 1;
  gCos = load<i32>(ctx + T_COSINE) != 0;
  gBackprop = load<i32>(ctx + T_BACKPROP);
  gUserGrad = gBackprop != 1;
  gItemGrad = gBackprop != 2;
  gDupSeq = load<i32>(ctx + T_DUP_SEQ) != 0;
  gOpt = load<i32>(ctx + T_OPT);
  gExclude = load<i32>(ctx + T_EXCLUDE) != 0;
  gSeed = load<u32>(ctx + T_SEED);
  gStream = load<u32>(ctx + T_STREAM);
  gMode = load<i32>(ctx + T_MODE);
  pUser = load<u32>(ctx + P_USER);
  pItem = load<u32>(ctx + P_ITEM);
  pMU = load<u32>(ctx + P_MU);
  pVU = load<u32>(ctx + P_VU);
  pMI = load<u32>(ctx + P_MI);
  pVI = load<u32>(ctx + P_VI);
  pGU = load<u32>(ctx + P_GU);
  pGI = load<u32>(ctx + P_GI);
  pTouchU = load<u32>(ctx + P_TOUCHU);
  pTouchI = load<u32>(ctx + P_TOUCHI);
  pStampU = load<u32>(ctx + P_STAMPU);
  pStampI = load<u32>(ctx + P_STAMPI);
  pPairU = load<u32>(ctx + P_PAIR_U);
  pPairI = load<u32>(ctx + P_PAIR_I);
  pOrder = load<u32>(ctx + P_ORDER);
  pIndptr = load<u32>(ctx + P_INDPTR);
  pIndices = load<u32>(ctx + P_INDICES);
  pBUsers = load<u32>(ctx + P_BUSERS);
  pBPos = load<u32>(ctx + P_BPOS);
  pBNeg = load<u32>(ctx + P_BNEG);
  pSLoss = load<u32>(ctx + P_SLOSS);
  pContrib = load<u32>(ctx + P_CONTRIB);
  pCoef = load<u32>(ctx + P_COEF);
  pBitset = load<u32>(ctx + P_BITSET);
  pItemBuckets = load<u32>(ctx + P_ITEM_BUCKETS);
  pUserBuckets = load<u32>(ctx + P_USER_BUCKETS);
  pMoveBuckets = load<u32>(ctx + P_MOVE_BUCKETS);
  pCounts = load<u32>(ctx + P_BUCKET_COUNTS);
  fTemp = load<f64>(ctx + F_TEMP);
  fLr = load<f64>(ctx + F_LR);
  fB1 = load<f64>(ctx + F_B1);
  fB2 = load<f64>(ctx + F_B2);
  fEps = load<f64>(ctx + F_EPS);
  fWd = load<f64>(ctx + F_WD);
  fBeta = load<f64>(ctx + F_BETA);
}

/** Item j of sample b: j = 0 the positive, j >= 1 negative j - 1. */
@inline
function itemOf(b: i32, j: i32): i32 {
  return j == 0 ? load<i32>(pBPos + (<usize>b << 2)) : load<i32>(pBNeg + (<usize>(b * gN + j - 1) << 2));
}

/** First row of thread tid's share of `rows`: shares are contiguous id ranges, so each row has one owner. */
@inline
function rangeStart(tid: i32, nthreads: i32, rows: i32): i32 {
  return <i32>((<i64>tid * <i64>rows) / <i64>nthreads);
}

/** Sink of touchAhead's loads, so that they are not optimised away. */
let gTouched: u32 = 0;

/**
 * Issues loads of the cache lines the sample at epoch position `position` will need (its user's
 * row and positives bitset row) while the current sample computes: wasm has no prefetch, and
 * these lines are otherwise cache misses in a chain of dependent work.
 */
@inline
function touchAhead(position: i32): void {
  const u = <i32>load<u64>(pOrder + (<usize>position << 3));
  const row = pUser + <usize>u * gRowBytes;
  let acc: u32 = 0;
  for (let o: usize = 0; o < gRowBytes; o += 64) acc ^= load<u32>(row + o);
  if (pBitset != 0) {
    const wordsBytes = <usize>((gNumItems + 31) >>> 5) << 2;
    const brow = pBitset + <usize>u * wordsBytes;
    for (let o: usize = 0; o < wordsBytes; o += 64) acc ^= load<u32>(brow + o);
  }
  gTouched ^= acc;
}

/** The thread whose share (rangeStart) holds `row`. */
@inline
function ownerOf(row: i32, rows: i32): i32 {
  return <i32>(((<i64>row + 1) * <i64>gThreads - 1) / <i64>rows);
}

/** Bucket list of (chunk of sample b, owner t), and its three counts (item, user, moved entries). */
@inline
function listOf(b: i32, t: i32): i32 {
  return (b / CHUNK) * gThreads + t;
}

@inline
function bump(list: i32, kind: i32): i32 {
  const p = pCounts + (<usize>(list * 3 + kind) << 2);
  const k = load<i32>(p);
  store<i32>(p, k + 1);
  return k;
}

/**
 * The forward pass of one sample and its gradient coefficients: scores, loss, d(batch mean
 * loss)/d(score), and (a_j, c_j, e) such that d/d item row j = a_j u + c_j v_j and
 * d/d user row = sum_j a_j v_j + e u. Written to the sample's own slots, so samples can be
 * computed by any thread in any order; the rows themselves are accumulated by their owners.
 */
function sample(b: i32, position: i32, size: i32): void {
  const n = gN;
  const m = n + 1;
  const rowBytes = gRowBytes;
  const s = gS;
  let u: i32;
  if (gMode == 0) {
    const pair = load<u64>(pOrder + (<usize>position << 3));
    u = <i32>pair;
    store<i32>(pBUsers + (<usize>b << 2), u);
    store<i32>(pBPos + (<usize>b << 2), <i32>(pair >>> 32));
    drawNegatives(pBNeg + (<usize>(b * n) << 2), n, u, position, gSeed, gStream, gNumItems, gExclude, pIndptr, pIndices, pBitset);
  } else {
    u = load<i32>(pBUsers + (<usize>b << 2));
  }
  const urow = pUser + <usize>u * rowBytes;
  const scores = pCoef + (<usize>(b * m * 3) << 3);
  const norms = scores + (<usize>m << 3);
  const dS = norms + (<usize>m << 3);

  // scores
  let nu: f64 = 1;
  let uClamped = false;
  if (gCos) {
    nu = Math.sqrt(<f64>dot(urow, urow, s));
    if (!(nu > NORM_FLOOR)) {
      nu = NORM_FLOOR;
      uClamped = true;
    }
  }
  for (let j = 0; j < m; j++) {
    const irow = pItem + <usize>itemOf(b, j) * rowBytes;
    let sc = <f64>dot(urow, irow, s);
    if (gCos) {
      let nv = Math.sqrt(<f64>dot(irow, irow, s));
      // a clamped norm is stored negative: its derivative is zero
      if (!(nv > NORM_FLOOR)) nv = -NORM_FLOOR;
      store<f64>(norms + (<usize>j << 3), nv);
      sc = sc / (nu * Math.abs(nv));
    }
    store<f64>(scores + (<usize>j << 3), sc);
  }

  // loss and d(mean loss)/d(score_j)
  const invB = 1.0 / <f64>size;
  let loss: f64 = 0;
  if (!gBpr) {
    // infonce: logsumexp_j(s_j / t) - s_0 / t; d/ds_j = (softmax_j - [j = 0]) / t
    const invT = 1.0 / fTemp;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, load<f64>(scores + (<usize>j << 3)) * invT);
    let sum: f64 = 0;
    for (let j = 0; j < m; j++) {
      const e = Math.exp(load<f64>(scores + (<usize>j << 3)) * invT - mx);
      store<f64>(dS + (<usize>j << 3), e);
      sum += e;
    }
    loss = mx + Math.log(sum) - load<f64>(scores) * invT;
    const c = invT * invB;
    for (let j = 0; j < m; j++) {
      let p = load<f64>(dS + (<usize>j << 3)) / sum;
      if (j == 0) p -= 1;
      store<f64>(dS + (<usize>j << 3), p * c);
    }
  } else {
    // bpr: (1/n) sum_k softplus(s_k - s_0); d/ds_k = sigmoid(s_k - s_0) / n, d/ds_0 = -sum of those
    const s0 = load<f64>(scores);
    const invN = 1.0 / <f64>n;
    let g0: f64 = 0;
    for (let j = 1; j < m; j++) {
      const x = load<f64>(scores + (<usize>j << 3)) - s0;
      const e = Math.exp(-Math.abs(x));
      loss += Math.max(x, 0) + Math.log1p(e);
      const sig = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      const g = sig * invN * invB;
      store<f64>(dS + (<usize>j << 3), g);
      g0 -= g;
    }
    store<f64>(dS, g0);
    loss *= invN;
  }
  store<f64>(pSLoss + (<usize>b << 3), loss);

  // coefficients: dot: a_j = g_j, c_j = e = 0; cosine: ds/dv = u / (|u||v|) - s v / |v|^2, ds/du symmetric
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

  // work for the rows' owners, in (sample, candidate) order within this chunk
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
  if (gBackprop != 0) {
    const list = gBackprop == 1 ? listOf(b, ownerOf(u, gNumUsers)) : listOf(b, ownerOf(load<i32>(pBPos + (<usize>b << 2)), gNumItems));
    store<i32>(pMoveBuckets + (<usize>(list * CHUNK + bump(list, 2)) << 2), b);
  }
}

/**
 * Adds the batch's gradient contributions to the owned rows' gradient buffers, in batch order
 * (the owner's bucket lists, chunk by chunk), computed from the tables as they were before the
 * step (no thread writes a table in this phase).
 */
function accumulate(tid: i32, size: i32): void {
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
  if (gOpt == 2) {
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
  const lazy = gOpt == 1;
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

function optimize(tid: i32, nthreads: i32, t: i32): void {
  if (gUserGrad) optimizeRows(pUser, pMU, pVU, pGU, pTouchU, rangeStart(tid, nthreads, gNumUsers), rangeStart(tid + 1, nthreads, gNumUsers), t);
  if (gItemGrad) optimizeRows(pItem, pMI, pVI, pGI, pTouchI, rangeStart(tid, nthreads, gNumItems), rangeStart(tid + 1, nthreads, gNumItems), t);
}

/**
 * Moving aggregation after the optimiser step (onebp: user rows towards their positive item's
 * row; user_only: positive item rows towards their user's row), on the owned rows, from the
 * owner's bucket lists. `last`: walking the batch backwards, the first (= last in batch order)
 * occurrence of a row is the only one applied, from the row as it was; `sequential`: every
 * occurrence, in batch order.
 */
function aggregate(tid: i32, size: i32, t: i32): void {
  const rowBytes = gRowBytes;
  const s = gS;
  const beta = <f32>fBeta;
  const omb = <f32>(1.0 - fBeta);
  const onebp = gBackprop == 1;
  const moved = onebp ? pBUsers : pBPos;
  const towards = onebp ? pBPos : pBUsers;
  const movedTable = onebp ? pUser : pItem;
  const towardsTable = onebp ? pItem : pUser;
  const stamp = onebp ? pStampU : pStampI;
  const chunks = (size + CHUNK - 1) / CHUNK;
  if (gDupSeq) {
    for (let c = 0; c < chunks; c++) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3 + 2) << 2));
      for (let k = 0; k < count; k++) {
        const b = load<i32>(pMoveBuckets + (<usize>(list * CHUNK + k) << 2));
        const row = movedTable + <usize>load<i32>(moved + (<usize>b << 2)) * rowBytes;
        lincombTo(row, row, beta, towardsTable + <usize>load<i32>(towards + (<usize>b << 2)) * rowBytes, omb, s);
      }
    }
  } else {
    for (let c = chunks - 1; c >= 0; c--) {
      const list = c * gThreads + tid;
      const count = load<i32>(pCounts + (<usize>(list * 3 + 2) << 2));
      for (let k = count - 1; k >= 0; k--) {
        const b = load<i32>(pMoveBuckets + (<usize>(list * CHUNK + k) << 2));
        const r = load<i32>(moved + (<usize>b << 2));
        const sp = stamp + (<usize>r << 2);
        if (load<i32>(sp) == t) continue;
        store<i32>(sp, t);
        const row = movedTable + <usize>r * rowBytes;
        lincombTo(row, row, beta, towardsTable + <usize>load<i32>(towards + (<usize>b << 2)) * rowBytes, omb, s);
      }
    }
  }
}

/**
 * Trains a whole epoch (mode 0: order, batches and negatives computed here) or one explicit
 * batch (mode 1), on `nthreads` threads that all call this with their own tid. Per batch:
 * forward pass and gradient coefficients per sample (claimed dynamically), barrier, gradient
 * accumulation per owned row range, (barrier, under both), the optimiser step on the owned rows,
 * barrier, then the moving aggregation on the owned rows and a barrier.
 * Every row is computed by one thread in batch order, so the result does not depend on
 * nthreads; the loss is summed by thread 0 in batch order.
 */
export function trainRun(tid: i32, nthreads: i32, ctx: usize): void {
  loadCtx(ctx);
  gThreads = nthreads;
  const sync = <usize>load<u32>(ctx + P_SYNC);
  const step0 = load<i32>(ctx + T_STEP);
  const numPairs = load<i32>(ctx + T_NUM_PAIRS);
  if (tid == 0) {
    if (gMode == 0) {
      for (let i = 0; i < numPairs; i++) {
        const o = <usize>i << 2;
        store<u64>(pOrder + (o << 1), (<u64>load<u32>(pPairI + o) << 32) | <u64>load<u32>(pPairU + o));
      }
      if (load<i32>(ctx + T_SHUFFLE) != 0) shuffleU64(pOrder, numPairs, gSeed, STREAM_SHUFFLE, load<u32>(ctx + T_EPOCH));
    }
    atomic.store<i32>(sync + S_TICKET0, 0);
    atomic.store<i32>(sync + S_TICKET1, 0);
  }
  barrier(sync, nthreads);
  const B = gBatch;
  let nb = 1;
  if (gMode == 0) nb = load<i32>(ctx + T_DROP_LAST) != 0 ? numPairs / B : (numPairs + B - 1) / B;
  let lossSum: f64 = 0;
  let lastLoss: f64 = 0;
  for (let bi = 0; bi < nb; bi++) {
    const start = bi * B;
    const size = gMode == 0 ? min(B, numPairs - start) : load<i32>(ctx + T_EXPLICIT_SIZE);
    const t = step0 + bi + 1;
    const ticket = sync + ((bi & 1) != 0 ? S_TICKET1 : S_TICKET0);
    for (;;) {
      const b0 = atomic.add<i32>(ticket, 1) * CHUNK;
      if (b0 >= size) break;
      const b1 = min(b0 + CHUNK, size);
      // this thread fills all of the chunk's lists
      memory.fill(pCounts + (<usize>((b0 / CHUNK) * nthreads * 3) << 2), 0, <usize>(nthreads * 3) << 2);
      for (let b = b0; b < b1; b++) {
        if (gMode == 0 && b + 1 < b1) touchAhead(start + b + 1);
        sample(b, start + b, size);
      }
    }
    barrier(sync, nthreads);
    if (tid == 0) {
      // the other ticket is next used after two more barriers
      atomic.store<i32>(sync + ((bi & 1) != 0 ? S_TICKET0 : S_TICKET1), 0);
      let sum: f64 = 0;
      for (let b = 0; b < size; b++) sum += load<f64>(pSLoss + (<usize>b << 3));
      lastLoss = sum / <f64>size;
      lossSum += lastLoss;
    }
    accumulate(tid, size);
    // Under both, item gradients read user rows that other threads' optimiser steps change (and
    // vice versa). Under onebp / user_only, accumulation reads only rows no step changes or the
    // thread's own rows, so each thread steps its rows right away.
    if (gBackprop == 0) barrier(sync, nthreads);
    optimize(tid, nthreads, t);
    barrier(sync, nthreads);
    if (gBackprop != 0) {
      aggregate(tid, size, t);
      barrier(sync, nthreads);
    }
  }
  if (tid == 0) {
    store<i32>(ctx + T_STEP, step0 + nb);
    store<i32>(ctx + T_BATCHES_DONE, nb);
    store<f64>(ctx + F_LOSS_SUM, lossSum);
    store<f64>(ctx + F_LAST_LOSS, lastLoss);
  }
}
