import { CounterRng, Stream } from '../../core/rng.js';

/** Key of the PCA start vector within Stream.kmeans (core/rng has no stream of its own for projections). */
const PCA_KEY = 0x504341;

export interface Pca2d {
  /** n x 2, row-major: (x_i, y_i) = projections on the first two principal axes */
  coords: Float64Array;
  /** dim x 2, column c = unit principal axis c */
  axes: Float64Array;
  /** the two largest eigenvalues of the sample covariance (ddof = 1) */
  variances: [number, number];
}

/**
 * The first two principal components of n points in `dim` dimensions, by power iteration on the
 * sample covariance with deflation. Each axis's sign is fixed so that its largest-magnitude
 * loading is positive (the first such loading when several are equal within 1e-12), so the
 * result does not depend on the random start vector. A direction with zero variance (dim < 2,
 * identical points) gives a zero axis and zero coordinates.
 */
export function pca2d(data: Float32Array | Float64Array, n: number, dim: number, seed: number, maxIter = 10_000): Pca2d {
  if (data.length !== n * dim) throw new RangeError(`pca2d: data has ${data.length} values, expected n x dim = ${n} x ${dim}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) mean[t]! += data[i * dim + t]!;
  for (let t = 0; t < dim; t++) mean[t]! /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < dim; t++) row[t] = data[i * dim + t]! - mean[t]!;
    for (let a = 0; a < dim; a++) {
      const ra = row[a]!;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b]! /= Math.max(1, n - 1);
      cov[b * dim + a] = cov[a * dim + b]!;
    }
  }
  let trace = 0;
  for (let t = 0; t < dim; t++) trace += cov[t * dim + t]!;
  const rng = new CounterRng(seed, Stream.kmeans, PCA_KEY);
  const axes = new Float64Array(dim * 2);
  const variances: [number, number] = [0, 0];
  for (let c = 0; c < 2; c++) {
    const { vector, value } = topEigen(cov, dim, rng, maxIter, trace);
    variances[c] = value;
    for (let t = 0; t < dim; t++) axes[t * 2 + c] = vector[t]!;
    // deflate: cov -= value v v^T
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b]! -= value * vector[a]! * vector[b]!;
  }
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += (data[i * dim + t]! - mean[t]!) * axes[t * 2 + c]!;
      coords[i * 2 + c] = s;
    }
  }
  return { coords, axes, variances };
}

/** Dominant eigenpair; eigenvalues below 1e-12 of the original total variance count as zero. */
function topEigen(cov: Float64Array, dim: number, rng: CounterRng, maxIter: number, trace: number): { vector: Float64Array; value: number } {
  const zero = { vector: new Float64Array(dim), value: 0 };
  let v = new Float64Array(dim);
  for (let t = 0; t < dim; t++) v[t] = rng.normal();
  normalize(v);
  let w = new Float64Array(dim);
  for (let it = 0; it < maxIter; it++) {
    for (let a = 0; a < dim; a++) {
      let s = 0;
      for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * v[b]!;
      w[a] = s;
    }
    const norm = normalize(w);
    if (!(norm > 1e-12 * trace)) return zero;
    let dot = 0;
    for (let t = 0; t < dim; t++) dot += w[t]! * v[t]!;
    const s = dot < 0 ? -1 : 1;
    let change = 0;
    for (let t = 0; t < dim; t++) change = Math.max(change, Math.abs(w[t]! - s * v[t]!));
    [v, w] = [w, v];
    if (change < 1e-14) break; // direction settled to rounding
  }
  // Rayleigh quotient: a sharper eigenvalue than the last norm, and signed
  let rq = 0;
  for (let a = 0; a < dim; a++) {
    let s = 0;
    for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * v[b]!;
    rq += v[a]! * s;
  }
  if (!(rq > 1e-12 * trace)) return zero;
  let big = 0;
  for (let t = 0; t < dim; t++) big = Math.max(big, Math.abs(v[t]!));
  let sign = 1;
  for (let t = 0; t < dim; t++) {
    if (Math.abs(v[t]!) >= big - 1e-12) {
      sign = v[t]! < 0 ? -1 : 1;
      break;
    }
  }
  for (let t = 0; t < dim; t++) v[t]! *= sign;
  return { vector: v, value: rq };
}

function normalize(v: Float64Array): number {
  let s = 0;
  for (let t = 0; t < v.length; t++) s += v[t]! * v[t]!;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let t = 0; t < v.length; t++) v[t]! /= norm;
  return norm;
}
