/**
 * The explicit registry of components (no side-effect registration): the compiler resolves
 * names and validates parameters against these specs; the runtime maps the same names to
 * implementations. Adding a component: docs/adding-a-component.md.
 */
import type { ComponentSpec, Slot } from '../contract/component.js';
import { bothSpec } from './backprop/both.js';
import { onebpSpec } from './backprop/onebp.js';
import { userOnlySpec } from './backprop/user-only.js';
import { csvSpec } from './datasets/csv.js';
import type { DatasetSpec } from '../contract/dataset-spec.js';
import { lightgcnSpec } from './datasets/lightgcn.js';
import { movielens100kSpec } from './datasets/movielens-100k.js';
import { syntheticSpec } from './datasets/synthetic.js';
import { mfSpec } from './encoders/mf.js';
import { bprSpec } from './losses/bpr.js';
import { infonceSpec } from './losses/infonce.js';
import { adamSpec } from './optimizers/adam.js';
import { sgdSpec } from './optimizers/sgd.js';
import { uniformSpec } from './samplers/uniform.js';
import { holdoutSpec } from './splits/holdout.js';
import { predefinedSpec } from './splits/predefined.js';

export const COMPONENTS: readonly ComponentSpec[] = [
  movielens100kSpec,
  lightgcnSpec,
  csvSpec,
  syntheticSpec,
  holdoutSpec,
  predefinedSpec,
  mfSpec,
  uniformSpec,
  infonceSpec,
  bprSpec,
  bothSpec,
  onebpSpec,
  userOnlySpec,
  adamSpec,
  sgdSpec,
];

export { RUN_SLOTS, type RunSlot } from '../contract/component.js';

export function componentsOf(slot: Slot): ComponentSpec[] {
  return COMPONENTS.filter((c) => c.slot === slot);
}

/** Finds a component by its name or an alias. */
export function findComponent(slot: Slot, name: string): ComponentSpec | undefined {
  return COMPONENTS.find((c) => c.slot === slot && (c.name === name || c.aliases?.includes(name)));
}

/** Finds a component of any slot (for "'uniform' is a sampler, not a loss"). */
export function findAnySlot(name: string): ComponentSpec | undefined {
  return COMPONENTS.find((c) => c.name === name || c.aliases?.includes(name));
}

export function isDatasetSpec(c: ComponentSpec): c is DatasetSpec {
  return c.slot === 'dataset';
}

export function datasetIsPresplit(spec: DatasetSpec, params: Record<string, unknown>): boolean {
  return typeof spec.presplit === 'function' ? spec.presplit(params) : spec.presplit;
}
