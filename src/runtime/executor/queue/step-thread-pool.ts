import { Worker } from 'node:worker_threads';
import type { ExecutorEvent } from '../../events.js';
import type { RuntimeOptions } from '../services.js';
import type { QueuedStep } from './queued-step.js';
import type { ThreadReply, ThreadRequest } from './step-thread.js';

const THREAD_URL = new URL('./step-thread.js', import.meta.url);

/** A step that failed because of the experiment (not retried), as opposed to the infrastructure. */
export class StepUserError extends Error {}

export interface RunningStep {
  done: Promise<{ seconds: number; summary?: string }>;
  /** Stops the computation at once (the thread is discarded); `done` rejects with `why`. */
  abort(why: Error): void;
}

/**
 * `size` step threads, one job each at a time; a thread is reused across jobs (its tfjs backend
 * and kernels stay initialised) and replaced when it is aborted or dies.
 */
export class StepThreadPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();

  constructor(
    private readonly runtime: RuntimeOptions,
    private readonly cacheDir: string,
  ) {}

  run(step: QueuedStep, onEvent: (e: ExecutorEvent) => void): RunningStep {
    const thread = this.idle.pop() ?? this.spawn();
    let settle!: { resolve: (v: { seconds: number; summary?: string }) => void; reject: (e: Error) => void };
    const done = new Promise<{ seconds: number; summary?: string }>((resolve, reject) => (settle = { resolve, reject }));
    let finished = false;
    const finish = (keep: boolean) => {
      finished = true;
      thread.off('message', onMessage);
      thread.off('error', onError);
      thread.off('exit', onExit);
      if (keep) this.idle.push(thread);
      else this.discard(thread);
    };
    const onMessage = (r: ThreadReply) => {
      if (r.type === 'event') return onEvent(r.event);
      finish(true);
      if (r.type === 'done') settle.resolve({ seconds: r.seconds, ...(r.summary !== undefined ? { summary: r.summary } : {}) });
      else settle.reject(r.user ? new StepUserError(r.message) : new Error(r.message));
    };
    const onError = (e: Error) => {
      if (finished) return;
      finish(false);
      settle.reject(new Error(`the step thread crashed: ${e.message}`));
    };
    const onExit = (code: number) => onError(new Error(`exited with code ${code}`));
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.on('exit', onExit);
    thread.postMessage({ type: 'run', step, runtime: this.runtime, cacheDir: this.cacheDir } satisfies ThreadRequest);
    return {
      done,
      abort: (why) => {
        if (finished) return;
        finish(false);
        settle.reject(why);
      },
    };
  }

  private spawn(): Worker {
    const w = new Worker(THREAD_URL);
    this.all.add(w);
    return w;
  }

  private discard(w: Worker): void {
    this.all.delete(w);
    void w.terminate().catch(() => {});
  }

  async close(): Promise<void> {
    const threads = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(threads.map((w) => w.terminate().catch(() => 0)));
  }
}
