import type { ItemRows } from './group-recall.js';
import { typeCounts } from './type-statistics.js';

export interface TypeSharesInput {
  /** type (cluster label) per item id */
  itemTypes: Int32Array;
  numTypes: number;
  /** the user ids of topK's rows */
  users: Int32Array;
  /** users.length x k ranked item ids, -1 padded */
  topK: Int32Array;
  k: number;
  train: ItemRows;
  test: ItemRows;
  /** list lengths, each <= k */
  Ks: number[];
}

/**
 * Majority/minority statistics of top-K lists over all users (OneBP 5.5, Fig. 8). A user's types
 * are ranked by their number of training items, descending, lowest id on ties; rank 0 is the
 * majority type, every other type is a minority type. Users without training items have no
 * majority type and are left out. Slots are the non-padding entries among the first K; all
 * shares and precisions pool slots over users (with full lists every user weighs K slots).
 */
export interface TypeSharesAtK {
  K: number;
  /** users counted (at least one training item) */
  users: number;
  /** list slots counted */
  slots: number;
  /** slots holding an item of the user's majority type / slots */
  majorityShare: number;
  /** 1 - majorityShare */
  minorityShare: number;
  /** length numTypes - 1; entry r: minority slots in the user's type of rank r + 1 / minority slots */
  minorityByRank: Float64Array;
  /** length numTypes; entry t: minority slots holding an item of type t / minority slots */
  minorityByType: Float64Array;
  /** minority slots in types the user has no training item of / minority slots */
  minorityUnseenShare: number;
  /**
   * How evenly a user's minority slots spread over the numTypes - 1 minority types: the Shannon
   * entropy of that distribution divided by ln(numTypes - 1) (1 = even, 0 = one type), averaged
   * over users with at least one minority slot; NaN for fewer than 3 types.
   */
  minorityEvenness: number;
  /** the same users' training items in their majority type / their training items (the profile's share) */
  trainingMajorityShare: number;
  /** hits among majority slots / majority slots */
  majorityPrecision: number;
  /** hits among minority slots / minority slots */
  minorityPrecision: number;
  /** hits on majority-type test items / the users' test items of their majority type */
  majorityRecall: number;
  /** hits on minority-type test items / the users' test items of minority types */
  minorityRecall: number;
}

/** One TypeSharesAtK per entry of Ks, in that order. */
export function typeShares(input: TypeSharesInput): TypeSharesAtK[] {
  const { itemTypes, numTypes, users, topK, k, train, test, Ks } = input;
  if (topK.length !== users.length * k) throw new RangeError(`typeShares: topK has ${topK.length} entries, expected ${users.length} x ${k}`);
  for (const K of Ks) if (!(K >= 1 && K <= k)) throw new RangeError(`typeShares: K = ${K} is outside [1, ${k}]`);
  const T = numTypes;
  const acc = Ks.map(() => ({
    users: 0,
    slots: 0,
    majSlots: 0,
    majHits: 0,
    minHits: 0,
    majRel: 0,
    minRel: 0,
    byRank: new Float64Array(Math.max(0, T - 1)),
    byType: new Float64Array(T),
    unseen: 0,
    evenSum: 0,
    evenUsers: 0,
  }));
  let trainMaj = 0;
  let trainAll = 0;
  const rankOf = new Int32Array(T);
  const minCounts = new Int32Array(T);
  const mark = new Int32Array(itemTypes.length);
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    const trainRow = train.row(u);
    if (trainRow.length === 0) continue;
    const counts = typeCounts(itemTypes, T, trainRow);
    const order = Array.from({ length: T }, (_, t) => t).sort((a, b) => counts[b]! - counts[a]! || a - b);
    order.forEach((t, r) => (rankOf[t] = r));
    const maj = order[0]!;
    trainMaj += counts[maj]!;
    trainAll += trainRow.length;
    const testRow = test.row(u);
    let relMaj = 0;
    for (let j = 0; j < testRow.length; j++) {
      mark[testRow[j]!] = i + 1;
      if (itemTypes[testRow[j]!] === maj) relMaj++;
    }
    for (let q = 0; q < Ks.length; q++) {
      const K = Ks[q]!;
      const a = acc[q]!;
      a.users++;
      a.majRel += relMaj;
      a.minRel += testRow.length - relMaj;
      minCounts.fill(0);
      let minSlots = 0;
      for (let r = 0; r < K; r++) {
        const item = topK[i * k + r]!;
        if (item < 0) continue;
        a.slots++;
        const t = itemTypes[item]!;
        const hit = mark[item] === i + 1;
        if (t === maj) {
          a.majSlots++;
          if (hit) a.majHits++;
          continue;
        }
        minSlots++;
        minCounts[t]!++;
        if (hit) a.minHits++;
        a.byRank[rankOf[t]! - 1]!++;
        a.byType[t]!++;
        if (counts[t] === 0) a.unseen++;
      }
      if (minSlots > 0 && T >= 3) {
        let h = 0;
        for (let t = 0; t < T; t++) {
          if (minCounts[t]! === 0) continue;
          const p = minCounts[t]! / minSlots;
          h -= p * Math.log(p);
        }
        a.evenSum += h / Math.log(T - 1);
        a.evenUsers++;
      }
    }
  }
  return Ks.map((K, q) => {
    const a = acc[q]!;
    const minSlots = a.slots - a.majSlots;
    const majorityShare = a.majSlots / a.slots;
    return {
      K,
      users: a.users,
      slots: a.slots,
      majorityShare,
      minorityShare: minSlots / a.slots,
      minorityByRank: a.byRank.map((v) => v / minSlots),
      minorityByType: a.byType.map((v) => v / minSlots),
      minorityUnseenShare: a.unseen / minSlots,
      minorityEvenness: T >= 3 ? a.evenSum / a.evenUsers : NaN,
      trainingMajorityShare: trainMaj / trainAll,
      majorityPrecision: a.majHits / a.majSlots,
      minorityPrecision: a.minHits / minSlots,
      majorityRecall: a.majHits / a.majRel,
      minorityRecall: a.minHits / a.minRel,
    };
  });
}
