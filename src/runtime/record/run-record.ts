import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentModel } from '../../compiler/model.js';
import type { Json } from '../../core/json.js';
import type { NodeOutcome } from '../executor/execute-graph.js';

/**
 * The record of one `expc run`: what ran, from which sources, where, with which seeds, engines
 * and versions, and what came out. Written to <cache>/runs/ as JSON; `expc runs` lists these,
 * and reviews are built from them.
 */
export interface RunRecord {
  format: 1;
  id: string;
  experiment: string;
  file: string;
  files: { path: string; sha256: string }[];
  command: string[];
  started: string;
  finished: string;
  seconds: number;
  status: 'ok' | 'failed';
  git: { commit: string; dirty: boolean } | null;
  environment: Record<string, Json>;
  options: Record<string, Json>;
  model: ExperimentModel;
  nodes: NodeOutcome[];
  /** The end-of-run summary table in full (the terminal may have dropped columns). */
  summary?: string;
  /** Training curves of the steps that trained in this run, by node id. */
  curves?: Record<string, Json>;
}

export function runsDir(cacheDir: string): string {
  return join(cacheDir, 'runs');
}

export function newRunId(started: Date, experiment: string): string {
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${experiment}-${randomBytes(3).toString('hex')}`;
}

export function writeRunRecord(cacheDir: string, record: RunRecord): string {
  const dir = runsDir(cacheDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${record.id}.json`);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 1));
  renameSync(tmp, path);
  return path;
}

/** All readable records, oldest first. Unreadable files are skipped (and reported to `warn`). */
export function readRunRecords(cacheDir: string, warn: (m: string) => void = () => {}): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(runsDir(cacheDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const n of names.sort()) {
    try {
      const r = JSON.parse(readFileSync(join(runsDir(cacheDir), n), 'utf8')) as RunRecord;
      if (r.format === 1 && typeof r.experiment === 'string') out.push(r);
      else warn(`skipping ${n}: not a run record`);
    } catch (e) {
      warn(`skipping ${n}: ${(e as Error).message}`);
    }
  }
  return out;
}
