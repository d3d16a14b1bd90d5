import type { ExecutionGraph, GraphNode } from '../../contract/graph.js';
import { computeKeys, type NodeKey } from '../../contract/content-key.js';
import type { LoadDatasetContext, LoadDatasetParams } from '../../contract/steps.js';
import { UserError } from '../../core/errors.js';
import type { Json, JsonObject } from '../../core/json.js';
import { join } from 'node:path';
import type { Artifact, ArtifactStore } from '../cache/artifact-store.js';
import { CacheFsError } from '../cache/cache-fs-error.js';
import { KeyLocks } from '../cache/key-lock.js';
import { DATASET_LOADERS } from '../datasets/loaders.js';
import type { EventSink } from '../events.js';
import { localScheduler, type NodeScheduler } from './parallel-trials.js';
import type { RuntimeServices } from './services.js';
import { STEPS } from './steps.js';

export type NodeStatus = 'ran' | 'cached' | 'failed' | 'skipped';

export interface NodeOutcome {
  id: string;
  kind: string;
  label: string;
  key: string | null;
  status: NodeStatus;
  seconds: number;
  /** The user-facing message of a failure (a stack only for internal errors). */
  error?: string;
  internal?: boolean;
  meta?: JsonObject;
}

export interface ExecutionResult {
  outcomes: NodeOutcome[];
  keys: Map<string, NodeKey>;
  /** Artifacts of nodes that ran or were cached. */
  artifacts: Map<string, Artifact>;
  /** Set when the cache refused a write (full disk, read-only...): later steps were not started. */
  cacheFailure?: CacheFsError;
  /** How trainings were scheduled (trials at once, threads of each, why), for the run record. */
  scheduling: JsonObject;
}

/**
 * The facts of source nodes that are not in the graph: for every dataset, the content hashes of
 * the files it reads. A dataset whose files cannot be found fails here, before anything runs,
 * with its loader's message; the rest of the experiment still runs.
 */
export async function resolveExternal(graph: ExecutionGraph, services: RuntimeServices, emit: EventSink): Promise<{ external: Map<string, Json>; failures: Map<string, Error> }> {
  const external = new Map<string, Json>();
  const failures = new Map<string, Error>();
  for (const n of graph.nodes) {
    if (n.kind !== 'load_dataset') continue;
    const p = n.params as unknown as LoadDatasetParams;
    const c = n.context as unknown as LoadDatasetContext;
    const loader = DATASET_LOADERS[p.loader.name];
    try {
      if (!loader) throw new UserError(`no loader for dataset component '${p.loader.name}'`);
      const inputs = await loader.resolveInputs(p.loader.params, services.dataContext(c.baseDir, (m) => emit({ type: 'log', level: 'info', message: m, id: n.id })));
      external.set(n.id, inputs.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })));
    } catch (e) {
      failures.set(n.id, e as Error);
    }
  }
  return { external, failures };
}

export interface ExecuteOptions {
  store: ArtifactStore;
  services: RuntimeServices;
  emit: EventSink;
  /** Recompute these nodes even when cached (true: all). */
  force?: boolean | ((node: GraphNode) => boolean);
  /** One lock per content key (default: <cache>/locks/), shared by every process using the cache. */
  locks?: KeyLocks;
  /** When nodes run and where trainings compute (default: services.options.parallelTrials, else one at a time). */
  scheduler?: NodeScheduler;
}

/**
 * Runs the graph in topological order. A node whose key is in the store is not recomputed.
 * A failing node (bad data, a diverging run) is reported and its dependents are skipped, but
 * every independent node still runs, so nothing already computable is lost.
 */
export async function executeGraph(graph: ExecutionGraph, options: ExecuteOptions): Promise<ExecutionResult> {
  const { store, services, emit } = options;
  const { external, failures } = await resolveExternal(graph, services, emit);
  // Keys of nodes downstream of a failed source cannot be known; compute the rest.
  const blocked = new Set<string>();
  for (const id of failures.keys()) {
    blocked.add(id);
    for (const d of graph.dependents(id)) blocked.add(d);
  }
  const keyable = graph.restrictTo(graph.nodes.filter((n) => !blocked.has(n.id)).map((n) => n.id));
  const keys = computeKeys(keyable, external);

  const outcomes: NodeOutcome[] = [];
  const artifacts = new Map<string, Artifact>();
  const status = new Map<string, NodeStatus>();
  const force = options.force ?? false;
  const computedNow = new Set<string>();
  const locks = options.locks ?? new KeyLocks(join(store.root, 'locks'));
  let cacheFailure: CacheFsError | undefined;
  // The scheduler decides when each node runs (after its inputs) and where a training computes
  // (parallel-trials.ts); with one trial at a time this is the graph's order.
  const scheduler = options.scheduler ?? localScheduler(services.options);
  const runNode = async (node: GraphNode): Promise<void> => {
    const base = { id: node.id, kind: node.kind, label: node.label };
    const sourceFailure = failures.get(node.id);
    if (sourceFailure) {
      const message = messageOf(sourceFailure);
      emit({ type: 'node-failed', id: node.id, label: node.label, message: message.text });
      outcomes.push({ ...base, key: null, status: 'failed', seconds: 0, error: message.text, internal: message.internal });
      status.set(node.id, 'failed');
      return;
    }
    const badInput = node.inputs.find((i) => status.get(i) === 'failed' || status.get(i) === 'skipped');
    if (badInput || cacheFailure) {
      // A failed input is named by its label ("load ml100k (movielens_100k)"), not its internal step id.
      const because = badInput ? `${graph.node(badInput).label} ${status.get(badInput) === 'failed' ? 'failed' : 'was skipped'}` : `the cache cannot be written (${cacheFailure!.code})`;
      emit({ type: 'node-skipped', id: node.id, label: node.label, because });
      outcomes.push({ ...base, key: keys.get(node.id)?.key ?? null, status: 'skipped', seconds: 0, error: because });
      status.set(node.id, 'skipped');
      return;
    }
    const key = keys.get(node.id)!.key;
    // --force recomputes each content key once per run: a second node with the same key (a sweep
    // point equal to its run) reuses what this run just computed.
    const forced = (typeof force === 'function' ? force(node) : force) && !computedNow.has(key);
    let lock: { release(): void } | undefined;
    try {
      let cached = forced ? null : store.get(key);
      if (!cached) {
        // Another process may be computing this key: wait for it, then use its result.
        lock = await locks.acquire(key, (owner) =>
          emit({ type: 'log', level: 'info', id: node.id, message: `waiting for ${owner ? `expc pid ${owner.pid} on ${owner.host}` : 'another expc'}, which is computing this step` }),
        );
        if (!forced) cached = store.get(key);
      }
      if (cached) {
        artifacts.set(node.id, cached);
        emit({ type: 'node-cached', id: node.id, label: node.label, key });
        outcomes.push({ ...base, key, status: 'cached', seconds: 0, meta: cached.meta });
        status.set(node.id, 'cached');
        return;
      }
      emit({ type: 'node-start', id: node.id, label: node.label });
      const t0 = performance.now();
      try {
        const inputs = new Map(node.inputs.map((i) => [i, artifacts.get(i)!]));
        const step = STEPS[node.kind];
        const content = await scheduler.runStep(step, { node, key, inputs, services, store, emit, forced, external: keys.get(node.id)!.details.external });
        const artifact = store.put(key, node.kind, node.id, content, { replace: forced });
        computedNow.add(key);
        const seconds = (performance.now() - t0) / 1000;
        artifacts.set(node.id, artifact);
        emit({ type: 'node-done', id: node.id, label: node.label, key, seconds, summary: step.summarize?.(content) });
        outcomes.push({ ...base, key, status: 'ran', seconds, meta: artifact.meta });
        status.set(node.id, 'ran');
      } catch (e) {
        if (e instanceof CacheFsError) cacheFailure ??= e;
        const message = messageOf(e as Error);
        emit({ type: 'node-failed', id: node.id, label: node.label, message: message.text });
        outcomes.push({ ...base, key, status: 'failed', seconds: (performance.now() - t0) / 1000, error: message.text, internal: message.internal });
        status.set(node.id, 'failed');
      }
    } catch (e) {
      // The cache could not be read or locked: a clear error for this step, and no new steps.
      if (!(e instanceof CacheFsError)) throw e;
      cacheFailure ??= e;
      const message = messageOf(e);
      emit({ type: 'node-failed', id: node.id, label: node.label, message: message.text });
      outcomes.push({ ...base, key, status: 'failed', seconds: 0, error: message.text, internal: false });
      status.set(node.id, 'failed');
    } finally {
      lock?.release();
    }
  };
  try {
    await scheduler.runAll(graph, runNode, (id) => artifacts.get(id));
  } finally {
    await scheduler.dispose();
  }
  const order = new Map(graph.nodes.map((n, i) => [n.id, i]));
  outcomes.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { outcomes, keys, artifacts, scheduling: scheduler.describe(), ...(cacheFailure ? { cacheFailure } : {}) };
}

/** User mistakes print their message; anything else is a bug and keeps its stack. */
function messageOf(e: Error): { text: string; internal: boolean } {
  if (e instanceof UserError) return { text: e.options.hint ? `${e.message}\nhint: ${e.options.hint}` : e.message, internal: false };
  return { text: `internal error: ${e.stack ?? e.message}`, internal: true };
}
