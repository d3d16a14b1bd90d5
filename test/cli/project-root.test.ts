import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCacheDir, findProjectRoot } from '../../src/cli/project-root.js';

const BIN = join(process.cwd(), 'bin/expc.js');
function expc(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, EXPC_DATA_DIR: '', EXPC_CACHE_DIR: '', EXPC_REVIEWS_DIR: '', ...env }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace for a user mistake');

const TINY = `experiment tiny
dataset syn = synthetic(users: 40, items: 30, per_user: 8, seed: 1) { split: holdout(test: 0.2, valid: 0.1) }
defaults { encoder: mf(dim: 4) training: (epochs: 2, batch: 32, eval_every: 1) }
run a { backprop: both }
`;

describe('cli: the project root', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'expc-root-')));
    mkdirSync(join(dir, 'experiments'));
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'experiments', 'tiny.exp'), TINY);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is the nearest folder upward with .expc/, else the repository root, else the file folder', () => {
    assert.deepEqual(findProjectRoot(join(dir, 'src', 'deep')), { dir: join(dir, 'src', 'deep'), reason: 'file' });
    mkdirSync(join(dir, '.git'));
    assert.deepEqual(findProjectRoot(join(dir, 'src', 'deep')), { dir, reason: 'git' });
    mkdirSync(join(dir, 'src', '.expc'));
    assert.deepEqual(findProjectRoot(join(dir, 'src', 'deep')), { dir: join(dir, 'src'), reason: 'expc' });
  });

  it('run from the top, then plan and review from subfolders: the same cache, nothing reported as never run; a second file of the same experiment is flagged', () => {
    mkdirSync(join(dir, '.git'));
    const run = expc(['run', 'experiments/tiny.exp', '--quiet'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(dir, '.expc', 'cache', 'runs')));
    for (const cwd of [join(dir, 'experiments'), join(dir, 'src', 'deep')]) {
      const file = cwd.endsWith('experiments') ? 'tiny.exp' : '../../experiments/tiny.exp';
      const plan = expc(['plan', file, '--json'], cwd);
      assert.equal(plan.code, 0, plan.stderr);
      const p = JSON.parse(plan.stdout) as { cacheDir: string; root: { dir: string; reason: string }; nodes: { status: string }[] };
      assert.equal(p.cacheDir, join(dir, '.expc', 'cache'));
      // The first run, from the top of the repository, created <root>/.expc/.
      assert.deepEqual(p.root, { dir, reason: 'expc' });
      assert.deepEqual([...new Set(p.nodes.map((n) => n.status))], ['cached']);
      assert.match(expc(['plan', file], cwd).stdout, new RegExp(`project root ${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(nearest folder with \\.expc/\\)`));
    }
    // No .expc/ was created where the commands ran.
    assert.equal(existsSync(join(dir, 'src', 'deep', '.expc')), false);
    assert.equal(existsSync(join(dir, 'experiments', '.expc')), false);
    // The review goes to <root>/reviews too.
    const review = expc(['review', 'tiny.exp', '--json'], join(dir, 'experiments'));
    assert.equal(review.code, 0, review.stderr);
    assert.equal((JSON.parse(review.stdout) as { dir: string }).dir, join(dir, 'reviews', 'tiny'));
    assert.ok(readdirSync(join(dir, 'reviews', 'tiny')).includes('v1.md'));
    assert.doesNotMatch(review.stderr, /share one series/);

    // A second file with the same experiment name: its review warns and says which file each version came from.
    writeFileSync(join(dir, 'experiments', 'other.exp'), TINY.replace('epochs: 2', 'epochs: 1'));
    assert.equal(expc(['run', 'experiments/other.exp', '--quiet'], dir).code, 0);
    const second = expc(['review', 'experiments/other.exp'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /warning: experiments\/tiny\.exp also declares experiment 'tiny', so its reviews share one series with experiments\/other\.exp \(v1 from experiments\/tiny\.exp\)/);
    const v2 = JSON.parse(readFileSync(join(dir, 'reviews', 'tiny', 'v2.json'), 'utf8')) as { facts: { source: string } };
    assert.equal(v2.facts.source, 'experiments/other.exp');
    assert.match(readFileSync(join(dir, 'reviews', 'tiny', 'v2.md'), 'utf8'), /Written from experiments\/other\.exp/);
  });

  it('expc runs from a subfolder lists the runs recorded at the root', () => {
    mkdirSync(join(dir, '.expc'));
    assert.equal(expc(['run', 'experiments/tiny.exp', '--quiet'], dir).code, 0);
    const runs = expc(['runs', '--json'], join(dir, 'src', 'deep'));
    assert.equal(runs.code, 0, runs.stderr);
    assert.equal((JSON.parse(runs.stdout) as unknown[]).length, 1);
  });

  it('review without the data finds recorded results, or says that the data is missing', () => {
    mkdirSync(join(dir, '.git'));
    // 40 users with 10 items each out of 30.
    const rows = Array.from({ length: 400 }, (_, i) => `${Math.floor(i / 10)},${(Math.floor(i / 10) * 7 + (i % 10) * 3) % 30}`);
    writeFileSync(join(dir, 'experiments', 'ratings.csv'), `${rows.join('\n')}\n`);
    const csv = TINY.replace(/synthetic\([^)]*\)/, 'csv(train: "ratings.csv")').replace('experiment tiny', 'experiment csvexp');
    writeFileSync(join(dir, 'experiments', 'c.exp'), csv);
    const run = expc(['run', 'experiments/c.exp', '--quiet'], dir);
    assert.equal(run.code, 0, run.stderr);
    rmSync(join(dir, 'experiments', 'ratings.csv'));
    const review = expc(['review', 'experiments/c.exp'], dir);
    assert.equal(review.code, 0, review.stderr);
    assert.match(review.stderr, /dataset 'syn': data not found .*using the file hashes recorded by the last run/);
    assert.doesNotMatch(review.stderr + review.stdout, /not computed yet/);
    // With no record of the data: a message about the data, not about steps never run.
    rmSync(join(dir, '.expc'), { recursive: true });
    const none = expc(['review', 'experiments/c.exp'], dir);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /cannot find the data of dataset 'syn'/);
    assert.match(none.stderr, /--data-dir/);
    assert.doesNotMatch(none.stderr, /not computed yet/);
  });
});

describe('cli: --cache-dir is checked before anything runs', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-cachedir-'));
    writeFileSync(join(dir, 'tiny.exp'), TINY);
    writeFileSync(join(dir, 'a-file'), 'x');
    mkdirSync(join(dir, 'readonly'));
    chmodSync(join(dir, 'readonly'), 0o555);
  });
  after(() => {
    chmodSync(join(dir, 'readonly'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string, RegExp][] = [
    ['/proc/x', 'a virtual file system', /--cache-dir \/proc\/x: is on \/proc, a virtual file system/],
    ['a-file', 'a file', /--cache-dir a-file: is not a folder/],
    ['a-file/sub', 'below a file', /--cache-dir a-file\/sub: cannot be created \(ENOTDIR/],
  ];
  for (const [flag, what, message] of cases)
    it(`${what}: exit 1 with a message naming the flag, at once`, () => {
      const started = Date.now();
      const r = expc(['run', 'tiny.exp', '--cache-dir', flag], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error/);
      noStack(r.stderr);
      assert.ok(Date.now() - started < 20000);
    });

  it('a read-only folder: exit 1 (unless running as root, who can write anyway)', function () {
    if (process.getuid?.() === 0) this.skip();
    const r = expc(['run', 'tiny.exp', '--cache-dir', 'readonly/cache'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--cache-dir readonly\/cache: cannot be created \(EACCES: no permission to write there\)/);
    noStack(r.stderr);
  });

  it('$EXPC_CACHE_DIR is named when it is the bad one', () => {
    const r = expc(['run', 'tiny.exp'], dir, { EXPC_CACHE_DIR: join(dir, 'a-file') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\$EXPC_CACHE_DIR .*a-file: is not a folder/);
  });

  it('unit: a writable folder passes and is created; reading a missing folder is fine', () => {
    checkCacheDir(join(dir, 'new', 'cache'), '--cache-dir', true);
    assert.ok(existsSync(join(dir, 'new', 'cache')));
    assert.equal(readdirSync(join(dir, 'new', 'cache')).length, 0, 'the probe file is removed');
    checkCacheDir(join(dir, 'missing'), '--cache-dir', false);
    assert.equal(existsSync(join(dir, 'missing')), false);
  });
});
