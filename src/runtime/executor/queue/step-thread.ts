import { parentPort } from 'node:worker_threads';
import type { GraphNode } from '../../../contract/graph.js';
import { UserError } from '../../../core/errors.js';
import { ArtifactStore, type Artifact } from '../../cache/artifact-store.js';
import type { ExecutorEvent } from '../../events.js';
import { RuntimeServices, type RuntimeOptions } from '../services.js';
import { STEPS } from '../steps.js';
import type { QueuedStep } from './queued-step.js';

/**
 * The thread in which an `expc worker` computes one step at a time. Training and ranking keep
 * the thread they run on busy for whole epochs (the fused kernels run on their calling thread
 * when threads = 1), so they run here and never on the worker's main thread: that one only talks
 * to Redis, and BullMQ's lock renewals for the job never wait behind an epoch.
 */
export type ThreadRequest = { type: 'run'; step: QueuedStep; runtime: RuntimeOptions; cacheDir: string };
export type ThreadReply =
  | { type: 'event'; event: ExecutorEvent }
  | { type: 'done'; seconds: number; summary?: string }
  /** `user`: a mistake in the experiment (bad data, divergence): not retried. */
  | { type: 'failed'; message: string; user: boolean };

/** A missing input is the queue's problem (it arrived before its producer finished): retried. */
export class InputNotReady extends Error {}

const services = new Map<string, RuntimeServices>();

function servicesFor(runtime: RuntimeOptions): RuntimeServices {
  // One set of services (tfjs backend, kernel pool, ranker) per option set, reused across jobs.
  const id = JSON.stringify(runtime);
  let s = services.get(id);
  if (!s) services.set(id, (s = new RuntimeServices(runtime)));
  return s;
}

async function runStep(request: Extract<ThreadRequest, { type: 'run' }>, post: (r: ThreadReply) => void): Promise<void> {
  const { step, cacheDir } = request;
  const emit = (event: ExecutorEvent) => post({ type: 'event', event });
  const store = new ArtifactStore(cacheDir, (m) => emit({ type: 'log', level: 'warn', id: step.node.id, message: m }));
  const inputs = new Map<string, Artifact>();
  step.node.inputs.forEach((id, i) => {
    const key = step.inputKeys[i]!;
    const a = store.get(key);
    if (!a) throw new InputNotReady(`input ${id} (key ${key.slice(0, 12)}) is not in the store ${cacheDir} yet`);
    inputs.set(id, a);
  });
  const node: GraphNode = { ...step.node };
  const t0 = performance.now();
  const impl = STEPS[node.kind];
  const content = await impl.run({ node, key: step.key, inputs, services: servicesFor({ ...request.runtime, engine: step.engine, backend: step.backend }), store, emit, forced: step.force });
  const artifact = store.put(step.key, node.kind, node.id, content, { replace: step.force });
  post({ type: 'done', seconds: (performance.now() - t0) / 1000, summary: impl.summarize?.({ files: content.files, meta: artifact.meta }) });
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (request: ThreadRequest) => {
    runStep(request, (r) => port.postMessage(r)).catch((e: Error) => {
      const user = e instanceof UserError;
      const message = user ? ((e as UserError).options.hint ? `${e.message}\nhint: ${(e as UserError).options.hint}` : e.message) : e instanceof InputNotReady ? e.message : `${e.stack ?? e.message}`;
      port.postMessage({ type: 'failed', message, user } satisfies ThreadReply);
    });
  });
}
