import { componentsOf } from '../../components/catalogue.js';
import type { Slot } from '../../contract/component.js';
import { trainingSchema } from '../../contract/training-schema.js';
import { evaluateSchema } from '../../contract/evaluate-schema.js';
import { UsageError } from '../../core/errors.js';
import type { ParamSchema } from '../../contract/component.js';
import { describeSchema } from '../../compiler/resolve/validate-params.js';
import { formatJson } from '../../compiler/resolve/to-json.js';
import type { Json } from '../../core/json.js';

const SLOTS: Slot[] = ['dataset', 'split', 'encoder', 'sampler', 'loss', 'backprop', 'optimizer', 'regularizer', 'schedule'];

function params(schema: ParamSchema): string[] {
  return Object.entries(schema.properties).map(([name, s]) => {
    const d = (s as Record<string, unknown>)['default'];
    const dflt = d === undefined ? ' (required or optional, no default)' : ` = ${formatJson(d as Json)}`;
    return `      ${name}: ${describeSchema(s)}${dflt}\n        ${s.description}`;
  });
}

/** `expc components [slot]`: the catalogue, with every parameter, its type, default and meaning. */
export async function components(o: { slot?: string; json?: boolean; out: (t: string) => void }): Promise<void> {
  const slots = o.slot ? SLOTS.filter((s) => s === o.slot || `${s}s` === o.slot) : SLOTS;
  if (o.slot && slots.length === 0 && o.slot !== 'training' && o.slot !== 'evaluate')
    throw new UsageError(`unknown slot '${o.slot}'`, `slots: ${[...SLOTS, 'training', 'evaluate'].join(', ')}`);
  if (o.json) {
    const schemaOf = (schema: ParamSchema) => Object.fromEntries(Object.entries(schema.properties).map(([name, p]) => [name, { type: describeSchema(p), default: ((p as Record<string, unknown>)['default'] ?? null) as Json, description: p.description ?? '' }]));
    const out: Record<string, Json> = {};
    for (const slot of slots) out[slot] = componentsOf(slot).map((c) => ({ name: c.name, aliases: c.aliases ?? [], summary: c.summary, params: schemaOf(c.schema) }));
    if (!o.slot || o.slot === 'training') out['training'] = schemaOf(trainingSchema);
    if (!o.slot || o.slot === 'evaluate') out['evaluate'] = schemaOf(evaluateSchema);
    o.out(JSON.stringify(out, null, 2));
    return;
  }
  const lines: string[] = [];
  for (const slot of slots) {
    lines.push(`${slot}:`);
    for (const c of componentsOf(slot)) {
      lines.push(`  ${c.name}${c.aliases?.length ? ` (also ${c.aliases.join(', ')})` : ''}: ${c.summary}`);
      lines.push(...params(c.schema));
    }
  }
  if (!o.slot || o.slot === 'training') lines.push('training: (record)', ...params(trainingSchema));
  if (!o.slot || o.slot === 'evaluate') lines.push('evaluate: (block)', ...params(evaluateSchema));
  o.out(lines.join('\n'));
}
