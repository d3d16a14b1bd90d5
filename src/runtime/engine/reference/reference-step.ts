/**
 * The float64 reference of one training step: the specification every engine is checked
 * against. Plain loops, analytic gradients, whole tables, no shortcuts. Each component supplies
 * its part (src/contract/training.ts); this file composes them:
 *
 * 1. Embeddings E = encoder(P) from the layer-0 parameters P (mf: E = P).
 * 2. Scores of row b (user u_b = users[b]) and column k = 0..w (column 0 the positive pos[b];
 *    column k >= 1 the candidate neg[b w + k - 1] per positive, or neg[k - 1] shared):
 *      S_bk = sim(E_user[u_b], E_item[c_bk]) + logq_bk
 *      dot:    sim(u, v) = u . v
 *      cosine: sim(u, v) = (u / max(|u|, 1e-12)) . (v / max(|v|, 1e-12))
 * 3. L = loss(S, mask) (the loss's file has its formula and dL/dS), plus the regulariser's
 *    penalty weight/2 sum |P_row|^2 / B over the layer-0 rows the batch gathers (owned tables only).
 * 4. Gradients: dL/dS through sim into E (accumulated over occurrences), then through the
 *    encoder's adjoint into P.
 *      dot:    ds/du = v, ds/dv = u
 *      cosine: ds/du = (v^ - s u^) / |u| with u^ = u/|u|, v^ = v/|v| (and symmetrically ds/dv);
 *              where |x| <= 1e-12 the floor is active: ds/du = v^ / 1e-12.
 * 5. The optimiser steps each table the backprop strategy owns (a table it does not own is no
 *    parameter: no step, no weight decay, no slots); lazy optimisers only the rows the batch uses.
 * 6. Moving aggregation after the optimiser step (onebp, user_only) on the layer-0 tables
 *    (components/backprop/moving-aggregation.ts).
 */
import { InternalError } from '../../../core/errors.js';
import type { Batch, PreparedEncoder, Tables64, TrainingModel } from '../../../contract/training.js';
import { referenceMovingAggregation } from '../../../components/backprop/moving-aggregation.js';

/** Everything a reference run carries between steps; slots `m.user`, `v.item`, ... (Adam). */
export interface ReferenceState extends Tables64 {
  step: number;
  slots: Record<string, Float64Array>;
}

export interface ReferenceGradients {
  loss: number;
  /** dL/d(user parameters), numUsers x dim (dense). */
  gUser: Float64Array;
  /** dL/d(item parameters), numItems x dim. */
  gItem: Float64Array;
}

const NORM_FLOOR = 1e-12;

/** Item of column k >= 1 of row b. */
export function candidateOf(batch: Batch, b: number, k: number): number {
  return batch.layout === 'shared' ? batch.neg[k - 1]! : batch.neg[b * batch.width + k - 1]!;
}

function checkBatch(t: Tables64, batch: Batch): void {
  const nu = t.user.length / t.dim;
  const ni = t.item.length / t.dim;
  const cand = batch.layout === 'shared' ? batch.width : batch.size * batch.width;
  if (batch.size < 1) throw new InternalError(`reference: a batch needs at least one sample, got ${batch.size}`);
  if (batch.neg.length < cand) throw new InternalError(`reference: ${batch.neg.length} candidates for ${batch.size} samples x ${batch.width}`);
  for (let b = 0; b < batch.size; b++) {
    if (!(batch.users[b]! >= 0 && batch.users[b]! < nu)) throw new InternalError(`reference: user ${batch.users[b]} outside [0, ${nu})`);
    if (!(batch.pos[b]! >= 0 && batch.pos[b]! < ni)) throw new InternalError(`reference: item ${batch.pos[b]} outside [0, ${ni})`);
  }
  for (let q = 0; q < cand; q++) if (!(batch.neg[q]! >= 0 && batch.neg[q]! < ni)) throw new InternalError(`reference: item ${batch.neg[q]} outside [0, ${ni})`);
}

/** Row norms floored at 1e-12 (cosine), and the normalised rows. */
function normalised(t: Float64Array, d: number): { norm: Float64Array; unit: Float64Array } {
  const rows = t.length / d;
  const norm = new Float64Array(rows);
  const unit = new Float64Array(t.length);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += t[r * d + j]! * t[r * d + j]!;
    norm[r] = Math.max(Math.sqrt(sq), NORM_FLOOR);
    for (let j = 0; j < d; j++) unit[r * d + j] = t[r * d + j]! / norm[r]!;
  }
  return { norm, unit };
}

/** The score matrix S (rows x (1 + width)) of a batch under embeddings E, logQ terms included. */
export function referenceScores(E: Tables64, batch: Batch, similarity: 'dot' | 'cosine'): Float64Array {
  const d = E.dim;
  const cols = 1 + batch.width;
  const S = new Float64Array(batch.size * cols);
  const U = similarity === 'cosine' ? normalised(E.user, d).unit : E.user;
  const V = similarity === 'cosine' ? normalised(E.item, d).unit : E.item;
  for (let b = 0; b < batch.size; b++) {
    const u = batch.users[b]! * d;
    for (let k = 0; k < cols; k++) {
      const v = (k === 0 ? batch.pos[b]! : candidateOf(batch, b, k)) * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += U[u + j]! * V[v + j]!;
      S[b * cols + k] = s + (batch.logq ? batch.logq[b * cols + k]! : 0);
    }
  }
  return S;
}

/** Scores of explicit (user, item) pairs: what model-aware samplers ask for (perRow items per row). */
export function referencePairScores(E: Tables64, users: Int32Array, items: Int32Array, rows: number, perRow: number, similarity: 'dot' | 'cosine'): Float64Array {
  const d = E.dim;
  const out = new Float64Array(rows * perRow);
  for (let r = 0; r < rows; r++) {
    const u = users[r]! * d;
    let nu = 1;
    if (similarity === 'cosine') {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += E.user[u + j]! ** 2;
      nu = Math.max(Math.sqrt(sq), NORM_FLOOR);
    }
    for (let c = 0; c < perRow; c++) {
      const v = items[r * perRow + c]! * d;
      let dot = 0;
      let sq = 0;
      for (let j = 0; j < d; j++) {
        dot += E.user[u + j]! * E.item[v + j]!;
        sq += E.item[v + j]! ** 2;
      }
      out[r * perRow + c] = similarity === 'cosine' ? dot / (nu * Math.max(Math.sqrt(sq), NORM_FLOOR)) : dot;
    }
  }
  return out;
}

/**
 * The batch loss and its gradients with respect to both whole parameter tables (whichever the
 * backprop strategy then uses). Tables may be float32 or float64; the arithmetic is float64.
 */
export function referenceGradients(params: Tables64, batch: Batch, model: TrainingModel, encoder: PreparedEncoder): ReferenceGradients {
  checkBatch(params, batch);
  const d = params.dim;
  const B = batch.size;
  const cols = 1 + batch.width;
  const cosine = model.loss.similarity === 'cosine';
  const E = encoder.embedReference(params);
  const S = referenceScores(E, batch, model.loss.similarity);
  const dS = new Float64Array(S.length);
  let loss = model.loss.reference(S, B, cols, batch.mask, dS);

  // dL/dE: through the similarity into the rows, accumulated over occurrences
  const gE: Tables64 = { user: new Float64Array(E.user.length), item: new Float64Array(E.item.length), dim: d };
  const nu = cosine ? normalised(E.user, d) : null;
  const ni = cosine ? normalised(E.item, d) : null;
  for (let b = 0; b < B; b++) {
    const uRow = batch.users[b]!;
    for (let k = 0; k < cols; k++) {
      const g = dS[b * cols + k]!;
      if (g === 0) continue;
      const vRow = k === 0 ? batch.pos[b]! : candidateOf(batch, b, k);
      const u = uRow * d;
      const v = vRow * d;
      if (!nu || !ni) {
        for (let j = 0; j < d; j++) {
          gE.user[u + j]! += g * E.item[v + j]!;
          gE.item[v + j]! += g * E.user[u + j]!;
        }
        continue;
      }
      const s = S[b * cols + k]! - (batch.logq ? batch.logq[b * cols + k]! : 0);
      const un = nu.norm[uRow]!;
      const vn = ni.norm[vRow]!;
      for (let j = 0; j < d; j++) {
        const uh = nu.unit[u + j]!;
        const vh = ni.unit[v + j]!;
        gE.user[u + j]! += (g * (un === NORM_FLOOR ? vh : vh - s * uh)) / un;
        gE.item[v + j]! += (g * (vn === NORM_FLOOR ? uh : uh - s * vh)) / vn;
      }
    }
  }
  const gP = encoder.backwardReference(params, gE);
  const gUser = gP.user;
  const gItem = gP.item;

  // the regulariser: weight/2 |row|^2 / B per gathered layer-0 row of an owned table
  const reg = model.regularizer;
  if (reg && reg.weight > 0) {
    const w = reg.weight;
    const add = (P: Float64Array, G: Float64Array, row: number) => {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        sq += P[row * d + j]! ** 2;
        G[row * d + j]! += (w * P[row * d + j]!) / B;
      }
      loss += (w / 2) * (sq / B);
    };
    if (model.backprop.targets.user) for (let b = 0; b < B; b++) add(params.user, gUser, batch.users[b]!);
    if (model.backprop.targets.item) {
      for (let b = 0; b < B; b++) add(params.item, gItem, batch.pos[b]!);
      const n = batch.layout === 'shared' ? batch.width : B * batch.width;
      for (let q = 0; q < n; q++) add(params.item, gItem, batch.neg[q]!);
    }
  }
  return { loss, gUser, gItem };
}

/** Rows a batch gathers from the item table (positives and candidates), ascending and distinct. */
export function batchItemRows(batch: Batch): number[] {
  const set = new Set<number>();
  for (let b = 0; b < batch.size; b++) set.add(batch.pos[b]!);
  const n = batch.layout === 'shared' ? batch.width : batch.size * batch.width;
  for (let q = 0; q < n; q++) set.add(batch.neg[q]!);
  return [...set].sort((a, b) => a - b);
}

export function batchUserRows(batch: Batch): number[] {
  return [...new Set(batch.users.subarray(0, batch.size))].sort((a, b) => a - b);
}

/** One training step on `state` (mutated): forward, gradients, optimiser, moving aggregation. Returns the batch loss. */
export function referenceStep(state: ReferenceState, batch: Batch, model: TrainingModel, encoder: PreparedEncoder): number {
  const { loss, gUser, gItem } = referenceGradients(state, batch, model, encoder);
  const targets = model.backprop.targets;
  const opt = model.optimizer;
  state.step += 1;
  for (const [which, grad, rows] of [
    ['user', gUser, targets.user && opt.lazy ? batchUserRows(batch) : null],
    ['item', gItem, targets.item && opt.lazy ? batchItemRows(batch) : null],
  ] as const) {
    if (!targets[which]) continue;
    const P = state[which];
    const slots: Record<string, Float64Array> = {};
    for (const s of opt.slots) slots[s] = state.slots[`${s}.${which}`] ??= new Float64Array(P.length);
    opt.reference(P, grad, slots, rows, state.dim, state.step);
  }
  const agg = model.backprop.aggregate;
  if (agg?.target === 'user') referenceMovingAggregation(state.user, state.item, state.dim, batch.users, batch.pos, batch.size, agg.beta, agg.duplicates);
  if (agg?.target === 'item') referenceMovingAggregation(state.item, state.user, state.dim, batch.pos, batch.users, batch.size, agg.beta, agg.duplicates);
  return loss;
}

/** A float64 state from float32 tables (a copy), step 0, no slots. */
export function referenceStateFrom(tables: { user: ArrayLike<number>; item: ArrayLike<number>; dim: number }): ReferenceState {
  return { user: Float64Array.from(tables.user), item: Float64Array.from(tables.item), dim: tables.dim, step: 0, slots: {} };
}
