import { defineComponent } from '../../contract/component.js';
import type { SamplerBehaviour } from '../../contract/training.js';
import { candidateRankingProperties, candidateRankingSampler, type HardParams } from './hard.js';

/**
 * HarS, the hard negatives of collaborative metric learning (Hsieh et al. 2017, "HarS [13]" in
 * the OneBP paper's Table 2): of C uniform candidates per positive pair, the `negatives` nearest
 * to the user in Euclidean distance |u - v| under the current embeddings (the items most likely
 * to violate the margin). It differs from `hard` only in the measure: for a fixed user,
 * -|u - v|^2 = 2 u.v - |v|^2 - |u|^2 ranks by u.v penalised by the item's norm, so long item
 * vectors, which dot-product hardness favours, are not preferred here.
 */
export const hars = defineComponent<HardParams, SamplerBehaviour>({
  slot: 'sampler',
  name: 'hars',
  version: 1,
  summary: 'hard negatives by distance: the nearest of C uniform candidates to the user in Euclidean distance (HarS)',
  schema: {
    type: 'object',
    properties: candidateRankingProperties,
    additionalProperties: false,
  },
  create: (p) => candidateRankingSampler('hars', p, 'euclidean'),
});
