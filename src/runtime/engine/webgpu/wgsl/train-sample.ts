import { BATCH_STRUCT, batchBinding, declare, atomicRW, f, fRW, u, uRW, WORKGROUP, type Kernel } from './common.js';
import { RNG_WGSL } from './rng.js';
import { constsWgsl, type TrainConsts } from './train-consts.js';

/**
 * One thread per sample b of the batch: its candidates, scores, loss and gradient coefficients,
 * and its entries counted into the transposed indexes (items and users) that the gathers use.
 *
 * - Candidates (mode 0): the pair at epoch position p = start + b; negative j is the first
 *   accepted draw of boundedFrom(hash4(seed, stream, p, draw), numItems), draw = 0, 1, ...,
 *   rejecting the user's positives (exclude) and, while the user has >= N items to draw from,
 *   repeats within the sample: drawUniformNegatives (components/samplers/uniform.ts) exactly.
 * - Scores: s_j = u . v_j, or under cosine u . v_j / (|u| |v_j|) with norms floored at 1e-12
 *   (a floored norm has zero derivative; stored negative).
 * - Loss (mean over the batch of B samples): infonce logsumexp_j(s_j / t) - s_0 / t with
 *   dL/ds_j = (softmax_j - [j = 0]) / (t B); bpr (1/N) sum_k softplus(s_k - s_0) with
 *   dL/ds_k = sigmoid(s_k - s_0) / (N B), dL/ds_0 = -sum_k dL/ds_k.
 * - Coefficients (a_j, c_j, e): dL/dv_j = a_j u + c_j v_j and dL/du = sum_j a_j v_j + e u;
 *   dot: a_j = g_j, c_j = e = 0; cosine: a_j = g_j / (|u||v_j|), c_j = -g_j s_j / |v_j|^2,
 *   e = -sum_j g_j s_j / |u|^2 (chain rule of s = u.v / (|u||v|)).
 */
export function trainSampleKernel(c: TrainConsts): Kernel {
  const bindings = [
    batchBinding, u('order'), u('indptr'), u('indices'), f('user'), f('item'),
    uRW('bUsers'), uRW('bItems'), fRW('coef'), fRW('sLoss'), atomicRW('itemCount'), atomicRW('userCount'),
  ];
  const code = /* wgsl */ `
${constsWgsl(c)}
${BATCH_STRUCT}
${declare(bindings)}
${RNG_WGSL}

/** Whether item is in user u's sorted positives row (binary search). */
fn isPositive(user: u32, item: u32) -> bool {
  var lo = indptr[user];
  var hi = indptr[user + 1u];
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    let x = indices[mid];
    if (x == item) { return true; }
    if (x < item) { lo = mid + 1u; } else { hi = mid; }
  }
  return false;
}

fn drawNegatives(b: u32, user: u32, position: u32) {
  var available = NUM_ITEMS;
  if (EXCLUDE) { available -= indptr[user + 1u] - indptr[user]; }
  let distinct = available >= N;
  let prefix = hashPrefix(SEED, batch.stream, position);
  var draw = 0u;
  for (var j = 0u; j < N; j++) {
    loop {
      let cand = boundedFrom(hashLast(prefix, draw), NUM_ITEMS);
      draw += 1u;
      if (EXCLUDE && isPositive(user, cand)) { continue; }
      var dup = false;
      if (distinct) {
        for (var q = 0u; q < j; q++) { if (bItems[b * M + 1u + q] == cand) { dup = true; break; } }
      }
      if (dup) { continue; }
      bItems[b * M + 1u + j] = cand;
      break;
    }
  }
}

fn dotRows(ua: u32, va: u32) -> f32 {
  var s = 0.0f;
  for (var k = 0u; k < D; k++) { s += user[ua + k] * item[va + k]; }
  return s;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let b = gid.x;
  if (b >= batch.size) { return; }
  var uid: u32;
  if (batch.mode == 0u) {
    let position = batch.start + b;
    uid = order[2u * position];
    bUsers[b] = uid;
    bItems[b * M] = order[2u * position + 1u];
    drawNegatives(b, uid, position);
  } else {
    uid = bUsers[b];
  }
  let ua = uid * D;

  var scores: array<f32, ${c.negatives + 1}>;
  var norms: array<f32, ${c.negatives + 1}>;
  var nu = 1.0f;
  var uClamped = false;
  if (COSINE) {
    var q = 0.0f;
    for (var k = 0u; k < D; k++) { q += user[ua + k] * user[ua + k]; }
    nu = sqrt(q);
    if (!(nu > NORM_FLOOR)) { nu = NORM_FLOOR; uClamped = true; }
  }
  for (var j = 0u; j < M; j++) {
    let va = bItems[b * M + j] * D;
    var s = dotRows(ua, va);
    if (COSINE) {
      var q = 0.0f;
      for (var k = 0u; k < D; k++) { q += item[va + k] * item[va + k]; }
      var nv = sqrt(q);
      if (!(nv > NORM_FLOOR)) { nv = -NORM_FLOOR; }
      norms[j] = nv;
      s = s / (nu * abs(nv));
    }
    scores[j] = s;
  }

  // dS = d(batch mean loss) / d(score_j)
  var dS: array<f32, ${c.negatives + 1}>;
  let invB = 1.0f / f32(batch.size);
  var loss = 0.0f;
  if (!BPR) {
    var mx = scores[0] * INV_T;
    for (var j = 1u; j < M; j++) { mx = max(mx, scores[j] * INV_T); }
    var sum = 0.0f;
    for (var j = 0u; j < M; j++) { dS[j] = exp(scores[j] * INV_T - mx); sum += dS[j]; }
    loss = mx + log(sum) - scores[0] * INV_T;
    for (var j = 0u; j < M; j++) {
      var p = dS[j] / sum;
      if (j == 0u) { p -= 1.0f; }
      dS[j] = p * INV_T * invB;
    }
  } else {
    let invN = 1.0f / f32(N);
    var g0 = 0.0f;
    for (var j = 1u; j < M; j++) {
      let x = scores[j] - scores[0];
      let e = exp(-abs(x));
      loss += max(x, 0.0f) + log(1.0f + e);
      var sig = e / (1.0f + e);
      if (x >= 0.0f) { sig = 1.0f / (1.0f + e); }
      dS[j] = sig * invN * invB;
      g0 -= dS[j];
    }
    dS[0] = g0;
    loss *= invN;
  }
  sLoss[b] = loss;

  let co = b * COEF;
  var e = 0.0f;
  for (var j = 0u; j < M; j++) {
    let g = dS[j];
    var a = g;
    var cc = 0.0f;
    if (COSINE) {
      let nv = abs(norms[j]);
      a = g / (nu * nv);
      if (norms[j] > 0.0f) { cc = -g * scores[j] / (nv * nv); }
      e -= g * scores[j];
    }
    coef[co + j] = a;
    coef[co + M + j] = cc;
  }
  var eu = 0.0f;
  if (COSINE && !uClamped) { eu = e / (nu * nu); }
  coef[co + 2u * M] = eu;

  // transposed indexes: item entries (all candidates when items get gradients, else the positive
  // that user_only moves); user entries (when users get gradients or onebp moves them)
  if (ITEM_GRAD) {
    for (var j = 0u; j < M; j++) { atomicAdd(&itemCount[bItems[b * M + j]], 1u); }
  } else {
    atomicAdd(&itemCount[bItems[b * M]], 1u);
  }
  atomicAdd(&userCount[uid], 1u);
}
`;
  return { label: 'train-sample', code, bindings, workgroup: WORKGROUP };
}
