import { defineComponent } from '../../contract/component.js';
import type { BackpropBehaviour } from '../../contract/training.js';

/** Two backpropagation (TwoBP): the loss gradient updates both towers (OneBP eqs. 3-4). */
export const both = defineComponent<Record<string, never>, BackpropBehaviour>({
  slot: 'backprop',
  name: 'both',
  version: 1,
  summary: 'TwoBP: gradients into both the user and the item tower',
  schema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => ({ targets: { user: true, item: true }, aggregate: null, fused: { code: 'both' } }),
});
