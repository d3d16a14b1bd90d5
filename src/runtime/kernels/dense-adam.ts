import { InternalError } from '../../core/errors.js';
import { AdamDenseCtx } from './kernel-layout.generated.js';
import type { KernelPool } from './kernel-pool.js';

export interface DenseAdamStep {
  /** Floats of the table (a multiple of 4); p, g, m, v: 16-byte aligned f32 arrays of n in pool memory. */
  n: number;
  p: number;
  g: number;
  m: number;
  v: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 - beta1^t and 1 - beta2^t of step t. */
  bc1: number;
  bc2: number;
}

/**
 * Dense Adam over a whole table on a KernelPool's threads (assembly/adam-dense.ts): the same
 * float64 arithmetic per element as a JavaScript loop over the table, bit for bit, and
 * independent of the thread count.
 */
export class DenseAdam {
  private readonly ctx: number;

  constructor(readonly pool: KernelPool) {
    if (pool.kernels.adamDenseCtxSize() !== AdamDenseCtx.size) throw new InternalError('dense adam: the kernel build does not match kernel-layout.generated.ts (rebuild)');
    this.ctx = pool.alloc(AdamDenseCtx.size);
  }

  run(s: DenseAdamStep): Promise<void> {
    const mem = this.pool.memory.buffer.byteLength;
    if (!Number.isInteger(s.n) || s.n < 0 || s.n % 4 !== 0) throw new InternalError(`dense adam: n must be a multiple of 4, got ${s.n}`);
    for (const [name, ptr] of [['p', s.p], ['g', s.g], ['m', s.m], ['v', s.v]] as const)
      if (!Number.isInteger(ptr) || ptr <= 0 || ptr % 16 !== 0 || ptr + s.n * 4 > mem) throw new InternalError(`dense adam: ${name} (${ptr}, ${s.n} floats) is not a 16-byte aligned range of the kernel memory`);
    if (!(s.eps > 0)) throw new InternalError('dense adam: eps must be > 0 (padding lanes would divide 0 by 0)');
    const v = new DataView(this.pool.memory.buffer, this.ctx, AdamDenseCtx.size);
    v.setUint32(AdamDenseCtx.n, s.n, true);
    v.setUint32(AdamDenseCtx.p, s.p, true);
    v.setUint32(AdamDenseCtx.g, s.g, true);
    v.setUint32(AdamDenseCtx.m, s.m, true);
    v.setUint32(AdamDenseCtx.v, s.v, true);
    v.setFloat64(AdamDenseCtx.lr, s.lr, true);
    v.setFloat64(AdamDenseCtx.beta1, s.beta1, true);
    v.setFloat64(AdamDenseCtx.beta2, s.beta2, true);
    v.setFloat64(AdamDenseCtx.eps, s.eps, true);
    v.setFloat64(AdamDenseCtx.weightDecay, s.weightDecay, true);
    v.setFloat64(AdamDenseCtx.bc1, s.bc1, true);
    v.setFloat64(AdamDenseCtx.bc2, s.bc2, true);
    return this.pool.run('adamDenseRun', this.ctx);
  }
}
