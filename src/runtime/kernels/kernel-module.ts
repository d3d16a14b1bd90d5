import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../../core/errors.js';
import { LAYOUT_HASH } from './kernel-layout.js';

/** The exports of dist/kernels/kernels.wasm (src/runtime/kernels/assembly/kernels.entry.ts). */
export interface KernelExports {
  trainRun(tid: number, nthreads: number, ctx: number): void;
  rankRun(tid: number, nthreads: number, ctx: number): void;
  propagateRun(tid: number, nthreads: number, ctx: number): void;
  heapBase(): number;
  trainCtxSize(): number;
  rankCtxSize(): number;
  propagateCtxSize(): number;
  syncSize(): number;
  /** FNV-1a of every offset, size, constant and code the module was compiled with (assembly/layout.generated.ts). */
  layoutHash(): number;
  hash4At(seed: number, stream: number, a: number, b: number): number;
  boundedAt(h: number, n: number): number;
  shuffleAt(ptr: number, len: number, seed: number, stream: number, key: number): void;
  drawNegativesAt(out: number, n: number, user: number, position: number, seed: number, stream: number, numItems: number, exclude: number, indptr: number, indices: number, bits: number): void;
  MAX_EXCLUDE: WebAssembly.Global;
  gemmRankRun(tid: number, nthreads: number, ctx: number): void;
  gemmRankScratchBytes(userBlock: number, itemBlock: number, dimBlock: number, dim: number, k: number, numExclude: number): number;
  gemmRankCtxSize(): number;
  gemmRun(tid: number, nthreads: number, ctx: number): void;
  gemmCtxSize(): number;
  softmaxRowsRun(tid: number, nthreads: number, ctx: number): void;
  softmaxRowsCtxSize(): number;
  adamDenseRun(tid: number, nthreads: number, ctx: number): void;
  adamDenseCtxSize(): number;
}

/** Kernel entry points that run on every thread of a pool: fn(tid, nthreads, ctx). */
export type ParallelKernel = 'trainRun' | 'rankRun' | 'propagateRun' | 'gemmRankRun' | 'gemmRun' | 'softmaxRowsRun' | 'adamDenseRun';

export interface KernelModule {
  module: WebAssembly.Module;
  /** First 12 hex digits of the .wasm file's sha256: which build ran, for the run record. */
  build: string;
}

/** dist/kernels/kernels.wasm, seen from dist/src/runtime/kernels/ (EXPC_KERNELS_WASM overrides it: instrumented builds). */
export const KERNELS_WASM = process.env['EXPC_KERNELS_WASM'] ?? fileURLToPath(new URL('../../../kernels/kernels.wasm', import.meta.url));

let loaded: Promise<KernelModule> | undefined;

/** Compiles the kernel module once per process. */
export function loadKernelModule(): Promise<KernelModule> {
  loaded ??= (async () => {
    let bytes: Buffer;
    try {
      bytes = await readFile(KERNELS_WASM);
    } catch {
      throw new InternalError(`the fused kernels are not built: ${KERNELS_WASM} is missing (run \`npm run build\`)`);
    }
    const module = await WebAssembly.compile(new Uint8Array(bytes));
    return { module, build: createHash('sha256').update(bytes).digest('hex').slice(0, 12) };
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** Instantiates the module on a shared memory (synchronously: also used inside workers). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  // `now` is only imported by instrumented builds (phase timers); extra imports are ignored.
  const instance = new WebAssembly.Instance(module, { env: { memory, now: () => performance.now() } });
  return instance.exports as unknown as KernelExports;
}

/**
 * Refuses a kernel build whose layout is not the glue's: both come from kernel-layout.decl.mjs,
 * but a stale dist/kernels/kernels.wasm (or an EXPC_KERNELS_WASM build of other sources) would
 * read every context at the wrong offsets; the hash covers every offset, not only the sizes.
 */
export function assertKernelLayout(kernels: Pick<KernelExports, 'layoutHash'>, expected: number = LAYOUT_HASH): void {
  const got = typeof kernels.layoutHash === 'function' ? kernels.layoutHash() >>> 0 : undefined;
  if (got !== expected >>> 0)
    throw new InternalError(
      `the kernel build does not match src/runtime/kernels/kernel-layout.generated.ts: layout hash ${got === undefined ? 'missing' : got.toString(16)} (kernel) vs ${(expected >>> 0).toString(16)} (rebuild: npm run build)`,
    );
}
