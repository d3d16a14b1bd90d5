// LightGCN propagation on Gowalla: forward + backward of K layers on the WebAssembly kernels, and
// the same with torch.sparse.mm when a Python with torch is found (a measurement, not a test;
// not part of `npm run bench`):
//   node scripts/build.mjs && node dist/bench/propagation.js [--data-dir DIR] [--dim 64] [--layers 3] [--threads 2] [--reps 5]
// The Python side gets the same pairs, layer-0 table and gradient as .npy files and builds Â itself;
// it reports how far its E and dL/dE^(0) are from ours, so that both sides compute the same thing.
//
// Measured 2026-12-01 on the 2-core AMD EPYC (24 GiB), Node 20.20.2, torch 1.13, with the
// machine shared (load average 5.2 on 2 cores, so every figure is contended), d = 64, K = 3,
// 2 threads, median of 5: wasm 0.207 s per forward + backward (in pool memory; 0.235 s copying),
// 2.675 GB moved by the bound's count = 12.9 GB/s; torch COO autograd 0.621 s, COO explicit
// 0.483 s, CSR explicit 0.992 s; max |E_torch - E_wasm| = 2.2e-8. Uncontended on one thread a
// 3-layer forward took 0.070 CPU s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CounterRng } from '../src/core/rng.js';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import { buildNormalizedAdjacency } from '../src/components/encoders/graph/normalized-adjacency.js';
import { SparsePropagation } from '../src/runtime/kernels/sparse-propagation.js';
import { findTorch } from './torch-runner.js';
import { readLightgcnLines } from './workloads.js';

const SCRIPT = fileURLToPath(new URL('../../bench/propagation_torch.py', import.meta.url));

const { values: opt } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['EXPC_DATA_DIR'] ?? '../shared/datasets' },
    dim: { type: 'string', default: '64' },
    layers: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    reps: { type: 'string', default: '5' },
  },
});
const dim = Number(opt.dim);
const layers = Number(opt.layers);
const threads = Number(opt.threads);
const reps = Number(opt.reps);
const file = join(opt['data-dir']!, 'gowalla', 'train.txt.gz');

function readPairs(path: string): { numUsers: number; numItems: number; pairUsers: Int32Array; pairItems: Int32Array } {
  const { users, items, numUsers, numItems } = readLightgcnLines(path);
  return { numUsers, numItems, pairUsers: Int32Array.from(users), pairItems: Int32Array.from(items) };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

const t0 = performance.now();
const g = readPairs(file);
const t1 = performance.now();
const adj = buildNormalizedAdjacency(g.numUsers, g.numItems, g.pairUsers, g.pairItems);
const t2 = performance.now();
const { n, nnz } = adj;
const rng = new CounterRng(2022, 5);
const x = Float32Array.from({ length: n * dim }, () => rng.normal() * 0.1);
const grad = Float32Array.from({ length: n * dim }, () => rng.normal() * 0.1);

const p = await SparsePropagation.create(adj, { dim, layers, threads, extraBytes: 2 * (n * Math.ceil(dim / 4) * 4 * 4 + 64) });
const src = p.allocTable();
const dst = p.allocTable();
p.pool.f32(src.user, n * p.stride).set(x);
const E = await p.forward(x); // warm-up, and the results Python compares with
const G0 = await p.backward(grad);
const copying: number[] = [];
const inMemory: number[] = [];
// the kernel threads are worker threads of this process, so its CPU time counts them (the main thread only awaits)
let cpuInMemory = 0;
for (let r = 0; r < reps; r++) {
  let s = performance.now();
  await p.forward(x);
  await p.backward(grad);
  copying.push((performance.now() - s) / 1000);
  const c = process.cpuUsage();
  s = performance.now();
  await p.forwardAt(src, dst);
  await p.backwardAt(dst, src);
  inMemory.push((performance.now() - s) / 1000);
  const dc = process.cpuUsage(c);
  cpuInMemory += (dc.user + dc.system) / 1e6;
  p.pool.f32(src.user, n * p.stride).set(x);
}
await p.dispose();

/** Streaming bandwidth of one thread (read + write of 256 MiB by Float32Array.set): the scale for the bound below. */
function copyBandwidth(): number {
  const a = new Float32Array(64 << 20).fill(1);
  const b = new Float32Array(64 << 20);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const s = performance.now();
    b.set(a);
    best = Math.min(best, (performance.now() - s) / 1000);
  }
  return (2 * a.byteLength) / best;
}
const bandwidth = copyBandwidth();

// Bytes one layer moves at least: the CSR's index and value per nonzero, the gathered row of d floats per nonzero, the written row per node.
const layerBytes = nnz * (4 + 4) + nnz * dim * 4 + n * dim * 4;
const callBytes = 2 * layers * layerBytes;
const gb = (b: number) => (b / 1e9).toFixed(3);
const wasmS = median(inMemory);
process.stdout.write(
  `Gowalla train: ${g.numUsers} users, ${g.numItems} items, ${g.pairUsers.length} pairs -> n = ${n}, nnz = ${nnz} (read ${((t1 - t0) / 1000).toFixed(2)} s, Â built in ${((t2 - t1) / 1000).toFixed(2)} s)\n` +
    `machine: ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}\n` +
    `d = ${dim}, K = ${layers}, ${threads} threads, ${reps} reps (median)\n` +
    `bytes per forward + backward (2K layers x (nnz x 8 + nnz x d x 4 + n x d x 4)): ${gb(callBytes)} GB\n` +
    `one-thread copy bandwidth ${gb(bandwidth)} GB/s: bound ${(callBytes / bandwidth).toFixed(4)} s per call if every byte came from memory at that rate (the gathered rows mostly hit cache)\n` +
    `wasm, in pool memory (forwardAt + backwardAt): ${wasmS.toFixed(4)} s  = ${gb(callBytes / wasmS)} GB/s; CPU ${(cpuInMemory / reps).toFixed(4)} s per call, all threads\n` +
    `wasm, copying (forward + backward):            ${median(copying).toFixed(4)} s\n`,
);

const torch = findTorch();
if (!torch) process.stdout.write('torch: no Python with torch and numpy found\n');
else {
  const dir = mkdtempSync(join(os.tmpdir(), 'expc-prop-'));
  try {
    const npy = (name: string, a: Int32Array | Float32Array, shape: number[]) => writeFileSync(join(dir, name), encodeNpy(a, shape));
    npy('users.npy', g.pairUsers, [g.pairUsers.length]);
    npy('items.npy', g.pairItems, [g.pairItems.length]);
    npy('x.npy', x, [n, dim]);
    npy('grad.npy', grad, [n, dim]);
    npy('E.npy', E, [n, dim]);
    npy('G0.npy', G0, [n, dim]);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ numUsers: g.numUsers, numItems: g.numItems, layers, threads, reps }));
    const r = spawnSync(torch.python, [SCRIPT, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`propagation_torch.py failed: ${r.stderr}`);
    const t = JSON.parse(r.stdout) as Record<string, number>;
    process.stdout.write(
      `torch ${torch.version}, ${threads} threads, nnz = ${t['nnz']}: Â built in ${t['build_s']!.toFixed(2)} s\n` +
        `  COO torch.sparse.mm, autograd (forward, E.backward(G)): ${t['coo_autograd_s']!.toFixed(4)} s\n` +
        `  COO torch.sparse.mm, 2K explicit products:            ${t['coo_explicit_s']!.toFixed(4)} s\n` +
        (t['csr_explicit_s'] !== undefined ? `  CSR torch.sparse.mm, 2K explicit products:            ${t['csr_explicit_s']!.toFixed(4)} s\n` : '') +
        `  max |E_torch - E_wasm| = ${t['max_diff_E']!.toExponential(2)}, max |dX_torch - dX_wasm| = ${t['max_diff_G0']!.toExponential(2)} (max |E| ${t['max_abs_E']!.toFixed(3)})\n` +
        `  ratio wasm in-memory / fastest torch: ${(wasmS / Math.min(t['coo_autograd_s']!, t['coo_explicit_s']!, t['csr_explicit_s'] ?? Infinity)).toFixed(2)}x\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
