// The fused MF kernel's exact output as sha256 fingerprints, to prove that a refactoring of
// src/runtime/kernels/assembly/train*.ts changes no number: run it before and after, compare.
//   node dist/bench/fused-fingerprint.js          fingerprints (one per case, then the total)
//   node dist/bench/fused-fingerprint.js --time   also seconds per epoch of one ML-1M-sized case
// Covers every loss x backprop x optimizer on a small random problem (1 thread, epochs and
// explicit batches), a larger problem at 2 threads, and optimiser slots and step counts.
import { createHash, type Hash } from 'node:crypto';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import type { EpochSchedule, Trainer, TrainingProblem } from '../src/runtime/engine/engine.js';
import { explicitBatch } from '../src/runtime/training/epoch.js';
import { BACKPROPS, config, LOSSES, OPTIMIZERS, randomProblem, type ModelConfig } from '../test/runtime/reference/configs.js';
import { benchConfig, ml1mSynthetic } from './workloads.js';

const bytesOf = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function record(h: Hash, t: Trainer, losses: number[]): Promise<void> {
  h.update(bytesOf(Float64Array.from(losses)));
  const s = await t.saveState();
  h.update(`step ${s.step}`);
  h.update(bytesOf(s.tables.user));
  h.update(bytesOf(s.tables.item));
  for (const k of Object.keys(s.slots).sort()) {
    h.update(k);
    h.update(bytesOf(s.slots[k]!));
  }
}

async function fingerprint(problem: TrainingProblem, cfg: ModelConfig, schedule: EpochSchedule, threads: number, epochs: number, batches: boolean): Promise<string> {
  const t = await fusedEngine.createTrainer(problem, cfg, schedule, cfg.encoder.init(problem.numUsers, problem.numItems, 4), { threads });
  try {
    const h = createHash('sha256');
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) losses.push((await t.trainEpoch(e)).loss);
    if (batches) {
      // mode 1 (explicit batches), with a repeated user and a repeated positive
      const n = cfg.sampler.fused!.negatives;
      const users = [0, 1, 0, 2, 1];
      const pos = [3, 4, 3, 5, 6];
      const neg = Array.from({ length: users.length * n }, (_, i) => (i * 7 + 1) % problem.numItems);
      for (let k = 0; k < 3; k++) losses.push(await t.trainBatch({ ...explicitBatch(users, pos, neg), width: n }));
    }
    await record(h, t, losses);
    return h.digest('hex');
  } finally {
    await t.dispose();
  }
}

async function main(): Promise<void> {
  const total = createHash('sha256');
  const line = (name: string, hex: string) => {
    total.update(`${name}\n${hex}\n`);
    process.stdout.write(`${hex.slice(0, 16)}  ${name}\n`);
  };
  const small = randomProblem(80, 120, 15, 9);
  const schedule: EpochSchedule = { batch: 128, shuffle: true, dropLast: false, seed: 5 };
  for (const [ln, l] of Object.entries(LOSSES))
    for (const [bn, b] of Object.entries(BACKPROPS))
      for (const [on, o] of Object.entries(OPTIMIZERS)) {
        const cfg = config(l, b, o, 5, 10);
        line(`small ${ln} / ${bn} / ${on}`, await fingerprint(small, cfg, schedule, 1, 3, true));
      }
  // drop_last and no shuffle
  const cfgDL = config(LOSSES['bpr cosine']!, BACKPROPS['onebp last']!, OPTIMIZERS['adam dense']!, 4, 7);
  line('small drop_last no-shuffle bpr cosine / onebp last / adam dense', await fingerprint(small, cfgDL, { batch: 100, shuffle: false, dropLast: true, seed: 3 }, 1, 2, false));
  const large = randomProblem(1500, 1200, 40, 3);
  const big: EpochSchedule = { batch: 1024, shuffle: true, dropLast: false, seed: 11 };
  for (const [l, b, o] of [
    ['infonce dot', 'both', 'adam dense'],
    ['infonce cosine t=0.5', 'onebp last', 'adam lazy'],
    ['bpr dot', 'user_only sequential', 'sgd'],
    ['bpr cosine', 'onebp sequential', 'adam dense'],
  ] as const) {
    const cfg = config(LOSSES[l]!, BACKPROPS[b]!, OPTIMIZERS[o]!, 5, 32);
    line(`large 2 threads ${l} / ${b} / ${o}`, await fingerprint(large, cfg, big, 2, 2, false));
  }
  process.stdout.write(`total ${total.digest('hex')}\n`);

  if (process.argv.includes('--time')) {
    const w = ml1mSynthetic();
    const cfg = benchConfig({ id: 'TwoBP d=64', backprop: 'both', dim: 64 });
    const t = await fusedEngine.createTrainer(w.problem, cfg, { batch: 1024, shuffle: true, dropLast: false, seed: 2022 }, cfg.encoder.init(w.problem.numUsers, w.problem.numItems, 2022), { threads: 1 });
    try {
      // CPU time as well as wall time: on a shared machine the wall time includes descheduling
      const times: string[] = [];
      for (let e = 0; e < 4; e++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await t.trainEpoch(e);
        const c = process.cpuUsage(c0);
        if (e > 0) times.push(`${((performance.now() - t0) / 1000).toFixed(3)} (cpu ${((c.user + c.system) / 1e6).toFixed(3)})`);
      }
      process.stdout.write(`ML-1M-sized TwoBP d=64, 1 thread: epochs ${times.join(', ')} s\n`);
    } finally {
      await t.dispose();
    }
  }
}

await main();
