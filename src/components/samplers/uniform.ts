import { boundedFrom, hash4, Stream } from '../../core/rng.js';
import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour } from '../../contract/training.js';
import type { UserItems } from '../../core/user-items.js';

/**
 * Random negative sampling (RNS): for every positive pair, `negatives` distinct items drawn
 * uniformly, by default from the items the user has not interacted with in training (as the
 * OneBP reference code does).
 */
export interface UniformParams {
  negatives: number;
  exclude_positives: boolean;
}

/**
 * Draws `n` negatives for one positive pair into out[offset .. offset+n). The k-th candidate of
 * the pair at epoch position `position` is boundedFrom(hash4(seed, stream, position, k), numItems);
 * a candidate is rejected when it is one of the user's positives (if `positives` is given) or
 * already drawn for this pair. When the user has fewer than n items left to draw from, the
 * distinctness rule is dropped for that pair (repeats allowed) so sampling always ends.
 * The fused WebAssembly kernel implements exactly this sequence.
 */
export function drawUniformNegatives(
  out: Int32Array,
  offset: number,
  n: number,
  user: number,
  position: number,
  seed: number,
  stream: number,
  numItems: number,
  positives: UserItems | null,
): void {
  const available = numItems - (positives ? positives.count(user) : 0);
  const distinct = available >= n;
  let draw = 0;
  for (let j = 0; j < n; j++) {
    for (;;) {
      const cand = boundedFrom(hash4(seed, stream, position, draw++), numItems);
      if (positives !== null && positives.has(user, cand)) continue;
      if (distinct) {
        let dup = false;
        for (let q = offset; q < offset + j; q++) if (out[q] === cand) dup = true;
        if (dup) continue;
      }
      out[offset + j] = cand;
      break;
    }
  }
}

/** Users for whom no negative can be drawn (they interacted with every item); sampling would never end. */
export function usersWithoutNegatives(positives: UserItems): number[] {
  const out: number[] = [];
  for (let u = 0; u < positives.numUsers; u++) if (positives.count(u) >= positives.numItems) out.push(u);
  return out;
}

/** The stream word of negative draws: epoch and stream packed so that every epoch draws afresh. */
export function negativesStream(epoch: number): number {
  return (epoch * 16 + Stream.negatives) >>> 0;
}

/** The schema properties shared by per-positive samplers. */
export const negativesProperties = {
  negatives: { type: 'integer', minimum: 1, maximum: 1024, default: 5, description: 'negatives per positive pair (N_s)' },
  exclude_positives: { type: 'boolean', default: true, description: "never draw an item from the user's training positives" },
} as const;

export function noNegativesReason(data: { positives: UserItems }, exclude: boolean): string | null {
  if (!exclude) return null;
  const stuck = usersWithoutNegatives(data.positives);
  return stuck.length > 0 ? `${stuck.length} user(s) (first: ${stuck[0]}) interacted with every item, so no negative can be drawn with exclude_positives: true` : null;
}

export const uniform = defineComponent<UniformParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'uniform',
  version: 1,
  summary: "uniform random negatives, distinct per positive, optionally excluding the user's training items",
  schema: { type: 'object', properties: negativesProperties, additionalProperties: false },
  create: (p) => ({
    layout: 'per_positive',
    width: () => p.negatives,
    modelAware: false,
    logq: false,
    check: (data) => noNegativesReason(data, p.exclude_positives),
    prepare: () => {},
    fill({ data, start, end, epoch, seed, batch }) {
      const stream = negativesStream(epoch);
      const positives = p.exclude_positives ? data.positives : null;
      for (let q = start; q < end; q++) {
        const j = q - start;
        drawUniformNegatives(batch.neg, j * p.negatives, p.negatives, batch.users[j]!, q, seed, stream, data.numItems, positives);
      }
    },
    fused: { code: 'uniform', negatives: p.negatives, excludePositives: p.exclude_positives },
  }),
});
