import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Shape checks (JSON Schema, ajv) for the JSON files expc reads back: valid JSON of the wrong
 * shape must be reported as such, never crash later with a TypeError far from the file.
 */
const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

export type Schema = Record<string, unknown>;

/** null when `value` has the shape, else where and how it does not ("/nodes/x/key: must be string"). */
export function shapeProblem(schema: Schema, value: unknown): string | null {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  if (v(value)) return null;
  const e = v.errors?.[0] as ErrorObject | undefined;
  if (!e) return 'does not have the expected shape';
  const where = e.instancePath || '(top level)';
  const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
  return `${where}: ${e.message ?? 'invalid'}${extra}`;
}

// Building blocks shared by the schemas.
export const str = { type: 'string' } as const;
export const num = { type: 'number' } as const;
export const int = { type: 'integer', minimum: 0 } as const;
export const bool = { type: 'boolean' } as const;
export const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
export const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties), more = true): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: more,
});
export const arr = (items: unknown): Schema => ({ type: 'array', items });
export const nullable = (s: unknown): Schema => ({ anyOf: [{ type: 'null' }, s] });
