import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DataContext } from './dataset.js';

/**
 * Locating data files. Every lookup returns the places it searched so that a "not found" error
 * can list them: a user who sees where expc looked knows where to put the file.
 */

export interface Found {
  /** The absolute path found, or null. */
  path: string | null;
  /** Absolute paths tried, in order. */
  searched: string[];
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The data directories as absolute paths (relative ones are taken from the cwd), duplicates removed. */
export function dataDirs(ctx: DataContext): string[] {
  return [...new Set(ctx.dataDirs.map((d) => resolve(d)))];
}

/** `rel` under each data directory in order: the first that exists and passes `accept`. */
export function findInDataDirs(rel: string, ctx: DataContext, accept: (p: string) => boolean = isFile): Found {
  const searched: string[] = [];
  for (const dir of dataDirs(ctx)) {
    const p = join(dir, rel);
    searched.push(p);
    if (accept(p)) return { path: p, searched };
  }
  return { path: null, searched };
}

/** A path the user wrote: absolute as is, else relative to the .exp file's folder, then to each data directory. */
export function findUserPath(p: string, ctx: DataContext, accept: (p: string) => boolean = isFile): Found {
  if (isAbsolute(p)) return { path: accept(p) ? p : null, searched: [p] };
  const first = resolve(ctx.baseDir, p);
  if (accept(first)) return { path: first, searched: [first] };
  const rest = findInDataDirs(p, ctx, accept);
  return { path: rest.path, searched: [first, ...rest.searched] };
}

/** `p` if it is a file, else `p.gz` if that is one, else null. */
export function plainOrGz(p: string): string | null {
  if (isFile(p)) return p;
  if (isFile(`${p}.gz`)) return `${p}.gz`;
  return null;
}

/** "a, b, c" for an error message; long lists are cut. */
export function listSearched(paths: string[], max = 6): string {
  if (paths.length === 0) return 'no data directories are configured';
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown}, and ${paths.length - max} more` : shown;
}
