import type { DataContext, InputFile, LoadedDataset } from '../data/dataset.js';
import type { DatasetSpec } from '../../contract/dataset-spec.js';

/**
 * The runtime half of a dataset component: where its files are and how to parse them. The
 * executor calls resolveInputs first (their hashes enter the load node's content key), then, on a
 * cache miss, load with the same inputs, so the bytes hashed are the bytes read.
 */
export interface DatasetLoader<P = Record<string, unknown>> {
  spec: DatasetSpec;
  /** Locates the files this dataset reads and hashes them (sha256). Called before any cache lookup:
   *  the hashes become part of the load node's content key. Throws DataError (a UserError) when a file is missing. */
  resolveInputs(params: P, ctx: DataContext): Promise<InputFile[]>;
  /** Reads and parses. Ids become dense 0-based ids (sorted by original id, numerically when all ids are integers). */
  load(params: P, ctx: DataContext, inputs: InputFile[]): Promise<LoadedDataset>;
}
