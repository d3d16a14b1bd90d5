import { InternalError } from '../../core/errors.js';
import { GemmCtx } from './kernel-layout.generated.js';
import type { KernelPool } from './kernel-pool.js';

/** Rows of C per register tile of assembly/gemm.ts: m must be a multiple of it. */
export const GEMM_ROW_TILE = 4;
/** Inner-dimension block: a 256 x 8 panel of B (8 KiB) stays in L1 while a row block passes. */
const K_BLOCK = 256;

/**
 * C (+)= A B on f32 operands in pool memory, in elements: A(i, p) at a + 4 (i aRowStride + p
 * aColStride), B(p, j) at b + 4 (p ldb + j), C(i, j) at c + 4 (i ldc + j). m and n must be
 * multiples of 4, b and c 16-byte aligned with ldb, ldc multiples of 4.
 */
export interface GemmOperands {
  m: number;
  n: number;
  k: number;
  a: number;
  aRowStride: number;
  aColStride: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  accumulate: boolean;
}

/**
 * The training steps' dense products on a KernelPool's threads (assembly/gemm.ts): each call
 * splits C's rows over the threads; every element is summed in ascending inner order, so the
 * result does not depend on the thread count. Calls are serialised by the pool.
 */
export class DenseGemm {
  private readonly ctx: number;

  constructor(readonly pool: KernelPool) {
    if (pool.kernels.gemmCtxSize() !== GemmCtx.size) throw new InternalError('dense gemm: the kernel build does not match kernel-layout.generated.ts (rebuild)');
    this.ctx = pool.alloc(GemmCtx.size);
  }

  run(o: GemmOperands): Promise<void> {
    check(o, this.pool.memory.buffer.byteLength);
    const v = new DataView(this.pool.memory.buffer, this.ctx, GemmCtx.size);
    const set = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
    set(GemmCtx.m, o.m);
    set(GemmCtx.n, o.n);
    set(GemmCtx.k, o.k);
    set(GemmCtx.kBlock, K_BLOCK);
    set(GemmCtx.a, o.a);
    set(GemmCtx.aRowStride, o.aRowStride);
    set(GemmCtx.aColStride, o.aColStride);
    set(GemmCtx.b, o.b);
    set(GemmCtx.ldb, o.ldb);
    set(GemmCtx.c, o.c);
    set(GemmCtx.ldc, o.ldc);
    set(GemmCtx.accumulate, o.accumulate ? 1 : 0);
    return this.pool.run('gemmRun', this.ctx);
  }
}

/** The kernel trusts its pointers: every operand must lie inside the memory, aligned as it loads it. */
function check(o: GemmOperands, memBytes: number): void {
  const { m, n, k } = o;
  const ints = [m, n, k, o.a, o.aRowStride, o.aColStride, o.b, o.ldb, o.c, o.ldc];
  if (!ints.every((x) => Number.isInteger(x) && x >= 0)) throw new InternalError(`dense gemm: non-integer or negative operand in ${JSON.stringify(o)}`);
  if (m % GEMM_ROW_TILE !== 0 || n % 4 !== 0) throw new InternalError(`dense gemm: m (${m}) and n (${n}) must be multiples of 4`);
  if (o.b % 16 !== 0 || o.c % 16 !== 0 || o.ldb % 4 !== 0 || o.ldc % 4 !== 0) throw new InternalError('dense gemm: B and C rows must be 16-byte aligned');
  if (m === 0 || n === 0) return;
  const within = (name: string, ptr: number, lastElement: number) => {
    if (ptr <= 0 || ptr + 4 * (lastElement + 1) > memBytes) throw new InternalError(`dense gemm: ${name} (${ptr}, ${lastElement + 1} elements) is outside the kernel memory`);
  };
  if (o.ldc < n) throw new InternalError(`dense gemm: ldc ${o.ldc} < n ${n}`);
  within('C', o.c, (m - 1) * o.ldc + n - 1);
  if (k === 0) return;
  if (o.ldb < n) throw new InternalError(`dense gemm: ldb ${o.ldb} < n ${n}`);
  within('A', o.a, (m - 1) * o.aRowStride + (k - 1) * o.aColStride);
  within('B', o.b, (k - 1) * o.ldb + n - 1);
}
