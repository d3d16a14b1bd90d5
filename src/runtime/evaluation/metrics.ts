import { InternalError } from '../../core/errors.js';
import type { UserItems } from '../../core/user-items.js';
import { CORPUS_METRICS, type MetricName } from '../../contract/training-schema.js';

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
 *   recall_calibrated@K = h / min(n, K)   (reaches 1 when the list is as good as it can be;
 *                 Mult-VAE's Recall@R, Liang et al. 2018. The OneBP, LightGCN and RecBole
 *                 codes report recall@K = h / n, which is what `recall` is.)
 * Beyond accuracy (RecBole's ItemCoverage, AveragePopularity, GiniIndex; Elliot's ItemCoverage,
 * ARP, Gini), over the L_u = the user's top-K list without padding and c(i) = the number of
 * training interactions of item i:
 *   avg_pop@K   = (1 / |L_u|) * sum over i in L_u of c(i)      (per user; 0 for an empty list)
 *   coverage@K  = |union over users of L_u| / (number of items)     (corpus-level)
 *   gini@K      = sum over j = 1..N of (2j - N - 1) x_(j) / (N * sum of x), where x_i is the
 *                 number of lists L_u holding item i, for all N items (never recommended: 0),
 *                 x_(1) <= ... <= x_(N) sorted ascending                  (corpus-level)
 *                 0 when every item is recommended equally often, (N - 1) / N when one item takes
 *                 every slot; NaN when no list holds an item.
 * -1 entries (padding when fewer than K items could be ranked) are never hits. Users with
 * n = 0 are left out entirely. Means are plain averages over the users kept (NaN if none).
 * Corpus-level metrics are computed over the lists of the same users and have no per-user values.
 */
export interface MetricsResult {
  /** The users with n >= 1, ascending; perUser arrays are aligned with it. */
  users: Int32Array;
  /** By key `${metric}@${K}`, e.g. 'ndcg@20'; per-user metrics only. */
  perUser: Record<string, Float64Array>;
  /** Every metric's value: the mean over users of a per-user metric, the corpus value of a corpus-level one. */
  mean: Record<string, number>;
  /** The corpus-level keys of `mean` (no entry in perUser). */
  corpus: string[];
}

/** What the beyond-accuracy metrics need besides the lists. */
export interface CatalogueFacts {
  numItems: number;
  /** Training interactions per item (length numItems). */
  itemCounts: ArrayLike<number>;
}

/** The catalogue facts of a split: its item count and each item's training interactions. */
export function catalogueOf(train: UserItems): CatalogueFacts {
  const itemCounts = new Float64Array(train.numItems);
  for (const item of train.indices) itemCounts[item]! += 1;
  return { numItems: train.numItems, itemCounts };
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
  catalogue?: CatalogueFacts,
): MetricsResult {
  const needsCatalogue = metrics.some((m) => m === 'avg_pop' || (CORPUS_METRICS as readonly string[]).includes(m));
  if (needsCatalogue && !catalogue) throw new InternalError('computeMetrics: avg_pop, coverage and gini need the item catalogue (numItems, itemCounts)');
  if (topK.length !== users.length * k) throw new InternalError(`computeMetrics: topK has ${topK.length} entries, expected ${users.length} users x k ${k}`);
  for (const c of cutoffs) if (!Number.isInteger(c) || c < 1 || c > k) throw new InternalError(`computeMetrics: cutoff ${c} is not in [1, k = ${k}]`);

  // Rows of users with n >= 1, ordered by user id (stable for repeated users).
  const rows: number[] = [];
  for (let q = 0; q < users.length; q++) if (relevant.count(users[q]!) > 0) rows.push(q);
  rows.sort((a, b) => users[a]! - users[b]! || a - b);
  const kept = Int32Array.from(rows.map((q) => users[q]!));

  const isCorpus = (m: MetricName) => (CORPUS_METRICS as readonly string[]).includes(m);
  const perUserMetrics = metrics.filter((m) => !isCorpus(m));
  const corpusMetrics = metrics.filter(isCorpus);
  const perUser: Record<string, Float64Array> = {};
  for (const m of perUserMetrics) for (const c of cutoffs) perUser[metricKey(m, c)] = new Float64Array(rows.length);
  // Per cutoff, how many kept users' lists hold each item (for coverage and Gini).
  const exposure = new Map<number, Float64Array>();
  if (corpusMetrics.length) for (const c of cutoffs) exposure.set(c, new Float64Array(catalogue!.numItems));
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
    let listed = 0;
    let popSum = 0;
    let ci = 0;
    for (let i = 1; i <= maxK; i++) {
      const item = topK[q * k + i - 1]!;
      if (item >= 0) {
        listed++;
        if (catalogue) popSum += catalogue.itemCounts[item]!;
      }
      if (item >= 0 && relevant.has(u, item)) {
        h++;
        dcg += disc[i]!;
        if (firstHit === 0) firstHit = i;
        apSum += h / i;
      }
      while (ci < sortedCutoffs.length && sortedCutoffs[ci] === i) {
        const K = i;
        const m = Math.min(n, K);
        const seen = exposure.get(K);
        // exposure: each item of the user's first K positions is one appearance in a top-K list
        if (seen) for (let j = 0; j < K; j++) {
          const item = topK[q * k + j]!;
          if (item >= 0) seen[item]! += 1;
        }
        for (const metric of perUserMetrics) {
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
            case 'recall_calibrated':
              v = h / m;
              break;
            case 'avg_pop':
              v = listed > 0 ? popSum / listed : 0;
              break;
            default:
              throw new InternalError(`computeMetrics: '${metric}' is not a per-user metric`);
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
  const corpus: string[] = [];
  for (const metric of corpusMetrics)
    for (const c of cutoffs) {
      const key = metricKey(metric, c);
      mean[key] = metric === 'coverage' ? coverage(exposure.get(c)!) : gini(exposure.get(c)!);
      corpus.push(key);
    }
  return { users: kept, perUser, mean, corpus };
}

/** Share of all items that appear in at least one list. */
export function coverage(exposure: Float64Array): number {
  if (exposure.length === 0) return NaN;
  let covered = 0;
  for (let i = 0; i < exposure.length; i++) if (exposure[i]! > 0) covered++;
  return covered / exposure.length;
}

/** Gini index of the exposure counts over all items (zeros included), RecBole's GiniIndex. */
export function gini(exposure: Float64Array): number {
  const x = Float64Array.from(exposure).sort();
  const n = x.length;
  let total = 0;
  let weighted = 0;
  for (let j = 1; j <= n; j++) {
    total += x[j - 1]!;
    weighted += (2 * j - n - 1) * x[j - 1]!;
  }
  return total > 0 ? weighted / (n * total) : NaN;
}
