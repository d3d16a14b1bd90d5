/**
 * src/core/rng.ts in WGSL, bit for bit: murmur3's finaliser, hash4 split into its first three
 * rounds (hashPrefix) and the last (hashLast), and boundedFrom = floor(h * n / 2^32), the high
 * word of a 32 x 32 -> 64-bit product, here from 16-bit limbs (WGSL has no 64-bit integers).
 */
export const RNG_WGSL = /* wgsl */ `
fn fmix32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}
fn hashPrefix(seed: u32, stream: u32, a: u32) -> u32 {
  var h = fmix32(seed ^ 0x9e3779b9u);
  h = fmix32((h ^ stream) + 0x632be5abu);
  return fmix32((h ^ a) + 0x85157af5u);
}
fn hashLast(prefix: u32, b: u32) -> u32 { return fmix32((prefix ^ b) + 0x58f1c4b3u); }
fn hash4(seed: u32, stream: u32, a: u32, b: u32) -> u32 { return hashLast(hashPrefix(seed, stream, a), b); }
fn boundedFrom(h: u32, n: u32) -> u32 {
  let a0 = h & 0xffffu; let a1 = h >> 16u;
  let b0 = n & 0xffffu; let b1 = n >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}
`;
