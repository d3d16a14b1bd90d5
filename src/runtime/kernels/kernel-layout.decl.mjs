// The one declaration of the memory shared by the TypeScript glue and the WebAssembly kernels:
// every context block (fields in order, with their types), the shared constants and the codes.
// scripts/gen-kernel-layouts.mjs computes the byte offsets (natural alignment: i32, u32 and ptr
// 4 bytes, f64 8) and writes assembly/layout.generated.ts and kernel-layout.generated.ts, which
// are checked in; scripts/build.mjs regenerates them before compiling, and
// test/runtime/kernels/kernel-layout.test.ts fails when they are stale.
//
// To add a field: append it to its group (`{ at }` starts a group on a fresh cache line, which
// leaves room, so that a new field moves no other offset), then build. Fields are
// [TypeScript name, AssemblyScript name, type, doc?].

/** @typedef {[string, string, 'i32' | 'u32' | 'f64' | 'ptr', string?] | { at: number, doc?: string }} FieldDecl */

export const STRUCTS = [
  {
    ts: 'TrainCtx',
    asSize: 'TRAIN_CTX_SIZE',
    doc: 'The MF training context (assembly/train.ts): the TypeScript side writes it, trainRun reads it and writes the out fields.',
    /** @type {FieldDecl[]} */
    fields: [
      { at: 0, doc: 'i32 fields' },
      ['numUsers', 'T_NUM_USERS', 'i32'],
      ['numItems', 'T_NUM_ITEMS', 'i32'],
      ['stride', 'T_STRIDE', 'i32', 'Floats per table row: dim rounded up to a multiple of 4 (the padding lanes stay zero).'],
      ['negatives', 'T_NEG', 'i32'],
      ['batch', 'T_BATCH', 'i32', "The schedule's batch size (the capacity of the batch buffers)."],
      ['loss', 'T_LOSS', 'i32', 'LossCode.'],
      ['cosine', 'T_COSINE', 'i32'],
      ['backprop', 'T_BACKPROP', 'i32', 'BackpropCode.'],
      ['dupSequential', 'T_DUP_SEQ', 'i32'],
      ['optimizer', 'T_OPT', 'i32', 'OptimizerCode.'],
      ['exclude', 'T_EXCLUDE', 'i32'],
      ['seed', 'T_SEED', 'u32'],
      ['numPairs', 'T_NUM_PAIRS', 'i32'],
      ['shuffle', 'T_SHUFFLE', 'i32'],
      ['dropLast', 'T_DROP_LAST', 'i32'],
      ['step', 'T_STEP', 'i32', 'Optimiser steps taken before this call; thread 0 writes the new count at the end.'],
      ['epoch', 'T_EPOCH', 'u32'],
      ['stream', 'T_STREAM', 'u32', 'The stream word of negative draws (negativesStream(epoch)).'],
      ['mode', 'T_MODE', 'i32', 'TrainMode: a whole epoch (order, sampling inside) or one explicit batch already in the batch buffers.'],
      ['explicitSize', 'T_EXPLICIT_SIZE', 'i32'],
      ['batchesDone', 'T_BATCHES_DONE', 'i32', 'Out: batches trained by the call.'],
      { at: 96, doc: 'pointers' },
      ['user', 'P_USER', 'ptr'],
      ['item', 'P_ITEM', 'ptr'],
      ['mUser', 'P_MU', 'ptr'],
      ['vUser', 'P_VU', 'ptr'],
      ['mItem', 'P_MI', 'ptr'],
      ['vItem', 'P_VI', 'ptr'],
      ['gUser', 'P_GU', 'ptr'],
      ['gItem', 'P_GI', 'ptr'],
      ['touchUser', 'P_TOUCHU', 'ptr'],
      ['touchItem', 'P_TOUCHI', 'ptr'],
      ['stampUser', 'P_STAMPU', 'ptr'],
      ['stampItem', 'P_STAMPI', 'ptr'],
      ['pairUsers', 'P_PAIR_U', 'ptr'],
      ['pairItems', 'P_PAIR_I', 'ptr'],
      ['order', 'P_ORDER', 'ptr', "u64 per pair: the epoch's pairs in visiting order, user in the low word, item in the high word."],
      ['indptr', 'P_INDPTR', 'ptr'],
      ['indices', 'P_INDICES', 'ptr'],
      ['batchUsers', 'P_BUSERS', 'ptr'],
      ['batchPos', 'P_BPOS', 'ptr'],
      ['batchNeg', 'P_BNEG', 'ptr'],
      ['sampleLoss', 'P_SLOSS', 'ptr', 'f64 per sample: its loss.'],
      ['contrib', 'P_CONTRIB', 'ptr', 'f32, per sample 2 (negatives + 1) + 1 coefficients of its gradient: a_j, c_j (j = 0..n) and e, with d/d item row j = a_j u + c_j v_j and d/d user row = sum_j a_j v_j + e u.'],
      ['sync', 'P_SYNC', 'ptr', 'The SyncBlock of the call.'],
      ['coef', 'P_COEF', 'ptr', 'f64 scratch, per sample (negatives + 1) x 3: scores, item norms, d loss / d score.'],
      ['bitset', 'P_BITSET', 'ptr', 'u32 bitset of the positives, numUsers x ceil(numItems / 32) words; 0 = absent (binary search in the CSR).'],
      ['itemBuckets', 'P_ITEM_BUCKETS', 'ptr', "Per (chunk of samples, owner thread) lists that the forward pass fills, so that each owner reads only its rows' work, in batch order: item entries (item, user, a, c: 16 bytes, up to TRAIN_CHUNK x (negatives + 1) per list)."],
      ['userBuckets', 'P_USER_BUCKETS', 'ptr', 'User entries (sample index, up to TRAIN_CHUNK per list).'],
      ['moveBuckets', 'P_MOVE_BUCKETS', 'ptr', 'Moved-row entries (sample index, up to TRAIN_CHUNK per list).'],
      ['bucketCounts', 'P_BUCKET_COUNTS', 'ptr', 'i32 counts, 3 per list: item, user, moved entries.'],
      { at: 256, doc: 'f64 fields' },
      ['temperature', 'F_TEMP', 'f64'],
      ['lr', 'F_LR', 'f64'],
      ['beta1', 'F_B1', 'f64'],
      ['beta2', 'F_B2', 'f64'],
      ['eps', 'F_EPS', 'f64'],
      ['weightDecay', 'F_WD', 'f64'],
      ['beta', 'F_BETA', 'f64'],
      ['lossSum', 'F_LOSS_SUM', 'f64', "Out: sum over the call's batches of the mean batch loss."],
      ['lastLoss', 'F_LAST_LOSS', 'f64', "Out: the mean loss of the call's last batch."],
    ],
  },
  {
    ts: 'SyncBlock',
    asSize: 'SYNC_SIZE',
    tsSize: 'SYNC_SIZE',
    doc: 'The synchronisation block of a parallel kernel call (assembly/sync.ts, the tickets of the work queues).',
    // one field per 64-byte line, so that counters that different threads hit do not share a cache line
    fieldAlign: 64,
    fields: [
      ['barrierCount', 'S_BARRIER_COUNT', 'i32'],
      ['barrierGen', 'S_BARRIER_GEN', 'i32'],
      ['ticket0', 'S_TICKET0', 'i32'],
      ['ticket1', 'S_TICKET1', 'i32'],
    ],
  },
  {
    ts: 'RankCtx',
    asSize: 'RANK_CTX_SIZE',
    doc: 'The full-ranking context (assembly/rank.ts).',
    fields: [
      ['q', 'R_Q', 'i32'],
      ['numItems', 'R_NI', 'i32'],
      ['numItemsPadded', 'R_NIP', 'i32', 'Items padded to a multiple of RANK_ITEM_TILE (the score tile width).'],
      ['dim', 'R_D', 'i32'],
      ['k', 'R_K', 'i32'],
      ['numExclude', 'R_E', 'i32'],
      ['users', 'R_USERS', 'ptr', "f32 Q x D: the requested users' rows."],
      ['itemsT', 'R_ITEMS_T', 'ptr', 'f32 D x NIP: item rows transposed (normalised for cosine), zero padding.'],
      ['exclude', 'R_EXCL', 'ptr', 'i32 E x 2: (indptr pointer, indices pointer) of each exclusion set.'],
      ['userIds', 'R_UIDS', 'ptr', 'i32 Q: user ids (rows of the exclusion sets).'],
      ['out', 'R_OUT', 'ptr', 'i32 Q x K: the result.'],
      ['scratch', 'R_SCRATCH', 'ptr'],
      ['scratchSize', 'R_SCRATCH_SIZE', 'i32'],
      ['sync', 'R_SYNC', 'ptr'],
    ],
  },
  {
    ts: 'GemmRankCtx',
    asSize: 'GEMM_RANK_CTX_SIZE',
    doc: 'The GEMM-class full-ranking context (assembly/gemm-rank.ts).',
    fields: [
      ['q', 'GR_Q', 'i32', 'Users of this call (the glue calls once per chunk of users, so memory stays flat).'],
      ['numItems', 'GR_NI', 'i32'],
      ['numItemsPadded', 'GR_NIP', 'i32', "Items padded to a multiple of GEMM_NR (the packed table's panel width)."],
      ['dim', 'GR_D', 'i32'],
      ['k', 'GR_K', 'i32'],
      ['numExclude', 'GR_E', 'i32', 'Exclusion sets (at most MAX_EXCLUDE).'],
      ['userBlock', 'GR_MB', 'i32', 'Blocking: users per block (multiple of GEMM_MR), items per block (multiple of GEMM_NR), dims per block.'],
      ['itemBlock', 'GR_NB', 'i32'],
      ['dimBlock', 'GR_KB', 'i32'],
      ['users', 'GR_USERS', 'ptr', "f32 Q x D row-major: the chunk's user rows."],
      ['items', 'GR_ITEMS', 'ptr', 'f32 (NIP / NR) panels of D x NR: item i, dim j at ((i / NR) * D + j) * NR + i % NR; zero padding.'],
      ['exclude', 'GR_EXCL', 'ptr', 'i32 E x 2: (indptr pointer, indices pointer) of each exclusion set.'],
      ['userIds', 'GR_UIDS', 'ptr', 'i32 Q: user ids (rows of the exclusion sets).'],
      ['out', 'GR_OUT', 'ptr', 'i32 Q x K: the result.'],
      ['scratch', 'GR_SCRATCH', 'ptr'],
      ['scratchSize', 'GR_SCRATCH_SIZE', 'i32'],
      ['sync', 'GR_SYNC', 'ptr', 'The sync block: S_TICKET0 hands out user blocks.'],
    ],
  },
  {
    ts: 'GemmCtx',
    asSize: 'GEMM_CTX_SIZE',
    doc: 'A dense product C (+)= A B of a training step (assembly/gemm.ts): A through strides, B and C row-major.',
    fields: [
      ['m', 'M_M', 'i32', 'Rows of C and A (a multiple of 4: the glue pads).'],
      ['n', 'M_N', 'i32', 'Columns of C and B (a multiple of 4).'],
      ['k', 'M_K', 'i32', 'The inner dimension: columns of A, rows of B.'],
      ['kBlock', 'M_KB', 'i32', 'Inner-dimension block: B panels of kBlock x 8 stay in L1.'],
      ['a', 'M_A', 'ptr', 'f32 A(i, p) at a + 4 (i * aRowStride + p * aColStride).'],
      ['aRowStride', 'M_ARS', 'i32'],
      ['aColStride', 'M_ACS', 'i32'],
      ['b', 'M_B', 'ptr', 'f32 B(p, j) at b + 4 (p * ldb + j), 16-byte aligned rows.'],
      ['ldb', 'M_LDB', 'i32'],
      ['c', 'M_C', 'ptr', 'f32 C(i, j) at c + 4 (i * ldc + j), 16-byte aligned rows.'],
      ['ldc', 'M_LDC', 'i32'],
      ['accumulate', 'M_ACC', 'i32', '1: C += A B; 0: C = A B.'],
    ],
  },
  {
    ts: 'PropagateCtx',
    asSize: 'PROPAGATE_CTX_SIZE',
    doc: "The propagation context (assembly/spmm.ts, LightGCN's sparse propagation).",
    fields: [
      ['n', 'G_N', 'i32', 'Rows of the adjacency: numUsers + numItems.'],
      ['numUsers', 'G_NUM_USERS', 'i32', "Rows [0, numUsers) are users, the rest items; a user row's columns are all items and vice versa."],
      ['stride', 'G_STRIDE', 'i32', 'Floats per table row: dim rounded up to a multiple of 4 (the padding lanes stay zero).'],
      ['layers', 'G_LAYERS', 'i32', 'K, the number of propagation layers (PropagateOp.propagate only).'],
      ['op', 'G_OP', 'i32', 'PropagateOp.'],
      ['indptr', 'G_INDPTR', 'ptr', 'The CSR of the normalised adjacency.'],
      ['indices', 'G_INDICES', 'ptr'],
      ['values', 'G_VALUES', 'ptr'],
      ['srcUser', 'G_SRC_U', 'ptr', "Tables as (user rows, item rows) pairs, so that a trainer's separate tables serve directly."],
      ['srcItem', 'G_SRC_I', 'ptr'],
      ['dstUser', 'G_DST_U', 'ptr'],
      ['dstItem', 'G_DST_I', 'ptr'],
      ['bufA', 'G_BUF_A', 'ptr', 'Two n x stride layer buffers (users then items, contiguous): layer k < K goes to buffer (k - 1) & 1.'],
      ['bufB', 'G_BUF_B', 'ptr'],
      ['sync', 'G_SYNC', 'ptr', 'The SyncBlock.'],
    ],
  },
];

/** Shared scalar constants: [TypeScript name, AssemblyScript name, value, doc]. */
export const CONSTANTS = [
  ['TRAIN_CHUNK', 'CHUNK', 16, 'Samples a thread claims at a time in the training forward pass; the unit of the bucket lists.'],
  ['RANK_USER_BLOCK', 'RANK_USER_BLOCK', 4, 'Users the ranking micro-kernel scores together.'],
  ['RANK_ITEM_TILE', 'RANK_ITEM_TILE', 8, 'Item tile width of the ranking micro-kernel: items are padded to a multiple of it.'],
  ['GEMM_MR', 'GEMM_MR', 5, 'Users of the GEMM ranker\'s register tile (10 f32x4 accumulators with GEMM_NR).'],
  ['GEMM_NR', 'GEMM_NR', 8, 'Items of the GEMM ranker\'s register tile: packed item panels are this wide.'],
];

/**
 * Codes written into i32 fields. TypeScript: `LossCode.bpr`; AssemblyScript: the prefix plus the
 * key in capitals, '-' as '_' (`LOSS_BPR`, `OPT_ADAM_LAZY`); `docs` is optional, per key.
 */
export const CODES = [
  { ts: 'LossCode', asPrefix: 'LOSS_', values: { infonce: 0, bpr: 1 } },
  { ts: 'BackpropCode', asPrefix: 'BACKPROP_', values: { both: 0, onebp: 1, user_only: 2 } },
  { ts: 'OptimizerCode', asPrefix: 'OPT_', values: { 'adam-dense': 0, 'adam-lazy': 1, sgd: 2 } },
  { ts: 'TrainMode', asPrefix: 'MODE_', values: { epoch: 0, batch: 1 } },
  {
    ts: 'PropagateOp',
    asPrefix: 'OP_',
    values: { multiply: 0, propagate: 1 },
    docs: {
      multiply: 'dst = Â src: one sparse x dense product.',
      propagate:
        'dst = 1/(K+1) sum_{k=0..K} Â^k src. Forward (src = E^(0)) and backward (src = dL/dE) are this same recurrence because Â is symmetric: dL/dE^(0) = 1/(K+1) sum_k (Â^T)^k G = 1/(K+1) sum_k Â^k G.',
    },
  },
];
