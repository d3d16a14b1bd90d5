import type * as TF from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InternalError, UsageError } from '../../core/errors.js';
import { registerFastKernels } from './fast-kernels.js';
import { ensureGradients } from './register-gradients.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * The tfjs compute backend of a run: what was chosen, from which package, and why the better
 * ones were not. Its `tf` is ready for autograd (gradient functions registered) and, on cpu and
 * wasm, has the row kernels of fast-kernels.ts.
 */
export interface Backend {
  tf: typeof TF;
  /** tensorflow = tfjs-node / tfjs-node-gpu (libtensorflow). */
  name: BackendName;
  package: string;
  version: string;
  gpu: boolean;
  /** Computes on the CPU (a fused CPU kernel can beat it). */
  cpuBound: boolean;
  /** Why the preferred backends were not used (one line), when auto skipped any. */
  note?: string;
}

type Attempt = { ok: true; backend: Backend } | { ok: false; reason: string };

const require = createRequire(import.meta.url);
/** Attempts by name, so that selecting twice is idempotent and a failed probe is not repeated. */
const attempts = new Map<BackendName, Promise<Attempt>>();

/**
 * Why loading `pkg` failed, in one line: "not installed" when the package itself is missing,
 * else the first line of the error (a missing native binding, a libtensorflow load failure...).
 */
function reasonOf(e: unknown, pkg: string): string {
  const err = e as { code?: string; message?: string };
  const first = String(err?.message ?? e).split('\n')[0]!.trim();
  if ((err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && first.includes(`'${pkg}'`)) return 'not installed';
  return first;
}

async function loadCore(): Promise<typeof TF> {
  return (await import('@tensorflow/tfjs-core')) as typeof TF;
}

/** Makes `name` the active tfjs backend (tfjs has one global engine; runs may switch it). */
export async function activate(b: Backend): Promise<void> {
  if (b.tf.getBackend() !== b.name) {
    const ok = await b.tf.setBackend(b.name);
    if (!ok) throw new InternalError(`the tfjs backend '${b.name}' initialised before but could not be re-activated`);
  }
}

async function tryTensorflow(): Promise<Attempt> {
  const reasons: string[] = [];
  for (const [pkg, gpu] of [
    ['@tensorflow/tfjs-node-gpu', true],
    ['@tensorflow/tfjs-node', false],
  ] as const) {
    try {
      // A variable specifier: the packages are optional and absent where libtensorflow could not be downloaded.
      const spec: string = pkg;
      const mod = (await import(spec)) as { default?: typeof TF } & typeof TF;
      const tf = (typeof mod.setBackend === 'function' ? mod : mod.default) as typeof TF;
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend failed to initialise');
      await tf.ready();
      await ensureGradients(tf);
      return { ok: true, backend: { tf, name: 'tensorflow', package: pkg, version: tf.version_core, gpu, cpuBound: !gpu } };
    } catch (e) {
      reasons.push(`${pkg}: ${reasonOf(e, pkg)}`);
    }
  }
  return { ok: false, reason: reasons.join('; ') };
}

async function tryWasm(): Promise<Attempt> {
  try {
    const tf = await loadCore();
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are read from the package's dist folder (a file path prefix).
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(join(dist, '/'));
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'the wasm backend failed to initialise' };
    await tf.ready();
    registerFastKernels(tf, 'wasm');
    await ensureGradients(tf);
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    return {
      ok: true,
      backend: { tf, name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: tf.version_core, gpu: false, cpuBound: true, note: simd ? 'SIMD, 1 thread' : 'no SIMD, 1 thread' },
    };
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm: ${reasonOf(e, '@tensorflow/tfjs-backend-wasm')}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  try {
    const tf = await loadCore();
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
    await tf.ready();
    // Its "install tfjs-node" banner goes to stderr on first use; the run record's note says it once.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    registerFastKernels(tf, 'cpu');
    await ensureGradients(tf);
    return { ok: true, backend: { tf, name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: tf.version_core, gpu: false, cpuBound: true } };
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-cpu: ${reasonOf(e, '@tensorflow/tfjs-backend-cpu')}` };
  }
}

function attempt(name: BackendName): Promise<Attempt> {
  let a = attempts.get(name);
  if (!a) {
    a = name === 'tensorflow' ? tryTensorflow() : name === 'wasm' ? tryWasm() : tryCpu();
    attempts.set(name, a);
  }
  return a;
}

let autoChoice: Promise<Backend> | undefined;

async function chooseAuto(): Promise<Backend> {
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const a = await attempt(name);
    if (!a.ok) {
      skipped.push(a.reason);
      continue;
    }
    if (skipped.length === 0) return a.backend;
    const note = [`skipped ${skipped.join('; ')}`, a.backend.note].filter(Boolean).join('; ');
    return { ...a.backend, note };
  }
  throw new UsageError(`no tfjs backend could be initialised: ${skipped.join('; ')}`);
}

/**
 * 'auto': tfjs-node-gpu, tfjs-node, wasm, cpu, the first that initialises; `note` says in one
 * line why the preferred ones were skipped. An explicit name that is unavailable is a
 * UsageError naming what is available and why the asked one failed. Selecting the same name
 * again returns the same Backend (and makes it the active tfjs backend again).
 */
export async function selectBackend(requested: BackendName | 'auto' = 'auto'): Promise<Backend> {
  if (requested !== 'auto' && !BACKEND_NAMES.includes(requested)) {
    throw new UsageError(`unknown backend '${String(requested)}': expected one of auto, ${BACKEND_NAMES.join(', ')}`);
  }
  if (requested === 'auto') {
    autoChoice ??= chooseAuto();
    const b = await autoChoice;
    await activate(b);
    return b;
  }
  const a = await attempt(requested);
  if (a.ok) {
    await activate(a.backend);
    return a.backend;
  }
  const available: string[] = [];
  for (const name of BACKEND_NAMES) if (name !== requested && (await attempt(name)).ok) available.push(name);
  // Probing others may have switched the active backend; the caller gets an error, nothing runs.
  throw new UsageError(
    `backend '${requested}' is not available (${a.reason}); available: ${available.length ? available.join(', ') : 'none'}`,
    available.length ? `use --backend ${available[0]} or --backend auto` : undefined,
  );
}
