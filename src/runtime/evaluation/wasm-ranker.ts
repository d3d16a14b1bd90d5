import { InternalError } from '../../core/errors.js';
import { KernelPool } from '../kernels/kernel-pool.js';
import { RANK_ITEM_TILE, RANK_USER_BLOCK, RankCtx, SYNC_SIZE } from '../kernels/kernel-layout.js';
import { checkRankRequest, NORM_FLOOR } from './js-ranker.js';
import type { RankRequest, Ranker } from './rank.js';

/**
 * Full ranking on the WebAssembly kernels (src/runtime/kernels/assembly/rank.ts), on all the
 * threads it is given: users in blocks of 4 are scored against the transposed item table by a
 * register-blocked f32x4 micro-kernel (never more than 4 score rows per thread, never the users x
 * items matrix), excluded items are skipped by walking each user's sorted CSR rows, and a
 * bounded heap behind a SIMD threshold test keeps the k best. Scores are float32; ties go to
 * the lower item id, as the Ranker contract says.
 */
export async function createWasmRanker(options: { threads: number }): Promise<Ranker & { dispose(): Promise<void> }> {
  const threads = Math.max(1, Math.min(64, Math.floor(options.threads) || 1));
  const pool = await KernelPool.create(threads);
  if (pool.kernels.rankCtxSize() !== RankCtx.size || pool.kernels.syncSize() !== SYNC_SIZE) {
    await pool.dispose();
    throw new InternalError('wasm ranker: the kernel build does not match src/runtime/kernels/kernel-layout.ts (rebuild)');
  }
  const maxExclude = pool.kernels.MAX_EXCLUDE.value as number;
  const base = pool.mark();
  return {
    name: `wasm-simd x${threads}`,
    async topK(req: RankRequest): Promise<Int32Array> {
      const { numItems } = checkRankRequest(req);
      const { tables, users, exclude, k } = req;
      const Q = users.length;
      if (Q === 0) return new Int32Array(0);
      if (exclude.length > maxExclude) throw new InternalError(`wasm ranker: at most ${maxExclude} exclusion sets, got ${exclude.length}`);
      const d = tables.dim;
      const nip = Math.ceil(numItems / RANK_ITEM_TILE) * RANK_ITEM_TILE;
      pool.release(base);
      const a = (bytes: number) => pool.alloc(bytes);
      const ctx = a(RankCtx.size);
      const sync = a(SYNC_SIZE);
      const userRows = a(Q * d * 4);
      const itemsT = a(d * nip * 4);
      const excl = a(Math.max(1, exclude.length) * 8);
      const sets = exclude.map((e) => ({ indptr: a((e.numUsers + 1) * 4), indices: a(e.nnz * 4), e }));
      const uids = a(Q * 4);
      const out = a(Q * k * 4);
      const scratchSize = Math.ceil((RANK_USER_BLOCK * nip * 4 + 2 * k * 4 + 3 * maxExclude * 4) / 64) * 64;
      const scratch = a(threads * scratchSize);

      // the requested users' rows, and the item table transposed (normalised for cosine)
      const U = pool.f32(userRows, Q * d);
      for (let q = 0; q < Q; q++) U.set(tables.user.subarray(users[q]! * d, users[q]! * d + d), q * d);
      const T = pool.f32(itemsT, d * nip);
      T.fill(0);
      const V = tables.item;
      const cosine = req.similarity === 'cosine';
      for (let i = 0; i < numItems; i++) {
        const o = i * d;
        let inv = 1;
        if (cosine) {
          let s = 0;
          for (let j = 0; j < d; j++) s += V[o + j]! * V[o + j]!;
          inv = 1 / Math.max(Math.sqrt(s), NORM_FLOOR);
        }
        for (let j = 0; j < d; j++) T[j * nip + i] = V[o + j]! * inv;
      }
      const E = pool.i32(excl, Math.max(1, exclude.length) * 2);
      sets.forEach((s, x) => {
        pool.i32(s.indptr, s.e.numUsers + 1).set(s.e.indptr.subarray(0, s.e.numUsers + 1));
        pool.i32(s.indices, s.e.nnz).set(s.e.indices.subarray(0, s.e.nnz));
        E[2 * x] = s.indptr;
        E[2 * x + 1] = s.indices;
      });
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
    },
    dispose: () => pool.dispose(),
  };
}
