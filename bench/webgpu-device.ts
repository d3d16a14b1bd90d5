/**
 * The device check's timings (scripts/device-check.sh): one OneBP epoch and one full-ranking
 * evaluation of MF on Gowalla's training split, at each requested dim, on the webgpu engine and
 * its ranker; then the same two workloads in PyTorch on CUDA (bench/torch_cuda_device.py) in the
 * same run; one JSON report. Each figure is the best of `repeats` runs after a warm-up (pipeline
 * compilation and first-touch allocations are not part of an epoch's cost).
 *
 *   node dist/bench/webgpu-device.js --out report.json [--dims 64,1024] [--batch 2048] [--repeats 2] [--python python3] [--agreement agreement.json]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gpuContext } from '../src/runtime/engine/webgpu/gpu-device.js';
import { createWebgpuEngine } from '../src/runtime/engine/webgpu/webgpu-engine.js';
import { createWebgpuRanker } from '../src/runtime/evaluation/webgpu-ranker.js';
import { benchConfig, gowallaTrain } from './workloads.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    dims: { type: 'string', default: '64,1024' },
    batch: { type: 'string', default: '2048' },
    repeats: { type: 'string', default: '2' },
    python: { type: 'string', default: 'python3' },
    agreement: { type: 'string' },
    k: { type: 'string', default: '20' },
  },
});
const dims = values.dims!.split(',').map(Number);
const batch = Number(values.batch);
const repeats = Math.max(1, Number(values.repeats));
const k = Number(values.k);
const now = () => performance.now() / 1000;

const g = await gpuContext('any');
if ('reason' in g) {
  console.error(`webgpu-device: no adapter: ${g.reason}`);
  process.exit(1);
}
console.log(`adapter: ${g.description}`);
const { problem, file } = gowallaTrain();
if (!problem) {
  console.error(`webgpu-device: ${file} is missing (set EXPC_DATA_DIR)`);
  process.exit(1);
}
console.log(`gowalla: ${problem.numUsers} users, ${problem.numItems} items, ${problem.pairUsers.length} training pairs; batch ${batch}`);

const engine = createWebgpuEngine(g);
const ranker = createWebgpuRanker(g);
const users = problem.positives.activeUsers();
const webgpu: Record<string, number | string>[] = [];
for (const dim of dims) {
  const model = benchConfig({ id: `OneBP d=${dim}`, backprop: 'onebp', dim });
  const init = model.encoder.init(problem.numUsers, problem.numItems, 1);
  const trainer = await engine.createTrainer(problem, model, { batch, shuffle: true, dropLast: false, seed: 1 }, init, { threads: 1 });
  try {
    await trainer.trainEpoch(0);
    let epoch = Infinity;
    let loss = NaN;
    for (let r = 1; r <= repeats; r++) {
      const t0 = now();
      loss = (await trainer.trainEpoch(r)).loss;
      epoch = Math.min(epoch, now() - t0);
    }
    const tables = await trainer.embeddings();
    const req = { tables, users, exclude: [problem.positives], k, similarity: 'dot' as const };
    await ranker.topK(req);
    let evaluation = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t0 = now();
      await ranker.topK(req);
      evaluation = Math.min(evaluation, now() - t0);
    }
    webgpu.push({ dim, epochSeconds: epoch, evalSeconds: evaluation, lastLoss: loss });
    console.log(`webgpu d=${dim}: ${epoch.toFixed(3)} s/epoch (loss ${loss.toFixed(4)}), ${evaluation.toFixed(3)} s/evaluation (${users.length} users, top ${k})`);
  } finally {
    await trainer.dispose();
  }
}

let torch: unknown = null;
try {
  const script = join(process.cwd(), 'bench', 'torch_cuda_device.py');
  const out = execFileSync(values.python!, [script, file, values.dims!, String(batch), String(repeats), String(k)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  torch = JSON.parse(out.trim().split('\n').pop()!);
  console.log(`torch: ${JSON.stringify(torch)}`);
} catch (e) {
  torch = { error: String((e as Error).message).split('\n')[0] };
  console.log(`torch: unavailable (${(torch as { error: string }).error})`);
}

const agreement = values.agreement && existsSync(values.agreement) ? (JSON.parse(readFileSync(values.agreement, 'utf8')) as { stats?: unknown }).stats ?? null : null;
const report = { adapter: g.facts, description: g.description, dataset: { file, numUsers: problem.numUsers, numItems: problem.numItems, pairs: problem.pairUsers.length }, batch, repeats, k, agreement, webgpu, torch };
if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
