/// <reference types="@webgpu/types" />
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from '../../../core/errors.js';
import type { Json } from '../../../core/json.js';

/**
 * The WebGPU device of a run, through the optional `webgpu` package (Dawn's Node bindings),
 * loaded on first use only. Two ways to an adapter:
 * - hardware: Dawn's default backends (Vulkan on Linux, Metal, D3D12), high-performance preference;
 *   `--backend auto` takes it only when it is not a software rasteriser;
 * - software: Dawn's OpenGL ES backend in compatibility mode on an EGL surfaceless display, which
 *   Mesa serves with llvmpipe on a machine with no GPU (CI); only `--backend webgpu` and the tests
 *   accept it.
 */

export type AdapterKind = 'hardware' | 'software';

export interface GpuContext {
  device: GPUDevice;
  kind: AdapterKind;
  /** One line for the console: vendor, architecture, device, description, backend. */
  description: string;
  /** What the run record keeps: the adapter's info and the limits the kernels size themselves by. */
  facts: Record<string, Json>;
  /** The webgpu package's version. */
  version: string;
}

/** Names that Mesa, SwiftShader and WARP give their CPU rasterisers. */
const SOFTWARE_NAMES = /llvmpipe|softpipe|lavapipe|swiftshader|microsoft basic render|warp/i;

/** The limits the kernels use, requested at the adapter's maximum (compatibility mode starts lower). */
const WANTED_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
] as const;

interface WebgpuModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** GPU instances stay referenced for the life of the process: collecting one tore down state its adapters' devices still used (crashes on llvmpipe). */
const instances: GPU[] = [];

let loaded: Promise<{ mod: WebgpuModule; version: string } | { reason: string }> | undefined;

/** Loads `webgpu` once; a missing package or binary is a reason, never a crash. */
export function loadWebgpu(): Promise<{ mod: WebgpuModule; version: string } | { reason: string }> {
  loaded ??= (async () => {
    try {
      // a variable specifier: the package is optional, so the build must not need it
      const specifier = 'webgpu';
      const mod = (await import(specifier)) as WebgpuModule;
      // the kernels use the GPUBufferUsage / GPUMapMode / GPUShaderStage constants
      for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
      const require = createRequire(import.meta.url);
      let version = 'unknown';
      try {
        version = (require('webgpu/package.json') as { version: string }).version;
      } catch {
        // an exports map without package.json: the version is only for the record
      }
      return { mod, version };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const first = String(err?.message ?? e).split('\n')[0]!;
      return { reason: err?.code === 'ERR_MODULE_NOT_FOUND' && first.includes("'webgpu'") ? "the optional package 'webgpu' is not installed" : `'webgpu' could not be loaded: ${first}` };
    }
  })();
  return loaded;
}

function adapterFacts(adapter: GPUAdapter, kind: AdapterKind, backend: string): { description: string; facts: Record<string, Json> } {
  const info = adapter.info;
  const fields = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
  const limits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) limits[k] = Number(adapter.limits[k]);
  const parts = [fields.vendor, fields.architecture, fields.device, fields.description].filter((s) => s && s.length > 0);
  const unique = parts.filter((s, i) => parts.indexOf(s) === i);
  return {
    description: `${unique.join(' / ') || 'unnamed adapter'} (${backend}, ${kind})`,
    facts: { ...fields, kind, dawnBackend: backend, isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter), limits },
  };
}

/** Whether adapter info names a CPU rasteriser (or Dawn marks it a fallback adapter). */
export function isSoftwareInfo(i: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }): boolean {
  if (i.isFallbackAdapter) return true;
  return SOFTWARE_NAMES.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
}

function isSoftware(adapter: GPUAdapter): boolean {
  return isSoftwareInfo(adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean });
}

async function deviceOf(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = Number(adapter.limits[k]);
  const device = await adapter.requestDevice({ requiredLimits });
  // an uncaptured validation error is a bug in a kernel: make it loud instead of a silent no-op
  device.addEventListener('uncapturederror', (ev) => {
    process.stderr.write(`webgpu: ${(ev as GPUUncapturedErrorEvent).error.message}\n`);
  });
  return device;
}

/** Where Debian, Ubuntu, Fedora and Arch keep libvulkan.so.1 (Dawn's only hardware backend on Linux). */
const VULKAN_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];

/** Whether Linux has the Vulkan loader; checked first so that a machine without it never loads Dawn for nothing. */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const extra = (process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean);
  return [...extra, ...VULKAN_DIRS].some((d) => existsSync(`${d}/libvulkan.so.1`));
}

/** The first hardware adapter, or why there is none. */
async function hardwareAdapter(mod: WebgpuModule): Promise<{ adapter: GPUAdapter; backend: string } | { reason: string }> {
  if (!vulkanLoaderPresent()) return { reason: 'no Vulkan loader (libvulkan.so.1; Debian package libvulkan1)' };
  const gpu = mod.create([]);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { reason: 'no GPU adapter (Dawn found no Vulkan, Metal or D3D12 device)' };
  if (isSoftware(adapter)) return { reason: `the only adapter is a software rasteriser (${adapter.info.description || adapter.info.device})` };
  return { adapter, backend: 'default' };
}

/** Mesa's llvmpipe through Dawn's OpenGL ES backend on a surfaceless EGL display. */
async function softwareAdapter(mod: WebgpuModule): Promise<{ adapter: GPUAdapter; backend: string } | { reason: string }> {
  // Mesa reads it when the display is opened; without it EGL looks for X11 or Wayland
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  const gpu = mod.create(['backend=opengles']);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
  if (!adapter) return { reason: 'no OpenGL ES adapter (install Mesa: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)' };
  return { adapter, backend: 'opengles' };
}

const contexts = new Map<string, Promise<GpuContext | { reason: string }>>();

/**
 * A device: `hardware` only a real GPU, `any` a real GPU else the software adapter. Cached per
 * mode, so a run (and a test file) shares one device.
 */
export function gpuContext(mode: 'hardware' | 'any'): Promise<GpuContext | { reason: string }> {
  let p = contexts.get(mode);
  if (!p) {
    p = (async () => {
      if (mode === 'hardware' && !vulkanLoaderPresent()) return { reason: 'no Vulkan loader (libvulkan.so.1; Debian package libvulkan1)' };
      const w = await loadWebgpu();
      if ('reason' in w) return w;
      const hw = await hardwareAdapter(w.mod);
      let pick: { adapter: GPUAdapter; backend: string; kind: AdapterKind };
      if ('adapter' in hw) pick = { ...hw, kind: 'hardware' };
      else if (mode === 'hardware') return hw;
      else {
        const sw = await softwareAdapter(w.mod);
        if (!('adapter' in sw)) return { reason: `${hw.reason}; ${sw.reason}` };
        pick = { ...sw, kind: 'software' };
      }
      const device = await deviceOf(pick.adapter);
      const { description, facts } = adapterFacts(pick.adapter, pick.kind, pick.backend);
      return { device, kind: pick.kind, description, facts: { ...facts, webgpuVersion: w.version }, version: w.version };
    })();
    contexts.set(mode, p);
  }
  return p;
}

/** The device `--backend webgpu` asks for; none is the user's problem, said with the reason. */
export async function requireGpu(): Promise<GpuContext> {
  const g = await gpuContext('any');
  if ('reason' in g) throw new UsageError(`--backend webgpu: no WebGPU adapter could be created: ${g.reason}`, 'use --backend auto (the CPU engines) on this machine');
  return g;
}
