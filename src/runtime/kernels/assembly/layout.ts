// The kernels' memory layouts: generated from kernel-layout.decl.mjs (DO NOT declare offsets here).
export * from './layout.generated';
