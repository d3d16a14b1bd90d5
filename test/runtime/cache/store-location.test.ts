import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFile } from '../../../src/runtime/cache/artifact-store.js';
import { localStore, sharedStore } from '../../../src/runtime/cache/store-location.js';

const KEY = 'ab'.repeat(32);

describe('store locations (local folder, shared folder)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'expc-loc-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a shared store has the local layout: what one writes the other reads, validated', () => {
    const root = join(dir, 'store');
    sharedStore(root).open().put(KEY, 'train', 'train:x', { files: { 'a.json': jsonFile([1, 2, 3]) }, meta: { n: 3 } });
    const a = localStore(root).open().get(KEY);
    assert.ok(a);
    assert.deepEqual(a.json('a.json'), [1, 2, 3]);
    assert.deepEqual(a.meta, { n: 3 });
    assert.equal(sharedStore(root).locks().dir, join(root, 'locks'));
  });

  it('refuses a shared store whose tmp/ is on another file system (its renames would be copies)', function () {
    const shm = '/dev/shm';
    let other: string;
    try {
      if (statSync(shm).dev === statSync(dir).dev) this.skip();
      other = mkdtempSync(join(shm, 'expc-loc-'));
    } catch {
      return this.skip();
    }
    try {
      const root = join(dir, 'store');
      mkdirSync(root);
      symlinkSync(other, join(root, 'tmp'));
      assert.throws(() => sharedStore(root).open(), (e: Error) => {
        assert.match(e.message, /the shared store .*store has tmp\/ on another file system than itself: entries are moved there by rename/);
        return true;
      });
      // A local store does not check (one machine, the user's own folder).
      assert.doesNotThrow(() => localStore(root).open());
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("judges another host's lock by its heartbeat: stale after 3 minutes on a shared store, 2 on a local one", () => {
    const root = join(dir, 'store');
    const lockOf = (ageSeconds: number) => {
      const p = join(root, 'locks', `${KEY}.lock`);
      mkdirSync(join(root, 'locks'), { recursive: true });
      writeFileSync(p, JSON.stringify({ pid: 1, host: 'another-machine', started: new Date().toISOString(), token: 'feed' }));
      const t = new Date(Date.now() - ageSeconds * 1000);
      utimesSync(p, t, t);
    };
    lockOf(150);
    assert.equal(sharedStore(root).locks().tryAcquire(KEY), null, 'silent for 150 s: still held on a shared store');
    const local = localStore(root).locks().tryAcquire(KEY);
    assert.ok(local, 'silent for 150 s: stale for a local store');
    local.release();
    lockOf(200);
    const shared = sharedStore(root).locks().tryAcquire(KEY);
    assert.ok(shared, 'silent for 200 s: stale on a shared store too');
    shared.release();
  });
});
