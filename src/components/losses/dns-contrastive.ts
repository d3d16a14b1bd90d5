import { defineComponent } from '../../contract/component.js';
import type { LossBehaviour, Similarity } from '../../contract/training.js';
import { similarityProperty } from './similarity.js';
import { infonce } from './infonce.js';

/**
 * The DNS contrastive loss (dns paper eq. 5): for an instance (u, i+, i-, i'-) with
 * f_s(e_u, e_i) = exp(cos(e_u, e_i) / t),
 *   loss = -log f_s(i+) / (f_s(i-) + f_s(i'-) + f_s(i+))
 *        = logsumexp_k(s_k / t) - s_0 / t      over the row's columns [i+, i-, i'-]
 *   dL/ds_k = (softmax_k(s / t) - [k = 0]) / (t * rows),
 * averaged over rows. It is the sampled softmax of `infonce` with cosine scores, applied to the
 * two negatives `dynamic_dissimilar` gives each instance (a static uniform one and a contrastive
 * one), and it computes through infonce's float64 and tfjs parts; as its own component it is
 * bound to that sampler (`expc check` refuses it with any other: the formula's three terms are
 * exactly that sampler's columns).
 */
export interface DnsContrastiveParams {
  temperature: number;
  similarity: Similarity;
}

export const dnsContrastive = defineComponent<DnsContrastiveParams, LossBehaviour>({
  slot: 'loss',
  name: 'dns_contrastive',
  version: 1,
  summary: 'DNS contrastive loss (eq. 5): -log of exp(cos+/t) over it plus the static and the dissimilar negative\'s',
  schema: {
    type: 'object',
    properties: {
      temperature: { type: 'number', exclusiveMinimum: 0, default: 0.1, description: 'temperature t of f_s = exp(cos / t)' },
      similarity: { ...similarityProperty, default: 'cosine', description: 'score of f_s: cosine (the paper) or inner product' },
    },
    additionalProperties: false,
  },
  create: (p) => {
    const { fused: _kernel, ...softmax } = infonce.bind({ temperature: p.temperature, similarity: p.similarity });
    return softmax;
  },
});
