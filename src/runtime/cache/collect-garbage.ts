import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRunRecords, runningRuns } from '../record/run-record.js';
import type { ArtifactStore } from './artifact-store.js';
import { KeyLocks, processAlive } from './key-lock.js';

export interface GcResult {
  removed: { key: string; kind: string; bytes: number }[];
  kept: number;
  /** Entries kept only because a run in progress may still reference them. */
  keptForRunning: number;
  checkpoints: number;
  tmp: number;
  bytes: number;
}

function sizeOf(path: string): number {
  let total = 0;
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return st.size;
    for (const e of readdirSync(path)) total += sizeOf(join(path, e));
  } catch {
    /* gone meanwhile */
  }
  return total;
}

/**
 * Removes the cache entries no recorded run references. Safe while runs are going: an entry
 * created after the oldest run in progress started is kept (that run records it when it ends),
 * an entry whose key is locked is being written and is kept, and each removal holds the key's
 * lock so no writer of that key races it. Review analyses are kept while every step they were
 * computed from is kept. Also removes checkpoints of finished keys and tmp leftovers of dead runs.
 */
export function collectGarbage(store: ArtifactStore, cacheDir: string, options: { dryRun: boolean; warn: (m: string) => void }): GcResult {
  const records = readRunRecords(cacheDir, options.warn);
  const referenced = new Set<string>();
  for (const r of records) for (const n of r.nodes) if (n.key) referenced.add(n.key);
  const running = runningRuns(cacheDir, processAlive);
  const since = running.length ? Math.min(...running.map((r) => r.started)) : Number.POSITIVE_INFINITY;
  const locks = new KeyLocks(join(store.root, 'locks'));
  const result: GcResult = { removed: [], kept: 0, keptForRunning: 0, checkpoints: 0, tmp: 0, bytes: 0 };

  const entries = store.listKeys().map((key) => ({ key, manifest: store.get(key)?.manifest ?? null }));
  const keep = (key: string, m: (typeof entries)[number]['manifest']): 'referenced' | 'running' | null => {
    if (referenced.has(key)) return 'referenced';
    if (m && Date.parse(m.created) >= since - 60_000) return 'running';
    if (m?.kind === 'review_analysis') {
      const inputs = m.meta['inputs'];
      if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((k) => typeof k === 'string' && referenced.has(k))) return 'referenced';
    }
    return null;
  };
  for (const { key, manifest } of entries) {
    const why = keep(key, manifest);
    if (why) {
      result.kept++;
      if (why === 'running') result.keptForRunning++;
      continue;
    }
    const bytes = sizeOf(store.entryDir(key));
    if (options.dryRun) {
      result.removed.push({ key, kind: manifest?.kind ?? 'corrupt', bytes });
      result.bytes += bytes;
      continue;
    }
    const lock = locks.tryAcquire(key);
    if (!lock) {
      result.kept++;
      result.keptForRunning++;
      continue;
    }
    try {
      store.remove(key);
      result.removed.push({ key, kind: manifest?.kind ?? 'corrupt', bytes });
      result.bytes += bytes;
    } finally {
      lock.release();
    }
  }

  // Checkpoints of keys that are finished are leftovers; unfinished ones are resumable progress.
  const ckDir = join(store.root, 'checkpoints');
  let cks: string[] = [];
  try {
    cks = readdirSync(ckDir);
  } catch {
    /* none */
  }
  for (const n of cks) {
    const key = n.replace(/\.ckpt$/, '');
    if (!n.endsWith('.ckpt') || !store.has(key)) continue;
    result.checkpoints++;
    result.bytes += sizeOf(join(ckDir, n));
    if (!options.dryRun) rmSync(join(ckDir, n), { force: true });
  }
  // tmp/ holds entries being assembled: only what predates every run in progress (and is an hour old) is a leftover.
  let tmps: string[] = [];
  try {
    tmps = readdirSync(join(store.root, 'tmp'));
  } catch {
    /* none */
  }
  for (const n of tmps) {
    const p = join(store.root, 'tmp', n);
    try {
      const m = statSync(p).mtimeMs;
      if (m >= since || Date.now() - m < 3600_000) continue;
    } catch {
      continue;
    }
    result.tmp++;
    result.bytes += sizeOf(p);
    if (!options.dryRun) rmSync(p, { recursive: true, force: true });
  }
  // Lock-file drafts of killed processes (a lock itself is never removed here: its owner or a waiter breaks it).
  try {
    for (const n of readdirSync(join(store.root, 'locks'))) {
      const p = join(store.root, 'locks', n);
      if (/\.(new|stale)$/.test(n) && Date.now() - statSync(p).mtimeMs > 3600_000 && !options.dryRun) rmSync(p, { force: true });
    }
  } catch {
    /* no locks folder */
  }
  return result;
}
