/// <reference types="@webgpu/types" />
import { InternalError } from '../../../core/errors.js';
import type { Kernel } from './wgsl/common.js';

/**
 * The small layer between the kernels and the WebGPU API: named storage buffers, one pipeline
 * and bind group per kernel (bound by the kernel's binding names), dispatch grids that stay
 * under the 65535-workgroups-per-dimension limit, uploads and read-backs.
 */
export class GpuRunner {
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly maxGroups: number;

  constructor(readonly device: GPUDevice) {
    this.maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
  }

  /** A storage buffer of at least `bytes` (rounded up to 16; zero-filled by WebGPU). */
  buffer(name: string, bytes: number, usage = 0): GPUBuffer {
    if (this.buffers.has(name)) throw new InternalError(`webgpu: buffer '${name}' created twice`);
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (size > this.device.limits.maxStorageBufferBindingSize)
      throw new InternalError(`webgpu: buffer '${name}' of ${size} bytes exceeds the adapter's maxStorageBufferBindingSize ${this.device.limits.maxStorageBufferBindingSize}`);
    const b = this.device.createBuffer({ label: name, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage });
    this.buffers.set(name, b);
    return b;
  }

  uniform(name: string, bytes: number): GPUBuffer {
    const b = this.device.createBuffer({ label: name, size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.buffers.set(name, b);
    return b;
  }

  get(name: string): GPUBuffer {
    const b = this.buffers.get(name);
    if (!b) throw new InternalError(`webgpu: no buffer '${name}'`);
    return b;
  }

  write(name: string, data: ArrayBufferView, offset = 0): void {
    this.device.queue.writeBuffer(this.get(name), offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** A compiled kernel with its bind group; compilation errors come back as an InternalError with the log. */
  async pipeline(kernel: Kernel): Promise<BoundKernel> {
    const module = this.device.createShaderModule({ label: kernel.label, code: kernel.code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) throw new InternalError(`webgpu: kernel ${kernel.label} does not compile: ${errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; ')}`);
    this.device.pushErrorScope('validation');
    // synchronous: Dawn's OpenGL ES backend crashed compiling several pipelines asynchronously
    const pipeline = this.device.createComputePipeline({ label: kernel.label, layout: 'auto', compute: { module, entryPoint: 'main' } });
    const group = this.device.createBindGroup({
      label: kernel.label,
      layout: pipeline.getBindGroupLayout(0),
      entries: kernel.bindings.map((b, i) => ({ binding: i, resource: { buffer: this.get(b.buffer ?? b.name) } })),
    });
    const err = await this.device.popErrorScope();
    if (err) throw new InternalError(`webgpu: kernel ${kernel.label} cannot be bound: ${err.message}`);
    return { kernel, pipeline, group };
  }

  /** Workgroups (x, y) for `threads` threads of `kernel.workgroup` each. */
  grid(threads: number, workgroup: number): [number, number] {
    const groups = Math.max(1, Math.ceil(threads / workgroup));
    const x = Math.min(groups, this.maxGroups);
    return [x, Math.ceil(groups / x)];
  }

  dispatch(pass: GPUComputePassEncoder, k: BoundKernel, threads: number): void {
    if (threads <= 0) return;
    const [x, y] = this.grid(threads, k.kernel.workgroup);
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, k.group);
    pass.dispatchWorkgroups(x, y);
  }

  /** Copies of `bytes` of each named buffer, read back once the queue reaches them. */
  async read(names: { name: string; bytes: number }[]): Promise<ArrayBuffer[]> {
    const enc = this.device.createCommandEncoder();
    const staging = names.map(({ name, bytes }) => {
      const size = Math.ceil(bytes / 4) * 4;
      const s = this.device.createBuffer({ size: Math.max(4, size), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      if (size > 0) enc.copyBufferToBuffer(this.get(name), 0, s, 0, size);
      return s;
    });
    this.device.queue.submit([enc.finish()]);
    const out: ArrayBuffer[] = [];
    for (let i = 0; i < staging.length; i++) {
      const s = staging[i]!;
      await s.mapAsync(GPUMapMode.READ);
      out.push(s.getMappedRange().slice(0, names[i]!.bytes));
      s.unmap();
      s.destroy();
    }
    return out;
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}

export interface BoundKernel {
  kernel: Kernel;
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
}

