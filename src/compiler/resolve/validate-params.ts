import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Json, JsonObject } from '../../core/json.js';
import type { ParamSchema } from '../../contract/component.js';
import { describeValue, type Identifier, type Value } from '../ast/nodes.js';
import { error, type Diagnostic } from '../diagnostics.js';
import type { Range } from '../source.js';
import { suggest } from '../suggest.js';
import { formatJson, toJson } from './to-json.js';

/** One parameter as written: its value's AST (for ranges) and, when named, the name's identifier. */
export interface WrittenParam {
  value: Value;
  key?: Identifier;
}

/** Parameters in the order they were written (later writes replace earlier ones). */
export type WrittenParams = Map<string, WrittenParam>;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: ParamSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/**
 * Validates written parameters against a component's JSON Schema and applies its defaults.
 * Every problem becomes a diagnostic located at the offending value (or the parameter's name
 * for unknown parameters, or `anchor` for missing required ones). Returns the parameters with
 * defaults, or undefined when any error was found.
 *
 * `owner` names the thing in messages: "encoder 'mf'", "training", "dataset 'ml100k' (csv)".
 */
export function validateParams(schema: ParamSchema, written: WrittenParams, owner: string, anchor: Range, diagnostics: Diagnostic[]): JsonObject | undefined {
  const before = diagnostics.length;
  const data: Record<string, Json> = {};
  const known = Object.keys(schema.properties);
  for (const [name, p] of written) {
    if (!(name in schema.properties)) {
      const did = suggest(name, known);
      diagnostics.push(
        error('unknown-parameter', `${owner} has no parameter '${name}'`, (p.key ?? p.value).range, {
          expected: known.length ? `one of ${known.join(', ')}` : 'no parameters',
          found: name,
          hint: did ? `did you mean '${did}'?` : undefined,
        }),
      );
      continue;
    }
    const j = toJson(p.value, diagnostics, `parameter '${name}' of ${owner}`);
    if (j !== undefined) data[name] = j;
  }
  const validate = validatorFor(schema);
  // Known parameters are checked even when unknown ones were found, so one run reports both.
  if (validate(data)) return diagnostics.length > before ? undefined : data;

  const reported = new Set<string>();
  for (const e of validate.errors ?? []) {
    const top = topLevelParam(e);
    if (top !== undefined && reported.has(top)) continue;
    if (top !== undefined) reported.add(top);
    const w = top !== undefined ? written.get(top) : undefined;
    const range = w ? w.value.range : anchor;
    const propSchema = top !== undefined ? (schema.properties[top] as Record<string, unknown>) : undefined;
    const expected = top !== undefined && propSchema ? describeSchema(propSchema) : describeError(e);
    const found = w ? describeValue(w.value) : e.keyword === 'required' ? 'nothing' : formatJson(data as Json);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      diagnostics.push(error('invalid-value', `${owner} needs parameter '${missing}'`, anchor, { expected: `${missing}: ${describeSchema(schema.properties[missing] as Record<string, unknown>)}`, found: 'no such parameter' }));
      continue;
    }
    const hint = enumHint(e, w?.value);
    diagnostics.push(
      error('invalid-value', `parameter '${top ?? '?'}' of ${owner} must be ${expected}`, range, { expected, found, hint }),
    );
  }
  return undefined;
}

function topLevelParam(e: ErrorObject): string | undefined {
  const seg = e.instancePath.split('/')[1];
  if (seg) return seg.replace(/~1/g, '/').replace(/~0/g, '~');
  return undefined;
}

function enumHint(e: ErrorObject, v: Value | undefined): string | undefined {
  if (e.keyword !== 'enum' || !v) return undefined;
  const word = v.kind === 'Name' ? v.name : v.kind === 'String' ? v.value : undefined;
  if (word === undefined) return undefined;
  const did = suggest(word, (e.params as { allowedValues: unknown[] }).allowedValues.map(String));
  return did ? `did you mean '${did}'?` : undefined;
}

/** A schema as a phrase: "an integer >= 1", "one of dot, cosine", "a metric like ndcg@20 on valid, or none". */
export function describeSchema(s: Record<string, unknown>): string {
  if (Array.isArray(s['anyOf'])) {
    const parts = (s['anyOf'] as Record<string, unknown>[]).map(describeSchema);
    return parts.join(', or ');
  }
  if (Array.isArray(s['enum'])) return `one of ${(s['enum'] as unknown[]).map((x) => formatJson(x as Json)).join(', ')}`;
  const types = Array.isArray(s['type']) ? (s['type'] as string[]) : s['type'] !== undefined ? [s['type'] as string] : [];
  const bounds: string[] = [];
  if (typeof s['minimum'] === 'number') bounds.push(`>= ${s['minimum']}`);
  if (typeof s['exclusiveMinimum'] === 'number') bounds.push(`> ${s['exclusiveMinimum']}`);
  if (typeof s['maximum'] === 'number') bounds.push(`<= ${s['maximum']}`);
  if (typeof s['exclusiveMaximum'] === 'number') bounds.push(`< ${s['exclusiveMaximum']}`);
  const nouns = types.map((t) => {
    switch (t) {
      case 'integer':
        return 'an integer';
      case 'number':
        return 'a number';
      case 'boolean':
        return 'true or false';
      case 'string':
        return 'a string';
      case 'null':
        return 'none';
      case 'array': {
        const items = s['items'] as Record<string, unknown> | undefined;
        return items ? `a list of ${describeSchema(items).replace(/^(an?|one) /, (m) => (m === 'one ' ? 'one ' : ''))}` : 'a list';
      }
      case 'object':
        return isMetricRefSchema(s) ? 'a metric like ndcg@20 on valid' : 'a record';
      default:
        return t;
    }
  });
  const noun = nouns.length ? nouns.join(' or ') : 'a value';
  return bounds.length ? `${noun} ${bounds.join(' and ')}` : noun;
}

function isMetricRefSchema(s: Record<string, unknown>): boolean {
  const p = s['properties'] as Record<string, unknown> | undefined;
  return !!p && 'metric' in p && 'k' in p;
}

function describeError(e: ErrorObject): string {
  return e.message ?? e.keyword;
}
