/**
 * Popularity groups for the SSM long-tail analysis (SSM paper 4.3, eq. 29; following its [50]):
 * items split into `groups` groups of (as close as possible) equal total training interactions,
 * group 0 holding the least popular items and groups - 1 the most popular.
 *
 * Cutting rule: items are ordered by training degree ascending, ties by item id ascending. With
 * T the total degree and C_i the total degree of the items before item i in that order, item i
 * goes to group min(groups - 1, floor(groups * (C_i + d_i / 2) / T)): the group holding the
 * midpoint of its interactions. Equivalently, boundary g (g = 1 .. groups - 1) is placed at the
 * item boundary whose cumulative degree is nearest to g * T / groups (an exact tie puts the item
 * into the higher group). Groups are contiguous in the order; an item whose degree spans several
 * boundaries leaves the groups in between empty. Degree-0 items come first, so they are in group
 * 0; with T = 0 every item is in group 0.
 */
export function popularityGroups(itemDegrees: ArrayLike<number>, groups = 10): Int32Array {
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`popularityGroups: groups must be an integer >= 1, got ${groups}`);
  const n = itemDegrees.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = itemDegrees[i]!;
    if (!(d >= 0)) throw new RangeError(`popularityGroups: degree of item ${i} is ${d}; degrees must be >= 0`);
    total += d;
  }
  const out = new Int32Array(n);
  if (total === 0) return out;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => itemDegrees[a]! - itemDegrees[b]! || a - b);
  let before = 0;
  for (const item of order) {
    const d = itemDegrees[item]!;
    out[item] = Math.min(groups - 1, Math.floor((groups * (before + d / 2)) / total));
    before += d;
  }
  return out;
}

/** Per group: number of items and total degree (for the review's table of groups). */
export function groupSizes(itemDegrees: ArrayLike<number>, groupOf: Int32Array, groups: number): { items: Int32Array; interactions: Float64Array } {
  const items = new Int32Array(groups);
  const interactions = new Float64Array(groups);
  for (let i = 0; i < groupOf.length; i++) {
    items[groupOf[i]!]!++;
    interactions[groupOf[i]!]! += itemDegrees[i]!;
  }
  return { items, interactions };
}
