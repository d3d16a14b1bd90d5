import type { DatasetSpec } from '../../contract/dataset-spec.js';

export const syntheticSpec: DatasetSpec = {
  slot: 'dataset',
  name: 'synthetic',
  version: 1,
  presplit: false,
  summary: 'a seeded generator: items of latent types, users with several interests (a majority type and minorities), popularity skew',
  schema: {
    type: 'object',
    properties: {
      users: { type: 'integer', minimum: 2, maximum: 10000000, default: 600, description: 'number of users' },
      items: { type: 'integer', minimum: 2, maximum: 10000000, default: 400, description: 'number of items' },
      types: { type: 'integer', minimum: 1, maximum: 1000, default: 6, description: 'latent item types' },
      interests: { type: 'integer', minimum: 1, maximum: 1000, default: 3, description: 'most types one user is interested in (1 = single-interest users)' },
      per_user: { type: 'integer', minimum: 1, default: 30, description: 'mean interactions per user' },
      popularity: { type: 'number', minimum: 0, default: 0.8, description: 'Zipf exponent of item popularity within a type (0 = uniform)' },
      noise: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'share of interactions with uniformly random items' },
      seed: { type: 'integer', minimum: 0, default: 1, description: 'generator seed' },
    },
    additionalProperties: false,
  },
};

export interface SyntheticParams {
  users: number;
  items: number;
  types: number;
  interests: number;
  per_user: number;
  popularity: number;
  noise: number;
  seed: number;
}
