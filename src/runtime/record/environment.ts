import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../../core/json.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function readPackageVersion(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export const EXPC_VERSION = readPackageVersion(packageRoot) ?? '0.0.0';

/** Versions and machine facts that make a run's numbers interpretable later. */
export function environmentFacts(): Record<string, Json> {
  const cpu = cpus();
  return {
    expc: EXPC_VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    tfjsCore: readPackageVersion(join(packageRoot, 'node_modules', '@tensorflow', 'tfjs-core')),
    gpu: gpuName(),
  };
}

function gpuName(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000 });
    return out.trim().split('\n')[0] || null;
  } catch {
    return null;
  }
}

/**
 * The git commit of the repository holding the experiment's files, and whether any of those
 * files differs from it (modified, staged or untracked); null outside git. Only the .exp files
 * count: a review written next to them does not make the experiment "dirty".
 */
export function gitFacts(files: readonly string[]): { commit: string; dirty: boolean } | null {
  const abs = files.map((f) => resolve(f));
  if (abs.length === 0) return null;
  const cwd = dirname(abs[0]!);
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', ...abs], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}
