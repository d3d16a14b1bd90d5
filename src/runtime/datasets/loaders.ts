import type { DatasetLoader } from './dataset-loader.js';
import { csvLoader } from './csv.js';
import { lightgcnLoader } from './lightgcn.js';
import { movielens100kLoader } from './movielens-100k.js';
import { syntheticLoader } from './synthetic.js';

/** The explicit registry of dataset loaders (the interface is in dataset-loader.ts, so no loader imports this file). */

/** Erases a loader's parameter type for the registry: the compiler has validated params against spec.schema. */
function erase<P>(loader: DatasetLoader<P>): DatasetLoader {
  return loader as DatasetLoader<never> as DatasetLoader;
}

export const DATASET_LOADERS: Readonly<Record<string, DatasetLoader>> = Object.freeze({
  [movielens100kLoader.spec.name]: erase(movielens100kLoader),
  [lightgcnLoader.spec.name]: erase(lightgcnLoader),
  [csvLoader.spec.name]: erase(csvLoader),
  [syntheticLoader.spec.name]: erase(syntheticLoader),
});
