// `node dist/bench/queue-throughput.js [--rounds N] [--trials N] [--epochs N] [--json FILE]`:
// wall time of a CPU-bound sweep through the queue executor with 1 worker and with 2 workers,
// each worker a single-threaded process (--concurrency 1 --threads 1) pinned to its own core with
// taskset (core 0; cores 0 and 1), on a private redis-server (persistence off). Rounds alternate
// 1, 2, 1, 2... with a fresh store each, so both see the same machine load; the figure is the
// ratio of the medians. A benchmark, not a test: the machine may be busy (the load average is
// printed with every round).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { redisServerPath, startRedis } from '../test/helpers/redis-server.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const rounds = opt('rounds', 2);
const trials = opt('trials', 8);
const epochs = opt('epochs', 8);
const jsonAt = args.indexOf('--json');
const expc = join(process.cwd(), 'bin/expc.js');

function experiment(): string {
  const lrs = Array.from({ length: trials - 1 }, (_, i) => (0.001 * (i + 2)).toPrecision(3));
  return `experiment queue_bench
dataset syn = synthetic(users: 3000, items: 1500, per_user: 40, seed: 1)
defaults { encoder: mf(dim: 32) training: (epochs: ${epochs}, batch: 256, eval_every: ${epochs}) }
run a { optimizer: adam(lr: 0.001) }
sweep a { optimizer.lr: [${lrs.join(', ')}] }
`;
}

function startWorker(url: string, cache: string, core: number): Promise<ChildProcess> {
  const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset']).status === 0;
  const cmd = hasTaskset ? 'taskset' : process.execPath;
  const argv = [...(hasTaskset ? ['-c', String(core), process.execPath] : []), expc, 'worker', '--queue', url, '--cache-dir', cache, '--concurrency', '1', '--threads', '1'];
  const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let out = '';
    c.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(': queue ')) resolve(c);
    });
  });
}

async function round(url: string, file: string, workers: number): Promise<number> {
  const cache = mkdtempSync(join(os.tmpdir(), 'expc-qbench-'));
  try {
    const ws = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(url, cache, i)));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [expc, 'run', file, '--queue', url, '--cache-dir', cache, '--quiet', '--threads', '1'], { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`expc run failed: ${r.stderr}`);
    await Promise.all(ws.map((w) => new Promise((res) => (w.once('close', res), w.kill('SIGTERM')))));
    return seconds;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const bin = redisServerPath();
if (!bin) {
  console.error('queue-throughput: redis-server is not installed (apt-get install redis-server)');
  process.exit(1);
}
const redis = await startRedis(bin);
const dir = mkdtempSync(join(os.tmpdir(), 'expc-qbench-exp-'));
const file = join(dir, 'bench.exp');
writeFileSync(file, experiment());
const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
try {
  console.log(`queue throughput: ${trials} trials x ${epochs} epochs (synthetic 3000 users x 1500 items, 120k pairs, mf d=32, batch 256); ${os.cpus()[0]?.model} x ${os.cpus().length}, node ${process.version}`);
  for (let r = 0; r < rounds; r++)
    for (const n of [1, 2] as const) {
      const load = os.loadavg()[0]!.toFixed(2);
      const s = await round(redis.url, file, n);
      times[n].push(s);
      console.log(`round ${r + 1}: ${n} worker(s): ${s.toFixed(2)} s (load average before: ${load})`);
    }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
const m1 = median(times[1]);
const m2 = median(times[2]);
console.log(`median: 1 worker ${m1.toFixed(2)} s, 2 workers ${m2.toFixed(2)} s: ratio ${(m2 / m1).toFixed(3)} (target <= 0.6)`);
if (jsonAt >= 0) writeFileSync(args[jsonAt + 1]!, JSON.stringify({ trials, epochs, rounds, times, ratio: m2 / m1, cpu: os.cpus()[0]?.model, cores: os.cpus().length }, null, 2));
