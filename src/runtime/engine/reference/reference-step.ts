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
import { gatheredCandidates, type Batch, type PreparedEncoder, type Tables64, type TrainingModel, type TrainPass } from '../../../contract/training.js';
import { referenceMovingAggregation } from '../../../components/backprop/moving-aggregation.js';
import { accumulateScoreGradients, addPenalty, batchScores, pairScores, type RowTables } from '../batch-scores.js';

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
  /** dL/d(the encoder's dense weights), by name (empty for encoders without any). */
  gWeights: Record<string, Float64Array>;
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
  if (batch.bank && (batch.layout !== 'shared' || batch.bank.count > batch.width || batch.bank.vectors.length < batch.bank.count * t.dim))
    throw new InternalError(`reference: a bank of ${batch.bank.count} columns does not fit a ${batch.layout} batch of width ${batch.width} (dim ${t.dim})`);
}

const rowsOf = (t: Tables64): RowTables => ({ user: t.user, item: t.item, dim: t.dim, stride: t.dim });

/** Scores of explicit (user, item) pairs under embeddings E (model-aware samplers). */
export function referencePairScores(E: Tables64, users: Int32Array, items: Int32Array, rows: number, perRow: number, similarity: 'dot' | 'cosine' | 'euclidean'): Float64Array {
  return pairScores(rowsOf(E), users, items, rows, perRow, similarity);
}

/**
 * The batch loss and its gradients with respect to both whole parameter tables (whichever the
 * backprop strategy then uses). Tables may be float32 or float64; the arithmetic is float64.
 */
export function referenceGradients(params: Tables64, batch: Batch, model: TrainingModel, encoder: PreparedEncoder, pass?: TrainPass): ReferenceGradients {
  checkBatch(params, batch);
  const B = batch.size;
  const cols = 1 + batch.width;
  const E = encoder.embedReference(params, pass);
  // the embeddings' width: the parameters' for most encoders, (K + 1) d for ngcf
  const d = E.dim;
  const S = batchScores(rowsOf(E), batch, model.loss.similarity);
  const dS = new Float64Array(S.length);
  let loss = model.loss.reference(S, B, cols, batch.mask, dS);
  const gE: Tables64 = { user: new Float64Array(E.user.length), item: new Float64Array(E.item.length), dim: d };
  accumulateScoreGradients(rowsOf(E), batch, model.loss.similarity, S, dS, gE.user, gE.item);
  const { user: gUser, item: gItem, weights: gWeights = {} } = encoder.backwardReference(params, gE, pass);
  if (model.regularizer && model.regularizer.weight > 0) loss += addPenalty(rowsOf(params), batch, model.regularizer.weight, model.backprop.targets, gUser, gItem);
  return { loss, gUser, gItem, gWeights };
}

/** Rows a batch gathers from the item table (positives and candidates), ascending and distinct. */
export function batchItemRows(batch: Batch): number[] {
  const set = new Set<number>();
  for (let b = 0; b < batch.size; b++) set.add(batch.pos[b]!);
  const n = gatheredCandidates(batch);
  for (let q = 0; q < n; q++) set.add(batch.neg[q]!);
  return [...set].sort((a, b) => a - b);
}

export function batchUserRows(batch: Batch): number[] {
  return [...new Set(batch.users.subarray(0, batch.size))].sort((a, b) => a - b);
}

/**
 * One training step on `state` (mutated): forward, gradients, optimiser, moving aggregation.
 * `lrFactor` is the schedule's factor of the current epoch. Returns the batch loss.
 */
export function referenceStep(state: ReferenceState, batch: Batch, model: TrainingModel, encoder: PreparedEncoder, lrFactor = 1, seed = 0): number {
  const { loss, gUser, gItem, gWeights } = referenceGradients(state, batch, model, encoder, { seed, step: state.step + 1 });
  const targets = model.backprop.targets;
  const opt = model.optimizer;
  state.step += 1;
  // dense weights (ngcf) are owned whenever a table is: the loss reaches them through either tower
  if (targets.user || targets.item)
    for (const [name, [, cols]] of Object.entries(model.encoder.weights ?? {})) {
      const W = state.weights?.[name];
      const G = gWeights[name];
      if (!W || !G) throw new InternalError(`reference: encoder weight '${name}' or its gradient is missing`);
      const slots: Record<string, Float64Array> = {};
      for (const s of opt.slots) slots[s] = state.slots[`${s}.w:${name}`] ??= new Float64Array(W.length);
      opt.reference(W, G, slots, null, cols, state.step, lrFactor);
    }
  for (const [which, grad, rows] of [
    ['user', gUser, targets.user && opt.lazy ? batchUserRows(batch) : null],
    ['item', gItem, targets.item && opt.lazy ? batchItemRows(batch) : null],
  ] as const) {
    if (!targets[which]) continue;
    const P = state[which];
    const slots: Record<string, Float64Array> = {};
    for (const s of opt.slots) slots[s] = state.slots[`${s}.${which}`] ??= new Float64Array(P.length);
    opt.reference(P, grad, slots, rows, state.dim, state.step, lrFactor);
  }
  const agg = model.backprop.aggregate;
  if (agg?.target === 'user') referenceMovingAggregation(state.user, state.item, state.dim, batch.users, batch.pos, batch.size, agg.beta, agg.duplicates);
  if (agg?.target === 'item') referenceMovingAggregation(state.item, state.user, state.dim, batch.pos, batch.users, batch.size, agg.beta, agg.duplicates);
  return loss;
}

/** A float64 state from float32 tables (a copy), step 0, no slots. */
export function referenceStateFrom(tables: { user: ArrayLike<number>; item: ArrayLike<number>; dim: number; weights?: Record<string, ArrayLike<number>> }): ReferenceState {
  const state: ReferenceState = { user: Float64Array.from(tables.user), item: Float64Array.from(tables.item), dim: tables.dim, step: 0, slots: {} };
  if (tables.weights) state.weights = Object.fromEntries(Object.entries(tables.weights).map(([k, v]) => [k, Float64Array.from(v)]));
  return state;
}
