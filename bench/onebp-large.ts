// `node dist/bench/onebp-large.js [--batches N] [--threads N] [--no-torch]`: OneBP MF on Gowalla at
// the OneBP code's suggested settings (d = 1024, Adam lr 5e-4, no weight decay, beta 0.999, batch
// 1024, 5 uniform negatives excluding positives, InfoNCE t = 1, dense Adam under PyTorch
// semantics), fused engine against PyTorch (bench/onebp_large_torch.py) and against the memory
// bandwidth limit, in the same run. A full epoch takes minutes here, so both sides time a fixed
// number of batches and extrapolate to the epoch's 792 batches (said so in the output).
//
// The bound: dense Adam reads and writes every item row's parameters and both moments each step
// (6 x d x 4 bytes a row; the gradient only for the batch's rows), plus the batch's own rows
// (scores, gradients, the moving aggregation of the user rows). Bytes per step / bandwidth is the
// fastest any implementation can step on this machine; the kernel already touches each row once
// per step (train-gradients.ts writes only the batch's rows, train-optimizer.ts one pass per row).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindModel } from '../src/components/catalogue.js';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import type { EpochSchedule } from '../src/runtime/engine/engine.js';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import { findTorch } from './torch-runner.js';
import { copyBandwidth } from './copy-bandwidth.js';
import { gowallaTrain, seededPairSubset } from './workloads.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const BATCHES = Number(arg('--batches') ?? 20);
const WARMUP = 2;
const THREADS = Number(arg('--threads') ?? availableParallelism());
const DIM = 1024;
const BATCH = 1024;
const NEGATIVES = 5;
const BETA = 0.999;
const LR = 5e-4;
const PAPER_V100_S = 20.12;
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/onebp_large_torch.py', import.meta.url));
const log = (m: string) => process.stderr.write(`${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};


/** One thread's memcpy bandwidth (Float32Array.prototype.set over 256 MiB, best of 3): read + write bytes per second. */
function memcpyBandwidth(): number {
  const n = 64 << 20;
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n);
  b.set(a);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    b.set(a);
    best = Math.min(best, (performance.now() - t) / 1e3);
  }
  return (2 * n * 4) / best;
}

/** Bytes a OneBP step moves at least: dense Adam on the item table, and the batch's rows. */
function bytesPerStep(numItems: number): { dense: number; batch: number } {
  const row = DIM * 4;
  const dense = numItems * row * 6; // p, m, v read and written
  // per sample: user + 6 candidate rows read for scores, 6 gradient rows read-modify-written
  // (first write only), 6 gradient rows read by Adam, the user row and positive read and the user written by the aggregation
  const batch = BATCH * row * (7 + 6 + 6 + 3);
  return { dense, batch };
}

const model = bindModel({
  encoder: { name: 'mf', params: { dim: DIM, init: 'xavier_normal', std: 0.1 } },
  sampler: { name: 'uniform', params: { negatives: NEGATIVES, exclude_positives: true } },
  loss: { name: 'infonce', params: { temperature: 1, similarity: 'dot' } },
  backprop: { name: 'onebp', params: { beta: BETA, duplicates: 'last' } },
  optimizer: { name: 'adam', params: { lr: LR, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, lazy: false } },
});

async function main(): Promise<void> {
  const { problem: full, file } = gowallaTrain();
  if (!full) {
    log(`skipped: no Gowalla split at ${file} (set EXPC_DATA_DIR)`);
    return;
  }
  const epochBatches = Math.ceil(full.pairUsers.length / BATCH);
  log(`gowalla: ${full.numUsers} users, ${full.numItems} items, ${full.pairUsers.length} pairs (${epochBatches} batches per epoch); load ${loadavg()[0]!.toFixed(2)}`);
  // A seeded subset of (warm-up + timed) batches' pairs: the fused epoch then is exactly those
  // batches; every step still updates every item row (dense Adam), so a step costs what it costs in the full epoch.
  const take = (WARMUP + BATCHES) * BATCH;
  const sub = seededPairSubset(full, take, 77);
  const schedule: EpochSchedule = { batch: BATCH, shuffle: true, dropLast: false, seed: 2022 };
  // The larger of two one-thread copies (the wasm probe's f32x4 loop and the runtime's memcpy) is the scale.
  const probeBw = copyBandwidth();
  const memcpyBw = memcpyBandwidth();
  const bw = Math.max(probeBw, memcpyBw);
  const bytes = bytesPerStep(full.numItems);
  const stepBytes = bytes.dense + bytes.batch;

  // fused: one epoch of WARMUP batches, then one of BATCHES batches on the same trainer state
  const fused: number[] = [];
  for (const threads of [...new Set([1, THREADS])]) {
    const init = model.encoder.init(full.numUsers, full.numItems, 2022);
    const warmT = await fusedEngine.createTrainer(sub(0, WARMUP * BATCH), model, schedule, init, { threads });
    const state = (await warmT.trainEpoch(0), await warmT.saveState());
    await warmT.dispose();
    const t = await fusedEngine.createTrainer(sub(WARMUP * BATCH, take), model, schedule, state.tables, { threads });
    try {
      await t.loadState(state);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await t.trainEpoch(1);
      const s = (performance.now() - t0) / 1000 / BATCHES;
      const cpu = process.cpuUsage(c0);
      fused.push(s);
      log(`fused, ${threads} thread(s): ${s.toFixed(4)} s per batch (${(s * epochBatches).toFixed(1)} s per epoch extrapolated), CPU ${((cpu.user + cpu.system) / 1e6 / BATCHES).toFixed(4)} s per batch; load ${loadavg()[0]!.toFixed(2)}`);
    } finally {
      await t.dispose();
    }
  }

  let torchLines: string[] = [];
  let torchBest: number | null = null;
  const torch = process.argv.includes('--no-torch') ? null : findTorch();
  if (torch) {
    const dir = mkdtempSync(join(tmpdir(), 'expc-onebp-large-'));
    try {
      writeFileSync(join(dir, 'users.npy'), encodeNpy(full.pairUsers, [full.pairUsers.length]));
      writeFileSync(join(dir, 'items.npy'), encodeNpy(full.pairItems, [full.pairItems.length]));
      const spec = { numUsers: full.numUsers, numItems: full.numItems, dim: DIM, batch: BATCH, negatives: NEGATIVES, beta: BETA, lr: LR, weightDecay: 0, seed: 2022, warmup: WARMUP, batches: BATCHES, threadCounts: [...new Set([1, THREADS])] };
      writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
      const r = spawnSync(torch.python, [TORCH_SCRIPT, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`onebp_large_torch.py failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      const out = JSON.parse(r.stdout) as { torch: string; results: { threads: number; batch_s: number[] }[] };
      torchLines = out.results.map((x) => {
        const s = median(x.batch_s);
        torchBest = torchBest === null ? s : Math.min(torchBest, s);
        return `PyTorch ${out.torch}, ${x.threads} thread(s): ${s.toFixed(4)} s per batch (median of ${x.batch_s.length}; ${(s * epochBatches).toFixed(1)} s per epoch extrapolated)`;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else torchLines = ['PyTorch: not run'];

  const best = Math.min(...fused);
  const bound = stepBytes / bw;
  const lines = [
    `OneBP MF on Gowalla, d=${DIM}, batch ${BATCH}, ${NEGATIVES} uniform negatives excluding positives, InfoNCE, dense Adam lr ${LR} (no weight decay), beta ${BETA}; ${BATCHES} timed batches after ${WARMUP} warm-up, extrapolated x ${epochBatches}`,
    `CPU: ${cpus()[0]?.model ?? '?'} x ${cpus().length}; Node ${process.version}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    ...torchLines,
    `fused best: ${(best * epochBatches).toFixed(1)} s per epoch${torchBest !== null ? ` = ${(best / torchBest).toFixed(2)}x the faster PyTorch` : ''}`,
    `bound: ${(stepBytes / 1e9).toFixed(3)} GB per step (dense Adam ${(bytes.dense / 1e9).toFixed(3)} GB + batch rows ${(bytes.batch / 1e9).toFixed(3)} GB) / one-thread copy bandwidth ${(bw / 1e9).toFixed(1)} GB/s (wasm f32x4 copy ${(probeBw / 1e9).toFixed(1)}, memcpy ${(memcpyBw / 1e9).toFixed(1)}) = ${bound.toFixed(4)} s per step, ${(bound * epochBatches).toFixed(1)} s per epoch; fused = ${(best / bound).toFixed(2)}x the bound (${(stepBytes / best / 1e9).toFixed(1)} GB/s achieved)`,
    `paper (OneBP Table 3, V100): ${PAPER_V100_S} s per epoch`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
