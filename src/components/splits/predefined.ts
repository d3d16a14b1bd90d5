import { defineSpec } from '../../contract/component.js';

/** Keep the train/test split that the data files define; optionally carve validation out of train. */
export const predefinedSpec = defineSpec({
  slot: 'split',
  name: 'predefined',
  version: 1,
  summary: "the files' own train/test split, optionally with a per-user validation share carved out of train",
  schema: {
    type: 'object',
    properties: {
      valid: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: "share of each user's training interactions held out for validation" },
      seed: { type: 'integer', minimum: 0, default: 2022, description: 'seed of the validation draw' },
    },
    additionalProperties: false,
  },
});

export interface PredefinedParams {
  valid: number;
  seed: number;
}
