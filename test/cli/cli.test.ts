import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the real CLI (bin/expc.js) and returns exit code and output. */
function expc(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/expc.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, EXPC_DATA_DIR: '', ...env }, timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace for a user mistake');

describe('cli: exit codes and messages', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'expc-cli-'));
    writeFileSync(join(dir, 'good.exp'), 'experiment g\ndataset syn = synthetic(users: 40, items: 30, per_user: 8)\ndefaults { encoder: mf(dim: 4) training: (epochs: 2, batch: 32) }\nrun a { }\n');
    writeFileSync(join(dir, 'bad.exp'), 'experiment b\ndataset syn = synthetic()\nrun a { sampler: unifrom }\n');
    writeFileSync(join(dir, 'deep.exp'), 'experiment d\nrun a { x: ' + '['.repeat(100000) + ' }\n');
    writeFileSync(join(dir, 'binary.exp'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('no arguments prints help and exits 0', () => {
    const r = expc([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /usage: expc <command>/);
  });
  it('an unknown command is a usage error (exit 2) with a suggestion', () => {
    const r = expc(['chek', 'x.exp']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'chek'/);
    assert.match(r.stderr, /did you mean 'expc check'\?/);
  });
  it('a missing argument is a usage error', () => {
    const r = expc(['check']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /expected 1 argument\(s\), got 0/);
  });
  it('an unknown flag is a usage error with a suggestion', () => {
    const r = expc(['run', 'x.exp', '--theads', '2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--theads'/);
    assert.match(r.stderr, /did you mean '--threads'\?/);
  });
  it('a bad flag value is a usage error', () => {
    const r = expc(['run', join(dir, 'good.exp'), '--engine', 'fussed']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--engine must be one of auto, fused, tfjs, got 'fussed'/);
  });
  it('check: a clean file exits 0', () => {
    const r = expc(['check', join(dir, 'good.exp')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ok \(experiment g: 1 dataset\(s\), 1 run\(s\), 0 sweep\(s\), 1 trial\(s\), 4 steps\)/);
  });
  it('check: errors exit 1 with file:line:col and a caret, no stack trace', () => {
    const r = expc(['check', join(dir, 'bad.exp')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.exp:3:18: error\[unknown-component\]: unknown sampler 'unifrom'/);
    assert.match(r.stderr, /\n\s+3 \| run a \{ sampler: unifrom \}\n\s+\|\s+\^{7}\n/);
    noStack(r.stderr);
  });
  it('check: a missing file exits 1', () => {
    const r = expc(['check', join(dir, 'nope.exp')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[file-not-found\]: cannot read '.*nope\.exp': no such file/);
  });
  it('check: deep nesting is a located user error, not a crash', () => {
    const r = expc(['check', join(dir, 'deep.exp')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /deep\.exp:2:\d+: error\[nesting-too-deep\]/);
    noStack(r.stderr);
  });
  it('check: a binary file is a user error', () => {
    const r = expc(['check', join(dir, 'binary.exp')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[binary-file\]: cannot read '.*binary\.exp': a NUL byte at offset 4/);
  });
  it('components lists parameters with defaults', () => {
    const r = expc(['components', 'backprop']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /onebp: OneBP/);
    assert.match(r.stdout, /beta: a number >= 0 and < 1 = 0\.99/);
  });

  it('run, re-run (nothing recomputed), plan explains a change', () => {
    const cache = join(dir, 'cache');
    const first = expc(['run', join(dir, 'good.exp'), '--cache-dir', cache, '--plain']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /4 step\(s\) ran, 0 cached, 0 failed/);
    assert.match(first.stdout, /trained with: (fused|tfjs) engine, \d+ threads? \(1 training\); tfjs backend (wasm|cpu|tensorflow)/);
    const second = expc(['run', join(dir, 'good.exp'), '--cache-dir', cache, '--plain']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /0 step\(s\) ran, 4 cached, 0 failed/);
    writeFileSync(join(dir, 'good.exp'), readFileSync(join(dir, 'good.exp'), 'utf8').replace('epochs: 2', 'epochs: 3'));
    const plan = expc(['plan', join(dir, 'good.exp'), '--cache-dir', cache]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /load syn \(synthetic\)\s+[0-9a-f]{12}\s+cached/);
    assert.match(plan.stdout, /train a on syn\s+[0-9a-f]{12}\s+will run: parameter training\.epochs: 2 -> 3/);
    assert.match(plan.stdout, /evaluate a on syn\s+[0-9a-f]{12}\s+will run: input train:syn\/a changed/);
    assert.match(plan.stdout, /2 cached, 2 will run/);
  });

  it('run: a missing data file is one clear error, exit 1, and nothing computed is lost', () => {
    const src = join(dir, 'data.exp');
    writeFileSync(src, 'experiment m\ndataset ml = movielens_100k(download: false)\ndataset syn = synthetic(users: 40, items: 30, per_user: 8)\ndefaults { encoder: mf(dim: 4) training: (epochs: 1, batch: 32) }\nrun a { }\n');
    const r = expc(['run', src, '--cache-dir', join(dir, 'cache2'), '--plain', '--data-dir', join(dir, 'nodata')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /1 step\(s\) failed \(everything else completed and is cached\)/);
    assert.match(r.stderr, /u\.data/);
    assert.match(r.stdout, /\+ train a on syn/);
    noStack(r.stderr);
  });
});
