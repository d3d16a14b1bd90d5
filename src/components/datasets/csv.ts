import type { DatasetSpec } from '../../contract/dataset-spec.js';

export const csvSpec: DatasetSpec = {
  slot: 'dataset',
  name: 'csv',
  version: 1,
  presplit: (p) => typeof p['test'] === 'string',
  summary: 'a CSV/TSV interaction file (user, item[, rating]) with an optional separate test file',
  schema: {
    type: 'object',
    properties: {
      train: { type: 'string', description: 'interactions file (relative to the .exp file or the data directories); the whole data set when no test file is given' },
      test: { type: 'string', description: 'test interactions file; gives a predefined split' },
      separator: { type: 'string', enum: ['auto', ',', '\t', ';', ' '], default: 'auto', description: 'field separator; auto: tab if the first line has one, else comma' },
      header: { type: 'string', enum: ['auto', 'yes', 'no'], default: 'auto', description: 'whether the first line names the columns; auto: yes when its user or item field is not a number' },
      user: { type: ['string', 'integer'], default: 0, description: 'user column: 0-based index or header name' },
      item: { type: ['string', 'integer'], default: 1, description: 'item column: 0-based index or header name' },
      rating: { type: ['string', 'integer', 'null'], default: null, description: 'rating column (optional), used with min_rating' },
      min_rating: { type: 'number', default: 0, description: 'keep rows whose rating is >= this value' },
    },
    required: ['train'],
    additionalProperties: false,
  },
};

export interface CsvParams {
  train: string;
  test?: string;
  separator: 'auto' | ',' | '\t' | ';' | ' ';
  header: 'auto' | 'yes' | 'no';
  user: string | number;
  item: string | number;
  rating: string | number | null;
  min_rating: number;
}
