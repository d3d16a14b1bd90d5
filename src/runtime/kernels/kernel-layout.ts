// The kernels' memory layouts (TrainCtx, SyncBlock, RankCtx, PropagateCtx, the shared constants
// and codes): generated from kernel-layout.decl.mjs, with assembly/layout.generated.ts as their
// mirror in the kernels. Declare nothing here: change the declaration and build.
export * from './kernel-layout.generated.js';
