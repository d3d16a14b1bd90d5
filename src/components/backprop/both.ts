import { defineSpec } from '../../contract/component.js';

/** Two backpropagation (TwoBP): the loss gradient updates both towers (OneBP eqs. 3-4). */
export const bothSpec = defineSpec({
  slot: 'backprop',
  name: 'both',
  version: 1,
  summary: 'TwoBP: gradients into both the user and the item tower',
  schema: { type: 'object', properties: {}, additionalProperties: false },
});
