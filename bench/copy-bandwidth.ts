import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('../kernels/probe.wasm', import.meta.url));

/** One thread's copy bandwidth (probe.wasm copyBytes, f32x4 loads and stores of 256 MiB): read + write bytes per second. */
export function copyBandwidth(): number {
  const m = new WebAssembly.Module(readFileSync(PROBE));
  const memory = new WebAssembly.Memory({ initial: 17, maximum: 65536, shared: true });
  const x = new WebAssembly.Instance(m, { env: { memory } }).exports as { copyBytes(d: number, s: number, n: number): void };
  const n = 256 << 20;
  const base = 1 << 20;
  memory.grow(Math.ceil((base + 2 * n) / 65536));
  new Uint8Array(memory.buffer, base, n).fill(1);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    x.copyBytes(base + n, base, n);
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  return (2 * n) / best;
}
