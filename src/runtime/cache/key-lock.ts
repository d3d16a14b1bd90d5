import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { guardFs } from './cache-fs-error.js';

/** Who holds a lock: enough to tell a live holder from a dead one. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
  token: string;
}

export interface LockOptions {
  /** How often a waiter looks again. */
  pollMs?: number;
  /** A lock of another host is stale when its holder has not refreshed it for this long. */
  staleMs?: number;
  /** How often a holder refreshes its lock's mtime (its heartbeat). */
  heartbeatMs?: number;
}

export interface HeldLock {
  release(): void;
}

/**
 * One lock per content key, so that concurrent runs (and future queue workers) compute each key
 * once: the second waits for the first and then reads its result. A lock is a file
 * <dir>/<key>.lock holding its owner's pid, host and a token, created in one step (written
 * under a unique name, then hard-linked into place, which fails when it exists). A holder that
 * died (its pid is gone on this host, or it stopped refreshing the file) leaves a stale lock,
 * which the next waiter breaks.
 */
/** Tokens of the locks this process holds: a lock with our pid but another token is a dead predecessor's (pids are reused). */
const heldHere = new Set<string>();

export class KeyLocks {
  private readonly pollMs: number;
  private readonly staleMs: number;
  private readonly heartbeatMs: number;

  constructor(
    readonly dir: string,
    options: LockOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 100;
    this.staleMs = options.staleMs ?? 120_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  path(key: string): string {
    return join(this.dir, `${key}.lock`);
  }

  /** Waits until the lock of `key` is ours. `onWait` hears once about the holder we wait for. */
  async acquire(key: string, onWait?: (owner: LockOwner | null) => void): Promise<HeldLock> {
    const path = this.path(key);
    const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    const mine = `${path}.${me.token}.new`;
    guardFs(this.dir, 'create the lock folder', () => mkdirSync(this.dir, { recursive: true }));
    guardFs(mine, 'write the lock file', () => writeFileSync(mine, JSON.stringify(me)));
    let told = false;
    try {
      for (;;) {
        try {
          linkSync(mine, path);
          return this.held(path, me);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') guardFs(path, 'create the lock file', () => { throw e; });
        }
        const owner = readOwner(path);
        if (this.isStale(path, owner)) {
          this.breakLock(path, owner);
          continue;
        }
        if (!told) {
          onWait?.(owner);
          told = true;
        }
        await sleep(this.pollMs);
      }
    } finally {
      rmSync(mine, { force: true });
    }
  }

  /** The lock if it is free (or stale) now, else null: for `expc gc`, which never waits for a writer. */
  tryAcquire(key: string): HeldLock | null {
    const path = this.path(key);
    const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    const mine = `${path}.${me.token}.new`;
    guardFs(this.dir, 'create the lock folder', () => mkdirSync(this.dir, { recursive: true }));
    guardFs(mine, 'write the lock file', () => writeFileSync(mine, JSON.stringify(me)));
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(mine, path);
          return this.held(path, me);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') guardFs(path, 'create the lock file', () => { throw e; });
        }
        const owner = readOwner(path);
        if (!this.isStale(path, owner)) return null;
        this.breakLock(path, owner);
      }
      return null;
    } finally {
      rmSync(mine, { force: true });
    }
  }

  private held(path: string, me: LockOwner): HeldLock {
    const beat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(path, now, now);
      } catch {
        /* taken from us as stale, or the disk went away: the release below copes */
      }
    }, this.heartbeatMs);
    beat.unref();
    heldHere.add(me.token);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(beat);
        heldHere.delete(me.token);
        // Only remove the lock if it is still ours.
        if (readOwner(path)?.token === me.token) rmSync(path, { force: true });
      },
    };
  }

  private isStale(path: string, owner: LockOwner | null): boolean {
    let age: number;
    try {
      age = Date.now() - statSync(path).mtimeMs;
    } catch {
      return false; // gone: the next link attempt will tell
    }
    if (owner === null) return age > Math.min(this.staleMs, 10_000); // unreadable: a lock is never written in place, so it is damage
    if (owner.host === hostname()) return owner.pid === process.pid ? !heldHere.has(owner.token) : !pidAlive(owner.pid);
    return age > this.staleMs;
  }

  /** Moves the stale lock aside and removes it, unless someone replaced it meanwhile. */
  private breakLock(path: string, judged: LockOwner | null): void {
    const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      return; // someone else broke it first
    }
    const now = readOwner(aside);
    if (judged !== null && now?.token !== judged.token) {
      // A fresh lock was taken between our look and the rename: put it back.
      try {
        linkSync(aside, path);
      } catch {
        /* yet another one is in place; it wins */
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      /* already gone */
    }
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner> | null;
    if (o && typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' && typeof o.started === 'string') return o as LockOwner;
  } catch {
    /* missing or damaged */
  }
  return null;
}

/** Whether a process of this host is alive; another host's is assumed alive. */
export function processAlive(pid: number, host: string): boolean {
  return host !== hostname() || pid === process.pid || pidAlive(pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
