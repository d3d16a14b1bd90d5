import type { ParallelKernel } from './kernel-module.js';

/** Slots of the Int32Array control block that a pool shares with its workers. */
export const Ctl = { gen: 0, cmd: 1, arg: 2, length: 16 } as const;

export const CMD_EXIT = 0;
/** Command number -> parallel kernel (0 is exit). */
export const CMD_KERNELS: readonly (ParallelKernel | undefined)[] = [undefined, 'trainRun', 'rankRun', 'propagateRun', 'gemmRankRun', 'gemmRun', 'softmaxRowsRun', 'adamDenseRun'];

export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block in memory. */
  ctlOffset: number;
  /** The generation when the worker was created: it runs commands of later generations. */
  generation: number;
  tid: number;
  threads: number;
}
