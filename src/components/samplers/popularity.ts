import { InternalError } from '../../core/errors.js';
import { hash4, unitFrom } from '../../core/rng.js';
import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour, TrainingData } from '../../contract/training.js';
import type { UserItems } from '../../core/user-items.js';
import { negativesProperties, negativesStream } from './uniform.js';

/**
 * Popularity-based negative sampling (PNS; OneBP paper 2.2): item i is drawn with probability
 * q(i) = count(i)^power / sum_j count(j)^power, count = the item's training interactions. power 1
 * is the paper's PNS, 0 is uniform over all items, 0.75 word2vec's smoothing. Items without
 * training interactions are never drawn when power > 0. Draws are distinct per positive and
 * skip the user's positives (exclude_positives), by rejection, as the uniform sampler does; the
 * k-th draw of the pair at epoch position p inverts the CDF at unitFrom(hash4(seed, stream, p, k)).
 */
export interface PopularityParams {
  negatives: number;
  exclude_positives: boolean;
  power: number;
}

/** Training interactions per item. */
export function itemCounts(data: TrainingData): Float64Array {
  const counts = new Float64Array(data.numItems);
  const { indices } = data.positives;
  for (let q = 0; q < data.positives.nnz; q++) counts[indices[q]!]! += 1;
  return counts;
}

/** q(i) proportional to count(i)^power (0^0 = 1: power 0 is uniform over all items). */
export function popularityWeights(counts: Float64Array, power: number): Float64Array {
  const w = new Float64Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += w[i] = power === 0 ? 1 : Math.pow(counts[i]!, power);
  for (let i = 0; i < w.length; i++) w[i]! /= total;
  return w;
}

/** The first index whose cumulative probability exceeds u (binary search over cdf). */
function invert(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export const popularity = defineComponent<PopularityParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'popularity',
  version: 1,
  summary: 'popularity-based negatives (PNS): q(i) proportional to count(i)^power, distinct per positive',
  schema: {
    type: 'object',
    properties: {
      ...negativesProperties,
      power: { type: 'number', minimum: 0, maximum: 4, default: 1, description: 'exponent of the item counts: 1 = PNS, 0 = uniform, 0.75 = word2vec smoothing' },
    },
    additionalProperties: false,
  },
  create: (p) => {
    let q: Float64Array = new Float64Array(0);
    let cdf: Float64Array = new Float64Array(0);
    /** Per user: how many items it can be given (q > 0, and not a training positive under exclude_positives). */
    let drawable: Int32Array = new Int32Array(0);
    const countDrawable = (data: TrainingData, w: Float64Array, positives: UserItems | null): Int32Array => {
      let nonzero = 0;
      for (let i = 0; i < w.length; i++) if (w[i]! > 0) nonzero++;
      const out = new Int32Array(data.numUsers).fill(nonzero);
      if (positives) for (let u = 0; u < data.numUsers; u++) for (const i of positives.row(u)) if (w[i]! > 0) out[u]!--;
      return out;
    };
    return {
      layout: 'per_positive',
      width: () => p.negatives,
      modelAware: false,
      logq: false,
      check(data) {
        const counts = countDrawable(data, popularityWeights(itemCounts(data), p.power), p.exclude_positives ? data.positives : null);
        for (let u = 0; u < data.numUsers; u++) {
          if (data.positives.count(u) > 0 && counts[u] === 0) return `user ${u} has no item with a popularity above 0 outside its training items, so popularity(power: ${p.power}) cannot draw a negative for it`;
        }
        return null;
      },
      prepare(data) {
        q = popularityWeights(itemCounts(data), p.power);
        cdf = new Float64Array(q.length);
        let acc = 0;
        for (let i = 0; i < q.length; i++) cdf[i] = acc += q[i]!;
        cdf[cdf.length - 1] = Infinity; // rounding never sends u past the last item
        drawable = countDrawable(data, q, p.exclude_positives ? data.positives : null);
      },
      fill({ data, start, end, epoch, seed, batch }) {
        const n = p.negatives;
        const stream = negativesStream(epoch);
        const positives = p.exclude_positives ? data.positives : null;
        for (let pos = start; pos < end; pos++) {
          const j = pos - start;
          const u = batch.users[j]!;
          const o = j * n;
          // distinct draws only when the user has enough drawable items (else repeats, as uniform does)
          if (drawable[u] === 0) throw new InternalError(`popularity: user ${u} has no drawable item (check() refuses such data)`);
          const distinct = drawable[u]! >= n;
          let draw = 0;
          for (let k = 0; k < n; k++) {
            for (;;) {
              const cand = invert(cdf, unitFrom(hash4(seed, stream, pos, draw++)));
              if (q[cand] === 0) continue;
              if (positives && positives.has(u, cand)) continue;
              if (distinct) {
                let dup = false;
                for (let r = o; r < o + k; r++) if (batch.neg[r] === cand) dup = true;
                if (dup) continue;
              }
              batch.neg[o + k] = cand;
              break;
            }
          }
        }
      },
    };
  },
});
