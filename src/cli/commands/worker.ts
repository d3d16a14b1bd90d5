import { UsageError } from '../../core/errors.js';
import type { RuntimeOptions } from '../../runtime/executor/services.js';
import { startWorker } from '../../runtime/executor/queue/queue-worker.js';

export interface WorkerCommandOptions {
  queue: string;
  cacheDir: string;
  concurrency: number;
  shared: boolean;
  runtime: RuntimeOptions;
  name?: string;
  out: (text: string) => void;
}

/**
 * `expc worker --queue redis://...`: computes train/evaluate jobs until SIGINT/SIGTERM. The
 * first signal finishes the current job(s) and stops; a second hands them back to the queue.
 */
export async function worker(o: WorkerCommandOptions): Promise<void> {
  const w = await startWorker({ url: o.queue, cacheDir: o.cacheDir, shared: o.shared, concurrency: o.concurrency, runtime: o.runtime, lockMs: lockMs(), log: (l) => o.out(`${new Date().toISOString().slice(11, 19)} ${l}`), ...(o.name ? { name: o.name } : {}) });
  const onSignal = () => w.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await w.closed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  o.out(`expc worker ${w.name}: stopped`);
}

/** BullMQ's job lock (ms): $EXPC_QUEUE_LOCK_SECONDS (default 30) lets tests detect a dead worker sooner. */
function lockMs(): number {
  const v = process.env['EXPC_QUEUE_LOCK_SECONDS'];
  if (v === undefined || v === '') return 30_000;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.5) throw new UsageError(`EXPC_QUEUE_LOCK_SECONDS must be a number of seconds >= 0.5, got '${v}'`);
  return Math.round(n * 1000);
}
