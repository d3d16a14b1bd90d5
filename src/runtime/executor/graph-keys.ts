import type { ExecutionGraph } from '../../contract/graph.js';
import { computeKeys, type NodeKey } from '../../contract/content-key.js';
import type { EventSink } from '../events.js';
import { resolveExternal } from './execute-graph.js';
import type { RuntimeServices } from './services.js';

export interface GraphKeys {
  keys: Map<string, NodeKey>;
  /** Nodes whose key cannot be known because their dataset's files cannot be found, with the reason. */
  blocked: Map<string, Error>;
}

/**
 * Content keys of every node whose inputs can be resolved now (hashing the data files each
 * dataset reads). Used by `plan` and `review` to look results up without running anything.
 */
export async function graphKeys(graph: ExecutionGraph, services: RuntimeServices, emit: EventSink = () => {}): Promise<GraphKeys> {
  const { external, failures } = await resolveExternal(graph, services, emit);
  const blocked = new Map<string, Error>();
  for (const [id, e] of failures) {
    blocked.set(id, e);
    for (const d of graph.dependents(id)) blocked.set(d, e);
  }
  const keys = computeKeys(graph.restrictTo(graph.nodes.filter((n) => !blocked.has(n.id)).map((n) => n.id)), external);
  return { keys, blocked };
}
