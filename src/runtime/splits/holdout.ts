import { shuffleInPlace, Stream } from '../../core/rng.js';
import type { LoadedDataset, SplitData } from '../data/dataset.js';
import { UserItems } from '../../core/user-items.js';
import type { HoldoutParams } from '../../components/splits/holdout.js';

/**
 * Random holdout, exactly:
 * - per_user: for user u with n distinct items, take the items in ascending order and shuffle
 *   them with shuffleInPlace(items, seed, Stream.split, u) (Fisher-Yates driven by
 *   hash4(seed, Stream.split, u, i)). The first n_test = min(round(test·n), n − 1) go to test;
 *   of the r = n − n_test left, the next n_valid = min(round(valid·r), r − 1) go to validation
 *   (none when valid = 0); the rest is train. round is Math.round (halves round up). So a user
 *   with one interaction keeps it in train, and every user keeps at least one training item.
 * - not per_user: the same rule once over all N pairs in (user, item) order, shuffled with key
 *   GLOBAL_KEY; a user may then end up with no training item (allowed).
 * The dataset's own `part` is ignored: all interactions are re-split. The result depends only on
 * the set of pairs and the parameters, never on the order of the file's lines.
 */
export function holdoutSplit(p: HoldoutParams, data: LoadedDataset): SplitData {
  const all = UserItems.fromPairs(data.numUsers, data.numItems, data.users, data.items);
  const out = new SplitBuilder(all.nnz);
  if (p.per_user) {
    const scratch = new Int32Array(maxRow(all));
    for (let u = 0; u < all.numUsers; u++) {
      const n = all.count(u);
      const row = scratch.subarray(0, n);
      row.set(all.row(u));
      shuffleInPlace(row, p.seed, Stream.split, u);
      const nTest = heldOutCount(p.test, n);
      const nValid = heldOutCount(p.valid, n - nTest);
      for (let k = 0; k < n; k++) out.add(k < nTest ? TEST : k < nTest + nValid ? VALID : TRAIN, u, row[k]!);
    }
  } else {
    const pairs = all.pairs();
    const N = pairs.users.length;
    const order = Int32Array.from({ length: N }, (_, k) => k);
    shuffleInPlace(order, p.seed, Stream.split, GLOBAL_KEY);
    const nTest = heldOutCount(p.test, N);
    const nValid = heldOutCount(p.valid, N - nTest);
    for (let k = 0; k < N; k++) {
      const q = order[k]!;
      out.add(k < nTest ? TEST : k < nTest + nValid ? VALID : TRAIN, pairs.users[q]!, pairs.items[q]!);
    }
  }
  return out.build(data.numUsers, data.numItems, p.valid > 0);
}

/** Shuffle key of the global (not per-user) holdout: outside the range of user ids. */
export const GLOBAL_KEY = 0xffffffff;

/** How many of n interactions a share holds out: min(round(share·n), n − 1), 0 when share is 0. */
export function heldOutCount(share: number, n: number): number {
  if (share <= 0 || n <= 1) return 0;
  return Math.min(Math.round(share * n), n - 1);
}

export const TRAIN = 0;
export const VALID = 1;
export const TEST = 2;

/** Collects pairs into the three sets of a split. */
export class SplitBuilder {
  private readonly users: Int32Array[];
  private readonly items: Int32Array[];
  private readonly n = [0, 0, 0];

  constructor(capacity: number) {
    this.users = [0, 1, 2].map(() => new Int32Array(capacity));
    this.items = [0, 1, 2].map(() => new Int32Array(capacity));
  }

  add(set: number, user: number, item: number): void {
    const k = this.n[set]!++;
    this.users[set]![k] = user;
    this.items[set]![k] = item;
  }

  build(numUsers: number, numItems: number, withValid: boolean): SplitData {
    const make = (s: number): UserItems =>
      UserItems.fromPairs(numUsers, numItems, this.users[s]!.subarray(0, this.n[s]), this.items[s]!.subarray(0, this.n[s]));
    return { numUsers, numItems, train: make(TRAIN), valid: withValid ? make(VALID) : null, test: make(TEST) };
  }
}

function maxRow(a: UserItems): number {
  let m = 0;
  for (let u = 0; u < a.numUsers; u++) m = Math.max(m, a.count(u));
  return m;
}
