/**
 * LightGCN's propagation in float64 with plain loops: the specification that the WebAssembly
 * kernels (src/runtime/kernels/assembly/spmm.ts) are tested against. Tables are row-major,
 * n = numUsers + numItems rows of `dim` values (users first, then items).
 *
 *   forward:  E = 1/(K+1) sum_{k=0..K} Â^k E^(0)
 *   backward: dL/dE^(0) = 1/(K+1) sum_{k=0..K} (Â^T)^k dL/dE
 *
 * The backward pass multiplies by Â^T explicitly (a scatter over the rows), not by Â, so that
 * comparing the kernels' backward (which uses Â = Â^T) with it also checks the symmetry.
 */
import { InternalError } from '../../../core/errors.js';

/** The CSR fields the reference reads; the values may be float32 or float64. */
export interface CsrMatrix {
  readonly n: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: ArrayLike<number>;
}

function checkTable(a: CsrMatrix, x: ArrayLike<number>, dim: number, what: string): void {
  if (x.length !== a.n * dim) throw new InternalError(`propagation reference: ${what} has ${x.length} values, expected ${a.n} x ${dim}`);
}

/** Â x */
export function multiplyReference(a: CsrMatrix, x: ArrayLike<number>, dim: number): Float64Array {
  checkTable(a, x, dim, 'x');
  const y = new Float64Array(a.n * dim);
  for (let r = 0; r < a.n; r++) {
    for (let j = a.indptr[r]!; j < a.indptr[r + 1]!; j++) {
      const c = a.indices[j]!;
      const v = a.values[j]!;
      for (let t = 0; t < dim; t++) y[r * dim + t]! += v * x[c * dim + t]!;
    }
  }
  return y;
}

/** Â^T g: row r of Â sends v g_r to column c. */
export function multiplyTransposedReference(a: CsrMatrix, g: ArrayLike<number>, dim: number): Float64Array {
  checkTable(a, g, dim, 'g');
  const y = new Float64Array(a.n * dim);
  for (let r = 0; r < a.n; r++) {
    for (let j = a.indptr[r]!; j < a.indptr[r + 1]!; j++) {
      const c = a.indices[j]!;
      const v = a.values[j]!;
      for (let t = 0; t < dim; t++) y[c * dim + t]! += v * g[r * dim + t]!;
    }
  }
  return y;
}

function meanOfPowers(x: ArrayLike<number>, layers: number, step: (y: Float64Array) => Float64Array): Float64Array {
  let y: Float64Array = Float64Array.from(x);
  const sum = Float64Array.from(x);
  for (let k = 1; k <= layers; k++) {
    y = step(y);
    for (let t = 0; t < sum.length; t++) sum[t]! += y[t]!;
  }
  for (let t = 0; t < sum.length; t++) sum[t]! /= layers + 1;
  return sum;
}

/** The final embeddings E from the layer-0 embeddings (n x dim). */
export function propagateForwardReference(a: CsrMatrix, layer0: ArrayLike<number>, dim: number, layers: number): Float64Array {
  checkTable(a, layer0, dim, 'layer 0');
  return meanOfPowers(layer0, layers, (y) => multiplyReference(a, y, dim));
}

/** The gradient w.r.t. the layer-0 embeddings from the gradient w.r.t. E (n x dim). */
export function propagateBackwardReference(a: CsrMatrix, grad: ArrayLike<number>, dim: number, layers: number): Float64Array {
  checkTable(a, grad, dim, 'grad');
  return meanOfPowers(grad, layers, (y) => multiplyTransposedReference(a, y, dim));
}
