import { declare, f, u, uRW, fRW, type Kernel } from './common.js';

/** Threads per workgroup of the ranking kernel: each keeps its own top K over a stride of the items. */
export const RANK_THREADS = 64;
/** The user row sits in workgroup memory: at most this many dimensions (with the merge heads, under the 16 KiB WebGPU guarantees). */
export const RANK_MAX_DIM = 4000;

/**
 * Full-ranking top-K, one workgroup per user of the chunk (rank.ts has the definition):
 * - tiled scoring: the user's row is loaded once into workgroup memory; thread t scores items
 *   t, t + 64, ... as score(u, i) = (u . v_i) * scale_i (scale_i = 1 / max(|v_i|, 1e-12) under
 *   cosine, else 1);
 * - masking: an item in the user's excluded row (sorted CSR of the union of the exclusion sets)
 *   is skipped (binary search);
 * - top-K: each thread keeps a sorted list of its K best (higher score first; on equal scores the
 *   lower item id, which a thread sees first), written to scratch; thread 0 then merges the 64
 *   lists by the same order into the user's K results, -1 where fewer than K items remain.
 */
export function rankTopKKernel(dim: number, k: number): Kernel {
  const bindings = [f('users'), f('items'), f('scale'), u('exIndptr'), u('exIndices'), fRW('scratchScore'), uRW('scratchItem'), uRW('out'), u('shape')];
  const T = RANK_THREADS;
  const code = /* wgsl */ `
${declare(bindings)}
const D: u32 = ${dim}u;
const K: u32 = ${k}u;
const NONE: u32 = 0xffffffffu;
var<workgroup> urow: array<f32, ${dim}>;
var<workgroup> heads: array<u32, ${T}>;

fn excluded(q: u32, item: u32) -> bool {
  var lo = exIndptr[q];
  var hi = exIndptr[q + 1u];
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    let x = exIndices[mid];
    if (x == item) { return true; }
    if (x < item) { lo = mid + 1u; } else { hi = mid; }
  }
  return false;
}

/** a ranks before b: higher score, then lower item id (NONE ranks last). */
fn before(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
  if (ib == NONE) { return ia != NONE; }
  if (ia == NONE) { return false; }
  return sa > sb || (sa == sb && ia < ib);
}

@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let q = wid.x;
  let numItems = shape[0];
  let tid = lid.x;
  for (var k = tid; k < D; k += ${T}u) { urow[k] = users[q * D + k]; }
  workgroupBarrier();

  var bestS: array<f32, ${k}>;
  var bestI: array<u32, ${k}>;
  for (var r = 0u; r < K; r++) { bestI[r] = NONE; bestS[r] = 0.0f; }
  for (var i = tid; i < numItems; i += ${T}u) {
    if (excluded(q, i)) { continue; }
    var s = 0.0f;
    for (var k = 0u; k < D; k++) { s += urow[k] * items[i * D + k]; }
    s *= scale[i];
    if (!before(s, i, bestS[K - 1u], bestI[K - 1u])) { continue; }
    var r = K - 1u;
    while (r > 0u && before(s, i, bestS[r - 1u], bestI[r - 1u])) { bestS[r] = bestS[r - 1u]; bestI[r] = bestI[r - 1u]; r -= 1u; }
    bestS[r] = s;
    bestI[r] = i;
  }
  let base = (q * ${T}u + tid) * K;
  for (var r = 0u; r < K; r++) { scratchScore[base + r] = bestS[r]; scratchItem[base + r] = bestI[r]; }
  heads[tid] = 0u;
  workgroupBarrier();
  if (tid != 0u) { return; }
  for (var r = 0u; r < K; r++) {
    var bt = NONE;
    var bs = 0.0f;
    var bi = NONE;
    for (var t = 0u; t < ${T}u; t++) {
      let h = heads[t];
      if (h >= K) { continue; }
      let at = (q * ${T}u + t) * K + h;
      if (before(scratchScore[at], scratchItem[at], bs, bi)) { bs = scratchScore[at]; bi = scratchItem[at]; bt = t; }
    }
    out[q * K + r] = bi;
    if (bt != NONE) { heads[bt] += 1u; }
  }
}
`;
  return { label: 'rank-top-k', code, bindings, workgroup: T };
}
