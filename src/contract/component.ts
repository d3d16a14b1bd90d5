/**
 * The contract every component file fulfils: a JSON Schema for its parameters (with defaults
 * and descriptions), a version that is part of every content key it feeds (bump it when the
 * numbers it computes change), and a one-line summary for `expc components` and the README.
 * The compiler reads only this; the runtime adds behaviour per slot (see the slot interfaces
 * next to the components).
 */
export type Slot = 'dataset' | 'split' | 'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer';

/** The slots a run configures, in the order they are shown. */
export const RUN_SLOTS = ['encoder', 'sampler', 'loss', 'backprop', 'optimizer'] as const satisfies readonly Slot[];
export type RunSlot = (typeof RUN_SLOTS)[number];

/** The record-valued settings that are not components but are validated the same way. */
export type RecordSlot = 'training' | 'evaluate';

export interface ParamSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown> & { description: string }>;
  required?: string[];
  additionalProperties: false;
  [k: string]: unknown;
}

export interface ComponentSpec {
  slot: Slot;
  name: string;
  version: number;
  summary: string;
  schema: ParamSchema;
  /** Names accepted for the same component (`ssm` for `infonce`). */
  aliases?: string[];
}

/** Identity with a type check: keeps component files declarative. */
export function defineSpec<S extends ComponentSpec>(spec: S): S {
  return spec;
}

/** Parameters after validation: defaults applied, every property present. */
export type Params = Record<string, unknown>;

/** A component chosen for a slot, with its validated parameters: what the runtime receives. */
export interface ComponentInstance<P = Params> {
  name: string;
  version: number;
  params: P;
}
