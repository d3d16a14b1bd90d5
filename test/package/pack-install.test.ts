import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = process.cwd();

function sh(cmd: string, args: string[], cwd: string, timeout = 120000) {
  // --offline on every npm call: npm answers from its cache or fails (ENOTCACHED), never the network.
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', EXPC_DATA_DIR: '', EXPC_CACHE_DIR: '' };
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, timeout });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, error: r.error };
}

/**
 * A lock file for a folder that depends only on the packed tarball: the runtime entries of expc's
 * own lock (dev ones left out), so `npm ci --offline` installs exactly those versions from the npm
 * cache that `npm ci` filled, with no registry metadata and no network.
 */
function offlineLock(tarball: string): { pkg: object; lock: object } {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = { '': { name: 'consumer', version: '1.0.0', dependencies: { expc: spec } } };
  packages['node_modules/expc'] = { version: own['version'], resolved: spec, license: own['license'], dependencies: own['dependencies'], optionalDependencies: own['optionalDependencies'], bin: own['bin'], engines: own['engines'] };
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev) packages[k] = v;
  return { pkg: { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { expc: spec } }, lock: { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages } };
}

describe('package: pack, install the tarball offline into an empty folder, run the quick start', function () {
  this.timeout(240000);
  let dir: string;
  let tarball: string;
  let consumer: string;
  before(function () {
    if (sh('npm', ['--version'], REPO).error) this.skip(); // npm is absent: nothing to pack with
    dir = mkdtempSync(join(tmpdir(), 'expc-pack-'));
    // dist/ is built (the tests run from it); --ignore-scripts skips prepack's second build.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], REPO);
    assert.equal(pack.code, 0, pack.out);
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    consumer = join(dir, 'consumer');
    mkdirSync(consumer);
    const { pkg, lock } = offlineLock(tarball);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify(pkg, null, 2));
    writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(lock, null, 2));
    // The native tfjs-node bindings are optional and would download a library: left out.
    const install = sh('npm', ['ci', '--offline', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund'], consumer);
    assert.equal(install.code, 0, install.out);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('the tarball ships the built CLI, the kernels, the types and the quick start, and no sources, tests or reviews', () => {
    const list = sh('tar', ['-tzf', tarball], dir).out.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['bin/expc.js', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/kernels/kernels.wasm', 'dist/grammar/parser.js', 'experiments/quickstart.exp', 'README.md', 'package.json'])
      assert.ok(list.includes(f), `ships ${f}`);
    for (const prefix of ['src/', 'test/', 'bench/', '.ci/', 'reviews/', 'dist/test/', 'dist/bench/', 'node_modules/']) assert.ok(!list.some((f) => f.startsWith(prefix)), `does not ship ${prefix}`);
    assert.ok(!list.some((f) => f.endsWith('.map')), 'no source maps (their sources are not shipped)');
  });

  it('npx expc --version works from the installed package', () => {
    const r = sh('npx', ['--offline', '--no-install', 'expc', '--version'], consumer);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('the quick start runs from there (shortened with an override) and records its run', () => {
    copyFileSync(join(consumer, 'node_modules', 'expc', 'experiments', 'quickstart.exp'), join(consumer, 'quickstart.exp'));
    const r = sh(join(consumer, 'node_modules', '.bin', 'expc'), ['run', 'quickstart.exp', '-S', 'training.epochs=2', '--quiet', '--threads', '2'], consumer);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^12 step\(s\) ran, 0 cached, 0 failed in [\d.]+ s; record \.expc\/cache\/runs\/.*quickstart.*\.json\n$/);
    assert.ok(existsSync(join(consumer, '.expc', 'cache', 'runs')));
  });

  it("import('expc') gives the typed API: compileFile, plan, run, review", () => {
    const script = "import('expc').then(async (m) => { const r = m.compileFile('quickstart.exp', { overrides: ['training.epochs=2'] }); const p = await m.plan('quickstart.exp', { overrides: ['training.epochs=2'], threads: 1 }); console.log(JSON.stringify({ api: ['compileFile', 'plan', 'run', 'review'].map((k) => typeof m[k]), trials: r.model.trials.length, cached: p.filter((n) => n.status === 'cached').length, steps: p.length })); })";
    const r = sh(process.execPath, ['--input-type=module', '-e', script], consumer);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(JSON.parse(r.out.trim().split('\n').pop()!), { api: ['function', 'function', 'function', 'function'], trials: 5, cached: 12, steps: 12 });
    const types = readFileSync(join(consumer, 'node_modules', 'expc', 'dist', 'src', 'index.d.ts'), 'utf8');
    for (const name of ['compileFile', 'plan', 'run', 'review']) assert.match(types, new RegExp(`export declare function ${name}\\(`));
  });
});
