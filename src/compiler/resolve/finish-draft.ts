import { RUN_SLOTS } from '../../components/catalogue.js';
import { OPTIONAL_RUN_SLOTS } from '../../contract/component.js';
import { trainingSchema, type TrainingParams } from '../../contract/training-schema.js';
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { checkCompatibility } from '../../components/compatibility.js';
import type { ResolvedComponent, RunConfig } from '../../contract/model.js';
import type { Range } from '../source.js';
import type { ConfigDraft } from './config-draft.js';
import { validateParams } from './validate-params.js';

/**
 * Validates every slot of a draft against its component's schema and applies defaults.
 * Returns undefined if anything is wrong (the diagnostics say what).
 */
export function finishDraft(draft: ConfigDraft, anchor: Range, diagnostics: Diagnostic[]): RunConfig | undefined {
  const out: Partial<Record<string, unknown>> = {};
  let ok = true;
  for (const slot of RUN_SLOTS) {
    const c = draft.components[slot];
    const params = validateParams(c.spec.schema, c.params, `${slot} '${c.spec.name}'`, c.origin ?? anchor, diagnostics);
    if (!params) {
      ok = false;
      continue;
    }
    out[slot] = { name: c.spec.name, version: c.spec.version, params } satisfies ResolvedComponent;
  }
  for (const slot of OPTIONAL_RUN_SLOTS) {
    const c = draft.optional[slot];
    if (!c) continue;
    const params = validateParams(c.spec.schema, c.params, `${slot} '${c.spec.name}'`, c.origin ?? anchor, diagnostics);
    if (!params) ok = false;
    else out[slot] = { name: c.spec.name, version: c.spec.version, params } satisfies ResolvedComponent;
  }
  const training = validateParams(trainingSchema, draft.training, 'training', draft.trainingOrigin ?? anchor, diagnostics);
  if (!training) ok = false;
  if (!ok) return undefined;
  const config: RunConfig = { ...(out as Record<(typeof RUN_SLOTS)[number], ResolvedComponent> & { regularizer?: ResolvedComponent; schedule?: ResolvedComponent }), training: training as unknown as TrainingParams };
  for (const x of checkCompatibility(config)) {
    const where = x.slot === 'training' ? draft.trainingOrigin : x.slot === 'regularizer' || x.slot === 'schedule' ? draft.optional[x.slot]?.origin : draft.components[x.slot].origin;
    diagnostics.push((x.severity === 'error' ? error : warning)('incompatible-components', x.message, where ?? anchor, { expected: x.expected, found: x.found, hint: x.hint }));
    if (x.severity === 'error') ok = false;
  }
  return ok ? config : undefined;
}
