import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ArtifactStore } from '../../src/runtime/cache/artifact-store.js';

/** Starts `expc run` as its own process. */
export function startRun(file: string, cacheDir: string, env: NodeJS.ProcessEnv = {}): ChildProcess & { done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/expc.js'), 'run', file, '--cache-dir', cacheDir, '--plain', '--threads', '1'], {
    env: { ...process.env, EXPC_DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr: stderr + stdout })),
  );
  return Object.assign(child, { done });
}

/**
 * key -> file name -> sha256, for comparing two caches' artifacts byte for byte; curves.json holds
 * wall-clock epoch times, so it is compared without them.
 */
export function contentsOf(cacheDir: string): Map<string, Record<string, string>> {
  const store = new ArtifactStore(cacheDir);
  const out = new Map<string, Record<string, string>>();
  for (const k of store.listKeys()) {
    const a = store.get(k);
    assert.ok(a, `entry ${k} is valid`);
    const files = Object.fromEntries(Object.entries(a.manifest.files).map(([n, f]) => [n, f.sha256]));
    if (a.has('curves.json')) {
      const c = a.json<{ epochs: { seconds?: number }[] }>('curves.json');
      files['curves.json'] = JSON.stringify(c.epochs.map(({ seconds: _s, ...rest }) => rest));
    }
    out.set(k, files);
  }
  return out;
}


export interface WorkerProcess extends ChildProcess {
  /** Everything it printed so far. */
  log(): string;
  /** Resolves when a printed line matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts `expc worker` as its own process. */
export function startWorkerProcess(url: string, cacheDir: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/expc.js'), 'worker', '--queue', url, '--cache-dir', cacheDir, '--threads', '1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const feed = (d: Buffer) => {
    text += d;
    for (const w of [...waiters]) {
      const line = text.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return Object.assign(child, {
    log: () => text,
    done,
    waitFor: (pattern: RegExp, timeoutMs = 60000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; the worker printed:\n${text}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        feed(Buffer.alloc(0));
      }),
  });
}

/** Runs `expc ARGS...` to the end. */
export function runExpc(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin/expc.js'), ...args], { env: { ...process.env, EXPC_DATA_DIR: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
