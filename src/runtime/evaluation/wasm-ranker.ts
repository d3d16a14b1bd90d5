import { InternalError } from '../../core/errors.js';
import { GEMM_MR, GEMM_NR, GemmRankCtx } from '../kernels/gemm-rank-layout.js';
import { KernelPool } from '../kernels/kernel-pool.js';
import { RANK_ITEM_TILE, RANK_USER_BLOCK, RankCtx, SYNC_SIZE } from '../kernels/kernel-layout.js';
import { checkRankRequest, NORM_FLOOR } from './js-ranker.js';
import type { RankRequest, Ranker } from './rank.js';

/** Block sizes of the GEMM kernel: users per block, items per block, dimensions per block. */
export interface GemmBlocking {
  users: number;
  items: number;
  dims: number;
}

/**
 * The default blocking for dimension d (derived for the 2-core EPYC's 32 KiB L1d and 1 MiB L2 per
 * core; any values give the same results, only the speed changes):
 * - dims: the whole row when d <= 320, else 256: one tile's user slice (5 x 256 floats = 5 KiB)
 *   and item slice (8 x 256 floats = 8 KiB) then sit in L1 together, and partial sums are stored
 *   and reloaded only once per 256 dimensions (20 vector loads + stores per 5120 mul+add);
 * - items: NB x dims x 4 bytes ~ 256 KiB of packed item panels per block (1024 items at d = 64,
 *   256 at d >= 256), which stay in L2 while every micro-panel of the user block passes over them;
 * - users: 60 per block (12 micro-panels of 5): the item table is streamed from memory once per 60
 *   users, 120 flops per 4-byte item value, so at ~50 GFLOP/s DRAM (or L3) needs only ~1.7 GB/s.
 */
export function defaultBlocking(d: number): GemmBlocking {
  const dims = d <= 320 ? d : 256;
  const items = Math.max(GEMM_NR, Math.floor(65536 / dims / GEMM_NR) * GEMM_NR);
  return { users: 12 * GEMM_MR, items, dims };
}

/** Users per kernel call: their rows are copied into kernel memory chunk by chunk (flat memory for any number of users). */
const CHUNK_BYTES = 16 << 20;

export interface WasmRankerOptions {
  threads: number;
  /** 'gemm' (default): assembly/gemm-rank.ts; 'tile4': the former kernel assembly/rank.ts (a reference, same scores). */
  kernel?: 'gemm' | 'tile4';
  /** Overrides defaultBlocking(d) (tests use tiny blocks to exercise every path). */
  blocking?: GemmBlocking;
  /** Users per kernel call (default: as many as fit in 16 MiB of rows, at least one block). */
  chunkUsers?: number;
}

/** Item rows, normalised for cosine exactly as the former kernel's glue did (f64 product rounded to f32). */
function itemScale(V: Float32Array, numItems: number, d: number, cosine: boolean): Float64Array {
  const inv = new Float64Array(numItems).fill(1);
  if (cosine)
    for (let i = 0; i < numItems; i++) {
      const o = i * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += V[o + j]! * V[o + j]!;
      inv[i] = 1 / Math.max(Math.sqrt(s), NORM_FLOOR);
    }
  return inv;
}

/**
 * Full ranking on the WebAssembly kernels, on all the threads it is given. The default kernel
 * (src/runtime/kernels/assembly/gemm-rank.ts) is of GEMM class: items packed once into panels
 * of 8 (d x 8 floats each), users in blocks of 60 packed into micro-panels of 5, a 5 x 8
 * register tile accumulated over dimension blocks that stay in L1 and item blocks that stay in
 * L2, and the mask and the bounded top-K fused into the tiles behind a SIMD threshold test.
 * Users are processed in chunks (memory stays flat). Scores are float32, computed exactly as
 * the former kernel (assembly/rank.ts, still available as kernel: 'tile4') computes them, so
 * both return the same items in the same order, bit for bit; ties go to the lower item id.
 */
export async function createWasmRanker(options: WasmRankerOptions): Promise<Ranker & { dispose(): Promise<void> }> {
  const threads = Math.max(1, Math.min(64, Math.floor(options.threads) || 1));
  const kernel = options.kernel ?? 'gemm';
  const pool = await KernelPool.create(threads);
  if (pool.kernels.rankCtxSize() !== RankCtx.size || pool.kernels.syncSize() !== SYNC_SIZE || pool.kernels.gemmRankCtxSize() !== GemmRankCtx.size) {
    await pool.dispose();
    throw new InternalError('wasm ranker: the kernel build does not match src/runtime/kernels/{kernel,gemm-rank}-layout.ts (rebuild)');
  }
  if (options.blocking) {
    const b = options.blocking;
    if (!(b.users > 0 && b.users % GEMM_MR === 0 && b.items > 0 && b.items % GEMM_NR === 0 && Number.isInteger(b.dims) && b.dims > 0))
      throw new InternalError(`wasm ranker: blocking needs users a multiple of ${GEMM_MR}, items a multiple of ${GEMM_NR}, dims >= 1; got ${JSON.stringify(b)}`);
  }
  const maxExclude = pool.kernels.MAX_EXCLUDE.value as number;
  const base = pool.mark();
  const topK = kernel === 'gemm' ? gemmTopK : tile4TopK;
  return {
    name: kernel === 'gemm' ? `wasm-gemm x${threads}` : `wasm-simd x${threads}`,
    async topK(req: RankRequest): Promise<Int32Array> {
      const { numItems } = checkRankRequest(req);
      if (req.users.length === 0) return new Int32Array(0);
      if (req.exclude.length > maxExclude) throw new InternalError(`wasm ranker: at most ${maxExclude} exclusion sets, got ${req.exclude.length}`);
      pool.release(base);
      return topK(pool, threads, req, numItems, options);
    },
    dispose: () => pool.dispose(),
  };
}

/** Copies the exclusion sets' CSR into pool memory; returns the (indptr, indices) pointer table. */
function copyExclusions(pool: KernelPool, req: RankRequest): number {
  const a = (bytes: number) => pool.alloc(bytes);
  const excl = a(Math.max(1, req.exclude.length) * 8);
  req.exclude.forEach((e, x) => {
    const indptr = a((e.numUsers + 1) * 4);
    const indices = a(e.nnz * 4);
    pool.i32(indptr, e.numUsers + 1).set(e.indptr.subarray(0, e.numUsers + 1));
    pool.i32(indices, e.nnz).set(e.indices.subarray(0, e.nnz));
    const E = pool.i32(excl, req.exclude.length * 2);
    E[2 * x] = indptr;
    E[2 * x + 1] = indices;
  });
  return excl;
}

async function gemmTopK(pool: KernelPool, threads: number, req: RankRequest, numItems: number, options: WasmRankerOptions): Promise<Int32Array> {
  const { tables, users, exclude, k } = req;
  const Q = users.length;
  const d = tables.dim;
  const b = options.blocking ?? defaultBlocking(d);
  const nip = Math.ceil(numItems / GEMM_NR) * GEMM_NR;
  const chunk = Math.max(1, Math.floor(options.chunkUsers ?? Math.max(b.users, Math.floor(CHUNK_BYTES / (d * 4) / b.users) * b.users)));
  const cq = Math.min(Q, chunk);
  const a = (bytes: number) => pool.alloc(bytes);
  const ctx = a(GemmRankCtx.size);
  const sync = a(SYNC_SIZE);
  const items = a(nip * d * 4);
  const excl = copyExclusions(pool, req);
  const userRows = a(cq * d * 4);
  const uids = a(cq * 4);
  const out = a(cq * k * 4);
  const scratchSize = pool.kernels.gemmRankScratchBytes(b.users, b.items, b.dims, d, k, exclude.length);
  const scratch = a(threads * scratchSize);

  // items packed into panels of NR: item i, dim j at ((i / NR) * d + j) * NR + i % NR; padding stays 0
  const T = pool.f32(items, nip * d);
  const V = tables.item;
  const inv = itemScale(V, numItems, d, req.similarity === 'cosine');
  for (let i = 0; i < numItems; i++) {
    const o = i * d;
    const s = inv[i]!;
    const p = Math.floor(i / GEMM_NR) * d * GEMM_NR + (i % GEMM_NR);
    if (s === 1) for (let j = 0; j < d; j++) T[p + j * GEMM_NR] = V[o + j]!;
    else for (let j = 0; j < d; j++) T[p + j * GEMM_NR] = V[o + j]! * s;
  }

  const v = new DataView(pool.memory.buffer, ctx, GemmRankCtx.size);
  const set = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
  set(GemmRankCtx.numItems, numItems);
  set(GemmRankCtx.numItemsPadded, nip);
  set(GemmRankCtx.dim, d);
  set(GemmRankCtx.k, k);
  set(GemmRankCtx.numExclude, exclude.length);
  set(GemmRankCtx.userBlock, b.users);
  set(GemmRankCtx.itemBlock, b.items);
  set(GemmRankCtx.dimBlock, b.dims);
  set(GemmRankCtx.users, userRows);
  set(GemmRankCtx.items, items);
  set(GemmRankCtx.exclude, excl);
  set(GemmRankCtx.userIds, uids);
  set(GemmRankCtx.out, out);
  set(GemmRankCtx.scratch, scratch);
  set(GemmRankCtx.scratchSize, scratchSize);
  set(GemmRankCtx.sync, sync);
  const result = new Int32Array(Q * k);
  const U = tables.user;
  for (let q0 = 0; q0 < Q; q0 += cq) {
    const n = Math.min(cq, Q - q0);
    const R = pool.f32(userRows, n * d);
    for (let q = 0; q < n; q++) {
      const u = users[q0 + q]!;
      R.set(U.subarray(u * d, u * d + d), q * d);
    }
    pool.i32(uids, n).set(users.subarray(q0, q0 + n));
    pool.i32(sync, SYNC_SIZE / 4).fill(0);
    set(GemmRankCtx.q, n);
    await pool.run('gemmRankRun', ctx);
    result.set(pool.i32(out, n * k), q0 * k);
  }
  return result;
}

/** The former kernel (assembly/rank.ts): blocks of 4 users against the transposed item table. */
async function tile4TopK(pool: KernelPool, threads: number, req: RankRequest, numItems: number): Promise<Int32Array> {
  const { tables, users, exclude, k } = req;
  const Q = users.length;
  const d = tables.dim;
  const maxExclude = pool.kernels.MAX_EXCLUDE.value as number;
  const nip = Math.ceil(numItems / RANK_ITEM_TILE) * RANK_ITEM_TILE;
  const a = (bytes: number) => pool.alloc(bytes);
  const ctx = a(RankCtx.size);
  const sync = a(SYNC_SIZE);
  const userRows = a(Q * d * 4);
  const itemsT = a(d * nip * 4);
  const excl = copyExclusions(pool, req);
  const uids = a(Q * 4);
  const out = a(Q * k * 4);
  const scratchSize = Math.ceil((RANK_USER_BLOCK * nip * 4 + 2 * k * 4 + 3 * maxExclude * 4) / 64) * 64;
  const scratch = a(threads * scratchSize);

  // the requested users' rows, and the item table transposed (normalised for cosine)
  const U = pool.f32(userRows, Q * d);
  for (let q = 0; q < Q; q++) U.set(tables.user.subarray(users[q]! * d, users[q]! * d + d), q * d);
  const T = pool.f32(itemsT, d * nip);
  const V = tables.item;
  const inv = itemScale(V, numItems, d, req.similarity === 'cosine');
  for (let i = 0; i < numItems; i++) {
    const o = i * d;
    const s = inv[i]!;
    for (let j = 0; j < d; j++) T[j * nip + i] = V[o + j]! * s;
  }
  pool.i32(uids, Q).set(users);
  pool.i32(sync, SYNC_SIZE / 4).fill(0);

  const v = new DataView(pool.memory.buffer, ctx, RankCtx.size);
  const set = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
  set(RankCtx.q, Q);
  set(RankCtx.numItems, numItems);
  set(RankCtx.numItemsPadded, nip);
  set(RankCtx.dim, d);
  set(RankCtx.k, k);
  set(RankCtx.numExclude, exclude.length);
  set(RankCtx.users, userRows);
  set(RankCtx.itemsT, itemsT);
  set(RankCtx.exclude, excl);
  set(RankCtx.userIds, uids);
  set(RankCtx.out, out);
  set(RankCtx.scratch, scratch);
  set(RankCtx.scratchSize, scratchSize);
  set(RankCtx.sync, sync);
  await pool.run('rankRun', ctx);
  return pool.i32(out, Q * k).slice();
}
