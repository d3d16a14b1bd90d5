import { CounterRng, Stream } from '../../core/rng.js';

export interface KMeansOptions {
  /** Lloyd iterations per restart (default 300) */
  maxIter?: number;
  /** independent k-means++ starts; the lowest inertia wins, earliest on ties (default 4) */
  restarts?: number;
}

export interface KMeansResult {
  /** cluster per point, 0 .. k-1 */
  labels: Int32Array;
  /** k x dim, row c = mean of the points labelled c (at convergence; after maxIter, of the previous labels) */
  centroids: Float32Array;
  /** sum of squared distances of points to their centroid */
  inertia: number;
  /** Lloyd update steps of the winning restart */
  iterations: number;
}

/**
 * k-means (OneBP 5.5 clusters item embeddings into latent types): k-means++ seeding, then Lloyd
 * iterations until no label changes, best of `restarts` by inertia. Restart r draws from
 * CounterRng(seed, Stream.kmeans, r), so results depend only on (data, k, seed, options).
 *
 * Details that make it deterministic and terminating:
 * - k-means++: the first centre is a uniform point, each next one a point drawn with probability
 *   proportional to D^2 (its squared distance to the nearest chosen centre); when every D^2 is 0
 *   (fewer distinct points than k) the draw is uniform.
 * - assignment: nearest centroid; an exact tie keeps the point's current cluster if it is among
 *   the nearest, else takes the lowest index.
 * - an empty cluster is re-seeded with the point farthest from its own centroid (lowest index on
 *   ties) taken from a cluster that keeps at least one point; several empty clusters are filled
 *   in index order.
 * Arithmetic is float64; centroids are returned as float32.
 */
export function kmeans(data: Float32Array, n: number, dim: number, k: number, seed: number, opts: KMeansOptions = {}): KMeansResult {
  if (data.length !== n * dim) throw new RangeError(`kmeans: data has ${data.length} values, expected n x dim = ${n} x ${dim}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kmeans: k must be an integer in [1, n = ${n}], got ${k}`);
  const maxIter = opts.maxIter ?? 300;
  const restarts = opts.restarts ?? 4;
  if (restarts < 1) throw new RangeError(`kmeans: restarts must be >= 1, got ${restarts}`);
  let best: { labels: Int32Array; centroids: Float64Array; inertia: number; iterations: number } | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = lloyd(data, n, dim, k, seedPlusPlus(data, n, dim, k, new CounterRng(seed, Stream.kmeans, r)), maxIter);
    if (best === undefined || run.inertia < best.inertia) best = run;
  }
  return { labels: best!.labels, centroids: Float32Array.from(best!.centroids), inertia: best!.inertia, iterations: best!.iterations };
}

function dist2(data: Float32Array, i: number, c: Float64Array, j: number, dim: number): number {
  let s = 0;
  const a = i * dim;
  const b = j * dim;
  for (let t = 0; t < dim; t++) {
    const d = data[a + t]! - c[b + t]!;
    s += d * d;
  }
  return s;
}

function seedPlusPlus(data: Float32Array, n: number, dim: number, k: number, rng: CounterRng): Float64Array {
  const centroids = new Float64Array(k * dim);
  const take = (c: number, p: number) => {
    for (let t = 0; t < dim; t++) centroids[c * dim + t] = data[p * dim + t]!;
  };
  take(0, rng.int(n));
  const d2 = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += d2[i] = dist2(data, i, centroids, 0, dim);
  for (let c = 1; c < k; c++) {
    let pick = -1;
    if (sum > 0) {
      const target = rng.next() * sum;
      let acc = 0;
      for (let i = 0; i < n; i++) {
        if (d2[i]! === 0) continue; // a chosen centre (or its duplicate) is never drawn again
        pick = i; // rounding can leave acc <= target: the last positive point then
        acc += d2[i]!;
        if (acc > target) break;
      }
    } else {
      pick = rng.int(n);
    }
    take(c, pick);
    sum = 0;
    for (let i = 0; i < n; i++) {
      const d = dist2(data, i, centroids, c, dim);
      if (d < d2[i]!) d2[i] = d;
      sum += d2[i]!;
    }
  }
  return centroids;
}

function lloyd(data: Float32Array, n: number, dim: number, k: number, centroids: Float64Array, maxIter: number) {
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const counts = new Int32Array(k);
  const assign = (): boolean => {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const cur = labels[i]!;
      let bestC = -1;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dist2(data, i, centroids, c, dim);
        if (d < bestD || (d === bestD && c === cur)) {
          bestD = d;
          bestC = c;
        }
      }
      if (bestC !== cur) changed = true;
      labels[i] = bestC;
      dist[i] = bestD;
    }
    return changed;
  };
  assign();
  let iterations = 0;
  while (iterations < maxIter) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[labels[i]!]!++;
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) continue;
      let far = -1;
      for (let i = 0; i < n; i++) if (counts[labels[i]!]! > 1 && (far < 0 || dist[i]! > dist[far]!)) far = i;
      counts[labels[far]!]!--;
      labels[far] = c;
      counts[c] = 1;
      dist[far] = 0;
    }
    centroids.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      for (let t = 0; t < dim; t++) centroids[c * dim + t]! += data[i * dim + t]!;
    }
    for (let c = 0; c < k; c++) for (let t = 0; t < dim; t++) centroids[c * dim + t]! /= counts[c]!;
    iterations++;
    if (!assign()) break;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist[i]!;
  return { labels, centroids, inertia, iterations };
}
