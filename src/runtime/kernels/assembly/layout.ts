// Byte offsets of the context blocks that the TypeScript side (../kernel-layout.ts) writes and
// the kernels read. The two files must agree; the glue checks
// trainCtxSize() / rankCtxSize() against its own sizes when it loads the module.

// ---- training context ----
// i32 fields
export const T_NUM_USERS: u32 = 0;
export const T_NUM_ITEMS: u32 = 4;
/** Floats per table row: dim rounded up to a multiple of 4 (the padding lanes stay zero). */
export const T_STRIDE: u32 = 8;
export const T_NEG: u32 = 12;
/** The schedule's batch size (the capacity of the batch buffers). */
export const T_BATCH: u32 = 16;
/** 0 = infonce, 1 = bpr */
export const T_LOSS: u32 = 20;
export const T_COSINE: u32 = 24;
/** 0 = both, 1 = onebp, 2 = user_only */
export const T_BACKPROP: u32 = 28;
export const T_DUP_SEQ: u32 = 32;
/** 0 = adam dense, 1 = adam lazy, 2 = sgd */
export const T_OPT: u32 = 36;
export const T_EXCLUDE: u32 = 40;
export const T_SEED: u32 = 44;
export const T_NUM_PAIRS: u32 = 48;
export const T_SHUFFLE: u32 = 52;
export const T_DROP_LAST: u32 = 56;
/** Optimiser steps taken before this call; thread 0 writes the new count at the end. */
export const T_STEP: u32 = 60;
export const T_EPOCH: u32 = 64;
/** The stream word of negative draws (negativesStream(epoch)). */
export const T_STREAM: u32 = 68;
/** 0 = a whole epoch (order, sampling inside), 1 = one explicit batch already in the batch buffers */
export const T_MODE: u32 = 72;
export const T_EXPLICIT_SIZE: u32 = 76;
/** Out: batches trained by the call. */
export const T_BATCHES_DONE: u32 = 80;
/** Samples a thread claims at a time in the forward pass; the unit of the bucket lists. */
export const CHUNK: i32 = 16;
// pointers
export const P_USER: u32 = 96;
export const P_ITEM: u32 = 100;
export const P_MU: u32 = 104;
export const P_VU: u32 = 108;
export const P_MI: u32 = 112;
export const P_VI: u32 = 116;
export const P_GU: u32 = 120;
export const P_GI: u32 = 124;
export const P_TOUCHU: u32 = 128;
export const P_TOUCHI: u32 = 132;
export const P_STAMPU: u32 = 136;
export const P_STAMPI: u32 = 140;
export const P_PAIR_U: u32 = 144;
export const P_PAIR_I: u32 = 148;
/** u64 per pair: the epoch's pairs in visiting order, user in the low word, item in the high word. */
export const P_ORDER: u32 = 152;
export const P_INDPTR: u32 = 156;
export const P_INDICES: u32 = 160;
export const P_BUSERS: u32 = 164;
export const P_BPOS: u32 = 168;
export const P_BNEG: u32 = 172;
/** f64 per sample: its loss. */
export const P_SLOSS: u32 = 176;
/**
 * f32, per sample 2 (negatives + 1) + 1 coefficients of its gradient: a_j, c_j (j = 0..n) and e,
 * with d/d item row j = a_j u + c_j v_j and d/d user row = sum_j a_j v_j + e u.
 */
export const P_CONTRIB: u32 = 180;
export const P_SYNC: u32 = 184;
/** f64 scratch, per sample (negatives + 1) x 3: scores, item norms, d loss / d score. */
export const P_COEF: u32 = 188;
/** u32 bitset of the positives, numUsers x ceil(numItems / 32) words; 0 = absent (binary search in the CSR). */
export const P_BITSET: u32 = 192;
/**
 * Per (chunk of samples, owner thread) lists that the forward pass fills, so that each owner
 * reads only its rows' work, in batch order: item entries (item, user, a, c: 16 bytes, up to
 * CHUNK x (negatives + 1) per list), user entries (sample index, up to CHUNK), moved-row entries
 * (sample index, up to CHUNK), and the i32 counts (3 per list).
 */
export const P_ITEM_BUCKETS: u32 = 196;
export const P_USER_BUCKETS: u32 = 200;
export const P_MOVE_BUCKETS: u32 = 204;
export const P_BUCKET_COUNTS: u32 = 208;
// f64 fields
export const F_TEMP: u32 = 256;
export const F_LR: u32 = 264;
export const F_B1: u32 = 272;
export const F_B2: u32 = 280;
export const F_EPS: u32 = 288;
export const F_WD: u32 = 296;
export const F_BETA: u32 = 304;
/** Out: sum over the call's batches of the mean batch loss. */
export const F_LOSS_SUM: u32 = 312;
/** Out: the mean loss of the call's last batch. */
export const F_LAST_LOSS: u32 = 320;
export const TRAIN_CTX_SIZE: u32 = 384;

// ---- synchronisation block (64-byte lines, so that counters do not share a cache line) ----
export const S_BARRIER_COUNT: u32 = 0;
export const S_BARRIER_GEN: u32 = 64;
export const S_TICKET0: u32 = 128;
export const S_TICKET1: u32 = 192;
export const SYNC_SIZE: u32 = 256;

// ---- ranking context ----
export const R_Q: u32 = 0;
export const R_NI: u32 = 4;
/** Items padded to a multiple of 8 (the score tile width). */
export const R_NIP: u32 = 8;
export const R_D: u32 = 12;
export const R_K: u32 = 16;
export const R_E: u32 = 20;
/** f32 Q x D: the requested users' rows. */
export const R_USERS: u32 = 24;
/** f32 D x NIP: item rows transposed (normalised for cosine), zero padding. */
export const R_ITEMS_T: u32 = 28;
/** i32 E x 2: (indptr pointer, indices pointer) of each exclusion set. */
export const R_EXCL: u32 = 32;
/** i32 Q: user ids (rows of the exclusion sets). */
export const R_UIDS: u32 = 36;
/** i32 Q x K: the result. */
export const R_OUT: u32 = 40;
export const R_SCRATCH: u32 = 44;
export const R_SCRATCH_SIZE: u32 = 48;
export const R_SYNC: u32 = 52;
export const RANK_CTX_SIZE: u32 = 64;
/** Users scored together by the micro-kernel. */
export const RANK_USER_BLOCK: i32 = 4;
