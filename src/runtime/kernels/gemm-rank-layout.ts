/**
 * Byte offsets of the GEMM ranking context, mirror of assembly/gemm-rank-layout.ts (the wasm
 * ranker checks the size against the module's gemmRankCtxSize()).
 */
export const GemmRankCtx = {
  q: 0,
  numItems: 4,
  numItemsPadded: 8,
  dim: 12,
  k: 16,
  numExclude: 20,
  userBlock: 24,
  itemBlock: 28,
  dimBlock: 32,
  users: 36,
  items: 40,
  exclude: 44,
  userIds: 48,
  out: 52,
  scratch: 56,
  scratchSize: 60,
  sync: 64,
  size: 128,
} as const;

/** assembly/gemm-rank-layout.ts GEMM_MR, GEMM_NR: the micro-kernel's users x items. */
export const GEMM_MR = 5;
export const GEMM_NR = 8;
