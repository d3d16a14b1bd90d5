import { Worker } from 'node:worker_threads';
import { InternalError } from '../../core/errors.js';
import { assertKernelLayout, instantiateKernels, loadKernelModule, type KernelExports, type ParallelKernel } from './kernel-module.js';
import { CMD_EXIT, CMD_KERNELS, Ctl, type WorkerData } from './kernel-protocol.js';

const PAGE = 65536;
/** The module's declared maximum (scripts/build.mjs: --maximumMemory 65536 pages = 4 GiB). */
const MAX_PAGES = 65536;
const WORKER_URL = new URL('./kernel-worker.js', import.meta.url);

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * One shared WebAssembly.Memory with the kernels instantiated on it, a bump allocator for the
 * buffers that the glue lays out, and `threads` compute threads. With one thread, kernels run
 * on the calling thread; with more, on that many workers, which sleep on a control word between
 * commands (the calling thread only awaits, so the event loop stays free).
 */
export class KernelPool {
  readonly kernels: KernelExports;
  private top: number;
  private readonly ctlOffset: number;
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private broken: string | null = null;
  private disposed = false;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly module: WebAssembly.Module,
    readonly build: string,
    readonly threads: number,
  ) {
    this.kernels = instantiateKernels(module, memory);
    assertKernelLayout(this.kernels);
    this.top = align(this.kernels.heapBase(), 64);
    this.ctlOffset = this.alloc(Ctl.length * 4);
    this.ctl = new Int32Array(memory.buffer, this.ctlOffset, Ctl.length);
  }

  /** A pool of `threads` compute threads; `bytes` is a hint of the memory it will need. */
  static async create(threads: number, bytes = 0, maxBytes = MAX_PAGES * PAGE): Promise<KernelPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new InternalError(`KernelPool: threads must be an integer >= 1, got ${threads}`);
    const { module, build } = await loadKernelModule();
    const initial = Math.max(17, Math.ceil((bytes + 2 * PAGE) / PAGE));
    const maximum = Math.min(MAX_PAGES, Math.max(initial, Math.ceil(maxBytes / PAGE)));
    const memory = new WebAssembly.Memory({ initial, maximum, shared: true });
    const pool = new KernelPool(memory, module, build, threads);
    if (threads > 1) await pool.startWorkers();
    return pool;
  }

  private async startWorkers(): Promise<void> {
    const started: Promise<void>[] = [];
    for (let tid = 0; tid < this.threads; tid++) {
      const data: WorkerData = { module: this.module, memory: this.memory, ctlOffset: this.ctlOffset, generation: Atomics.load(this.ctl, Ctl.gen), tid, threads: this.threads };
      const w = new Worker(WORKER_URL, { workerData: data });
      this.workers.push(w);
      // Idle workers never keep the process alive; starting and commands in flight ref them.
      started.push(
        new Promise<void>((resolve, reject) => {
          w.once('online', () => {
            w.unref();
            resolve();
          });
          w.once('error', (e) => reject(new InternalError(`kernel worker ${tid} failed to start: ${e.message}`)));
          w.once('exit', (code) => reject(new InternalError(`kernel worker ${tid} exited while starting (code ${code})`)));
        }),
      );
      w.on('error', (e) => this.fail(`kernel worker ${tid} failed: ${e.stack ?? e.message}`));
      w.on('exit', (code) => {
        if (!this.disposed) this.fail(`kernel worker ${tid} exited (code ${code})`);
      });
    }
    try {
      await Promise.all(started);
    } catch (e) {
      this.disposed = true;
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers.length = 0;
      throw e;
    }
  }

  private failure?: (reason: string) => void;

  private fail(reason: string): void {
    if (this.broken) return;
    this.broken = reason;
    this.failure?.(reason);
    for (const w of this.workers) void w.terminate();
  }

  /** Reserves `bytes`, zeroed (aligned to 64, so that threads' buffers never share a cache line); grows the memory. */
  alloc(bytes: number, alignment = 64): number {
    const start = align(this.top, alignment);
    const end = start + align(Math.max(bytes, 0), 16);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new InternalError(`KernelPool: cannot grow the kernel memory to ${end} bytes: ${(e as Error).message}`);
      }
    }
    this.top = end;
    new Uint8Array(this.memory.buffer, start, end - start).fill(0);
    return start;
  }

  /** The allocation mark, to free everything allocated after it with release(). */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** Fresh views: the memory's buffer object changes when it grows. */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** Runs kernel(tid, threads, arg) on every thread and resolves when all have returned. Calls are serialised. */
  run(kernel: ParallelKernel, arg: number): Promise<void> {
    const next = this.queue.then(() => this.runNow(kernel, arg));
    this.queue = next.catch(() => {});
    return next;
  }

  private runNow(kernel: ParallelKernel, arg: number): Promise<void> {
    if (this.disposed) return Promise.reject(new InternalError('KernelPool: used after dispose()'));
    if (this.broken) return Promise.reject(new InternalError(this.broken));
    if (this.threads === 1) {
      this.kernels[kernel](0, 1, arg);
      return Promise.resolve();
    }
    const cmd = CMD_KERNELS.indexOf(kernel);
    return new Promise<void>((resolve, reject) => {
      let pending = this.workers.length;
      const gen = Atomics.load(this.ctl, Ctl.gen) + 1;
      const cleanup = () => {
        for (const w of this.workers) {
          w.off('message', onMessage);
          w.unref();
        }
        this.failure = undefined;
      };
      const onMessage = (msg: { gen: number; error?: string }) => {
        if (msg.gen !== gen) return;
        if (msg.error !== undefined) {
          cleanup();
          this.fail(`kernel ${kernel} failed in a worker: ${msg.error}`);
          reject(new InternalError(this.broken!));
          return;
        }
        if (--pending === 0) {
          cleanup();
          resolve();
        }
      };
      this.failure = (reason) => {
        cleanup();
        reject(new InternalError(reason));
      };
      for (const w of this.workers) {
        w.ref();
        w.on('message', onMessage);
      }
      Atomics.store(this.ctl, Ctl.cmd, cmd);
      Atomics.store(this.ctl, Ctl.arg, arg);
      Atomics.store(this.ctl, Ctl.gen, gen);
      Atomics.notify(this.ctl, Ctl.gen);
    });
  }

  /** Stops the workers (they leave their loop and exit) and waits until they are gone. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.queue;
    this.disposed = true;
    if (this.workers.length === 0) return;
    const exited = this.workers.map((w) => {
      w.ref();
      return new Promise<void>((resolve) => (w.threadId < 0 ? resolve() : w.once('exit', () => resolve())));
    });
    if (!this.broken) {
      Atomics.store(this.ctl, Ctl.cmd, CMD_EXIT);
      Atomics.add(this.ctl, Ctl.gen, 1);
      Atomics.notify(this.ctl, Ctl.gen);
    } else for (const w of this.workers) void w.terminate();
    await Promise.all(exited);
    this.workers.length = 0;
  }

  /** Live worker threads (0 after dispose). */
  get liveWorkers(): number {
    return this.workers.length;
  }
}
