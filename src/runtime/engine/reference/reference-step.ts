/**
 * The float64 reference of one training step: the specification every engine is checked
 * against. Plain loops, analytic gradients, no shortcuts.
 *
 * Notation: a batch has B samples b = 0..B-1 with user u_b = user[users[b]], positive item
 * pos[b] and n negatives neg[b*n .. b*n+n) (n = sampler.negatives). Candidates of sample b:
 * c_b0 = pos[b], c_bk = neg[b*n + k - 1] for k = 1..n.
 *
 * 1. Scores. s_bk = sim(u_b, v_{c_bk}) for k = 0..n, where
 *      dot:    sim(u, v) = u . v
 *      cosine: sim(u, v) = (u / max(|u|, 1e-12)) . (v / max(|v|, 1e-12))
 * 2. Loss of a sample.
 *      infonce(t): loss_b = logsumexp_k(s_bk / t) - s_b0 / t             (k = 0..n)
 *      bpr:        loss_b = (1/n) sum_{k=1..n} softplus(s_bk - s_b0),  softplus(x) = log(1 + e^x)
 *    Batch loss L = (1/B) sum_b loss_b; the step returns L computed with the tables before the step.
 * 3. Gradients of L (analytic): dL/ds_bk, then through sim into the rows of both tables,
 *    accumulated over all occurrences (a row used twice gets the sum).
 *      infonce: dL/ds_bk = (softmax_k(s_b. / t) - [k = 0]) / (t B)
 *      bpr:     dL/ds_bk = sigmoid(s_bk - s_b0) / (n B) for k >= 1, dL/ds_b0 = -sum_{k>=1} of those
 *      dot:     ds/du = v, ds/dv = u
 *      cosine:  ds/du = (v^ - s u^) / |u| with u^ = u/|u|, v^ = v/|v| (and symmetrically ds/dv);
 *               where |x| <= 1e-12 the floor is active: ds/du = v^ / 1e-12.
 * 4. Which tables the optimiser owns (backprop):
 *      both:      user and item;  onebp: item only;  user_only: user only.
 *    A table the optimiser does not own is not a parameter: no gradient step, no weight decay, no slots.
 * 5. Optimiser, t = step number counted from 1, applied to each owned table P with gradient G:
 *      adam (torch.optim.Adam): g = G + wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *           p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *           lazy false (dense): every row of P, every step (a row outside the batch has G = 0, so g = wd p).
 *           lazy true: only the rows the batch touches (user table: users; item table: positives and
 *           negatives); other rows keep p, m and v unchanged; t is still the global step.
 *      sgd: p = p - lr (G + wd p), every row.
 * 6. Moving aggregation, after the optimiser step (OneBP eq. 6 and its flip):
 *      onebp:     for each b, u[users[b]] <- beta u[users[b]] + (1 - beta) v[pos[b]]   (v after the step)
 *      user_only: for each b, v[pos[b]]   <- beta v[pos[b]]   + (1 - beta) u[users[b]] (u after the step)
 *    A target row occurring m times in the batch (occurrences k = 1..m in batch order, sources x_k):
 *      last:       row = beta row_old + (1 - beta) x_m   (each occurrence computed from the pre-batch
 *                  row, the last written wins: PyTorch indexed assignment)
 *      sequential: row = beta^m row_old + sum_k (1 - beta) beta^(m-k) x_k  (applied in batch order)
 */
import { assertUnreachable, InternalError } from '../../../core/errors.js';
import type { Batch } from '../engine.js';
import type { AdamParams } from '../../../components/optimizers/adam.js';
import type { SgdParams } from '../../../components/optimizers/sgd.js';
import { gradientTargets, type ModelConfig } from '../../../components/model-config.js';

export interface ReferenceTables {
  user: Float64Array;
  item: Float64Array;
  dim: number;
}

/** Everything a reference run carries between steps; slots `m.user`, `v.user`, `m.item`, `v.item` (Adam). */
export interface ReferenceState extends ReferenceTables {
  step: number;
  slots: Record<string, Float64Array>;
}

export interface ReferenceGradients {
  loss: number;
  /** dL/d(user table), numUsers x dim (dense, zero outside the batch). */
  gUser: Float64Array;
  /** dL/d(item table), numItems x dim. */
  gItem: Float64Array;
}

const NORM_FLOOR = 1e-12;

function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}
function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function checkBatch(t: { user: ArrayLike<number>; item: ArrayLike<number>; dim: number }, batch: Batch, n: number): void {
  const nu = t.user.length / t.dim;
  const ni = t.item.length / t.dim;
  if (batch.size < 1) throw new InternalError(`reference: a batch needs at least one sample, got ${batch.size}`);
  if (batch.neg.length < batch.size * n) throw new InternalError(`reference: ${batch.neg.length} negatives for ${batch.size} samples x ${n}`);
  for (let b = 0; b < batch.size; b++) {
    if (!(batch.users[b]! >= 0 && batch.users[b]! < nu)) throw new InternalError(`reference: user ${batch.users[b]} outside [0, ${nu})`);
    if (!(batch.pos[b]! >= 0 && batch.pos[b]! < ni)) throw new InternalError(`reference: item ${batch.pos[b]} outside [0, ${ni})`);
  }
  for (let q = 0; q < batch.size * n; q++) if (!(batch.neg[q]! >= 0 && batch.neg[q]! < ni)) throw new InternalError(`reference: item ${batch.neg[q]} outside [0, ${ni})`);
}

/**
 * The batch loss and its gradients with respect to both whole tables (whichever the backprop
 * strategy then uses). Tables may be float32 or float64; the arithmetic is float64.
 */
export function referenceGradients(
  tables: { user: ArrayLike<number>; item: ArrayLike<number>; dim: number },
  batch: Batch,
  config: ModelConfig,
): ReferenceGradients {
  const d = tables.dim;
  const n = config.sampler.params.negatives;
  checkBatch(tables, batch, n);
  const B = batch.size;
  const U = tables.user;
  const V = tables.item;
  const gUser = new Float64Array(U.length);
  const gItem = new Float64Array(V.length);
  const cosine = config.loss.params.similarity === 'cosine';
  const c = n + 1;
  const cand = new Int32Array(c);
  const s = new Float64Array(c);
  const dS = new Float64Array(c);
  const uHat = new Float64Array(d);
  const vHat = new Float64Array(c * d);
  const vNorm = new Float64Array(c);
  let total = 0;

  for (let b = 0; b < B; b++) {
    const uRow = batch.users[b]! * d;
    cand[0] = batch.pos[b]!;
    for (let k = 1; k <= n; k++) cand[k] = batch.neg[b * n + k - 1]!;

    // 1. scores
    let uNorm = 1;
    if (cosine) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += U[uRow + j]! * U[uRow + j]!;
      uNorm = Math.max(Math.sqrt(sq), NORM_FLOOR);
      for (let j = 0; j < d; j++) uHat[j] = U[uRow + j]! / uNorm;
    }
    for (let k = 0; k < c; k++) {
      const vRow = cand[k]! * d;
      let dot = 0;
      if (cosine) {
        let sq = 0;
        for (let j = 0; j < d; j++) sq += V[vRow + j]! * V[vRow + j]!;
        vNorm[k] = Math.max(Math.sqrt(sq), NORM_FLOOR);
        for (let j = 0; j < d; j++) {
          vHat[k * d + j] = V[vRow + j]! / vNorm[k]!;
          dot += uHat[j]! * vHat[k * d + j]!;
        }
      } else {
        for (let j = 0; j < d; j++) dot += U[uRow + j]! * V[vRow + j]!;
      }
      s[k] = dot;
    }

    // 2. loss of the sample and dL/ds (already divided by B)
    switch (config.loss.name) {
      case 'infonce': {
        const t = config.loss.params.temperature;
        let max = -Infinity;
        for (let k = 0; k < c; k++) max = Math.max(max, s[k]! / t);
        let sum = 0;
        for (let k = 0; k < c; k++) sum += Math.exp(s[k]! / t - max);
        const lse = max + Math.log(sum);
        total += lse - s[0]! / t;
        for (let k = 0; k < c; k++) dS[k] = (Math.exp(s[k]! / t - lse) - (k === 0 ? 1 : 0)) / (t * B);
        break;
      }
      case 'bpr': {
        let sample = 0;
        dS[0] = 0;
        for (let k = 1; k < c; k++) {
          const x = s[k]! - s[0]!;
          sample += softplus(x);
          dS[k] = sigmoid(x) / (n * B);
          dS[0] -= dS[k]!;
        }
        total += sample / n;
        break;
      }
      default:
        assertUnreachable(config.loss, 'loss');
    }

    // 3. through the similarity into the rows
    for (let k = 0; k < c; k++) {
      const g = dS[k]!;
      const vRow = cand[k]! * d;
      if (!cosine) {
        for (let j = 0; j < d; j++) {
          gUser[uRow + j] += g * V[vRow + j]!;
          gItem[vRow + j] += g * U[uRow + j]!;
        }
        continue;
      }
      const sk = s[k]!;
      const uFloor = uNorm === NORM_FLOOR;
      const vFloor = vNorm[k] === NORM_FLOOR;
      for (let j = 0; j < d; j++) {
        const uh = uHat[j]!;
        const vh = vHat[k * d + j]!;
        gUser[uRow + j] += (g * (uFloor ? vh : vh - sk * uh)) / uNorm;
        gItem[vRow + j] += (g * (vFloor ? uh : uh - sk * vh)) / vNorm[k]!;
      }
    }
  }
  return { loss: total / B, gUser, gItem };
}

/** Rows of a table the batch touches (lazy Adam), ascending. */
function touchedRows(ids: Int32Array[], counts: number[]): number[] {
  const set = new Set<number>();
  ids.forEach((a, q) => {
    for (let i = 0; i < counts[q]!; i++) set.add(a[i]!);
  });
  return [...set].sort((a, b) => a - b);
}

/**
 * Adam (section 5) on a table of rows x dim: `rows` null = dense (every row), else only those
 * rows (lazy). t is the step number (from 1). Mutates table, m and v.
 */
export function referenceAdam(
  table: Float64Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  rows: readonly number[] | null,
  dim: number,
  t: number,
  p: AdamParams,
): void {
  const { lr, beta1: b1, beta2: b2, eps, weight_decay: wd } = p;
  const bc1 = 1 - Math.pow(b1, t);
  const bc2 = 1 - Math.pow(b2, t);
  const update = (i: number) => {
    const g = grad[i]! + wd * table[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * g;
    v[i] = b2 * v[i]! + (1 - b2) * g * g;
    table[i] = table[i]! - (lr * (m[i]! / bc1)) / (Math.sqrt(v[i]! / bc2) + eps);
  };
  if (rows === null) for (let i = 0; i < table.length; i++) update(i);
  else for (const r of rows) for (let j = 0; j < dim; j++) update(r * dim + j);
}

/** SGD (section 5) on every entry of a table: p = p - lr (G + wd p). */
export function referenceSgd(table: Float64Array, grad: Float64Array, p: SgdParams): void {
  for (let i = 0; i < table.length; i++) table[i] = table[i]! - p.lr * (grad[i]! + p.weight_decay * table[i]!);
}

function optimiseTable(state: ReferenceState, which: 'user' | 'item', grad: Float64Array, rows: number[] | null, config: ModelConfig): void {
  const P = state[which];
  const o = config.optimizer;
  switch (o.name) {
    case 'sgd':
      referenceSgd(P, grad, o.params);
      return;
    case 'adam': {
      const m = (state.slots[`m.${which}`] ??= new Float64Array(P.length));
      const v = (state.slots[`v.${which}`] ??= new Float64Array(P.length));
      referenceAdam(P, grad, m, v, rows, state.dim, state.step, o.params);
      return;
    }
    default:
      assertUnreachable(o, 'optimizer');
  }
}

/**
 * Moving aggregation of `target` rows towards `source` rows (section 6 of the header):
 * occurrence b moves target row tIdx[b] towards source row sIdx[b].
 */
export function referenceMovingAggregation(
  target: Float64Array,
  source: Float64Array,
  dim: number,
  tIdx: Int32Array,
  sIdx: Int32Array,
  count: number,
  beta: number,
  duplicates: 'last' | 'sequential',
): void {
  if (duplicates === 'sequential') {
    for (let b = 0; b < count; b++) {
      const t = tIdx[b]! * dim;
      const s = sIdx[b]! * dim;
      for (let j = 0; j < dim; j++) target[t + j] = beta * target[t + j]! + (1 - beta) * source[s + j]!;
    }
    return;
  }
  // last: every occurrence reads the pre-batch row; writes happen in batch order.
  const before = target.slice();
  for (let b = 0; b < count; b++) {
    const t = tIdx[b]! * dim;
    const s = sIdx[b]! * dim;
    for (let j = 0; j < dim; j++) target[t + j] = beta * before[t + j]! + (1 - beta) * source[s + j]!;
  }
}

/** One training step on `state` (mutated): forward, gradients, optimiser, moving aggregation. Returns the batch loss. */
export function referenceStep(state: ReferenceState, batch: Batch, config: ModelConfig): number {
  const { loss, gUser, gItem } = referenceGradients(state, batch, config);
  const targets = gradientTargets(config.backprop);
  const n = config.sampler.params.negatives;
  state.step += 1;
  const lazy = config.optimizer.name === 'adam' && config.optimizer.params.lazy;
  if (targets.user) optimiseTable(state, 'user', gUser, lazy ? touchedRows([batch.users], [batch.size]) : null, config);
  if (targets.item) optimiseTable(state, 'item', gItem, lazy ? touchedRows([batch.pos, batch.neg], [batch.size, batch.size * n]) : null, config);
  const bp = config.backprop;
  switch (bp.name) {
    case 'both':
      break;
    case 'onebp':
      referenceMovingAggregation(state.user, state.item, state.dim, batch.users, batch.pos, batch.size, bp.params.beta, bp.params.duplicates);
      break;
    case 'user_only':
      referenceMovingAggregation(state.item, state.user, state.dim, batch.pos, batch.users, batch.size, bp.params.beta, bp.params.duplicates);
      break;
    default:
      assertUnreachable(bp, 'backprop');
  }
  return loss;
}

/** A float64 state from float32 tables (a copy), step 0, no slots. */
export function referenceStateFrom(tables: { user: ArrayLike<number>; item: ArrayLike<number>; dim: number }): ReferenceState {
  return { user: Float64Array.from(tables.user), item: Float64Array.from(tables.item), dim: tables.dim, step: 0, slots: {} };
}
