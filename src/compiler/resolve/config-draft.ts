import { OPTIONAL_RUN_SLOTS, type ComponentSpec, type OptionalRunSlot, type Slot } from '../../contract/component.js';
import { componentsOf, findAnySlot, findComponent, RUN_SLOTS, type RunSlot } from '../../components/catalogue.js';
import { describeValue, pathText, type CallValue, type Identifier, type NameValue, type Property, type Value } from '../ast/nodes.js';
import { error, type Diagnostic } from '../diagnostics.js';
import type { Range } from '../source.js';
import { suggest } from '../suggest.js';
import type { WrittenParams } from './validate-params.js';

/**
 * A run's settings while they are being assembled from built-in defaults, `defaults` blocks,
 * `extends` and the run's own properties (and later, sweep points). It keeps the AST of every
 * value, so that validation can point at the text that set it, wherever that is.
 */
export interface ComponentDraft {
  slot: Slot;
  spec: ComponentSpec;
  /** Where the component was chosen (a call or name), for errors that concern the whole component. */
  origin: Range | undefined;
  params: WrittenParams;
}

export interface ConfigDraft {
  components: Record<RunSlot, ComponentDraft>;
  /** Optional slots (regularizer): absent unless a block chooses a component. */
  optional: Partial<Record<OptionalRunSlot, ComponentDraft>>;
  training: WrittenParams;
  trainingOrigin: Range | undefined;
  datasets: { names: Identifier[]; range: Range } | undefined;
  seeds: { value: Value; range: Range } | undefined;
}

/** The components a run gets when nothing says otherwise. */
const BUILTIN_DEFAULTS: Record<RunSlot, string> = {
  encoder: 'mf',
  sampler: 'uniform',
  loss: 'infonce',
  backprop: 'both',
  optimizer: 'adam',
};

export const RUN_PROPERTIES = [...RUN_SLOTS, ...OPTIONAL_RUN_SLOTS, 'training', 'datasets', 'seeds'] as const;

export function builtinDraft(): ConfigDraft {
  const components = {} as Record<RunSlot, ComponentDraft>;
  for (const slot of RUN_SLOTS) {
    const spec = findComponent(slot, BUILTIN_DEFAULTS[slot])!;
    components[slot] = { slot, spec, origin: undefined, params: new Map() };
  }
  return { components, optional: {}, training: new Map(), trainingOrigin: undefined, datasets: undefined, seeds: undefined };
}

export function cloneDraft(d: ConfigDraft): ConfigDraft {
  const components = {} as Record<RunSlot, ComponentDraft>;
  for (const slot of RUN_SLOTS) components[slot] = { ...d.components[slot], params: new Map(d.components[slot].params) };
  const optional: ConfigDraft['optional'] = {};
  for (const slot of OPTIONAL_RUN_SLOTS) {
    const c = d.optional[slot];
    if (c) optional[slot] = { ...c, params: new Map(c.params) };
  }
  return { components, optional, training: new Map(d.training), trainingOrigin: d.trainingOrigin, datasets: d.datasets, seeds: d.seeds };
}

const isRunSlot = (s: string): s is RunSlot => (RUN_SLOTS as readonly string[]).includes(s);
const isOptionalSlot = (s: string): s is OptionalRunSlot => (OPTIONAL_RUN_SLOTS as readonly string[]).includes(s);

/**
 * Resolves `name` or `name(args)` to a component of `slot`, or reports why not: unknown (with
 * did-you-mean), or a component of another slot ("'uniform' is a sampler, not a loss").
 */
export function componentFromValue(slot: Slot, value: Value, diagnostics: Diagnostic[]): { spec: ComponentSpec; params: WrittenParams; origin: Range } | undefined {
  let callee: Identifier | NameValue;
  let args: CallValue['args'] = [];
  if (value.kind === 'Call') {
    callee = value.callee;
    args = value.args;
  } else if (value.kind === 'Name') {
    callee = value;
  } else {
    diagnostics.push(error('invalid-value', `${slot} must be a component such as ${examples(slot)}`, value.range, { expected: `a ${slot} component`, found: describeValue(value) }));
    return undefined;
  }
  const name = callee.name;
  const spec = findComponent(slot, name);
  if (!spec) {
    const other = findAnySlot(name);
    if (other)
      diagnostics.push(
        error('wrong-component-kind', `'${name}' is a ${other.slot}, not a ${slot}`, callee.range, { expected: `a ${slot}: ${candidates(slot).join(', ')}`, found: `${other.slot} '${name}'` }),
      );
    else {
      const did = suggest(name, candidates(slot));
      diagnostics.push(
        error('unknown-component', `unknown ${slot} '${name}'`, callee.range, {
          expected: `one of ${candidates(slot).join(', ')}`,
          found: name,
          hint: did ? `did you mean '${did}'?` : undefined,
        }),
      );
    }
    return undefined;
  }
  const params: WrittenParams = new Map();
  for (const a of args) {
    if (!a.name) {
      diagnostics.push(error('invalid-value', `arguments of ${slot} '${spec.name}' must be named`, a.range, { expected: 'name: value', found: describeValue(a.value) }));
      continue;
    }
    if (params.has(a.name.name)) {
      diagnostics.push(error('duplicate-property', `parameter '${a.name.name}' is given twice`, a.name.range, { expected: 'each parameter once', found: `a second '${a.name.name}'` }));
      continue;
    }
    params.set(a.name.name, { value: a.value, key: a.name });
  }
  return { spec, params, origin: value.range };
}

function candidates(slot: Slot): string[] {
  return componentsOf(slot).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
}

function examples(slot: Slot): string {
  const c = componentsOf(slot)[0];
  return c ? `${c.name}(...)` : 'name(...)';
}

/**
 * Applies one property of a `defaults`/`run` block (or a sweep point) to a draft:
 *  - `slot: comp(args)` chooses the component (its parameters are exactly the ones given, plus defaults);
 *  - `slot.param: v` changes one parameter of the component currently in the slot;
 *  - `training: (a: 1, b: 2)` updates the named settings; `training.a: 1` one setting;
 *  - `datasets: a, b` restricts the run to those datasets; `seeds: [1, 2, 3]` repeats it per seed.
 * With `carryParams` (sweep points, command-line overrides), choosing the component already in
 * the slot keeps its parameters and changes only the ones given.
 */
export function applyProperty(draft: ConfigDraft, key: readonly Identifier[], value: Value, diagnostics: Diagnostic[], propertyRange: Range, opts: { carryParams?: boolean } = {}): void {
  const head = key[0]!;
  const rest = key.slice(1);
  const name = head.name === 'dataset' ? 'datasets' : head.name === 'seed' && rest.length === 0 ? 'seeds' : head.name;
  if (isRunSlot(name)) {
    if (rest.length === 0) {
      const c = componentFromValue(name, value, diagnostics);
      if (!c) return;
      // A sweep point or override that names the slot's current component keeps the run's own
      // parameters of it (`loss: [infonce, bpr]` must not reset the run's temperature).
      const current = draft.components[name];
      const params = opts.carryParams && current.spec === c.spec ? new Map([...current.params, ...c.params]) : c.params;
      draft.components[name] = { slot: name, spec: c.spec, origin: c.origin, params };
    } else if (rest.length === 1) {
      draft.components[name].params.set(rest[0]!.name, { value, key: rest[0]! });
    } else {
      diagnostics.push(tooDeep(key, propertyRange));
    }
    return;
  }
  if (isOptionalSlot(name)) {
    if (rest.length === 0) {
      if (value.kind === 'None') {
        delete draft.optional[name];
        return;
      }
      const c = componentFromValue(name, value, diagnostics);
      if (c) draft.optional[name] = { slot: name, spec: c.spec, origin: c.origin, params: c.params };
    } else if (rest.length === 1) {
      const c = draft.optional[name];
      if (c) c.params.set(rest[0]!.name, { value, key: rest[0]! });
      else
        diagnostics.push(
          error('invalid-value', `'${name}.${rest[0]!.name}' is set, but no ${name} is chosen`, head.range, {
            expected: `${name}: ${candidates(name).join(' | ')}(...) first`,
            found: `no ${name}`,
          }),
        );
    } else {
      diagnostics.push(tooDeep(key, propertyRange));
    }
    return;
  }
  if (name === 'training') {
    if (rest.length === 0) {
      if (value.kind !== 'Record') {
        diagnostics.push(error('invalid-value', 'training takes a record of settings', value.range, { expected: '(batch: 1024, epochs: 100, ...)', found: describeValue(value) }));
        return;
      }
      draft.trainingOrigin = value.range;
      for (const e of value.entries) {
        if (!e.name) {
          diagnostics.push(error('invalid-value', 'training settings must be named', e.range, { expected: 'name: value', found: describeValue(e.value) }));
          continue;
        }
        draft.training.set(e.name.name, { value: e.value, key: e.name });
      }
    } else if (rest.length === 1) {
      draft.training.set(rest[0]!.name, { value, key: rest[0]! });
    } else {
      diagnostics.push(tooDeep(key, propertyRange));
    }
    return;
  }
  if (name === 'datasets' && rest.length === 0) {
    const items = value.kind === 'List' ? value.items : [value];
    const names: Identifier[] = [];
    for (const it of items) {
      if (it.kind === 'Name') names.push({ kind: 'Identifier', name: it.name, range: it.range });
      else diagnostics.push(error('invalid-value', 'datasets takes dataset names', it.range, { expected: 'a dataset name', found: describeValue(it) }));
    }
    draft.datasets = { names, range: value.range };
    return;
  }
  if (name === 'seeds' && rest.length === 0) {
    draft.seeds = { value, range: value.range };
    return;
  }
  const did = suggest(head.name, RUN_PROPERTIES);
  diagnostics.push(
    error('unknown-slot', `unknown setting '${pathText({ kind: 'PropertyPath', segments: [...key], range: propertyRange })}'`, head.range, {
      expected: `one of ${RUN_PROPERTIES.join(', ')} (or slot.parameter)`,
      found: head.name,
      hint: did ? `did you mean '${did}'?` : undefined,
    }),
  );
}

function tooDeep(key: readonly Identifier[], range: Range): Diagnostic {
  const text = key.map((k) => k.name).join('.');
  return error('unknown-slot', `'${text}' goes too deep: a setting path is slot or slot.parameter`, range, { expected: 'slot or slot.parameter', found: text });
}

/** Applies a block's properties in order, reporting a property set twice in the same block. */
export function applyBlock(draft: ConfigDraft, properties: readonly Property[], diagnostics: Diagnostic[]): void {
  const seen = new Map<string, Property>();
  for (const p of properties) {
    const text = pathText(p.key);
    const first = seen.get(text);
    if (first) {
      diagnostics.push(
        error('duplicate-property', `'${text}' is set twice in this block`, p.key.range, {
          expected: 'each setting once per block',
          found: `a second '${text}'`,
          related: [{ message: 'first set here', range: first.key.range }],
        }),
      );
      continue;
    }
    seen.set(text, p);
    applyProperty(draft, p.key.segments, p.value, diagnostics, p.range);
  }
}
