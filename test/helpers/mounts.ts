import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real file-system faults for tests: a small tmpfs (a full disk) and a read-only bind mount.
 * They need root (CI runs as root); where mounting is not permitted, `null` is returned with the
 * reason, and the test skips saying so.
 */
export interface Mount {
  path: string;
  unmount(): void;
}

function sh(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `${cmd} exited ${r.status}`).trim();
}

export function mountTmpfs(bytes: number): Mount | { skip: string } {
  const path = mkdtempSync(join(tmpdir(), 'expc-tmpfs-'));
  const err = sh('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path]);
  if (err) {
    rmSync(path, { recursive: true, force: true });
    return { skip: `mounting a tmpfs is not permitted here (${err}); run as root to test a full disk` };
  }
  return { path, unmount: () => void (sh('umount', [path]), rmSync(path, { recursive: true, force: true })) };
}

/** `source` seen read-only at a new path. */
export function mountReadOnly(source: string): Mount | { skip: string } {
  const path = mkdtempSync(join(tmpdir(), 'expc-ro-'));
  const err = sh('mount', ['--bind', source, path]) ?? sh('mount', ['-o', 'remount,bind,ro', path]);
  if (err) {
    sh('umount', [path]);
    rmSync(path, { recursive: true, force: true });
    return { skip: `a read-only bind mount is not permitted here (${err}); run as root to test a read-only cache` };
  }
  return { path, unmount: () => void (sh('umount', [path]), rmSync(path, { recursive: true, force: true })) };
}

export function chattr(flag: '+i' | '-i', path: string): string | null {
  return sh('chattr', [flag, path]);
}
