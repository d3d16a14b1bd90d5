import { InternalError } from '../../../core/errors.js';
import type { TrainPass } from '../../../contract/training.js';
import { messageMask, NGCF_SLOPE as SLOPE, ngcfWeightNames } from '../../../components/encoders/ngcf.js';
import { DenseGemm } from '../../kernels/dense-gemm.js';
import type { KernelPool } from '../../kernels/kernel-pool.js';
import type { SparsePropagation, TablePair } from '../../kernels/sparse-propagation.js';

const ceil4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * NGCF's forward and adjoint (components/encoders/ngcf.ts has the maths and the float64
 * reference) on the kernels: the neighbour messages S = L E are the sparse propagation kernel's
 * one-layer product, the feature transforms (S + E) W1 and (S ⊙ E) W2 and the weight gradients
 * A^T dZ are dense products on the GEMM kernel; the element-wise parts (bi-interaction, biases,
 * LeakyReLU, message dropout with the reference's own masks, concatenation) run in JS. One
 * forward keeps its tape (every layer's E, S, S + E, S ⊙ E and Z) for the backward of the same
 * step. Without node dropout L is symmetric, so L^T dS is the same kernel product; a model with
 * node dropout is left to the other engines (fused-engine.ts says so).
 *
 * Tables are n = users + items rows of `stride` f32 (users then items, contiguous), the dense
 * products' operands padded to a multiple of 4 rows with zero rows.
 */
export class NgcfPass {
  readonly embDim: number;
  readonly embStride: number;
  private readonly n: number;
  private readonly np: number;
  private readonly gemm: DenseGemm;
  /** per layer l: input X_l (l >= 1; X_0 is P), S_l, A1 = S + X, A2 = S ⊙ X, Z (with biases) */
  private readonly X: number[] = [];
  private readonly Sm: number[] = [];
  private readonly A1: number[] = [];
  private readonly A2: number[] = [];
  private readonly Z: number[] = [];
  private readonly w: { w1: number; w2: number; w1t: number; w2t: number }[] = [];
  private readonly scratch: { dZ: number; p: number; q: number; dS: number; back: number; gX: number; dW1: number; dW2: number };
  /** The message-dropout masks of the last forward (null: none). */
  private masks: (Float64Array | null)[] = [];
  private x0 = 0;

  static bytes(numUsers: number, numItems: number, dim: number, layers: number): number {
    const S = ceil4(dim);
    const np = ceil4(numUsers + numItems);
    const table = Math.ceil((np * S * 4) / 64) * 64;
    const square = Math.ceil((S * S * 4) / 64) * 64;
    return table * (5 * layers + 6) + square * (4 * layers + 2) + 4096;
  }

  constructor(
    private readonly pool: KernelPool,
    private readonly prop: SparsePropagation,
    private readonly numUsers: number,
    numItems: number,
    private readonly d: number,
    private readonly layers: number,
    private readonly dropout: number,
  ) {
    if (prop.dim !== d) throw new InternalError(`ngcf pass: propagation dim ${prop.dim} is not the encoder's ${d}`);
    this.n = numUsers + numItems;
    this.np = ceil4(this.n);
    this.embDim = (layers + 1) * d;
    this.embStride = ceil4(this.embDim);
    this.gemm = new DenseGemm(pool);
    const S = this.stride;
    const table = () => pool.alloc(this.np * S * 4);
    const square = () => pool.alloc(S * S * 4);
    for (let l = 0; l < layers; l++) {
      this.X.push(l === 0 ? 0 : table());
      this.Sm.push(table());
      this.A1.push(table());
      this.A2.push(table());
      this.Z.push(table());
      this.w.push({ w1: square(), w2: square(), w1t: square(), w2t: square() });
    }
    this.scratch = { dZ: table(), p: table(), q: table(), dS: table(), back: table(), gX: table(), dW1: square(), dW2: square() };
  }

  /** Whether a training forward differs from an evaluation one (message dropout). */
  get hasDropout(): boolean {
    return this.dropout > 0;
  }

  private get stride(): number {
    return this.prop.stride;
  }

  private pair(ptr: number): TablePair {
    return { user: ptr, item: ptr + this.numUsers * this.stride * 4 };
  }

  private f32(ptr: number, rows = this.np): Float32Array {
    return this.pool.f32(ptr, rows * this.stride);
  }

  /** E (n x embStride: [X_0 | X_1 | ... | X_K] per row) from P (contiguous users then items, stride `stride`) and the weights; `pass` absent: no dropout. */
  async forward(P: TablePair, E: TablePair, weights: Record<string, Float32Array>, pass?: TrainPass): Promise<void> {
    const { d, n } = this;
    const S = this.stride;
    const SE = this.embStride;
    if (P.item !== P.user + this.numUsers * S * 4 || E.item !== E.user + this.numUsers * SE * 4) throw new InternalError('ngcf pass: tables must be contiguous (users then items)');
    this.x0 = P.user;
    this.masks = [];
    const Eo = this.pool.f32(E.user, n * SE);
    const copyLayer = (src: Float32Array, l: number) => {
      for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) Eo[r * SE + l * d + c] = src[r * S + c]!;
    };
    copyLayer(this.pool.f32(P.user, n * S), 0);
    for (let l = 0; l < this.layers; l++) {
      const [w1, w2, b1, b2] = ngcfWeightNames(l).map((k) => {
        const x = weights[k];
        if (!x) throw new InternalError(`ngcf pass: weight '${k}' is missing`);
        return x;
      }) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const wl = this.w[l]!;
      const W1 = this.pool.f32(wl.w1, S * S);
      const W2 = this.pool.f32(wl.w2, S * S);
      const W1t = this.pool.f32(wl.w1t, S * S);
      const W2t = this.pool.f32(wl.w2t, S * S);
      for (let k = 0; k < d; k++)
        for (let c = 0; c < d; c++) {
          W1[k * S + c] = w1[k * d + c]!;
          W2[k * S + c] = w2[k * d + c]!;
          W1t[c * S + k] = w1[k * d + c]!;
          W2t[c * S + k] = w2[k * d + c]!;
        }
      const xPtr = l === 0 ? P.user : this.X[l]!;
      await this.prop.multiplyAt(this.pair(xPtr), this.pair(this.Sm[l]!));
      const X = this.pool.f32(xPtr, n * S);
      const Sl = this.f32(this.Sm[l]!, n);
      const A1 = this.f32(this.A1[l]!);
      const A2 = this.f32(this.A2[l]!);
      for (let i = 0; i < n * S; i++) {
        A1[i] = Sl[i]! + X[i]!;
        A2[i] = Sl[i]! * X[i]!;
      }
      await this.gemm.run({ m: this.np, n: S, k: S, a: this.A1[l]!, aRowStride: S, aColStride: 1, b: wl.w1, ldb: S, c: this.Z[l]!, ldc: S, accumulate: false });
      await this.gemm.run({ m: this.np, n: S, k: S, a: this.A2[l]!, aRowStride: S, aColStride: 1, b: wl.w2, ldb: S, c: this.Z[l]!, ldc: S, accumulate: true });
      const Z = this.f32(this.Z[l]!);
      const mask = messageMask(pass, l, n * d, this.dropout);
      this.masks.push(mask);
      const next = l + 1 < this.layers ? this.f32(this.X[l + 1]!, n) : null;
      for (let r = 0; r < n; r++)
        for (let c = 0; c < d; c++) {
          const z = (Z[r * S + c] = Z[r * S + c]! + b1[c]! + b2[c]!);
          const h = z > 0 ? z : SLOPE * z;
          const out = mask ? h * mask[r * d + c]! : h;
          Eo[r * SE + (l + 1) * d + c] = out;
          if (next) next[r * S + c] = out;
        }
    }
  }

  /**
   * GP = dL/dP from G = dL/dE (n x embStride) through the tape of the last forward; returns the
   * weights' gradients (float64, the reference's names and shapes).
   */
  async backward(G: TablePair, GP: TablePair): Promise<Record<string, Float64Array>> {
    const { d, n, np } = this;
    const S = this.stride;
    const SE = this.embStride;
    const Gi = this.pool.f32(G.user, n * SE);
    const sc = this.scratch;
    const gX = this.f32(sc.gX, n);
    const slice = (l: number, add: boolean) => {
      for (let r = 0; r < n; r++)
        for (let c = 0; c < d; c++) gX[r * S + c] = (add ? gX[r * S + c]! : 0) + Gi[r * SE + l * d + c]!;
    };
    slice(this.layers, false);
    const grads: Record<string, Float64Array> = {};
    for (let l = this.layers - 1; l >= 0; l--) {
      const mask = this.masks[l] ?? null;
      const Z = this.f32(this.Z[l]!);
      const dZ = this.f32(sc.dZ);
      for (let r = 0; r < n; r++)
        for (let c = 0; c < d; c++) {
          const i = r * S + c;
          dZ[i] = gX[i]! * (mask ? mask[r * d + c]! : 1) * (Z[i]! > 0 ? 1 : SLOPE);
        }
      const wl = this.w[l]!;
      const tn = (a: number, c: number) => this.gemm.run({ m: S, n: S, k: np, a, aRowStride: 1, aColStride: S, b: sc.dZ, ldb: S, c, ldc: S, accumulate: false });
      await tn(this.A1[l]!, sc.dW1);
      await tn(this.A2[l]!, sc.dW2);
      await this.gemm.run({ m: np, n: S, k: S, a: sc.dZ, aRowStride: S, aColStride: 1, b: wl.w1t, ldb: S, c: sc.p, ldc: S, accumulate: false });
      await this.gemm.run({ m: np, n: S, k: S, a: sc.dZ, aRowStride: S, aColStride: 1, b: wl.w2t, ldb: S, c: sc.q, ldc: S, accumulate: false });
      const [w1, w2, b1, b2] = ngcfWeightNames(l);
      const dW1 = this.pool.f32(sc.dW1, S * S);
      const dW2 = this.pool.f32(sc.dW2, S * S);
      const g1 = new Float64Array(d * d);
      const g2 = new Float64Array(d * d);
      for (let k = 0; k < d; k++)
        for (let c = 0; c < d; c++) {
          g1[k * d + c] = dW1[k * S + c]!;
          g2[k * d + c] = dW2[k * S + c]!;
        }
      const db = new Float64Array(d);
      for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) db[c] = db[c]! + dZ[r * S + c]!;
      grads[w1] = g1;
      grads[w2] = g2;
      grads[b1] = db;
      grads[b2] = Float64Array.from(db);
      // dS = P + Q ⊙ X, dX = P + Q ⊙ S + L^T dS + (the concatenation's slice of layer l)
      const X = this.pool.f32(l === 0 ? this.x0 : this.X[l]!, n * S);
      const Sl = this.f32(this.Sm[l]!, n);
      const Pm = this.f32(sc.p);
      const Q = this.f32(sc.q);
      const dS = this.f32(sc.dS, n);
      for (let i = 0; i < n * S; i++) dS[i] = Pm[i]! + Q[i]! * X[i]!;
      await this.prop.multiplyAt(this.pair(sc.dS), this.pair(sc.back));
      const back = this.f32(sc.back, n);
      for (let i = 0; i < n * S; i++) gX[i] = Pm[i]! + Q[i]! * Sl[i]! + back[i]!;
      slice(l, true);
    }
    this.pool.f32(GP.user, n * S).set(gX.subarray(0, n * S));
    if (GP.item !== GP.user + this.numUsers * S * 4) throw new InternalError('ngcf pass: GP must be contiguous');
    return grads;
  }
}
