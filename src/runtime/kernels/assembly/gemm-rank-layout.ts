// Byte offsets of the GEMM ranking context, which the TypeScript side (../gemm-rank-layout.ts)
// writes and gemm-rank.ts reads. The two files must agree; the glue checks gemmRankCtxSize()
// against its own size when it loads the module.

// i32 fields
/** Users of this call (the glue calls once per chunk of users, so memory stays flat). */
export const GR_Q: u32 = 0;
export const GR_NI: u32 = 4;
/** Items padded to a multiple of GEMM_NR (the packed table's panel width). */
export const GR_NIP: u32 = 8;
export const GR_D: u32 = 12;
export const GR_K: u32 = 16;
/** Exclusion sets (at most MAX_EXCLUDE). */
export const GR_E: u32 = 20;
/** Blocking: users per block (multiple of GEMM_MR), items per block (multiple of GEMM_NR), dims per block. */
export const GR_MB: u32 = 24;
export const GR_NB: u32 = 28;
export const GR_KB: u32 = 32;
// pointers
/** f32 Q x D row-major: the chunk's user rows. */
export const GR_USERS: u32 = 36;
/** f32 (NIP / NR) panels of D x NR: item i, dim j at ((i / NR) * D + j) * NR + i % NR; zero padding. */
export const GR_ITEMS: u32 = 40;
/** i32 E x 2: (indptr pointer, indices pointer) of each exclusion set. */
export const GR_EXCL: u32 = 44;
/** i32 Q: user ids (rows of the exclusion sets). */
export const GR_UIDS: u32 = 48;
/** i32 Q x K: the result. */
export const GR_OUT: u32 = 52;
export const GR_SCRATCH: u32 = 56;
export const GR_SCRATCH_SIZE: u32 = 60;
/** The sync block (SYNC_SIZE bytes, layout.ts): S_TICKET0 hands out user blocks. */
export const GR_SYNC: u32 = 64;
export const GEMM_RANK_CTX_SIZE: u32 = 128;

/** Micro-kernel: MR users x NR items of scores in registers (10 f32x4 accumulators; see gemm-rank.ts tile). */
export const GEMM_MR: i32 = 5;
export const GEMM_NR: i32 = 8;
