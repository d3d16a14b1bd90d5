import { InternalError } from '../../core/errors.js';
import type { UserItems } from '../../core/user-items.js';
import type { MetricName } from '../../contract/training-schema.js';

/**
 * Top-K metrics of full ranking (DESIGN.md, "Evaluation protocol"). For a user with n >= 1
 * relevant items and h hits among the first K ranked items (positions i = 1..K):
 *   precision@K = h / K
 *   recall@K    = h / n
 *   f1@K        = 2h / (n + K)            (the harmonic mean of precision and recall)
 *   ndcg@K      = DCG / IDCG, binary gains: DCG = sum over hit positions i of 1 / log2(i + 1),
 *                 IDCG = sum over i = 1..min(n, K) of 1 / log2(i + 1)
 *   hr@K        = 1 if h > 0 else 0
 *   mrr@K       = 1 / (position of the first hit), 0 without a hit
 *   map@K       = (1 / min(n, K)) * sum over hit positions i of precision@i
 * -1 entries (padding when fewer than K items could be ranked) are never hits. Users with
 * n = 0 are left out entirely. Means are plain averages over the users kept (NaN if none).
 */
export interface MetricsResult {
  /** The users with n >= 1, ascending; perUser arrays are aligned with it. */
  users: Int32Array;
  /** By key `${metric}@${K}`, e.g. 'ndcg@20'. */
  perUser: Record<string, Float64Array>;
  mean: Record<string, number>;
}

export const metricKey = (metric: MetricName, k: number): string => `${metric}@${k}`;

/**
 * @param topK users.length x k ranked item ids (row q belongs to users[q]), best first, -1 padded.
 * @param relevant the relevant items per user (e.g. the test split).
 */
export function computeMetrics(
  topK: Int32Array,
  k: number,
  users: Int32Array,
  relevant: UserItems,
  metrics: readonly MetricName[],
  cutoffs: readonly number[],
): MetricsResult {
  if (topK.length !== users.length * k) throw new InternalError(`computeMetrics: topK has ${topK.length} entries, expected ${users.length} users x k ${k}`);
  for (const c of cutoffs) if (!Number.isInteger(c) || c < 1 || c > k) throw new InternalError(`computeMetrics: cutoff ${c} is not in [1, k = ${k}]`);

  // Rows of users with n >= 1, ordered by user id (stable for repeated users).
  const rows: number[] = [];
  for (let q = 0; q < users.length; q++) if (relevant.count(users[q]!) > 0) rows.push(q);
  rows.sort((a, b) => users[a]! - users[b]! || a - b);
  const kept = Int32Array.from(rows.map((q) => users[q]!));

  const perUser: Record<string, Float64Array> = {};
  for (const m of metrics) for (const c of cutoffs) perUser[metricKey(m, c)] = new Float64Array(rows.length);
  const sortedCutoffs = [...new Set(cutoffs)].sort((a, b) => a - b);
  const maxK = sortedCutoffs[sortedCutoffs.length - 1] ?? 0;
  // 1 / log2(i + 1) and its prefix sums (IDCG) for i = 1..maxK.
  const disc = new Float64Array(maxK + 1);
  const idcg = new Float64Array(maxK + 1);
  for (let i = 1; i <= maxK; i++) {
    disc[i] = 1 / Math.log2(i + 1);
    idcg[i] = idcg[i - 1]! + disc[i]!;
  }

  for (let r = 0; r < rows.length; r++) {
    const q = rows[r]!;
    const u = users[q]!;
    const n = relevant.count(u);
    let h = 0;
    let dcg = 0;
    let firstHit = 0;
    let apSum = 0;
    let ci = 0;
    for (let i = 1; i <= maxK; i++) {
      const item = topK[q * k + i - 1]!;
      if (item >= 0 && relevant.has(u, item)) {
        h++;
        dcg += disc[i]!;
        if (firstHit === 0) firstHit = i;
        apSum += h / i;
      }
      while (ci < sortedCutoffs.length && sortedCutoffs[ci] === i) {
        const K = i;
        const m = Math.min(n, K);
        for (const metric of metrics) {
          let v: number;
          switch (metric) {
            case 'precision':
              v = h / K;
              break;
            case 'recall':
              v = h / n;
              break;
            case 'f1':
              v = (2 * h) / (n + K);
              break;
            case 'ndcg':
              v = dcg / idcg[m]!;
              break;
            case 'hr':
              v = h > 0 ? 1 : 0;
              break;
            case 'mrr':
              v = firstHit > 0 ? 1 / firstHit : 0;
              break;
            case 'map':
              v = apSum / m;
              break;
          }
          perUser[metricKey(metric, K)]![r] = v;
        }
        ci++;
      }
    }
  }

  const mean: Record<string, number> = {};
  for (const [key, values] of Object.entries(perUser)) {
    let s = 0;
    for (let r = 0; r < values.length; r++) s += values[r]!;
    mean[key] = values.length > 0 ? s / values.length : NaN;
  }
  return { users: kept, perUser, mean };
}
