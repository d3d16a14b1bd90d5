// The propagation context and its ops are declared with the other layouts (kernel-layout.decl.mjs).
export { PropagateCtx, PropagateOp } from './kernel-layout.generated.js';

/**
 * Floats per row inside the kernels: dim rounded up to a multiple of 4 (f32x4), padding lanes
 * zero; the same rule as the fused trainer's tables (src/runtime/engine/fused/fused-trainer.ts
 * strideOf), restated here so that the kernels' glue does not depend on the engine.
 */
export const propagationStride = (dim: number): number => Math.ceil(dim / 4) * 4;
