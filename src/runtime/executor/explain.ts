import { canonicalJson, isJsonObject, type Json } from '../../core/json.js';
import type { KeyDetails } from '../../contract/content-key.js';

/**
 * Why a node's key differs from the last run's: the first differences, in words
 * ("parameter training.epochs: 300 -> 10", "input split:ml100k changed", "data file u.data changed").
 */
export function explainChange(current: KeyDetails, previous: KeyDetails | undefined): string[] {
  if (!previous) return ['never run'];
  const reasons: string[] = [];
  if (previous.version !== current.version) reasons.push(`the ${current.kind} step's code changed (version ${previous.version} -> ${current.version})`);
  diffJson(previous.params, current.params, '', reasons);
  for (const [id, key] of Object.entries(current.inputs)) {
    if (previous.inputs[id] === undefined) reasons.push(`new input ${id}`);
    else if (previous.inputs[id] !== key) reasons.push(`input ${id} changed`);
  }
  if (canonicalJson(previous.external) !== canonicalJson(current.external)) reasons.push(describeExternal(previous.external, current.external));
  return reasons.length ? reasons : ['cache entry missing (removed or never stored)'];
}

function diffJson(a: Json | undefined, b: Json | undefined, path: string, out: string[]): void {
  if (out.length >= 4) return;
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
  if (isJsonObject(a ?? null) && isJsonObject(b ?? null)) {
    const ao = a as Record<string, Json>;
    const bo = b as Record<string, Json>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) diffJson(ao[k], bo[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push(`parameter ${friendly(path)}: ${short(a)} -> ${short(b)}`);
}

/** `sampler.params.negatives` reads better as `sampler.negatives`. */
function friendly(path: string): string {
  return path.replace(/\.params\./g, '.').replace(/^(\w+)\.name$/, '$1');
}

function short(v: Json | undefined): string {
  if (v === undefined) return '(unset)';
  const s = canonicalJson(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeExternal(a: Json, b: Json): string {
  const files = (x: Json): Map<string, string> => {
    const m = new Map<string, string>();
    if (Array.isArray(x)) for (const f of x) if (isJsonObject(f) && typeof f['path'] === 'string') m.set(f['path'], String(f['sha256']));
    return m;
  };
  const fa = files(a);
  const fb = files(b);
  const changed = [...fb.keys()].filter((p) => fa.get(p) !== fb.get(p)).map((p) => p.split(/[\\/]/).pop());
  return changed.length ? `data file ${changed.join(', ')} changed` : 'the data files changed';
}
