import type { Json } from '../../core/json.js';
import { describeValue, type Value } from '../ast/nodes.js';
import { error, type Diagnostic } from '../diagnostics.js';

/**
 * Converts a parameter value as written into JSON for schema validation: names become strings
 * (enum values such as `xavier_normal`), `none` becomes null, `ndcg@20 on valid` becomes
 * {metric, k, split} (split defaults to valid), records become objects. Calls are not
 * parameter values (they choose components): they are reported and yield undefined.
 */
export function toJson(value: Value, diagnostics: Diagnostic[], what: string): Json | undefined {
  switch (value.kind) {
    case 'Number':
      return value.value;
    case 'String':
      return value.value;
    case 'Boolean':
      return value.value;
    case 'None':
      return null;
    case 'Name':
      return value.name;
    case 'MetricRef':
      return { metric: value.metric.name, k: value.k.value, split: value.split?.name ?? 'valid' };
    case 'List': {
      const out: Json[] = [];
      for (const item of value.items) {
        const j = toJson(item, diagnostics, what);
        if (j === undefined) return undefined;
        out.push(j);
      }
      return out;
    }
    case 'Record': {
      const out: Record<string, Json> = {};
      for (const entry of value.entries) {
        if (!entry.name) {
          diagnostics.push(error('invalid-value', `${what}: a record takes named settings`, entry.range, { expected: 'name: value', found: describeValue(entry.value) }));
          return undefined;
        }
        const j = toJson(entry.value, diagnostics, what);
        if (j === undefined) return undefined;
        out[entry.name.name] = j;
      }
      return out;
    }
    case 'Block':
    case 'PointRef':
    case 'Call':
      diagnostics.push(
        error('invalid-value', `${what} takes a plain value, not ${value.kind === 'Call' ? 'a call' : value.kind === 'Block' ? 'a block' : 'a sweep point'}`, value.range, {
          expected: 'a number, string, name, list or record',
          found: describeValue(value),
        }),
      );
      return undefined;
  }
}

/** How a JSON value is shown in messages and trial ids: short and unambiguous. */
export function formatJson(v: Json): string {
  if (v === null) return 'none';
  if (typeof v === 'string') return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatJson).join(', ')}]`;
  if (typeof v.metric === 'string' && typeof v.k === 'number') return `${v.metric}@${v.k}${v.split ? ` on ${String(v.split)}` : ''}`;
  return `(${Object.entries(v)
    .map(([k, x]) => `${k}: ${formatJson(x)}`)
    .join(', ')})`;
}
