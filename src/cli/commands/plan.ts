import type { Json } from '../../core/json.js';
import { ArtifactStore } from '../../runtime/cache/artifact-store.js';
import { graphKeys } from '../../runtime/executor/graph-keys.js';
import { explainChange } from '../../runtime/executor/explain.js';
import { readKeyIndex } from '../../runtime/executor/index-file.js';
import { RuntimeServices, type RuntimeOptions } from '../../runtime/executor/services.js';
import { resolve } from 'node:path';
import { compileOrThrow } from '../compile-file.js';
import { displayPath } from '../paths.js';
import { describeRoot, type ProjectRoot } from '../project-root.js';

export interface PlanOptions {
  file: string;
  cacheDir: string;
  root?: ProjectRoot;
  overrides?: string[];
  runtime: RuntimeOptions;
  json: boolean;
  out: (text: string) => void;
  warn: (text: string) => void;
}

export interface PlannedNode {
  id: string;
  label: string;
  kind: string;
  key: string | null;
  status: 'cached' | 'will run' | 'blocked';
  reasons: string[];
}

/**
 * `expc plan FILE`: the execution graph, and for each step whether it is cached or will run and
 * why (which parameter, input or data file changed since the last run).
 */
export async function plan(o: PlanOptions): Promise<PlannedNode[]> {
  const { model, graph } = compileOrThrow(o.file, o.warn, o.overrides ?? []);
  const services = new RuntimeServices(o.runtime);
  const { keys, blocked } = await graphKeys(graph, services);
  const store = new ArtifactStore(o.cacheDir);
  const index = readKeyIndex(o.cacheDir, model.name);
  const planned: PlannedNode[] = graph.nodes.map((n) => {
    const failure = blocked.get(n.id);
    if (failure) return { id: n.id, label: n.label, kind: n.kind, key: null, status: 'blocked', reasons: [failure.message] };
    const k = keys.get(n.id)!;
    if (store.has(k.key)) return { id: n.id, label: n.label, kind: n.kind, key: k.key, status: 'cached', reasons: [] };
    const prev = index.nodes[n.id];
    const reasons = prev && prev.key === k.key ? ['cache entry missing (removed or never stored)'] : explainChange(k.details, prev?.details);
    return { id: n.id, label: n.label, kind: n.kind, key: k.key, status: 'will run', reasons };
  });
  if (o.json) {
    o.out(JSON.stringify({ experiment: model.name, cacheDir: resolve(o.cacheDir), root: (o.root as unknown as Json) ?? null, overrides: model.overrides ?? [], nodes: planned as unknown as Json }, null, 2));
    return planned;
  }
  const width = Math.max(...planned.map((p) => p.label.length));
  const lines = [`plan for ${model.name} (${graph.nodes.length} steps); cache ${displayPath(resolve(o.cacheDir))}${o.root ? `; ${describeRoot(o.root)}` : ''}:`];
  if (model.overrides?.length) lines.push(`overrides: ${model.overrides.map((x) => `-S ${x}`).join(' ')}`);
  for (const p of planned) {
    const key = p.key ? p.key.slice(0, 12) : '-'.repeat(12);
    lines.push(`  ${p.label.padEnd(width)}  ${key}  ${p.status}${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}`);
  }
  const count = (s: PlannedNode['status']) => planned.filter((p) => p.status === s).length;
  lines.push(`${count('cached')} cached, ${count('will run')} will run${count('blocked') ? `, ${count('blocked')} blocked` : ''}`);
  o.out(lines.join('\n'));
  return planned;
}
