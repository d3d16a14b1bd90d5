// The training context (TrainCtx, layout.generated.ts) copied into this instance's globals, which
// every seam of the epoch (train-*.ts) reads; each thread has its own instance, so its own copy.
// Also the small indexing rules that the seams share: candidates of a sample, row ownership,
// bucket lists.
import {
  BACKPROP_ONEBP, BACKPROP_USER_ONLY, CHUNK, LOSS_BPR,
  F_B1, F_B2, F_BETA, F_EPS, F_LR, F_TEMP, F_WD,
  P_BITSET, P_BUCKET_COUNTS, P_ITEM_BUCKETS, P_MOVE_BUCKETS, P_USER_BUCKETS, P_BNEG, P_BPOS, P_BUSERS, P_COEF, P_CONTRIB, P_GI, P_GU, P_INDICES, P_INDPTR, P_ITEM, P_MI, P_MU,
  P_ORDER, P_PAIR_I, P_PAIR_U, P_SLOSS, P_STAMPI, P_STAMPU, P_TOUCHI, P_TOUCHU, P_USER, P_VI, P_VU,
  T_BACKPROP, T_BATCH, T_COSINE, T_DUP_SEQ, T_EXCLUDE,
  T_LOSS, T_MODE, T_NEG, T_NUM_ITEMS, T_NUM_USERS, T_OPT, T_SEED, T_STREAM, T_STRIDE,
} from './layout';

export let gNumUsers: i32 = 0;
export let gNumItems: i32 = 0;
export let gS: i32 = 0;
export let gRowBytes: usize = 0;
export let gN: i32 = 0;
export let gBatch: i32 = 0;
export let gBpr: bool = false;
export let gCos: bool = false;
export let gBackprop: i32 = 0;
export let gUserGrad: bool = false;
export let gItemGrad: bool = false;
export let gDupSeq: bool = false;
export let gOpt: i32 = 0;
export let gExclude: bool = false;
export let gSeed: u32 = 0;
export let gStream: u32 = 0;
export let gMode: i32 = 0;
export let pUser: usize = 0;
export let pItem: usize = 0;
export let pMU: usize = 0;
export let pVU: usize = 0;
export let pMI: usize = 0;
export let pVI: usize = 0;
export let pGU: usize = 0;
export let pGI: usize = 0;
export let pTouchU: usize = 0;
export let pTouchI: usize = 0;
export let pStampU: usize = 0;
export let pStampI: usize = 0;
export let pPairU: usize = 0;
export let pPairI: usize = 0;
export let pOrder: usize = 0;
export let pIndptr: usize = 0;
export let pIndices: usize = 0;
export let pBUsers: usize = 0;
export let pBPos: usize = 0;
export let pBNeg: usize = 0;
export let pSLoss: usize = 0;
export let pContrib: usize = 0;
export let pCoef: usize = 0;
export let pBitset: usize = 0;
export let pItemBuckets: usize = 0;
export let pUserBuckets: usize = 0;
export let pMoveBuckets: usize = 0;
export let pCounts: usize = 0;
/** Threads of the current call: the owners that bucket lists are kept for. */
export let gThreads: i32 = 1;
export let fTemp: f64 = 1;
export let fLr: f64 = 0;
export let fB1: f64 = 0;
export let fB2: f64 = 0;
export let fEps: f64 = 0;
export let fWd: f64 = 0;
export let fBeta: f64 = 0;

export function loadCtx(ctx: usize, nthreads: i32): void {
  gNumUsers = load<i32>(ctx + T_NUM_USERS);
  gNumItems = load<i32>(ctx + T_NUM_ITEMS);
  gS = load<i32>(ctx + T_STRIDE);
  gRowBytes = <usize>gS << 2;
  gN = load<i32>(ctx + T_NEG);
  gBatch = load<i32>(ctx + T_BATCH);
  gBpr = load<i32>(ctx + T_LOSS) == LOSS_BPR;
  gCos = load<i32>(ctx + T_COSINE) != 0;
  gBackprop = load<i32>(ctx + T_BACKPROP);
  gUserGrad = gBackprop != BACKPROP_ONEBP;
  gItemGrad = gBackprop != BACKPROP_USER_ONLY;
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
  gThreads = nthreads;
}

/** Item j of sample b: j = 0 the positive, j >= 1 negative j - 1. */
@inline
export function itemOf(b: i32, j: i32): i32 {
  return j == 0 ? load<i32>(pBPos + (<usize>b << 2)) : load<i32>(pBNeg + (<usize>(b * gN + j - 1) << 2));
}

/** First row of thread tid's share of `rows`: shares are contiguous id ranges, so each row has one owner. */
@inline
export function rangeStart(tid: i32, nthreads: i32, rows: i32): i32 {
  return <i32>((<i64>tid * <i64>rows) / <i64>nthreads);
}

/** The thread whose share (rangeStart) holds `row`. */
@inline
export function ownerOf(row: i32, rows: i32): i32 {
  return <i32>(((<i64>row + 1) * <i64>gThreads - 1) / <i64>rows);
}

/** Bucket list of (chunk of sample b, owner t), and its three counts (item, user, moved entries). */
@inline
export function listOf(b: i32, t: i32): i32 {
  return (b / CHUNK) * gThreads + t;
}

/** Count `kind` (0 item, 1 user, 2 moved entries) of `list`, post-incremented: the slot of a new entry. */
@inline
export function bump(list: i32, kind: i32): i32 {
  const p = pCounts + (<usize>(list * 3 + kind) << 2);
  const k = load<i32>(p);
  store<i32>(p, k + 1);
  return k;
}
