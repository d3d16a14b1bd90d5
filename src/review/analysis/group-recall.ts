/** The rows of a per-user item set (UserItems satisfies it). */
export interface ItemRows {
  row(u: number): Int32Array;
}

export interface GroupRecall {
  /** Recall^(g): the part of Recall@K contributed by hits on items of group g */
  perGroup: Float64Array;
  /** Recall@K over the same users, computed directly (equals the sum of perGroup up to rounding) */
  total: number;
  /** M: users with at least one relevant item (the others are skipped, as in the metrics) */
  users: number;
}

/**
 * SSM eq. 29: Recall@K = (1/M) sum_u sum_g |rec_u^(g) ∩ test_u| / |test_u| = sum_g Recall^(g),
 * over the M users with |test_u| >= 1.
 *
 * @param topK users.length x k item ids, row i the ranking for users[i], -1 padded; k >= K
 * @param users the user ids of topK's rows
 * @param relevant each user's test items (distinct)
 * @param groupOf group id per item (popularityGroups)
 */
export function groupRecall(
  topK: Int32Array,
  k: number,
  K: number,
  users: Int32Array,
  relevant: ItemRows,
  groupOf: Int32Array,
  groups: number,
): GroupRecall {
  if (K > k) throw new RangeError(`groupRecall: K = ${K} exceeds the ${k} ranked items per user`);
  if (topK.length !== users.length * k) throw new RangeError(`groupRecall: topK has ${topK.length} entries, expected ${users.length} x ${k}`);
  const perGroup = new Float64Array(groups);
  const mark = new Int32Array(groupOf.length); // mark[item] = i + 1 while scoring row i
  let total = 0;
  let m = 0;
  for (let i = 0; i < users.length; i++) {
    const rel = relevant.row(users[i]!);
    if (rel.length === 0) continue;
    m++;
    for (let j = 0; j < rel.length; j++) mark[rel[j]!] = i + 1;
    let hits = 0;
    const inv = 1 / rel.length;
    for (let r = 0; r < K; r++) {
      const item = topK[i * k + r]!;
      if (item < 0 || mark[item] !== i + 1) continue;
      hits++;
      perGroup[groupOf[item]!]! += inv;
    }
    total += hits / rel.length;
  }
  if (m > 0) for (let g = 0; g < groups; g++) perGroup[g]! /= m;
  return { perGroup, total: m > 0 ? total / m : NaN, users: m };
}
