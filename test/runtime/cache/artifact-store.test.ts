import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, jsonFile, npyFile } from '../../../src/runtime/cache/artifact-store.js';

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
    b[b.length - 1] ^= 0xff;
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
});
