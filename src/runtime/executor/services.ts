import type { Json } from '../../core/json.js';
import { selectBackend, type Backend, type BackendName } from '../backend/select-backend.js';
import type { DataContext } from '../data/dataset.js';
import type { TrainingModel } from '../../contract/training.js';
import type { TrainingEngine } from '../engine/engine.js';
import { fusedEngine } from '../engine/fused/fused-engine.js';
import { selectEngine } from '../engine/select-engine.js';
import { createTfjsEngine } from '../engine/tfjs/tfjs-engine.js';
import type { ParallelTrialsSetting } from './parallel-trials.js';
import { jsRanker } from '../evaluation/js-ranker.js';
import type { Ranker } from '../evaluation/rank.js';
import { createTfjsRanker } from '../evaluation/tfjs-ranker.js';
import { createWasmRanker } from '../evaluation/wasm-ranker.js';
import { gpuContext, requireGpu, type GpuContext } from '../engine/webgpu/gpu-device.js';
import { createWebgpuEngine } from '../engine/webgpu/webgpu-engine.js';
import { createWebgpuRanker } from '../evaluation/webgpu-ranker.js';

export type EngineChoice = 'auto' | 'tfjs' | 'fused';

export interface RuntimeOptions {
  /** webgpu: the WGSL kernels on any WebGPU adapter (the software one too), tfjs on the CPU for the rest. */
  backend: BackendName | 'auto' | 'webgpu';
  engine: EngineChoice;
  /** Threads for fused kernels (their results do not depend on it). */
  threads: number;
  dataDirs: string[];
  allowDownload: boolean;
  /** Write a training checkpoint at most this often (seconds); 0 disables. */
  checkpointSeconds: number;
  /** Trainings at once (`--parallel-trials`): `auto` decides from the trial size; absent: one at a time. */
  parallelTrials?: ParallelTrialsSetting;
}

/**
 * The heavy, shared machinery that steps use, created on first use: a fully cached run never
 * initialises tfjs or starts a worker. One instance per `expc run`.
 */
export class RuntimeServices {
  private backendPromise?: Promise<Backend>;
  private rankerPromise?: Promise<Ranker & { dispose?: () => Promise<void> }>;
  private tfjs?: TrainingEngine;
  private rankerFallback: string | null = null;
  private gpuPromise?: Promise<{ gpu: GpuContext | null; note: string | null }>;
  private webgpu?: TrainingEngine;
  /** Hears about the WebGPU adapter once one is chosen (the CLI prints it). */
  onGpu: (gpu: GpuContext) => void = () => {};

  /** `announce` hears about the backend once it is chosen (the CLI prints it). */
  constructor(
    readonly options: RuntimeOptions,
    private readonly announce: (backend: Backend) => void = () => {},
  ) {}

  backend(): Promise<Backend> {
    if (!this.backendPromise) {
      this.backendPromise = selectBackend(this.options.backend === 'webgpu' ? 'auto' : this.options.backend);
      this.backendPromise.then(this.announce, () => {});
    }
    return this.backendPromise;
  }

  /** Whether the backend has been initialised (the run record only reports what was used). */
  get backendStarted(): boolean {
    return this.backendPromise !== undefined;
  }

  /**
   * The WebGPU adapter of the run: `--backend webgpu` any adapter (none is a usage error),
   * `--backend auto` a real GPU only (never the software rasteriser), an explicit tfjs backend none.
   */
  gpu(): Promise<{ gpu: GpuContext | null; note: string | null }> {
    if (!this.gpuPromise) {
      this.gpuPromise = (async () => {
        const b = this.options.backend;
        if (b !== 'webgpu' && b !== 'auto') return { gpu: null, note: null };
        if (b === 'webgpu') return { gpu: await requireGpu(), note: null };
        const g = await gpuContext('hardware');
        return 'reason' in g ? { gpu: null, note: `webgpu not used: ${g.reason}` } : { gpu: g, note: null };
      })();
      this.gpuPromise.then(({ gpu }) => gpu && this.onGpu(gpu), () => {});
    }
    return this.gpuPromise;
  }

  async engineFor(config: TrainingModel): Promise<{ engine: TrainingEngine; reason: string }> {
    const backend = await this.backend();
    this.tfjs ??= createTfjsEngine(backend);
    let fallback = '';
    if (this.options.engine === 'auto') {
      const { gpu } = await this.gpu();
      if (gpu) {
        this.webgpu ??= createWebgpuEngine(gpu);
        const s = this.webgpu.supports(config);
        if (s.ok) return { engine: this.webgpu, reason: `webgpu: WGSL kernels on ${gpu.description}` };
        fallback = `${s.reason}, so `;
      }
    }
    const chosen = selectEngine(this.options.engine, config, backend, { tfjs: this.tfjs, fused: fusedEngine });
    return fallback ? { ...chosen, reason: `${fallback}${chosen.reason}` } : chosen;
  }

  /** Full-ranking top-K: WebAssembly kernels on CPU backends, tfjs on a GPU, plain JS as the fallback. */
  ranker(): Promise<Ranker> {
    this.rankerPromise ??= (async () => {
      const { gpu } = await this.gpu();
      if (gpu) return createWebgpuRanker(gpu);
      const backend = await this.backend();
      if (backend.gpu) return createTfjsRanker(backend);
      try {
        return await createWasmRanker({ threads: this.options.threads });
      } catch (e) {
        // Still correct, only slower: the record says why the kernels were not used.
        this.rankerFallback = `wasm ranker unavailable (${(e as Error).message}); plain JS ranking used`;
        return jsRanker;
      }
    })();
    return this.rankerPromise;
  }

  dataContext(baseDir: string, log: (message: string) => void): DataContext {
    return { dataDirs: this.options.dataDirs, baseDir, allowDownload: this.options.allowDownload, log };
  }

  /** Facts for the run record. */
  async describe(): Promise<Record<string, Json>> {
    if (!this.backendStarted) return { backend: 'not started (nothing to compute)' };
    const b = await this.backend();
    const r = this.rankerPromise ? (await this.rankerPromise).name : null;
    const g = this.gpuPromise ? await this.gpuPromise.catch(() => ({ gpu: null, note: 'webgpu failed' })) : { gpu: null, note: null };
    const webgpu: Json = g.gpu ? g.gpu.facts : g.note;
    return { backend: b.name, backendPackage: b.package, tfjsVersion: b.version, gpu: b.gpu, backendNote: b.note ?? null, ranker: r, rankerNote: this.rankerFallback, webgpu };
  }

  async dispose(): Promise<void> {
    if (this.rankerPromise) {
      const r = await this.rankerPromise.catch(() => undefined);
      await r?.dispose?.();
    }
  }
}
