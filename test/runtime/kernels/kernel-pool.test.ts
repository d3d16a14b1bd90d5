import assert from 'node:assert/strict';
import { InternalError } from '../../../src/core/errors.js';
import { KernelPool } from '../../../src/runtime/kernels/kernel-pool.js';
import { RankCtx } from '../../../src/runtime/kernels/kernel-layout.js';

describe('kernel pool', () => {
  it('starts its workers, and dispose() ends every one of them', async () => {
    const pool = await KernelPool.create(3);
    assert.equal(pool.liveWorkers, 3);
    await pool.dispose();
    assert.equal(pool.liveWorkers, 0);
    await assert.rejects(pool.run('rankRun', 0), /used after dispose/);
  });

  it('a kernel that traps in the workers rejects with an InternalError instead of hanging, and the pool refuses further work', async () => {
    const pool = await KernelPool.create(2);
    // a valid context except that the user rows point far outside the memory: every thread traps on its first load
    const ctx = pool.alloc(RankCtx.size);
    const sync = pool.alloc(256);
    const scratch = pool.alloc(2 * 1024);
    const v = new DataView(pool.memory.buffer, ctx, RankCtx.size);
    const set = (off: number, x: number) => v.setUint32(off, x, true);
    set(RankCtx.q, 64);
    set(RankCtx.numItems, 8);
    set(RankCtx.numItemsPadded, 8);
    set(RankCtx.dim, 1);
    set(RankCtx.k, 1);
    set(RankCtx.numExclude, 0);
    set(RankCtx.users, 0x7ffffff0);
    set(RankCtx.itemsT, scratch);
    set(RankCtx.exclude, scratch);
    set(RankCtx.userIds, scratch);
    set(RankCtx.out, scratch);
    set(RankCtx.scratch, scratch);
    set(RankCtx.scratchSize, 1024);
    set(RankCtx.sync, sync);
    await assert.rejects(pool.run('rankRun', ctx), (e: unknown) => e instanceof InternalError && /rankRun failed in a worker/.test(e.message));
    await assert.rejects(pool.run('rankRun', ctx), InternalError);
    await pool.dispose();
    assert.equal(pool.liveWorkers, 0);
  });

  it('grows the shared memory on demand and keeps earlier buffers', async () => {
    const pool = await KernelPool.create(1);
    const a = pool.alloc(16);
    pool.i32(a, 4).set([1, 2, 3, 4]);
    const before = pool.memory.buffer.byteLength;
    const big = pool.alloc(before * 2);
    assert.ok(pool.memory.buffer.byteLength >= big + before * 2);
    assert.deepEqual(Array.from(pool.i32(a, 4)), [1, 2, 3, 4]);
    await pool.dispose();
  });
});
