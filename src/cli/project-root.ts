import { accessSync, constants, existsSync, mkdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';

/** Where a project's cache and reviews live, and why that folder (printed, so nobody has to guess). */
export interface ProjectRoot {
  dir: string;
  reason: 'expc' | 'git' | 'file';
}

/**
 * The project root, found as git and DVC find theirs: walking up from `start` (the .exp file's
 * folder, or the working directory for commands without a file), the nearest folder with an
 * `.expc/` folder; the search stops at the repository root (a folder with `.git`), which is the
 * root when no `.expc/` was met; outside a repository, `start` itself. So `expc plan x.exp` run
 * from `experiments/` or from `src/` finds the cache that `expc run` filled from the top.
 */
export function findProjectRoot(start: string): ProjectRoot {
  const from = resolve(start);
  let dir = from;
  for (;;) {
    if (isDirectory(join(dir, '.expc'))) return { dir, reason: 'expc' };
    if (existsSync(join(dir, '.git'))) return { dir, reason: 'git' };
    const parent = dirname(dir);
    if (parent === dir) return { dir: from, reason: 'file' };
    dir = parent;
  }
}

export function describeRoot(r: ProjectRoot): string {
  const why = r.reason === 'expc' ? 'nearest folder with .expc/' : r.reason === 'git' ? 'repository root' : "the .exp file's folder: no .expc/ or repository above it";
  return `project root ${r.dir} (${why})`;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Pseudo file systems where a cache cannot work (writes fail or never finish). */
const VIRTUAL_FS = ['/proc', '/sys', '/dev'];

/**
 * Checks a cache folder before anything is computed, so that a wrong `--cache-dir` is one clear
 * error (exit 1) instead of a stack trace or minutes of retrying. `write`: the command stores
 * results there, so the folder is created if needed and a probe file written and removed.
 */
export function checkCacheDir(dir: string, source: string, write: boolean): void {
  const abs = resolve(dir);
  const fail = (what: string, hint?: string): never => {
    throw new UserError(`${source} ${dir}: ${what}`, { hint: hint ?? 'pass --cache-dir with a writable folder, or leave it out to use <project root>/.expc/cache' });
  };
  let real = abs;
  try {
    // Resolve what exists of the path, so that a link into /proc is caught too.
    let existing = abs;
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    real = join(realpathSync(existing), abs.slice(existing.length));
  } catch {
    /* judged below */
  }
  if (VIRTUAL_FS.some((v) => real === v || real.startsWith(`${v}/`))) fail(`is on ${VIRTUAL_FS.find((v) => real === v || real.startsWith(`${v}/`))}, a virtual file system where nothing can be cached`);
  if (existsSync(abs) && !isDirectory(abs)) fail('is not a folder (a file of that name exists)');
  if (!write) {
    // a folder that does not exist yet must be creatable: no part of its path may be a file
    let up = abs;
    while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
    if (up !== abs && !isDirectory(up)) fail('cannot be created (ENOTDIR: a part of the path is a file)');
    if (existsSync(abs)) {
      try {
        accessSync(abs, constants.R_OK | constants.X_OK);
      } catch (e) {
        fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    return;
  }
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    fail(`cannot be created (${err.code ?? 'error'}: ${err.code === 'ENOTDIR' ? 'a part of the path is a file' : err.code === 'EACCES' || err.code === 'EROFS' ? 'no permission to write there' : err.message})`);
  }
  const probe = join(abs, `.expc-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    fail(`is not writable (${err.code ?? 'error'}${err.code === 'EROFS' ? ': a read-only file system' : err.code === 'EACCES' ? ': no permission' : ''})`);
  }
}
