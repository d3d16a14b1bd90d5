import type { Json } from '../../core/json.js';
import type { GraphNode } from '../../contract/graph.js';
import type { Artifact, ArtifactContent, ArtifactStore } from '../cache/artifact-store.js';
import type { EventSink } from '../events.js';
import type { RuntimeServices } from './services.js';

/** What a step receives: its node, its content key, its inputs' artifacts and the shared services. */
export interface StepContext {
  node: GraphNode;
  key: string;
  /** Input artifacts by node id. */
  inputs: ReadonlyMap<string, Artifact>;
  services: RuntimeServices;
  store: ArtifactStore;
  emit: EventSink;
  /** --force: recompute from scratch (no checkpoint either). */
  forced?: boolean;
  /** The facts from outside the graph that entered the key (load_dataset: the data files and their hashes). */
  external?: Json;
}

/**
 * A step is a pure function of its params and input artifacts (DESIGN "Scale-out"): it keeps no
 * state between calls and returns everything it produced, so any executor (in process today,
 * a queue worker tomorrow) can run it.
 */
export interface Step {
  run(ctx: StepContext): Promise<ArtifactContent>;
  /** One line for the progress display once the step is done ("943 users, 1682 items"). */
  summarize?(content: ArtifactContent): string;
}
