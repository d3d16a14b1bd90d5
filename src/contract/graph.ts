import type { JsonObject } from '../core/json.js';
import { InternalError } from '../core/errors.js';
import type { StepKind } from './steps.js';

/** One step of an execution graph. Nodes are pure functions of their params and inputs' artifacts. */
export interface GraphNode {
  /** Unique and stable: `load:ml100k`, `split:ml100k`, `train:ml100k/onebp[backprop.beta=0.9]`, `evaluate:...`. */
  id: string;
  kind: StepKind;
  /** What the user reads in progress and plans: "train onebp on ml100k". */
  label: string;
  params: JsonObject;
  /** Ids of the nodes whose artifacts this one reads, in a fixed order. */
  inputs: string[];
  dataset: string;
  trial?: string;
  run?: string;
  /** Facts the step needs that do not change its result and are not hashed (where relative paths start). */
  context?: JsonObject;
}

/** A DAG of steps, nodes in a topological order (inputs before the nodes that read them). */
export class ExecutionGraph {
  readonly byId: ReadonlyMap<string, GraphNode>;
  constructor(
    readonly experiment: string,
    readonly nodes: readonly GraphNode[],
  ) {
    const byId = new Map<string, GraphNode>();
    for (const n of nodes) {
      if (byId.has(n.id)) throw new InternalError(`duplicate graph node ${n.id}`);
      for (const i of n.inputs) if (!byId.has(i)) throw new InternalError(`node ${n.id} reads ${i}, which is not before it`);
      byId.set(n.id, n);
    }
    this.byId = byId;
  }

  node(id: string): GraphNode {
    const n = this.byId.get(id);
    if (!n) throw new InternalError(`no graph node ${id}`);
    return n;
  }

  /** Every node that (transitively) reads `id`. */
  dependents(id: string): Set<string> {
    const out = new Set<string>();
    for (const n of this.nodes) if (n.inputs.some((i) => i === id || out.has(i))) out.add(n.id);
    return out;
  }

  /** The subgraph needed to compute the given nodes (their ancestors included), still in topological order. */
  restrictTo(ids: Iterable<string>): ExecutionGraph {
    const keep = new Set<string>();
    const visit = (id: string) => {
      if (keep.has(id)) return;
      keep.add(id);
      for (const i of this.node(id).inputs) visit(i);
    };
    for (const id of ids) visit(id);
    return new ExecutionGraph(this.experiment, this.nodes.filter((n) => keep.has(n.id)));
  }
}
