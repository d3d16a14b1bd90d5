import { UserError } from '../../core/errors.js';

/**
 * A file-system failure in the cache (full disk, read-only mount, permissions, a file where a
 * folder should be): the user's environment, not a bug in expc, so a UserError (exit 1) naming
 * the path and what went wrong. The executor stops starting new steps on it, since every later
 * write would fail the same way.
 */
export class CacheFsError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
    what: string,
  ) {
    super(`cannot ${what} ${path}: ${REASONS[code] ?? code} (${code})`, { hint: HINTS[code] });
    this.name = 'CacheFsError';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (an immutable or protected file?)',
  ENOTDIR: 'a file is in the way where a folder is expected',
  EISDIR: 'a folder is in the way where a file is expected',
  EEXIST: 'a file is in the way where a folder is expected',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

const HINTS: Record<string, string> = {
  ENOSPC: 'free some space (or run `expc gc`), or point --cache-dir / EXPC_CACHE_DIR at a larger disk; everything that completed is cached',
  EDQUOT: 'free some space (or run `expc gc`), or point --cache-dir at another disk',
  EROFS: 'point --cache-dir / EXPC_CACHE_DIR at a writable folder',
  EACCES: 'check the permissions of the cache folder, or point --cache-dir at another folder',
  EPERM: 'check the file attributes (lsattr) and permissions, or point --cache-dir at another folder',
  ENOTDIR: 'remove or rename the file, or point --cache-dir at a folder',
  EISDIR: 'remove the folder, or point --cache-dir at another folder',
  EEXIST: 'remove or rename the file, or point --cache-dir at a folder',
};

/** The codes that mean "the environment refuses", as opposed to a bug. */
export const FS_CODES = new Set(Object.keys(REASONS));

/** `e` as a CacheFsError when it is a file-system refusal, else null. */
export function cacheFsError(e: unknown, path: string, what: string): CacheFsError | null {
  if (e instanceof CacheFsError) return e;
  const err = e as NodeJS.ErrnoException | null;
  const code = err?.code;
  if (typeof code !== 'string' || !FS_CODES.has(code)) return null;
  return new CacheFsError(err?.path ?? path, code, what);
}

/** Runs `f`; a file-system refusal becomes a CacheFsError about `path`. */
export function guardFs<T>(path: string, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw cacheFsError(e, path, what) ?? e;
  }
}
