import { hostname } from 'node:os';
import { FlowProducer, Queue, QueueEvents, type FlowJob, type Job } from 'bullmq';
import type { ExecutionGraph, GraphNode } from '../../../contract/graph.js';
import type { JsonObject } from '../../../core/json.js';
import type { Artifact } from '../../cache/artifact-store.js';
import { executeGraph, type ExecuteOptions, type ExecutionResult, type NodeOutcome, type NodeStatus } from '../execute-graph.js';
import type { Executor } from '../executor.js';
import { graphKeys } from '../graph-keys.js';
import { QUEUE_NAME, queueConnection, REMOTE_KINDS, rootJobId, stepJobId, type QueuedStep, type StepProgress, type StepReturn, type SweepData } from './queued-step.js';
import { cancelSweep } from './queue-admin.js';

export interface QueueExecutorOptions {
  url: string;
  /** Ctrl-C leaves the jobs running (true) or cancels them (false). */
  detach: boolean;
  /** The submission's id (default: time and pid); names every job of it. */
  sweep?: string;
  /** How often the queue is looked at for finished and lost jobs. */
  pollMs?: number;
  /** Retries of a job that failed for a reason other than the experiment (a dead thread, a missing input). */
  attempts?: number;
  backoffMs?: number;
}

/** One unit of remote work: every graph node with this key (a sweep point equal to a run shares it). */
interface Pending {
  key: string;
  nodes: GraphNode[];
  jobId: string;
  startedOn: string | null;
  worker: string | null;
  done: boolean;
}

/**
 * The queue executor: every train and evaluate step becomes a BullMQ job, the sweep a flow
 * (root: the sweep; children: one evaluate per trial; grandchildren: its train), and workers
 * compute them against the shared store. This process stays the source of truth: it polls the
 * store and the queue until every step is settled, and resubmits steps whose jobs were lost
 * (a Redis restarted without persistence), which is safe because steps are idempotent by key.
 */
export function queueExecutor(o: QueueExecutorOptions): Executor & { readonly sweep: string } {
  const sweep = o.sweep ?? `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}`;
  const pollMs = o.pollMs ?? 300;
  let interrupt: (() => Promise<string>) | undefined;
  return {
    name: 'queue',
    sweep,
    describe: () => ({ executor: 'queue', queue: o.url.replace(/\/\/[^@/]*@/, '//***@'), sweep }),
    interrupt: () => (interrupt ? interrupt() : Promise.resolve('')),
    async execute(graph: ExecutionGraph, options: ExecuteOptions): Promise<ExecutionResult> {
      const { store, emit } = options;
      // Sources and splits here: they are cheap, and the workers find them in the shared store.
      const localIds = graph.nodes.filter((n) => !REMOTE_KINDS.has(n.kind)).map((n) => n.id);
      const local = await executeGraph(graph.restrictTo(localIds), options);
      const { keys } = await graphKeys(graph, options.services);
      for (const [id, k] of local.keys) keys.set(id, k);
      const status = new Map<string, NodeStatus>(local.outcomes.map((x) => [x.id, x.status]));
      const outcomes = new Map<string, NodeOutcome>(local.outcomes.map((x) => [x.id, x]));
      const artifacts = new Map<string, Artifact>(local.artifacts);
      const force = options.force ?? false;
      const forced = (n: GraphNode) => (typeof force === 'function' ? force(n) : force);

      const pending = new Map<string, Pending>();
      for (const node of graph.nodes) {
        if (!REMOTE_KINDS.has(node.kind)) continue;
        const base = { id: node.id, kind: node.kind, label: node.label };
        const bad = node.inputs.find((i) => status.get(i) === 'failed' || status.get(i) === 'skipped');
        if (bad || local.cacheFailure) {
          const because = bad ? `${graph.node(bad).label} ${status.get(bad) === 'failed' ? 'failed' : 'was skipped'}` : `the cache cannot be written (${local.cacheFailure!.code})`;
          emit({ type: 'node-skipped', id: node.id, label: node.label, because });
          outcomes.set(node.id, { ...base, key: keys.get(node.id)?.key ?? null, status: 'skipped', seconds: 0, error: because });
          status.set(node.id, 'skipped');
          continue;
        }
        const key = keys.get(node.id)!.key;
        const cached = forced(node) ? null : store.get(key);
        if (cached) {
          artifacts.set(node.id, cached);
          emit({ type: 'node-cached', id: node.id, label: node.label, key });
          outcomes.set(node.id, { ...base, key, status: 'cached', seconds: 0, meta: cached.meta });
          status.set(node.id, 'cached');
          continue;
        }
        const p = pending.get(key);
        if (p) p.nodes.push(node);
        else pending.set(key, { key, nodes: [node], jobId: '', startedOn: null, worker: null, done: false });
        status.set(node.id, 'ran'); // provisional: inputs of later nodes are "not failed" until told otherwise
      }
      if (pending.size === 0) return finish();

      const connection = queueConnection(o.url);
      const queue = new Queue(QUEUE_NAME, { connection });
      const flows = new FlowProducer({ connection });
      const events = new QueueEvents(QUEUE_NAME, { connection });
      let redisDown = '';
      const onRedisError = (e: Error) => {
        if (redisDown !== e.message) emit({ type: 'log', level: 'warn', message: `queue ${o.url}: ${e.message}; waiting for it to come back` });
        redisDown = e.message;
      };
      queue.on('error', onRedisError);
      flows.on('error', onRedisError);
      events.on('error', onRedisError);
      const byJob = new Map<string, Pending>();
      let generation = 0;
      const stepOf = (p: Pending, rootId: string): QueuedStep => {
        const n = p.nodes[0]!;
        return {
          sweep,
          rootId,
          key: p.key,
          node: { id: n.id, kind: n.kind as 'train' | 'evaluate', label: n.label, params: n.params, inputs: n.inputs, dataset: n.dataset, ...(n.trial ? { trial: n.trial } : {}), ...(n.run ? { run: n.run } : {}) },
          inputKeys: n.inputs.map((i) => keys.get(i)!.key),
          engine: options.services.options.engine,
          backend: options.services.options.backend,
          force: forced(n),
        };
      };
      /** One flow for the given steps: evaluate jobs under the root, each with its train job as child. */
      const submit = async (steps: Pending[]) => {
        const g = generation++;
        const rootId = rootJobId(sweep, g);
        const retry = { attempts: o.attempts ?? 5, backoff: { type: 'exponential', delay: o.backoffMs ?? 1000 }, removeOnComplete: { age: 86400 }, removeOnFail: { age: 7 * 86400 } };
        const job = (p: Pending, opts: object, children?: FlowJob[]): FlowJob => {
          p.jobId = stepJobId(sweep, g, p.nodes[0]!.kind, p.key);
          byJob.set(p.jobId, p);
          return { name: p.nodes[0]!.kind, queueName: QUEUE_NAME, data: stepOf(p, rootId), opts: { ...retry, ...opts, jobId: p.jobId }, ...(children?.length ? { children } : {}) };
        };
        const claimed = new Set<Pending>();
        const children: FlowJob[] = [];
        for (const p of steps.filter((s) => s.nodes[0]!.kind === 'evaluate')) {
          const trains = p.nodes[0]!.inputs.map((i) => pending.get(keys.get(i)!.key)).filter((t): t is Pending => t !== undefined && steps.includes(t) && !claimed.has(t));
          trains.forEach((t) => claimed.add(t));
          // A failed train fails its evaluate (failParentOnFailure); the sweep goes on without that trial.
          children.push(job(p, { ignoreDependencyOnFailure: true }, trains.map((t) => job(t, { failParentOnFailure: true }))));
        }
        for (const t of steps.filter((s) => s.nodes[0]!.kind === 'train' && !claimed.has(s))) children.push(job(t, { ignoreDependencyOnFailure: true }));
        const data: SweepData = { sweep, experiment: graph.experiment, submittedBy: `${hostname()}:${process.pid}`, submitted: new Date().toISOString(), steps: steps.length };
        await flows.add({ name: 'sweep', queueName: QUEUE_NAME, data, opts: { jobId: rootId, removeOnComplete: { age: 86400 }, removeOnFail: { age: 7 * 86400 } }, children });
        return rootId;
      };

      const label = (p: Pending) => p.nodes.map((n) => n.label).join(' = ');
      events.on('progress', ({ jobId, data }) => {
        const p = byJob.get(jobId);
        const pr = data as unknown as StepProgress;
        if (!p || p.done || typeof pr?.epoch !== 'number') return;
        if (p.worker !== pr.worker) {
          p.worker = pr.worker;
          emit({ type: 'log', level: 'info', id: p.nodes[0]!.id, message: `${label(p)}: on worker ${pr.worker}` });
        }
        for (const n of p.nodes) emit({ type: 'epoch', id: n.id, epoch: pr.epoch, epochs: pr.epochs, loss: pr.loss, seconds: pr.seconds ?? 0, ...(pr.metric ? { metric: { ...pr.metric } } : {}) });
      });
      await submit([...pending.values()]);
      emit({ type: 'log', level: 'info', message: `queued ${pending.size} step(s) on ${o.url} as sweep ${sweep}; ${o.detach ? 'Ctrl-C leaves them running' : 'Ctrl-C cancels them'} (expc queue status|cancel ${sweep})` });
      interrupt = async () => {
        if (o.detach) return `the queued steps keep running on the workers: \`expc queue status ${sweep} --queue ${o.url}\`, or \`expc queue cancel ${sweep}\``;
        const n = await cancelSweep(queue, sweep);
        return `cancelled sweep ${sweep} (${n} job(s) removed or stopped); finished steps are in the store`;
      };

      try {
        while ([...pending.values()].some((p) => !p.done)) {
          await new Promise((r) => setTimeout(r, pollMs));
          const lost: Pending[] = [];
          // One round trip for all of them (ioredis pipelines concurrent commands), not one per step.
          const open = [...pending.values()].filter((p) => !p.done);
          const jobs = await Promise.all(open.map((p) => queue.getJob(p.jobId)));
          redisDown = '';
          for (const [i, p] of open.entries()) {
            if (p.done) continue;
            const job = jobs[i];
            if (job && !p.startedOn && job.processedOn) {
              p.startedOn = new Date(job.processedOn).toISOString();
              for (const n of p.nodes) emit({ type: 'node-start', id: n.id, label: n.label });
            }
            if (job?.finishedOn && job.returnvalue) settle(p, job, graph);
            else if (job?.finishedOn && job.failedReason) settle(p, job, graph);
            // Its key in the store settles it even when Redis forgot the job (restarted without persistence).
            else if (!forced(p.nodes[0]!) && store.has(p.key) && !job) settle(p, undefined, graph);
            else if (!job) lost.push(p);
          }
          const live = lost.filter((p) => !p.done);
          if (live.length) {
            emit({ type: 'log', level: 'warn', message: `the queue lost ${live.length} job(s) of sweep ${sweep} (Redis restarted?); submitting them again` });
            await submit(live);
          }
        }
      } finally {
        interrupt = undefined;
        await Promise.allSettled([events.close(), flows.close(), queue.close()]);
      }
      return finish();

      function settle(p: Pending, job: Job | undefined, g: ExecutionGraph): void {
        p.done = true;
        const ret = job?.returnvalue as StepReturn | undefined;
        if (job && !ret) {
          const message = job.failedReason;
          // A train that failed makes its evaluate fail with BullMQ's "child ... failed": say that it was skipped.
          const failedInput = p.nodes[0]!.inputs.find((i) => status.get(i) === 'failed' || status.get(i) === 'skipped');
          for (const n of p.nodes) {
            const base = { id: n.id, kind: n.kind, label: n.label, key: p.key, seconds: 0 };
            if (failedInput) {
              const because = `${g.node(failedInput).label} failed`;
              emit({ type: 'node-skipped', id: n.id, label: n.label, because });
              outcomes.set(n.id, { ...base, status: 'skipped', error: because });
              status.set(n.id, 'skipped');
            } else {
              emit({ type: 'node-failed', id: n.id, label: n.label, message });
              outcomes.set(n.id, { ...base, status: 'failed', error: job.attemptsMade > 1 ? `${message} (after ${job.attemptsMade} attempts)` : message, internal: false });
              status.set(n.id, 'failed');
            }
          }
          return;
        }
        const artifact = store.get(p.key);
        for (const n of p.nodes) {
          const base = { id: n.id, kind: n.kind, label: n.label, key: p.key };
          if (!artifact) {
            const message = `the worker reported ${n.label} done, but its key ${p.key.slice(0, 12)} is not in this store (${store.root}): do the workers use the same --cache-dir?`;
            emit({ type: 'node-failed', id: n.id, label: n.label, message });
            outcomes.set(n.id, { ...base, status: 'failed', seconds: 0, error: message, internal: false });
            status.set(n.id, 'failed');
            continue;
          }
          artifacts.set(n.id, artifact);
          const seconds = ret?.seconds ?? 0;
          const meta: JsonObject = { ...artifact.meta, worker: ret?.worker ?? p.worker ?? null };
          const st: NodeStatus = ret?.status === 'cached' ? 'cached' : 'ran';
          if (st === 'cached') emit({ type: 'node-cached', id: n.id, label: n.label, key: p.key });
          else emit({ type: 'node-done', id: n.id, label: n.label, key: p.key, seconds, ...(ret?.summary ? { summary: `${ret.summary} [${ret.worker}]` } : {}) });
          outcomes.set(n.id, { ...base, status: st, seconds, meta });
          status.set(n.id, st);
        }
      }

      function finish(): ExecutionResult {
        const ordered = graph.nodes.map((n) => outcomes.get(n.id)).filter((x): x is NodeOutcome => x !== undefined);
        return { outcomes: ordered, keys, artifacts, scheduling: { setting: 'queue', reason: 'train and evaluate steps ran as BullMQ jobs on the workers' }, ...(local.cacheFailure ? { cacheFailure: local.cacheFailure } : {}) };
      }
    },
  };
}
