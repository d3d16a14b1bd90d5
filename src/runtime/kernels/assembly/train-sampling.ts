// Sampling seam of the training epoch: the epoch's visiting order, each sample's user, positive
// and negatives (mode epoch) or the explicit batch's (mode batch), and the cache warm-up ahead.
import { MODE_EPOCH } from './layout';
import { shuffleU64 } from './rng';
import { drawNegatives } from './sampler';
import { gExclude, gMode, gN, gNumItems, gRowBytes, gSeed, gStream, pBitset, pBNeg, pBPos, pBUsers, pIndices, pIndptr, pOrder, pPairI, pPairU, pUser } from './train-context';

/** Stream.shuffle in src/core/rng.ts. */
const STREAM_SHUFFLE: u32 = 1;

/** The epoch's pairs as u64 (user low, item high), shuffled unless `shuffle` is off; thread 0 only. */
export function fillOrder(numPairs: i32, shuffle: bool, epoch: u32): void {
  for (let i = 0; i < numPairs; i++) {
    const o = <usize>i << 2;
    store<u64>(pOrder + (o << 1), (<u64>load<u32>(pPairI + o) << 32) | <u64>load<u32>(pPairU + o));
  }
  if (shuffle) shuffleU64(pOrder, numPairs, gSeed, STREAM_SHUFFLE, epoch);
}

/**
 * The user of sample b. In mode epoch, takes the pair at epoch position `position` and draws
 * its negatives into the sample's batch slots; in mode batch, they are there already.
 */
@inline
export function drawSample(b: i32, position: i32): i32 {
  const n = gN;
  let u: i32;
  if (gMode == MODE_EPOCH) {
    const pair = load<u64>(pOrder + (<usize>position << 3));
    u = <i32>pair;
    store<i32>(pBUsers + (<usize>b << 2), u);
    store<i32>(pBPos + (<usize>b << 2), <i32>(pair >>> 32));
    drawNegatives(pBNeg + (<usize>(b * n) << 2), n, u, position, gSeed, gStream, gNumItems, gExclude, pIndptr, pIndices, pBitset);
  } else {
    u = load<i32>(pBUsers + (<usize>b << 2));
  }
  return u;
}

/** Sink of touchAhead's loads, so that they are not optimised away. */
let gTouched: u32 = 0;

/**
 * Issues loads of the cache lines the sample at epoch position `position` will need (its user's
 * row and positives bitset row) while the current sample computes: wasm has no prefetch, and
 * these lines are otherwise cache misses in a chain of dependent work.
 */
@inline
export function touchAhead(position: i32): void {
  const u = <i32>load<u64>(pOrder + (<usize>position << 3));
  const row = pUser + <usize>u * gRowBytes;
  let acc: u32 = 0;
  for (let o: usize = 0; o < gRowBytes; o += 64) acc ^= load<u32>(row + o);
  if (pBitset != 0) {
    const wordsBytes = <usize>((gNumItems + 31) >>> 5) << 2;
    const brow = pBitset + <usize>u * wordsBytes;
    for (let o: usize = 0; o < wordsBytes; o += 64) acc ^= load<u32>(brow + o);
  }
  gTouched ^= acc;
}
