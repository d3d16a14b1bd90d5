import { defineComponent } from '../../contract/component.js';
import type { EncoderBehaviour, PreparedEncoder } from '../../contract/training.js';
import { initProperties, initTables, type InitParams } from './init-tables.js';

/**
 * Matrix factorisation: the user and item towers are plain embedding tables (OneBP paper 4.1,
 * "projection-based encoding"). Parameters and embeddings are the same tables, so the
 * encoder's forward and backward are the identity and a batch's gradient reaches only its rows.
 */
export type MfParams = InitParams;

const identity: PreparedEncoder = {
  embedReference: (params) => params,
  backwardReference: (_params, grad) => grad,
  embedTf: (_tf, user, item) => ({ user, item }),
};

export const mf = defineComponent<MfParams, EncoderBehaviour>({
  slot: 'encoder',
  name: 'mf',
  version: 1,
  summary: 'matrix factorisation: one trainable d-dimensional row per user and per item',
  schema: { type: 'object', properties: initProperties, additionalProperties: false },
  create: (p) => ({
    dim: p.dim,
    init: (numUsers, numItems, seed) => initTables(numUsers, numItems, p, seed),
    embeddingsAreParameters: true,
    batchLocalGradient: true,
    prepare: () => identity,
    fused: { kind: 'rows' },
  }),
});
