import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../src/runtime/cache/npy.js';
import type { Tables } from '../src/runtime/engine/engine.js';
import type { BenchCase, Workload } from './workloads.js';

/** bench/torch_bench.py, seen from dist/bench/. */
const SCRIPT = fileURLToPath(new URL('../../bench/torch_bench.py', import.meta.url));

export interface TorchResult {
  workload: string;
  case: string;
  metric: 'epoch_s' | 'eval_s';
  threads: number;
  seconds: number;
  metrics?: Record<string, number>;
}

/** The first Python that imports torch and numpy: $EXPC_PYTHON, python3, /usr/bin/python3 (Debian's python3-torch). */
export function findTorch(): { python: string; version: string } | null {
  const candidates = [process.env['EXPC_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return null;
}

export interface TorchJob {
  workload: Workload;
  cases: { c: BenchCase; epochs: number; evalTables?: Tables }[];
}

/**
 * Runs the same workloads in PyTorch: the data and the tables to evaluate are handed over as
 * .npy files in a temporary folder; every case is trained and timed with each thread count.
 */
export function runTorch(python: string, jobs: TorchJob[], threadCounts: number[], cutoffs: number[]): TorchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'expc-bench-'));
  try {
    const npy = (name: string, a: Int32Array | Float32Array, shape: number[]) => writeFileSync(join(dir, name), encodeNpy(a, shape));
    const workloads = jobs.map(({ workload: w, cases }) => {
      npy(`${w.name}.train_users.npy`, w.problem.pairUsers, [w.problem.pairUsers.length]);
      npy(`${w.name}.train_items.npy`, w.problem.pairItems, [w.problem.pairItems.length]);
      const t = w.test.pairs();
      npy(`${w.name}.test_users.npy`, t.users, [t.users.length]);
      npy(`${w.name}.test_items.npy`, t.items, [t.items.length]);
      return {
        name: w.name,
        numUsers: w.problem.numUsers,
        numItems: w.problem.numItems,
        cases: cases.map(({ c, epochs, evalTables }, i) => {
          if (evalTables) {
            npy(`${w.name}.${i}.user.npy`, evalTables.user, [w.problem.numUsers, c.dim]);
            npy(`${w.name}.${i}.item.npy`, evalTables.item, [w.problem.numItems, c.dim]);
          }
          return {
            id: c.id,
            dim: c.dim,
            backprop: c.backprop,
            epochs,
            batch: 1024,
            negatives: 5,
            temperature: 1,
            lr: 0.001,
            weightDecay: 1e-5,
            beta: 0.99,
            dropLast: false,
            evalTables: evalTables ? `${w.name}.${i}` : null,
          };
        }),
      };
    });
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ threadCounts, seed: 2022, cutoffs, evalRepeats: 3, workloads }));
    const r = spawnSync(python, [SCRIPT, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`torch_bench.py failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return (JSON.parse(r.stdout) as { results: TorchResult[] }).results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
