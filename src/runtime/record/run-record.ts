import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ExperimentModel } from '../../contract/model.js';
import { canonicalJson, sha256Hex, type Json } from '../../core/json.js';
import { arr, nullable, num, obj, sha256, shapeProblem, str } from '../../core/json-shape.js';
import { cacheFsError } from '../cache/cache-fs-error.js';
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
  /** sha256 of the canonical JSON of every other member (added when written, checked when read). */
  sha256?: string;
  /** The end-of-run summary table in full (the terminal may have dropped columns). */
  summary?: string;
  /** Training curves of the steps that trained in this run, by node id. */
  curves?: Record<string, Json>;
}

/** What `expc runs` and reviews read of a record; anything else in it is for people. */
const RECORD_SCHEMA = obj(
  {
    format: { const: 1 },
    id: str,
    experiment: str,
    file: str,
    started: str,
    seconds: num,
    status: { enum: ['ok', 'failed'] },
    environment: { type: 'object' },
    model: obj({ trials: arr(obj({ id: str, run: str, dataset: str, seed: num, config: { type: 'object' } }, ['id', 'run', 'dataset', 'config'])) }, ['trials']),
    nodes: arr(
      obj({ id: str, kind: str, label: str, key: nullable(sha256), status: { enum: ['ran', 'cached', 'failed', 'skipped'] }, seconds: num, meta: { type: 'object' } }, [
        'id',
        'kind',
        'key',
        'status',
      ]),
    ),
    sha256,
  },
  ['format', 'id', 'experiment', 'file', 'started', 'seconds', 'status', 'environment', 'model', 'nodes', 'sha256'],
);

export function runsDir(cacheDir: string): string {
  return join(cacheDir, 'runs');
}

export function newRunId(started: Date, experiment: string): string {
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${experiment}-${randomBytes(3).toString('hex')}`;
}

/**
 * Reserves disk space for the record of a run that is starting, so that a run that fills the
 * disk can still record what it completed: writeRunRecord frees the reservation when a write
 * runs out of space and tries again. Best effort: nothing is reserved on a disk already full.
 */
export function reserveRecordSpace(cacheDir: string, id: string, bytes: number): string | null {
  const path = join(runsDir(cacheDir), `${id}.reserve`);
  // Reservations of killed runs: a day old is surely not a running one's.
  try {
    for (const n of readdirSync(runsDir(cacheDir)))
      if (n.endsWith('.reserve') && Date.now() - statSync(join(runsDir(cacheDir), n)).mtimeMs > 24 * 3600 * 1000) rmSync(join(runsDir(cacheDir), n), { force: true });
  } catch {
    /* no runs folder yet, or read-only */
  }
  try {
    mkdirSync(runsDir(cacheDir), { recursive: true });
    // Who is running, then padding: `expc gc` keeps what a live run may still reference.
    const owner = Buffer.from(`${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() })}\n`);
    const buf = Buffer.alloc(Math.max(bytes, owner.length), 32);
    owner.copy(buf);
    writeFileSync(path, buf);
    return path;
  } catch {
    try {
      rmSync(path, { force: true });
    } catch {
      /* nothing more to do */
    }
    return null;
  }
}

/** Runs in progress (their reservations), with when they started; a dead process's is not one. */
export function runningRuns(cacheDir: string, alive: (pid: number, host: string) => boolean): { id: string; started: number }[] {
  const out: { id: string; started: number }[] = [];
  let names: string[];
  try {
    names = readdirSync(runsDir(cacheDir)).filter((n) => n.endsWith('.reserve'));
  } catch {
    return out;
  }
  for (const n of names) {
    const path = join(runsDir(cacheDir), n);
    try {
      const text = readFileSync(path, 'utf8');
      const o = JSON.parse(text.slice(0, text.indexOf('\n'))) as { pid?: unknown; host?: unknown; started?: unknown };
      if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.started === 'string' && !alive(o.pid, o.host)) continue;
      out.push({ id: n.slice(0, -'.reserve'.length), started: typeof o.started === 'string' ? Date.parse(o.started) : statSync(path).mtimeMs });
    } catch {
      // Unreadable: assume it is running since its file was written (the safe side).
      try {
        out.push({ id: n.slice(0, -'.reserve'.length), started: statSync(path).mtimeMs });
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

/** Written atomically with its own sha256; a refused write is a CacheFsError and leaves no tmp file. */
export function writeRunRecord(cacheDir: string, record: RunRecord): string {
  const dir = runsDir(cacheDir);
  const path = join(dir, `${record.id}.json`);
  const reserve = join(dir, `${record.id}.reserve`);
  const tmp = `${path}.tmp`;
  const { sha256: _old, ...body } = JSON.parse(JSON.stringify(record)) as RunRecord;
  const text = JSON.stringify({ ...body, sha256: sha256Hex(canonicalJson(body)) }, null, 1);
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, path);
      rmSync(reserve, { force: true });
      return path;
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        /* nothing more to do */
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt === 0 && (code === 'ENOSPC' || code === 'EDQUOT') && existsSync(reserve)) {
        rmSync(reserve, { force: true });
        continue;
      }
      throw cacheFsError(e, path, 'write the run record') ?? e;
    }
  }
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
      const shape = shapeProblem(RECORD_SCHEMA, r);
      if (shape) {
        warn(`skipping ${n}: not a run record of this expc (${shape})`);
        continue;
      }
      const { sha256: claimed, ...body } = r;
      if (sha256Hex(canonicalJson(body)) !== claimed) warn(`skipping ${n}: it does not match its sha256 (edited or damaged)`);
      else out.push(r);
    } catch (e) {
      warn(`skipping ${n}: ${(e as Error).message}`);
    }
  }
  return out;
}
