import { defineSpec } from '../../contract/component.js';

/**
 * Random holdout. With per_user, each user's n interactions are shuffled (seeded) and the first
 * min(round(test * n), n - 1) go to test; `valid` is a share of the r that remain, held out the
 * same way (min(round(valid * r), r - 1)). So users with a single interaction keep it in
 * training. The exact rule is in holdout.ts.
 */
export const holdoutSpec = defineSpec({
  slot: 'split',
  name: 'holdout',
  version: 1,
  summary: 'random holdout of test (and validation) interactions, per user by default',
  schema: {
    type: 'object',
    properties: {
      test: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2, description: "share of each user's interactions held out for test" },
      valid: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: "share of each user's remaining training interactions held out for validation" },
      per_user: { type: 'boolean', default: true, description: "split each user's interactions (true) or the whole interaction list (false)" },
      seed: { type: 'integer', minimum: 0, default: 2022, description: 'split seed' },
    },
    additionalProperties: false,
  },
});

export interface HoldoutParams {
  test: number;
  valid: number;
  per_user: boolean;
  seed: number;
}
