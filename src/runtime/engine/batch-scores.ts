import { gatheredCandidates, type Batch, type Similarity } from '../../contract/training.js';

/**
 * Scores of a batch's score matrix and their gradient into the embedding rows, on row-major
 * tables with a row stride (float64 reference tables have stride = dim; kernel tables pad rows
 * to a multiple of 4). Shared by the float64 reference step and the graph trainer, so both
 * compute the same formulas:
 *   dot:    s = u . v,                         ds/du = v,  ds/dv = u
 *   cosine: s = (u / |u|_f) . (v / |v|_f),    |x|_f = max(|x|, 1e-12),
 *           ds/du = (v^ - s u^) / |u|_f  (where the floor is active: v^ / 1e-12), symmetrically ds/dv.
 * Arithmetic is float64 whatever the tables hold.
 */
export interface RowTables {
  user: ArrayLike<number>;
  item: ArrayLike<number>;
  dim: number;
  stride: number;
}

const NORM_FLOOR = 1e-12;

/** Item of column k >= 1 of row b. */
export function candidateOf(batch: Batch, b: number, k: number): number {
  return batch.layout === 'shared' ? batch.neg[k - 1]! : batch.neg[b * batch.width + k - 1]!;
}

/** Item of column k of row b (column 0: the positive). */
export function columnItem(batch: Batch, b: number, k: number): number {
  return k === 0 ? batch.pos[b]! : candidateOf(batch, b, k);
}

/** The first column scored against the batch's constant bank vectors (cols when there is no bank). */
function firstBankColumn(batch: Batch): number {
  return 1 + batch.width - (batch.layout === 'shared' ? (batch.bank?.count ?? 0) : 0);
}

/** |row| with the cosine floor: max(sqrt(sum of squares), 1e-12). */
export function rowNorm(t: ArrayLike<number>, o: number, d: number): number {
  let sq = 0;
  for (let j = 0; j < d; j++) sq += t[o + j]! * t[o + j]!;
  return Math.max(Math.sqrt(sq), NORM_FLOOR);
}

/**
 * Where the vector of column k of row b lives: the item table at row * stride, or (k >= firstBank)
 * the bank at (k - firstBank) * dim. Resolved without allocating (this runs once per score).
 */
function columnTable(E: RowTables, batch: Batch, k: number, firstBank: number): ArrayLike<number> {
  return k >= firstBank ? batch.bank!.vectors : E.item;
}
function columnOffset(E: RowTables, batch: Batch, b: number, k: number, firstBank: number): number {
  if (k >= firstBank) return (k - firstBank) * E.dim;
  const item = k === 0 ? batch.pos[b]! : batch.layout === 'shared' ? batch.neg[k - 1]! : batch.neg[b * batch.width + k - 1]!;
  return item * E.stride;
}

/** S (rows x (1 + width)): similarity of each row's user with each column's item, plus the logQ terms. */
export function batchScores(E: RowTables, batch: Batch, similarity: Similarity): Float64Array {
  const { dim: d, stride } = E;
  const cols = 1 + batch.width;
  const firstBank = firstBankColumn(batch);
  const cosine = similarity === 'cosine';
  const logq = batch.logq;
  const U = E.user;
  const S = new Float64Array(batch.size * cols);
  for (let b = 0; b < batch.size; b++) {
    const u = batch.users[b]! * stride;
    const nu = cosine ? rowNorm(U, u, d) : 1;
    for (let k = 0; k < cols; k++) {
      const V = columnTable(E, batch, k, firstBank);
      const v = columnOffset(E, batch, b, k, firstBank);
      let dot = 0;
      for (let j = 0; j < d; j++) dot += U[u + j]! * V[v + j]!;
      const s = cosine ? dot / (nu * rowNorm(V, v, d)) : dot;
      S[b * cols + k] = s + (logq ? logq[b * cols + k]! : 0);
    }
  }
  return S;
}

/**
 * Adds dL/dE to gUser/gItem (same layout as E) from dL/dS; `S` is batchScores' output (its logQ
 * terms are subtracted again to get the similarity). A bank column's vector is a constant: its
 * score's gradient reaches the user row only.
 */
export function accumulateScoreGradients(E: RowTables, batch: Batch, similarity: Similarity, S: Float64Array, dS: Float64Array, gUser: { [i: number]: number }, gItem: { [i: number]: number }): void {
  const { dim: d, stride } = E;
  const cols = 1 + batch.width;
  const firstBank = firstBankColumn(batch);
  const U = E.user;
  for (let b = 0; b < batch.size; b++) {
    const u = batch.users[b]! * stride;
    const nu = similarity === 'cosine' ? rowNorm(U, u, d) : 1;
    for (let k = 0; k < cols; k++) {
      const g = dS[b * cols + k]!;
      if (g === 0) continue;
      const V = columnTable(E, batch, k, firstBank);
      const v = columnOffset(E, batch, b, k, firstBank);
      const gV = k >= firstBank ? null : gItem;
      if (similarity === 'dot') addPairGradient(U, u, V, v, d, g, 0, 1, 1, false, gUser, gV);
      else addPairGradient(U, u, V, v, d, g, S[b * cols + k]! - (batch.logq ? batch.logq[b * cols + k]! : 0), nu, rowNorm(V, v, d), true, gUser, gV);
    }
  }
}

/**
 * dL/du and dL/dv of one score s = sim(u, v) with dL/ds = g, added to gUser at u and gItem at v
 * (gItem null: v is a constant). Cosine needs s (the similarity, without logQ) and both floored norms.
 */
export function addPairGradient(
  U: ArrayLike<number>, u: number, V: ArrayLike<number>, v: number, d: number, g: number, s: number, nu: number, nv: number, cosine: boolean,
  gUser: { [i: number]: number }, gItem: { [i: number]: number } | null,
): void {
  if (!cosine) {
    for (let j = 0; j < d; j++) {
      gUser[u + j]! += g * V[v + j]!;
      if (gItem) gItem[v + j]! += g * U[u + j]!;
    }
    return;
  }
  for (let j = 0; j < d; j++) {
    const uh = U[u + j]! / nu;
    const vh = V[v + j]! / nv;
    gUser[u + j]! += (g * (nu === NORM_FLOOR ? vh : vh - s * uh)) / nu;
    if (gItem) gItem[v + j]! += (g * (nv === NORM_FLOOR ? uh : uh - s * vh)) / nv;
  }
}

/** Scores of explicit (user, item) pairs, perRow items per row: what model-aware samplers ask for. */
export function pairScores(E: RowTables, users: Int32Array, items: Int32Array, rows: number, perRow: number, similarity: Similarity | 'euclidean'): Float64Array {
  const { dim: d, stride } = E;
  const out = new Float64Array(rows * perRow);
  for (let r = 0; r < rows; r++) {
    const u = users[r]! * stride;
    const nu = similarity === 'cosine' ? rowNorm(E.user, u, d) : 1;
    for (let c = 0; c < perRow; c++) {
      const v = items[r * perRow + c]! * stride;
      let s = 0;
      if (similarity === 'euclidean') {
        for (let j = 0; j < d; j++) {
          const diff = E.user[u + j]! - E.item[v + j]!;
          s -= diff * diff;
        }
      } else {
        for (let j = 0; j < d; j++) s += E.user[u + j]! * E.item[v + j]!;
        if (similarity === 'cosine') s /= nu * rowNorm(E.item, v, d);
      }
      out[r * perRow + c] = s;
    }
  }
  return out;
}

/**
 * The regulariser's penalty weight/2 sum |P_row|^2 / B over the layer-0 rows a batch gathers
 * (one term per occurrence; shared candidates once), for the tables the optimiser owns; its
 * gradient w P_row / B is added to gUser/gItem. Returns the penalty.
 */
export function addPenalty(P: RowTables, batch: Batch, weight: number, targets: { user: boolean; item: boolean }, gUser: { [i: number]: number }, gItem: { [i: number]: number }): number {
  const { dim: d, stride } = P;
  const B = batch.size;
  let penalty = 0;
  const add = (T: ArrayLike<number>, G: { [i: number]: number }, row: number) => {
    const o = row * stride;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      sq += T[o + j]! * T[o + j]!;
      G[o + j]! += (weight * T[o + j]!) / B;
    }
    penalty += (weight / 2) * (sq / B);
  };
  if (targets.user) for (let b = 0; b < B; b++) add(P.user, gUser, batch.users[b]!);
  if (targets.item) {
    for (let b = 0; b < B; b++) add(P.item, gItem, batch.pos[b]!);
    const n = gatheredCandidates(batch);
    for (let q = 0; q < n; q++) add(P.item, gItem, batch.neg[q]!);
  }
  return penalty;
}
