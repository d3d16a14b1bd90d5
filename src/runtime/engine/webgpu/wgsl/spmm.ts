import { declare, f, fRW, FLAT_INDEX, u, WORKGROUP, type Binding, type Kernel } from './common.js';

/**
 * One layer of LightGCN's propagation, y = Â x, one thread per (row r, component k) of the
 * n = numUsers + numItems rows: y[r][k] = sum_{j in row r of Â} Â[r][c_j] x[c_j][k], a gather
 * over the CSR rows (no atomics), summed in column order; the running sum of the layers is
 * updated in the same pass, acc[r][k] += y[r][k]. `from` and `to` name the runner's two layer
 * buffers, so that consecutive layers ping-pong between them.
 */
export function spmmKernel(n: number, dim: number, from: string, to: string): Kernel {
  const x: Binding = { ...f('x'), buffer: from };
  const y: Binding = { ...fRW('y'), buffer: to };
  const bindings = [u('indptr'), u('indices'), f('values'), x, y, fRW('acc')];
  const code = /* wgsl */ `
${declare(bindings)}
${FLAT_INDEX}
const D: u32 = ${dim}u;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flatIndex(gid, nwg);
  if (t >= ${n}u * D) { return; }
  let r = t / D;
  let k = t % D;
  var s = 0.0f;
  for (var j = indptr[r]; j < indptr[r + 1u]; j++) { s += values[j] * x[indices[j] * D + k]; }
  y[t] = s;
  acc[t] += s;
}
`;
  return { label: `spmm ${from}->${to}`, code, bindings, workgroup: WORKGROUP };
}

/** The mean over the K + 1 layers: acc *= 1 / (K + 1). */
export function layerMeanKernel(n: number, dim: number, layers: number): Kernel {
  const bindings = [fRW('acc')];
  const code = /* wgsl */ `
${declare(bindings)}
${FLAT_INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = flatIndex(gid, nwg);
  if (t < ${n * dim}u) { acc[t] *= 1.0f / f32(${layers + 1}u); }
}
`;
  return { label: 'layer-mean', code, bindings, workgroup: WORKGROUP };
}
