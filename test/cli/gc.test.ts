import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gc } from '../../src/cli/commands/gc.js';
import { run } from '../../src/cli/commands/run.js';
import { ArtifactStore, jsonFile } from '../../src/runtime/cache/artifact-store.js';
import { KeyLocks } from '../../src/runtime/cache/key-lock.js';
import { readRunRecords, reserveRecordSpace, runsDir } from '../../src/runtime/record/run-record.js';

const src = (epochs: number) =>
  `experiment collect\ndataset syn = synthetic(users: 50, items: 40, per_user: 8, seed: 2)\ndefaults { encoder: mf(dim: 4) training: (epochs: ${epochs}, batch: 32) }\nrun a { }\nrun b { backprop: onebp(beta: 0.9) }\n`;

describe('expc gc', function () {
  this.timeout(60000);
  let dir: string;
  let cache: string;
  const quiet = { out: () => {}, warn: () => {} };
  const runFile = async (epochs: number) => {
    const file = join(dir, `e${epochs}.exp`);
    writeFileSync(file, src(epochs));
    return run({ file, cacheDir: cache, runtime: { backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds: 0 }, force: false, progress: 'none', argv: [], ...quiet });
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-gc-'));
    cache = join(dir, 'cache');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('removes exactly the entries no recorded run references; what is referenced stays cached', async () => {
    const first = await runFile(2);
    await runFile(3);
    rmSync(first.recordPath!);
    const lines: string[] = [];
    const dry = await gc({ cacheDir: cache, dryRun: true, out: (t) => lines.push(t), warn: () => {} });
    assert.equal(dry.removed.length, 4, 'the first run\'s train and evaluate entries');
    assert.equal(new ArtifactStore(cache).listKeys().length, 10, 'a dry run removes nothing');
    const r = await gc({ cacheDir: cache, dryRun: false, out: (t) => lines.push(t), warn: () => {} });
    assert.deepEqual(r.removed.map((x) => x.key).sort(), dry.removed.map((x) => x.key).sort());
    assert.deepEqual(r.removed.map((x) => x.kind).sort(), ['evaluate', 'evaluate', 'train', 'train']);
    assert.match(lines[1]!, /removed 4 unreferenced entries, 0 finished checkpoint\(s\) and 0 tmp leftover\(s\), [\d.]+ MiB; kept 6$/);
    const again = await runFile(3);
    assert.ok(again.record.nodes.every((n) => n.status === 'cached'), 'everything referenced is still there');
  });

  it('keeps what a run in progress may still reference, and entries whose key is being written', async () => {
    const store = new ArtifactStore(cache);
    const fresh = 'ef'.repeat(32);
    store.put(fresh, 'train', 'train:x/y', { files: { 'a.json': jsonFile(1) }, meta: {} });
    const reserve = reserveRecordSpace(cache, 'in-progress', 1024)!;
    try {
      const r = await gc({ cacheDir: cache, dryRun: false, ...quiet });
      assert.equal(r.removed.length, 0);
      assert.equal(r.keptForRunning, 1);
    } finally {
      rmSync(reserve);
    }
    // A dead run's reservation does not protect anything; a held lock does.
    writeFileSync(join(runsDir(cache), 'dead.reserve'), `${JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), started: new Date().toISOString() })}\n`);
    const lock = await new KeyLocks(join(cache, 'locks')).acquire(fresh);
    try {
      const r = await gc({ cacheDir: cache, dryRun: false, ...quiet });
      assert.equal(r.removed.length, 0);
      assert.equal(r.keptForRunning, 1);
    } finally {
      lock.release();
    }
    const r = await gc({ cacheDir: cache, dryRun: false, ...quiet });
    assert.deepEqual(r.removed.map((x) => x.key), [fresh]);
    assert.equal(readRunRecords(cache).length, 2);
    assert.ok(readdirSync(join(cache, 'locks')).length === 0);
  });
});
