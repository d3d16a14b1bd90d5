import { Ajv, type ValidateFunction } from 'ajv';
import { InternalError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';

/**
 * The contract every component file fulfils: a JSON Schema for its parameters (with defaults
 * and descriptions), a version that is part of every content key it feeds (bump it when the
 * numbers it computes change), and a one-line summary for `expc components` and the README.
 * The compiler reads only this; the runtime adds behaviour per slot (see the slot interfaces
 * next to the components).
 */
export type Slot = 'dataset' | 'split' | 'encoder' | 'sampler' | 'loss' | 'backprop' | 'optimizer' | 'regularizer' | 'schedule';

/** The slots a run configures, in the order they are shown. */
export const RUN_SLOTS = ['encoder', 'sampler', 'loss', 'backprop', 'optimizer'] as const satisfies readonly Slot[];
export type RunSlot = (typeof RUN_SLOTS)[number];

/** Slots a run may leave empty: no component is chosen unless the run names one (`regularizer: l2(...)`, `schedule: multistep(...)`). */
export const OPTIONAL_RUN_SLOTS = ['regularizer', 'schedule'] as const satisfies readonly Slot[];
export type OptionalRunSlot = (typeof OPTIONAL_RUN_SLOTS)[number];

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
  /** Artifacts the component's step reads besides the split: `adjacency` (graph encoders). */
  needs?: readonly 'adjacency'[];
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

/**
 * A training component: its spec plus `bind`, which validates parameters against the schema
 * (defaults applied) and returns the component's behaviour for them. Validation at the bind is
 * the runtime's trust boundary: the types of `create` are only reached through it.
 */
export interface TrainingComponent<B> extends ComponentSpec {
  bind(params: JsonObject): B;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });

export function defineComponent<P, B>(spec: ComponentSpec & { create(params: P): B }): TrainingComponent<B> {
  const { create, ...rest } = spec;
  let validate: ValidateFunction<P> | undefined;
  return {
    ...rest,
    bind(params: JsonObject): B {
      validate ??= ajv.compile<P>(spec.schema);
      const copy: unknown = structuredClone(params);
      if (!validate(copy)) throw new InternalError(`${spec.slot} '${spec.name}': parameters ${JSON.stringify(params)} do not match its schema: ${ajv.errorsText(validate.errors)}`);
      return create(copy);
    },
  };
}
