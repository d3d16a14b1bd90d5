/**
 * Per-user statistics by latent item type (OneBP 5.5, Fig. 7): item types are k-means clusters of
 * the learned item embeddings; for one user and a list of length K this says, per type, how much
 * of the list it fills and how precise and complete the list is within that type.
 */

export interface TypeRow {
  type: number;
  /** the user's training items of this type */
  training: number;
  /** the user's test items of this type */
  relevant: number;
  /** list items of this type among the first K */
  recommended: number;
  /** recommended items of this type that are test items */
  hits: number;
  /** recommended / K: the percentage in Fig. 7 */
  listShare: number;
  /** precision within the type: hits / recommended (NaN when none recommended) */
  precision: number;
  /** recall within the type: hits / relevant (NaN when no test item has this type) */
  recall: number;
}

export interface UserTypeStatistics {
  K: number;
  /** the type holding most of the user's training items (lowest id on ties); -1 with no training items */
  majorityType: number;
  /** one row per type 0 .. numTypes-1 */
  perType: TypeRow[];
  /** hits over all types */
  hits: number;
  /** P@K = hits / K */
  precision: number;
  /** R@K = hits / |test| (NaN with no test items) */
  recall: number;
}

/** Count of items per type. */
export function typeCounts(itemTypes: Int32Array, numTypes: number, items: ArrayLike<number>): Int32Array {
  const counts = new Int32Array(numTypes);
  for (let i = 0; i < items.length; i++) counts[itemTypes[items[i]!]!]!++;
  return counts;
}

/** The index of the largest count, lowest index on ties; -1 when all counts are 0. */
export function argmaxCount(counts: ArrayLike<number>): number {
  let best = -1;
  for (let t = 0; t < counts.length; t++) if (counts[t]! > 0 && (best < 0 || counts[t]! > counts[best]!)) best = t;
  return best;
}

/** The user's majority type: most training items, lowest type id on ties; -1 with no training items. */
export function majorityType(itemTypes: Int32Array, numTypes: number, trainItems: ArrayLike<number>): number {
  return argmaxCount(typeCounts(itemTypes, numTypes, trainItems));
}

/**
 * Statistics of one user's top-K list by item type.
 *
 * @param itemTypes type (cluster label) per item id
 * @param list the ranked list; only its first K entries are used and -1 entries (padding) are skipped
 * @param testItems distinct test items
 */
export function typeStatistics(
  itemTypes: Int32Array,
  numTypes: number,
  trainItems: ArrayLike<number>,
  testItems: ArrayLike<number>,
  list: ArrayLike<number>,
  K: number,
): UserTypeStatistics {
  if (K > list.length) throw new RangeError(`typeStatistics: K = ${K} exceeds the list length ${list.length}`);
  const training = typeCounts(itemTypes, numTypes, trainItems);
  const relevant = typeCounts(itemTypes, numTypes, testItems);
  const recommended = new Int32Array(numTypes);
  const hitCounts = new Int32Array(numTypes);
  const test = new Set<number>(Array.from(testItems));
  let hits = 0;
  for (let r = 0; r < K; r++) {
    const item = list[r]!;
    if (item < 0) continue;
    const t = itemTypes[item]!;
    recommended[t]!++;
    if (test.has(item)) {
      hitCounts[t]!++;
      hits++;
    }
  }
  const perType: TypeRow[] = [];
  for (let t = 0; t < numTypes; t++) {
    perType.push({
      type: t,
      training: training[t]!,
      relevant: relevant[t]!,
      recommended: recommended[t]!,
      hits: hitCounts[t]!,
      listShare: recommended[t]! / K,
      precision: recommended[t]! > 0 ? hitCounts[t]! / recommended[t]! : NaN,
      recall: relevant[t]! > 0 ? hitCounts[t]! / relevant[t]! : NaN,
    });
  }
  return {
    K,
    majorityType: argmaxCount(training),
    perType,
    hits,
    precision: hits / K,
    recall: test.size > 0 ? hits / test.size : NaN,
  };
}
