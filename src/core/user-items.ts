/**
 * Per-user item sets in compressed sparse row form: user u's items are
 * indices[indptr[u] .. indptr[u+1]), sorted ascending and distinct. Used for training positives,
 * evaluation masks and relevance sets; membership is a binary search, so no dense mask is needed.
 */
export class UserItems {
  constructor(
    readonly numUsers: number,
    readonly numItems: number,
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
  ) {}

  /** Builds from parallel (user, item) arrays; duplicates are dropped. */
  static fromPairs(numUsers: number, numItems: number, users: Int32Array, items: Int32Array): UserItems {
    const counts = new Int32Array(numUsers + 1);
    for (let i = 0; i < users.length; i++) counts[users[i]! + 1]!++;
    for (let u = 0; u < numUsers; u++) counts[u + 1]! += counts[u]!;
    const fill = counts.slice(0, numUsers);
    const raw = new Int32Array(users.length);
    for (let i = 0; i < users.length; i++) raw[fill[users[i]!]!++] = items[i]!;
    // sort and dedupe each row
    const indptr = new Int32Array(numUsers + 1);
    let w = 0;
    for (let u = 0; u < numUsers; u++) {
      const row = raw.subarray(counts[u]!, counts[u + 1]!).sort();
      const start = w;
      for (let j = 0; j < row.length; j++) if (j === 0 || row[j] !== row[j - 1]) raw[w++] = row[j]!;
      indptr[u] = start;
      indptr[u + 1] = w;
    }
    return new UserItems(numUsers, numItems, indptr, raw.slice(0, w));
  }

  get nnz(): number {
    return this.indptr[this.numUsers]!;
  }

  count(u: number): number {
    return this.indptr[u + 1]! - this.indptr[u]!;
  }

  row(u: number): Int32Array {
    return this.indices.subarray(this.indptr[u]!, this.indptr[u + 1]!);
  }

  has(u: number, item: number): boolean {
    let lo = this.indptr[u]!;
    let hi = this.indptr[u + 1]! - 1;
    const a = this.indices;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === item) return true;
      if (v < item) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** The pairs in row order (user ascending, then item ascending). */
  pairs(): { users: Int32Array; items: Int32Array } {
    const users = new Int32Array(this.nnz);
    for (let u = 0; u < this.numUsers; u++) users.fill(u, this.indptr[u]!, this.indptr[u + 1]!);
    return { users, items: this.indices.slice() };
  }

  /** Users with at least one item. */
  activeUsers(): Int32Array {
    const out: number[] = [];
    for (let u = 0; u < this.numUsers; u++) if (this.count(u) > 0) out.push(u);
    return Int32Array.from(out);
  }

  /** Union of two sets over the same users and items (train + valid as one evaluation mask). */
  static union(a: UserItems, b: UserItems): UserItems {
    const pa = a.pairs();
    const pb = b.pairs();
    const users = new Int32Array(pa.users.length + pb.users.length);
    users.set(pa.users);
    users.set(pb.users, pa.users.length);
    const items = new Int32Array(users.length);
    items.set(pa.items);
    items.set(pb.items, pa.items.length);
    return UserItems.fromPairs(a.numUsers, a.numItems, users, items);
  }
}
