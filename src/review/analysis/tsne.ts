import { CounterRng, Stream } from '../../core/rng.js';

/** Key of the t-SNE initial layout within Stream.kmeans (core/rng has no stream of its own for projections). */
const TSNE_KEY = 0x54534e45;

export interface TsneOptions {
  /** target perplexity (default 30; lowered to (n - 1) / 3 for small n) */
  perplexity?: number;
  /** gradient steps in all (default 500) */
  iterations?: number;
  /** P multiplier during the first `exaggerationIterations` steps (default 12) */
  exaggeration?: number;
  /** default 250 */
  exaggerationIterations?: number;
  /** default max(n / exaggeration / 4, 50), scikit-learn's 'auto' */
  learningRate?: number;
}

/**
 * Exact t-SNE (van der Maaten & Hinton 2008) to two dimensions, following scikit-learn's
 * method='exact': Gaussian conditionals calibrated by binary search to the perplexity on squared
 * Euclidean distances, P = (P_j|i + P_i|j) / 2n; Student-t similarities in the embedding;
 * gradient descent with momentum 0.5 then 0.8, delta-bar-delta gains (+0.2 / x0.8, floor 0.01),
 * early exaggeration; initial layout 1e-4 x N(0, 1) drawn from the seed. Cost O(n^2) per step,
 * memory two n x n float64 matrices (23 MB each at n = 1,700). The result is centred at the origin.
 *
 * @returns n x 2 row-major coordinates
 */
export function tsne2d(data: Float32Array | Float64Array, n: number, dim: number, seed: number, opts: TsneOptions = {}): Float64Array {
  if (data.length !== n * dim) throw new RangeError(`tsne2d: data has ${data.length} values, expected n x dim = ${n} x ${dim}`);
  const y = new Float64Array(n * 2);
  if (n < 2) return y;
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iterations = opts.iterations ?? 500;
  const exaggeration = opts.exaggeration ?? 12;
  const exIters = opts.exaggerationIterations ?? 250;
  const lr = opts.learningRate ?? Math.max(n / exaggeration / 4, 50);

  const p = jointProbabilities(data, n, dim, perplexity);
  const rng = new CounterRng(seed, Stream.kmeans, TSNE_KEY);
  for (let i = 0; i < 2 * n; i++) y[i] = 1e-4 * rng.normal();

  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const attract = new Float64Array(2 * n);
  const repel = new Float64Array(2 * n);
  for (let it = 0; it < iterations; it++) {
    const ex = it < exIters ? exaggeration : 1;
    const momentum = it < exIters ? 0.5 : 0.8;
    // One pass over pairs i < j: the gradient is 4 sum_j (ex p_ij - q_ij) w_ij (y_i - y_j) with
    // w_ij = 1 / (1 + |y_i - y_j|^2) and q_ij = w_ij / Z, so accumulate sum p w (y_i - y_j) and
    // sum w^2 (y_i - y_j) separately and combine once Z = sum_{i != j} w_ij is known.
    attract.fill(0);
    repel.fill(0);
    let z = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = y[2 * i]!;
      const yi1 = y[2 * i + 1]!;
      let ax = 0;
      let ay = 0;
      let rx = 0;
      let ry = 0;
      const base = i * n;
      for (let j = i + 1; j < n; j++) {
        const dx = yi0 - y[2 * j]!;
        const dy = yi1 - y[2 * j + 1]!;
        const w = 1 / (1 + dx * dx + dy * dy);
        z += w;
        const pw = p[base + j]! * w;
        const ww = w * w;
        ax += pw * dx;
        ay += pw * dy;
        rx += ww * dx;
        ry += ww * dy;
        attract[2 * j]! -= pw * dx;
        attract[2 * j + 1]! -= pw * dy;
        repel[2 * j]! -= ww * dx;
        repel[2 * j + 1]! -= ww * dy;
      }
      attract[2 * i]! += ax;
      attract[2 * i + 1]! += ay;
      repel[2 * i]! += rx;
      repel[2 * i + 1]! += ry;
    }
    z *= 2;
    for (let c = 0; c < 2 * n; c++) {
      const grad = 4 * (ex * attract[c]! - repel[c]! / z);
      const g = (update[c]! * grad < 0 ? gains[c]! + 0.2 : gains[c]! * 0.8);
      gains[c] = g < 0.01 ? 0.01 : g;
      update[c] = momentum * update[c]! - lr * gains[c]! * grad;
      y[c]! += update[c]!;
    }
  }
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += y[2 * i]!;
    my += y[2 * i + 1]!;
  }
  for (let i = 0; i < n; i++) {
    y[2 * i]! -= mx / n;
    y[2 * i + 1]! -= my / n;
  }
  return y;
}

/**
 * Symmetric joint probabilities P (n x n, zero diagonal): for each i, beta_i = 1 / (2 sigma_i^2)
 * found by bisection (at most 100 steps, |H - ln perplexity| < 1e-5) so that the conditional
 * p_j|i ∝ exp(-beta_i d_ij^2) has entropy ln(perplexity); then P = (P + P^T) / 2n, floored at 1e-12.
 */
export function jointProbabilities(data: Float32Array | Float64Array, n: number, dim: number, perplexity: number): Float64Array {
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const d = data[i * dim + t]! - data[j * dim + t]!;
        s += d * d;
      }
      d2[i * n + j] = s;
      d2[j * n + i] = s;
    }
  }
  const cond = new Float64Array(n * n);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    const row = i * n;
    for (let step = 0; step < 100; step++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const e = Math.exp(-d2[row + j]! * beta);
        cond[row + j] = e;
        sum += e;
        weighted += d2[row + j]! * e;
      }
      if (sum === 0) sum = 1e-8; // every neighbour underflowed: beta far too large, bisect down
      const h = Math.log(sum) + (beta * weighted) / sum;
      for (let j = 0; j < n; j++) cond[row + j]! /= sum;
      const diff = h - target;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  const p = d2.fill(0); // the distances are no longer needed: reuse their memory
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((cond[i * n + j]! + cond[j * n + i]!) * scale, 1e-12);
      p[i * n + j] = v;
      p[j * n + i] = v;
    }
  }
  return p;
}
