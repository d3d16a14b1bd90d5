// The GEMM ranking context (GR_*, GEMM_MR, GEMM_NR) lives in the one generated layout, with the others.
export * from './layout.generated';
