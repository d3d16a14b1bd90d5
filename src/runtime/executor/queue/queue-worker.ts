import { hostname } from 'node:os';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { localStore, sharedStore } from '../../cache/store-location.js';
import type { RuntimeOptions } from '../services.js';
import { QUEUE_NAME, queueConnection, type QueuedStep, type StepProgress, type StepReturn, type SweepData } from './queued-step.js';
import { StepThreadPool, StepUserError, type RunningStep } from './step-thread-pool.js';

export interface WorkerOptions {
  url: string;
  cacheDir: string;
  /** The cache folder is mounted by several machines (checked for atomic renames; locks judged by heartbeat). */
  shared?: boolean;
  /** Jobs at once (each in its own step thread). */
  concurrency: number;
  runtime: RuntimeOptions;
  /** BullMQ's job lock: a worker silent for this long is presumed dead and its job is re-run elsewhere. */
  lockMs: number;
  /** Printed lines: what the worker does, one per job and state change. */
  log: (line: string) => void;
  name?: string;
}

export interface RunningWorker {
  name: string;
  /** Resolves once the worker has stopped. */
  closed: Promise<void>;
  /**
   * First call: take no new job, finish the current ones, then stop. Second call: hand the
   * current jobs back to the queue at once (another worker resumes them from their checkpoints).
   */
  stop(): void;
}

/** How often a running job looks at its sweep's cancellation flag, and sends progress at most. */
const POLL_MS = 500;

/**
 * `expc worker`: takes train/evaluate jobs from the queue and computes them in step threads,
 * reading inputs from and writing outputs to the shared store. At-least-once delivery is made
 * exactly-once in effect by the content key: a key already in the store finishes at once, and
 * the store's per-key lock makes two workers given the same key compute it once.
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const connection = queueConnection(o.url);
  const location = o.shared ? sharedStore(o.cacheDir) : localStore(o.cacheDir);
  const store = location.open((m) => o.log(`warning: ${m}`));
  store.checkRoot();
  const locks = location.locks();
  const pool = new StepThreadPool(o.runtime, o.cacheDir);
  const queue = new Queue(QUEUE_NAME, { connection });
  const running = new Map<string, { step: RunningStep; job: Job; token: string }>();
  let handBack = false;
  const reportError = throttled(o.log);
  queue.on('error', (e) => reportError(`redis: ${e.message}`));

  const processor = async (job: Job, token?: string): Promise<unknown> => {
    if (job.name === 'sweep') {
      const counts = await job.getDependenciesCount();
      return { ...counts };
    }
    const step = job.data as QueuedStep;
    const tag = `${step.node.label} (${step.key.slice(0, 12)})`;
    if (await isCancelled(queue, step)) throw new UnrecoverableError('cancelled (expc queue cancel, or Ctrl-C in the submitting expc run)');
    const t0 = performance.now();
    const cachedReturn = (): StepReturn => ({ status: 'cached', worker: name, seconds: (performance.now() - t0) / 1000 });
    if (!step.force && store.has(step.key) && store.get(step.key)) {
      o.log(`${tag}: already in the store`);
      return cachedReturn();
    }
    // Another worker (or an `expc run` on the same store) may be computing this key: wait, then reuse.
    const lock = await locks.acquire(step.key, (owner) => o.log(`${tag}: waiting for ${owner ? `pid ${owner.pid} on ${owner.host}` : 'another process'}, which computes this key`));
    try {
      if (!step.force && store.get(step.key)) {
        o.log(`${tag}: computed by another worker meanwhile`);
        return cachedReturn();
      }
      o.log(`${tag}: started (attempt ${job.attemptsMade + 1})`);
      let last: StepProgress | null = null;
      let sent = 0;
      const send = (force: boolean) => {
        if (!last || (!force && performance.now() - sent < POLL_MS)) return;
        sent = performance.now();
        job.updateProgress({ ...last }).catch(() => {}); // progress is best effort; Redis may be away
      };
      const run = pool.run(step, (e) => {
        if (e.type === 'epoch') {
          last = { worker: name, epoch: e.epoch, epochs: e.epochs, loss: e.loss, seconds: e.seconds, ...(e.metric ? { metric: { ...e.metric } } : {}) };
          send(e.epoch === e.epochs);
        } else if (e.type === 'log') o.log(`${tag}: ${e.message}`);
      });
      running.set(job.id!, { step: run, job, token: token ?? '' });
      const watch = setInterval(() => {
        send(false);
        isCancelled(queue, step).then(
          (c) => c && run.abort(new UnrecoverableError('cancelled (expc queue cancel, or Ctrl-C in the submitting expc run)')),
          () => {},
        );
      }, POLL_MS);
      try {
        const r = await run.done;
        send(true);
        o.log(`${tag}: done in ${r.seconds.toFixed(2)} s${r.summary ? `: ${r.summary}` : ''}`);
        return { status: 'ran', worker: name, seconds: r.seconds, ...(r.summary !== undefined ? { summary: r.summary } : {}) } satisfies StepReturn;
      } catch (e) {
        if (e instanceof HandBack) {
          // Back to the queue now, not after the lock expires; the next worker resumes from the checkpoint.
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        o.log(`${tag}: failed: ${(e as Error).message.split('\n')[0]}`);
        // A mistake in the experiment fails the trial at once; anything else is retried with backoff.
        if (e instanceof StepUserError) throw new UnrecoverableError(e.message);
        throw e;
      } finally {
        clearInterval(watch);
        running.delete(job.id!);
      }
    } finally {
      lock.release();
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    // A job whose worker died is re-run elsewhere; only a job that kills workers repeatedly fails.
    maxStalledCount: 3,
    name,
  });
  worker.on('error', (e) => reportError(`redis: ${e.message}`));
  worker.on('stalled', (id) => o.log(`job ${id} stalled (its worker stopped answering); it is queued again`));
  let stopping = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const shutdown = async () => {
    await worker.close();
    await pool.close();
    await queue.close().catch(() => {});
    resolveClosed();
  };
  o.log(`expc worker ${name}: queue ${o.url}, ${location.kind} store ${o.cacheDir}, ${o.concurrency} job(s) at once, ${o.runtime.threads} kernel thread(s) each`);
  return {
    name,
    closed,
    stop() {
      stopping++;
      if (stopping === 1) {
        o.log(running.size ? `stopping after the current job(s) (${running.size}); signal again to hand them back to the queue now` : 'stopping');
        void shutdown();
      } else if (!handBack) {
        handBack = true;
        o.log(`handing ${running.size} job(s) back to the queue`);
        for (const r of running.values()) r.step.abort(new HandBack());
      }
    },
  };
}

class HandBack extends Error {}

async function isCancelled(queue: Queue, step: QueuedStep): Promise<boolean> {
  const root = await queue.getJob(step.rootId);
  return (root?.data as SweepData | undefined)?.cancelled === true;
}

/** Redis errors repeat many times a second while it is away: say each distinct one every 5 s at most. */
function throttled(log: (line: string) => void): (line: string) => void {
  const last = new Map<string, number>();
  return (line) => {
    const now = Date.now();
    if (now - (last.get(line) ?? 0) < 5000) return;
    last.set(line, now);
    log(line);
  };
}
