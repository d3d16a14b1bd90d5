/**
 * Byte offsets of the propagation context, mirror of assembly/spmm-layout.ts (SparsePropagation
 * checks the size against the module's propagateCtxSize()).
 */
export const PropagateCtx = {
  n: 0,
  numUsers: 4,
  stride: 8,
  layers: 12,
  op: 16,
  indptr: 20,
  indices: 24,
  values: 28,
  srcUser: 32,
  srcItem: 36,
  dstUser: 40,
  dstItem: 44,
  bufA: 48,
  bufB: 52,
  sync: 56,
  size: 64,
} as const;

/** assembly/spmm-layout.ts OP_MULTIPLY, OP_PROPAGATE. */
export const PropagateOp = { multiply: 0, propagate: 1 } as const;

/**
 * Floats per row inside the kernels: dim rounded up to a multiple of 4 (f32x4), padding lanes
 * zero; the same rule as the fused trainer's tables (src/runtime/engine/fused/fused-trainer.ts
 * strideOf), restated here so that the kernels' glue does not depend on the engine.
 */
export const propagationStride = (dim: number): number => Math.ceil(dim / 4) * 4;
