import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyLocks } from '../../../src/runtime/cache/key-lock.js';

const KEY = 'cd'.repeat(32);

describe('KeyLocks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a second acquirer waits until the first releases', async () => {
    const locks = new KeyLocks(dir, { pollMs: 5 });
    const first = await locks.acquire(KEY);
    const order: string[] = [];
    let waitedFor: unknown;
    const second = locks.acquire(KEY, (o) => (waitedFor = o)).then((l) => {
      order.push('second');
      return l;
    });
    await new Promise((r) => setTimeout(r, 40));
    order.push('first releases');
    first.release();
    (await second).release();
    assert.deepEqual(order, ['first releases', 'second']);
    assert.equal((waitedFor as { pid: number }).pid, process.pid);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('breaks the lock of a dead process on this host', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    writeFileSync(join(dir, `${KEY}.lock`), JSON.stringify({ pid, host: hostname(), started: new Date().toISOString(), token: 'old' }));
    const l = await new KeyLocks(dir, { pollMs: 5 }).acquire(KEY);
    l.release();
    assert.equal(existsSync(join(dir, `${KEY}.lock`)), false);
  });

  it('a lock with this pid but a token it does not hold is a predecessor\'s (pids are reused)', async () => {
    writeFileSync(join(dir, `${KEY}.lock`), JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), token: 'old' }));
    (await new KeyLocks(dir, { pollMs: 5 }).acquire(KEY)).release();
  });

  it('another host\'s lock is waited for while it is refreshed, broken once it is not', async () => {
    const p = join(dir, `${KEY}.lock`);
    writeFileSync(p, JSON.stringify({ pid: 1, host: 'elsewhere', started: new Date().toISOString(), token: 'x' }));
    const locks = new KeyLocks(dir, { pollMs: 5, staleMs: 60_000 });
    let got = false;
    const pending = locks.acquire(KEY).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(got, false);
    const old = new Date(Date.now() - 120_000);
    utimesSync(p, old, old);
    (await pending).release();
    assert.equal(got, true);
  });

  it('a lock folder that cannot be created is a clear error', async () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    await assert.rejects(new KeyLocks(join(file, 'locks')).acquire(KEY), /cannot create the lock folder .*file/);
    mkdirSync(join(dir, 'ok'));
  });
});
