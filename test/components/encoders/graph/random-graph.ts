import { CounterRng } from '../../../../src/core/rng.js';

export interface RandomPairs {
  numUsers: number;
  numItems: number;
  pairUsers: Int32Array;
  pairItems: Int32Array;
}

/**
 * Seeded training pairs with duplicates and a skewed item popularity; user 0 and item 0 never
 * occur (isolated nodes), unless there is no other user or item.
 */
export function randomPairs(numUsers: number, numItems: number, numPairs: number, seed: number): RandomPairs {
  const rng = new CounterRng(seed, 77);
  const pairUsers = new Int32Array(numPairs);
  const pairItems = new Int32Array(numPairs);
  for (let p = 0; p < numPairs; p++) {
    pairUsers[p] = numUsers > 1 ? 1 + rng.int(numUsers - 1) : 0;
    const x = rng.next();
    pairItems[p] = numItems > 1 ? 1 + Math.min(numItems - 2, Math.floor((numItems - 1) * x * x)) : 0;
  }
  return { numUsers, numItems, pairUsers, pairItems };
}

/** A seeded table of n x dim standard normals. */
export function randomTable(rows: number, dim: number, seed: number): Float32Array {
  const rng = new CounterRng(seed, 91);
  return Float32Array.from({ length: rows * dim }, () => rng.normal());
}
