import { InternalError } from '../../core/errors.js';
import { defineComponent } from '../../contract/component.js';
import type { CandidateMeasure, FillRequest, SamplerBehaviour } from '../../contract/training.js';
import { drawUniformNegatives, negativesStream, noNegativesReason } from './uniform.js';

/**
 * Hard negatives by dynamic sampling (Zhang et al. 2013, "DNS" in the OneBP paper's Table 2):
 * for every positive pair, `candidates` distinct items are drawn uniformly (the uniform
 * sampler's sequence, excluding the user's positives), scored by the current model (the
 * embeddings before this step, the loss's similarity), and the `negatives` highest-scored are
 * the pair's negatives (ties: the earlier draw). The scores are not differentiated through.
 */
export interface HardParams {
  candidates: number;
  negatives: number;
  exclude_positives: boolean;
}

/** The schema both candidate-ranking samplers share (hard, hars). */
export const candidateRankingProperties = {
  candidates: { type: 'integer', minimum: 1, maximum: 1024, default: 10, description: 'uniform candidates drawn per positive pair (C)' },
  negatives: { type: 'integer', minimum: 1, maximum: 1024, default: 1, description: 'the best-ranked candidates kept as negatives (at most candidates)' },
  exclude_positives: { type: 'boolean', default: true, description: "never draw an item from the user's training positives" },
} as const;

/**
 * A sampler that draws C uniform candidates per pair and keeps the `negatives` best under
 * `measure` (higher is better; ties keep draw order). `name` is for the user's messages.
 */
export function candidateRankingSampler(name: string, p: HardParams, measure: CandidateMeasure): SamplerBehaviour {
  let pool = new Int32Array(0);
  const order: number[] = [];
  return {
    layout: 'per_positive',
    width: () => p.negatives,
    modelAware: true,
    logq: false,
    check: (data) => (p.negatives > p.candidates ? `${name} keeps the ${p.negatives} best of ${p.candidates} candidates: negatives must be at most candidates` : noNegativesReason(data, p.exclude_positives)),
    prepare: () => {},
    fill({ data, start, end, epoch, seed, batch, score }: FillRequest) {
      const C = p.candidates;
      const n = p.negatives;
      const rows = end - start;
      if (pool.length < rows * C) pool = new Int32Array(rows * C);
      const stream = negativesStream(epoch);
      const positives = p.exclude_positives ? data.positives : null;
      for (let q = start; q < end; q++) {
        const j = q - start;
        drawUniformNegatives(pool, j * C, C, batch.users[j]!, q, seed, stream, data.numItems, positives);
      }
      if (!score) throw new InternalError(`${name} negatives need the engine to score candidates`);
      const s = score(batch.users, pool, rows, C, measure);
      for (let j = 0; j < rows; j++) {
        order.length = 0;
        for (let c = 0; c < C; c++) order.push(c);
        // best first; equal values keep draw order (sort is stable)
        order.sort((a, b) => s[j * C + b]! - s[j * C + a]!);
        for (let k = 0; k < n; k++) batch.neg[j * n + k] = pool[j * C + order[k]!]!;
      }
    },
  };
}

export const hard = defineComponent<HardParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'hard',
  version: 1,
  summary: 'hard negatives: the highest-scored of C uniform candidates under the current model (dynamic negative sampling)',
  schema: {
    type: 'object',
    properties: candidateRankingProperties,
    additionalProperties: false,
  },
  create: (p) => candidateRankingSampler('hard', p, 'similarity'),
});
