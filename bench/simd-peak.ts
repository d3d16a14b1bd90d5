// The wasm f32x4 mul + add peak of this machine (dist/kernels/probe.wasm, 12 independent chains),
// the bound the dense kernels' figures are stated against (bench/ranking.ts, bench/softmax-gowalla.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const PROBE = fileURLToPath(new URL('../kernels/probe.wasm', import.meta.url));

/** The wasm f32x4 mul+add rate (probe.wasm peakMulAdd: 48 flops per iteration), on `threads` threads at once, in GFLOP/s summed. */
export async function peakRate(threads: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const m = new WebAssembly.Module(fs.readFileSync(workerData.file));
    const memory = new WebAssembly.Memory({ initial: 17, maximum: 65536, shared: true });
    const x = new WebAssembly.Instance(m, { env: { memory } }).exports;
    x.peakMulAdd(1e6);
    let best = 0;
    for (let r = 0; r < 3; r++) { const t = performance.now(); x.peakMulAdd(1e8); best = Math.max(best, 48e8 / ((performance.now() - t) / 1e3) / 1e9); }
    parentPort.postMessage(best);`;
  const one = () =>
    new Promise<number>((res, rej) => {
      const w = new Worker(code, { eval: true, workerData: { file: PROBE } });
      w.once('message', (v: number) => {
        res(v);
        void w.terminate();
      });
      w.once('error', rej);
    });
  const rates = await Promise.all(Array.from({ length: threads }, one));
  return rates.reduce((a, b) => a + b, 0);
}

/**
 * The same peak per CPU-second of this thread (process.cpuUsage: nothing else of this process
 * runs meanwhile): on a shared machine wall-clock rates fall with the CPU share a process gets,
 * rates per CPU-second much less, so the ranker's CPU-time rate is compared with this one.
 */
export function peakPerCpuSecond(): number {
  const m = new WebAssembly.Module(readFileSync(PROBE));
  const memory = new WebAssembly.Memory({ initial: 17, maximum: 65536, shared: true });
  const x = new WebAssembly.Instance(m, { env: { memory } }).exports as { peakMulAdd(n: number): number };
  x.peakMulAdd(1e6);
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    x.peakMulAdd(1e8);
    const u = process.cpuUsage(c);
    best = Math.max(best, 48e8 / ((u.user + u.system) / 1e6) / 1e9);
  }
  return best;
}
