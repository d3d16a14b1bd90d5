// A trial worker of the local scheduler (parallel-trials.ts): trains one trial at a time with its
// own RuntimeServices (tfjs backend, kernel pool and ranker with its share of the threads) and
// returns the step's content; the calling thread stores it, so locks and the store stay there.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { GraphNode } from '../../contract/graph.js';
import { UserError } from '../../core/errors.js';
import type { Json } from '../../core/json.js';
import { Artifact, ArtifactStore, type ArtifactContent, type Manifest } from '../cache/artifact-store.js';
import { CacheFsError } from '../cache/cache-fs-error.js';
import type { ExecutorEvent } from '../events.js';
import { RuntimeServices, type RuntimeOptions } from './services.js';
import { STEPS } from './steps.js';

/** A validated artifact as it crosses threads (structured clone): the reader re-hashes nothing. */
export interface WireArtifact {
  dir: string;
  manifest: Manifest;
  files: [string, Uint8Array][];
}

export interface TrialJob {
  job: number;
  node: GraphNode;
  key: string;
  inputs: [string, WireArtifact][];
  storeRoot: string;
  forced: boolean;
  external: Json;
}

export interface WireError {
  kind: 'user' | 'cache' | 'internal';
  message: string;
  hint?: string;
  exitCode?: number;
  path?: string;
  code?: string;
  stack?: string;
}

export type TrialReply = { type: 'event'; job: number; event: ExecutorEvent } | { type: 'done'; job: number; content: ArtifactContent } | { type: 'error'; job: number; error: WireError };

function wireError(e: unknown): WireError {
  if (e instanceof CacheFsError) return { kind: 'cache', message: e.message, path: e.path, code: e.code, ...(e.options.hint !== undefined ? { hint: e.options.hint } : {}) };
  if (e instanceof UserError) return { kind: 'user', message: e.message, ...(e.options.hint !== undefined ? { hint: e.options.hint } : {}), exitCode: e.exitCode };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'internal', message: err.message, stack: err.stack ?? err.message };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const services = new RuntimeServices((workerData as { options: RuntimeOptions }).options);
  port.on('message', async (job: TrialJob) => {
    const emit = (event: ExecutorEvent) => port.postMessage({ type: 'event', job: job.job, event } satisfies TrialReply);
    try {
      const inputs = new Map(job.inputs.map(([id, a]) => [id, new Artifact(a.dir, a.manifest, new Map(a.files))]));
      const store = new ArtifactStore(job.storeRoot, (message) => emit({ type: 'log', level: 'warn', message, id: job.node.id }));
      const step = STEPS[job.node.kind];
      const content = await step.run({ node: job.node, key: job.key, inputs, services, store, emit, forced: job.forced, external: job.external });
      port.postMessage({ type: 'done', job: job.job, content } satisfies TrialReply);
    } catch (e) {
      port.postMessage({ type: 'error', job: job.job, error: wireError(e) } satisfies TrialReply);
    }
  });
}
