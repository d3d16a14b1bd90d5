import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFsError } from '../../../src/runtime/cache/cache-fs-error.js';
import { readCheckpoint, writeCheckpoint, type TrainingCheckpoint } from '../../../src/runtime/steps/checkpoint.js';

const expect = { numUsers: 3, numItems: 2, dim: 2, epochs: 10 };
const ckpt = (): TrainingCheckpoint => ({
  nextEpoch: 4,
  state: { step: 12, tables: { user: Float32Array.of(1, 2, 3, 4, 5, 6), item: Float32Array.of(7, 8, 9, 10), dim: 2 }, slots: { 'm.user': new Float32Array(6) } },
  curves: { epochs: [{ epoch: 1, loss: 0.5, seconds: 0.1 }], monitored: null },
  best: null,
  evalsSinceBest: 0,
});

/** Replaces header text and, with `rehash`, recomputes the sha256 (a hash-valid file of another shape). */
function edit(path: string, from: string, to: string, rehash: boolean): void {
  const b = readFileSync(path);
  const hLen = b.readUInt32LE(40);
  const header = b.subarray(44, 44 + hLen).toString('utf8');
  assert.ok(header.includes(from), header);
  const h = Buffer.from(header.replace(from, to));
  const out = Buffer.concat([b.subarray(0, 40), Buffer.alloc(4), h, b.subarray(44 + hLen)]);
  out.writeUInt32LE(h.length, 40);
  if (rehash) createHash('sha256').update(out.subarray(40)).digest().copy(out, 8);
  writeFileSync(path, out);
}

describe('training checkpoint files', () => {
  let dir: string;
  let path: string;
  let warnings: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-ckpt-'));
    path = join(dir, 'checkpoints', 'k.ckpt');
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips', () => {
    writeCheckpoint(path, ckpt());
    const c = readCheckpoint(path, (m) => warnings.push(m), expect)!;
    assert.equal(c.nextEpoch, 4);
    assert.deepEqual(Array.from(c.state.tables.item), [7, 8, 9, 10]);
    assert.deepEqual(warnings, []);
  });

  it('an altered nextEpoch in the header fails the hash: ignored and removed, not used (finding 2)', () => {
    writeCheckpoint(path, ckpt());
    edit(path, '"nextEpoch":4', '"nextEpoch":9', false);
    assert.equal(readCheckpoint(path, (m) => warnings.push(m), expect), undefined);
    assert.match(warnings[0]!, /does not match its sha256.*training this trial from the start/);
    assert.equal(existsSync(path), false);
  });

  it('a hash-valid checkpoint of another dimension is refused before any trainer sees it (finding 2)', () => {
    writeCheckpoint(path, ckpt());
    edit(path, '"dim":2', '"dim":3', true);
    assert.equal(readCheckpoint(path, (m) => warnings.push(m), expect), undefined);
    assert.match(warnings[0]!, /dimension 3, the trial 2/);
  });

  it('a hash-valid checkpoint whose arrays do not fit the trial is refused', () => {
    writeCheckpoint(path, ckpt());
    assert.equal(readCheckpoint(path, (m) => warnings.push(m), { ...expect, numUsers: 4 }), undefined);
    assert.match(warnings[0]!, /array user is 6 values, expected 4 x 2/);
  });

  it('a header of the wrong shape (valid JSON, valid hash) is refused (finding 6)', () => {
    writeCheckpoint(path, ckpt());
    edit(path, '"evalsSinceBest":0', '"evalsSinceBest":"zero"', true);
    assert.equal(readCheckpoint(path, (m) => warnings.push(m), expect), undefined);
    assert.match(warnings[0]!, /header \/evalsSinceBest: must be integer/);
  });

  it('a checkpoint resuming past the last epoch is refused', () => {
    writeCheckpoint(path, ckpt());
    assert.equal(readCheckpoint(path, (m) => warnings.push(m), { ...expect, epochs: 4 }), undefined);
    assert.match(warnings[0]!, /resumes at epoch 5, the trial has 4 epochs/);
  });

  it('a write the file system refuses is a CacheFsError and leaves no tmp file (finding 5)', () => {
    writeFileSync(join(dir, 'checkpoints'), 'a file in the way');
    assert.throws(() => writeCheckpoint(path, ckpt()), (e: unknown) => e instanceof CacheFsError && /write the training checkpoint/.test(e.message));
    assert.deepEqual(readdirSync(dir), ['checkpoints']);
  });
});
