// Full-ranking evaluation benchmark: the wasm GEMM ranker against PyTorch (blocked torch.mm, mask
// by index, torch.topk) in the same run, on the same cores, with seeded random tables:
//   Gowalla (29,858 x 40,981, training items masked, top-20) at d = 64 (every test user) and
//   d = 1024 (a seeded subset of SUBSET_1024 users, both sides on the same subset, the full time
//   extrapolated linearly: the work is the same per user), and the ML-1M-sized synthetic set at
//   d = 64. Also measured in this run: the loaded BLAS and its matmul rate, the wasm f32x4 mul+add
//   peak on 1 and on all threads, and a copy bandwidth; every expc figure is given as a share of
//   the peak that bounds it (scoring flops 2 Q N d / seconds / peak).
// Part of `npm run bench` (`--ranking-only` runs just this; `--no-ranking` skips it), or alone:
//   node scripts/build.mjs && node dist/bench/ranking.js [--threads N] [--rounds R]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CounterRng } from '../src/core/rng.js';
import { UserItems } from '../src/core/user-items.js';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import { createWasmRanker, defaultBlocking } from '../src/runtime/evaluation/wasm-ranker.js';
import { findTorch } from './torch-runner.js';
import { copyBandwidth } from './copy-bandwidth.js';
import { peakPerCpuSecond, peakRate } from './simd-peak.js';
import { ml1mSynthetic } from './workloads.js';
import { readLightgcnLines } from './workloads.js';

const SCRIPT = fileURLToPath(new URL('../../bench/ranking_torch.py', import.meta.url));
const K = 20;
const SUBSET_1024 = 4096;
const TORCH_BLOCK = 2048;

interface Problem {
  name: string;
  numUsers: number;
  numItems: number;
  train: UserItems;
  /** the users with test items */
  testUsers: Int32Array;
}

const readLines = readLightgcnLines;

function gowalla(dataDir: string): Problem | string {
  const dir = join(dataDir, 'gowalla');
  const tr = join(dir, 'train.txt.gz');
  const te = join(dir, 'test.txt.gz');
  if (!existsSync(tr) || !existsSync(te)) return `${tr} or ${te} not found`;
  const a = readLines(tr);
  const b = readLines(te);
  const numUsers = Math.max(a.numUsers, b.numUsers);
  const numItems = Math.max(a.numItems, b.numItems);
  const train = UserItems.fromPairs(numUsers, numItems, Int32Array.from(a.users), Int32Array.from(a.items));
  const test = UserItems.fromPairs(numUsers, numItems, Int32Array.from(b.users), Int32Array.from(b.items));
  return { name: 'gowalla', numUsers, numItems, train, testUsers: test.activeUsers() };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** A seeded subset of `n` of `users`, kept in ascending order. */
function subset(users: Int32Array, n: number, seed: number): Int32Array {
  if (users.length <= n) return users;
  const a = Int32Array.from(users);
  const rng = new CounterRng(seed, 3);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.subarray(0, n).sort();
}

interface TorchOut {
  torch: string;
  blas: string[];
  threads: number;
  seconds: number[];
  matmul_shape: number[];
  matmul_gflops: number;
}

export async function rankingReport(opts: { threads?: number; rounds?: number; dataDir?: string; noTorch?: boolean; log?: (m: string) => void } = {}): Promise<string> {
  const threads = opts.threads ?? os.availableParallelism();
  const rounds = opts.rounds ?? 2;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const dataDir = opts.dataDir ?? process.env['EXPC_DATA_DIR'] ?? resolve('..', 'shared', 'datasets');
  const torch = opts.noTorch ? null : findTorch();
  const lines: string[] = [];
  const peak1 = await peakRate(1);
  const peakN = await peakRate(threads);
  const bw = copyBandwidth();
  const peakCpu = peakPerCpuSecond();
  // os.cpus() reports 0 MHz in some VMs; /proc/cpuinfo's nominal "cpu MHz" then
  const mhz = os.cpus()[0]?.speed || Number(/cpu MHz\s*:\s*([\d.]+)/.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? 0);
  lines.push(
    '',
    '## Full-ranking evaluation: wasm GEMM ranker vs PyTorch',
    '',
    `machine: ${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cores, load average at the start ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `wasm f32x4 mul+add peak, measured (probe.wasm, 12 independent chains): ${peak1.toFixed(1)} GFLOP/s on 1 thread, ${peakN.toFixed(1)} GFLOP/s on ${threads} threads at once`,
    `  theoretical at the reported ${mhz} MHz: 128-bit ops, 2 multiply + 2 add pipes x 4 lanes = 16 flops/cycle/core = ${((16 * mhz) / 1e3).toFixed(1)} GFLOP/s/core; ` +
      `AVX2 FMA (what OpenBLAS uses): 2 x 8 lanes x 2 = 32 flops/cycle/core = ${((32 * mhz) / 1e3).toFixed(1)} GFLOP/s/core (wasm SIMD cannot exceed half of it)`,
    `  per CPU-second of one thread (unaffected by the CPU share this process gets): ${peakCpu.toFixed(1)} GFLOP per CPU-s`,
    `copy bandwidth, 1 thread (probe.wasm, 256 MiB): ${(bw / 1e9).toFixed(1)} GB/s read + write`,
  );

  const cases: { problem: Problem; dim: number; users: Int32Array; note: string }[] = [];
  const g = gowalla(dataDir);
  if (typeof g === 'string') log(`ranking bench: Gowalla skipped: ${g}`);
  else {
    cases.push({ problem: g, dim: 64, users: g.testUsers, note: 'every test user' });
    const s = subset(g.testUsers, SUBSET_1024, 2022);
    cases.push({ problem: g, dim: 1024, users: s, note: `${s.length} of ${g.testUsers.length} test users (seeded), time x ${(g.testUsers.length / s.length).toFixed(2)} for all` });
  }
  const m = ml1mSynthetic();
  cases.push({ problem: { name: 'ml-1m-synthetic', numUsers: m.problem.numUsers, numItems: m.problem.numItems, train: m.problem.positives, testUsers: m.testUsers }, dim: 64, users: m.testUsers, note: 'every test user' });

  lines.push(
    `expc: wasm-gemm ranker, ${threads} threads; torch: ${torch ? `${torch.version} (${torch.python}), torch.set_num_threads(${threads}), blocks of ${TORCH_BLOCK} users: torch.mm + scores[rows, train items] = -inf + torch.topk` : 'not found (skipped)'}`,
    `tables: seeded normal(0, 0.1); top-${K}, training items masked; ${rounds} rounds of (expc x2, torch x2), medians of ${2 * rounds}`,
    '',
    '| workload | users | expc s | torch s | expc / torch | full set: expc s, torch s | expc GFLOP/s | wasm peak now, share | expc GFLOP per CPU-s, share of peak per CPU-s | torch GFLOP/s (end to end) | torch matmul GFLOP/s | same top-20 lists | load avg |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  let blasLine = '';
  const ranker = await createWasmRanker({ threads });
  try {
    for (const c of cases) {
      const { problem: p, dim: d, users } = c;
      log(`ranking bench: ${p.name} d=${d}, ${users.length} users...`);
      const rng = new CounterRng(2022 + d, 4);
      const user = Float32Array.from({ length: p.numUsers * d }, () => rng.normal() * 0.1);
      const item = Float32Array.from({ length: p.numItems * d }, () => rng.normal() * 0.1);
      const req = { tables: { user, item, dim: d }, users, exclude: [p.train], k: K, similarity: 'dot' as const };
      await ranker.topK({ ...req, users: users.subarray(0, 256) }); // warm-up
      const dir = mkdtempSync(join(os.tmpdir(), 'expc-rank-'));
      const ours: number[] = [];
      const cpu: number[] = [];
      const peakNow = await peakRate(threads); // just before this case: the machine's load changes
      const theirs: number[] = [];
      let top: Int32Array = new Int32Array(0);
      let t: TorchOut | null = null;
      try {
        if (torch) {
          const U = new Float32Array(users.length * d);
          users.forEach((u, q) => U.set(user.subarray(u * d, u * d + d), q * d));
          const indptr = new Int32Array(users.length + 1);
          users.forEach((u, q) => (indptr[q + 1] = indptr[q]! + p.train.indptr[u + 1]! - p.train.indptr[u]!));
          const indices = new Int32Array(indptr[users.length]!);
          users.forEach((u, q) => indices.set(p.train.indices.subarray(p.train.indptr[u]!, p.train.indptr[u + 1]!), indptr[q]!));
          const npy = (name: string, a: Int32Array | Float32Array, shape: number[]) => writeFileSync(join(dir, name), encodeNpy(a, shape));
          npy('U.npy', U, [users.length, d]);
          npy('I.npy', item, [p.numItems, d]);
          npy('indptr.npy', indptr, [indptr.length]);
          npy('indices.npy', indices, [indices.length]);
          writeFileSync(join(dir, 'spec.json'), JSON.stringify({ threads, k: K, block: TORCH_BLOCK, reps: 2 }));
        }
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < 2; i++) {
            const c0 = process.cpuUsage();
            const t0 = performance.now();
            top = await ranker.topK(req);
            ours.push((performance.now() - t0) / 1e3);
            const c = process.cpuUsage(c0); // the pool's workers are threads of this process
            cpu.push((c.user + c.system) / 1e6);
          }
          if (torch) {
            const out = spawnSync(torch.python, [SCRIPT, dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
            if (out.status !== 0) throw new Error(`ranking_torch.py failed: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`);
            t = JSON.parse(out.stdout) as TorchOut;
            theirs.push(...t.seconds);
          }
        }
        let same = NaN;
        if (t) {
          const raw = readFileSync(join(dir, 'top.npy'));
          const off = 10 + raw.readUInt16LE(8); // .npy v1: magic, version, header length, header
          const tt = new Int32Array(raw.buffer.slice(raw.byteOffset + off, raw.byteOffset + raw.length));
          let n = 0;
          for (let q = 0; q < users.length; q++) {
            let eq = true;
            for (let j = 0; j < K; j++) if (tt[q * K + j] !== top[q * K + j]) eq = false;
            if (eq) n++;
          }
          same = n / users.length;
          blasLine = `torch BLAS loaded (from /proc/self/maps): ${t.blas.join(', ') || 'none found'}; torch reports ${t.threads} threads`;
        }
        const flops = 2 * users.length * p.numItems * d;
        const e = median(ours);
        const th = theirs.length ? median(theirs) : NaN;
        const scale = p.testUsers.length / users.length;
        const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
        lines.push(
          `| ${p.name} ${p.numUsers} x ${p.numItems}, d=${d} (${c.note}) | ${users.length} | ${f(e)} | ${f(th)} | ${Number.isFinite(th) ? `${(e / th).toFixed(2)}x` : '-'} | ${f(e * scale)}, ${f(th * scale)} | ` +
            `${(flops / e / 1e9).toFixed(1)} | ${peakNow.toFixed(1)}, ${((flops / e / 1e9 / peakNow) * 100).toFixed(0)}% | ${(flops / median(cpu) / 1e9).toFixed(1)}, ${((flops / median(cpu) / 1e9 / peakCpu) * 100).toFixed(0)}% | ${Number.isFinite(th) ? (flops / th / 1e9).toFixed(1) : '-'} | ${t ? `${t.matmul_gflops.toFixed(1)} (${t.matmul_shape.join('x')})` : '-'} | ${Number.isFinite(same) ? `${(same * 100).toFixed(1)}%` : '-'} | ${os.loadavg()[0]!.toFixed(2)} |`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await ranker.dispose();
  }
  if (blasLine) lines.push('', blasLine);
  const b = (d: number) => JSON.stringify(defaultBlocking(d));
  lines.push(
    `expc GFLOP/s = 2 x users x items x d / seconds (scoring flops; masking and top-K are fused and not counted); wasm peak now = the ${threads}-thread probe run just before the case; per CPU-s: the same flops over the CPU seconds of all the ranker's threads (the item packing in JS, ~0.05 s at d=64 and ~0.5 s at d=1024 per call, included), against the one-thread peak per CPU-s. Blocking: d=64 ${b(64)}, d=1024 ${b(1024)}`,
    `same top-20 lists: rows where torch's ids equal ours in order (differences are float32 summation-order near-ties at rank ~20); load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (n: string) => {
    const i = args.indexOf(n);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  rankingReport({ threads: opt('--threads'), rounds: opt('--rounds'), noTorch: args.includes('--no-torch') })
    .then((s) => process.stdout.write(s))
    .catch((e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    });
}
