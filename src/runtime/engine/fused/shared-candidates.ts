import { InternalError } from '../../../core/errors.js';
import type { Batch, LossBehaviour } from '../../../contract/training.js';
import { COSINE_NORM_FLOOR } from '../../../components/losses/similarity.js';
import { addPairGradient, rowNorm } from '../batch-scores.js';
import { DenseGemm } from '../../kernels/dense-gemm.js';
import { SoftmaxRowsCtx } from '../../kernels/kernel-layout.generated.js';
import type { KernelPool } from '../../kernels/kernel-pool.js';

/** Most f32 entries of one row block of the score matrix: 16 MiB, so blocks stay in cache-friendly sizes. */
const BLOCK_ENTRIES = 1 << 22;
const ceil4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The tables a step reads (embeddings) and writes (their gradient), rows `stride` f32 apart. */
export interface StepTables {
  user: ArrayLike<number>;
  item: ArrayLike<number>;
  gUser: Float32Array;
  gItem: Float32Array;
  dim: number;
  stride: number;
}

/**
 * A shared-layout batch's scores, loss and embedding gradients (in-batch, mixed, cross-batch and
 * all-items candidates: every row scores the same W candidates) as dense products on the
 * WebAssembly GEMM kernel, in row blocks of the B x W score matrix, so that memory stays bounded
 * even when W is the whole catalogue (the full softmax). Per block of R rows:
 *   S_blk = U_blk C^T                (+ logQ; column 0, the row's own positive, in float64 in JS)
 *   loss_blk, dS_blk                 (InfoNCE and softmax: assembly/softmax-rows.ts on all threads;
 *                                     other losses: their float64 reference; row losses are independent, so
 *                                     the mean over the batch is sum_blk (R / B) loss_blk)
 *   dU_blk = dS_blk C,  dC += dS_blk^T U_blk
 * Under cosine, U and C hold unit rows and the chain rule through the normalisation is applied
 * per row: du = (sum_k g_k c^_k - (sum_k g_k s_k) u^) / |u|_f, symmetrically dc (batch-scores.ts).
 * Products are float32 sums in a fixed order (any thread count gives the same bits); the rest is
 * float64 per element, as the reference step defines it.
 */
export class SharedCandidateStep {
  private readonly gemm: DenseGemm;
  private readonly rowBlock: number;
  private readonly softmaxCtx: number;
  private readonly ptr: { u: number; c: number; ct: number; s: number; ds: number; du: number; dc: number; z0: number; g0: number; loss: number; mask: number; logq: number };
  /** The score block in float64 for losses without a kernel part (allocated on first use). */
  private block64: { s: Float64Array; ds: Float64Array } | null = null;

  /**
   * Bytes this allocates in pool memory for batches of `capacity` rows and `width` shared
   * candidates; `logq`: whether the sampler writes logQ terms (a block of them is copied in).
   */
  static bytes(capacity: number, width: number, stride: number, logq: boolean, blockEntries = BLOCK_ENTRIES): number {
    const { bp, wp, r } = SharedCandidateStep.shape(capacity, width, blockEntries);
    const a = (n: number) => Math.ceil((n * 4) / 64) * 64;
    const cols = 1 + Math.max(width, 1);
    return a(bp * stride) * 2 + a(wp * stride) * 3 + a(r * wp) * 2 + a(r * 2) * 3 + a(r * cols / 4) + (logq ? a(r * cols * 2) : 0) + 512;
  }

  private static shape(capacity: number, width: number, blockEntries: number): { bp: number; wp: number; r: number } {
    const bp = ceil4(capacity);
    const wp = ceil4(Math.max(width, 1));
    const r = Math.min(bp, Math.max(4, Math.floor(blockEntries / wp / 4) * 4));
    return { bp, wp, r };
  }

  constructor(
    private readonly pool: KernelPool,
    private readonly capacity: number,
    private readonly width: number,
    stride: number,
    logq: boolean,
    /** Most entries of a row block (tests make it small to get several blocks). */
    blockEntries = BLOCK_ENTRIES,
  ) {
    this.gemm = new DenseGemm(pool);
    const { bp, wp, r } = SharedCandidateStep.shape(capacity, width, blockEntries);
    this.rowBlock = r;
    const a = (n: number) => pool.alloc(n * 4);
    const cols = 1 + Math.max(width, 1);
    if (pool.kernels.softmaxRowsCtxSize() !== SoftmaxRowsCtx.size) throw new InternalError('shared candidate step: the kernel build does not match kernel-layout.generated.ts (rebuild)');
    this.softmaxCtx = pool.alloc(SoftmaxRowsCtx.size);
    this.ptr = {
      u: a(bp * stride), c: a(wp * stride), ct: a(wp * stride), s: a(r * wp), ds: a(r * wp), du: a(bp * stride), dc: a(wp * stride),
      z0: a(r * 2), g0: a(r * 2), loss: a(r * 2), mask: a(r * cols / 4), logq: logq ? a(r * cols * 2) : 0,
    };
  }

  /** The batch's mean loss; dL/dE is added to T.gUser / T.gItem (rows of the batch's users and gathered items). */
  async run(T: StepTables, batch: Batch, loss: LossBehaviour): Promise<number> {
    const pool = this.pool;
    if (batch.layout !== 'shared') throw new InternalError('shared candidate step: the batch is not in the shared layout');
    if (batch.logq && !this.ptr.logq) throw new InternalError('shared candidate step: the batch has logQ terms, but the buffers were sized without them');
    const B = batch.size;
    const W = batch.width;
    if (B > this.capacity || W > this.width) throw new InternalError(`shared candidate step: batch ${B} x ${W} exceeds the buffers (${this.capacity} x ${this.width})`);
    const { dim: d, stride: S } = T;
    const cosine = loss.similarity === 'cosine';
    const cols = 1 + W;
    const wp = ceil4(Math.max(W, 1));
    const bankCount = batch.bank?.count ?? 0;
    const firstBank = W - bankCount; // shared columns k >= firstBank (0-based) are bank vectors
    const f32 = (p: number, n: number) => pool.f32(p, n);

    // pack U (unit rows under cosine) and C, C^T
    const U = f32(this.ptr.u, ceil4(B) * S);
    U.fill(0);
    const nu = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const o = batch.users[b]! * S;
      nu[b] = cosine ? rowNorm(T.user, o, d) : 1;
      for (let j = 0; j < d; j++) U[b * S + j] = T.user[o + j]! / nu[b]!;
    }
    const C = f32(this.ptr.c, wp * S);
    const Ct = f32(this.ptr.ct, S * wp);
    C.fill(0);
    Ct.fill(0);
    const nc = new Float64Array(W);
    for (let k = 0; k < W; k++) {
      const [t, o] = k >= firstBank ? [batch.bank!.vectors, (k - firstBank) * d] : [T.item, batch.neg[k]! * S];
      nc[k] = cosine ? rowNorm(t, o, d) : 1;
      for (let j = 0; j < d; j++) {
        const x = t[o + j]! / nc[k]!;
        C[k * S + j] = x;
        Ct[j * wp + k] = x;
      }
    }

    const infonce = loss.fused?.code === 'infonce' ? loss.fused.temperature : 0;
    const g0 = new Float64Array(B);
    // column 0, each row's own positive: its similarity (without logQ) and the positive's norm, in float64
    const nv = new Float64Array(B);
    const s0 = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const u = batch.users[b]! * S;
      const v = batch.pos[b]! * S;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += T.user[u + j]! * T.item[v + j]!;
      nv[b] = cosine ? rowNorm(T.item, v, d) : 1;
      s0[b] = cosine ? dot / (nu[b]! * nv[b]!) : dot;
    }
    let total = 0;
    for (let r0 = 0; r0 < B; r0 += this.rowBlock) {
      const rows = Math.min(this.rowBlock, B - r0);
      const rp = ceil4(rows);
      await this.gemm.run({ m: rp, n: wp, k: S, a: this.ptr.u + r0 * S * 4, aRowStride: S, aColStride: 1, b: this.ptr.ct, ldb: wp, c: this.ptr.s, ldc: wp, accumulate: false });
      const scale = rows / B;
      if (infonce > 0) total += scale * (await this.infonceBlock(batch, r0, rows, rp, wp, infonce, scale, s0, g0));
      else {
        const Sb = f32(this.ptr.s, rp * wp);
        const dSb = f32(this.ptr.ds, rp * wp);
        dSb.fill(0);
        this.block64 ??= { s: new Float64Array(this.rowBlock * (1 + this.width)), ds: new Float64Array(this.rowBlock * (1 + this.width)) };
        const S64 = this.block64.s.subarray(0, rows * cols);
        const dS64 = this.block64.ds.subarray(0, rows * cols);
        dS64.fill(0);
        for (let b = 0; b < rows; b++) {
          const lo = (r0 + b) * cols;
          S64[b * cols] = s0[r0 + b]! + (batch.logq ? batch.logq[lo]! : 0);
          for (let k = 0; k < W; k++) S64[b * cols + 1 + k] = Sb[b * wp + k]! + (batch.logq ? batch.logq[lo + 1 + k]! : 0);
        }
        const mask = batch.mask ? batch.mask.subarray(r0 * cols, (r0 + rows) * cols) : null;
        total += scale * loss.reference(S64, rows, cols, mask, dS64);
        for (let b = 0; b < rows; b++) {
          g0[r0 + b] = dS64[b * cols]! * scale;
          for (let k = 0; k < W; k++) dSb[b * wp + k] = dS64[b * cols + 1 + k]! * scale;
        }
      }
      await this.gemm.run({ m: rp, n: S, k: wp, a: this.ptr.ds, aRowStride: wp, aColStride: 1, b: this.ptr.c, ldb: S, c: this.ptr.du + r0 * S * 4, ldc: S, accumulate: false });
      await this.gemm.run({ m: wp, n: S, k: rp, a: this.ptr.ds, aRowStride: 1, aColStride: wp, b: this.ptr.u + r0 * S * 4, ldb: S, c: this.ptr.dc, ldc: S, accumulate: r0 > 0 });
    }

    // scatter: shared columns' gradients through the normalisation into the rows they came from
    const dU = f32(this.ptr.du, ceil4(B) * S);
    const dC = f32(this.ptr.dc, wp * S);
    // under cosine, sum_k g_bk s_bk = (sum_k g_bk c^_k) . u^_b = dU_b . u^_b (and likewise per column):
    // the projection onto the unit row, in O((B + W) d) instead of a pass over the B x W scores
    const scatter = (grad: Float32Array, unit: Float32Array, r: number, n: number, G: { [i: number]: number }, o: number) => {
      let proj = 0;
      if (cosine && n !== COSINE_NORM_FLOOR) for (let j = 0; j < d; j++) proj += grad[r * S + j]! * unit[r * S + j]!;
      for (let j = 0; j < d; j++) G[o + j] = G[o + j]! + (grad[r * S + j]! - proj * unit[r * S + j]!) / n;
    };
    for (let b = 0; b < B; b++) scatter(dU, U, b, nu[b]!, T.gUser, batch.users[b]! * S);
    for (let k = 0; k < firstBank; k++) scatter(dC, C, k, nc[k]!, T.gItem, batch.neg[k]! * S);
    // column 0: each row's own positive, in float64 (batch-scores.ts' formulas)
    for (let b = 0; b < B; b++) {
      if (g0[b] === 0) continue;
      addPairGradient(T.user, batch.users[b]! * S, T.item, batch.pos[b]! * S, d, g0[b]!, s0[b]!, nu[b]!, nv[b]!, cosine, T.gUser, T.gItem);
    }
    return total;
  }
  /** InfoNCE of one row block on the kernel threads (assembly/softmax-rows.ts); returns the block's mean row loss. */
  private async infonceBlock(batch: Batch, r0: number, rows: number, rp: number, wp: number, t: number, scale: number, s0: Float64Array, g0: Float64Array): Promise<number> {
    const pool = this.pool;
    const W = batch.width;
    const cols = 1 + W;
    const z0 = pool.f64(this.ptr.z0, rows);
    for (let b = 0; b < rows; b++) z0[b] = (s0[r0 + b]! + (batch.logq ? batch.logq[(r0 + b) * cols]! : 0)) / t;
    if (batch.mask) pool.u8(this.ptr.mask, rows * cols).set(batch.mask.subarray(r0 * cols, (r0 + rows) * cols));
    if (batch.logq) pool.f64(this.ptr.logq, rows * cols).set(batch.logq.subarray(r0 * cols, (r0 + rows) * cols));
    const dSb = pool.f32(this.ptr.ds, rp * wp);
    dSb.fill(0, rows * wp); // padding rows
    const v = new DataView(pool.memory.buffer, this.softmaxCtx, SoftmaxRowsCtx.size);
    const i32 = (off: number, x: number) => v.setUint32(off, x >>> 0, true);
    i32(SoftmaxRowsCtx.rows, rows);
    i32(SoftmaxRowsCtx.width, W);
    i32(SoftmaxRowsCtx.widthPadded, wp);
    i32(SoftmaxRowsCtx.cols, cols);
    v.setFloat64(SoftmaxRowsCtx.invT, 1 / t, true);
    v.setFloat64(SoftmaxRowsCtx.scale, scale / (t * rows), true);
    i32(SoftmaxRowsCtx.s, this.ptr.s);
    i32(SoftmaxRowsCtx.ds, this.ptr.ds);
    i32(SoftmaxRowsCtx.z0, this.ptr.z0);
    i32(SoftmaxRowsCtx.g0, this.ptr.g0);
    i32(SoftmaxRowsCtx.loss, this.ptr.loss);
    i32(SoftmaxRowsCtx.mask, batch.mask ? this.ptr.mask : 0);
    i32(SoftmaxRowsCtx.logq, batch.logq ? this.ptr.logq : 0);
    await pool.run('softmaxRowsRun', this.softmaxCtx);
    const g = pool.f64(this.ptr.g0, rows);
    const l = pool.f64(this.ptr.loss, rows);
    let sum = 0;
    for (let b = 0; b < rows; b++) {
      g0[r0 + b] = g[b]!;
      sum += l[b]!;
    }
    return sum / rows;
  }
}
