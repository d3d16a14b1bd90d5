// Checks that bench/lightgcn_torch.py trains the same model as the fused engine in the LightGCN
// bench: both start from expc's initial tables and take the same 2 batches (expc's sampler), then
// compare the losses and the parameters (a check, not part of `npm run bench`):
//   node scripts/build.mjs && node dist/bench/lightgcn-check.js [--steps 2]
// Measured 2026-12-01: losses equal to 4.5e-9, max |P_torch - P_expc| 3.7e-8 after 2 Adam steps
// (the steps moved the parameters by up to 2.0e-3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import { fusedEngine } from '../src/runtime/engine/fused/fused-engine.js';
import { allocBatch, epochOrder, fillBatch } from '../src/runtime/training/epoch.js';
import { LIGHTGCN, lightgcnModel } from './lightgcn.js';
import { findTorch } from './torch-runner.js';
import { gowallaTrain } from './workloads.js';

const SCRIPT = fileURLToPath(new URL('../../bench/lightgcn_torch.py', import.meta.url));
const { values: opt } = parseArgs({ options: { steps: { type: 'string', default: '2' } } });
const steps = Number(opt.steps);
const torch = findTorch();
const g = gowallaTrain();
if (!g.problem || !torch) {
  process.stdout.write(`skipped: ${!g.problem ? `${g.file} not found` : 'no Python with torch'}\n`);
  process.exit(0);
}
const p = g.problem;
const model = lightgcnModel();
const schedule = { batch: LIGHTGCN.batch, shuffle: true, dropLast: false, seed: LIGHTGCN.seed };
const init = model.encoder.init(p.numUsers, p.numItems, schedule.seed);
const dir = mkdtempSync(join(os.tmpdir(), 'expc-lightgcn-check-'));
try {
  const npy = (name: string, a: Int32Array | Float32Array, shape: number[]) => writeFileSync(join(dir, name), encodeNpy(a, shape));
  npy('users.npy', p.pairUsers, [p.pairUsers.length]);
  npy('items.npy', p.pairItems, [p.pairItems.length]);
  npy('init.user.npy', init.user, [p.numUsers, LIGHTGCN.dim]);
  npy('init.item.npy', init.item, [p.numItems, LIGHTGCN.dim]);
  const t = await fusedEngine.createTrainer(p, model, schedule, init, { threads: 2 });
  const losses: number[] = [];
  try {
    const order = epochOrder(p.pairUsers.length, schedule.seed, 0, true);
    const b = allocBatch(LIGHTGCN.batch, model.sampler);
    for (let k = 0; k < steps; k++) {
      fillBatch(p, schedule, model.sampler, order, 0, k, b);
      npy(`batch${k}.users.npy`, b.users.slice(0, b.size), [b.size]);
      npy(`batch${k}.pos.npy`, b.pos.slice(0, b.size), [b.size]);
      npy(`batch${k}.neg.npy`, b.neg.slice(0, b.size), [b.size]);
      losses.push(await t.trainBatch(b));
    }
    const par = await t.parameters();
    npy('expc.user.npy', par.user, [p.numUsers, LIGHTGCN.dim]);
    npy('expc.item.npy', par.item, [p.numItems, LIGHTGCN.dim]);
  } finally {
    await t.dispose();
  }
  const spec = { numUsers: p.numUsers, numItems: p.numItems, dim: LIGHTGCN.dim, layers: LIGHTGCN.layers, batch: LIGHTGCN.batch, lr: LIGHTGCN.lr, weight: LIGHTGCN.weight, seed: LIGHTGCN.seed, threads: 2, check: { steps, losses } };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const r = spawnSync(torch.python, [SCRIPT, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lightgcn_torch.py failed: ${r.stderr}`);
  const c = JSON.parse(r.stdout) as { losses: number[]; max_diff_user: number; max_diff_item: number; max_change: number };
  const lossDiff = Math.max(...c.losses.map((l, i) => Math.abs(l - losses[i]!)));
  process.stdout.write(
    `expc losses ${losses.map((l) => l.toFixed(9)).join(', ')}\ntorch losses ${c.losses.map((l) => l.toFixed(9)).join(', ')} (max difference ${lossDiff.toExponential(1)})\n` +
      `after ${steps} steps: max |P_torch - P_expc| user ${c.max_diff_user.toExponential(1)}, item ${c.max_diff_item.toExponential(1)} (max change from the initial tables ${c.max_change.toExponential(1)})\n`,
  );
  if (!(lossDiff < 1e-5 && Math.max(c.max_diff_user, c.max_diff_item) < 1e-5)) {
    process.stdout.write('MISMATCH\n');
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
