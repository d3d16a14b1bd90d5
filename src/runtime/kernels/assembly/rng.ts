// Bit-exact mirror of src/core/rng.ts (hash4, boundedFrom) and of shuffleInPlace.

@inline
function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

@inline
export function hash4(seed: u32, stream: u32, a: u32, b: u32): u32 {
  return hashLast(hashPrefix(seed, stream, a), b);
}

/** The first three rounds of hash4: a draw sequence for fixed (seed, stream, a) computes them once. */
@inline
export function hashPrefix(seed: u32, stream: u32, a: u32): u32 {
  let h = fmix32(seed ^ 0x9e3779b9);
  h = fmix32((h ^ stream) + 0x632be5ab);
  return fmix32((h ^ a) + 0x85157af5);
}

/** hash4(seed, stream, a, b) from hashPrefix(seed, stream, a). */
@inline
export function hashLast(prefix: u32, b: u32): u32 {
  return fmix32((prefix ^ b) + 0x58f1c4b3);
}

/** floor(h * n / 2^32): the JS version's two 16-bit halves compute exactly this product's high word. */
@inline
export function boundedFrom(h: u32, n: u32): u32 {
  return <u32>((<u64>h * <u64>n) >>> 32);
}

/** Fisher-Yates over records of type T, driven by hash4(seed, stream, key, i): shuffleInPlace in rng.ts. */
function shuffleRecords<T>(a: usize, len: i32, seed: u32, stream: u32, key: u32): void {
  const prefix = hashPrefix(seed, stream, key);
  for (let i = len - 1; i > 0; i--) {
    const j = <i32>boundedFrom(hashLast(prefix, <u32>i), <u32>(i + 1));
    const pi = a + <usize>i * sizeof<T>();
    const pj = a + <usize>j * sizeof<T>();
    const t = load<T>(pi);
    store<T>(pi, load<T>(pj));
    store<T>(pj, t);
  }
}

/** The shuffle of an i32 index array (what the JS epochOrder computes). */
export function shuffleI32(a: usize, len: i32, seed: u32, stream: u32, key: u32): void {
  shuffleRecords<i32>(a, len, seed, stream, key);
}

/**
 * The same Fisher-Yates swaps on an array of 64-bit records: shuffling records that start in
 * index order leaves record order[p] at position p, where order = the shuffled index array.
 */
export function shuffleU64(a: usize, len: i32, seed: u32, stream: u32, key: u32): void {
  shuffleRecords<u64>(a, len, seed, stream, key);
}
