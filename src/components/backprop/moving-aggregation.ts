import type * as TF from '@tensorflow/tfjs-core';
import type { BackpropBehaviour } from '../../contract/training.js';

type MovingAggregationParams = Pick<NonNullable<BackpropBehaviour['aggregate']>, 'beta' | 'duplicates'>;

/**
 * A batch's moving aggregation (onebp: target = user rows, source = positive item rows;
 * user_only: the reverse) resolved into gathers and one scatter, with duplicates.ts's
 * semantics folded into weights: a target row occurring m times (sources x_1..x_m in batch order) becomes
 *   keep * row_old + sum over contributing occurrences of weight * x
 * with last:       keep = beta,   only occurrence m contributes, weight 1 - beta;
 *      sequential: keep = beta^m, occurrence k contributes with weight (1 - beta) beta^(m-k).
 */
export interface AggregationPlan {
  /** Distinct target rows, in order of first occurrence. */
  rows: Int32Array;
  /** Weight of each distinct row's pre-batch value. */
  keep: Float32Array;
  /** Contributing occurrences: source row, weight, and index into `rows`. */
  src: Int32Array;
  weight: Float32Array;
  seg: Int32Array;
}

export function aggregationPlan(target: Int32Array, source: Int32Array, count: number, p: MovingAggregationParams): AggregationPlan {
  const slot = new Map<number, number>();
  const rows: number[] = [];
  const occurrences: number[][] = [];
  for (let b = 0; b < count; b++) {
    const r = target[b]!;
    let q = slot.get(r);
    if (q === undefined) {
      q = rows.length;
      slot.set(r, q);
      rows.push(r);
      occurrences.push([]);
    }
    occurrences[q]!.push(b);
  }
  const keep = new Float32Array(rows.length);
  const src: number[] = [];
  const weight: number[] = [];
  const seg: number[] = [];
  const beta = p.beta;
  occurrences.forEach((occ, q) => {
    const m = occ.length;
    if (p.duplicates === 'last') {
      keep[q] = beta;
      src.push(source[occ[m - 1]!]!);
      weight.push(1 - beta);
      seg.push(q);
    } else {
      keep[q] = Math.pow(beta, m);
      occ.forEach((b, i) => {
        src.push(source[b]!);
        weight.push((1 - beta) * Math.pow(beta, m - 1 - i));
        seg.push(q);
      });
    }
  });
  return { rows: Int32Array.from(rows), keep, src: Int32Array.from(src), weight: Float32Array.from(weight), seg: Int32Array.from(seg) };
}

/** Applies a plan in tfjs: target rows <- keep * target rows + segment sums of weighted source rows. Call inside tf.tidy. */
export function movingAggregationTf(tf: typeof TF, target: TF.Variable, source: TF.Tensor, plan: AggregationPlan): void {
  const n = plan.rows.length;
  if (n === 0) return;
  const rows = tf.tensor1d(plan.rows, 'int32');
  const old = tf.mul(tf.gather(target, rows), tf.tensor2d(plan.keep, [n, 1]));
  const contrib = tf.mul(tf.gather(source, tf.tensor1d(plan.src, 'int32')), tf.tensor2d(plan.weight, [plan.weight.length, 1]));
  const moved = tf.add(old, tf.unsortedSegmentSum(contrib, tf.tensor1d(plan.seg, 'int32'), n));
  target.assign(tf.tensorScatterUpdate(target, tf.expandDims(rows, 1), moved));
}

/**
 * The float64 specification of a batch's moving aggregation: occurrence b moves target row
 * tIdx[b] towards source row sIdx[b], target <- beta target + (1 - beta) source.
 *   last:       every occurrence reads the pre-batch row; the last written wins (PyTorch indexed assignment)
 *   sequential: applied in batch order: row = beta^m row_old + sum_k (1 - beta) beta^(m-k) x_k
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
  const before = duplicates === 'last' ? target.slice() : target;
  for (let b = 0; b < count; b++) {
    const t = tIdx[b]! * dim;
    const s = sIdx[b]! * dim;
    for (let j = 0; j < dim; j++) target[t + j] = beta * before[t + j]! + (1 - beta) * source[s + j]!;
  }
}
