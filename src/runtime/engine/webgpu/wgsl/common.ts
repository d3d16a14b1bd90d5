/**
 * What every WGSL kernel file shares: its bindings declared from one list (so the JS side binds
 * buffers by name in the same order), f32 literals that are exactly Math.fround of a float64,
 * and the flat index of a thread in a 2D grid (one dimension holds at most 65535 workgroups).
 */

export type BindingKind = 'uniform' | 'read' | 'rw';

export interface Binding {
  name: string;
  /** WGSL type: array<f32>, array<u32>, array<atomic<u32>>, or a struct for uniforms. */
  type: string;
  kind: BindingKind;
  /** The runner's buffer bound here, when it is not `name` (ping-pong between two layer buffers). */
  buffer?: string;
}

export interface Kernel {
  /** For error messages and the pipeline label. */
  label: string;
  code: string;
  bindings: Binding[];
  /** Threads per workgroup (x); at most 128 in compatibility mode. */
  workgroup: number;
}

export const WORKGROUP = 64;

export const u = (name: string): Binding => ({ name, type: 'array<u32>', kind: 'read' });
export const uRW = (name: string): Binding => ({ name, type: 'array<u32>', kind: 'rw' });
export const atomicRW = (name: string): Binding => ({ name, type: 'array<atomic<u32>>', kind: 'rw' });
export const f = (name: string): Binding => ({ name, type: 'array<f32>', kind: 'read' });
export const fRW = (name: string): Binding => ({ name, type: 'array<f32>', kind: 'rw' });

/** Group 0, bindings in list order. */
export function declare(bindings: Binding[]): string {
  return bindings
    .map((b, i) => {
      const space = b.kind === 'uniform' ? 'uniform' : b.kind === 'read' ? 'storage, read' : 'storage, read_write';
      return `@group(0) @binding(${i}) var<${space}> ${b.name}: ${b.type};`;
    })
    .join('\n');
}

/** A WGSL f32 literal whose value is Math.fround(x) exactly (the shortest decimal of the f32 rounds back to it). */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`f32 literal of ${x}`);
  const v = Math.fround(x);
  return `(${v.toExponential()}f)`;
}

/** A u32 literal. */
export function u32(x: number): string {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(`u32 literal of ${x}`);
  return `${x >>> 0}u`;
}

/** The flat thread index over a 2D grid of workgroups (threadGrid in webgpu-runner.ts sizes it). */
export const FLAT_INDEX = /* wgsl */ `
fn flatIndex(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * ${WORKGROUP}u; }
`;

/** The per-batch record every training kernel reads (BATCH_RECORD_BYTES in webgpu-trainer.ts). */
export const BATCH_STRUCT = /* wgsl */ `
struct BatchRec {
  start: u32,      // epoch position of the batch's first sample
  size: u32,       // samples in the batch
  index: u32,      // batch number within the call (its loss slot)
  mode: u32,       // 0: draw from the epoch order, 1: explicit batch already in place
  stream: u32,     // negatives stream of the epoch
  stepSize: f32,   // Adam: lr / (1 - beta1^t), computed in float64
  invSqrtBc2: f32, // Adam: 1 / sqrt(1 - beta2^t)
  t: u32,          // optimiser step
}
`;
export const batchBinding: Binding = { name: 'batch', type: 'BatchRec', kind: 'uniform' };
