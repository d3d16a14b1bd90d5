import { CounterRng, Stream } from '../../core/rng.js';

/** Key of the projection sample within Stream.kmeans (the analyses' stream; t-SNE uses 0x54534e45). */
const SAMPLE_KEY = 0x53414d50;

/**
 * Items projected at most (plus the selected user's row). Exact t-SNE holds two (m + 1) x (m + 1)
 * float64 matrices: 2 x 3,001^2 x 8 B = 144 MB at m = 3,000, and O(m^2) work per step (seconds),
 * where all of Gowalla's 40,981 items would need 2 x 13.4 GB. ML-100K's 1,682 items stay whole.
 */
export const MAX_PROJECTED_ITEMS = 3000;

/** The bytes exact t-SNE holds for n points: the distance/P matrix and the conditionals (n x n float64 each). */
export const exactTsneBytes = (n: number): number => 2 * n * n * 8;

export interface ProjectionSample {
  /** The projected items, ascending. */
  items: Int32Array;
  /** Items the model has. */
  of: number;
  seed: number;
  /** Items kept whatever the draw (the marked user's training items). */
  kept: number;
}

/**
 * Which items a 2-D projection shows: all of them when there are at most `cap`; otherwise the
 * `mustKeep` items (the marked user's training items, so the figure can still show them) and a
 * seeded uniform draw without replacement from the rest up to `cap` in all (a partial
 * Fisher-Yates over item ids driven by CounterRng(seed)). The same inputs give the same sample.
 */
export function projectionSample(numItems: number, mustKeep: ArrayLike<number>, seed: number, cap = MAX_PROJECTED_ITEMS): ProjectionSample {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`projectionSample: cap must be an integer >= 1, got ${cap}`);
  if (numItems <= cap) return { items: Int32Array.from({ length: numItems }, (_, i) => i), of: numItems, seed, kept: 0 };
  const keep = new Set<number>();
  for (let i = 0; i < mustKeep.length; i++) {
    const item = mustKeep[i]!;
    if (!Number.isInteger(item) || item < 0 || item >= numItems) throw new RangeError(`projectionSample: item ${item} is outside 0..${numItems - 1}`);
    if (keep.size < cap) keep.add(item);
  }
  const rest = new Int32Array(numItems - keep.size);
  let r = 0;
  for (let i = 0; i < numItems; i++) if (!keep.has(i)) rest[r++] = i;
  const need = cap - keep.size;
  const rng = new CounterRng(seed, Stream.kmeans, SAMPLE_KEY);
  for (let i = 0; i < need; i++) {
    const j = i + rng.int(rest.length - i);
    const t = rest[i]!;
    rest[i] = rest[j]!;
    rest[j] = t;
  }
  const items = new Int32Array(cap);
  items.set(Array.from(keep));
  items.set(rest.subarray(0, need), keep.size);
  items.sort();
  return { items, of: numItems, seed, kept: keep.size };
}
