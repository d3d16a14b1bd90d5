import { UserError } from '../../core/errors.js';
import { CounterRng, shuffleInPlace, Stream } from '../../core/rng.js';
import type { LoadedDataset } from '../data/dataset.js';
import { InteractionBuilder } from '../data/interaction-builder.js';
import type { DatasetLoader } from './dataset-loader.js';
import { syntheticSpec, type SyntheticParams } from '../../components/datasets/synthetic.js';

/**
 * A seeded generator of interactions with a structure a two-tower model can learn and a
 * popularity baseline cannot:
 * - items: a seeded shuffle deals them round-robin into `types` latent types (sizes differ by at
 *   most one); within a type, the item at rank r has Zipf weight (r + 1)^-popularity;
 * - users: each has m ~ uniform{1..interests} distinct interest types with weights
 *   w = 0.5·e1 + 0.5·sort_desc(Dirichlet(1,...,1)), so the first type always holds a majority
 *   (w1 > 0.5 when m > 1) and the others are minorities;
 * - each user has n = max(5, round(per_user · exp(0.5·z − 0.125))) distinct items, z standard
 *   normal (a log-normal with mean per_user), at most `items`;
 * - each draw is, with probability `noise`, a uniformly random item, else an interest type by w
 *   and an item of it by Zipf weight; a repeat is redrawn.
 * Every draw is a pure function of (seed, Stream.synthetic, key, counter): key 0 for the items,
 * key u + 1 for user u, so a user's data does not depend on how many users come before.
 */
export const syntheticLoader: DatasetLoader<SyntheticParams> = {
  spec: syntheticSpec,

  async resolveInputs() {
    return [];
  },

  async load(params, ctx) {
    return generateSynthetic(params, ctx.log);
  },
};

/** Log-normal spread of interactions per user (sigma of the underlying normal). */
const SIGMA = 0.5;
const MIN_PER_USER = 5;
/** Redraws of a repeated item before falling back to the next unused item. */
const MAX_REDRAWS = 64;

export function generateSynthetic(p: SyntheticParams, log: (m: string) => void = () => {}): LoadedDataset {
  const numItems = p.items;
  const T = p.types;
  if (T > numItems) throw new UserError(`synthetic: types (${T}) must not exceed items (${numItems}): every type needs an item`);
  const maxInterests = Math.min(p.interests, T);

  // items -> types, round-robin over a seeded shuffle; rank within the type = round index
  const perm = Int32Array.from({ length: numItems }, (_, k) => k);
  shuffleInPlace(perm, p.seed, Stream.synthetic, 0);
  const itemType = new Int32Array(numItems);
  const typeItems: Int32Array[] = [];
  const typeCdf: Float64Array[] = [];
  for (let t = 0; t < T; t++) {
    const size = Math.floor((numItems - t + T - 1) / T);
    const members = new Int32Array(size);
    const cdf = new Float64Array(size);
    let acc = 0;
    for (let r = 0; r < size; r++) {
      const item = perm[r * T + t]!;
      members[r] = item;
      itemType[item] = t;
      acc += Math.pow(r + 1, -p.popularity);
      cdf[r] = acc;
    }
    typeItems.push(members);
    typeCdf.push(cdf);
  }

  const b = new InteractionBuilder();
  const used = new Int32Array(numItems); // used[i] === u + 1: item i already drawn for user u
  const typeOrder = Int32Array.from({ length: T }, (_, k) => k);
  const chosen = new Int32Array(maxInterests);
  const swaps = new Int32Array(maxInterests);
  const weights = new Float64Array(maxInterests);
  for (let u = 0; u < p.users; u++) {
    const rng = new CounterRng(p.seed, Stream.synthetic, u + 1);
    const m = 1 + rng.int(maxInterests);
    // m distinct types: a partial Fisher-Yates on typeOrder, undone afterwards
    for (let k = 0; k < m; k++) {
      const j = k + rng.int(T - k);
      swaps[k] = j;
      const t = typeOrder[k]!;
      typeOrder[k] = typeOrder[j]!;
      typeOrder[j] = t;
      chosen[k] = typeOrder[k]!;
    }
    for (let k = m - 1; k >= 0; k--) {
      const j = swaps[k]!;
      const t = typeOrder[k]!;
      typeOrder[k] = typeOrder[j]!;
      typeOrder[j] = t;
    }
    let sum = 0;
    for (let k = 0; k < m; k++) sum += weights[k] = -Math.log(rng.next());
    const w = Array.from(weights.subarray(0, m), (x) => (0.5 * x) / sum).sort((a, c) => c - a);
    w[0]! += 0.5;

    const target = Math.max(MIN_PER_USER, Math.round(p.per_user * Math.exp(SIGMA * rng.normal() - (SIGMA * SIGMA) / 2)));
    const n = Math.min(target, numItems);
    for (let k = 0; k < n; k++) {
      let item = -1;
      for (let attempt = 0; attempt < MAX_REDRAWS && item < 0; attempt++) {
        let cand: number;
        if (rng.next() < p.noise) cand = rng.int(numItems);
        else {
          let x = rng.next();
          let k2 = 0;
          while (k2 < m - 1 && x >= w[k2]!) x -= w[k2++]!;
          const t = chosen[k2]!;
          cand = typeItems[t]![pickCdf(typeCdf[t]!, rng.next())]!;
        }
        if (used[cand] !== u + 1) item = cand;
      }
      if (item < 0) {
        // the user's types are (nearly) exhausted: take the next unused item after a random start
        item = rng.int(numItems);
        while (used[item] === u + 1) item = (item + 1) % numItems;
      }
      used[item] = u + 1;
      b.add(u, item);
    }
  }
  const data = b.build({ inputs: [], withParts: false, label: 'synthetic', log, itemTypesByRaw: itemType });
  if (data.numItems < numItems) log(`synthetic: ${numItems - data.numItems} of ${numItems} items were never drawn and are left out`);
  return data;
}

/** The index r with cdf[r-1] <= x·total < cdf[r]. */
function pickCdf(cdf: Float64Array, unit: number): number {
  const x = unit * cdf[cdf.length - 1]!;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
