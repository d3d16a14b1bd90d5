import { createHash } from 'node:crypto';
import { InternalError } from '../../../core/errors.js';

/**
 * The symmetric normalised adjacency Â = D^-1/2 A D^-1/2 of the user-item bipartite graph
 * (LightGCN, He et al. 2020, eq. 7), in CSR form over n = numUsers + numItems nodes: node u is
 * user u, node numUsers + i is item i. A has a 1 at (u, numUsers + i) and (numUsers + i, u) for
 * each distinct training pair, so Â is symmetric with Â[u][nu + i] = 1 / sqrt(deg(u) deg(i)).
 * Row r's columns are indices[indptr[r] .. indptr[r+1]), ascending; a node of degree 0 has an
 * empty row. A user row's columns are all >= numUsers and an item row's all < numUsers (the
 * kernels rely on this).
 */
export interface NormalizedAdjacency {
  readonly numUsers: number;
  readonly numItems: number;
  readonly n: number;
  readonly nnz: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** The same with float64 values: the specification the tests compare against. */
export interface ReferenceAdjacency extends Omit<NormalizedAdjacency, 'values'> {
  readonly values: Float64Array;
}

/** Bump when the construction changes the numbers (the summary is part of cached artifacts' keys). */
export const NORMALIZED_ADJACENCY_VERSION = 1;

function checkPairs(numUsers: number, numItems: number, pairUsers: Int32Array, pairItems: Int32Array): void {
  if (!Number.isInteger(numUsers) || !Number.isInteger(numItems) || numUsers < 0 || numItems < 0)
    throw new InternalError(`normalized adjacency: numUsers and numItems must be integers >= 0, got ${numUsers}, ${numItems}`);
  // CSR offsets are i32, and every distinct pair gives two nonzeros
  if (numUsers + numItems > 0x7fffffff) throw new InternalError(`normalized adjacency: ${numUsers + numItems} nodes do not fit i32 indices`);
  if (pairUsers.length !== pairItems.length) throw new InternalError(`normalized adjacency: ${pairUsers.length} users but ${pairItems.length} items in the pairs`);
  if (2 * pairUsers.length > 0x7fffffff) throw new InternalError(`normalized adjacency: ${pairUsers.length} pairs do not fit i32 offsets`);
  for (let p = 0; p < pairUsers.length; p++) {
    const u = pairUsers[p]!;
    const i = pairItems[p]!;
    if (u < 0 || u >= numUsers || i < 0 || i >= numItems)
      throw new InternalError(`normalized adjacency: pair ${p} (${u}, ${i}) is outside ${numUsers} users x ${numItems} items`);
  }
}

/**
 * Builds Â with float32 values from training pairs (duplicates counted once). Two stable
 * counting sorts (by item, then by user) order the pairs by (user, item) in O(pairs + n), so the
 * construction is a pure function of the pair multiset: the same CSR whatever the pair order.
 * Each value is the f32 rounding of 1 / sqrt(du * di) computed in f64 (du * di is exact, and
 * sqrt and division are correctly rounded, so it is reproducible everywhere).
 */
export function buildNormalizedAdjacency(numUsers: number, numItems: number, pairUsers: Int32Array, pairItems: Int32Array): NormalizedAdjacency {
  checkPairs(numUsers, numItems, pairUsers, pairItems);
  const m = pairUsers.length;
  const nu = numUsers;
  const n = numUsers + numItems;

  // pairs by item (stable), then by user (stable): (user, item) order, duplicates adjacent
  const itemStart = new Int32Array(numItems + 1);
  for (let p = 0; p < m; p++) itemStart[pairItems[p]! + 1]!++;
  for (let i = 0; i < numItems; i++) itemStart[i + 1]! += itemStart[i]!;
  const byItem = new Int32Array(m);
  for (let p = 0; p < m; p++) byItem[itemStart[pairItems[p]!]!++] = p;
  const userStart = new Int32Array(numUsers + 1);
  for (let p = 0; p < m; p++) userStart[pairUsers[p]! + 1]!++;
  for (let u = 0; u < numUsers; u++) userStart[u + 1]! += userStart[u]!;
  const sorted = new Int32Array(m);
  for (let q = 0; q < m; q++) {
    const p = byItem[q]!;
    sorted[userStart[pairUsers[p]!]!++] = p;
  }

  // distinct pairs and degrees
  const eu = new Int32Array(m);
  const ei = new Int32Array(m);
  const deg = new Int32Array(n);
  let e = 0;
  for (let q = 0; q < m; q++) {
    const p = sorted[q]!;
    const u = pairUsers[p]!;
    const i = pairItems[p]!;
    if (e > 0 && eu[e - 1] === u && ei[e - 1] === i) continue;
    eu[e] = u;
    ei[e] = i;
    deg[u]!++;
    deg[nu + i]!++;
    e++;
  }

  const nnz = 2 * e;
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + deg[r]!;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const fill = indptr.slice(0, n);
  // edges come in (user, item) order: user rows get items ascending, item rows users ascending
  for (let k = 0; k < e; k++) {
    const u = eu[k]!;
    const c = nu + ei[k]!;
    const v = Math.fround(1 / Math.sqrt(deg[u]! * deg[c]!));
    let w = fill[u]!++;
    indices[w] = c;
    values[w] = v;
    w = fill[c]!++;
    indices[w] = u;
    values[w] = v;
  }
  return { numUsers, numItems, n, nnz, indptr, indices, values };
}

/**
 * The float64 specification, built the obvious way: a set of distinct edges, degrees, each row
 * sorted; Â[r][c] = 1 / (sqrt(deg r) sqrt(deg c)).
 */
export function buildNormalizedAdjacencyReference(numUsers: number, numItems: number, pairUsers: Int32Array, pairItems: Int32Array): ReferenceAdjacency {
  checkPairs(numUsers, numItems, pairUsers, pairItems);
  const n = numUsers + numItems;
  const rows: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let p = 0; p < pairUsers.length; p++) {
    const u = pairUsers[p]!;
    const c = numUsers + pairItems[p]!;
    rows[u]!.add(c);
    rows[c]!.add(u);
  }
  const deg = rows.map((s) => s.size);
  const indptr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < n; r++) {
    for (const c of [...rows[r]!].sort((a, b) => a - b)) {
      cols.push(c);
      vals.push(1 / (Math.sqrt(deg[r]!) * Math.sqrt(deg[c]!)));
    }
    indptr[r + 1] = cols.length;
  }
  return { numUsers, numItems, n, nnz: cols.length, indptr, indices: Int32Array.from(cols), values: Float64Array.from(vals) };
}

/** What an adjacency is, for an artifact's manifest and for cache keys: sizes and a digest of the CSR. */
export interface AdjacencySummary {
  version: number;
  numUsers: number;
  numItems: number;
  n: number;
  nnz: number;
  /** Distinct training pairs: nnz / 2. */
  edges: number;
  /** Users without items and items without users: their propagated rows are zero. */
  isolatedUsers: number;
  isolatedItems: number;
  maxDegree: number;
  /** sha256 of indptr, indices and values as little-endian bytes, in that order. */
  sha256: string;
}

const leBytes = (a: Int32Array | Float32Array): Uint8Array => {
  // little-endian whatever the host: the digest must not depend on the machine
  const out = new Uint8Array(a.length * 4);
  const v = new DataView(out.buffer);
  if (a instanceof Int32Array) for (let k = 0; k < a.length; k++) v.setInt32(4 * k, a[k]!, true);
  else for (let k = 0; k < a.length; k++) v.setFloat32(4 * k, a[k]!, true);
  return out;
};

/** A pure function of the adjacency's content. */
export function summarizeAdjacency(adj: NormalizedAdjacency): AdjacencySummary {
  const { numUsers, numItems, n, nnz, indptr, indices, values } = adj;
  let isolatedUsers = 0;
  let isolatedItems = 0;
  let maxDegree = 0;
  for (let r = 0; r < n; r++) {
    const d = indptr[r + 1]! - indptr[r]!;
    if (d === 0) {
      if (r < numUsers) isolatedUsers++;
      else isolatedItems++;
    }
    maxDegree = Math.max(maxDegree, d);
  }
  const h = createHash('sha256');
  h.update(leBytes(indptr));
  h.update(leBytes(indices.subarray(0, nnz)));
  h.update(leBytes(values.subarray(0, nnz)));
  return {
    version: NORMALIZED_ADJACENCY_VERSION,
    numUsers,
    numItems,
    n,
    nnz,
    edges: nnz / 2,
    isolatedUsers,
    isolatedItems,
    maxDegree,
    sha256: h.digest('hex'),
  };
}
