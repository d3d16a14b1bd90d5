/// <reference types="@webgpu/types" />
import { InternalError } from '../../../core/errors.js';
import type { CsrAdjacency } from '../../../contract/training.js';
import type { GpuContext } from './gpu-device.js';
import { GpuRunner, type BoundKernel } from './gpu-runner.js';
import { layerMeanKernel, spmmKernel } from './wgsl/spmm.js';

/**
 * LightGCN's propagation on the GPU (wgsl/spmm.ts), E = 1/(K+1) sum_{k=0..K} Â^k E^(0), with Â
 * and the layer buffers resident on the device. Â is symmetric, so the backward pass
 * dL/dE^(0) = 1/(K+1) sum_k (Â^T)^k dL/dE is the same computation on the gradient, as in the
 * WebAssembly kernels (kernels/sparse-propagation.ts). Not yet driven by a GPU graph trainer:
 * the webgpu engine refuses graph encoders, and they train on the fused CPU kernels.
 */
export class WebgpuPropagation {
  private constructor(
    private readonly gpu: GpuContext,
    private readonly run: GpuRunner,
    private readonly forwardAB: BoundKernel,
    private readonly forwardBA: BoundKernel,
    private readonly mean: BoundKernel,
    private readonly n: number,
    private readonly dim: number,
    private readonly layers: number,
  ) {}

  static async create(gpu: GpuContext, a: CsrAdjacency, dim: number, layers: number): Promise<WebgpuPropagation> {
    if (!Number.isInteger(layers) || layers < 0) throw new InternalError(`webgpu propagation: layers must be an integer >= 0, got ${layers}`);
    const run = new GpuRunner(gpu.device);
    try {
      const n = a.n;
      run.buffer('indptr', (n + 1) * 4);
      run.buffer('indices', a.nnz * 4);
      run.buffer('values', a.nnz * 4);
      for (const name of ['layerA', 'layerB', 'acc']) run.buffer(name, n * dim * 4);
      run.write('indptr', a.indptr.subarray(0, n + 1));
      if (a.nnz > 0) {
        run.write('indices', a.indices.subarray(0, a.nnz));
        run.write('values', a.values.subarray(0, a.nnz));
      }
      const ab = await run.pipeline(spmmKernel(n, dim, 'layerA', 'layerB'));
      const ba = await run.pipeline(spmmKernel(n, dim, 'layerB', 'layerA'));
      const mean = await run.pipeline(layerMeanKernel(n, dim, layers));
      return new WebgpuPropagation(gpu, run, ab, ba, mean, n, dim, layers);
    } catch (e) {
      run.dispose();
      throw e;
    }
  }

  /** The mean of Â^k x over k = 0..K, for an n x dim table x (users first, then items). */
  async propagate(x: Float32Array): Promise<Float32Array> {
    const { run, n, dim } = this;
    if (x.length !== n * dim) throw new InternalError(`webgpu propagation: a table of ${x.length} values is not ${n} x ${dim}`);
    run.write('layerA', x);
    run.write('acc', x);
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let k = 1; k <= this.layers; k++) run.dispatch(pass, k % 2 === 1 ? this.forwardAB : this.forwardBA, n * dim);
    run.dispatch(pass, this.mean, n * dim);
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
    const [out] = await run.read([{ name: 'acc', bytes: n * dim * 4 }]);
    return new Float32Array(out!);
  }

  /** E from E^(0). */
  forward(layer0: Float32Array): Promise<Float32Array> {
    return this.propagate(layer0);
  }

  /** dL/dE^(0) from dL/dE (Â = Â^T). */
  backward(grad: Float32Array): Promise<Float32Array> {
    return this.propagate(grad);
  }

  dispose(): void {
    this.run.dispose();
  }
}
