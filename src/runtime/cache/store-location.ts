import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { ArtifactStore, type StoreWarning } from './artifact-store.js';
import { guardFs } from './cache-fs-error.js';
import { KeyLocks } from './key-lock.js';

/**
 * Where the artifact store lives, and what that implies for its entries and its per-key locks.
 * Everything an executor or a worker needs from a store goes through this interface: the entries
 * (content-addressed, validated on read) and the locks (one per key, seen by every process that
 * uses the store). The two implementations are folders; an S3-compatible one would give
 * `open()` a store whose put is a conditional PUT of the manifest last (If-None-Match: *) and
 * `locks()` locks kept as objects with a lease, in place of renames and hard links.
 */
export interface StoreLocation {
  readonly kind: 'local' | 'shared';
  readonly root: string;
  open(warn?: StoreWarning): ArtifactStore;
  locks(): KeyLocks;
  describe(): JsonObject;
}

/** A folder on this machine (the default): lock holders on this host are judged by their pid. */
export function localStore(root: string): StoreLocation {
  return {
    kind: 'local',
    root,
    open: (warn) => new ArtifactStore(root, warn),
    locks: () => new KeyLocks(join(root, 'locks')),
    describe: () => ({ store: 'local', root }),
  };
}

/** The store's folders whose entries move by rename into each other (tmp -> objects) or hold locks. */
const SUBFOLDERS = ['tmp', 'objects', 'locks', 'checkpoints'];

/**
 * A folder that several machines mount (NFS-style). Renames are atomic only within one file
 * system, so the store's tmp/, objects/, locks/ and checkpoints/ must all be on the root's (a
 * bind mount or a symlink to another disk under the root would make an entry's final rename a
 * copy, which a reader can see half done): checked when the store is opened. Lock holders on
 * other hosts cannot be asked whether they live, so their locks go stale only when their
 * heartbeat stops for `staleMs` (generous: the clocks of the machines differ a little).
 */
export function sharedStore(root: string, options: { staleMs?: number } = {}): StoreLocation {
  const staleMs = options.staleMs ?? 180_000;
  let checked = false;
  const check = () => {
    if (checked) return;
    guardFs(root, 'create the cache folder', () => mkdirSync(root, { recursive: true }));
    const dev = statSync(root).dev;
    for (const sub of SUBFOLDERS) {
      const p = join(root, sub);
      guardFs(p, 'create the cache folder', () => mkdirSync(p, { recursive: true }));
      if (statSync(p).dev !== dev)
        throw new UserError(`the shared store ${root} has ${sub}/ on another file system than itself: entries are moved there by rename, which is atomic only within one file system`, {
          hint: `make ${p} a plain folder of ${root} (not a mount point or a symlink to another disk)`,
        });
    }
    checked = true;
  };
  return {
    kind: 'shared',
    root,
    open: (warn) => {
      check();
      return new ArtifactStore(root, warn);
    },
    locks: () => {
      check();
      return new KeyLocks(join(root, 'locks'), { staleMs });
    },
    describe: () => ({ store: 'shared', root, lockStaleSeconds: staleMs / 1000 }),
  };
}
