import { boundedFrom, hashLast, hashPrefix } from './rng';

/** Whether `item` is in user u's sorted CSR row: a branch-free binary search (like UserItems.has). */
@inline
export function csrHas(indptr: usize, indices: usize, u: i32, item: i32): bool {
  let base = indices + (<usize>load<i32>(indptr + (<usize>u << 2)) << 2);
  let len = load<i32>(indptr + (<usize>(u + 1) << 2)) - load<i32>(indptr + (<usize>u << 2));
  if (len == 0) return false;
  while (len > 1) {
    const half = len >> 1;
    base = select<usize>(base + (<usize>half << 2), base, load<i32>(base + (<usize>half << 2)) <= item);
    len -= half;
  }
  return load<i32>(base) == item;
}

/** Whether bit (u, item) is set in a numUsers x words bitset. */
@inline
export function bitsetHas(bits: usize, words: i32, u: i32, item: i32): bool {
  const w = load<u32>(bits + ((<usize>u * <usize>words + <usize>(item >>> 5)) << 2));
  return ((w >>> (<u32>item & 31)) & 1) != 0;
}

/**
 * drawUniformNegatives (src/runtime/samplers/uniform.ts), draw for draw: candidate `draw` of the
 * pair at epoch position `position` is boundedFrom(hash4(seed, stream, position, draw), numItems);
 * rejected when a positive of the user (exclude != 0) or, while the user has at least n items to
 * draw from, already drawn for this pair. Membership uses the bitset when there is one
 * (bits != 0), else the CSR rows; both answer the same.
 */
export function drawNegatives(
  out: usize,
  n: i32,
  user: i32,
  position: i32,
  seed: u32,
  stream: u32,
  numItems: i32,
  exclude: bool,
  indptr: usize,
  indices: usize,
  bits: usize,
): void {
  let available = numItems;
  if (exclude) available -= load<i32>(indptr + (<usize>(user + 1) << 2)) - load<i32>(indptr + (<usize>user << 2));
  const distinct = available >= n;
  const words = (numItems + 31) >>> 5;
  const prefix = hashPrefix(seed, stream, <u32>position);
  let draw: u32 = 0;
  for (let j = 0; j < n; j++) {
    for (;;) {
      const cand = <i32>boundedFrom(hashLast(prefix, draw++), <u32>numItems);
      if (exclude) {
        if (bits != 0 ? bitsetHas(bits, words, user, cand) : csrHas(indptr, indices, user, cand)) continue;
      }
      if (distinct) {
        let dup = false;
        for (let q = 0; q < j; q++) {
          if (load<i32>(out + (<usize>q << 2)) == cand) {
            dup = true;
            break;
          }
        }
        if (dup) continue;
      }
      store<i32>(out + (<usize>j << 2), cand);
      break;
    }
  }
}
