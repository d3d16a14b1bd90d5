import { InternalError } from '../../core/errors.js';
import type { ParamSchema } from '../../contract/component.js';
import type { LoadedDataset, SplitData } from '../data/dataset.js';
import { holdoutSplit } from './holdout.js';
import { holdoutSpec, type HoldoutParams } from '../../components/splits/holdout.js';
import { predefinedSplit } from './predefined.js';
import { predefinedSpec, type PredefinedParams } from '../../components/splits/predefined.js';

/**
 * Pure and deterministic. holdout re-splits all interactions (ignores part); predefined keeps
 * part (error if the dataset has none). Parameters come validated by the compiler; missing ones
 * take the spec's defaults, so a caller may pass {}.
 */
export function applySplit(name: string, params: Record<string, unknown>, data: LoadedDataset): SplitData {
  switch (name) {
    case holdoutSpec.name: {
      const p = withDefaults<HoldoutParams>(holdoutSpec.schema, params);
      checkShare('holdout', 'test', p.test, false);
      checkShare('holdout', 'valid', p.valid, true);
      return holdoutSplit(p, data);
    }
    case predefinedSpec.name: {
      const p = withDefaults<PredefinedParams>(predefinedSpec.schema, params);
      checkShare('predefined', 'valid', p.valid, true);
      return predefinedSplit(p, data);
    }
    default:
      throw new InternalError(`no split named '${name}' (the compiler should have rejected it)`);
  }
}

function withDefaults<P>(schema: ParamSchema, params: Record<string, unknown>): P {
  const out: Record<string, unknown> = {};
  for (const [k, prop] of Object.entries(schema.properties)) if ('default' in prop) out[k] = prop['default'];
  for (const [k, v] of Object.entries(params)) {
    if (!(k in schema.properties)) throw new InternalError(`unknown split parameter '${k}' (the compiler should have rejected it)`);
    if (v !== undefined) out[k] = v;
  }
  return out as P;
}

function checkShare(split: string, key: string, v: unknown, zeroOk: boolean): void {
  if (typeof v !== 'number' || !(zeroOk ? v >= 0 : v > 0) || v >= 1) {
    throw new InternalError(`${split}.${key} must be a share in ${zeroOk ? '[0, 1)' : '(0, 1)'}, got ${String(v)} (the compiler should have rejected it)`);
  }
}
