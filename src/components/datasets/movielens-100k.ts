import type { DatasetSpec } from '../../contract/dataset-spec.js';

export const movielens100kSpec: DatasetSpec = {
  slot: 'dataset',
  name: 'movielens_100k',
  version: 1,
  presplit: false,
  summary: "MovieLens-100K (GroupLens u.data: 943 users, 1,682 items, 100,000 ratings); every rating counts as an interaction",
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'u.data or the folder holding it; default: ml-100k/u.data under the data directories' },
      min_rating: { type: 'integer', minimum: 0, maximum: 5, default: 0, description: 'keep ratings >= this value (0 keeps all, as the OneBP paper does)' },
      download: { type: 'boolean', default: true, description: 'when u.data is absent, fetch the official GroupLens archive and verify its sha256' },
    },
    additionalProperties: false,
  },
};

export interface Movielens100kParams {
  path?: string;
  min_rating: number;
  download: boolean;
}
