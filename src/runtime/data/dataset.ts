import type { UserItems } from '../../core/user-items.js';

/** A data file a dataset read, identified by content: part of the load node's content key. */
export interface InputFile {
  /** As shown to the user (relative to the cwd when possible). */
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * A dataset after loading: dense 0-based ids, deduplicated (user, item) pairs.
 * For datasets whose files define their own split, `part[i]` is 0 for train and 1 for test.
 */
export interface LoadedDataset {
  numUsers: number;
  numItems: number;
  users: Int32Array;
  items: Int32Array;
  part: Uint8Array | null;
  /** Original ids by dense id (for reports), or null when the dense id is the original id minus nothing. */
  userIds: string[] | null;
  itemIds: string[] | null;
  /** Ground-truth item types where the source has them (synthetic data), else null. */
  itemTypes: Int32Array | null;
  inputs: InputFile[];
}

/** The output of a split node: disjoint per-user sets. `valid` is null when no validation is held out. */
export interface SplitData {
  numUsers: number;
  numItems: number;
  train: UserItems;
  valid: UserItems | null;
  test: UserItems;
}

/** Where loaders look for files and what they may do. */
export interface DataContext {
  /** Searched in order: --data-dir, $EXPC_DATA_DIR, ./data. */
  dataDirs: string[];
  /** The folder of the .exp file that declared the dataset (relative paths start here). */
  baseDir: string;
  /** False when the user passed --offline or the environment forbids downloads. */
  allowDownload: boolean;
  log(message: string): void;
}
