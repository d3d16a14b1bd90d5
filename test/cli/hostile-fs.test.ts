import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/commands/run.js';
import { UserError } from '../../src/core/errors.js';
import { ArtifactStore } from '../../src/runtime/cache/artifact-store.js';
import { readRunRecords } from '../../src/runtime/record/run-record.js';
import { chattr, mountReadOnly, mountTmpfs } from '../helpers/mounts.js';

function expc(args: string[]) {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/expc.js'), ...args], { encoding: 'utf8', env: { ...process.env, EXPC_DATA_DIR: '' }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => assert.doesNotMatch(s, /internal error|\n\s+at .+:\d+:\d+\)?\n/, s);
const source = (epochs: number) =>
  `experiment hostile\ndataset syn = synthetic(users: 60, items: 40, per_user: 8, seed: 1)\ndefaults { encoder: mf(dim: 8) training: (epochs: ${epochs}, batch: 32, eval_every: 1) }\nrun a { }\nrun b { backprop: onebp(beta: 0.9) }\n`;

async function runIn(file: string, cacheDir: string, checkpointSeconds = 0) {
  const warnings: string[] = [];
  try {
    const result = await run({
      file,
      cacheDir,
      runtime: { backend: 'cpu', engine: 'fused', threads: 1, dataDirs: [], allowDownload: false, checkpointSeconds },
      force: false,
      progress: 'none',
      argv: ['run', file],
      out: () => {},
      warn: (t) => warnings.push(t),
    });
    return { ok: true as const, warnings, record: result.record };
  } catch (e) {
    return { ok: false as const, error: e, warnings };
  }
}

/** No tmp leftovers and every entry valid: nothing a failure left behind is half written. */
function assertClean(cacheDir: string): number {
  const tmp = join(cacheDir, 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no tmp leftovers');
  for (const d of ['runs', 'index', 'checkpoints']) if (existsSync(join(cacheDir, d))) assert.deepEqual(readdirSync(join(cacheDir, d)).filter((n) => n.endsWith('.tmp')), []);
  const warnings: string[] = [];
  const store = new ArtifactStore(cacheDir, (m) => warnings.push(m));
  const keys = store.listKeys();
  for (const k of keys) assert.ok(store.get(k), `entry ${k} is valid`);
  assert.deepEqual(warnings, []);
  return keys.length;
}

describe('hostile file systems: clear errors, exit 1, nothing lost (finding 5)', function () {
  this.timeout(120000);
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-hostile-'));
    file = join(dir, 'h.exp');
    writeFileSync(file, source(2));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a cache path that is a file: exit 1 naming it, no stack, before anything runs', () => {
    const cache = join(dir, 'cache-file');
    writeFileSync(cache, 'not a folder');
    const r = expc(['run', file, '--cache-dir', cache, '--quiet']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--cache-dir .*cache-file: is not a folder \(a file of that name exists\)/);
    noStack(r.stderr);
  });

  it('a full disk at several fill levels: a clear error or success, never corruption; the next run reuses every finished step', async function () {
    const probe = mountTmpfs(1 << 20);
    if ('skip' in probe) {
      console.log(`      skipped: ${probe.skip}`);
      this.skip();
    }
    probe.unmount();
    let failures = 0;
    for (const free of [0, 8 << 10, 20 << 10, 28 << 10, 36 << 10, 48 << 10, 60 << 10, 100 << 10]) {
      const m = mountTmpfs(1 << 20) as Exclude<ReturnType<typeof mountTmpfs>, { skip: string }>;
      try {
        const cache = join(m.path, 'cache');
        mkdirSync(cache);
        const s = statfsSync(m.path);
        writeFileSync(join(m.path, 'filler'), Buffer.alloc(Math.max(0, s.bavail * s.bsize - free)));
        const r = await runIn(file, cache, 1e-9);
        if (!r.ok) {
          failures++;
          assert.ok(r.error instanceof UserError, `free ${free}: ${(r.error as Error).stack}`);
          assert.match((r.error as Error).message, /no space left on the device \(ENOSPC\)/);
          // Space for the record was reserved when the run started: what completed is recorded.
          if (free >= 48 << 10) assert.ok(readRunRecords(cache).some((x) => x.status === 'failed'), `free ${free}: a run record is written`);
        }
        if (free > 0) assert.deepEqual(readdirSync(join(cache, 'runs')).filter((n) => !n.endsWith('.json')), [], 'the reservation is released');
        const kept = assertClean(cache);
        rmSync(join(m.path, 'filler'));
        const again = await runIn(file, cache);
        assert.ok(again.ok, `free ${free}: ${again.ok ? '' : (again.error as Error).message}`);
        const last = again.record!;
        assert.equal(last.nodes.filter((n) => n.status === 'cached').length, kept, `free ${free}: every finished step is reused`);
      } finally {
        m.unmount();
      }
    }
    assert.ok(failures >= 2, 'the low fill levels do hit ENOSPC');
  });

  it('a read-only cache that holds every step serves the run (exit 0); one that lacks a step is a clear error', async function () {
    const cache = join(dir, 'ro-source');
    assert.ok((await runIn(file, cache)).ok);
    const m = mountReadOnly(cache);
    if ('skip' in m) {
      console.log(`      skipped: ${m.skip}`);
      this.skip();
    }
    try {
      const r = expc(['run', file, '--cache-dir', m.path, '--plain']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /0 step\(s\) ran, 6 cached, 0 failed/);
      assert.match(r.stderr, /warning: cannot write the key index .*read-only \(EROFS\)/);
      noStack(r.stderr);
      const rv = expc(['review', file, '--cache-dir', m.path, '--reviews-dir', join(dir, 'reviews'), '--quiet']);
      assert.equal(rv.code, 0, rv.stderr);
      assert.match(rv.stdout, /wrote .*v1\.md/);
      noStack(rv.stderr);
      const changed = join(dir, 'h3.exp');
      writeFileSync(changed, source(3));
      // One trial at a time: with two at once both trainings start before the first write fails.
      const r2 = expc(['run', changed, '--cache-dir', m.path, '--quiet', '--parallel-trials', '1']);
      assert.equal(r2.code, 1, r2.stderr);
      assert.match(r2.stderr, /the file system is read-only \(EROFS\)/);
      assert.match(r2.stderr, /2 step\(s\) completed and are cached; 3 step\(s\) were not started/);
      noStack(r2.stderr);
    } finally {
      m.unmount();
    }
  });

  it('an immutable file or folder in the cache: a warning for the index, a clear error for an entry', async function () {
    const cache = join(dir, 'immutable');
    assert.ok((await runIn(file, cache)).ok);
    const index = join(cache, 'index', 'hostile.json');
    const objects = readdirSync(join(cache, 'objects')).map((p) => join(cache, 'objects', p));
    const err = chattr('+i', index);
    if (err) {
      console.log(`      skipped: chattr is not available here (${err})`);
      this.skip();
    }
    try {
      const r = await runIn(file, cache);
      assert.ok(r.ok, r.ok ? '' : (r.error as Error).message);
      assert.ok(r.warnings.some((w) => /cannot write the key index .*\(EPERM\)/.test(w)), r.warnings.join('\n'));
      for (const o of objects) chattr('+i', o);
      chattr('+i', join(cache, 'objects'));
      writeFileSync(join(dir, 'h4.exp'), source(4));
      const r2 = expc(['run', join(dir, 'h4.exp'), '--cache-dir', cache, '--quiet']);
      assert.equal(r2.code, 1, r2.stderr);
      assert.match(r2.stderr, /\((EPERM|EACCES)\)/);
      noStack(r2.stderr);
    } finally {
      chattr('-i', index);
      chattr('-i', join(cache, 'objects'));
      for (const o of objects) chattr('-i', o);
    }
    assertClean(cache);
  });
});
