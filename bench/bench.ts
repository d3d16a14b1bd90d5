// `npm run bench [-- --json FILE] [-- --epochs N] [-- --no-torch] [-- --no-tfjs] [-- --only mf|lightgcn] [-- --no-ranking | --ranking-only]`:
// seconds per epoch and full-ranking evaluation time of the fused kernels (1 thread and all
// threads), the generic tfjs engine on the wasm backend (a few batches, extrapolated) and, when a
// Python with torch is found, PyTorch in the same run. Then bench/ranking.ts: full-ranking
// evaluation on Gowalla (d = 64, 1024) and the ML-1M-sized set against PyTorch. Benchmarks, not
// tests: the machine may be busy.
// The LightGCN case (bench/lightgcn.ts: Gowalla, K = 3, d = 64, BPR, batch 2048, fused engine vs
// LightGCN-PyTorch's model, a few batches per side extrapolated to an epoch) runs when the Gowalla
// split is found; `--only lightgcn` runs it alone, `--only mf` the MF workloads alone;
// `--lightgcn-threads N` (default 2), `--lightgcn-rounds N` (3), `--lightgcn-warmup N` (3),
// `--lightgcn-batches N` (10 timed per round and side).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { selectBackend, type Backend } from '../src/runtime/backend/select-backend.js';
import type { EpochSchedule, Tables } from '../src/runtime/engine/engine.js';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import { createTfjsEngine } from '../src/runtime/engine/tfjs/tfjs-engine.js';
import { computeMetrics } from '../src/runtime/evaluation/metrics.js';
import type { Ranker } from '../src/runtime/evaluation/rank.js';
import { createTfjsRanker } from '../src/runtime/evaluation/tfjs-ranker.js';
import { createWasmRanker } from '../src/runtime/evaluation/wasm-ranker.js';
import { allocBatch, batchCount, epochOrder, fillBatch } from '../src/runtime/training/epoch.js';
import { lightgcnBench, lightgcnLines, type LightgcnFigures } from './lightgcn.js';
import { rankingReport } from './ranking.js';
import { findTorch, runTorch, type TorchJob } from './torch-runner.js';
import { benchConfig, CASES, gowallaTrain, ml100k, ml1mSynthetic, type BenchCase, type Workload } from './workloads.js';

interface Row {
  workload: string;
  case: string;
  implementation: string;
  metric: 'epoch_s' | 'eval_s' | 'batch_s';
  seconds: number;
  ratio_to_torch?: number;
  note?: string;
  /** Everything the LightGCN case measured (on its fused epoch row, for --json). */
  details?: LightgcnFigures;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const jsonFile = option('--json');
const EPOCHS = Number(option('--epochs') ?? 3);
const CORES = os.availableParallelism();
const CUTOFFS = [5, 10, 20];
const METRICS = ['precision', 'recall', 'f1', 'ndcg'] as const;
const TFJS_BATCHES = 20;
const ONLY = option('--only');
if (ONLY !== undefined && ONLY !== 'mf' && ONLY !== 'lightgcn') throw new Error(`--only takes mf or lightgcn, not '${ONLY}'`);
const RUN_MF = ONLY === undefined || ONLY === 'mf';
const RUN_LIGHTGCN = ONLY === undefined || ONLY === 'lightgcn';
const LIGHTGCN_THREADS = Number(option('--lightgcn-threads') ?? 2);

const schedule: EpochSchedule = { batch: 1024, shuffle: true, dropLast: false, seed: 2022 };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const now = () => performance.now() / 1000;
const log = (m: string) => process.stderr.write(`${m}\n`);

/** Seconds per epoch of the fused engine (median of EPOCHS epochs after one warm-up) and the trained tables. */
async function fusedEpochs(w: Workload, c: BenchCase, threads: number): Promise<{ seconds: number; tables: Tables }> {
  const cfg = benchConfig(c);
  const t = await fusedEngine.createTrainer(w.problem, cfg, schedule, cfg.encoder.init(w.problem.numUsers, w.problem.numItems, schedule.seed), { threads });
  try {
    const times: number[] = [];
    for (let e = 0; e <= EPOCHS; e++) {
      const t0 = now();
      await t.trainEpoch(e);
      if (e > 0) times.push(now() - t0);
    }
    return { seconds: median(times), tables: await t.parameters() };
  } finally {
    await t.dispose();
  }
}

/** The generic tfjs engine: TFJS_BATCHES batches (sampling + step) after 3 warm-up batches, extrapolated to an epoch. */
async function tfjsEpoch(backend: Backend, w: Workload, c: BenchCase): Promise<number> {
  const cfg = benchConfig(c);
  const t = await createTfjsEngine(backend).createTrainer(w.problem, cfg, schedule, cfg.encoder.init(w.problem.numUsers, w.problem.numItems, schedule.seed), { threads: 1 });
  try {
    const order = epochOrder(w.problem.pairUsers.length, schedule.seed, 0, true);
    const batch = allocBatch(schedule.batch, cfg.sampler);
    let t0 = 0;
    for (let b = 0; b < TFJS_BATCHES + 3; b++) {
      if (b === 3) t0 = now();
      fillBatch(w.problem, schedule, cfg.sampler, order, 0, b, batch);
      await t.trainBatch(batch);
    }
    return ((now() - t0) / TFJS_BATCHES) * batchCount(w.problem.pairUsers.length, schedule.batch, schedule.dropLast);
  } finally {
    await t.dispose();
  }
}

/** Full-ranking evaluation (top-20, training items masked, P/R/F1/NDCG at 5, 10, 20): best of 3 after a warm-up. */
async function evalSeconds(ranker: Ranker, w: Workload, tables: Tables): Promise<{ seconds: number; mean: Record<string, number> }> {
  const run = async () => {
    const top = await ranker.topK({ tables, users: w.testUsers, exclude: [w.problem.positives], k: Math.max(...CUTOFFS), similarity: 'dot' });
    return computeMetrics(top, Math.max(...CUTOFFS), w.testUsers, w.test, METRICS, CUTOFFS).mean;
  };
  let mean = await run();
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = now();
    mean = await run();
    times.push(now() - t0);
  }
  return { seconds: Math.min(...times), mean };
}

/** ML-100k OneBP, d = 32, batch 1024, drop_last, evaluation every 10 epochs, on all threads: `epochs` epochs timed. */
async function longRun(w: Workload, epochs: number, ranker: Ranker): Promise<number> {
  const cfg = benchConfig({ id: 'long', backprop: 'onebp', dim: 32 });
  const sched: EpochSchedule = { ...schedule, dropLast: true };
  const t0 = now();
  const t = await fusedEngine.createTrainer(w.problem, cfg, sched, cfg.encoder.init(w.problem.numUsers, w.problem.numItems, sched.seed), { threads: CORES });
  try {
    for (let e = 0; e < epochs; e++) {
      await t.trainEpoch(e);
      if ((e + 1) % 10 === 0) {
        const tables = await t.parameters();
        const top = await ranker.topK({ tables, users: w.testUsers, exclude: [w.problem.positives], k: 20, similarity: 'dot' });
        computeMetrics(top, 20, w.testUsers, w.test, METRICS, CUTOFFS);
      }
    }
  } finally {
    await t.dispose();
  }
  return now() - t0;
}

/**
 * How much CPU this run can get: `CORES` processes spin for a second each, in parallel, and
 * report the share of a core they got. On a shared machine the all-threads figures depend on it.
 */
async function cpuAvailability(): Promise<number[]> {
  const code = 'const c0=process.cpuUsage(),t0=performance.now();let x=0;while(performance.now()-t0<1000)for(let i=0;i<1e5;i++)x+=Math.sqrt(i);const c=process.cpuUsage(c0);console.log((c.user+c.system)/1e3/(performance.now()-t0))';
  const one = () =>
    new Promise<number>((resolve) => {
      let out = '';
      const p = spawn(process.execPath, ['-e', code]);
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', () => resolve(Number(out.trim())));
    });
  return Promise.all(Array.from({ length: CORES }, one));
}

function table(rows: Row[]): string {
  const lines: string[] = [];
  const byWorkload = new Map<string, Row[]>();
  for (const r of rows) byWorkload.set(r.workload, [...(byWorkload.get(r.workload) ?? []), r]);
  for (const [workload, rs] of byWorkload) {
    lines.push('', `## ${workload}`, '', '| metric | case | implementation | seconds | ratio to torch | note |', '|---|---|---|---:|---:|---|');
    for (const r of rs)
      lines.push(`| ${r.metric} | ${r.case} | ${r.implementation} | ${r.seconds.toFixed(3)} | ${r.ratio_to_torch !== undefined ? `${r.ratio_to_torch.toFixed(2)}x` : ''} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (flag('--ranking-only')) {
    process.stdout.write(await rankingReport({ log, noTorch: flag('--no-torch') }));
    return;
  }
  const torch = flag('--no-torch') ? null : findTorch();
  const backend = await selectBackend('wasm');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const shares = await cpuAvailability();
  const header = [
    `# expc bench, ${new Date().toISOString()}`,
    `machine: ${cpu}, ${CORES} cores (os.availableParallelism), ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `CPU available at the start: ${CORES} spinning processes got ${shares.map((x) => x.toFixed(2)).join(' + ')} of a core (a busy shared machine shows less than ${CORES}; then the all-threads figures are pessimistic)`,
    `node ${process.version}; tfjs ${backend.version} (${backend.package}${backend.note ? `, ${backend.note}` : ''}); torch ${torch ? `${torch.version} (${torch.python})` : 'not found (skipped)'}`,
    ...(RUN_MF
      ? [
          `training: MF, InfoNCE (dot, t = 1), Adam dense (lr 1e-3, wd 1e-5), batch 1024, 5 uniform negatives excluding positives; epoch = median of ${EPOCHS} after a warm-up`,
          `evaluation: full ranking of every test user, training items masked, P/R/F1/NDCG@5,10,20; best of 3 after a warm-up`,
          `ratio to torch = seconds / the faster of torch with 1 thread and with ${CORES} threads in this run (LightGCN too)`,
        ]
      : ['MF workloads skipped (--only lightgcn)']),
  ];
  log(header.join('\n'));

  const rows: Row[] = [];
  const workloads: Workload[] = [];
  if (RUN_MF) {
    const m100 = await ml100k();
    if (m100.workload) workloads.push(m100.workload);
    else log(`ml-100k skipped: ${m100.file} not found (set EXPC_DATA_DIR)`);
    const t0 = now();
    workloads.push(ml1mSynthetic());
    log(`generated the ML-1M-sized synthetic data in ${(now() - t0).toFixed(1)} s`);
  }
  for (const w of workloads) log(`${w.name}: ${w.problem.numUsers} users, ${w.problem.numItems} items, ${w.problem.pairUsers.length} training pairs, ${w.testUsers.length} test users`);

  const jobs: TorchJob[] = [];
  const ourMetrics = new Map<string, Record<string, number>>();
  const rankers = { one: await createWasmRanker({ threads: 1 }), all: await createWasmRanker({ threads: CORES }) };
  try {
    for (const w of workloads) {
      const job: TorchJob = { workload: w, cases: [] };
      for (const c of CASES) {
        log(`${w.name} ${c.id}: fused...`);
        const one = await fusedEpochs(w, c, 1);
        rows.push({ workload: w.name, case: c.id, implementation: 'fused wasm-simd, 1 thread', metric: 'epoch_s', seconds: one.seconds });
        const all = await fusedEpochs(w, c, CORES);
        rows.push({ workload: w.name, case: c.id, implementation: `fused wasm-simd, ${CORES} threads`, metric: 'epoch_s', seconds: all.seconds });
        if (!flag('--no-tfjs')) {
          log(`${w.name} ${c.id}: tfjs-wasm...`);
          rows.push({ workload: w.name, case: c.id, implementation: 'tfjs engine, wasm backend', metric: 'epoch_s', seconds: await tfjsEpoch(backend, w, c), note: `extrapolated from ${TFJS_BATCHES} batches` });
        }
        const evaluate = c.backprop === 'onebp';
        if (evaluate) {
          log(`${w.name} ${c.id}: evaluation...`);
          const caseName = `eval d=${c.dim}`;
          const r1 = await evalSeconds(rankers.one, w, all.tables);
          rows.push({ workload: w.name, case: caseName, implementation: 'wasm ranker, 1 thread', metric: 'eval_s', seconds: r1.seconds });
          const rn = await evalSeconds(rankers.all, w, all.tables);
          rows.push({ workload: w.name, case: caseName, implementation: `wasm ranker, ${CORES} threads`, metric: 'eval_s', seconds: rn.seconds });
          ourMetrics.set(`${w.name}/${caseName}`, rn.mean);
          if (!flag('--no-tfjs')) {
            const rt = await evalSeconds(createTfjsRanker(backend), w, all.tables);
            rows.push({ workload: w.name, case: caseName, implementation: 'tfjs ranker, wasm backend', metric: 'eval_s', seconds: rt.seconds });
          }
        }
        job.cases.push({ c, epochs: EPOCHS + 1, evalTables: evaluate ? all.tables : undefined });
      }
      jobs.push(job);
    }

    const m = workloads.find((w) => w.name === 'ml-100k');
    if (m) {
      log('ml-100k: 200 epochs of OneBP d=32 with evaluation every 10...');
      const s = await longRun(m, 200, rankers.all);
      rows.push({ workload: m.name, case: 'OneBP d=32, 2000 epochs, eval every 10', implementation: `fused wasm-simd, ${CORES} threads`, metric: 'epoch_s', seconds: (s / 200) * 2000, note: `200 epochs measured (${s.toFixed(1)} s), x10 extrapolated; target < 180 s` });
    }
  } finally {
    await rankers.one.dispose();
    await rankers.all.dispose();
  }

  if (torch && jobs.length) {
    log(`torch: ${jobs.reduce((n, j) => n + j.cases.length, 0)} cases x threads ${[...new Set([1, CORES])].join(', ')}...`);
    const results = runTorch(torch.python, jobs, [...new Set([1, CORES])], CUTOFFS);
    for (const r of results) {
      const caseName = r.metric === 'eval_s' ? `eval d=${CASES.find((c) => c.id === r.case)!.dim}` : r.case;
      rows.push({ workload: r.workload, case: caseName, implementation: `torch, ${r.threads} thread${r.threads > 1 ? 's' : ''}`, metric: r.metric, seconds: r.seconds });
      const ours = ourMetrics.get(`${r.workload}/${caseName}`);
      if (r.metrics && ours) {
        const diff = Math.max(...Object.entries(r.metrics).map(([k, v]) => Math.abs(v - (ours[k] ?? NaN))));
        if (!(diff < 1e-3)) log(`warning: ${r.workload} ${caseName}: torch's metrics differ from ours by ${diff}`);
      }
    }
    for (const row of rows) {
      if (row.implementation.startsWith('torch')) continue;
      const t = rows.filter((r) => r.implementation.startsWith('torch') && r.workload === row.workload && r.case === row.case && r.metric === row.metric);
      if (t.length) row.ratio_to_torch = row.seconds / Math.min(...t.map((r) => r.seconds));
    }
  }
  let lightgcn: LightgcnFigures | null = null;
  if (RUN_LIGHTGCN) {
    const g = gowallaTrain();
    if (!g.problem) log(`lightgcn skipped: ${g.file} not found (set EXPC_DATA_DIR)`);
    else {
      const p = g.problem;
      log(`gowalla: ${p.numUsers} users, ${p.numItems} items, ${p.pairUsers.length} training pairs; LightGCN on ${LIGHTGCN_THREADS} threads...`);
      lightgcn = await lightgcnBench(p, {
        threads: LIGHTGCN_THREADS,
        rounds: Number(option('--lightgcn-rounds') ?? 3),
        warmup: Number(option('--lightgcn-warmup') ?? 3),
        batches: Number(option('--lightgcn-batches') ?? 10),
        python: torch?.python ?? null,
        log,
      });
      const w = 'gowalla (LightGCN)';
      const c = 'LightGCN K=3 d=64 BPR batch 2048';
      const note = `extrapolated from ${lightgcn.timedBatches} batches (median)`;
      const ours = `fused wasm-simd, ${LIGHTGCN_THREADS} threads`;
      const theirs = `torch, ${LIGHTGCN_THREADS} threads`;
      const ratio = lightgcn.ratioBest ?? undefined;
      rows.push({ workload: w, case: c, implementation: ours, metric: 'batch_s', seconds: lightgcn.expc.batch_s, ratio_to_torch: ratio, note: `median of ${lightgcn.timedBatches} batches; propagation ${(100 * lightgcn.expc.propagation_share).toFixed(0)}%` });
      rows.push({ workload: w, case: c, implementation: ours, metric: 'epoch_s', seconds: lightgcn.expc.epoch_s, ratio_to_torch: ratio, note, details: lightgcn });
      if (lightgcn.torch) {
        rows.push({ workload: w, case: c, implementation: theirs, metric: 'batch_s', seconds: lightgcn.torch.batch_s, note: `median of ${lightgcn.timedBatches} batches` });
        rows.push({ workload: w, case: c, implementation: theirs, metric: 'epoch_s', seconds: lightgcn.torch.epoch_s, note });
      }
      if (lightgcn.torch1) {
        rows.push({ workload: w, case: c, implementation: 'torch, 1 thread', metric: 'batch_s', seconds: lightgcn.torch1.batch_s, note: `median of ${lightgcn.timedBatches} batches` });
        rows.push({ workload: w, case: c, implementation: 'torch, 1 thread', metric: 'epoch_s', seconds: lightgcn.torch1.epoch_s, note });
      }
    }
  }
  // workloads in run order; within one: epochs before evaluation, cases in run order, torch last
  const firstIndex = (key: (r: Row) => string) => {
    const seen = new Map<string, number>();
    rows.forEach((r, i) => seen.has(key(r)) || seen.set(key(r), i));
    return (r: Row) => seen.get(key(r))!;
  };
  const wi = firstIndex((r) => r.workload);
  const ci = firstIndex((r) => `${r.workload}/${r.case}`);
  const order = rows.map((r, i) => ({ r, i }));
  order.sort((a, b) => wi(a.r) - wi(b.r) || a.r.metric.localeCompare(b.r.metric) || ci(a.r) - ci(b.r) || a.i - b.i);
  rows.splice(0, rows.length, ...order.map((o) => o.r));
  const sharesAfter = await cpuAvailability();
  header.push(`CPU available at the end: ${sharesAfter.map((x) => x.toFixed(2)).join(' + ')} of a core; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  process.stdout.write(`${header.join('\n')}\n${table(rows)}\n${lightgcn ? `\n${lightgcnLines(lightgcn).join('\n')}\n` : ''}`);
  if (!flag('--no-ranking') && ONLY === undefined) process.stdout.write(await rankingReport({ log, noTorch: flag('--no-torch') }));
  if (jsonFile) {
    // one object per workload, case and implementation; the machine and versions are in the printed header
    writeFileSync(jsonFile, `${JSON.stringify(rows, null, 1)}\n`);
    log(`wrote ${jsonFile}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
