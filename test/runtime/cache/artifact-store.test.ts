import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, jsonFile, npyFile } from '../../../src/runtime/cache/artifact-store.js';
import { CacheFsError } from '../../../src/runtime/cache/cache-fs-error.js';

const KEY = 'ab'.repeat(32);

describe('ArtifactStore', () => {
  let root: string;
  let warnings: string[];
  let store: ArtifactStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'expc-store-'));
    warnings = [];
    store = new ArtifactStore(root, (m) => warnings.push(m));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const put = () => store.put(KEY, 'train', 'train:x/a', { files: { 'user.npy': npyFile(Float32Array.of(1, 2, 3, 4), [2, 2]), 'curves.json': jsonFile({ a: 1 }) }, meta: { epochs: 3 } });

  it('stores under objects/<key[0:2]>/<key>/ and reads the same bytes back', () => {
    put();
    assert.ok(existsSync(join(root, 'objects', 'ab', KEY, 'manifest.json')));
    const a = store.get(KEY)!;
    assert.deepEqual(a.meta, { epochs: 3 });
    assert.deepEqual(Array.from(a.npy('user.npy').data), [1, 2, 3, 4]);
    assert.deepEqual(a.npy('user.npy').shape, [2, 2]);
    assert.deepEqual(a.json('curves.json'), { a: 1 });
    assert.deepEqual(warnings, []);
  });

  it('leaves nothing in tmp/ after a write', () => {
    put();
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });

  it('a miss is null and not a warning', () => {
    assert.equal(store.get(KEY), null);
    assert.equal(store.has(KEY), false);
    assert.deepEqual(warnings, []);
  });

  it('a half-written entry (no manifest, as a killed run could leave in tmp) is never trusted', () => {
    // Simulate a crash between writing the files and the manifest: the entry dir exists without a manifest.
    const dir = join(root, 'objects', 'ab', KEY);
    put();
    rmSync(join(dir, 'manifest.json'));
    assert.equal(store.has(KEY), false);
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /cache entry abababababab is corrupt \(manifest\.json is missing\); removing it and recomputing/);
    assert.equal(existsSync(dir), false);
  });

  it('a file whose bytes changed is detected by its hash, removed and reported', () => {
    put();
    const f = join(root, 'objects', 'ab', KEY, 'user.npy');
    const b = readFileSync(f);
    b[b.length - 1]! ^= 0xff;
    writeFileSync(f, b);
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /file user\.npy does not match its sha256/);
    assert.equal(store.has(KEY), false);
  });

  it('a truncated file is detected by its size', () => {
    put();
    const f = join(root, 'objects', 'ab', KEY, 'curves.json');
    writeFileSync(f, '{');
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /file curves\.json has 1 bytes, the manifest says 7/);
  });

  it('a manifest for another key is not trusted', () => {
    put();
    const m = join(root, 'objects', 'ab', KEY, 'manifest.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace(KEY, 'cd'.repeat(32)));
    assert.equal(store.get(KEY), null);
  });

  it('rewriting a key after corruption gives a valid entry again', () => {
    put();
    writeFileSync(join(root, 'objects', 'ab', KEY, 'manifest.json'), 'garbage');
    assert.equal(store.get(KEY), null);
    put();
    assert.deepEqual(store.get(KEY)!.meta, { epochs: 3 });
  });

  it('refuses file names that could escape the entry', () => {
    assert.throws(() => store.put(KEY, 'x', 'x', { files: { '../evil': new Uint8Array(1) }, meta: {} }), /invalid artifact file name/);
  });

  const manifestPath = () => join(root, 'objects', 'ab', KEY, 'manifest.json');
  const editManifest = (f: (m: Record<string, unknown>) => unknown) => writeFileSync(manifestPath(), JSON.stringify(f(JSON.parse(readFileSync(manifestPath(), 'utf8')))));

  it('metadata changed by one digit is detected by the manifest\'s own sha256 (finding 1)', () => {
    put();
    writeFileSync(manifestPath(), readFileSync(manifestPath(), 'utf8').replace('"epochs": 3', '"epochs": 4'));
    assert.equal(store.has(KEY), false);
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /manifest\.json \(its metadata\) does not match its sha256/);
    assert.equal(existsSync(join(root, 'objects', 'ab', KEY)), false);
  });

  it('a manifest of the wrong shape (valid JSON) is corruption, not a crash (finding 6)', () => {
    for (const bad of [[], 'x', null, { format: 2 }]) {
      put();
      editManifest((m) => (Array.isArray(bad) || bad === null || typeof bad === 'string' ? bad : { ...m, files: [] }));
      assert.equal(store.get(KEY), null);
    }
    assert.equal(warnings.length, 4);
    assert.ok(warnings.every((w) => /is corrupt/.test(w)), warnings.join('\n'));
  });

  it('an entry of the previous cache format is recomputed, saying why', () => {
    put();
    editManifest((m) => ({ ...m, format: 1 }));
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /written in cache format 1, this expc uses 2/);
  });

  it('a folder where manifest.json or a file should be is corruption, not an internal error', () => {
    put();
    rmSync(manifestPath());
    mkdirSync(manifestPath());
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /manifest\.json is a folder/);
    put();
    const f = join(root, 'objects', 'ab', KEY, 'curves.json');
    rmSync(f);
    mkdirSync(f);
    assert.equal(store.get(KEY), null);
    assert.match(warnings[1]!, /file curves\.json is a folder/);
  });

  it('put never replaces a valid entry: a second writer of the key keeps the first (finding 7)', () => {
    const first = put();
    const before = statSync(first.dir).ino;
    const created = first.manifest.created;
    const second = store.put(KEY, 'train', 'train:x/a', { files: { 'user.npy': npyFile(Float32Array.of(1, 2, 3, 4), [2, 2]), 'curves.json': jsonFile({ a: 1 }) }, meta: { epochs: 3 } });
    assert.equal(statSync(second.dir).ino, before);
    assert.equal(second.manifest.created, created);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
    assert.deepEqual(warnings, []);
  });

  it('put replaces a corrupt leftover', () => {
    put();
    writeFileSync(manifestPath(), 'garbage');
    const a = put();
    assert.deepEqual(a.meta, { epochs: 3 });
    assert.deepEqual(store.get(KEY)!.meta, { epochs: 3 });
  });

  it('metadata reads back exactly as a later run sees it (went through JSON once)', () => {
    const a = store.put(KEY, 'x', 'x', { files: {}, meta: { v: 0.1 + 0.2, n: Number.NaN } });
    assert.deepEqual(a.meta, { v: 0.30000000000000004, n: null });
    assert.deepEqual(store.get(KEY)!.meta, a.meta);
  });

  it('a cache path that is a file is a clear error naming it, and leaves nothing behind (finding 5)', () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    const s = new ArtifactStore(file);
    assert.throws(() => s.checkRoot(), (e: unknown) => e instanceof CacheFsError && e.code === 'ENOTDIR' && e.message.includes(file));
    assert.equal(s.get(KEY), null);
    assert.throws(() => s.put(KEY, 'x', 'x', { files: { a: new Uint8Array(1) }, meta: {} }), (e: unknown) => e instanceof CacheFsError && /not-a-folder/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  it('listKeys lists entry folders', () => {
    put();
    assert.deepEqual(store.listKeys(), [KEY]);
  });

  it('a file where an entry folder should be is corruption: removed, and the key can be written again (finding 6)', () => {
    mkdirSync(join(root, 'objects', 'ab'), { recursive: true });
    writeFileSync(join(root, 'objects', 'ab', KEY), 'not a folder');
    assert.equal(store.get(KEY), null);
    assert.match(warnings[0]!, /is corrupt \(manifest\.json is missing\)/);
    put();
    assert.deepEqual(store.get(KEY)!.meta, { epochs: 3 });
  });

  it('put with replace (--force) swaps a valid entry for the new one', () => {
    put();
    const b = store.put(KEY, 'train', 'train:x/a', { files: { 'curves.json': jsonFile({ a: 2 }) }, meta: { epochs: 5 } }, { replace: true });
    assert.deepEqual(b.meta, { epochs: 5 });
    assert.deepEqual(store.get(KEY)!.meta, { epochs: 5 });
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });
});
