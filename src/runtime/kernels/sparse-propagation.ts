import { InternalError, UserError } from '../../core/errors.js';
import type { NormalizedAdjacency } from '../../components/encoders/graph/normalized-adjacency.js';
import { KernelPool } from './kernel-pool.js';
import { SYNC_SIZE } from './kernel-layout.js';
import { PropagateCtx, PropagateOp, propagationStride } from './propagation-layout.js';

/** The kernel memory's hard limit: 65536 WebAssembly pages (scripts/build.mjs --maximumMemory). */
export const KERNEL_MEMORY_MAX_BYTES = 65536 * 65536;
/** Kept free below the limit for the module's static data, the pool's control block and page rounding. */
const RESERVE_BYTES = 1 << 20;

/**
 * A table in pool memory, as the kernels read it: `user` points at numUsers rows and `item` at
 * numItems rows of `stride` f32 each (padding lanes zero). The two parts need not be adjacent,
 * so a trainer's separate user and item tables can be passed as they are.
 */
export interface TablePair {
  user: number;
  item: number;
}

export interface PropagationShape {
  numUsers: number;
  numItems: number;
  nnz: number;
  dim: number;
  layers: number;
}

export interface PropagationOptions {
  dim: number;
  /** K >= 0: E = 1/(K+1) sum_{k=0..K} Â^k E^(0). */
  layers: number;
}

const align64 = (b: number): number => Math.ceil(b / 64) * 64;

/** Bytes of the propagation's own allocations (each rounded as KernelPool.alloc rounds). */
function ownBytes(s: PropagationShape, staging: boolean): number {
  const n = s.numUsers + s.numItems;
  const table = align64(n * propagationStride(s.dim) * 4);
  const buffers = Math.min(Math.max(s.layers - 1, 0), 2);
  return (
    align64(PropagateCtx.size) +
    align64(SYNC_SIZE) +
    align64((n + 1) * 4) +
    2 * align64(s.nnz * 4) +
    buffers * table +
    (staging ? 2 * table : 0)
  );
}

/**
 * LightGCN's propagation on the WebAssembly kernels (assembly/spmm.ts): owns Â and the layer
 * buffers in a KernelPool's memory; forward() maps layer-0 embeddings to the final ones,
 * backward() maps dL/dE to dL/dE^(0), each in one kernel call on all the pool's threads, with
 * results bit-identical for any thread count. The *At variants work on tables already in pool
 * memory (no copies); forward(), backward() and multiply() copy through two staging tables
 * allocated on first use. Calls are serialised (they share the context and the buffers).
 */
export class SparsePropagation {
  readonly numUsers: number;
  readonly numItems: number;
  readonly n: number;
  readonly nnz: number;
  readonly dim: number;
  readonly stride: number;
  readonly layers: number;
  private readonly ctx: number;
  private readonly sync: number;
  private readonly csr: { indptr: number; indices: number; values: number };
  private readonly bufA: number;
  private readonly bufB: number;
  private staging: { src: TablePair; dst: TablePair } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  /**
   * Bytes this needs in kernel memory (staging: whether the copying methods will be used).
   * Callers compare it with KERNEL_MEMORY_MAX_BYTES, or let create()/onPool() refuse.
   */
  static memoryBytes(shape: PropagationShape, staging = true): number {
    return ownBytes(shape, staging);
  }

  /**
   * On a pool of its own with `threads` threads (disposed by dispose()). Its memory may grow only
   * as far as this needs plus `extraBytes`, which a caller reserves for its own allocTable() or
   * pool.alloc() tables (each allocation rounded up to 64 bytes).
   */
  static async create(adj: NormalizedAdjacency, options: PropagationOptions & { threads: number; extraBytes?: number }): Promise<SparsePropagation> {
    const shape = checkShape(adj, options);
    const bytes = ownBytes(shape, true) + Math.max(0, options.extraBytes ?? 0);
    refuseIfTooLarge(bytes, 0, shape);
    const threads = Math.max(1, Math.min(64, Math.floor(options.threads) || 1));
    const pool = await KernelPool.create(threads, bytes, bytes + RESERVE_BYTES);
    try {
      return new SparsePropagation(pool, true, adj, options);
    } catch (e) {
      await pool.dispose();
      throw e;
    }
  }

  /**
   * On an existing pool, e.g. a trainer's, whose tables can then be propagated in place with the
   * *At methods. `staging`: whether the copying methods will be used too (their two tables are
   * then counted when refusing what cannot fit; they are allocated on first use either way).
   */
  static onPool(pool: KernelPool, adj: NormalizedAdjacency, options: PropagationOptions & { staging?: boolean }): SparsePropagation {
    const shape = checkShape(adj, options);
    refuseIfTooLarge(ownBytes(shape, options.staging ?? false), pool.mark(), shape);
    return new SparsePropagation(pool, false, adj, options);
  }

  private constructor(
    readonly pool: KernelPool,
    private readonly ownsPool: boolean,
    adj: NormalizedAdjacency,
    options: PropagationOptions,
  ) {
    if (pool.kernels.propagateCtxSize() !== PropagateCtx.size || pool.kernels.syncSize() !== SYNC_SIZE)
      throw new InternalError('sparse propagation: the kernel build does not match src/runtime/kernels/propagation-layout.ts (rebuild)');
    this.numUsers = adj.numUsers;
    this.numItems = adj.numItems;
    this.n = adj.n;
    this.nnz = adj.nnz;
    this.dim = options.dim;
    this.stride = propagationStride(options.dim);
    this.layers = options.layers;
    const a = (b: number) => pool.alloc(b);
    this.ctx = a(PropagateCtx.size);
    this.sync = a(SYNC_SIZE);
    this.csr = { indptr: a((this.n + 1) * 4), indices: a(this.nnz * 4), values: a(this.nnz * 4) };
    this.bufA = this.layers >= 2 ? a(this.tableBytes) : 0;
    this.bufB = this.layers >= 3 ? a(this.tableBytes) : 0;
    pool.i32(this.csr.indptr, this.n + 1).set(adj.indptr.subarray(0, this.n + 1));
    pool.i32(this.csr.indices, this.nnz).set(adj.indices.subarray(0, this.nnz));
    pool.f32(this.csr.values, this.nnz).set(adj.values.subarray(0, this.nnz));
  }

  /** Bytes of one n x stride table. */
  get tableBytes(): number {
    return this.n * this.stride * 4;
  }

  /** A zeroed n x stride table in pool memory, users then items. */
  allocTable(): TablePair {
    this.checkLive();
    const user = this.pool.alloc(this.tableBytes);
    return { user, item: user + this.numUsers * this.stride * 4 };
  }

  /** E = 1/(K+1) sum_k Â^k E^(0), from and to dense n x dim tables (users then items). */
  forward(layer0: Float32Array): Promise<Float32Array> {
    return this.copying(layer0, 'layer 0', PropagateOp.propagate);
  }

  /** dL/dE^(0) = 1/(K+1) sum_k Â^k dL/dE (Â is symmetric, so the forward recurrence), n x dim. */
  backward(grad: Float32Array): Promise<Float32Array> {
    return this.copying(grad, 'gradient', PropagateOp.propagate);
  }

  /** Â x: one layer, n x dim. */
  multiply(x: Float32Array): Promise<Float32Array> {
    return this.copying(x, 'x', PropagateOp.multiply);
  }

  /** forward() on tables in pool memory; dst must not overlap src or the layer buffers. */
  forwardAt(src: TablePair, dst: TablePair): Promise<void> {
    return this.exclusive(() => this.runAt(PropagateOp.propagate, src, dst));
  }

  /** backward() on tables in pool memory (the same kernel call as forwardAt: Â = Â^T). */
  backwardAt(src: TablePair, dst: TablePair): Promise<void> {
    return this.exclusive(() => this.runAt(PropagateOp.propagate, src, dst));
  }

  /** multiply() on tables in pool memory. */
  multiplyAt(src: TablePair, dst: TablePair): Promise<void> {
    return this.exclusive(() => this.runAt(PropagateOp.multiply, src, dst));
  }

  /** Stops the pool if this created it; a shared pool's memory stays with its owner. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => {});
    if (this.ownsPool) await this.pool.dispose();
  }

  private checkLive(): void {
    if (this.disposed) throw new InternalError('sparse propagation: used after dispose()');
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.checkLive();
    } catch (e) {
      return Promise.reject(e);
    }
    const next = this.queue.then(fn);
    this.queue = next.catch(() => {});
    return next;
  }

  private copying(x: Float32Array, what: string, op: number): Promise<Float32Array> {
    const { n, dim, stride } = this;
    if (x.length !== n * dim) return Promise.reject(new InternalError(`sparse propagation: ${what} has ${x.length} values, expected ${n} x ${dim}`));
    return this.exclusive(async () => {
      this.staging ??= { src: this.allocTable(), dst: this.allocTable() };
      const { src, dst } = this.staging;
      const S = this.pool.f32(src.user, n * stride);
      if (stride === dim) S.set(x);
      else for (let r = 0; r < n; r++) S.set(x.subarray(r * dim, r * dim + dim), r * stride); // padding lanes stay zero
      await this.runAt(op, src, dst);
      const D = this.pool.f32(dst.user, n * stride);
      if (stride === dim) return D.slice();
      const out = new Float32Array(n * dim);
      for (let r = 0; r < n; r++) out.set(D.subarray(r * stride, r * stride + dim), r * dim);
      return out;
    });
  }

  private runAt(op: number, src: TablePair, dst: TablePair): Promise<void> {
    this.checkTables(src, dst);
    const v = new DataView(this.pool.memory.buffer, this.ctx, PropagateCtx.size);
    const set = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
    set(PropagateCtx.n, this.n);
    set(PropagateCtx.numUsers, this.numUsers);
    set(PropagateCtx.stride, this.stride);
    set(PropagateCtx.layers, this.layers);
    set(PropagateCtx.op, op);
    set(PropagateCtx.indptr, this.csr.indptr);
    set(PropagateCtx.indices, this.csr.indices);
    set(PropagateCtx.values, this.csr.values);
    set(PropagateCtx.srcUser, src.user);
    set(PropagateCtx.srcItem, src.item);
    set(PropagateCtx.dstUser, dst.user);
    set(PropagateCtx.dstItem, dst.item);
    set(PropagateCtx.bufA, this.bufA);
    set(PropagateCtx.bufB, this.bufB);
    set(PropagateCtx.sync, this.sync);
    return this.pool.run('propagateRun', this.ctx);
  }

  /**
   * The kernel trusts its pointers: every part inside the memory and 16-byte aligned, and the
   * output disjoint from what any thread may still read (the input, the layer buffers, the
   * context and the adjacency, which this allocated in that order).
   */
  private checkTables(src: TablePair, dst: TablePair): void {
    const rb = this.stride * 4;
    const mem = this.pool.memory.buffer.byteLength;
    const part = (name: string, ptr: number, rows: number): [string, number, number] => {
      if (!Number.isInteger(ptr) || ptr <= 0 || ptr % 16 !== 0 || ptr + rows * rb > mem)
        throw new InternalError(`sparse propagation: ${name} (${ptr}, ${rows} rows of ${rb} bytes) is not a 16-byte aligned range of the kernel memory`);
      return [name, ptr, ptr + rows * rb];
    };
    const reads = [part('src.user', src.user, this.numUsers), part('src.item', src.item, this.numItems)];
    if (this.bufA) reads.push(['layer buffer A', this.bufA, this.bufA + this.tableBytes]);
    if (this.bufB) reads.push(['layer buffer B', this.bufB, this.bufB + this.tableBytes]);
    reads.push(['the context', this.ctx, this.sync + SYNC_SIZE], ['the adjacency', this.csr.indptr, this.csr.values + this.nnz * 4]);
    const writes = [part('dst.user', dst.user, this.numUsers), part('dst.item', dst.item, this.numItems)];
    const overlap = (a: [string, number, number], b: [string, number, number]) => a[1] < b[2] && b[1] < a[2] && a[1] < a[2] && b[1] < b[2];
    if (overlap(writes[0]!, writes[1]!)) throw new InternalError('sparse propagation: dst.user and dst.item overlap');
    for (const w of writes) for (const r of reads) if (overlap(w, r)) throw new InternalError(`sparse propagation: ${w[0]} overlaps ${r[0]}`);
  }
}

function checkShape(adj: NormalizedAdjacency, options: PropagationOptions): PropagationShape {
  const { numUsers, numItems, n, nnz, indptr, indices, values } = adj;
  const { dim, layers } = options;
  if (!Number.isInteger(dim) || dim < 1) throw new InternalError(`sparse propagation: dim must be an integer >= 1, got ${dim}`);
  if (!Number.isInteger(layers) || layers < 0) throw new InternalError(`sparse propagation: layers must be an integer >= 0, got ${layers}`);
  if (n !== numUsers + numItems || indptr.length < n + 1 || indptr[0] !== 0 || indptr[n] !== nnz || indices.length < nnz || values.length < nnz)
    throw new InternalError(`sparse propagation: the adjacency is not a CSR of ${numUsers} + ${numItems} nodes with ${nnz} nonzeros`);
  // the kernel gathers rows of the other side's table without bounds checks: users' columns must be items and vice versa
  for (let r = 0; r < n; r++) {
    const j0 = indptr[r]!;
    const j1 = indptr[r + 1]!;
    if (j1 < j0) throw new InternalError(`sparse propagation: indptr decreases at row ${r}`);
    const [lo, hi] = r < numUsers ? [numUsers, n] : [0, numUsers];
    for (let j = j0; j < j1; j++) {
      const c = indices[j]!;
      if (c < lo || c >= hi) throw new InternalError(`sparse propagation: row ${r} has column ${c}, outside the other side [${lo}, ${hi}) of the bipartite graph`);
    }
  }
  return { numUsers, numItems, nnz, dim, layers };
}

function refuseIfTooLarge(bytes: number, used: number, s: PropagationShape): void {
  if (used + bytes + RESERVE_BYTES > KERNEL_MEMORY_MAX_BYTES)
    throw new UserError(
      `LightGCN propagation of ${s.numUsers} users + ${s.numItems} items (${s.nnz} nonzeros) at dim ${s.dim} with ${s.layers} layers needs ${(bytes / 2 ** 30).toFixed(2)} GiB of kernel memory` +
        (used > 0 ? ` on top of ${(used / 2 ** 30).toFixed(2)} GiB in use` : '') +
        `; the WebAssembly limit is 4 GiB`,
      { hint: 'reduce dim or layers, or filter rare users and items from the data' },
    );
}
