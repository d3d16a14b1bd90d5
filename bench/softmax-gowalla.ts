// `node dist/bench/softmax-gowalla.js [--batches N] [--threads N] [--no-torch]`: one training step
// of MF on Gowalla (d = 64, batch 2048, cosine, t = 0.1, dense Adam) for the two softmax losses
// of the SSM paper's Table 2, fused engine against PyTorch (bench/softmax_torch.py) in the same
// run: SSM (in-batch candidates, a 2048 x 2048 score matrix) and SM (all 40,981 items, 2048 x
// 40,981). Both sides time a fixed number of batches and extrapolate to the epoch's 396 batches.
// The bound stated: the step's three products (S = U C^T, dU = dS C, dC = dS^T U; 6 B W d flops)
// at the kernel's f32x4 mul + add peak (probe: bench/copy-bandwidth.ts' sibling, measured here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindModel } from '../src/components/catalogue.js';
import { CounterRng } from '../src/core/rng.js';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import type { EpochSchedule } from '../src/runtime/engine/engine.js';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import { DenseGemm } from '../src/runtime/kernels/dense-gemm.js';
import { KernelPool } from '../src/runtime/kernels/kernel-pool.js';
import { peakPerCpuSecond } from './simd-peak.js';
import { findTorch } from './torch-runner.js';
import { gowallaTrain, seededPairSubset } from './workloads.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const BATCHES = Number(arg('--batches') ?? 4);
const THREADS = Number(arg('--threads') ?? availableParallelism());
const DIM = 64;
const BATCH = 2048;
const T = 0.1;
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/softmax_torch.py', import.meta.url));
const log = (m: string) => process.stderr.write(`${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const modelFor = (sampler: string, loss: string) =>
  bindModel({
    encoder: { name: 'mf', params: { dim: DIM, init: 'xavier_normal' } },
    sampler: { name: sampler, params: {} },
    loss: { name: loss, params: { temperature: T, similarity: 'cosine' } },
    backprop: { name: 'both', params: {} },
    optimizer: { name: 'adam', params: { lr: 1e-3, weight_decay: 0 } },
  });

/**
 * The three products of one SM step (B = 2048 rows against all N items, d = 64) on one kernel
 * thread, GFLOP per CPU-second of each against the wasm f32x4 mul + add peak per CPU-second.
 */
async function gemmRates(numItems: number): Promise<string[]> {
  const wp = Math.ceil(numItems / 4) * 4;
  const pool = await KernelPool.create(1, (2 * BATCH * DIM + 2 * wp * DIM + 2 * BATCH * wp) * 4);
  try {
    const g = new DenseGemm(pool);
    const a = (n: number) => pool.alloc(n * 4);
    const [u, c, ct, sc, du, dc] = [a(BATCH * DIM), a(wp * DIM), a(wp * DIM), a(BATCH * wp), a(BATCH * DIM), a(wp * DIM)];
    const rng = new CounterRng(1, 2, 3);
    for (const p of [u, c, ct]) pool.f32(p, p === u ? BATCH * DIM : wp * DIM).forEach((_, i, x) => (x[i] = rng.normal()));
    const shapes = [
      { name: 'S = U C^T', op: { m: BATCH, n: wp, k: DIM, a: u, aRowStride: DIM, aColStride: 1, b: ct, ldb: wp, c: sc, ldc: wp, accumulate: false } },
      { name: 'dU = dS C', op: { m: BATCH, n: DIM, k: wp, a: sc, aRowStride: wp, aColStride: 1, b: c, ldb: DIM, c: du, ldc: DIM, accumulate: false } },
      { name: 'dC = dS^T U', op: { m: wp, n: DIM, k: BATCH, a: sc, aRowStride: 1, aColStride: wp, b: u, ldb: DIM, c: dc, ldc: DIM, accumulate: false } },
    ];
    const peak = peakPerCpuSecond();
    const out: string[] = [];
    for (const { name, op } of shapes) {
      await g.run(op);
      const c0 = process.cpuUsage();
      await g.run(op);
      const cpu = process.cpuUsage(c0);
      const rate = (2 * BATCH * wp * DIM) / ((cpu.user + cpu.system) / 1e6) / 1e9;
      out.push(`GEMM ${name} (${op.m} x ${op.n} x ${op.k}), 1 thread: ${rate.toFixed(1)} GFLOP per CPU-s = ${((100 * rate) / peak).toFixed(0)}% of the wasm f32x4 mul + add peak (${peak.toFixed(1)})`);
    }
    return out;
  } finally {
    await pool.dispose();
  }
}

async function main(): Promise<void> {
  const { problem: full, file } = gowallaTrain();
  if (!full) {
    log(`skipped: no Gowalla split at ${file} (set EXPC_DATA_DIR)`);
    return;
  }
  const epochBatches = Math.ceil(full.pairUsers.length / BATCH);
  // a seeded subset of 1 + BATCHES batches' pairs: the first batch warms up, the rest are timed
  const take = (1 + BATCHES) * BATCH;
  const sub = seededPairSubset(full, take, 78);
  const schedule: EpochSchedule = { batch: BATCH, shuffle: false, dropLast: false, seed: 2022 };
  const lines: string[] = [
    `MF on Gowalla, d=${DIM}, batch ${BATCH}, cosine t=${T}, dense Adam; ${BATCHES} timed batches after 1 warm-up, extrapolated x ${epochBatches}`,
    `CPU: ${cpus()[0]?.model ?? '?'} x ${cpus().length}; Node ${process.version}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  ];
  const cases = [
    { name: 'SSM (in_batch)', sampler: 'in_batch', loss: 'infonce', width: BATCH },
    { name: 'SM (all_items)', sampler: 'all_items', loss: 'softmax', width: full.numItems },
  ];
  const fusedS: Record<string, number> = {};
  for (const c of cases) {
    const model = modelFor(c.sampler, c.loss);
    const init = model.encoder.init(full.numUsers, full.numItems, 2022);
    const t = await fusedEngine.createTrainer(sub(0, BATCH), model, schedule, init, { threads: THREADS });
    try {
      await t.trainEpoch(0);
      const state = await t.saveState();
      await t.dispose();
      const timed = await fusedEngine.createTrainer(sub(BATCH, take), model, schedule, state.tables, { threads: THREADS });
      await timed.loadState(state);
      const t0 = performance.now();
      await timed.trainEpoch(1);
      const s = (performance.now() - t0) / 1000 / BATCHES;
      await timed.dispose();
      fusedS[c.name] = s;
      const gflop = (6 * BATCH * c.width * DIM) / 1e9;
      lines.push(`fused ${c.name}, ${THREADS} thread(s): ${s.toFixed(3)} s per batch, ${(s * epochBatches).toFixed(0)} s per epoch; products ${gflop.toFixed(1)} GFLOP per batch (${(gflop / s).toFixed(1)} GFLOP/s over the whole step)`);
      log(lines[lines.length - 1]!);
    } catch (e) {
      await t.dispose().catch(() => {});
      throw e;
    }
  }

  lines.push(...(await gemmRates(full.numItems)));
  const torch = process.argv.includes('--no-torch') ? null : findTorch();
  if (torch) {
    const dir = mkdtempSync(join(tmpdir(), 'expc-softmax-'));
    try {
      writeFileSync(join(dir, 'users.npy'), encodeNpy(full.pairUsers, [full.pairUsers.length]));
      writeFileSync(join(dir, 'items.npy'), encodeNpy(full.pairItems, [full.pairItems.length]));
      writeFileSync(join(dir, 'spec.json'), JSON.stringify({ numUsers: full.numUsers, numItems: full.numItems, dim: DIM, batch: BATCH, temperature: T, batches: BATCHES, threads: THREADS, seed: 2022 }));
      const r = spawnSync(torch.python, [TORCH_SCRIPT, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`softmax_torch.py failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      const out = JSON.parse(r.stdout) as { torch: string; results: Record<string, number[]> };
      for (const c of cases) {
        const s = median(out.results[c.sampler]!);
        lines.push(`PyTorch ${out.torch} ${c.name}, ${THREADS} thread(s): ${s.toFixed(3)} s per batch (median of ${out.results[c.sampler]!.length}), ${(s * epochBatches).toFixed(0)} s per epoch; fused = ${(fusedS[c.name]! / s).toFixed(2)}x PyTorch`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else lines.push('PyTorch: not run');
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
