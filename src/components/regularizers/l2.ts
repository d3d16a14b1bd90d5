import { defineComponent } from '../../contract/component.js';
import type { RegularizerBehaviour } from '../../contract/training.js';

/**
 * An explicit L2 penalty on the layer-0 rows a batch uses, as LightGCN's regulariser
 * (He et al. 2020, eq. 15 as implemented there): weight/2 * (|u_b|^2 + |v_pos|^2 + sum |v_neg|^2)
 * summed over the batch's occurrences and divided by the batch size; shared candidates count
 * once per batch. Only tables the optimiser owns are penalised. The alternative to the
 * optimiser's weight_decay, which decays every row at every step.
 */
export interface L2Params {
  weight: number;
}

export const l2 = defineComponent<L2Params, RegularizerBehaviour>({
  slot: 'regularizer',
  name: 'l2',
  version: 1,
  summary: "L2 penalty on the batch's layer-0 rows (LightGCN's regulariser), instead of optimiser weight decay",
  schema: {
    type: 'object',
    properties: { weight: { type: 'number', minimum: 0, default: 1e-4, description: 'lambda: the penalty is lambda/2 times the squared norms of the rows the batch uses, per sample' } },
    additionalProperties: false,
  },
  create: (p) => ({ weight: p.weight }),
});
