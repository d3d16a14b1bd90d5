import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { CounterRng } from '../src/core/rng.js';
import { UserItems } from '../src/core/user-items.js';
import { parseUData } from '../src/runtime/datasets/movielens-100k.js';
import { generateSynthetic } from '../src/runtime/datasets/synthetic.js';
import type { TrainingProblem } from '../src/runtime/engine/engine.js';
import { bindModel } from '../src/components/catalogue.js';
import type { TrainingModel } from '../src/contract/training.js';
import { holdoutSplit } from '../src/runtime/splits/holdout.js';

/** A benchmark dataset: the training problem and the held-out test items. */
export interface Workload {
  name: string;
  description: string;
  problem: TrainingProblem;
  test: UserItems;
  /** Users with test items (the evaluated users). */
  testUsers: Int32Array;
}

function fromSplit(name: string, description: string, numUsers: number, numItems: number, users: Int32Array, items: Int32Array): Workload {
  const split = holdoutSplit({ test: 0.2, valid: 0, per_user: true, seed: 2022 }, { numUsers, numItems, users, items, part: null, userIds: null, itemIds: null, itemTypes: null, inputs: [] });
  const pairs = split.train.pairs();
  return {
    name,
    description,
    problem: { numUsers, numItems, pairUsers: pairs.users, pairItems: pairs.items, positives: split.train },
    test: split.test,
    testUsers: split.test.activeUsers(),
  };
}

/** MovieLens-100K from $EXPC_DATA_DIR/ml-100k/u.data (default ../shared/datasets), 80/20 per-user holdout; null when absent. */
export async function ml100k(): Promise<{ workload: Workload | null; file: string }> {
  const dir = process.env['EXPC_DATA_DIR'] ?? resolve('..', 'shared', 'datasets');
  const file = join(dir, 'ml-100k', 'u.data');
  if (!existsSync(file)) return { workload: null, file };
  const data = await parseUData(file, 0, [], () => {});
  return { workload: fromSplit('ml-100k', 'MovieLens-100K, 80/20 per-user holdout', data.numUsers, data.numItems, data.users, data.items), file };
}

/** ML-1M-sized synthetic data: 6,040 users, 3,706 items, ~1M interactions, 80/20 per-user holdout (~800k training pairs). */
export function ml1mSynthetic(): Workload {
  const data = generateSynthetic({ users: 6040, items: 3706, types: 18, interests: 3, per_user: 166, popularity: 0.8, noise: 0.05, seed: 1 });
  return fromSplit('ml-1m-synthetic', 'ML-1M-sized synthetic (6,040 x 3,706, seeded generator)', data.numUsers, data.numItems, data.users, data.items);
}

export interface BenchCase {
  id: string;
  backprop: 'both' | 'onebp';
  dim: number;
}

/** The benchmark's model: MF, 5 uniform negatives excluding positives, InfoNCE (dot, t = 1), Adam dense. */
export function benchConfig(c: BenchCase): TrainingModel {
  return bindModel({
    encoder: { name: 'mf', params: { dim: c.dim, init: 'xavier_normal', std: 0.1 } },
    sampler: { name: 'uniform', params: { negatives: 5, exclude_positives: true } },
    loss: { name: 'infonce', params: { temperature: 1, similarity: 'dot' } },
    backprop: c.backprop === 'both' ? { name: 'both', params: {} } : { name: 'onebp', params: { beta: 0.99, duplicates: 'last' } },
    optimizer: { name: 'adam', params: { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-5, lazy: false } },
  });
}

export const CASES: BenchCase[] = [
  { id: 'TwoBP d=64', backprop: 'both', dim: 64 },
  { id: 'OneBP d=64', backprop: 'onebp', dim: 64 },
  { id: 'TwoBP d=128', backprop: 'both', dim: 128 },
  { id: 'OneBP d=128', backprop: 'onebp', dim: 128 },
];

/**
 * The Gowalla split's training pairs ($EXPC_DATA_DIR/gowalla/train.txt.gz, default ../shared/datasets):
 * one line per user `uid iid iid ...`, 0-based; pairs in canonical order (user, then item
 * ascending, duplicates dropped). Null when the file is absent.
 */
/** `uid iid iid ...` per line, 0-based (the LightGCN files, gzip): the pairs as read, and the id ranges. */
export function readLightgcnLines(path: string): { users: number[]; items: number[]; numUsers: number; numItems: number } {
  const users: number[] = [];
  const items: number[] = [];
  let numUsers = 0;
  let numItems = 0;
  for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) {
    const f = line.trim().split(/\s+/).filter(Boolean).map(Number);
    if (f.length === 0) continue;
    numUsers = Math.max(numUsers, f[0]! + 1);
    for (const i of f.slice(1)) {
      users.push(f[0]!);
      items.push(i);
      numItems = Math.max(numItems, i + 1);
    }
  }
  return { users, items, numUsers, numItems };
}

export function gowallaTrain(): { problem: TrainingProblem | null; file: string } {
  const dir = process.env['EXPC_DATA_DIR'] ?? resolve('..', 'shared', 'datasets');
  const file = join(dir, 'gowalla', 'train.txt.gz');
  if (!existsSync(file)) return { problem: null, file };
  const { users, items, numUsers, numItems } = readLightgcnLines(file);
  const positives = UserItems.fromPairs(numUsers, numItems, Int32Array.from(users), Int32Array.from(items));
  const pairs = positives.pairs();
  return { problem: { numUsers, numItems, pairUsers: pairs.users, pairItems: pairs.items, positives }, file };
}

/**
 * A seeded draw of `take` of the problem's training pairs (a partial Fisher-Yates shuffle keyed by
 * `key`): sub(from, to) is the problem with only draws [from, to) as training pairs, every table
 * size unchanged, so a step on it costs what a step of the full epoch costs (benches time a few
 * batches and extrapolate).
 */
export function seededPairSubset(full: TrainingProblem, take: number, key: number): (from: number, to: number) => TrainingProblem {
  const pick = Int32Array.from({ length: full.pairUsers.length }, (_, i) => i);
  const rng = new CounterRng(2022, 1, key);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(pick.length - i);
    const t = pick[i]!;
    pick[i] = pick[j]!;
    pick[j] = t;
  }
  return (from, to) => ({
    ...full,
    pairUsers: Int32Array.from(pick.subarray(from, to), (k) => full.pairUsers[k]!),
    pairItems: Int32Array.from(pick.subarray(from, to), (k) => full.pairItems[k]!),
  });
}
