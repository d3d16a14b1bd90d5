// Byte offsets of the propagation context, which the TypeScript side
// (../propagation-layout.ts) writes and spmm.ts reads. The two files must agree; the glue checks
// propagateCtxSize() against its own size when it loads the module.

// i32 fields
/** Rows of the adjacency: numUsers + numItems. */
export const G_N: u32 = 0;
/** Rows [0, numUsers) are users, the rest items; a user row's columns are all items and vice versa. */
export const G_NUM_USERS: u32 = 4;
/** Floats per table row: dim rounded up to a multiple of 4 (the padding lanes stay zero). */
export const G_STRIDE: u32 = 8;
/** K, the number of propagation layers (OP_PROPAGATE only). */
export const G_LAYERS: u32 = 12;
export const G_OP: u32 = 16;
// pointers: the CSR of the normalised adjacency
export const G_INDPTR: u32 = 20;
export const G_INDICES: u32 = 24;
export const G_VALUES: u32 = 28;
// pointers: tables as (user rows, item rows) pairs, so that a trainer's separate tables serve directly
export const G_SRC_U: u32 = 32;
export const G_SRC_I: u32 = 36;
export const G_DST_U: u32 = 40;
export const G_DST_I: u32 = 44;
/** Two n x stride layer buffers (users then items, contiguous): layer k < K goes to buffer (k - 1) & 1. */
export const G_BUF_A: u32 = 48;
export const G_BUF_B: u32 = 52;
/** The barrier block (SYNC_SIZE bytes, see layout.ts). */
export const G_SYNC: u32 = 56;
export const PROPAGATE_CTX_SIZE: u32 = 64;

/** dst = Â src: one sparse x dense product. */
export const OP_MULTIPLY: i32 = 0;
/**
 * dst = 1/(K+1) sum_{k=0..K} Â^k src. Forward (src = E^(0)) and backward (src = dL/dE) are this
 * same recurrence because Â is symmetric: dL/dE^(0) = 1/(K+1) sum_k (Â^T)^k G = 1/(K+1) sum_k Â^k G.
 */
export const OP_PROPAGATE: i32 = 1;
