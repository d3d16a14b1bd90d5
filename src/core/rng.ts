/**
 * Counter-based random numbers: every draw is a pure function of (seed, stream, a, b), so any
 * thread, any engine and any resumed run can recompute exactly the same draw without carrying
 * generator state. The WebAssembly kernels (src/runtime/kernels/assembly/rng.ts) implement the
 * same functions bit for bit; test/core/rng.test.ts pins their values.
 */

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of four 32-bit words (seed, stream, a, b). */
export function hash4(seed: number, stream: number, a: number, b: number): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32(((h ^ stream) + 0x632be5ab) >>> 0);
  h = fmix32(((h ^ a) + 0x85157af5) >>> 0);
  h = fmix32(((h ^ b) + 0x58f1c4b3) >>> 0);
  return h;
}

/** floor(h * n / 2^32) computed exactly for any uint32 h and n < 2^31: a uniform integer in [0, n). */
export function boundedFrom(h: number, n: number): number {
  const hi = h >>> 16;
  const lo = h & 0xffff;
  return Math.floor((hi * n + Math.floor((lo * n) / 65536)) / 65536);
}

/** A uniform float in the open interval (0, 1) from a 32-bit hash. */
export function unitFrom(h: number): number {
  return (h + 0.5) / 4294967296;
}

/** Named streams keep independent uses of one seed apart. */
export const Stream = {
  shuffle: 1,
  negatives: 2,
  initUser: 3,
  initItem: 4,
  split: 5,
  synthetic: 6,
  kmeans: 7,
  evalSample: 8,
  dissimilarPick: 9,
} as const;

/** A seeded sequential generator over hash4, for code that just wants "the next number". */
export class CounterRng {
  private counter = 0;
  constructor(
    readonly seed: number,
    readonly stream: number,
    readonly key = 0,
  ) {}
  nextU32(): number {
    return hash4(this.seed, this.stream, this.key, this.counter++);
  }
  /** Uniform float in (0, 1). */
  next(): number {
    return unitFrom(this.nextU32());
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return boundedFrom(this.nextU32(), n);
  }
  /** Standard normal (Box-Muller; uses two draws). */
  normal(): number {
    const u1 = this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** In-place Fisher-Yates shuffle driven by hash4(seed, stream, key, i). */
export function shuffleInPlace(a: Int32Array | Uint32Array | number[], seed: number, stream: number, key: number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = boundedFrom(hash4(seed, stream, key, i), i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
