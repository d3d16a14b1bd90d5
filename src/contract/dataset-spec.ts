import type { ComponentSpec } from './component.js';

/** Dataset loaders additionally say whether their files carry their own train/test split. */
export interface DatasetSpec extends ComponentSpec {
  slot: 'dataset';
  /** true: the files define train and test (LightGCN format); the default split is `predefined`. */
  presplit: boolean | ((params: Record<string, unknown>) => boolean);
}
