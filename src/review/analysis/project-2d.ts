import { pca2d } from './pca.js';
import { tsne2d, type TsneOptions } from './tsne.js';

/**
 * A 2-D map of n points (OneBP Fig. 5 projects item embeddings with t-SNE): n x 2 row-major
 * coordinates, deterministic for a given seed. 'pca': the first two principal components
 * (pca2d); 'tsne': exact t-SNE (tsne2d), `tsne` options passed through.
 */
export function project2d(
  data: Float32Array | Float64Array,
  n: number,
  dim: number,
  method: 'pca' | 'tsne',
  seed: number,
  tsne: TsneOptions = {},
): Float64Array {
  return method === 'pca' ? pca2d(data, n, dim, seed).coords : tsne2d(data, n, dim, seed, tsne);
}
