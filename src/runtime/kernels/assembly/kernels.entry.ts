// The fused training and ranking kernels: one module, instantiated once per thread on a shared
// memory whose buffers the TypeScript glue lays out (nothing is allocated in here).
import { RANK_CTX_SIZE, SYNC_SIZE, TRAIN_CTX_SIZE } from './layout';
import { PROPAGATE_CTX_SIZE } from './spmm-layout';
import { boundedFrom, hash4, shuffleI32 } from './rng';
import { drawNegatives } from './sampler';

export { trainRun } from './train';
export { rankRun, MAX_EXCLUDE } from './rank';
export { propagateRun } from './spmm';
/** The glue compares it with its LAYOUT_HASH when it loads the module (kernel-module.ts). */
export { layoutHash } from './layout';

/** First free byte after the module's static data: the glue's layout starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

export function trainCtxSize(): u32 {
  return TRAIN_CTX_SIZE;
}

export function rankCtxSize(): u32 {
  return RANK_CTX_SIZE;
}

export function propagateCtxSize(): u32 {
  return PROPAGATE_CTX_SIZE;
}

export function syncSize(): u32 {
  return SYNC_SIZE;
}

// For the tests that pin the kernels to src/core/rng.ts and src/runtime/samplers/uniform.ts.

export function hash4At(seed: u32, stream: u32, a: u32, b: u32): u32 {
  return hash4(seed, stream, a, b);
}

export function boundedAt(h: u32, n: u32): u32 {
  return boundedFrom(h, n);
}

export function shuffleAt(a: usize, len: i32, seed: u32, stream: u32, key: u32): void {
  shuffleI32(a, len, seed, stream, key);
}

export function drawNegativesAt(
  out: usize, n: i32, user: i32, position: i32, seed: u32, stream: u32, numItems: i32, exclude: i32, indptr: usize, indices: usize, bits: usize,
): void {
  drawNegatives(out, n, user, position, seed, stream, numItems, exclude != 0, indptr, indices, bits);
}

// The GEMM-class ranker (gemm-rank.ts), with its own context layout (gemm-rank-layout.ts).
export { gemmRankRun, gemmRankScratchBytes } from './gemm-rank';
import { GEMM_RANK_CTX_SIZE } from './gemm-rank-layout';

export function gemmRankCtxSize(): u32 {
  return GEMM_RANK_CTX_SIZE;
}

// Dense products of training steps (gemm.ts): shared-candidate scores and their gradients.
export { gemmRun } from './gemm';
import { GEMM_CTX_SIZE } from './layout';

export function gemmCtxSize(): u32 {
  return GEMM_CTX_SIZE;
}

// InfoNCE rows of a shared-candidate score block (softmax-rows.ts).
export { softmaxRowsRun } from './softmax-rows';
import { SOFTMAX_ROWS_CTX_SIZE } from './layout';

export function softmaxRowsCtxSize(): u32 {
  return SOFTMAX_ROWS_CTX_SIZE;
}

// Dense Adam over a table (adam-dense.ts): the graph trainer's optimiser step.
export { adamDenseRun } from './adam-dense';
import { ADAM_DENSE_CTX_SIZE } from './layout';

export function adamDenseCtxSize(): u32 {
  return ADAM_DENSE_CTX_SIZE;
}
