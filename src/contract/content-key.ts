import { hashJson, type Json, type JsonObject } from '../core/json.js';
import type { ExecutionGraph } from './graph.js';
import { STEP_VERSIONS } from './steps.js';

/**
 * Everything a node's content key is computed from (Nx's hash details): kept next to the key so
 * that `expc plan` can say which part changed since the last run.
 */
export interface KeyDetails {
  kind: string;
  version: number;
  params: JsonObject;
  /** Input node id -> that node's key. */
  inputs: Record<string, string>;
  /** Facts from outside the graph: the content hashes of the data files a dataset reads. */
  external: Json;
}

export interface NodeKey {
  key: string;
  details: KeyDetails;
}

/**
 * key = sha256 of the canonical JSON of (kind, step version, params with defaults, the input
 * keys in order, external facts). Input ids are not hashed, only their keys, so renaming a
 * dataset or a run keeps its cache.
 */
export function contentKey(d: KeyDetails): string {
  return hashJson({ kind: d.kind, version: d.version, params: d.params, inputs: Object.values(d.inputs), external: d.external });
}

/** Keys for every node, in topological order; `external` supplies the facts of source nodes. */
export function computeKeys(graph: ExecutionGraph, external: ReadonlyMap<string, Json>): Map<string, NodeKey> {
  const out = new Map<string, NodeKey>();
  for (const n of graph.nodes) {
    const inputs: Record<string, string> = {};
    for (const i of n.inputs) inputs[i] = out.get(i)!.key;
    const details: KeyDetails = { kind: n.kind, version: STEP_VERSIONS[n.kind], params: n.params, inputs, external: external.get(n.id) ?? null };
    out.set(n.id, { key: contentKey(details), details });
  }
  return out;
}
