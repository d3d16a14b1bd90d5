// The LightGCN case of `npm run bench` (`-- --only lightgcn` runs it alone): LightGCN (K = 3,
// d = 64, BPR, 1 uniform negative excluding positives, Adam lr 1e-3, L2 1e-4 on the batch's
// layer-0 rows, batch 2048) on the Gowalla split's training pairs, the fused engine (GraphTrainer)
// and PyTorch (bench/lightgcn_torch.py, LightGCN-PyTorch's model) on the same threads and on 1
// thread (on a busy machine torch's second thread can cost more than it gives), in the same run,
// alternating: every round trains `warmup` untimed then `batches` timed batches on each
// side (sampling included; the whole propagation forward and backward every batch), and the
// figures are medians over every timed batch of every round, extrapolated to an epoch
// (ceil(pairs / 2048) batches). Within expc's batches the propagation calls are timed by
// wrapping the trainer's SparsePropagation methods and its optimiser step on the instance
// (bench-only; the trainer's code is unchanged), so the rest is the batch's JS (scores, loss,
// gradient rows, penalty, Adam over every row of both tables) and the sampler.
//
// Measured 2026-12-01 on the 2-core AMD EPYC, torch 1.13 + OpenBLAS 0.3.21, load average 2.5-5.5
// on 2 cores (contended): fused 0.27-0.33 s per batch (81% propagation), torch 0.45-0.55 s on 1
// thread and 0.93-1.35 s on 2: 0.60-0.61x the faster torch (README, Performance, LightGCN on Gowalla).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindModel } from '../src/components/catalogue.js';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import type { EpochSchedule, TrainingProblem } from '../src/runtime/engine/engine.js';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import { GraphTrainer } from '../src/runtime/engine/fused/graph-trainer.js';
import type { SparsePropagation } from '../src/runtime/kernels/sparse-propagation.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../src/runtime/training/epoch.js';

const SCRIPT = fileURLToPath(new URL('../../bench/lightgcn_torch.py', import.meta.url));

export const LIGHTGCN = { dim: 64, layers: 3, batch: 2048, lr: 0.001, weight: 1e-4, seed: 2022 } as const;

export interface LightgcnOptions {
  threads: number;
  warmup: number;
  batches: number;
  rounds: number;
  /** A Python with torch, or null to time expc alone. */
  python: string | null;
  log: (m: string) => void;
}

export interface LightgcnFigures {
  threads: number;
  batchesPerEpoch: number;
  nnz: number;
  timedBatches: number;
  rounds: number;
  loadStart: number[];
  loadEnd: number[];
  expc: {
    batch_s: number;
    epoch_s: number;
    /** Medians per batch of the parts (they need not add up to batch_s exactly). */
    forward_s: number;
    backward_s: number;
    sample_s: number;
    js_s: number;
    /** Of js_s: the dense Adam step over both tables. */
    adam_s: number;
    propagation_share: number;
    /** Process CPU seconds per timed batch (main + worker threads). */
    cpu_s: number;
    /** Median batch seconds of each round. */
    round_batch_s: number[];
    first_loss: number;
    build_s: number;
  };
  bound: { bytes_per_batch: number; copy_gbps: number; bound_s: number; achieved_gbps: number };
  torch: null | TorchFigures;
  /** PyTorch on 1 thread (when `threads` > 1): on a busy machine its threads can cost more than they give. */
  torch1: null | TorchFigures;
  /** expc / torch on the same threads. */
  ratio: number | null;
  /** expc / the faster of torch on 1 thread and on the same threads (the MF workloads' convention). */
  ratioBest: number | null;
}

interface TorchFigures {
    threads: number;
    version: string;
    batch_s: number;
    epoch_s: number;
    /** Process CPU seconds per timed batch (median). */
    cpu_s: number;
    /** Median batch seconds of each round. */
    round_batch_s: number[];
    layout: string;
    blas: string[];
    blas_config: string;
    matmul_gflops: number;
    first_loss: number;
    build_s: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const now = () => performance.now() / 1000;

export function lightgcnModel() {
  return bindModel({
    encoder: { name: 'lightgcn', params: { dim: LIGHTGCN.dim, layers: LIGHTGCN.layers, init: 'normal', std: 0.1 } },
    sampler: { name: 'uniform', params: { negatives: 1, exclude_positives: true } },
    loss: { name: 'bpr', params: { similarity: 'dot' } },
    backprop: { name: 'both', params: {} },
    optimizer: { name: 'adam', params: { lr: LIGHTGCN.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, lazy: false } },
    regularizer: { name: 'l2', params: { weight: LIGHTGCN.weight } },
  });
}

/** Streaming bandwidth of one thread (read + write of 256 MiB by Float32Array.set), best of 3. */
function copyBandwidth(): number {
  const a = new Float32Array(64 << 20).fill(1);
  const b = new Float32Array(64 << 20);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const s = now();
    b.set(a);
    best = Math.min(best, now() - s);
  }
  return (2 * a.byteLength) / best;
}

interface TorchRound {
  torch: string;
  batch_s: number[];
  cpu_s: number[];
  losses: number[];
  layout: string;
  nnz: number;
  build_s: number;
  blas: string[];
  blas_config: string;
  matmul_gflops: number;
}

export async function lightgcnBench(problem: TrainingProblem, o: LightgcnOptions): Promise<LightgcnFigures> {
  const loadStart = os.loadavg();
  const model = lightgcnModel();
  const schedule: EpochSchedule = { batch: LIGHTGCN.batch, shuffle: true, dropLast: false, seed: LIGHTGCN.seed };
  const numPairs = problem.pairUsers.length;
  const batchesPerEpoch = batchCount(numPairs, LIGHTGCN.batch, false);
  if (o.warmup + o.batches > batchesPerEpoch) throw new Error(`lightgcn bench: ${o.warmup + o.batches} batches do not fit in an epoch of ${batchesPerEpoch}`);

  const dir = o.python ? mkdtempSync(join(os.tmpdir(), 'expc-lightgcn-')) : null;
  if (dir) {
    writeFileSync(join(dir, 'users.npy'), encodeNpy(problem.pairUsers, [numPairs]));
    writeFileSync(join(dir, 'items.npy'), encodeNpy(problem.pairItems, [numPairs]));
  }
  const torchRound = (round: number, threads: number): TorchRound => {
    const spec = {
      numUsers: problem.numUsers,
      numItems: problem.numItems,
      dim: LIGHTGCN.dim,
      layers: LIGHTGCN.layers,
      batch: LIGHTGCN.batch,
      lr: LIGHTGCN.lr,
      weight: LIGHTGCN.weight,
      seed: LIGHTGCN.seed,
      round,
      threads,
      warmup: o.warmup,
      batches: o.batches,
      layout: 'coo',
      gflops: true,
    };
    writeFileSync(join(dir!, 'spec.json'), JSON.stringify(spec));
    const r = spawnSync(o.python!, [SCRIPT, dir!], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`lightgcn_torch.py failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return JSON.parse(r.stdout) as TorchRound;
  };

  const t0 = now();
  const init = model.encoder.init(problem.numUsers, problem.numItems, schedule.seed);
  const trainer = await fusedEngine.createTrainer(problem, model, schedule, init, { threads: o.threads });
  const buildS = now() - t0;
  const torchRounds: TorchRound[] = [];
  const torch1Rounds: TorchRound[] = [];
  const torchSide = (r: number) => {
    o.log(`lightgcn round ${r + 1}/${o.rounds}: torch, ${o.threads} threads...`);
    torchRounds.push(torchRound(r, o.threads));
    if (o.threads > 1) {
      o.log(`lightgcn round ${r + 1}/${o.rounds}: torch, 1 thread...`);
      torch1Rounds.push(torchRound(r, 1));
    }
  };
  try {
    if (!(trainer instanceof GraphTrainer)) throw new Error(`lightgcn bench: the fused engine gave a ${trainer.constructor.name}, not the GraphTrainer`);
    // Bench-only instrumentation: time the propagation calls of this trainer instance.
    const prop = (trainer as unknown as { prop: SparsePropagation }).prop;
    const timing = { forward: 0, backward: 0, adam: 0 };
    const wrap = (name: 'forwardAt' | 'backwardAt', key: 'forward' | 'backward') => {
      const inner = prop[name].bind(prop);
      prop[name] = async (src, dst) => {
        const s = now();
        await inner(src, dst);
        timing[key] += now() - s;
      };
    };
    wrap('forwardAt', 'forward');
    wrap('backwardAt', 'backward');
    // and its optimiser's step (a private method, wrapped on the instance the same way)
    const self = trainer as unknown as { optimise: (...a: unknown[]) => void };
    const optimise = self.optimise.bind(trainer);
    self.optimise = (...a: unknown[]) => {
      const s = now();
      optimise(...a);
      timing.adam += now() - s;
    };
    const batch = allocBatch(LIGHTGCN.batch, model.sampler);
    const per = { batch: [] as number[], forward: [] as number[], backward: [] as number[], adam: [] as number[], sample: [] as number[], js: [] as number[] };
    let cpu = 0;
    let firstLoss = NaN;
    const expcRound = async (round: number) => {
      const order = epochOrder(numPairs, schedule.seed, round, true);
      for (let b = 0; b < o.warmup + o.batches; b++) {
        timing.forward = timing.backward = timing.adam = 0;
        const c = process.cpuUsage();
        const s = now();
        fillBatch(problem, schedule, model.sampler, order, round, b, batch);
        const s1 = now();
        const loss = await trainer.trainBatch(batch);
        const e = now();
        if (Number.isNaN(firstLoss)) firstLoss = loss;
        if (b < o.warmup) continue;
        const dc = process.cpuUsage(c);
        cpu += (dc.user + dc.system) / 1e6;
        per.batch.push(e - s);
        per.sample.push(s1 - s);
        per.forward.push(timing.forward);
        per.backward.push(timing.backward);
        per.adam.push(timing.adam);
        per.js.push(e - s1 - timing.forward - timing.backward);
      }
    };
    for (let r = 0; r < o.rounds; r++) {
      // alternate which side goes first, so that a change of load hits both alike
      const torchFirst = r % 2 === 1;
      if (torchFirst && o.python) torchSide(r);
      o.log(`lightgcn round ${r + 1}/${o.rounds}: expc fused (${o.warmup} + ${o.batches} batches)...`);
      await expcRound(r);
      if (!torchFirst && o.python) torchSide(r);
    }
    const n = problem.numUsers + problem.numItems;
    const nnz = prop.nnz;
    const d = LIGHTGCN.dim;
    // Bytes one layer moves at least: the CSR's index and value per nonzero, the gathered row per
    // nonzero, the written row per node; forward and backward are K layers each.
    const bytes = 2 * LIGHTGCN.layers * (nnz * 8 + nnz * d * 4 + n * d * 4);
    const bw = copyBandwidth();
    const fwd = median(per.forward);
    const bwd = median(per.backward);
    const batchS = median(per.batch);
    const expc = {
      batch_s: batchS,
      epoch_s: batchS * batchesPerEpoch,
      forward_s: fwd,
      backward_s: bwd,
      sample_s: median(per.sample),
      js_s: median(per.js),
      adam_s: median(per.adam),
      propagation_share: median(per.batch.map((b, i) => (per.forward[i]! + per.backward[i]!) / b)),
      cpu_s: cpu / per.batch.length,
      round_batch_s: Array.from({ length: o.rounds }, (_, r) => median(per.batch.slice(r * o.batches, (r + 1) * o.batches))),
      first_loss: firstLoss,
      build_s: buildS,
    };
    const figures = (rounds: TorchRound[], threads: number): TorchFigures | null => {
      if (!rounds.length) return null;
      const tb = median(rounds.flatMap((r) => r.batch_s));
      const t = rounds[0]!;
      if (t.nnz !== nnz) o.log(`warning: torch's adjacency has ${t.nnz} nonzeros, expc's ${nnz}`);
      return {
        threads,
        version: t.torch,
        batch_s: tb,
        epoch_s: tb * batchesPerEpoch,
        cpu_s: median(rounds.flatMap((r) => r.cpu_s)),
        round_batch_s: rounds.map((r) => median(r.batch_s)),
        layout: t.layout,
        blas: t.blas,
        blas_config: t.blas_config,
        matmul_gflops: median(rounds.map((r) => r.matmul_gflops)),
        first_loss: t.losses[0]!,
        build_s: median(rounds.map((r) => r.build_s)),
      };
    };
    const torch = figures(torchRounds, o.threads);
    const torch1 = figures(torch1Rounds, 1);
    const fastest = Math.min(torch?.batch_s ?? Infinity, torch1?.batch_s ?? Infinity);
    return {
      threads: o.threads,
      batchesPerEpoch,
      nnz,
      timedBatches: per.batch.length,
      rounds: o.rounds,
      loadStart,
      loadEnd: os.loadavg(),
      expc,
      bound: { bytes_per_batch: bytes, copy_gbps: bw / 1e9, bound_s: bytes / bw, achieved_gbps: bytes / (fwd + bwd) / 1e9 },
      torch,
      torch1,
      ratio: torch ? expc.batch_s / torch.batch_s : null,
      ratioBest: Number.isFinite(fastest) ? expc.batch_s / fastest : null,
    };
  } finally {
    await trainer.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as text lines for the bench's report. */
export function lightgcnLines(f: LightgcnFigures): string[] {
  const s = (x: number) => x.toFixed(3);
  const e = f.expc;
  const lines = [
    `LightGCN on Gowalla: K = ${LIGHTGCN.layers}, d = ${LIGHTGCN.dim}, BPR, 1 uniform negative (excluding positives), Adam lr ${LIGHTGCN.lr}, L2 ${LIGHTGCN.weight}, batch ${LIGHTGCN.batch}, expc on ${f.threads} threads, torch on ${f.threads}${f.torch1 ? ' and on 1' : ''}; nnz(Â) = ${f.nnz}; an epoch = ${f.batchesPerEpoch} batches`,
    `timing: ${f.rounds} alternating rounds, each ${f.timedBatches / f.rounds} timed batches after warm-up per side; medians over all ${f.timedBatches} timed batches; epoch = batch x ${f.batchesPerEpoch} (extrapolated); load average ${f.loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${f.loadEnd.map((x) => x.toFixed(2)).join(' ')} at the end`,
    `expc fused: ${s(e.batch_s)} s/batch = propagation forward ${s(e.forward_s)} + backward ${s(e.backward_s)} + JS ${s(e.js_s)} (of which dense Adam over every row ${s(e.adam_s)}; the rest scores, loss, gradient rows, penalty) + sampling ${e.sample_s.toFixed(4)}; propagation share ${(100 * e.propagation_share).toFixed(0)}%; rounds ${e.round_batch_s.map(s).join(', ')}; CPU ${s(e.cpu_s)} s per batch (all threads); first loss ${e.first_loss.toFixed(4)}; set-up (Â, pool) ${e.build_s.toFixed(2)} s`,
    `propagation bound: ${(f.bound.bytes_per_batch / 1e9).toFixed(3)} GB per batch (2K layers x (nnz x 8 + nnz x d x 4 + n x d x 4)) / one-thread copy bandwidth ${f.bound.copy_gbps.toFixed(2)} GB/s = ${f.bound.bound_s.toFixed(4)} s; the propagation took ${((e.forward_s + e.backward_s) / f.bound.bound_s).toFixed(2)}x that (${f.bound.achieved_gbps.toFixed(2)} GB/s; the gathered rows partly hit cache, so an uncontended run can beat the bound)`,
  ];
  for (const t of [f.torch, f.torch1]) {
    if (!t) continue;
    lines.push(
      `torch ${t.version}, ${t.threads} thread${t.threads > 1 ? 's' : ''}: ${s(t.batch_s)} s/batch (sparse ${t.layout}, autograd through ${LIGHTGCN.layers} torch.sparse.mm); rounds ${t.round_batch_s.map(s).join(', ')}; CPU ${s(t.cpu_s)} s per batch (all threads); BLAS mapped: ${t.blas.length ? t.blas.join(', ') : 'none found'}; ${t.matmul_gflops.toFixed(1)} GFLOP/s on a 1024^3 float32 matmul; first loss ${t.first_loss.toFixed(4)}; Â built in ${t.build_s.toFixed(2)} s`,
      `ratio expc / torch on ${t.threads} thread${t.threads > 1 ? 's' : ''} = ${(f.expc.batch_s / t.batch_s).toFixed(2)}x wall; CPU seconds per batch ${(f.expc.cpu_s / t.cpu_s).toFixed(2)}x`,
    );
  }
  if (f.ratioBest !== null) lines.push(`ratio expc / the faster torch = ${f.ratioBest.toFixed(2)}x (goal: at most 0.50x)`);
  else lines.push('torch: not run');
  return lines;
}
