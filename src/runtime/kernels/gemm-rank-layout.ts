// The GEMM ranking context and its tile are declared with the other layouts (kernel-layout.decl.mjs).
export { GEMM_MR, GEMM_NR, GemmRankCtx } from './kernel-layout.generated.js';
