import type * as TF from '@tensorflow/tfjs-core';
import { InternalError } from '../../core/errors.js';

type Tf = typeof TF;
type TypedArray = Float32Array | Int32Array | Uint8Array;

/**
 * Row-wise `GatherV2` and `UnsortedSegmentSum` kernels for the cpu and wasm backends.
 *
 * tf.gather's gradient is unsortedSegmentSum(dy, indices, rows). tfjs-wasm has no such kernel
 * (the gradient throws), and tfjs-cpu's costs rows x batch x d (minutes per step at ML-1M
 * size). Both are replaced by row copies / row accumulations: O(batch x d).
 *
 * Only the shapes the engines use are handled here (gather on axis 0 without batch dims; any
 * segment-id rank); anything else is passed to the backend's own kernel, kept as a fallback.
 * On cpu, an identity Transpose (which the gather gradient performs twice) becomes a copy.
 */

/** Marks our kernel functions so that a second registration is a no-op. */
const OURS = Symbol.for('expc.fastKernel');

type KernelFunc = TF.KernelFunc;
type AnyBackend = TF.KernelBackend & Record<string, unknown>;

/** Reads a tensor's values without copying (cpu: the stored array; wasm: a view on the heap). */
function valuesOf(backend: AnyBackend, backendName: string, info: TF.TensorInfo): TypedArray {
  if (backendName === 'wasm') return (backend as unknown as { typedArrayFromHeap(t: TF.TensorInfo): TypedArray }).typedArrayFromHeap(info);
  return (backend as unknown as { data: { get(id: TF.DataId): { values: TypedArray } } }).data.get(info.dataId).values;
}

/** Allocates an output tensor and lets `fill` write it; inputs are read after allocation (a wasm heap may grow and detach older views). */
function makeOutput(backend: AnyBackend, backendName: string, shape: number[], dtype: TF.DataType, fill: (out: TypedArray) => void): TF.TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  if (backendName === 'wasm') {
    const w = backend as unknown as { makeOutput(s: number[], d: TF.DataType): TF.TensorInfo; typedArrayFromHeap(t: TF.TensorInfo): TypedArray };
    const out = w.makeOutput(shape, dtype);
    if (size > 0) {
      const view = w.typedArrayFromHeap(out);
      view.fill(0);
      fill(view);
    }
    return out;
  }
  const values = dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
  fill(values);
  return (backend as unknown as { makeTensorInfo(s: number[], d: TF.DataType, v: TypedArray): TF.TensorInfo }).makeTensorInfo(shape, dtype, values);
}

function gatherRows(backendName: string, fallback: KernelFunc | undefined): KernelFunc {
  const f: KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as AnyBackend;
    const x = inputs['x'] as TF.TensorInfo;
    const indices = inputs['indices'] as TF.TensorInfo;
    const axis = Number((attrs as { axis?: number }).axis ?? 0);
    const batchDims = Number((attrs as { batchDims?: number }).batchDims ?? 0);
    if ((axis !== 0 && axis !== -x.shape.length) || batchDims !== 0 || x.dtype === 'string' || x.dtype === 'complex64') {
      if (!fallback) throw new InternalError(`GatherV2 on ${backendName}: axis ${axis}, batchDims ${batchDims} is not supported by the row kernel`);
      return fallback(args);
    }
    const rows = x.shape[0]!;
    const inner = x.shape.slice(1);
    const width = inner.reduce((a, b) => a * b, 1);
    const n = indices.shape.reduce((a, b) => a * b, 1);
    return makeOutput(backend, backendName, [...indices.shape, ...inner], x.dtype, (out) => {
      const src = valuesOf(backend, backendName, x);
      const idx = valuesOf(backend, backendName, indices);
      for (let i = 0; i < n; i++) {
        const r = idx[i]!;
        if (!(r >= 0 && r < rows)) throw new InternalError(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
        out.set(src.subarray(r * width, (r + 1) * width), i * width);
      }
    });
  };
  (f as unknown as Record<symbol, boolean>)[OURS] = true;
  return f;
}

function segmentSumRows(backendName: string): KernelFunc {
  const f: KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as AnyBackend;
    const x = inputs['x'] as TF.TensorInfo;
    const ids = inputs['segmentIds'] as TF.TensorInfo;
    const numSegments = Number((attrs as { numSegments: number }).numSegments);
    const n = ids.shape.reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(ids.shape.length);
    const width = inner.reduce((a, b) => a * b, 1);
    return makeOutput(backend, backendName, [numSegments, ...inner], x.dtype, (out) => {
      const src = valuesOf(backend, backendName, x);
      const seg = valuesOf(backend, backendName, ids);
      for (let i = 0; i < n; i++) {
        const s = seg[i]!;
        // TensorFlow drops negative / out-of-range segment ids.
        if (!(s >= 0 && s < numSegments)) continue;
        const o = s * width;
        const k = i * width;
        for (let j = 0; j < width; j++) out[o + j]! += src[k + j]!;
      }
    });
  };
  (f as unknown as Record<symbol, boolean>)[OURS] = true;
  return f;
}

/** Transpose that copies when the permutation is the identity (tf.gather's gradient transposes with [0, 1]); tfjs-cpu's own kernel computes an index per element even then. */
function transposeIdentity(backendName: string, fallback: KernelFunc): KernelFunc {
  const f: KernelFunc = (args) => {
    const x = args.inputs['x'] as TF.TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    if (x.dtype === 'string' || x.dtype === 'complex64' || !perm.every((p, i) => p === i)) return fallback(args);
    const backend = args.backend as AnyBackend;
    return makeOutput(backend, backendName, x.shape.slice(), x.dtype, (out) => out.set(valuesOf(backend, backendName, x)));
  };
  (f as unknown as Record<symbol, boolean>)[OURS] = true;
  return f;
}

const isOurs = (k: TF.KernelConfig | undefined): boolean => k !== undefined && (k.kernelFunc as unknown as Record<symbol, boolean>)[OURS] === true;

/**
 * Registers the row kernels for `backendName` ('cpu' or 'wasm') unless they are registered
 * already. Returns the names of the kernels it (re)registered.
 */
export function registerFastKernels(tf: Tf, backendName: 'cpu' | 'wasm'): string[] {
  const done: string[] = [];
  const gather = tf.getKernel('GatherV2', backendName);
  if (!isOurs(gather)) {
    const fallback = gather?.kernelFunc;
    if (gather) tf.unregisterKernel('GatherV2', backendName);
    tf.registerKernel({ kernelName: 'GatherV2', backendName, kernelFunc: gatherRows(backendName, fallback) });
    done.push('GatherV2');
  }
  const seg = tf.getKernel('UnsortedSegmentSum', backendName);
  if (!isOurs(seg)) {
    if (seg) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: segmentSumRows(backendName) });
    done.push('UnsortedSegmentSum');
  }
  const transpose = tf.getKernel('Transpose', backendName);
  if (backendName === 'cpu' && transpose && !isOurs(transpose)) {
    tf.unregisterKernel('Transpose', backendName);
    tf.registerKernel({ kernelName: 'Transpose', backendName, kernelFunc: transposeIdentity(backendName, transpose.kernelFunc) });
    done.push('Transpose');
  }
  return done;
}
