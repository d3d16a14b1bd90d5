import type { DatasetSpec } from '../../contract/dataset-spec.js';

export const lightgcnSpec: DatasetSpec = {
  slot: 'dataset',
  name: 'lightgcn',
  version: 1,
  presplit: true,
  summary: 'the LightGCN benchmark format: train.txt / test.txt, one line per user "user item item ...", .gz read transparently',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'folder under the data directories (gowalla, yelp2018, ml-1m, ...)' },
      path: { type: 'string', description: 'an explicit folder holding train.txt and test.txt (instead of name)' },
      train: { type: 'string', default: 'train.txt', description: 'training file name inside the folder (.gz tried too)' },
      test: { type: 'string', default: 'test.txt', description: 'test file name inside the folder (.gz tried too)' },
    },
    additionalProperties: false,
  },
};

export interface LightgcnParams {
  name?: string;
  path?: string;
  train: string;
  test: string;
}
