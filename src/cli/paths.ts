import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';

export const DEFAULT_CACHE_DIR = '.expc/cache';

/** Data folders in lookup order: --data-dir, $EXPC_DATA_DIR, ./data, <project root>/data. */
export function dataDirs(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, root?: string): string[] {
  const dirs = [flag, env['EXPC_DATA_DIR'], 'data', root ? resolve(root, 'data') : undefined].filter((d): d is string => typeof d === 'string' && d.length > 0);
  return [...new Set(dirs.map((d) => resolve(d)))];
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** A path as the user should see it: relative to the working directory when that is shorter. */
export function displayPath(p: string): string {
  if (!isAbsolute(p)) return p;
  const r = relative(process.cwd(), p);
  return r.length < p.length && !r.startsWith('..' + '/..' + '/..') ? r : p;
}
